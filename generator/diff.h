/*
 * The autogenerate diff: two schemas in, the operations between them out.
 *
 * `strata migrate` diffs the snapshot (the schema at head) against the parsed models.
 * The resulting operation lists are all the emitter sees. The diff logs every change it
 * detects in Alembic's shape and refuses, naming it, every change it cannot express as
 * operations yet: it never turns one into a silent drop and re-add.
 */
#ifndef STRATA_DIFF_H
#define STRATA_DIFF_H

#include "diag.h"
#include "ops.h"
#include "schema.h"

/*
 * Computes the operations taking `from` to `to`: *up (from -> to) and *down (its exact
 * inverse, to -> from). Both must be zeroed on entry; the caller clears them with
 * strata_oplist_clear() whatever the result. Creates and additions come parent-first (a
 * table referenced by a foreign key before its referrers, else in `to`'s order), drops
 * child-first. Every detected change is logged through `d` (`Detected added table
 * 'book'`; removals as warnings); every change that cannot be expressed is reported as
 * an error. Finally the lists are replayed on a copy of `from` and must reach `to` and
 * come back. Returns 0, or -1 when an error was reported (the lists are then
 * meaningless).
 */
int diff_schemas(struct strata_oplist *up, struct strata_oplist *down, const struct strata_schema *from,
                 const struct strata_schema *to, struct diag *d);

#endif
