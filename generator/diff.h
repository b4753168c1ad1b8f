/*
 * The autogenerate diff: two schemas in, the operations between them out.
 *
 * `strata migrate` diffs the snapshot (the schema at head) against the parsed models.
 * The resulting operation lists are all the emitter sees. The diff logs every change it
 * detects in Alembic's shape, warns about the destructive and risky ones (and leaves a
 * `note` on their operation for the emitter to print), turns `renamed_from` into renames,
 * never into a drop and re-add, and reports as located errors what the models must
 * settle first (a `renamed_from` naming nothing, a NOT NULL column with nothing to put in
 * existing rows).
 */
#ifndef STRATA_DIFF_H
#define STRATA_DIFF_H

#include <stdbool.h>

#include "diag.h"
#include "ops.h"
#include "schema.h"

/*
 * Computes the operations taking `from` to `to`: *up (from -> to) and *down (its exact
 * inverse, to -> from: the inverse of each upgrade operation, in reverse order). Both
 * must be zeroed on entry; the caller clears them with strata_oplist_clear() whatever
 * the result.
 *
 * Order of *up: renames (tables, then columns); new tables parent-first (a foreign key
 * closing a cycle, or naming a column added later, follows as create_foreign_key);
 * changed and removed foreign keys of existing tables dropped; then each existing table
 * (parents first): its removed checks, uniques and indexes dropped, removed columns
 * dropped, changed columns altered, new columns added, primary key and comment set, new
 * uniques, indexes, checks and foreign keys created; deferred foreign keys; removed
 * tables child-first. Renames regenerate dependent constraint names (as replay does), so
 * those are not differences.
 *
 * Every detected change is logged through `d` (`Detected added table 'book'`; removals
 * and risky changes as warnings). `renamed_from` naming neither an existing nor a
 * snapshot name, and a NOT NULL column that existing rows would hold with no `default`
 * or `backfill`, are errors at their model location. Finally the lists are replayed on
 * a copy of `from` and must reach `to` and come back. Returns 0, or -1 when an error was
 * reported (the lists are then meaningless).
 */
int diff_schemas(struct strata_oplist *up, struct strata_oplist *down, const struct strata_schema *from,
                 const struct strata_schema *to, struct diag *d);

/*
 * true when changing a column's type from `from` to `to` may not keep every value:
 * a smaller integer, double -> real, a shorter varchar, text -> varchar(n),
 * text -> integer, datetime -> date, ... Converting to text (from anything but blob),
 * to blob, or to a wider type of the same family is not narrowing.
 */
bool diff_type_narrows(struct strata_type from, struct strata_type to);

#endif
