/*
 * The SQLite dialect: renders recorded operations (ops.h) as SQLite SQL and runs them,
 * and keeps strata's bookkeeping tables and lock on a `sqlite3 *`.
 *
 * This file and its PostgreSQL sibling are the only places that write SQL or quote a
 * name. Identifiers go in double quotes with `"` doubled, string literals in single
 * quotes with `'` doubled, whatever bytes the name holds. A single integer primary key
 * becomes `INTEGER NOT NULL PRIMARY KEY` so it aliases the rowid (never AUTOINCREMENT);
 * every other constraint is a named table constraint, and unique constraints are
 * `CREATE UNIQUE INDEX uq_...` so their names survive. SQLite does not enforce VARCHAR
 * lengths or enum ranges, so both become named CHECKs. The migration lock is
 * `BEGIN IMMEDIATE` under a busy timeout.
 */
#include "dialect.h"
#include "dialect_sqlite.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "introspect.h"
#include "schema.h"
#include "sqltext.h"

#define exec_sql strata_sqlite_exec

#define SQLITE_DROP_COLUMN_VERSION STRATA_SQLITE_DROP_COLUMN_VERSION

/* ===== Quoting ===== */

/* ===== Tables and columns ===== */

/* SQLite's spelling of each type kind (strata_sql_type). */
static const char *const sqlite_types[STRATA_TYPE_COUNT] = {
    [STRATA_TYPE_SMALLINT] = "SMALLINT",   [STRATA_TYPE_INTEGER] = "INTEGER",
    [STRATA_TYPE_BIGINT] = "BIGINT",       [STRATA_TYPE_BOOLEAN] = "BOOLEAN",
    [STRATA_TYPE_REAL] = "REAL",           [STRATA_TYPE_DOUBLE] = "DOUBLE",
    [STRATA_TYPE_VARCHAR] = "VARCHAR",     [STRATA_TYPE_TEXT] = "TEXT",
    [STRATA_TYPE_BLOB] = "BLOB",           [STRATA_TYPE_NUMERIC] = "NUMERIC",
    [STRATA_TYPE_DATE] = "DATE",           [STRATA_TYPE_DATETIME] = "DATETIME",
    [STRATA_TYPE_TIMESTAMP] = "TIMESTAMP", [STRATA_TYPE_JSON] = "JSON",
    [STRATA_TYPE_UUID] = "UUID",
};

void strata_sqlite_render_type(struct strata_buf *b, struct strata_type type)
{
    strata_sql_type(b, type, sqlite_types);
}

/* Appends `CONSTRAINT "name" CHECK (expr)`. */
static void render_check(struct strata_buf *b, const char *name, const char *expr)
{
    strata_buf_append(b, "CONSTRAINT ");
    strata_sql_quote_ident(b, name);
    strata_buf_printf(b, " CHECK (%s)", expr);
}

/*
 * Appends the checks a column brings: its own CHECK (ck_<t>_<c>), the byte length of a
 * VARCHAR (ck_<t>_<c>_len) and the values of an enum (ck_<t>_<c>_enum), each preceded
 * by `sep`. The names come from strata_make_name so long ones shorten as everywhere.
 */
static void render_column_checks(struct strata_buf *b, const char *table,
                                 const struct strata_column *c, const char *sep)
{
    char name[STRATA_NAME_MAX + 1];

    if (c->check != NULL) {
        strata_make_name(name, "ck", (const char *const[]){ table, c->name, NULL });
        strata_buf_append(b, sep);
        render_check(b, name, c->check);
    }
    if (c->type.kind == STRATA_TYPE_VARCHAR) {
        strata_make_name(name, "ck", (const char *const[]){ table, c->name, "len", NULL });
        strata_buf_append(b, sep);
        strata_buf_append(b, "CONSTRAINT ");
        strata_sql_quote_ident(b, name);
        strata_buf_append(b, " CHECK (length(CAST(");
        strata_sql_quote_ident(b, c->name);
        strata_buf_printf(b, " AS BLOB)) <= %d)", c->type.length);
    }
    if (c->enum_values != NULL) {
        strata_make_name(name, "ck", (const char *const[]){ table, c->name, "enum", NULL });
        strata_buf_append(b, sep);
        strata_buf_append(b, "CONSTRAINT ");
        strata_sql_quote_ident(b, name);
        strata_buf_append(b, " CHECK (");
        strata_sql_quote_ident(b, c->name);
        strata_buf_append(b, " IN (");
        strata_sql_enum_values(b, c->enum_values);
        strata_buf_append(b, "))");
    }
}

