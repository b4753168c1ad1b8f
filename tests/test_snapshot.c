/*
 * Unit tests of the snapshot (generated/schema.json): the exact bytes written, the
 * round trip in both directions, fields left out when default or generator-only, and
 * located errors for every way a file can be broken (syntax, format, types, keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops.h"
#include "snapshot.h"

static void add_table(struct strata_schema *s, const char *name,
                      const struct strata_table_item *items, size_t n)
{
    struct strata_error err = { 0 };
    struct strata_table tmp;
    struct strata_table *t;

    assert_int_equal(strata_table_from_items(&s->arena, &tmp, name, items, n, &err), 0);
    t = strata_schema_add_table(s, name);
    assert_non_null(t);
    *t = tmp;
}

#define TABLE(s, name, ...)                                                                  \
    add_table((s), (name), (const struct strata_table_item[]){ __VA_ARGS__ },                \
              STRATA_COUNT_(struct strata_table_item, __VA_ARGS__))

static void full_schema(struct strata_schema *s)
{
    TABLE(s, "author",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("name", STRATA_TEXT, .nullable = true, .comment = "pen \"name\" é"),
          STRATA_TABLE_COMMENT("people"));
    TABLE(s, "book",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("title", STRATA_VARCHAR(200)),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_delete = STRATA_CASCADE, .on_update = STRATA_SET_NULL),
          STRATA_COLUMN("price", STRATA_NUMERIC(10, 2), .default_value = "0",
                        .check = "price >= 0"),
          STRATA_COLUMN("kind", STRATA_INTEGER, .enum_values = "0,1,2"),
          STRATA_COLUMN("added", STRATA_DATETIME, .default_sql = "CURRENT_TIMESTAMP"),
          STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true),
          STRATA_UNIQUE("author_id", "title"), STRATA_CHECK("price < 1000"));
    assert_non_null(strata_table_add_index(&s->arena, strata_schema_find_table(s, "book"),
                                           "ix_book_title", (const char *const[]){ "title" }, 1,
                                           false));
    TABLE(s, "book_tag", STRATA_COLUMN("book_id", STRATA_BIGINT),
          STRATA_COLUMN("tag_id", STRATA_BIGINT), STRATA_PRIMARY_KEY("tag_id", "book_id"));
}

/* Writes `text` to a fresh temporary file whose path goes into `path`. */
static void write_temp(char path[64], const char *text)
{
    int fd;
    FILE *f;

    snprintf(path, 64, "/tmp/strata_test_snapshot_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads `text`; returns the error output (static) and the result in *rc. */
static const char *load_text(const char *text, struct strata_schema **out, char **head, int *rc)
{
    static char log[2048];
    char path[64], *buf = NULL, *p;
    size_t len = 0;
    struct diag d;

    write_temp(path, text);
    diag_init(&d);
    d.out = open_memstream(&buf, &len);
    assert_non_null(d.out);
    *rc = snapshot_load(out, head, path, &d);
    fclose(d.out);
    unlink(path);
    assert_int_equal(*rc == 0, d.errors == 0);
    /* The path is random: replace it with a fixed name. */
    p = buf;
    log[0] = '\0';
    while (p != NULL && *p != '\0') {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

        if (strncmp(p, path, strlen(path)) == 0)
            snprintf(log + strlen(log), sizeof(log) - strlen(log), "schema.json%.*s",
                     (int)(n - strlen(path)), p + strlen(path));
        else
            snprintf(log + strlen(log), sizeof(log) - strlen(log), "%.*s", (int)n, p);
        p += n;
    }
    free(buf);
    return log;
}

static const char *load_error(const char *text)
{
    struct strata_schema *s = NULL;
    char *head = NULL;
    int rc;
    const char *log = load_text(text, &s, &head, &rc);

    assert_int_equal(rc, -1);
    assert_null(s);
    assert_null(head);
    return log;
}

/* ---- cases ---- */

static void test_snapshot__format_exact_bytes(void **state)
{
    struct strata_schema *s = strata_schema_new();
    char *text = NULL;

    (void)state;
    TABLE(s, "zeta", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("tag", STRATA_VARCHAR(20), .nullable = true, .unique = true,
                        .references = "alpha.id", .on_delete = STRATA_CASCADE));
    TABLE(s, "alpha", STRATA_COLUMN("id", STRATA_INTEGER));
    assert_int_equal(snapshot_format(&text, s, "rev1"), 0);
    /* Tables keep declaration order (zeta before alpha); keys are sorted. */
    assert_string_equal(text, "{\n"
                              "  \"format\": 1,\n"
                              "  \"head\": \"rev1\",\n"
                              "  \"tables\": [\n"
                              "    {\n"
                              "      \"columns\": [\n"
                              "        {\n"
                              "          \"autoincrement\": true,\n"
                              "          \"name\": \"id\",\n"
                              "          \"nullable\": false,\n"
                              "          \"type\": \"bigint\"\n"
                              "        },\n"
                              "        {\n"
                              "          \"name\": \"tag\",\n"
                              "          \"nullable\": true,\n"
                              "          \"type\": \"varchar(20)\"\n"
                              "        }\n"
                              "      ],\n"
                              "      \"foreign_keys\": [\n"
                              "        {\n"
                              "          \"column\": \"tag\",\n"
                              "          \"name\": \"fk_zeta_tag_alpha\",\n"
                              "          \"on_delete\": \"cascade\",\n"
                              "          \"references\": \"alpha.id\"\n"
                              "        }\n"
                              "      ],\n"
                              "      \"indexes\": [\n"
                              "        {\n"
                              "          \"columns\": [\n"
                              "            \"tag\"\n"
                              "          ],\n"
                              "          \"name\": \"uq_zeta_tag\",\n"
                              "          \"unique\": true\n"
                              "        }\n"
                              "      ],\n"
                              "      \"name\": \"zeta\",\n"
                              "      \"primary_key\": [\n"
                              "        \"id\"\n"
                              "      ]\n"
                              "    },\n"
                              "    {\n"
                              "      \"columns\": [\n"
                              "        {\n"
                              "          \"name\": \"id\",\n"
                              "          \"nullable\": false,\n"
                              "          \"type\": \"integer\"\n"
                              "        }\n"
                              "      ],\n"
                              "      \"name\": \"alpha\"\n"
                              "    }\n"
                              "  ]\n"
                              "}\n");
    free(text);
    strata_schema_free(s);
}

static void test_snapshot__empty_schema_and_null_head(void **state)
{
    struct strata_schema *s = strata_schema_new();
    char *text = NULL, *head = NULL;
    int rc;

    (void)state;
    assert_int_equal(snapshot_format(&text, s, NULL), 0);
    assert_string_equal(text, "{\n  \"format\": 1,\n  \"head\": null,\n  \"tables\": []\n}\n");
    strata_schema_free(s);
    s = NULL;
    assert_string_equal(load_text(text, &s, &head, &rc), "");
    assert_int_equal(rc, 0);
    assert_null(head);
    assert_int_equal(s->ntables, 0);
    free(text);
    strata_schema_free(s);
}

static void test_snapshot__round_trip(void **state)
{
    struct strata_schema *s = strata_schema_new(), *back = NULL;
    char *text = NULL, *again = NULL, *head = NULL, *c1 = NULL, *c2 = NULL;
    int rc;

    (void)state;
    full_schema(s);
    assert_int_equal(snapshot_format(&text, s, "3f2a9c1d7e44"), 0);
    assert_string_equal(load_text(text, &back, &head, &rc), "");
    assert_int_equal(rc, 0);
    assert_string_equal(head, "3f2a9c1d7e44");
    assert_int_equal(strata_schema_canonical(s, &c1), 0);
    assert_int_equal(strata_schema_canonical(back, &c2), 0);
    assert_string_equal(c2, c1);
    assert_int_equal(snapshot_format(&again, back, head), 0);
    assert_string_equal(again, text);
    /* Declaration order survives too. */
    assert_string_equal(back->tables[1].columns[2].name, "author_id");
    assert_string_equal(back->tables[2].primary_key[0], "tag_id");
    free(text);
    free(again);
    free(head);
    free(c1);
    free(c2);
    strata_schema_free(s);
    strata_schema_free(back);
}

static void test_snapshot__generator_only_fields_are_not_written(void **state)
{
    struct strata_schema *s = strata_schema_new();
    char *text = NULL;

    (void)state;
    TABLE(s, "t", STRATA_COLUMN("x", STRATA_INTEGER, .default_value = "1"));
    s->tables[0].renamed_from = "old_t";
    s->tables[0].c_name = "T";
    s->tables[0].columns[0].renamed_from = "old_x";
    s->tables[0].columns[0].backfill = "7";
    s->tables[0].columns[0].c_name = "xx";
    assert_int_equal(snapshot_format(&text, s, NULL), 0);
    assert_null(strstr(text, "old_"));
    assert_null(strstr(text, "7"));
    assert_null(strstr(text, "xx"));
    assert_null(strstr(text, "autoincrement"));
    assert_null(strstr(text, "comment"));
    assert_non_null(strstr(text, "\"default\": \"1\""));
    free(text);
    strata_schema_free(s);
}

static void test_snapshot__syntax_error_is_located(void **state)
{
    (void)state;
    assert_string_equal(load_error("{\n  \"format\": 1,\n  oops\n}\n"),
                        "schema.json:3:3: error: string or '}' expected near 'oops'\n");
}

static void test_snapshot__unknown_format(void **state)
{
    (void)state;
    assert_string_equal(load_error("{\"format\": 2, \"head\": null, \"tables\": []}"),
                        "schema.json: error: unknown snapshot format (this strata reads "
                        "format 1)\n");
}

static void test_snapshot__missing_type_names_its_path(void **state)
{
    (void)state;
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": null, \"tables\": ["
                   "{\"name\": \"a\", \"columns\": [{\"name\": \"x\", \"type\": \"text\", "
                   "\"nullable\": true}]},"
                   "{\"name\": \"b\", \"columns\": [{\"name\": \"y\", \"nullable\": false}]}]}"),
        "schema.json: error: tables[1].columns[0]: missing \"type\"\n");
}

