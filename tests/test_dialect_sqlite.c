/*
 * Unit tests of the SQLite dialect: quoting of identifiers and literals, the exact SQL
 * every recorded operation renders to, and running operations on a connection (the
 * rendered SQL is accepted by SQLite, dialect-specific SQL is skipped, hooks get the
 * connection and fail the operation with their message).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "dialect.h"
#include "ops.h"
#include "schema.h"

static const struct strata_dialect *const d = &strata_sqlite_dialect;

/* Records `fn` and renders every operation; the caller frees the text. */
static char *render(void (*fn)(struct strata_op *op))
{
    struct strata_oplist list = { 0 };
    struct strata_error err = { 0 };
    struct strata_buf b = { 0 };
    char *text = NULL;
    size_t i;

    assert_int_equal(strata_oplist_record(&list, fn, &err), 0);
    for (i = 0; i < list.nops; i++)
        assert_int_equal(d->render_op(&b, &list.ops[i], &err), 0);
    strata_buf_append(&b, "");
    assert_int_equal(strata_buf_detach(&b, &text), 0);
    strata_oplist_clear(&list);
    return text;
}

static char *quoted(void (*quote)(struct strata_buf *, const char *), const char *s)
{
    struct strata_buf b = { 0 };
    char *text = NULL;

    quote(&b, s);
    assert_int_equal(strata_buf_detach(&b, &text), 0);
    return text;
}

static void test_dialect_sqlite__quotes_identifiers(void **state)
{
    static const char *const cases[][2] = {
        { "book", "\"book\"" },
        { "my \"quoted\" name", "\"my \"\"quoted\"\" name\"" },
        { "with space", "\"with space\"" },
        { "\"", "\"\"\"\"" },
        { "ünïcödé 名前", "\"ünïcödé 名前\"" },
        { "it's", "\"it's\"" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = quoted(d->quote_ident, cases[i][0]);

        assert_string_equal(text, cases[i][1]);
        free(text);
    }
}

static void test_dialect_sqlite__quotes_literals(void **state)
{
    static const char *const cases[][2] = {
        { "plain", "'plain'" },
        { "it's", "'it''s'" },
        { "''", "''''''" },
        { "say \"hi\"", "'say \"hi\"'" },
        { "ünï côde", "'ünï côde'" },
        { "", "''" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = quoted(d->quote_literal, cases[i][0]);

        assert_string_equal(text, cases[i][1]);
        free(text);
    }
}

static void create_book(struct strata_op *op)
{
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0", .check = "price >= 0"),
        STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true),
        STRATA_CHECK("price < 1000"));
}

static void test_dialect_sqlite__renders_create_table(void **state)
{
    char check[STRATA_NAME_MAX + 1];
    char expected[2048];
    char *text = render(create_book);

    (void)state;
    strata_check_name(check, "book", "price < 1000");
    snprintf(expected, sizeof(expected),
             "CREATE TABLE \"book\" (\n"
             "    \"id\" INTEGER NOT NULL PRIMARY KEY,\n"
             "    \"title\" VARCHAR(200) NOT NULL CONSTRAINT \"ck_book_title_len\" "
             "CHECK (length(CAST(\"title\" AS BLOB)) <= 200),\n"
             "    \"author_id\" BIGINT NOT NULL,\n"
             "    \"price\" DOUBLE NOT NULL DEFAULT 0 CONSTRAINT \"ck_book_price\" "
             "CHECK (price >= 0),\n"
             "    \"isbn\" TEXT,\n"
             "    CONSTRAINT \"fk_book_author_id_author\" FOREIGN KEY (\"author_id\") "
             "REFERENCES \"author\" (\"id\") ON DELETE CASCADE,\n"
             "    CONSTRAINT \"%s\" CHECK (price < 1000)\n"
             ");\n"
             "CREATE UNIQUE INDEX \"uq_book_isbn\" ON \"book\" (\"isbn\");\n",
             check);
    assert_string_equal(text, expected);
    free(text);
}

