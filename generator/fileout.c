/*
 * Atomic, change-only file writes and the directory lock (see fileout.h). A file gets
 * its name only once its bytes are on disk, so a generator killed at any point leaves
 * no partial file (commands.c orders the writes of a revision and its snapshot).
 */
/* O_TMPFILE is a Linux extension. */
#define _GNU_SOURCE

#include "fileout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strata/strata.h>

int fileout_read(char **out, size_t *len, const char *path, struct diag *d)
{
    FILE *f = NULL;
    char *data = NULL;
    size_t size = 0, cap = 0, n;
    int rc = STRATA_ERROR;

    *out = NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT)
            return STRATA_ENOTFOUND;
        diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
        return STRATA_ERROR;
    }
    for (;;) {
        if (size + 1 >= cap) {
            char *p;

            cap = cap ? cap * 2 : 4096;
            p = realloc(data, cap);
            if (p == NULL) {
                diag_error(d, path, 0, 0, "out of memory");
                goto cleanup;
            }
            data = p;
        }
        n = fread(data + size, 1, cap - size - 1, f);
        size += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    data[size] = '\0';
    *out = data;
    data = NULL;
    if (len != NULL)
        *len = size;
    rc = 0;
cleanup:
    free(data);
    fclose(f);
    return rc;
}

/* true when `path` holds exactly `len` bytes equal to `data`. */
static bool same_bytes(const char *path, const char *data, size_t len)
{
    char buf[8192];
    size_t off = 0, n;
    struct stat st;
    bool same = false;
    FILE *f;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
        return false;
    f = fopen(path, "rb");
    if (f == NULL)
        return false;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (off + n > len || memcmp(buf, data + off, n) != 0)
            goto done;
        off += n;
    }
    same = !ferror(f) && off == len;
done:
    fclose(f);
    return same;
}

/* The directory part of `path` ("." when it has none), malloc'ed; NULL when out of memory. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);

    if (dir != NULL) {
        memcpy(dir, slash == NULL ? "." : path, n);
        dir[n] = '\0';
    }
    return dir;
}

/* Writes all `len` bytes to `fd` and syncs them. 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)n;
    }
    return fsync(fd);
}

/*
 * Gives the unnamed O_TMPFILE file `fd` the name `name` (which must not exist) through
 * /proc/self/fd, as linkat(AT_EMPTY_PATH) would without needing privileges. 0, or -1
 * with errno set.
 */
static int link_tmpfile(int fd, const char *name)
{
    char proc[64];

    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
}

/* Syncs directory `dir`, so a rename or link in it survives a power loss. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/*
 * The file's bytes are written and synced before it gets any name, so a kill at any
 * point leaves either the old file or the new one and nothing else: the content goes
 * into an unnamed O_TMPFILE file in the target's directory, which is linked in as
 * `path` when `path` does not exist yet (a new revision), or as `path.tmp` and renamed
 * over `path`. A stale `path.tmp` (complete: a kill between link and rename) is removed
 * by the next write of `path`, changed or not. Without O_TMPFILE or
 * /proc, `path.tmp` is written by name, which a kill can leave half-written but never
 * in place of `path`.
 */
int fileout_write(const char *path, const char *data, size_t len, bool *changed,
                  struct diag *d)
{
    char *tmp = NULL, *dir = NULL;
    size_t plen = strlen(path);
    bool named = false; /* `tmp` exists and is ours to remove on error */
    struct stat st;
    int fd = -1, rc = STRATA_ERROR;

    if (changed != NULL)
        *changed = false;
    tmp = malloc(plen + 5);
    dir = dir_of(path);
    if (tmp == NULL || dir == NULL) {
        diag_error(d, path, 0, 0, "out of memory");
        goto cleanup;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    /* A run killed between naming `path.tmp` and the rename left it: never keep it. */
    unlink(tmp);
    if (same_bytes(path, data, len)) {
        rc = 0;
        goto cleanup;
    }
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#endif
    if (fd >= 0) {
        if (write_all(fd, data, len) != 0) {
            diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
            goto cleanup;
        }
        if (lstat(path, &st) != 0 && errno == ENOENT && link_tmpfile(fd, path) == 0)
            goto done;
        if (link_tmpfile(fd, tmp) == 0) {
            named = true;
            goto replace;
        }
        close(fd); /* no /proc: write the temporary file by name */
        fd = -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        diag_error(d, path, 0, 0, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    named = true;
    if (write_all(fd, data, len) != 0) {
        diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
        goto cleanup;
    }
replace:
    if (rename(tmp, path) != 0) {
        diag_error(d, path, 0, 0, "cannot replace: %s", strerror(errno));
        goto cleanup;
    }
    named = false;
done:
    if (close(fd) != 0) {
        fd = -1;
        diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
        goto cleanup;
    }
    fd = -1;
    sync_dir(dir);
    if (changed != NULL)
        *changed = true;
    rc = 0;
cleanup:
    if (fd >= 0)
        close(fd);
    if (named)
        unlink(tmp);
    free(tmp);
    free(dir);
    return rc;
}

int fileout_lock(const char *dir, struct diag *d)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        diag_error(d, dir, 0, 0, "cannot open directory: %s", strerror(errno));
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        diag_error(d, dir, 0, 0, "cannot lock: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void fileout_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}