static int in_primary_key(const struct strata_table *t, const char *column)
{
    size_t i;

    for (i = 0; i < t->nprimary_key; i++)
        if (strcmp(t->primary_key[i], column) == 0)
            return 1;
    return 0;
}

/*
 * The column that aliases the rowid: the only primary key column when its type is
 * integer-family (a BIGINT key would not alias the rowid, so it is written INTEGER).
 * NULL when there is none.
 */
const struct strata_column *strata_sqlite_rowid_column(const struct strata_table *t)
{
    const struct strata_column *c;

    if (t->nprimary_key != 1)
        return NULL;
    c = strata_table_find_column(t, t->primary_key[0]);
    if (c == NULL || !strata_type_is_integer(c->type))
        return NULL;
    return c;
}

/*
 * Appends a strata-only fact SQLite has no syntax for as a comment SQLite keeps in the
 * table's text: ` /\* strata:key=value *\/`. Inside the value `\` becomes `\\` and `*`
 * followed by `/` becomes `*\/`, so the comment always closes where it should;
 * introspect.c reads it back.
 */
static void render_meta(struct strata_buf *b, const char *key, const char *value)
{
    const char *p;

    strata_buf_printf(b, " /* strata:%s", key);
    if (value != NULL) {
        strata_buf_append(b, "=");
        for (p = value; *p != '\0'; p++) {
            if (*p == '\\')
                strata_buf_append(b, "\\\\");
            else if (*p == '/' && p > value && p[-1] == '*')
                strata_buf_append(b, "\\/");
            else
                strata_buf_appendn(b, p, 1);
        }
    }
    strata_buf_append(b, " */");
}

/*
 * The facts of a column SQLite's own schema cannot hold: the strata type and
 * autoincrement of a rowid alias (always declared INTEGER; unmarked when it is the
 * usual bigint with autoincrement), autoincrement elsewhere, and the comment.
 */
static void render_column_meta(struct strata_buf *b, const struct strata_column *c, int rowid)
{
    char type[64];

    if (rowid && c->type.kind != STRATA_TYPE_BIGINT)
        render_meta(b, "type", strata_type_format(type, sizeof(type), c->type));
    if (rowid && !c->autoincrement)
        render_meta(b, "autoincrement", "false");
    else if (!rowid && c->autoincrement)
        render_meta(b, "autoincrement", NULL);
    if (c->comment != NULL)
        render_meta(b, "comment", c->comment);
}

/*
 * Appends `"name" TYPE [NOT NULL] [DEFAULT ...]` (or the rowid alias form) and the
 * column's checks as column constraints, so they belong to the column: SQLite's DROP
 * COLUMN drops them with it and RENAME COLUMN rewrites them.
 */
static int render_column(struct strata_buf *b, const struct strata_table *t,
                         const struct strata_column *c, int rowid, struct strata_error *err)
{
    if (c->type.kind == STRATA_TYPE_NONE)
        return strata_error_set(err, STRATA_EMIGRATION, "column '%s.%s' has no type",
                                t->name, c->name);
    strata_sql_quote_ident(b, c->name);
    strata_buf_append(b, " ");
    if (rowid) {
        strata_buf_append(b, "INTEGER NOT NULL PRIMARY KEY");
    } else {
        strata_sqlite_render_type(b, c->type);
        if (!c->nullable || in_primary_key(t, c->name))
            strata_buf_append(b, " NOT NULL");
    }
    if (c->default_value != NULL)
        strata_buf_printf(b, " DEFAULT %s", c->default_value);
    else if (c->default_sql != NULL)
        strata_buf_printf(b, " DEFAULT (%s)", c->default_sql);
    render_column_checks(b, t->name, c, " ");
    return 0;
}

