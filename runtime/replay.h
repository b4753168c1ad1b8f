/*
 * The schema at a revision: replay of compiled upgrade operations from base.
 *
 * A revision's upgrade() records operations (ops.h); applying them in order to an empty
 * schema (strata_schema_apply) gives the schema after each revision. The driver uses it
 * to know the schema before each revision it runs (the rebuild needs the table's whole
 * definition), and every revision's recorded `schema_hash` is checked against the
 * replayed one so a revision edited inconsistently is caught before anything runs.
 * Internal header.
 */
#ifndef STRATA_REPLAY_H
#define STRATA_REPLAY_H

#include <stdbool.h>

#include <strata/migration.h>
#include <strata/strata.h>

#include "migrate.h"
#include "schema.h"

/*
 * Replays the upgrades of `target_id` and all its ancestors (NULL: base, the empty
 * schema), parents first, from an empty schema. Each revision along a linear stretch,
 * and the target itself, must reproduce its recorded `schema_hash` when it has one: a
 * mismatch is STRATA_EMIGRATION naming the revision and both hashes. A revision whose
 * operations do not fit the schema is STRATA_EMIGRATION naming it and the operation;
 * STRATA_ENOTFOUND when `target_id` is not a revision of `m`. On success *out is a new
 * schema the caller frees with strata_schema_free(); on error *out is NULL.
 */
int strata_replay(const struct strata_migrations *m, const char *target_id,
                  struct strata_schema **out, struct strata_error *err);

/*
 * Replays the upgrades of the revisions in `set` (g->count flags, closed under
 * ancestors as strata_graph_close_set makes them) in topological order, without hash
 * checks: the schema of a database whose applied revisions are `set`. Same ownership.
 */
int strata_replay_set(const struct strata_graph *g, const bool *set, struct strata_schema **out,
                      struct strata_error *err);

/*
 * Checks every revision of `g` against its recorded schema_hash (those without one
 * are only replayed). 0, or the first mismatch or replay failure as strata_replay
 * reports it. Changes nothing.
 */
int strata_replay_verify(const struct strata_graph *g, struct strata_error *err);

#endif
