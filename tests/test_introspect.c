/*
 * Unit tests of introspection: tables the SQLite dialect creates, read back from a live
 * database, must equal the schema their operations replay to (strata_schema_diff_first),
 * for every type, key, constraint, default and comment strata renders, including the
 * facts only the table's text holds (check names, expression defaults, comments with
 * comment terminators in them). SQLite's and strata's own tables and automatic indexes
 * are not part of the schema.
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

#include <strata/strata.h>

#include "dialect.h"
#include "introspect.h"
#include "ops.h"

/* Runs `fn`'s operations on a new in-memory database and checks the round trip. */
static void assert_round_trip(void (*fn)(struct strata_op *op))
{
    const struct strata_dialect *d = &strata_sqlite_dialect;
    struct strata_oplist list = { 0 };
    struct strata_error err = { 0 };
    struct strata_schema *want = strata_schema_new(), *have = NULL;
    sqlite3 *db = NULL;
    char what[256];

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    if (strata_oplist_record(&list, fn, &err) != 0)
        fail_msg("record: %s", err.message);
    for (size_t i = 0; i < list.nops; i++) {
        if (strata_schema_apply(want, &list.ops[i], &err) != 0)
            fail_msg("apply: %s", err.message);
        if (d->run_op(db, &list.ops[i], &err) != 0)
            fail_msg("run: %s", err.message);
    }
    if (strata_introspect(db, &have, &err) != 0)
        fail_msg("introspect: %s", err.message);
    if (strata_schema_diff_first(want, have, what, sizeof(what)) != 0) {
        char *w = NULL, *h = NULL;

        strata_schema_canonical(want, &w);
        strata_schema_canonical(have, &h);
        fail_msg("%s\nreplayed:\n%s\nintrospected:\n%s", what, w, h);
    }
    strata_schema_free(want);
    strata_schema_free(have);
    strata_oplist_clear(&list);
    sqlite3_close(db);
}

static void every_type(struct strata_op *op)
{
    strata_create_table(op, "other",
        STRATA_COLUMN("key", STRATA_UUID, .primary_key = true));
    strata_create_table(op, "every type",
        STRATA_COLUMN("a", STRATA_SMALLINT),
        STRATA_COLUMN("b", STRATA_INTEGER, .enum_values = "-1,0,1"),
        STRATA_COLUMN("c", STRATA_BIGINT, .autoincrement = true),
        STRATA_COLUMN("d", STRATA_BOOLEAN, .default_value = "TRUE"),
        STRATA_COLUMN("e", STRATA_REAL, .nullable = true, .default_value = "-1.5"),
        STRATA_COLUMN("f", STRATA_DOUBLE, .check = "f <> 0"),
        STRATA_COLUMN("g", STRATA_VARCHAR(10), .default_value = "'it''s, (odd)'"),
        STRATA_COLUMN("h", STRATA_TEXT, .comment = "ends */ early? \\ no"),
        STRATA_COLUMN("i", STRATA_BLOB),
        STRATA_COLUMN("j", STRATA_NUMERIC(10, 2)),
        STRATA_COLUMN("k", STRATA_DATE),
        STRATA_COLUMN("l", STRATA_DATETIME, .default_sql = "datetime('now', '+1 day')"),
        STRATA_COLUMN("m", STRATA_TIMESTAMP),
        STRATA_COLUMN("n", STRATA_JSON, .unique = true),
        STRATA_COLUMN("o", STRATA_UUID, .references = "other.key", .on_delete = STRATA_RESTRICT,
                      .on_update = STRATA_SET_NULL),
        STRATA_PRIMARY_KEY("c", "a"),
        STRATA_UNIQUE("h", "i"),
        STRATA_CHECK("a < c"),
        STRATA_TABLE_COMMENT("all of them /* nested */"));
    strata_create_index(op, "ix_every_h_i", "every type", "h", "i");
}

static void test_introspect__every_type_and_constraint(void **state)
{
    (void)state;
    assert_round_trip(every_type);
}

static void rowid_kinds(struct strata_op *op)
{
    strata_create_table(op, "usual",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true));
    strata_create_table(op, "small",
        STRATA_COLUMN("id", STRATA_SMALLINT, .primary_key = true));
    strata_create_table(op, "plain",
        STRATA_COLUMN("id", STRATA_INTEGER, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("parent", STRATA_INTEGER, .nullable = true, .references = "plain.id"));
    strata_create_table(op, "text key",
        STRATA_COLUMN("code", STRATA_VARCHAR(3), .primary_key = true));
}

