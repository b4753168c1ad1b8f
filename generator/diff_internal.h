/*
 * The diff's shared state: the context one diff_schemas() call works on (diff.c), the
 * operation builders that append to its lists (diff_op.c), and the schema lookups both
 * use. Private to the diff; callers use diff.h.
 */
#ifndef STRATA_DIFF_INTERNAL_H
#define STRATA_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ops.h"
#include "schema.h"

#define HAND_WRITTEN "write the revision by hand with strata revision -m"

/* A foreign key created after the tables and columns it needs exist. */
struct deferred {
    const char *table;                   /* borrowed from `to` */
    const struct strata_foreign_key *fk; /* borrowed from `to` */
    bool log;                            /* not yet logged as detected */
};

struct differ {
    struct strata_oplist *up, *down;
    struct strata_schema *cur; /* `from` with every upgrade operation so far applied */
    struct diag *d;
    size_t *starts; /* per upgrade operation: the index of its first inverse in `down` */
    size_t nstarts, capstarts;
    struct deferred *deferred;
    size_t ndeferred, capdeferred;
    const struct strata_foreign_key **changed; /* keys of `to` dropped to be created anew */
    size_t nchanged, capchanged;
    int errors; /* reported problems, plus allocation failures */
};

/* Counts an allocation failure in df->errors; the first one is reported. */
void diff_nomem(struct differ *df);

/* The table `name` of df->cur, or NULL; valid until the next operation is applied. */
struct strata_table *diff_cur_table(struct differ *df, const char *name);

/* The foreign key of `t` named `name`, or NULL. */
const struct strata_foreign_key *diff_find_fk(const struct strata_table *t, const char *name);

/* The foreign key on column `col` of `t` (keys are single-column), or NULL. */
const struct strata_foreign_key *diff_column_fk(const struct strata_table *t, const char *col);

/* The check constraint of `t` named `name`, or NULL. */
const struct strata_check *diff_find_check(const struct strata_table *t, const char *name);

#endif
