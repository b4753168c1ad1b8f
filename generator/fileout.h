/*
 * File output of the generator: every file strata writes (revisions, schema.json, the
 * registry and its depfile) goes through here, so a reader never sees half a file and an
 * unchanged file keeps its mtime (no needless rebuilds). Also the lock `generate` holds
 * on DIR and small file helpers the commands share.
 */
#ifndef STRATA_FILEOUT_H
#define STRATA_FILEOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/*
 * Writes `len` bytes to `path` atomically: `path.tmp` in the same directory, fsync,
 * rename over `path`. When `path` already holds exactly these bytes nothing is written
 * and its mtime is kept. Sets *changed (may be NULL) to whether the file was written.
 * Returns 0, or STRATA_ERROR with an error reported to `d`; on error `path` is unchanged
 * and no `path.tmp` is left behind.
 */
int fileout_write(const char *path, const char *data, size_t len, bool *changed,
                  struct diag *d);

/*
 * Reads the whole file into *out (malloc'ed, NUL-terminated, owned by the caller) and
 * its size into *len (may be NULL). Returns 0, STRATA_ENOTFOUND when it does not exist
 * (nothing reported), or STRATA_ERROR with an error reported to `d`.
 */
int fileout_read(char **out, size_t *len, const char *path, struct diag *d);

/*
 * Opens directory `dir` read-only and takes an exclusive flock on it, waiting for other
 * holders. Returns the descriptor (release with fileout_unlock), or -1 with an error
 * reported to `d`.
 */
int fileout_lock(const char *dir, struct diag *d);
void fileout_unlock(int fd);

#endif
