/*
 * What the SQLite dialect's files share: dialect_sqlite.c renders SQL and keeps the
 * bookkeeping tables, rebuild_sqlite.c plans a revision (native ALTER or the 12-step
 * rebuild) and runs it, introspect.c reads the live schema back. Rendering lives in
 * dialect_sqlite.c only, so a rebuilt table is written by the same code as a created
 * one. Internal header.
 */
#ifndef STRATA_DIALECT_SQLITE_H
#define STRATA_DIALECT_SQLITE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "buf.h"
#include "dialect.h"
#include "ops.h"
#include "schema.h"

/* SQLite 3.25.0 added ALTER TABLE RENAME COLUMN; 3.26.0 made RENAME TABLE update
 * references in triggers and views (with legacy_alter_table off); 3.35.0 added DROP
 * COLUMN. */
#define STRATA_SQLITE_RENAME_COLUMN_VERSION 3025000
#define STRATA_SQLITE_RENAME_TABLE_VERSION 3026000
#define STRATA_SQLITE_DROP_COLUMN_VERSION 3035000

/* Appends the declared type (`BIGINT`, `VARCHAR(200)`, `NUMERIC(10, 2)`). */
void strata_sqlite_render_type(struct strata_buf *b, struct strata_type type);

/*
 * Appends `CREATE TABLE` for `t`, named `create_name` (NULL: t->name) while every
 * derived constraint name still follows t->name, and, with `indexes`, one CREATE INDEX
 * per index. STRATA_EMIGRATION when a column has no type.
 */
int strata_sqlite_render_table(struct strata_buf *b, const struct strata_table *t,
                               const char *create_name, bool indexes, struct strata_error *err);
/* Appends `CREATE [UNIQUE] INDEX "name" ON "table" ("a", ...);\n`. */
void strata_sqlite_render_index(struct strata_buf *b, const char *table,
                                const struct strata_index *ix);
/* Appends ALTER TABLE ADD COLUMN for an ADD_COLUMN operation, then its indexes. */
int strata_sqlite_render_add_column(struct strata_buf *b, const struct strata_opdef *op,
                                    struct strata_error *err);
/* The column that aliases the rowid (a single integer-family primary key), or NULL. */
const struct strata_column *strata_sqlite_rowid_column(const struct strata_table *t);

/* Runs a script; on failure keeps SQLite's message. */
int strata_sqlite_exec(sqlite3 *db, const char *sql, struct strata_error *err);
/* Appends the native SQL of `op` (the dialect's render_op). */
int strata_sqlite_render_op(struct strata_buf *b, const struct strata_opdef *op,
                            struct strata_error *err);
/* Runs one operation natively (the dialect's run_op). */
int strata_sqlite_run_op(void *conn, const struct strata_opdef *op, struct strata_error *err);

/* rebuild_sqlite.c: the dialect's plan_revision, plan_free and run_revision. */
int strata_sqlite_plan_revision(const struct strata_schema *before, const struct strata_oplist *ops,
                                bool *rebuild, void **plan, struct strata_error *err);
void strata_sqlite_plan_free(void *plan);
int strata_sqlite_run_revision(void *conn, const struct strata_schema *before,
                               const struct strata_oplist *ops, void *plan,
                               struct strata_run *run, struct strata_error *err);

/* A test hook: how many tables the rebuild has recreated in this process. */
extern unsigned long strata_sqlite_rebuild_count;

#endif
