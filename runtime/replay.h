/*
 * The schema at a revision: replay of compiled upgrade operations from base.
 *
 * A revision's upgrade() records operations (ops.h); applying them in order to an empty
 * schema (strata_schema_apply) gives the schema after each revision. The driver uses it
 * to know the schema before each revision it runs (the rebuild needs the table's whole
 * definition), offline SQL and the drift check use it the same way, and every
 * revision's recorded `schema_hash` is checked against the replayed one so a revision
 * edited inconsistently is caught before anything runs. Internal header.
 *
 * One pass does both jobs: strata_replay_load() records every revision's upgrade once,
 * replays the whole graph once (checking each hash on the way) and keeps the recorded
 * operations, from which strata_replay_schema() builds the schema of any set of
 * revisions without recording or checking again.
 */
#ifndef STRATA_REPLAY_H
#define STRATA_REPLAY_H

#include <stdbool.h>

#include <strata/migration.h>
#include <strata/strata.h>

#include "migrate.h"
#include "ops.h"
#include "schema.h"

/* Every revision's recorded upgrade, by graph node. */
struct strata_replay {
    struct strata_oplist *ups; /* g->count lists */
    size_t count;
};

/*
 * Records the upgrade of every node of `g` into `out` and, with `verify`, replays the
 * graph once in topological order checking each revision that records a schema hash:
 * the schema of the revision and its ancestors must hash to it. A mismatch is
 * STRATA_EMIGRATION naming the revision and both hashes; a revision whose operations
 * cannot be recorded or do not fit the schema is STRATA_EMIGRATION naming it and the
 * operation. On error `out` is left empty; else free it with strata_replay_free().
 */
int strata_replay_load(struct strata_replay *out, const struct strata_graph *g, bool verify,
                       struct strata_error *err);
void strata_replay_free(struct strata_replay *r);

/*
 * The schema of a database whose applied revisions are `set` (g->count flags, closed
 * under ancestors): the recorded upgrades of the set applied in topological order. On
 * success *out is a new schema the caller frees with strata_schema_free(); on error
 * *out is NULL.
 */
int strata_replay_schema(const struct strata_replay *r, const struct strata_graph *g,
                         const bool *set, struct strata_schema **out, struct strata_error *err);

/*
 * Applies node `i`'s recorded upgrade to `s` (used to move a schema one revision on).
 * Errors name the revision and the operation; on error `s` may hold part of it.
 */
int strata_replay_apply(const struct strata_replay *r, const struct strata_graph *g, size_t i,
                        struct strata_schema *s, struct strata_error *err);

/*
 * Replays the upgrades of `target_id` and all its ancestors (NULL: base, the empty
 * schema), checking every revision's recorded hash first. STRATA_ENOTFOUND when
 * `target_id` is not a revision of `m`. On success *out is a new schema the caller frees
 * with strata_schema_free(); on error *out is NULL.
 */
int strata_replay(const struct strata_migrations *m, const char *target_id,
                  struct strata_schema **out, struct strata_error *err);

#endif
