/*
 * Apply tests of the PostgreSQL dialect on a real server (STRATA_TEST_PG_URL, e.g.
 * `postgresql:///strata_test?host=/tmp/pg&port=54329`): every operation kind upgraded
 * and downgraded one revision at a time on tables holding rows, the live schema
 * introspected after each step and compared with the replayed one, the rows checked;
 * a failing revision leaving schema, rows, version and history as they were; several
 * processes upgrading at once applying each revision once; hooks and dialect-only SQL;
 * and this repository's own generated/ history with data. Each test works in a schema
 * of its own (search_path), dropped at the end. Offline `--sql` for a postgresql:// URL
 * is rendered without any server first; with one, the script run through libpq leaves
 * the schema, versions and history of the online run. Without STRATA_TEST_PG_URL the
 * program runs only the rendering tests, prints why the rest is skipped and exits 77,
 * which meson reports as SKIP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include <strata/strata.h>

#include "buf.h"
#include "dialect.h"
#include "offline.h"
#include "replay.h"
#include "schema.h"

#ifdef STRATA_TEST_REPO_HISTORY
extern const struct strata_migrations strata_migrations;
#endif

/* ===== Helpers ===== */

struct fixture {
    char schema[64];
    char url[1024];
    struct strata_db *db;
    PGconn *conn; /* db's connection */
};

static const char *base_url(void)
{
    return getenv("STRATA_TEST_PG_URL");
}

/* Runs `sql` on `conn`, failing the test on error; returns the first cell (static). */
static const char *sql_value(PGconn *conn, const char *sql)
{
    static char value[4096];
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);

    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    value[0] = '\0';
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        snprintf(value, sizeof(value), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return value;
}

/* A fresh schema and a strata_db whose URL puts it first on the search_path. */
static void fixture_open(struct fixture *f)
{
    static int counter;
    struct strata_error err = { 0 };
    PGconn *admin = PQconnectdb(base_url());
    char sql[256];

    memset(f, 0, sizeof(*f));
    assert_int_equal(PQstatus(admin), CONNECTION_OK);
    snprintf(f->schema, sizeof(f->schema), "strata_test_%ld_%d", (long)getpid(), ++counter);
    snprintf(sql, sizeof(sql), "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", f->schema,
             f->schema);
    sql_value(admin, sql);
    PQfinish(admin);
    snprintf(f->url, sizeof(f->url), "%s%coptions=-csearch_path%%3D%s", base_url(),
             strchr(base_url(), '?') ? '&' : '?', f->schema);
    if (strata_open(&f->db, f->url, 1, &err) != 0)
        fail_msg("strata_open: %s", err.message);
    assert_string_equal(f->db->dialect->name, "postgresql");
    f->conn = f->db->conn;
}

static void fixture_close(struct fixture *f)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", f->schema);
    sql_value(f->conn, sql);
    strata_close(f->db);
}

/* The live schema must equal the replay of `m` up to `rev` (NULL: base). */
static void assert_schema_at(struct fixture *f, const struct strata_migrations *m,
                             const char *rev)
{
    struct strata_error err = { 0 };
    struct strata_schema *want = NULL, *got = NULL;
    char what[512];

    if (rev != NULL) {
        if (strata_replay(m, rev, &want, &err) != 0)
            fail_msg("replay %s: %s", rev, err.message);
    } else {
        want = strata_schema_new();
    }
    if (f->db->dialect->introspect(f->conn, &got, &err) != 0)
        fail_msg("introspect: %s", err.message);
    if (strata_schema_diff_first(want, got, what, sizeof(what)) != 0)
        fail_msg("at %s: live schema differs from the replay: %s", rev ? rev : "base", what);
    strata_schema_free(want);
    strata_schema_free(got);
}

static void assert_current(struct fixture *f, const char *want)
{
    struct strata_error err = { 0 };
    char cur[256];

    assert_int_equal(strata_current(f->db, cur, sizeof(cur), &err), 0);
    assert_string_equal(cur, want);
}

static void upgrade(struct fixture *f, const struct strata_migrations *m, const char *target)
{
    struct strata_error err = { 0 };

    if (strata_upgrade(f->db, m, target, &err) != 0)
        fail_msg("upgrade %s: %s", target, err.message);
}

static void downgrade(struct fixture *f, const struct strata_migrations *m, const char *target)
{
    struct strata_error err = { 0 };

    if (strata_downgrade(f->db, m, target, &err) != 0)
        fail_msg("downgrade %s: %s", target, err.message);
}

