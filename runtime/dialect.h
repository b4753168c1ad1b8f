/*
 * The database dialect: everything that differs between SQLite and PostgreSQL.
 *
 * migrate.c decides what to run (which revisions, in which order, under which lock) and
 * never writes SQL; a dialect renders each recorded operation (ops.h) into SQL, runs it,
 * and owns strata's own bookkeeping statements (the `strata_version` and
 * `strata_history` tables, the migration lock). SQL text and the quoting of identifiers
 * and literals live here and in the dialect's file only. A dialect is a constant table
 * of function pointers; dialect_sqlite.c defines strata_sqlite_dialect, a later
 * dialect_pg.c fills the same table. Internal header.
 */
#ifndef STRATA_DIALECT_H
#define STRATA_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include <strata/strata.h>

#include "buf.h"
#include "ops.h"
#include "schema.h"

/* One row of `strata_history`. */
struct strata_history_row {
    const char *revision;
    const char *direction; /* "upgrade" or "downgrade" */
    const char *checksum;  /* 64 hex: strata_oplist_checksum of the list that ran */
    const char *applied_at; /* UTC, ISO 8601: 2026-11-29T18:40:02Z */
    long long duration_ms;
};

/* What the driver hands run_revision besides the operations, and what it gets back. */
struct strata_run {
    /* Receives each WARNING line (without its prefix); may be NULL. */
    void (*warn)(void *ctx, const char *message);
    void *ctx;
    /* On failure: the index in the list of the operation that failed, or (size_t)-1
     * when the revision as a whole failed (a foreign key check, a shape mismatch). */
    size_t failed_op;
};

/*
 * Every function that can fail returns 0 or a negative STRATA_E... code with the
 * database's own message in `err`. `conn` is the dialect's connection (`sqlite3 *`).
 */
struct strata_dialect {
    const char *name;         /* "sqlite": what strata_execute_for() and hooks see */
    const char *display_name; /* "SQLite": the `Context impl SQLite.` log line */
    bool transactional_ddl;   /* the `Will assume transactional DDL.` log line */

    /* Appends `name` as a quoted identifier / `text` as a string literal. */
    void (*quote_ident)(struct strata_buf *b, const char *name);
    void (*quote_literal)(struct strata_buf *b, const char *text);

    /*
     * Appends the SQL of `op` to `b`, each statement ending in ";\n". A HOOK renders as
     * nothing (it is C code); an EXECUTE for another dialect renders as nothing.
     * STRATA_EMIGRATION when the dialect cannot express the operation.
     */
    int (*render_op)(struct strata_buf *b, const struct strata_opdef *op,
                     struct strata_error *err);
    /* Renders and runs `op` on `conn` inside the caller's transaction; calls hooks. */
    int (*run_op)(void *conn, const struct strata_opdef *op, struct strata_error *err);

    /*
     * Plans a revision without a database: `before` is the schema the revision starts
     * from (replayed), `ops` its operations. Sets *rebuild when some table will be
     * rebuilt, which on SQLite needs foreign keys off before the transaction begins.
     * STRATA_EMIGRATION when an operation does not fit `before`. *plan receives the
     * dialect's plan (or NULL) for run_revision, so a revision is planned once; it stays
     * valid while `before` and `ops` do not change. Free it with plan_free.
     */
    int (*plan_revision)(const struct strata_schema *before, const struct strata_oplist *ops,
                         bool *rebuild, void **plan, struct strata_error *err);
    void (*plan_free)(void *plan);
    /*
     * Runs a whole revision inside the caller's transaction (begun with the `rebuild`
     * that plan_revision gave): native ALTERs where the database can, rebuilds where it
     * cannot, hooks and raw SQL in order. `plan` is what plan_revision gave for the same
     * `before` and `ops`, or NULL to plan here. On error nothing is committed and
     * run->failed_op names the operation.
     */
    int (*run_revision)(void *conn, const struct strata_schema *before,
                        const struct strata_oplist *ops, void *plan, struct strata_run *run,
                        struct strata_error *err);