void strata_sqlite_render_index(struct strata_buf *b, const char *table,
                                const struct strata_index *ix)
{
    strata_buf_append(b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    strata_sql_quote_ident(b, ix->name);
    strata_buf_append(b, " ON ");
    strata_sql_quote_ident(b, table);
    strata_buf_append(b, " ");
    strata_sql_name_list(b, ix->columns, ix->ncolumns);
    strata_buf_append(b, ";\n");
}

int strata_sqlite_render_table(struct strata_buf *b, const struct strata_table *t,
                               const char *create_name, bool indexes, struct strata_error *err)
{
    static const char sep[] = ",\n    ";
    const struct strata_column *rowid = strata_sqlite_rowid_column(t);
    char name[STRATA_NAME_MAX + 1];
    size_t i;
    int rc;

    strata_buf_append(b, "CREATE TABLE ");
    strata_sql_quote_ident(b, create_name != NULL ? create_name : t->name);
    strata_buf_append(b, " (");
    if (t->comment != NULL)
        render_meta(b, "table_comment", t->comment);
    for (i = 0; i < t->ncolumns; i++) {
        strata_buf_append(b, i == 0 ? "\n    " : sep);
        rc = render_column(b, t, &t->columns[i], &t->columns[i] == rowid, err);
        if (rc != 0)
            return rc;
        render_column_meta(b, &t->columns[i], &t->columns[i] == rowid);
    }
    if (t->nprimary_key > 0 && rowid == NULL) {
        strata_make_name(name, "pk", (const char *const[]){ t->name, NULL });
        strata_buf_append(b, sep);
        strata_buf_append(b, "CONSTRAINT ");
        strata_sql_quote_ident(b, name);
        strata_buf_append(b, " PRIMARY KEY ");
        strata_sql_name_list(b, t->primary_key, t->nprimary_key);
    }
    for (i = 0; i < t->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &t->foreign_keys[i];

        strata_buf_append(b, sep);
        strata_buf_append(b, "CONSTRAINT ");
        strata_sql_quote_ident(b, fk->name);
        strata_buf_append(b, " FOREIGN KEY (");
        strata_sql_quote_ident(b, fk->column);
        strata_buf_append(b, ") ");
        strata_sql_references(b, fk);
    }
    for (i = 0; i < t->nchecks; i++) {
        strata_buf_append(b, sep);
        render_check(b, t->checks[i].name, t->checks[i].expr);
    }
    strata_buf_append(b, "\n);\n");
    for (i = 0; indexes && i < t->nindexes; i++)
        strata_sqlite_render_index(b, t->name, &t->indexes[i]);
    return 0;
}

/*
 * ALTER TABLE ADD COLUMN with the column's checks and foreign key inline (SQLite takes
 * named column constraints there), then the indexes the column brings. SQLite cannot
 * add a primary key column; a NOT NULL column without a default is SQLite's to refuse.
 */
int strata_sqlite_render_add_column(struct strata_buf *b, const struct strata_opdef *op,
                                    struct strata_error *err)
{
    const struct strata_table *t = op->def;
    const struct strata_column *c;
    size_t i;
    int rc;

    assert(t != NULL);
    c = strata_table_find_column(t, op->name);
    if (c == NULL && t->ncolumns == 1)
        c = &t->columns[0];
    assert(c != NULL);
    if (t->nprimary_key > 0)
        return strata_error_set(err, STRATA_EMIGRATION,
                                "SQLite cannot add the primary key column '%s.%s'",
                                op->table, c->name);
    strata_buf_append(b, "ALTER TABLE ");
    strata_sql_quote_ident(b, op->table);
    strata_buf_append(b, " ADD COLUMN ");
    rc = render_column(b, t, c, 0, err);
    if (rc != 0)
        return rc;
    for (i = 0; i < t->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &t->foreign_keys[i];

        if (strcmp(fk->column, c->name) != 0)
            continue;
        strata_buf_append(b, " CONSTRAINT ");
        strata_sql_quote_ident(b, fk->name);
        strata_buf_append(b, " ");
        strata_sql_references(b, fk);
    }
    render_column_meta(b, c, 0);
    strata_buf_append(b, ";\n");
    for (i = 0; i < t->nindexes; i++)
        strata_sqlite_render_index(b, op->table, &t->indexes[i]);
    return 0;
}

/* Appends raw SQL, adding the final `;` unless it is there. */
static void render_execute(struct strata_buf *b, const char *sql)
{
    size_t n = strlen(sql);

    while (n > 0 && strchr(" \t\r\n", sql[n - 1]) != NULL)
        n--;
    strata_buf_appendn(b, sql, n);
    strata_buf_append(b, n > 0 && sql[n - 1] == ';' ? "\n" : ";\n");
}

int strata_sqlite_render_op(struct strata_buf *b, const struct strata_opdef *op,
                            struct strata_error *err)
{
    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
        return strata_sqlite_render_table(b, op->def, NULL, true, err);
    case STRATA_OP_DROP_TABLE:
        strata_buf_append(b, "DROP TABLE ");
        strata_sql_quote_ident(b, op->table);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_ADD_COLUMN:
        return strata_sqlite_render_add_column(b, op, err);
    case STRATA_OP_DROP_COLUMN:
        strata_buf_append(b, "ALTER TABLE ");
        strata_sql_quote_ident(b, op->table);
        strata_buf_append(b, " DROP COLUMN ");
        strata_sql_quote_ident(b, op->name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_CREATE_INDEX:
        strata_sqlite_render_index(b, op->table, &op->index);
        break;
    case STRATA_OP_DROP_INDEX:
        strata_buf_append(b, "DROP INDEX ");
        strata_sql_quote_ident(b, op->name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_EXECUTE:
        if (op->dialect == NULL || strcmp(op->dialect, "sqlite") == 0)
            render_execute(b, op->sql);
        break;
    case STRATA_OP_HOOK:
        break;
    case STRATA_OP_RENAME_TABLE:
        strata_buf_append(b, "ALTER TABLE ");
        strata_sql_quote_ident(b, op->table);
        strata_buf_append(b, " RENAME TO ");
        strata_sql_quote_ident(b, op->new_name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_RENAME_COLUMN:
        strata_buf_append(b, "ALTER TABLE ");
        strata_sql_quote_ident(b, op->table);
        strata_buf_append(b, " RENAME COLUMN ");
        strata_sql_quote_ident(b, op->name);
        strata_buf_append(b, " TO ");
        strata_sql_quote_ident(b, op->new_name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_ALTER_COLUMN:
    case STRATA_OP_ALTER_PRIMARY_KEY:
    case STRATA_OP_CREATE_FOREIGN_KEY:
    case STRATA_OP_CREATE_CHECK:
    case STRATA_OP_DROP_CONSTRAINT:
    case STRATA_OP_ALTER_TABLE_COMMENT:
        /* These need the table's whole definition: run_revision rebuilds the table. */
        return strata_error_set(err, STRATA_EMIGRATION,
                                "%s on SQLite rebuilds table '%s', which needs the schema "
                                "before the revision (run the revision as a whole)",
                                strata_op_name(op->kind), op->table);
    }
    return 0;
}

/* ===== Running ===== */

int strata_sqlite_exec(sqlite3 *db, const char *sql, struct strata_error *err)
{
    char *msg = NULL;
    int rc = 0;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        rc = strata_error_set(err, STRATA_EDB, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return rc;
}

/* Calls a hook with the connection; a non-zero return fails with the hook's message. */
static int run_hook(sqlite3 *db, const struct strata_opdef *op, struct strata_error *err)
{
    char msg[512] = "";
    int ret;

    assert(op->hook != NULL);
    ret = op->hook(db, "sqlite", msg, sizeof(msg));
    if (ret == 0)
        return 0;
    msg[sizeof(msg) - 1] = '\0';
    if (msg[0] != '\0')
        return strata_error_set(err, STRATA_EMIGRATION, "%s", msg);
    return strata_error_set(err, STRATA_EMIGRATION, "hook returned %d", ret);
}

int strata_sqlite_run_op(void *conn, const struct strata_opdef *op, struct strata_error *err)
{
    sqlite3 *db = conn;
    struct strata_buf sql = { 0 };
    int rc;

    if (op->kind == STRATA_OP_HOOK)
        return run_hook(db, op, err);
    if (op->kind == STRATA_OP_DROP_COLUMN &&
        sqlite3_libversion_number() < SQLITE_DROP_COLUMN_VERSION)
        return strata_error_set(err, STRATA_EMIGRATION,
                                "ALTER TABLE DROP COLUMN needs SQLite 3.35.0 or later; "
                                "this is SQLite %s",
                                sqlite3_libversion());
    rc = strata_sqlite_render_op(&sql, op, err);
    if (rc != 0)
        goto cleanup;
    if (sql.failed) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (sql.len > 0)
        rc = exec_sql(db, sql.data, err);
cleanup:
    strata_buf_free(&sql);
    return rc;
}

/* ===== Bookkeeping: lock, strata_version, strata_history ===== */

/* Reads `PRAGMA foreign_keys`: 1 on, 0 off. */
static int foreign_keys_on(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int on = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        on = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return on;
}

/* How long BEGIN IMMEDIATE waits for another migration before saying so (once). */
#define WAIT_REPORT_MS 1000

/* The busy handler's state while BEGIN IMMEDIATE waits for the migration lock. */
struct lock_wait {
    int timeout_ms; /* the connection's busy timeout: give up after it */
    int waited_ms;
    bool reported;
};

/*
 * The busy handler of BEGIN IMMEDIATE: sleeps in short steps up to the connection's busy
 * timeout, as sqlite3_busy_timeout() would, and after a second logs once that it is
 * waiting, so a deploy that blocks on another replica's upgrade says why. Returns 0 to
 * give up (SQLITE_BUSY reaches the caller), 1 to retry.
 */
static int wait_for_lock(void *ctx, int count)
{
    struct lock_wait *w = ctx;
    int step = count < 10 ? 2 * (count + 1) : 25;

    if (w->waited_ms >= w->timeout_ms)
        return 0;
    if (!w->reported && w->waited_ms >= WAIT_REPORT_MS) {
        fprintf(stderr, "INFO  [strata.runtime] Waiting for another migration to finish...\n");
        fflush(stderr);
        w->reported = true;
    }
    w->waited_ms += sqlite3_sleep(step);
    return 1;
}

/* The connection's busy timeout in milliseconds (0 when none is set). */
static int busy_timeout_ms(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ms = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        ms = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return ms;
}

/*
 * A revision that rebuilds turns foreign keys off before BEGIN: inside a transaction
 * SQLite ignores the pragma, and with enforcement on, dropping the old table would
 * cascade-delete the children's rows. *saved is 1 when end() must turn them back on.
 * BEGIN IMMEDIATE waits for the lock under the connection's busy timeout (strata's when
 * none is set) through wait_for_lock; the timeout is set back afterwards.
 */
static int db_begin(void *conn, bool rebuild, int *saved, struct strata_error *err)
{
    struct lock_wait wait = { 0 };
    int timeout = busy_timeout_ms(conn);
    int rc;

    *saved = 0;
    if (rebuild && foreign_keys_on(conn)) {
        rc = exec_sql(conn, "PRAGMA foreign_keys=OFF", err);
        if (rc != 0)
            return rc;
        *saved = 1;
    }
    wait.timeout_ms = timeout > 0 ? timeout : STRATA_BUSY_TIMEOUT_MS;
    sqlite3_busy_handler(conn, wait_for_lock, &wait);
    rc = exec_sql(conn, "BEGIN IMMEDIATE", err);
    sqlite3_busy_timeout(conn, timeout);
    if (rc != 0 && *saved) {
        sqlite3_exec(conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
        *saved = 0;
    }
    return rc;
}

static void db_end(void *conn, int saved)
{
    if (saved && sqlite3_get_autocommit(conn))
        sqlite3_exec(conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
}

static void db_rollback(void *conn)
{
    if (!sqlite3_get_autocommit(conn))
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

static int db_commit(void *conn, struct strata_error *err)
{
    int rc = exec_sql(conn, "COMMIT", err);

    if (rc != 0)
        db_rollback(conn);
    return rc;
}

static int ensure_tables(void *conn, struct strata_error *err)
{
    return exec_sql(conn,
                    "CREATE TABLE IF NOT EXISTS strata_version ("
                    "version_num TEXT PRIMARY KEY);\n"
                    "CREATE TABLE IF NOT EXISTS strata_history ("
                    "id INTEGER PRIMARY KEY, revision TEXT, direction TEXT, checksum TEXT, "
                    "applied_at TEXT, duration_ms INTEGER);\n",
                    err);
}

/*
 * Prepares `sql` and binds `texts` to its first `ntexts` parameters; when `number` is
 * not NULL it is bound to the next one. On success *out is the statement (caller
 * finalizes).
 */
static int prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, const char *const *texts,
                   int ntexts, const long long *number, struct strata_error *err)
{
    sqlite3_stmt *st = NULL;
    int i;

    *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (i = 0; i < ntexts; i++)
        if (sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC) != SQLITE_OK)
            goto fail;
    if (number != NULL && sqlite3_bind_int64(st, ntexts + 1, *number) != SQLITE_OK)
        goto fail;
    *out = st;
    return 0;
fail:
    strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return STRATA_EDB;
}

/* Runs a statement that returns no rows. */
static int run_bound(sqlite3 *db, const char *sql, const char *const *texts, int ntexts,
                     const long long *number, struct strata_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, &st, sql, texts, ntexts, number, err);

    if (rc != 0)
        return rc;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int read_versions(void *conn, struct strata_buf *out, struct strata_error *err)
{
    sqlite3 *db = conn;
    sqlite3_stmt *st = NULL;
    const char *table = "strata_version";
    int first = 1;
    int step;
    int rc;

    rc = prepare(db, &st, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                 &table, 1, NULL, err);
    if (rc != 0)
        goto cleanup;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        goto cleanup; /* no table: base */
    if (step != SQLITE_ROW) {
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
        goto cleanup;
    }
    sqlite3_finalize(st);
    rc = prepare(db, &st, "SELECT version_num FROM strata_version ORDER BY version_num", NULL,
                 0, NULL, err);
    if (rc != 0)
        goto cleanup;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);

        if (id == NULL)
            continue;
        if (!first)
            strata_buf_append(out, " ");
        strata_buf_append(out, id);
        first = 0;
    }
    if (step != SQLITE_DONE)
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
cleanup:
    sqlite3_finalize(st);
    return rc;
}

static int delete_version(void *conn, const char *id, struct strata_error *err)
{
    return run_bound(conn, "DELETE FROM strata_version WHERE version_num = ?1", &id, 1, NULL,
                     err);
}

static int insert_version(void *conn, const char *id, struct strata_error *err)
{
    return run_bound(conn, "INSERT INTO strata_version (version_num) VALUES (?1)", &id, 1, NULL,
                     err);
}

static int insert_history(void *conn, const struct strata_history_row *row,
                          struct strata_error *err)
{
    const char *texts[] = { row->revision, row->direction, row->checksum, row->applied_at };

    return run_bound(conn,
                     "INSERT INTO strata_history "
                     "(revision, direction, checksum, applied_at, duration_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
                     texts, 4, &row->duration_ms, err);
}

static int read_checksums(void *conn, struct strata_buf *out, struct strata_error *err)
{
    sqlite3 *db = conn;
    sqlite3_stmt *st = NULL;
    const char *table = "strata_history";
    int step;
    int rc;

    rc = prepare(db, &st, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                 &table, 1, NULL, err);
    if (rc != 0 || (step = sqlite3_step(st)) == SQLITE_DONE)
        goto cleanup; /* no table: nothing applied */
    sqlite3_finalize(st);
    rc = prepare(db, &st,
                 "SELECT revision, checksum FROM strata_history AS h WHERE id = "
                 "(SELECT max(id) FROM strata_history WHERE revision = h.revision AND "
                 "direction = 'upgrade') ORDER BY revision",
                 NULL, 0, NULL, err);
    if (rc != 0)
        goto cleanup;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *sum = (const char *)sqlite3_column_text(st, 1);

        if (id != NULL)
            strata_buf_printf(out, "%s %s\n", id, sum != NULL ? sum : "");
    }
    if (step != SQLITE_DONE)
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
cleanup:
    sqlite3_finalize(st);
    return rc;
}

static void db_close(void *conn)
{
    sqlite3_close(conn);
}

/* The dialect's introspect: strata_introspect on the `sqlite3 *`. */
static int db_introspect(void *conn, struct strata_schema **out, struct strata_error *err)
{
    return strata_introspect(conn, out, err);
}

const struct strata_dialect strata_sqlite_dialect = {
    .name = "sqlite",
    .display_name = "SQLite",
    .transactional_ddl = true,
    .quote_ident = strata_sql_quote_ident,
    .quote_literal = strata_sql_quote_literal,
    .render_op = strata_sqlite_render_op,
    .run_op = strata_sqlite_run_op,
    .plan_revision = strata_sqlite_plan_revision,
    .plan_free = strata_sqlite_plan_free,
    .run_revision = strata_sqlite_run_revision,
    .begin = db_begin,
    .commit = db_commit,
    .rollback = db_rollback,
    .end = db_end,
    .ensure_tables = ensure_tables,
    .read_versions = read_versions,
    .delete_version = delete_version,
    .insert_version = insert_version,
    .insert_history = insert_history,
    .close = db_close,
    .read_checksums = read_checksums,
    .introspect = db_introspect,
};

/* ===== Connecting ===== */

int strata_sqlite_connect(void **out, const char *path, int create, struct strata_error *err)
{
    sqlite3 *db = NULL;
    int memory = strcmp(path, ":memory:") == 0;
    int flags = SQLITE_OPEN_READWRITE;
    int rc = 0;

    *out = NULL;
    if (create || memory)
        flags |= SQLITE_OPEN_CREATE;
    else if (access(path, F_OK) != 0)
        return strata_error_set(err, STRATA_ENOTFOUND, "database file '%s' does not exist",
                                path);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        rc = strata_error_set(err, STRATA_EDB, "cannot open database '%s': %s", path,
                              db != NULL ? sqlite3_errmsg(db) : "out of memory");
        goto cleanup;
    }
    sqlite3_busy_timeout(db, STRATA_BUSY_TIMEOUT_MS);
    rc = exec_sql(db, "PRAGMA foreign_keys=ON", err);
    if (rc != 0)
        goto cleanup;
    *out = db;
    db = NULL;
cleanup:
    sqlite3_close(db);
    return rc;
}

int strata_sqlite_adopt(void *conn, struct strata_error *err)
{
    sqlite3 *db = conn;
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, &st, "PRAGMA busy_timeout", NULL, 0, NULL, err);

    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
        sqlite3_busy_timeout(db, STRATA_BUSY_TIMEOUT_MS);
    sqlite3_finalize(st);
    return 0;
}