/* ===== Every operation, one revision at a time ===== */

static void r1_up(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_VARCHAR(50), .comment = "it's the name"),
        STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true),
        STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "-1"),
        STRATA_COLUMN("status", STRATA_INTEGER, .default_value = "0", .enum_values = "0,1"),
        STRATA_TABLE_COMMENT("people who write"));
    strata_create_index(op, "ix_author_name", "author", "name");
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("title", STRATA_TEXT, .default_value = "'untitled'"),
        STRATA_COLUMN("isbn", STRATA_VARCHAR(13), .nullable = true, .unique = true),
        STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0", .check = "price >= 0"),
        STRATA_COLUMN("amount", STRATA_NUMERIC(10, 2), .default_value = "0"),
        STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"),
        STRATA_COLUMN("cover", STRATA_BLOB, .nullable = true),
        STRATA_COLUMN("added", STRATA_DATETIME, .default_sql = "CURRENT_TIMESTAMP"),
        STRATA_COLUMN("stamp", STRATA_TIMESTAMP, .nullable = true),
        STRATA_COLUMN("meta", STRATA_JSON, .nullable = true),
        STRATA_COLUMN("uid", STRATA_UUID, .nullable = true),
        STRATA_COLUMN("day", STRATA_DATE, .nullable = true),
        STRATA_COLUMN("ratio", STRATA_REAL, .default_value = "1.5"),
        STRATA_COLUMN("pages", STRATA_SMALLINT, .default_value = "0"),
        STRATA_CHECK("length(title) > 0"));
    strata_create_index(op, "ix_book_author_id", "book", "author_id");
    strata_create_table(op, "book_tag",
        STRATA_COLUMN("book_id", STRATA_BIGINT),
        STRATA_COLUMN("tag", STRATA_TEXT),
        STRATA_PRIMARY_KEY("book_id", "tag"));
}

static void r1_down(struct strata_op *op)
{
    strata_drop_table(op, "book_tag");
    strata_drop_table(op, "book");
    strata_drop_table(op, "author");
}

/* Adds columns: NOT NULL with a backfill and no default, nullable, with a foreign key. */
static void r2_up(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("rank", STRATA_INTEGER, .backfill = "5"));
    strata_add_column(op, "book", STRATA_COLUMN("note", STRATA_VARCHAR(20), .nullable = true,
                                                .check = "note <> ''"));
    strata_add_column(op, "book", STRATA_COLUMN("editor_id", STRATA_BIGINT, .nullable = true,
                                                .references = "author.id",
                                                .on_delete = STRATA_SET_NULL));
}

static void r2_down(struct strata_op *op)
{
    strata_drop_column(op, "book", "editor_id");
    strata_drop_column(op, "book", "note");
    strata_drop_column(op, "author", "rank");
}

/* Alters columns: type with a cast, nullability with a backfill, default, enum, check. */
static void r3_up(struct strata_op *op)
{
    strata_alter_column(op, "author", STRATA_COLUMN("born", STRATA_BIGINT, .default_value = "7"));
    strata_alter_column(op, "author", STRATA_COLUMN("bio", STRATA_TEXT, .backfill = "'none'"));
    strata_alter_column(op, "author", STRATA_COLUMN("status", STRATA_INTEGER,
                                                    .default_value = "2",
                                                    .enum_values = "0,1,2"));
    strata_alter_column(op, "author", STRATA_COLUMN("name", STRATA_VARCHAR(80),
                                                    .comment = "full name"));
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "1",
                                                  .check = "price < 1000"));
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_TEXT, .nullable = true));
    strata_alter_column(op, "book_tag", STRATA_COLUMN("book_id", STRATA_BIGINT,
                                                      .autoincrement = true));
}

static void r3_down(struct strata_op *op)
{
    strata_alter_column(op, "book_tag", STRATA_COLUMN("book_id", STRATA_BIGINT));
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_SMALLINT, .default_value = "0",
                                                  .backfill = "0"));
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0",
                                                  .check = "price >= 0"));
    strata_alter_column(op, "author", STRATA_COLUMN("name", STRATA_VARCHAR(50),
                                                    .comment = "it's the name"));
    strata_alter_column(op, "author", STRATA_COLUMN("status", STRATA_INTEGER,
                                                    .default_value = "0", .enum_values = "0,1"));
    strata_alter_column(op, "author", STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true));
    strata_execute(op, "UPDATE author SET bio = NULL WHERE bio = 'none'");
    strata_alter_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER,
                                                    .default_value = "-1"));
}