    /*
     * Starts the transaction of one revision and takes the migration lock, waiting for
     * other migrating processes (SQLite: BEGIN IMMEDIATE under the busy timeout). With
     * `rebuild`, first turns foreign key enforcement off (SQLite ignores the pragma
     * inside a transaction) and stores in *saved what end() must restore.
     */
    int (*begin)(void *conn, bool rebuild, int *saved, struct strata_error *err);
    int (*commit)(void *conn, struct strata_error *err);
    /* Rolls back the open transaction, if any. Never fails from the caller's view. */
    void (*rollback)(void *conn);
    /* After commit or rollback: restores what begin() changed (`saved` from it). */
    void (*end)(void *conn, int saved);

    /* Creates `strata_version` and `strata_history` when missing. */
    int (*ensure_tables)(void *conn, struct strata_error *err);
    /*
     * Appends the ids in `strata_version`, sorted and separated by single spaces, to
     * `out`; nothing when the table is missing (base). Never creates anything.
     */
    int (*read_versions)(void *conn, struct strata_buf *out, struct strata_error *err);
    int (*delete_version)(void *conn, const char *id, struct strata_error *err);
    int (*insert_version)(void *conn, const char *id, struct strata_error *err);
    int (*insert_history)(void *conn, const struct strata_history_row *row,
                          struct strata_error *err);

    /* Closes a connection strata opened. */
    void (*close)(void *conn);

    /*
     * Reads the live schema (every table but strata's own) for `db check` and the
     * tests. On success *out is a new schema the caller frees with
     * strata_schema_free(); on error *out is NULL. Reads only; changes nothing.
     */
    int (*introspect)(void *conn, struct strata_schema **out, struct strata_error *err);

    /*
     * Appends one line `<revision> <checksum>\n` per revision that has an upgrade row
     * in `strata_history`, with the checksum of its latest one; nothing when the table
     * is missing. Never creates anything. May be NULL (no checksum checks).
     */
    int (*read_checksums)(void *conn, struct strata_buf *out, struct strata_error *err);

    /*
     * Appends the SQL of a whole revision given the schema it starts from (offline
     * `--sql`): unlike render_op one operation at a time, it follows renamed constraint
     * names and alters only what changed. May be NULL (use render_op).
     */
    int (*render_revision)(struct strata_buf *b, const struct strata_schema *before,
                           const struct strata_oplist *ops, struct strata_error *err);
};

extern const struct strata_dialect strata_sqlite_dialect;
#ifdef STRATA_WITH_POSTGRESQL
extern const struct strata_dialect strata_pg_dialect;

/*
 * Opens a libpq connection to `conninfo` (a postgresql:// URL as libpq takes it). On
 * success *out is a `PGconn *` the caller closes with the dialect's close().
 */
int strata_pg_connect(void **out, const char *conninfo, struct strata_error *err);
#endif

/* An open database: a dialect and its connection (the definition behind strata.h). */
struct strata_db {
    const struct strata_dialect *dialect;
    void *conn;
    bool owned; /* strata opened `conn` and closes it */
};

/*
 * Splits a database URL into its dialect and the dialect's address: for SQLite the
 * file path (`sqlite:///rel.db` -> "rel.db", `sqlite:////abs.db` -> "/abs.db",
 * `sqlite://` and `sqlite:///:memory:` -> ":memory:"), for PostgreSQL the URL itself
 * (libpq's conninfo). On success *path is malloc'ed
 * and owned by the caller; STRATA_EUSAGE names an unsupported or malformed URL.
 */
int strata_url_parse(const struct strata_dialect **dialect, char **path, const char *url,
                     struct strata_error *err);

/*
 * Opens the SQLite file `path` (":memory:" for an in-memory database) as strata does:
 * with `create` zero only an existing file (STRATA_ENOTFOUND otherwise, nothing
 * created), `PRAGMA foreign_keys=ON` and a busy timeout. On success *out is a
 * `sqlite3 *` the caller closes.
 */
int strata_sqlite_connect(void **out, const char *path, int create, struct strata_error *err);

/*
 * Readies a connection the app opened: sets the busy timeout unless the app set one.
 * Leaves `PRAGMA foreign_keys` as the app chose.
 */
int strata_sqlite_adopt(void *conn, struct strata_error *err);

/* How long a migrating process waits for another one's lock. */
#define STRATA_BUSY_TIMEOUT_MS 60000

#endif