static void test_introspect__rowid_aliases_keep_their_type(void **state)
{
    (void)state;
    assert_round_trip(rowid_kinds);
}

#define LONG_TABLE "a_table_whose_name_is_long_enough_to_need_shortening_x"

static void long_names(struct strata_op *op)
{
    strata_create_table(op, LONG_TABLE,
        STRATA_COLUMN("id", STRATA_INTEGER, .primary_key = true),
        STRATA_COLUMN("a_rather_long_column", STRATA_VARCHAR(5), .check = "1",
                      .enum_values = "1,2"),
        STRATA_COLUMN("status_len", STRATA_INTEGER, .check = "status_len IN (1)"));
}

static void test_introspect__long_and_look_alike_check_names(void **state)
{
    (void)state;
    assert_round_trip(long_names);
}

static void altered(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_VARCHAR(20)));
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true));
    strata_add_column(op, "book",
                      STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true,
                                    .references = "author.id", .on_delete = STRATA_CASCADE,
                                    .check = "author_id > 0", .comment = "who"));
    strata_add_column(op, "book", STRATA_COLUMN("kind", STRATA_INTEGER, .default_value = "0",
                                                .enum_values = "0,1"));
    strata_add_column(op, "book", STRATA_COLUMN("code", STRATA_VARCHAR(4), .nullable = true,
                                                .unique = true));
}

static void test_introspect__columns_added_by_alter_table(void **state)
{
    (void)state;
    assert_round_trip(altered);
}

static void test_introspect__skips_internal_tables_and_autoindexes(void **state)
{
    struct strata_error err = { 0 };
    struct strata_schema *s = NULL;
    sqlite3 *db = NULL;

    (void)state;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE strata_version (version_num TEXT PRIMARY KEY);"
                                  "CREATE TABLE t (k TEXT PRIMARY KEY, u INTEGER UNIQUE);"
                                  "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(strata_introspect(db, &s, &err), 0);
    assert_int_equal(s->ntables, 2); /* t and x; not strata_version, sqlite_sequence */
    assert_non_null(strata_schema_find_table(s, "t"));
    assert_int_equal(strata_schema_find_table(s, "t")->nindexes, 0);
    assert_int_equal(strata_schema_find_table(s, "t")->nprimary_key, 1);
    strata_schema_free(s);
    s = NULL;
    assert_int_equal(strata_introspect_table(db, "missing", &s, &err), STRATA_ENOTFOUND);
    assert_null(s);
    sqlite3_close(db);
}

/* Tables written before column checks moved into the column definition still read. */
static void test_introspect__table_level_column_checks(void **state)
{
    struct strata_error err = { 0 };
    struct strata_schema *s = NULL;
    const struct strata_column *c;
    sqlite3 *db = NULL;

    (void)state;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE \"b\" (\n"
                                  "    \"id\" INTEGER NOT NULL PRIMARY KEY,\n"
                                  "    \"t\" VARCHAR(9) NOT NULL,\n"
                                  "    \"s\" INTEGER NOT NULL,\n"
                                  "    CONSTRAINT \"ck_b_t_len\" CHECK (length(CAST(\"t\" AS BLOB)) "
                                  "<= 9),\n"
                                  "    CONSTRAINT \"ck_b_s\" CHECK (s > 0),\n"
                                  "    CONSTRAINT \"ck_b_s_enum\" CHECK (\"s\" IN (1, 2))\n"
                                  ");",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(strata_introspect(db, &s, &err), 0);
    c = strata_table_find_column(&s->tables[0], "s");
    assert_string_equal(c->check, "s > 0");
    assert_string_equal(c->enum_values, "1,2");
    assert_int_equal(strata_table_find_column(&s->tables[0], "t")->type.length, 9);
    assert_int_equal(s->tables[0].nchecks, 0);
    strata_schema_free(s);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_introspect__every_type_and_constraint),
        cmocka_unit_test(test_introspect__rowid_aliases_keep_their_type),
        cmocka_unit_test(test_introspect__long_and_look_alike_check_names),
        cmocka_unit_test(test_introspect__columns_added_by_alter_table),
        cmocka_unit_test(test_introspect__skips_internal_tables_and_autoindexes),
        cmocka_unit_test(test_introspect__table_level_column_checks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