/* Renames: a column with an index and checks, a table with every kind of name. */
static void r4_up(struct strata_op *op)
{
    strata_rename_column(op, "author", "name", "full_name");
    strata_rename_table(op, "book", "volume");
    strata_rename_column(op, "volume", "isbn", "code");
}

static void r4_down(struct strata_op *op)
{
    strata_rename_column(op, "volume", "code", "isbn");
    strata_rename_table(op, "volume", "book");
    strata_rename_column(op, "author", "full_name", "name");
}

/* Hooks see the PGconn and "postgresql". */
static int hook_up(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    PGresult *res;
    int ok;

    if (strcmp(dialect, "postgresql") != 0 || PQstatus(conn) != CONNECTION_OK) {
        snprintf(errmsg, errsize, "hook got dialect %s", dialect);
        return 1;
    }
    res = PQexec(conn, "UPDATE author SET bio = bio || '!'");
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? 0 : 1;
}

static int hook_down(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    PGresult *res;
    int ok;

    (void)dialect;
    (void)errmsg;
    (void)errsize;
    res = PQexec(conn, "UPDATE author SET bio = rtrim(bio, '!')");
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? 0 : 1;
}

/* Constraints, indexes, keys, comments, dropped columns, raw SQL and hooks. */
static void r5_up(struct strata_op *op)
{
    strata_drop_constraint(op, "uq_volume_code", "volume");
    strata_create_unique_index(op, "uq_volume_title_author_id", "volume", "title", "author_id");
    strata_drop_index(op, "ix_volume_author_id", "volume");
    strata_create_check_constraint(op, "ck_author_rank_positive", "author", "rank > 0");
    strata_create_foreign_key(op, "fk_book_tag_book_id_volume", "book_tag", "book_id",
                              "volume.id", STRATA_CASCADE, STRATA_NO_ACTION);
    strata_alter_primary_key(op, "book_tag", "book_id");
    strata_alter_table_comment(op, "volume", "bound books");
    strata_alter_table_comment(op, "author", NULL);
    strata_drop_column(op, "volume", "cover");
    strata_execute_for(op, "sqlite", "THIS WOULD FAIL ON POSTGRESQL");
    strata_execute_for(op, "postgresql", "UPDATE author SET rank = rank + 1");
    strata_run_hook(op, "mark_bios", hook_up);
}

static void r5_down(struct strata_op *op)
{
    strata_run_hook(op, "unmark_bios", hook_down);
    strata_execute_for(op, "postgresql", "UPDATE author SET rank = rank - 1");
    strata_add_column(op, "volume", STRATA_COLUMN("cover", STRATA_BLOB, .nullable = true));
    strata_alter_table_comment(op, "author", "people who write");
    strata_alter_table_comment(op, "volume", NULL);
    strata_alter_primary_key(op, "book_tag", "book_id", "tag");
    strata_drop_constraint(op, "fk_book_tag_book_id_volume", "book_tag");
    strata_drop_constraint(op, "ck_author_rank_positive", "author");
    strata_create_index(op, "ix_volume_author_id", "volume", "author_id");
    strata_drop_index(op, "uq_volume_title_author_id", "volume");
    strata_create_unique_index(op, "uq_volume_code", "volume", "code");
}

static void r6_up(struct strata_op *op)
{
    strata_drop_table(op, "book_tag");
}