static void test_snapshot__wrong_types_and_unknown_keys(void **state)
{
    (void)state;
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": 5, \"tables\": []}"),
        "schema.json: error: \"head\" must be a revision id or null\n");
    assert_string_equal(load_error("{\"format\": 1, \"head\": null, \"tables\": [], \"x\": 1}"),
                        "schema.json: error: unknown key \"x\"\n");
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": null, \"tables\": [{\"name\": \"a\", "
                   "\"columns\": [{\"name\": \"x\", \"type\": \"text\", \"nullable\": \"yes\", "
                   "\"colour\": \"red\"}]}]}"),
        "schema.json: error: tables[0].columns[0]: unknown key \"colour\"\n"
        "schema.json: error: tables[0].columns[0]: \"nullable\" must be true or false\n");
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": null, \"tables\": [{\"name\": \"a\", "
                   "\"columns\": [{\"name\": \"x\", \"type\": \"textual\", \"nullable\": true}], "
                   "\"primary_key\": [\"y\"]}]}"),
        "schema.json: error: tables[0].columns[0]: unknown type 'textual'\n"
        "schema.json: error: tables[0]: unknown column 'y'\n");
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": null, \"tables\": [{\"name\": \"a\", "
                   "\"columns\": [{\"name\": \"x\", \"type\": \"bigint\", \"nullable\": true}], "
                   "\"foreign_keys\": [{\"name\": \"fk\", \"column\": \"x\", "
                   "\"references\": \"b\", \"on_delete\": \"explode\"}]}]}"),
        "schema.json: error: tables[0].foreign_keys[0]: \"on_delete\" must be \"cascade\", "
        "\"set_null\", \"restrict\" or \"no_action\"\n");
}