static void create_every_type(struct strata_op *op)
{
    strata_create_table(op, "every type",
        STRATA_COLUMN("a", STRATA_SMALLINT),
        STRATA_COLUMN("b", STRATA_INTEGER, .enum_values = "0,1, 2"),
        STRATA_COLUMN("c", STRATA_BIGINT, .on_update = STRATA_SET_NULL),
        STRATA_COLUMN("d", STRATA_BOOLEAN, .default_value = "TRUE"),
        STRATA_COLUMN("e", STRATA_REAL, .nullable = true),
        STRATA_COLUMN("f", STRATA_DOUBLE),
        STRATA_COLUMN("g", STRATA_VARCHAR(10), .default_value = "'it''s'"),
        STRATA_COLUMN("h", STRATA_TEXT),
        STRATA_COLUMN("i", STRATA_BLOB),
        STRATA_COLUMN("j", STRATA_NUMERIC(10, 2)),
        STRATA_COLUMN("k", STRATA_DATE),
        STRATA_COLUMN("l", STRATA_DATETIME, .default_sql = "CURRENT_TIMESTAMP"),
        STRATA_COLUMN("m", STRATA_TIMESTAMP),
        STRATA_COLUMN("n", STRATA_JSON),
        STRATA_COLUMN("o", STRATA_UUID, .references = "other.key", .on_delete = STRATA_RESTRICT,
                      .on_update = STRATA_SET_NULL),
        STRATA_PRIMARY_KEY("a", "c"));
    strata_create_index(op, "ix_every_h_i", "every type", "h", "i");
}

static void test_dialect_sqlite__renders_every_type_and_composite_key(void **state)
{
    char *text = render(create_every_type);

    (void)state;
    assert_string_equal(text,
        "CREATE TABLE \"every type\" (\n"
        "    \"a\" SMALLINT NOT NULL,\n"
        "    \"b\" INTEGER NOT NULL CONSTRAINT \"ck_every type_b_enum\" "
        "CHECK (\"b\" IN (0, 1, 2)),\n"
        "    \"c\" BIGINT NOT NULL,\n"
        "    \"d\" BOOLEAN NOT NULL DEFAULT TRUE,\n"
        "    \"e\" REAL,\n"
        "    \"f\" DOUBLE NOT NULL,\n"
        "    \"g\" VARCHAR(10) NOT NULL DEFAULT 'it''s' CONSTRAINT \"ck_every type_g_len\" "
        "CHECK (length(CAST(\"g\" AS BLOB)) <= 10),\n"
        "    \"h\" TEXT NOT NULL,\n"
        "    \"i\" BLOB NOT NULL,\n"
        "    \"j\" NUMERIC(10, 2) NOT NULL,\n"
        "    \"k\" DATE NOT NULL,\n"
        "    \"l\" DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),\n"
        "    \"m\" TIMESTAMP NOT NULL,\n"
        "    \"n\" JSON NOT NULL,\n"
        "    \"o\" UUID NOT NULL,\n"
        "    CONSTRAINT \"pk_every type\" PRIMARY KEY (\"a\", \"c\"),\n"
        "    CONSTRAINT \"fk_every type_o_other\" FOREIGN KEY (\"o\") REFERENCES \"other\" "
        "(\"key\") ON DELETE RESTRICT ON UPDATE SET NULL\n"
        ");\n"
        "CREATE INDEX \"ix_every_h_i\" ON \"every type\" (\"h\", \"i\");\n");
    free(text);
}

#define LONG_TABLE "a_table_whose_name_is_long_enough_to_need_shortening_x"

static void create_long_names(struct strata_op *op)
{
    strata_create_table(op, LONG_TABLE,
        STRATA_COLUMN("id", STRATA_INTEGER, .primary_key = true),
        STRATA_COLUMN("a_rather_long_column", STRATA_VARCHAR(5), .check = "1",
                      .enum_values = "1"));
}

static void test_dialect_sqlite__long_check_names_shorten_like_make_name(void **state)
{
    char ck[STRATA_NAME_MAX + 1], len[STRATA_NAME_MAX + 1], en[STRATA_NAME_MAX + 1];
    char expected[1024];
    char *text = render(create_long_names);

    (void)state;
    strata_make_name(ck, "ck", (const char *const[]){ LONG_TABLE, "a_rather_long_column", NULL });
    strata_make_name(len, "ck",
                     (const char *const[]){ LONG_TABLE, "a_rather_long_column", "len", NULL });
    strata_make_name(en, "ck",
                     (const char *const[]){ LONG_TABLE, "a_rather_long_column", "enum", NULL });
    assert_int_equal(strlen(len), STRATA_NAME_MAX);
    snprintf(expected, sizeof(expected),
             "CREATE TABLE \"" LONG_TABLE "\" (\n"
             "    \"id\" INTEGER NOT NULL PRIMARY KEY /* strata:type=integer */"
             " /* strata:autoincrement=false */,\n"
             "    \"a_rather_long_column\" VARCHAR(5) NOT NULL CONSTRAINT \"%s\" CHECK (1) "
             "CONSTRAINT \"%s\" CHECK (length(CAST(\"a_rather_long_column\" AS BLOB)) <= 5) "
             "CONSTRAINT \"%s\" CHECK (\"a_rather_long_column\" IN (1))\n"
             ");\n",
             ck, len, en);
    assert_string_equal(text, expected);
    free(text);
}

