/*
 * The safety checker: what must hold of a database after any failure, kill or injected
 * fault during an upgrade of the safety history (history.h).
 */
#ifndef STRATA_TESTS_SAFETY_CHECK_H
#define STRATA_TESTS_SAFETY_CHECK_H

#include <stddef.h>

#include <sqlite3.h>

#include <strata/migration.h>

/*
 * Checks `db` against `m` (whose tables the history in history.h fills):
 * `PRAGMA integrity_check` is ok; strata_version names no revision or exactly one of
 * `m`; the live schema equals the schema `m` replays to at that revision (introspection
 * against replay); strata_history holds one upgrade row for each applied revision and
 * none for the others; every table of the expected schema holds all its rows
 * (safety_expected_rows, with the ids and values the history wrote); no other table is
 * left (a rebuild's temporary table); `PRAGMA foreign_key_check` finds nothing.
 * Returns 0 and writes the version ("" at base) into `version`, or 1 with the first
 * problem in `what`. Reads only.
 */
int safety_check(sqlite3 *db, const struct strata_migrations *m, char *version,
                 size_t version_size, char *what, size_t what_size);

#endif