static void r6_down(struct strata_op *op)
{
    strata_create_table(op, "book_tag",
        STRATA_COLUMN("book_id", STRATA_BIGINT, .autoincrement = true,
                      .references = "volume.id", .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("tag", STRATA_TEXT),
        STRATA_PRIMARY_KEY("book_id"));
}

static const struct strata_revision r1 = { "pg1", NULL, "create", NULL, r1_up, r1_down };
static const struct strata_revision r2 = { "pg2", "pg1", "add columns", NULL, r2_up, r2_down };
static const struct strata_revision r3 = { "pg3", "pg2", "alter columns", NULL, r3_up, r3_down };
static const struct strata_revision r4 = { "pg4", "pg3", "renames", NULL, r4_up, r4_down };
static const struct strata_revision r5 = { "pg5", "pg4", "constraints", NULL, r5_up, r5_down };
static const struct strata_revision r6 = { "pg6", "pg5", "drop table", NULL, r6_up, r6_down };
static const struct strata_revision *const every_revs[] = { &r1, &r2, &r3, &r4, &r5, &r6 };
static const struct strata_migrations every_m = { STRATA_ABI_VERSION, 6, every_revs };

/* What the rows read at each revision (index 0: after pg1). */
static const struct {
    const char *authors_sql;
    const char *authors;
    const char *books_sql;
    const char *books;
} rows_at[] = {
    { "SELECT string_agg(id || ':' || name || ':' || coalesce(bio, '-') || ':' || born, ',' "
      "ORDER BY id) FROM author",
      "1:Ann:b1:1900,2:Bob:-:1910,3:Cy:b3:-1",
      "SELECT string_agg(id || ':' || author_id || ':' || title || ':' || price || ':' || "
      "in_print, ',' ORDER BY id) FROM book",
      "1:1:t1:2:true,2:2:untitled:3:false,3:1:t3:0:true" },
    { "SELECT string_agg(id || ':' || name || ':' || rank, ',' ORDER BY id) FROM author",
      "1:Ann:5,2:Bob:5,3:Cy:5",
      "SELECT string_agg(id || ':' || coalesce(note, '-') || ':' || "
      "coalesce(editor_id::text, '-'), ',' ORDER BY id) FROM book",
      "1:-:-,2:-:-,3:-:-" },
    { "SELECT string_agg(id || ':' || name || ':' || bio || ':' || born || ':' || status, ',' "
      "ORDER BY id) FROM author",
      "1:Ann:b1:1900:0,2:Bob:none:1910:1,3:Cy:b3:-1:0",
      "SELECT string_agg(id || ':' || price || ':' || pages, ',' ORDER BY id) FROM book",
      "1:2:0,2:3:0,3:0:0" },
    { "SELECT string_agg(id || ':' || full_name, ',' ORDER BY id) FROM author",
      "1:Ann,2:Bob,3:Cy",
      "SELECT string_agg(id || ':' || coalesce(code, '-'), ',' ORDER BY id) FROM volume",
      "1:isbn1,2:-,3:-" },
    { "SELECT string_agg(id || ':' || full_name || ':' || bio || ':' || rank, ',' "
      "ORDER BY id) FROM author",
      "1:Ann:b1!:6,2:Bob:none!:6,3:Cy:b3!:6",
      "SELECT string_agg(id || ':' || title, ',' ORDER BY id) FROM volume",
      "1:t1,2:untitled,3:t3" },
    { "SELECT count(*) FROM author", "3", "SELECT count(*) FROM volume", "3" },
};

static void assert_rows_at(struct fixture *f, int level)
{
    if (level == 0) {
        assert_string_equal(sql_value(f->conn, "SELECT count(*) FROM pg_tables WHERE "
                                               "schemaname = current_schema() AND "
                                               "tablename NOT LIKE 'strata\\_%'"),
                            "0");
        return;
    }
    assert_string_equal(sql_value(f->conn, rows_at[level - 1].authors_sql),
                        rows_at[level - 1].authors);
    assert_string_equal(sql_value(f->conn, rows_at[level - 1].books_sql),
                        rows_at[level - 1].books);
}

static void test_pg__every_operation_up_and_down_with_rows(void **state)
{
    struct fixture f;
    char target[8];
    int level;

    (void)state;
    fixture_open(&f);
    upgrade(&f, &every_m, "pg1");
    sql_value(f.conn, "INSERT INTO author (name, bio, born) VALUES ('Ann', 'b1', 1900), "
                      "('Bob', NULL, 1910), ('Cy', 'b3', DEFAULT);"
                      "UPDATE author SET status = 1 WHERE name = 'Bob';"
                      "INSERT INTO book (author_id, title, price, in_print, isbn) VALUES "
                      "(1, 't1', 2, TRUE, 'isbn1'), (2, DEFAULT, 3, FALSE, NULL), "
                      "(1, 't3', DEFAULT, DEFAULT, NULL);"
                      "INSERT INTO book_tag (book_id, tag) VALUES (1, 'x'), (3, 'y')");
    assert_rows_at(&f, 1);
    assert_schema_at(&f, &every_m, "pg1");
    for (level = 2; level <= 6; level++) {
        upgrade(&f, &every_m, "+1");
        snprintf(target, sizeof(target), "pg%d", level);
        assert_current(&f, target);
        assert_schema_at(&f, &every_m, target);
        assert_rows_at(&f, level);
    }
    /* The identity column still generates ids after the renames and alters. */
    sql_value(f.conn, "INSERT INTO author (full_name, bio, rank) VALUES ('Dee', 'b4', 1)");
    assert_string_equal(sql_value(f.conn, "SELECT max(id) FROM author"), "4");
    sql_value(f.conn, "DELETE FROM author WHERE id = 4");
    for (level = 5; level >= 0; level--) {
        downgrade(&f, &every_m, "-1");
        snprintf(target, sizeof(target), "pg%d", level);
        assert_current(&f, level > 0 ? target : "");
        assert_schema_at(&f, &every_m, level > 0 ? target : NULL);
        assert_rows_at(&f, level);
    }
    /* The history logs each revision applied and reverted once. */
    assert_string_equal(sql_value(f.conn, "SELECT count(*) || ':' || "
                                          "sum((direction = 'upgrade')::int) FROM strata_history"),
                        "12:6");
    fixture_close(&f);
}

/* ===== A failing revision leaves everything as it was ===== */

static void bad_up(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("extra", STRATA_INTEGER, .default_value = "1"));
    strata_create_index(op, "ix_author_bio", "author", "bio");
    strata_execute(op, "INSERT INTO author (name, bio) VALUES ('Zed', 'z')");
    strata_rename_table(op, "book", "tome");
    strata_execute(op, "SELECT 1 / 0");
}