static int noop_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    (void)conn;
    (void)dialect;
    (void)errmsg;
    (void)errsize;
    return 0;
}

static void other_ops(struct strata_op *op)
{
    strata_drop_table(op, "old \"t\"");
    strata_add_column(op, "book",
                      STRATA_COLUMN("publisher_id", STRATA_BIGINT, .nullable = true,
                                    .references = "publisher.id", .on_delete = STRATA_SET_NULL,
                                    .unique = true, .check = "publisher_id > 0"));
    strata_add_column(op, "book", STRATA_COLUMN("code", STRATA_VARCHAR(3), .default_value = "'x'"));
    strata_drop_column(op, "book", "pages");
    strata_create_unique_index(op, "uq_book_title_isbn", "book", "title", "isbn");
    strata_drop_index(op, "ix_book_title", "book");
    strata_execute(op, "UPDATE book SET price = 1");
    strata_execute(op, "DELETE FROM book;  \n");
    strata_execute_for(op, "sqlite", "VACUUM");
    strata_execute_for(op, "postgresql", "SELECT pg_sleep(1)");
    strata_run_hook(op, "noop", noop_hook);
}

static void test_dialect_sqlite__renders_other_operations(void **state)
{
    char *text = render(other_ops);

    (void)state;
    assert_string_equal(text,
        "DROP TABLE \"old \"\"t\"\"\";\n"
        "ALTER TABLE \"book\" ADD COLUMN \"publisher_id\" BIGINT CONSTRAINT "
        "\"ck_book_publisher_id\" CHECK (publisher_id > 0) CONSTRAINT "
        "\"fk_book_publisher_id_publisher\" REFERENCES \"publisher\" (\"id\") ON DELETE SET "
        "NULL;\n"
        "CREATE UNIQUE INDEX \"uq_book_publisher_id\" ON \"book\" (\"publisher_id\");\n"
        "ALTER TABLE \"book\" ADD COLUMN \"code\" VARCHAR(3) NOT NULL DEFAULT 'x' CONSTRAINT "
        "\"ck_book_code_len\" CHECK (length(CAST(\"code\" AS BLOB)) <= 3);\n"
        "ALTER TABLE \"book\" DROP COLUMN \"pages\";\n"
        "CREATE UNIQUE INDEX \"uq_book_title_isbn\" ON \"book\" (\"title\", \"isbn\");\n"
        "DROP INDEX \"ix_book_title\";\n"
        "UPDATE book SET price = 1;\n"
        "DELETE FROM book;\n"
        "VACUUM;\n");
    free(text);
}

/* ---- running ---- */

static sqlite3 *open_memory(void)
{
    struct strata_error err = { 0 };
    void *conn = NULL;

    assert_int_equal(strata_sqlite_connect(&conn, ":memory:", 1, &err), 0);
    return conn;
}

/* Records `fn` and runs every operation on `conn`; returns the first failure. */
static int run(sqlite3 *conn, void (*fn)(struct strata_op *op), struct strata_error *err)
{
    struct strata_oplist list = { 0 };
    size_t i;
    int rc;

    rc = strata_oplist_record(&list, fn, err);
    for (i = 0; rc == 0 && i < list.nops; i++)
        rc = d->run_op(conn, &list.ops[i], err);
    strata_oplist_clear(&list);
    return rc;
}

static void create_author(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
}

