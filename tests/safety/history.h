/*
 * The long history the safety tests (issue 5) run: fourteen revisions mixing native
 * ALTERs, 12-step rebuilds (two of them of `big`, a table of STRATA_SAFETY_BIG_ROWS
 * rows, 100000 by default), renames, and data migrations (raw SQL and a C hook) that
 * fill every table. Nothing ever deletes a row, so each table holds a fixed number of
 * rows at every revision that has it: safety_expected_rows() says how many, and the
 * checker (app.c) and the fault-injection test compare against it.
 */
#ifndef STRATA_TESTS_SAFETY_HISTORY_H
#define STRATA_TESTS_SAFETY_HISTORY_H

#include <stddef.h>

#include <strata/migration.h>

/* The history, registered in order. */
extern const struct strata_migrations safety_migrations;

/* Rows in `big`: STRATA_SAFETY_BIG_ROWS when set (at least 1), else 100000. */
long safety_big_rows(void);

/*
 * The rows table `table` holds at any revision that has it (ids 1..n where the table
 * has an `id`), or -1 for a table the history never fills.
 */
long safety_expected_rows(const char *table);

#endif
