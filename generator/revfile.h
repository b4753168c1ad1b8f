/*
 * Revision files read back: `strata` never keeps an index of its revisions, it reads
 * the `.c` files of DIR/versions with libclang and takes each file's STRATA_REVISION(...) arguments
 * (id, parents, message, schema hash). migrate numbers the next file and finds its
 * parent here, check and generate validate the history here, and history, heads and
 * show print it. The graph helpers (heads, parents-first order, duplicate ids, missing
 * parents) work on the loaded list.
 */
#ifndef STRATA_REVFILE_H
#define STRATA_REVFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* A revision id `--rev-id` and STRATA_REVISION accept: [0-9a-z_]{1,32}. */
#define REVFILE_ID_MAX 32

struct revfile {
    char *path;        /* DIR/versions/NNNN_slug.c, as the user named DIR */
    char *name;        /* NNNN_slug.c */
    unsigned number;   /* NNNN */
    char *id;
    char *parents;     /* "a b" as written, or NULL for the first revision */
    char **parent_ids; /* `parents` split at spaces */
    size_t nparents;
    char *message;
    char *schema_hash; /* NULL when the file says NULL */
    char *create_date; /* from the header comment, or NULL */
    char *upgrade;     /* the name of the upgrade function (STRATA_REVISION's 5th argument) */
    unsigned line;     /* of STRATA_REVISION, for diagnostics */
    unsigned column;
};

/* Revisions sorted by file name (so by number). */
struct revlist {
    struct revfile *items;
    size_t count;
};

/*
 * Appends the decoded contents of the C string literal `lit` ("..." or u8"...") at *o,
 * which has room for strlen(lit) bytes, and moves *o past them (no NUL written).
 * Returns NULL on success, else what is wrong with it.
 */
const char *revfile_decode_literal(const char *lit, char **o);

/* true when `id` matches [0-9a-z_]{1,32}. */
bool revfile_valid_id(const char *id);

/*
 * Reads every `*.c` in `dir`/versions into *out (sorted by name). A missing versions/
 * is an empty list. Every problem is reported to `d` with its location (a file without
 * STRATA_REVISION, a malformed argument, a name not starting with NNNN); returns 0, or
 * STRATA_ERROR when any was found (then *out is empty). Free with revlist_free.
 */
int revlist_load(struct revlist *out, const char *dir, struct diag *d);

/*
 * Parses one revision file into *out (strings owned by *out, free with revfile_clear).
 * `path` is used in diagnostics as given. Returns 0 or STRATA_ERROR (reported).
 */
int revfile_read(struct revfile *out, const char *path, struct diag *d);
void revfile_clear(struct revfile *r);
void revlist_free(struct revlist *l);

/* Index of the revision `id`, or -1. */
long revlist_find(const struct revlist *l, const char *id);

/* true when no revision of `l` names revision `i` as a parent. */
bool revlist_is_head(const struct revlist *l, size_t i);

/*
 * Writes the indexes of the heads into `out` (room for l->count) in file order and
 * returns how many.
 */
size_t revlist_heads(const struct revlist *l, size_t *out);

/*
 * Writes all l->count indexes into `out`, parents before children, ties broken by file
 * number (so history is stable). Missing parents count as satisfied; revisions caught in
 * a cycle come last in file order.
 */
void revlist_order(const struct revlist *l, size_t *out);

/*
 * Reports each history problem to `d`: a duplicate id, a parent that no revision has, a
 * cycle. Returns how many were found (0: the graph is consistent).
 */
int revlist_check(const struct revlist *l, struct diag *d);

#endif