static void test_snapshot__duplicate_names_are_refused(void **state)
{
    (void)state;
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": null, \"tables\": ["
                   "{\"name\": \"a\", \"columns\": [{\"name\": \"x\", \"type\": \"text\", "
                   "\"nullable\": true}, {\"name\": \"x\", \"type\": \"text\", "
                   "\"nullable\": true}]}]}"),
        "schema.json: error: tables[0].columns[1]: column 'x' appears twice\n");
    assert_string_equal(
        load_error("{\"format\": 1, \"head\": null, \"tables\": [{\"name\": \"a\", \"name\": "
                   "\"b\"}]}"),
        "schema.json:1:54: error: duplicate object key near '\"name\"'\n");
}

static void test_snapshot__missing_file(void **state)
{
    struct strata_schema *s = NULL;
    char *head = NULL;
    char *buf = NULL;
    size_t len = 0;
    struct diag d;

    (void)state;
    diag_init(&d);
    d.out = open_memstream(&buf, &len);
    assert_int_equal(snapshot_load(&s, &head, "/nonexistent/schema.json", &d), -1);
    fclose(d.out);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(buf, "/nonexistent/schema.json: error: unable to open"));
    free(buf);
}

static void test_snapshot__invalid_utf8_is_refused(void **state)
{
    struct strata_schema *s = strata_schema_new();
    char *text = NULL;

    (void)state;
    TABLE(s, "t\xff", STRATA_COLUMN("x", STRATA_INTEGER));
    assert_int_equal(snapshot_format(&text, s, NULL), STRATA_ERROR);
    assert_null(text);
    strata_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot__format_exact_bytes),
        cmocka_unit_test(test_snapshot__empty_schema_and_null_head),
        cmocka_unit_test(test_snapshot__round_trip),
        cmocka_unit_test(test_snapshot__generator_only_fields_are_not_written),
        cmocka_unit_test(test_snapshot__syntax_error_is_located),
        cmocka_unit_test(test_snapshot__unknown_format),
        cmocka_unit_test(test_snapshot__missing_type_names_its_path),
        cmocka_unit_test(test_snapshot__wrong_types_and_unknown_keys),
        cmocka_unit_test(test_snapshot__duplicate_names_are_refused),
        cmocka_unit_test(test_snapshot__missing_file),
        cmocka_unit_test(test_snapshot__invalid_utf8_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
