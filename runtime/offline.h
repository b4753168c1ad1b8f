/*
 * Offline SQL: `db upgrade --sql` and `db downgrade --sql` print the script an online
 * run would execute, without opening the database (Alembic's offline mode). Internal
 * header.
 */
#ifndef STRATA_OFFLINE_H
#define STRATA_OFFLINE_H

#include <stdbool.h>

#include <strata/strata.h>

#include "buf.h"
#include "dialect.h"
#include "ops.h"
#include "schema.h"

/*
 * Appends to `out` the SQLite script that takes a database from FROM to TO of `range`
 * ("[FROM:]TO"; NULL: `base:head` for an upgrade, `head:-1` for a downgrade; TO alone
 * starts from base when upgrading, from head when downgrading), one transaction per
 * revision with its version and history statements, for SQLite `sqlite_version`
 * (sqlite3_libversion_number's form; 0: the linked library). STRATA_EMIGRATION naming
 * the revision when one runs a C hook (which has no SQL); on error `out` holds nothing
 * new that matters (the caller prints nothing).
 */
int strata_offline_sql(struct strata_buf *out, const struct strata_migrations *m, int downgrade,
                       const char *range, int sqlite_version, struct strata_error *err);

/*
 * The same for `dialect` (from strata_url_parse; NULL or SQLite's: the function above).
 * For PostgreSQL: the dialect's render_revision inside BEGIN + pg_advisory_xact_lock ...
 * COMMIT per revision, a `DO` block that raises unless the database is at FROM, for
 * `psql -v ON_ERROR_STOP=1`; `sqlite_version` is ignored.
 */
int strata_offline_sql_for(struct strata_buf *out, const struct strata_migrations *m,
                           int downgrade, const char *range, const struct strata_dialect *dialect,
                           int sqlite_version, struct strata_error *err);

/* Parses "3.35.0" into 3035000; 0 when it is not a SQLite version. */
int strata_offline_parse_version(const char *text);

/*
 * rebuild_sqlite.c: appends the SQL of one revision as the online run executes it for
 * SQLite `version` (native ALTER or rebuild, the foreign key checks of a rebuild as
 * statements that abort a `sqlite3 -bail` script), setting *rebuild when a table is
 * rebuilt (foreign keys must be off around the transaction). STRATA_EMIGRATION for a
 * hook or an operation that does not fit `before`.
 */
int strata_sqlite_render_revision(struct strata_buf *b, const struct strata_schema *before,
                                  const struct strata_oplist *ops, int version, bool *rebuild,
                                  struct strata_error *err);

#endif