static int count_rows(sqlite3 *conn, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int n = -1;

    assert_int_equal(sqlite3_prepare_v2(conn, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_dialect_sqlite__rendered_tables_run_and_enforce_checks(void **state)
{
    struct strata_error err = { 0 };
    sqlite3 *conn = open_memory();

    (void)state;
    assert_int_equal(run(conn, create_author, &err), 0);
    assert_int_equal(run(conn, create_book, &err), 0);
    assert_int_equal(run(conn, create_every_type, &err), 0);
    /* the single integer key aliases the rowid: ids are assigned */
    assert_int_equal(sqlite3_exec(conn, "INSERT INTO author (name) VALUES ('a')", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    assert_int_equal(count_rows(conn, "SELECT id FROM author"), 1);
    /* VARCHAR length counts bytes */
    assert_int_not_equal(sqlite3_exec(conn,
                                      "INSERT INTO book (title, author_id) "
                                      "VALUES (printf('%.201c', 'x'), 1)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn,
                                  "INSERT INTO book (title, author_id) "
                                  "VALUES (printf('%.200c', 'x'), 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* foreign keys are on */
    assert_int_not_equal(sqlite3_exec(conn,
                                      "INSERT INTO book (title, author_id) VALUES ('t', 99)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM pragma_table_info('every type')"),
                     15);
    sqlite3_close(conn);
}

static void test_dialect_sqlite__execute_for_other_dialect_is_skipped(void **state)
{
    struct strata_opdef op = { .kind = STRATA_OP_EXECUTE };
    struct strata_error err = { 0 };
    sqlite3 *conn = open_memory();

    (void)state;
    op.sql = "THIS IS NOT SQL";
    op.dialect = "postgresql";
    assert_int_equal(d->run_op(conn, &op, &err), 0);
    op.dialect = "sqlite";
    assert_int_equal(d->run_op(conn, &op, &err), STRATA_EDB);
    assert_non_null(strstr(err.message, "syntax error"));
    sqlite3_close(conn);
}

static void *hook_conn;
static char hook_dialect[32];

static int recording_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    hook_conn = conn;
    snprintf(hook_dialect, sizeof(hook_dialect), "%s", dialect);
    snprintf(errmsg, errsize, "no rows to migrate");
    return sqlite3_exec(conn, "CREATE TABLE made_by_hook (x)", NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : 1;
}

static int failing_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    (void)conn;
    (void)dialect;
    snprintf(errmsg, errsize, "the hook says no");
    return 3;
}

static int silent_failing_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    (void)conn;
    (void)dialect;
    (void)errmsg;
    (void)errsize;
    return 7;
}

static void test_dialect_sqlite__hook_gets_connection_and_fails_with_its_message(void **state)
{
    struct strata_opdef op = { .kind = STRATA_OP_HOOK, .name = "h" };
    struct strata_error err = { 0 };
    sqlite3 *conn = open_memory();

    (void)state;
    op.hook = recording_hook;
    assert_int_equal(d->run_op(conn, &op, &err), 0);
    assert_ptr_equal(hook_conn, conn);
    assert_string_equal(hook_dialect, "sqlite");
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM made_by_hook"), 0);
    op.hook = failing_hook;
    assert_int_equal(d->run_op(conn, &op, &err), STRATA_EMIGRATION);
    assert_string_equal(err.message, "the hook says no");
    strata_error_clear(&err);
    op.hook = silent_failing_hook;
    assert_int_equal(d->run_op(conn, &op, &err), STRATA_EMIGRATION);
    assert_string_equal(err.message, "hook returned 7");
    sqlite3_close(conn);
}

static void test_dialect_sqlite__versions_read_as_base_without_table(void **state)
{
    struct strata_error err = { 0 };
    struct strata_buf b = { 0 };
    sqlite3 *conn = open_memory();

    (void)state;
    assert_int_equal(d->read_versions(conn, &b, &err), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM sqlite_master"), 0);
    assert_int_equal(d->ensure_tables(conn, &err), 0);
    assert_int_equal(d->insert_version(conn, "bbb", &err), 0);
    assert_int_equal(d->insert_version(conn, "aaa", &err), 0);
    assert_int_equal(d->read_versions(conn, &b, &err), 0);
    assert_string_equal(b.data, "aaa bbb");
    strata_buf_reset(&b);
    assert_int_equal(d->delete_version(conn, "aaa", &err), 0);
    assert_int_equal(d->read_versions(conn, &b, &err), 0);
    assert_string_equal(b.data, "bbb");
    strata_buf_free(&b);
    sqlite3_close(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialect_sqlite__quotes_identifiers),
        cmocka_unit_test(test_dialect_sqlite__quotes_literals),
        cmocka_unit_test(test_dialect_sqlite__renders_create_table),
        cmocka_unit_test(test_dialect_sqlite__renders_every_type_and_composite_key),
        cmocka_unit_test(test_dialect_sqlite__long_check_names_shorten_like_make_name),
        cmocka_unit_test(test_dialect_sqlite__renders_other_operations),
        cmocka_unit_test(test_dialect_sqlite__rendered_tables_run_and_enforce_checks),
        cmocka_unit_test(test_dialect_sqlite__execute_for_other_dialect_is_skipped),
        cmocka_unit_test(test_dialect_sqlite__hook_gets_connection_and_fails_with_its_message),
        cmocka_unit_test(test_dialect_sqlite__versions_read_as_base_without_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
