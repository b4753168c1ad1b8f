/*
 * Atomic, change-only file writes and the directory lock (see fileout.h).
 */
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

int fileout_write(const char *path, const char *data, size_t len, bool *changed,
                  struct diag *d)
{
    char *tmp = NULL;
    size_t plen = strlen(path), off = 0;
    int fd = -1, rc = STRATA_ERROR;

    if (changed != NULL)
        *changed = false;
    if (same_bytes(path, data, len))
        return 0;
    tmp = malloc(plen + 5);
    if (tmp == NULL) {
        diag_error(d, path, 0, 0, "out of memory");
        return STRATA_ERROR;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        diag_error(d, path, 0, 0, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
            goto cleanup;
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0) {
        diag_error(d, path, 0, 0, "cannot sync: %s", strerror(errno));
        goto cleanup;
    }
    if (close(fd) != 0) {
        fd = -1;
        diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
        goto cleanup;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        diag_error(d, path, 0, 0, "cannot replace: %s", strerror(errno));
        goto cleanup;
    }
    if (changed != NULL)
        *changed = true;
    rc = 0;
cleanup:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
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
