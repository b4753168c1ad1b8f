/*
 * An LD_PRELOAD shim for tests/test_gen_atomic.sh: kills the generator with SIGKILL at
 * its N-th file-system effect inside the project, to prove that an interrupted
 * `strata migrate` or `generate` leaves no partial state.
 *
 * Counted calls: write and fsync on a file under the project, and linkat, rename,
 * unlink, mkdir and rmdir of a path under it (relative paths count: the test runs the
 * generator from the project folder). Environment:
 *   STRATA_KILL_DIR      the project folder (absolute); nothing is counted without it
 *   STRATA_KILL_AT=N     SIGKILL at the N-th counted call, before it takes effect
 *   STRATA_KILL_PARTIAL  with 1, a write at the N-th call first writes half its bytes
 *   STRATA_KILL_COUNT    a file that receives the number of counted calls at exit
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long calls;

/* true when `path` names something under STRATA_KILL_DIR. */
static int inside(const char *path)
{
    const char *dir = getenv("STRATA_KILL_DIR");

    if (dir == NULL || path == NULL)
        return 0;
    return path[0] != '/' || strncmp(path, dir, strlen(dir)) == 0;
}

/* true when descriptor `fd` is a file under STRATA_KILL_DIR (O_TMPFILE ones too). */
static int fd_inside(int fd)
{
    char proc[64], target[PATH_MAX];
    ssize_t n;

    if (getenv("STRATA_KILL_DIR") == NULL || fd <= 2)
        return 0;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    n = readlink(proc, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return target[0] == '/' && inside(target);
}

/* Counts one call; true when this is the one to die at. */
static int due(void)
{
    const char *at = getenv("STRATA_KILL_AT");

    calls++;
    return at != NULL && atol(at) == calls;
}

static void die(void)
{
    raise(SIGKILL);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("STRATA_KILL_COUNT");
    FILE *f;

    if (path != NULL && (f = fopen(path, "w")) != NULL) {
        fprintf(f, "%ld\n", calls);
        fclose(f);
    }
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd_inside(fd) && due()) {
        const char *partial = getenv("STRATA_KILL_PARTIAL");

        if (partial != NULL && strcmp(partial, "1") == 0 && n > 1)
            REAL(write)(fd, buf, n / 2);
        die();
    }
    return REAL(write)(fd, buf, n);
}

int fsync(int fd)
{
    if (fd_inside(fd) && due())
        die();
    return REAL(fsync)(fd);
}

int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
    if (inside(newpath) && due())
        die();
    return REAL(linkat)(olddirfd, oldpath, newdirfd, newpath, flags);
}

int rename(const char *oldpath, const char *newpath)
{
    if (inside(newpath) && due())
        die();
    return REAL(rename)(oldpath, newpath);
}

int unlink(const char *path)
{
    if (inside(path) && due())
        die();
    return REAL(unlink)(path);
}

int mkdir(const char *path, mode_t mode)
{
    if (inside(path) && due())
        die();
    return REAL(mkdir)(path, mode);
}

int rmdir(const char *path)
{
    if (inside(path) && due())
        die();
    return REAL(rmdir)(path);
}