static void bad_down(struct strata_op *op)
{
    (void)op;
}

static const struct strata_revision bad = { "pgbad", "pg1", "fails", NULL, bad_up, bad_down };

/* Schema, rows, version and history in one string. */
static void snapshot(struct fixture *f, char *out, size_t size)
{
    struct strata_error err = { 0 };
    struct strata_schema *s = NULL;
    char *canonical = NULL;

    if (f->db->dialect->introspect(f->conn, &s, &err) != 0)
        fail_msg("introspect: %s", err.message);
    assert_int_equal(strata_schema_canonical(s, &canonical), 0);
    snprintf(out, size, "%s|%s|%s|%s", canonical,
             sql_value(f->conn, "SELECT string_agg(id || name, ',' ORDER BY id) FROM author"),
             sql_value(f->conn, "SELECT string_agg(version_num, ',') FROM strata_version"),
             sql_value(f->conn, "SELECT count(*) FROM strata_history"));
    free(canonical);
    strata_schema_free(s);
}

static void test_pg__failing_revision_changes_nothing(void **state)
{
    static const struct strata_revision *const revs[] = { &r1, &bad };
    static const struct strata_migrations m = { STRATA_ABI_VERSION, 2, revs };
    struct strata_error err = { 0 };
    static char before[16384], after[16384];
    struct fixture f;

    (void)state;
    fixture_open(&f);
    upgrade(&f, &m, "pg1");
    sql_value(f.conn, "INSERT INTO author (name, bio) VALUES ('Ann', 'b1'), ('Bob', NULL)");
    snapshot(&f, before, sizeof(before));
    assert_int_equal(strata_upgrade(f.db, &m, "head", &err), STRATA_EMIGRATION);
    assert_non_null(strstr(err.message, "division by zero"));
    assert_string_equal(err.revision, "pgbad");
    snapshot(&f, after, sizeof(after));
    assert_string_equal(after, before);
    assert_current(&f, "pg1");
    assert_schema_at(&f, &m, "pg1");
    fixture_close(&f);
}

/* ===== Several processes upgrading at once ===== */

static void c1_up(struct strata_op *op)
{
    strata_create_table(op, "applied",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("rev", STRATA_TEXT));
    strata_execute(op, "SELECT pg_sleep(0.3)");
    strata_execute(op, "INSERT INTO applied (rev) VALUES ('c1')");
}

static void c2_up(struct strata_op *op)
{
    strata_add_column(op, "applied", STRATA_COLUMN("note", STRATA_TEXT, .nullable = true));
    strata_execute(op, "INSERT INTO applied (rev) VALUES ('c2')");
}

static void c3_up(struct strata_op *op)
{
    strata_execute(op, "SELECT pg_sleep(0.2)");
    strata_execute(op, "INSERT INTO applied (rev) VALUES ('c3')");
}

static void c_down(struct strata_op *op)
{
    (void)op;
}

