/*
 * Introspection: the live schema of a SQLite database as a `struct strata_schema`.
 *
 * The rebuild checks a table's live shape against the shape the revision expects, the
 * `db check` drift check compares the whole database with the replayed schema, and the
 * tests compare an upgraded database with the schema its revisions describe. Reading
 * goes through SQLite's pragmas (table_xinfo, index_list, index_info,
 * foreign_key_list) and the CREATE TABLE text in sqlite_schema, which is parsed only as
 * far as strata's own dialect writes it (named CHECK constraints). Internal header.
 */
#ifndef STRATA_INTROSPECT_H
#define STRATA_INTROSPECT_H

#include <sqlite3.h>

#include <strata/strata.h>

#include "schema.h"

/*
 * Reads every table of `db` except SQLite's (`sqlite_*`) and strata's own (`strata_*`):
 * columns with their strata types, nullability and defaults, the primary key in key
 * order, indexes and unique constraints (not SQLite's automatic indexes), foreign keys
 * with their names and actions, and the CHECK constraints strata renders (a varchar's
 * `_len` and an enum's `_enum` check become the column's type length and enum values).
 * On success *out is a new schema the caller frees with strata_schema_free(); on error
 * *out is NULL and `err` holds SQLite's message. Reads only; changes nothing.
 */
int strata_introspect(sqlite3 *db, struct strata_schema **out, struct strata_error *err);

/*
 * Reads one table `name` into a new schema holding just that table (STRATA_ENOTFOUND
 * when the table does not exist). Same ownership as strata_introspect().
 */
int strata_introspect_table(sqlite3 *db, const char *name, struct strata_schema **out,
                            struct strata_error *err);

#endif
