/*
 * Revision files replayed without compiling them: libclang parses each file with the
 * real <strata/migration.h>, the `upgrade` function's operation calls are decoded from
 * the AST (string literals, numbers, enum constants and the compound literals
 * STRATA_COLUMN, STRATA_PRIMARY_KEY, ... expand to) and fed to the runtime's own
 * recorder (ops.c), so the operations, and the schema hash replaying them gives, are the
 * ones the app's runtime will compute. `check`, `generate` and `merge` use it.
 *
 * Limits (documented in the README): strata_execute SQL and C hooks are opaque to the
 * schema; an operation must be a call statement of `upgrade` itself, with constant
 * arguments (not inside if/for, not through a variable or a helper function).
 */
#ifndef STRATA_REPLAY_C_H
#define STRATA_REPLAY_C_H

#include <stdbool.h>

#include "diag.h"
#include "ops.h"
#include "revfile.h"
#include "schema.h"

/*
 * Reads the upgrade of revision file `r` into `out` (zeroed). Returns 0, or
 * STRATA_ERROR with each problem reported to `d` at its location (an argument that is
 * not a constant, an operation the recorder refuses, a missing upgrade function).
 */
int replay_read_upgrade(struct strata_oplist *out, const struct revfile *r, struct diag *d);

/*
 * The history replayed: the schema after each revision, by revlist index. A schema may
 * share strings with its parent's (strata_schema_copy_shared): free the history only as
 * a whole, and copy a schema that must outlive it.
 */
struct replay_history {
    struct strata_schema **after; /* l->count schemas (NULL where unknown) */
    bool *mismatch;               /* the revision's replay does not give its hash */
    struct strata_oplist *ups;    /* each revision's upgrade, read back */
    size_t count;
};

/*
 * The schema of the revisions `heads` (revlist indexes) and all their ancestors
 * together, as a merge of them yields: the first's schema, then what the others bring,
 * parents first. Returns 0 with *out a new schema, or STRATA_ERROR reported to `d` (an
 * operation of one branch that does not fit the other's schema).
 */
int replay_merged(struct strata_schema **out, const struct replay_history *h,
                  const struct revlist *l, const size_t *heads, size_t nheads, struct diag *d);

/*
 * Replays every revision of `l` (which passed revlist_check) parents first. Each
 * revision whose replayed schema does not hash to the hash it records is flagged and the
 * first such revision (in history order) is reported to `d`, naming it and both hashes.
 * Returns 0 when every revision could be read and replayed (mismatches included, see
 * out->mismatch), else STRATA_ERROR (reported). Free with replay_history_free.
 */
int replay_history(struct replay_history *out, const struct revlist *l, struct diag *d);
void replay_history_free(struct replay_history *h);

#endif