static void test_pg__concurrent_upgrades_apply_each_revision_once(void **state)
{
    static const struct strata_revision c1 = { "c1", NULL, "one", NULL, c1_up, c_down };
    static const struct strata_revision c2 = { "c2", "c1", "two", NULL, c2_up, c_down };
    static const struct strata_revision c3 = { "c3", "c2", "three", NULL, c3_up, c_down };
    static const struct strata_revision *const revs[] = { &c1, &c2, &c3 };
    static const struct strata_migrations m = { STRATA_ABI_VERSION, 3, revs };
    enum { WORKERS = 4 };
    pid_t pids[WORKERS];
    struct fixture f;
    int i, status;

    (void)state;
    fixture_open(&f);
    for (i = 0; i < WORKERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct strata_error err = { 0 };
            struct strata_db *db = NULL;
            int rc = strata_open(&db, f.url, 1, &err);

            if (rc == 0)
                rc = strata_upgrade(db, &m, "head", &err);
            if (rc != 0)
                fprintf(stderr, "worker %d: %s\n", i, err.message);
            strata_close(db);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    for (i = 0; i < WORKERS; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_string_equal(sql_value(f.conn, "SELECT string_agg(rev, ',' ORDER BY id) FROM applied"),
                        "c1,c2,c3");
    assert_string_equal(sql_value(f.conn, "SELECT string_agg(revision, ',' ORDER BY id) "
                                          "FROM strata_history"),
                        "c1,c2,c3");
    assert_current(&f, "c3");
    fixture_close(&f);
}

/* ===== The command line ===== */

static void test_pg__cli_upgrade_current_downgrade(void **state)
{
    char *up[] = { "upgrade", "--url", NULL, NULL };
    char *cur[] = { "current", "--url", NULL, NULL };
    char *down[] = { "downgrade", "base", "--url", NULL, NULL };
    struct fixture f;

    (void)state;
    fixture_open(&f);
    up[2] = cur[2] = down[3] = f.url;
    assert_int_equal(strata_cli("sqlite:///unused.db", &every_m, 3, up), 0);
    assert_int_equal(strata_cli("sqlite:///unused.db", &every_m, 3, cur), 0);
    assert_current(&f, "pg6");
    assert_schema_at(&f, &every_m, "pg6");
    assert_int_equal(strata_cli("sqlite:///unused.db", &every_m, 4, down), 0);
    assert_current(&f, "");
    assert_schema_at(&f, &every_m, NULL);
    assert_int_equal(access("unused.db", F_OK), -1);
    fixture_close(&f);
}

/* ===== This repository's history ===== */

#ifdef STRATA_TEST_REPO_HISTORY
static void test_pg__repo_history_with_data(void **state)
{
    const struct strata_migrations *m = &strata_migrations;
    struct strata_error err = { 0 };
    char head[64];
    struct fixture f;

    (void)state;
    fixture_open(&f);
    upgrade(&f, m, "head");
    assert_int_equal(strata_current(f.db, head, sizeof(head), &err), 0);
    assert_schema_at(&f, m, head);
    sql_value(f.conn, "INSERT INTO author (name) VALUES ('Ann'), ('Bob');"
                      "INSERT INTO book (title, author_id, price) VALUES ('t1', 1, 9.5), "
                      "('t2', 2, DEFAULT);"
                      "INSERT INTO tag (name) VALUES ('x');"
                      "INSERT INTO book_tag (book_id, tag_id) VALUES (1, 1)");
    downgrade(&f, m, "-1");
    assert_string_equal(sql_value(f.conn, "SELECT to_regclass('tag') IS NULL"), "t");
    assert_string_equal(sql_value(f.conn, "SELECT string_agg(title || price, ',' ORDER BY id) "
                                          "FROM book"),
                        "t19.5,t20");
    upgrade(&f, m, "head");
    assert_schema_at(&f, m, head);
    sql_value(f.conn, "DELETE FROM author WHERE name = 'Ann'");
    assert_string_equal(sql_value(f.conn, "SELECT count(*) FROM book"), "1");
    downgrade(&f, m, "base");
    assert_schema_at(&f, m, NULL);
    fixture_close(&f);
}
#endif

/* ===== Offline --sql ===== */

/* Renders `--sql` for a PostgreSQL URL into *out (malloc'ed); returns the code. */
static int render_offline(const struct strata_migrations *m, int downgrade, const char *range,
                          char **out, struct strata_error *err)
{
    const struct strata_dialect *dialect = NULL;
    struct strata_buf b = { 0 };
    char *path = NULL;
    int rc;

    *out = NULL;
    assert_int_equal(strata_url_parse(&dialect, &path, "postgresql:///nowhere?host=/nonexistent",
                                      err),
                     0);
    free(path);
    assert_string_equal(dialect->name, "postgresql");
    rc = strata_offline_sql_for(&b, m, downgrade, range, dialect, 0, err);
    if (rc == 0) {
        assert_false(b.failed);
        *out = strdup(b.data);
        assert_non_null(*out);
    }
    strata_buf_free(&b);
    return rc;
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;

    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

static void assert_contains(const char *text, const char *what)
{
    if (strstr(text, what) == NULL)
        fail_msg("the script lacks: %s\n--- script:\n%s", what, text);
}

/* Needs no server: the URL only picks the dialect. */
static void test_pg__offline_sql_renders_postgresql(void **state)
{
    struct strata_error err = { 0 };
    char *sql = NULL;

    (void)state;
    assert_int_equal(render_offline(&every_m, 0, "pg4", &sql, &err), 0);
    assert_contains(sql, "-- strata offline upgrade base:pg4, for PostgreSQL\n");
    assert_contains(sql, "CREATE TABLE IF NOT EXISTS strata_version (version_num TEXT PRIMARY "
                         "KEY);\nCREATE TABLE IF NOT EXISTS strata_history (id INTEGER "
                         "GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, revision TEXT, "
                         "direction TEXT, checksum TEXT, applied_at TEXT, duration_ms "
                         "INTEGER);\n");
    assert_contains(sql, "FROM strata_version) IS DISTINCT FROM NULL THEN RAISE EXCEPTION");
    assert_contains(sql, "\n-- Running upgrade  -> pg1, create\nBEGIN;\n"
                         "SELECT pg_advisory_xact_lock(126943214171233);\nCREATE TABLE \"author\" (");
    assert_contains(sql, "INSERT INTO strata_version (version_num) VALUES ('pg1');\n"
                         "INSERT INTO strata_history (revision, direction, checksum, "
                         "applied_at, duration_ms) VALUES ('pg1', 'upgrade', '");
    assert_contains(sql, "', to_char(now() AT TIME ZONE 'UTC', "
                         "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 0);\nCOMMIT;\n");
    assert_contains(sql, "DELETE FROM strata_version WHERE version_num = 'pg3';\n"
                         "INSERT INTO strata_version (version_num) VALUES ('pg4');\n");
    assert_int_equal(count_of(sql, "BEGIN;\nSELECT pg_advisory_xact_lock(126943214171233);\n"),
                     4);
    assert_int_equal(count_of(sql, "COMMIT;\n"), 4);
    assert_null(strstr(sql, "BEGIN IMMEDIATE"));
    assert_null(strstr(sql, "strftime"));
    assert_null(strstr(sql, "PRAGMA"));
    assert_null(strstr(sql, "-bail"));
    free(sql);

    assert_int_equal(render_offline(&every_m, 1, "pg4:pg2", &sql, &err), 0);
    assert_contains(sql, "-- strata offline downgrade pg4:pg2, for PostgreSQL\n");
    assert_contains(sql, "IS DISTINCT FROM 'pg4' THEN RAISE EXCEPTION");
    assert_contains(sql, "\n-- Running downgrade pg4 -> pg3, renames\nBEGIN;\n");
    assert_contains(sql, "VALUES ('pg3', 'downgrade', '");
    assert_int_equal(count_of(sql, "COMMIT;\n"), 2);
    free(sql);

    /* pg5 runs a C hook: no script, the revision named. */
    assert_int_equal(render_offline(&every_m, 0, NULL, &sql, &err), STRATA_EMIGRATION);
    assert_null(sql);
    assert_non_null(strstr(err.message, "pg5"));
    assert_non_null(strstr(err.message, "mark_bios"));
}

/* The CLI: --sqlite-version means nothing for PostgreSQL. */
static void test_pg__offline_sql_cli_usage(void **state)
{
    char *bad[] = { "upgrade", "--sql", "--sqlite-version", "3.30.0", NULL };

    (void)state;
    assert_int_equal(strata_cli("postgresql:///nowhere?host=/nonexistent", &every_m, 4, bad), 2);
}

#ifdef STRATA_TEST_REPO_HISTORY
static void test_pg__offline_sql_repo_history(void **state)
{
    struct strata_error err = { 0 };
    char *up = NULL, *down = NULL;

    (void)state;
    assert_int_equal(render_offline(&strata_migrations, 0, NULL, &up, &err), 0);
    assert_int_equal(render_offline(&strata_migrations, 1, "head:base", &down, &err), 0);
    assert_contains(up, "CREATE TABLE \"author\" (");
    assert_contains(up, "BIGINT GENERATED BY DEFAULT AS IDENTITY");
    assert_contains(down, "DROP TABLE \"author\";\n");
    assert_int_equal(count_of(up, "COMMIT;\n"), (size_t)strata_migrations.count);
    assert_int_equal(count_of(down, "COMMIT;\n"), (size_t)strata_migrations.count);
    free(up);
    free(down);
}
#endif

/* Runs a whole script with one PQexec, as psql -v ON_ERROR_STOP=1 would. */
static void exec_script(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("script failed: %s", PQresultErrorMessage(res));
    PQclear(res);
}

/* Versions and history rows (without times) of a fixture, for comparing two runs. */
static void bookkeeping(struct fixture *f, char *out, size_t size)
{
    char versions[1024];

    snprintf(versions, sizeof(versions), "%s",
             sql_value(f->conn, "SELECT string_agg(version_num, ' ' ORDER BY version_num) "
                                "FROM strata_version"));
    snprintf(out, size, "%s | %s", versions,
             sql_value(f->conn, "SELECT string_agg(revision || ' ' || direction || ' ' || "
                                "checksum || ' ' || (applied_at ~ "
                                "'^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$')::text, "
                                "',' ORDER BY id) FROM strata_history"));
}

/* The script through libpq equals the online run: schema, versions, history. */
static void check_offline_equals_online(const struct strata_migrations *m, const char *target,
                                        const char *head)
{
    struct strata_error err = { 0 };
    struct fixture off, on;
    char range[128], a[8192], b[8192];
    char *sql = NULL;

    fixture_open(&off);
    fixture_open(&on);
    assert_int_equal(render_offline(m, 0, target, &sql, &err), 0);
    exec_script(off.conn, sql);
    free(sql);
    upgrade(&on, m, target);
    assert_schema_at(&off, m, head);
    assert_schema_at(&on, m, head);
    assert_current(&off, head);
    bookkeeping(&off, a, sizeof(a));
    bookkeeping(&on, b, sizeof(b));
    assert_string_equal(a, b);
    /* A second run refuses: the database is no longer at base. */
    assert_int_equal(render_offline(m, 0, target, &sql, &err), 0);
    {
        PGresult *res = PQexec(off.conn, sql);

        assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
        assert_non_null(strstr(PQresultErrorMessage(res), "not at the revision"));
        PQclear(res);
    }
    free(sql);
    snprintf(range, sizeof(range), "%s:base", head);
    assert_int_equal(render_offline(m, 1, range, &sql, &err), 0);
    exec_script(off.conn, sql);
    free(sql);
    downgrade(&on, m, "base");
    assert_schema_at(&off, m, NULL);
    assert_current(&off, "");
    bookkeeping(&off, a, sizeof(a));
    bookkeeping(&on, b, sizeof(b));
    assert_string_equal(a, b);
    fixture_close(&off);
    fixture_close(&on);
}

static void test_pg__offline_sql_equals_online(void **state)
{
    (void)state;
    check_offline_equals_online(&every_m, "pg4", "pg4");
#ifdef STRATA_TEST_REPO_HISTORY
    {
        struct strata_error err = { 0 };
        struct fixture f;
        char head[64];

        fixture_open(&f);
        upgrade(&f, &strata_migrations, "head");
        assert_int_equal(strata_current(f.db, head, sizeof(head), &err), 0);
        fixture_close(&f);
        check_offline_equals_online(&strata_migrations, "head", head);
    }
#endif
}

int main(void)
{
    const struct CMUnitTest offline[] = {
        cmocka_unit_test(test_pg__offline_sql_renders_postgresql),
        cmocka_unit_test(test_pg__offline_sql_cli_usage),
#ifdef STRATA_TEST_REPO_HISTORY
        cmocka_unit_test(test_pg__offline_sql_repo_history),
#endif
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg__every_operation_up_and_down_with_rows),
        cmocka_unit_test(test_pg__failing_revision_changes_nothing),
        cmocka_unit_test(test_pg__concurrent_upgrades_apply_each_revision_once),
        cmocka_unit_test(test_pg__cli_upgrade_current_downgrade),
#ifdef STRATA_TEST_REPO_HISTORY
        cmocka_unit_test(test_pg__repo_history_with_data),
#endif
        cmocka_unit_test(test_pg__offline_sql_equals_online),
    };
    int failed = cmocka_run_group_tests_name("offline", offline, NULL, NULL);

    if (failed != 0)
        return failed;
    if (base_url() == NULL || base_url()[0] == '\0') {
        printf("SKIP: STRATA_TEST_PG_URL is not set, so there is no PostgreSQL server to "
               "test against (tests/run.sh starts one); the offline --sql rendering "
               "tests above ran\n");
        return 77;
    }
    return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
