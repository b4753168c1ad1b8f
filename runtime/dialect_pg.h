/*
 * What the PostgreSQL dialect's files share: dialect_pg.c renders SQL, runs revisions
 * and keeps the bookkeeping tables; introspect_pg.c reads the live schema back through
 * pg_catalog. Both name column checks the same way and agree on how a check keeps the
 * expression strata wrote (its COMMENT ON CONSTRAINT). Built only with libpq
 * (STRATA_WITH_POSTGRESQL). Internal header.
 */
#ifndef STRATA_DIALECT_PG_H
#define STRATA_DIALECT_PG_H

#include <strata/strata.h>

#include "buf.h"
#include "dialect.h"
#include "ops.h"
#include "schema.h"

/* Appends the PostgreSQL type (`BIGINT`, `DOUBLE PRECISION`, `BYTEA`, `TIMESTAMP(6)`). */
void strata_pg_render_type(struct strata_buf *b, struct strata_type type);
/* Appends `CREATE [UNIQUE] INDEX "name" ON "table" ("a", ...);\n`. */
void strata_pg_render_index(struct strata_buf *b, const char *table,
                            const struct strata_index *ix);
/*
 * Writes the name of a column's check into `out` (size > STRATA_NAME_MAX): `kind` 0 is
 * its CHECK expression (ck_<t>_<c>), 1 a VARCHAR's length (ck_<t>_<c>_len), 2 an enum's
 * values (ck_<t>_<c>_enum).
 */
void strata_pg_column_check_name(char *out, const char *table, const char *column, int kind);

/* The dialect's render_op: one operation, without the schema around it. */
int strata_pg_render_op(struct strata_buf *b, const struct strata_opdef *op,
                        struct strata_error *err);
/* The dialect's render_revision: every operation, starting from `before`. */
int strata_pg_render_revision(struct strata_buf *b, const struct strata_schema *before,
                              const struct strata_oplist *ops, struct strata_error *err);

/* Runs a script on the `PGconn *`; on failure keeps PostgreSQL's message. */
int strata_pg_exec(void *conn, const char *sql, struct strata_error *err);

/*
 * introspect_pg.c: reads every table of the connection's current schema except
 * strata's own (`strata_*`) into a new schema (the dialect's introspect). Columns with
 * their strata types, nullability, defaults (PostgreSQL's normal form turned back into
 * strata's literals where it can be), identity as autoincrement and comments; the
 * primary key in key order; indexes; foreign keys; checks (the `_len` check is the
 * VARCHAR's length, the `_enum` check the enum values). On success *out is a new
 * schema the caller frees with strata_schema_free(). Reads only.
 */
int strata_pg_introspect(void *conn, struct strata_schema **out, struct strata_error *err);

#endif
