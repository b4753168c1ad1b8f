/*
 * Unit tests of the emitter: the exact text of revision files (compared with the golden
 * files tests/emit_golden_*.c, one of them holding every operation kind and the notes on
 * risky ones), and the invariant that matters most: the golden files,
 * compiled into this test and recorded with strata_oplist_record(), give back exactly the
 * operations the diff produced and the emitter printed. Also C string escaping, line
 * wrapping, empty bodies and the default message.
 *
 * Regenerating the goldens is a deliberate step: STRATA_REGEN_GOLDEN=1 rewrites them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include "emit.h"

/* The golden files themselves, compiled in under unique names. */
#undef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL golden_create
#define upgrade create_upgrade
#define downgrade create_downgrade
#include "emit_golden_create.c"
#undef upgrade
#undef downgrade
#undef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL golden_alter
#define upgrade alter_upgrade
#define downgrade alter_downgrade
#include "emit_golden_alter.c"
#undef upgrade
#undef downgrade
#undef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL golden_ops
#define upgrade ops_upgrade
#define downgrade ops_downgrade
#include "emit_golden_ops.c"
#undef upgrade
#undef downgrade

static const char hash[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* ---- fixtures ---- */

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

static void add_index(struct strata_schema *s, const char *table, const char *const *cols,
                      size_t n)
{
    struct strata_table *t = strata_schema_find_table(s, table);
    const char *parts[8] = { table };
    char ix[STRATA_NAME_MAX + 1];

    for (size_t i = 0; i < n; i++)
        parts[i + 1] = cols[i];
    strata_make_name(ix, "ix", parts);
    assert_non_null(strata_table_add_index(&s->arena, t, ix, cols, n, false));
}

/* Every column kind and constraint the emitter renders. */
static void full_schema(struct strata_schema *s)
{
    TABLE(s, "author",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("name", STRATA_TEXT, .nullable = true, .comment = "pen \"name\""),
          STRATA_COLUMN("born", STRATA_DATE, .nullable = true),
          STRATA_COLUMN("uuid", STRATA_UUID, .unique = true),
          STRATA_TABLE_COMMENT("people who write\nbooks"));
    TABLE(s, "book",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("title", STRATA_VARCHAR(200)),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_delete = STRATA_CASCADE, .on_update = STRATA_RESTRICT),
          STRATA_COLUMN("price", STRATA_NUMERIC(10, 2), .default_value = "0",
                        .check = "price >= 0"),
          STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"),
          STRATA_COLUMN("kind", STRATA_SMALLINT, .default_value = "0", .enum_values = "0,1,2"),
          STRATA_COLUMN("rating", STRATA_REAL, .nullable = true),
          STRATA_COLUMN("score", STRATA_DOUBLE, .nullable = true),
          STRATA_COLUMN("pages", STRATA_INTEGER, .nullable = true),
          STRATA_COLUMN("cover", STRATA_BLOB, .nullable = true),
          STRATA_COLUMN("meta", STRATA_JSON, .nullable = true),
          STRATA_COLUMN("added", STRATA_DATETIME, .default_sql = "CURRENT_TIMESTAMP"),
          STRATA_COLUMN("stamp", STRATA_TIMESTAMP, .nullable = true),
          STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true),
          STRATA_COLUMN("note", STRATA_TEXT, .nullable = true,
                        .check = "note <> 'a\\b' AND note <> '?\?='"),
          STRATA_UNIQUE("author_id", "title"),
          STRATA_CHECK("price < 100000 OR kind = 2"));
    add_index(s, "book", (const char *const[]){ "title" }, 1);
    add_index(s, "book", (const char *const[]){ "author_id", "title" }, 2);
    TABLE(s, "book_tag",
          STRATA_COLUMN("book_id", STRATA_BIGINT, .references = "book.id",
                        .on_delete = STRATA_CASCADE),
          STRATA_COLUMN("tag_id", STRATA_BIGINT, .references = "tag.id",
                        .on_delete = STRATA_SET_NULL),
          STRATA_PRIMARY_KEY("book_id", "tag_id"));
    TABLE(s, "tag", STRATA_COLUMN("id", STRATA_INTEGER, .primary_key = true),
          STRATA_COLUMN("label", STRATA_VARCHAR(40), .unique = true));
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc((size_t)n + 1, 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

/* Compares `text` with the golden file `name` (or rewrites it when regenerating). */
static void check_golden(const char *name, const char *text)
{
    char path[1024];
    char *want;

    snprintf(path, sizeof(path), "%s/%s", TEST_SOURCE_DIR, name);
    if (getenv("STRATA_REGEN_GOLDEN") != NULL) {
        FILE *f = fopen(path, "wb");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    want = read_all(path);
    assert_non_null(want);
    assert_string_equal(text, want);
    free(want);
}

/* Records `fn` and compares the canonical form with that of `want`. */
static void check_records_back(void (*fn)(struct strata_op *), const struct strata_oplist *want)
{
    struct strata_oplist got = { 0 };
    struct strata_error err = { 0 };
    char *a = NULL, *b = NULL;

    assert_int_equal(strata_oplist_record(&got, fn, &err), 0);
    assert_int_equal(strata_oplist_canonical(want, &a), 0);
    assert_int_equal(strata_oplist_canonical(&got, &b), 0);
    assert_string_equal(b, a);
    free(a);
    free(b);
    strata_oplist_clear(&got);
}

static void diff_quiet(struct strata_oplist *up, struct strata_oplist *down,
                       const struct strata_schema *from, const struct strata_schema *to)
{
    struct diag d;

    diag_init(&d);
    d.out = fopen("/dev/null", "w");
    assert_non_null(d.out);
    assert_int_equal(diff_schemas(up, down, from, to, &d), 0);
    fclose(d.out);
}

/* ---- cases ---- */

static void test_emit__create_golden_and_records_back(void **state)
{
    struct strata_schema *empty = strata_schema_new(), *s = strata_schema_new();
    struct strata_oplist up = { 0 }, down = { 0 };
    struct emit_info info = { "rev2", "rev1", "create everything", "1970-01-01 00:00:00 UTC",
                              hash };
    char *text = NULL;

    (void)state;
    full_schema(s);
    diff_quiet(&up, &down, empty, s);
    assert_int_equal(emit_revision(&text, &info, &up, &down), 0);
    check_golden("emit_golden_create.c", text);
    check_records_back(golden_create.upgrade, &up);
    check_records_back(golden_create.downgrade, &down);
    assert_string_equal(golden_create.id, "rev2");
    assert_string_equal(golden_create.parents, "rev1");
    assert_string_equal(golden_create.schema_hash, hash);
    free(text);
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    strata_schema_free(empty);
    strata_schema_free(s);
}

static void test_emit__alter_golden_and_records_back(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct strata_oplist up = { 0 }, down = { 0 };
    struct emit_info info = { "rev3", NULL, "alter book", "1970-01-01 00:00:00 UTC", hash };
    char *text = NULL;

    (void)state;
    TABLE(a, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("pages", STRATA_INTEGER), STRATA_COLUMN("title", STRATA_TEXT));
    add_index(a, "book", (const char *const[]){ "pages" }, 1);
    TABLE(b, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("title", STRATA_TEXT),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true, .references = "author.id",
                        .on_delete = STRATA_SET_NULL, .comment = "who wrote it, if known"),
          STRATA_COLUMN("isbn", STRATA_VARCHAR(13), .nullable = true, .unique = true),
          STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"));
    add_index(b, "book", (const char *const[]){ "title" }, 1);
    diff_quiet(&up, &down, a, b);
    assert_int_equal(emit_revision(&text, &info, &up, &down), 0);
    check_golden("emit_golden_alter.c", text);
    check_records_back(golden_alter.upgrade, &up);
    check_records_back(golden_alter.downgrade, &down);
    assert_null(golden_alter.parents);
    free(text);
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    strata_schema_free(a);
    strata_schema_free(b);
}

/*
 * Every operation kind of issue 3 (renames, alters with backfill, keys, constraints,
 * comments) with the notes on risky ones, in a golden file that records back.
 */
static void test_emit__every_operation_golden_and_records_back(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct strata_oplist up = { 0 }, down = { 0 };
    struct emit_info info = { "rev4", "rev3", "everything changes", "1970-01-01 00:00:00 UTC",
                              hash };
    char *text = NULL;

    (void)state;
    TABLE(a, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("title", STRATA_VARCHAR(200)),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_delete = STRATA_CASCADE),
          STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true),
          STRATA_CHECK("id > 0"), STRATA_TABLE_COMMENT("books"));
    TABLE(a, "tag", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("label", STRATA_TEXT));
    TABLE(b, "writer", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("full_name", STRATA_TEXT));
    b->tables[0].renamed_from = "author";
    b->tables[0].columns[1].renamed_from = "name";
    b->tables[0].columns[1].backfill = "'(unknown)'";
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("title", STRATA_VARCHAR(50), .check = "title <> ''"),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "writer.id",
                        .on_delete = STRATA_SET_NULL, .on_update = STRATA_CASCADE),
          STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true),
          STRATA_CHECK("id > 0 AND id < 1000000000"));
    TABLE(b, "tag", STRATA_COLUMN("id", STRATA_BIGINT),
          STRATA_COLUMN("label", STRATA_TEXT, .unique = true),
          STRATA_TABLE_COMMENT("labels \"for\" books"));
    diff_quiet(&up, &down, a, b);
    assert_int_equal(emit_revision(&text, &info, &up, &down), 0);
    check_golden("emit_golden_ops.c", text);
    check_records_back(golden_ops.upgrade, &up);
    check_records_back(golden_ops.downgrade, &down);
    for (const char *line = text; line != NULL;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *end = strchr(line, '\n');

        assert_true((end ? (size_t)(end - line) : strlen(line)) <= 100);
    }
    free(text);
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    strata_schema_free(a);
    strata_schema_free(b);
}

/* A note on an operation is a comment above its call, wrapped at 100 columns. */
static void test_emit__notes_are_comments_above_the_call(void **state)
{
    struct strata_oplist l = { 0 };
    struct strata_opdef *op;
    struct emit_info info = { "r", NULL, "m", "d", hash };
    char *text = NULL;

    (void)state;
    op = strata_oplist_push(&l, STRATA_OP_DROP_TABLE);
    assert_non_null(op);
    op->table = "old";
    op->note = "destructive: drops table old and its rows */ really\nsecond line of the note "
               "which is long enough that it has to wrap before the hundredth column of it";
    assert_int_equal(emit_revision(&text, &info, &l, NULL), 0);
    assert_non_null(strstr(text, "{\n"
                                 "    /* destructive: drops table old and its rows * / really */\n"
                                 "    /* second line of the note which is long enough that it "
                                 "has to wrap before the hundredth\n"
                                 "       column of it */\n"
                                 "    strata_drop_table(op, \"old\");\n"));
    free(text);
    l.ops = NULL;
    l.nops = 0;
    strata_oplist_clear(&l);
}

static void escapes(struct strata_op *op)
{
    strata_execute(op, "a \"q\" b\\c\nd\te\r\001f?\?=g ?\?? é");
    strata_execute_for(op, "sqlite", "VACUUM");
}

static void test_emit__strings_are_escaped(void **state)
{
    struct strata_oplist l = { 0 };
    struct emit_info info = { "r", NULL, "m", "d", hash };
    char *text = NULL;

    (void)state;
    assert_int_equal(strata_oplist_record(&l, escapes, NULL), 0);
    assert_int_equal(emit_revision(&text, &info, &l, NULL), 0);
    assert_non_null(strstr(text, "    strata_execute(op, \"a \\\"q\\\" b\\\\c\\nd\\te\\r\\001f?\\?=g "
                                 "?\\?\\? é\");\n"
                                 "    strata_execute_for(op, \"sqlite\", \"VACUUM\");\n"));
    free(text);
    strata_oplist_clear(&l);
}

static void long_index(struct strata_op *op)
{
    strata_create_index(op, "ix_a_very_long_table_name_for_wrapping_column_one_column_two",
                        "a_very_long_table_name_for_wrapping", "column_one", "column_two",
                        "column_three");
}

static void test_emit__long_calls_wrap_under_the_first_argument(void **state)
{
    struct strata_oplist l = { 0 };
    struct emit_info info = { "r", NULL, "m", "d", hash };
    char *text = NULL;

    (void)state;
    assert_int_equal(strata_oplist_record(&l, long_index, NULL), 0);
    assert_int_equal(emit_revision(&text, &info, &l, NULL), 0);
    assert_non_null(
        strstr(text, "    strata_create_index(op, \"ix_a_very_long_table_name_for_wrapping_column_"
                     "one_column_two\",\n"
                     "                        \"a_very_long_table_name_for_wrapping\", "
                     "\"column_one\", \"column_two\",\n"
                     "                        \"column_three\");\n"));
    for (const char *line = text; line != NULL; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *end = strchr(line, '\n');

        assert_true((end ? (size_t)(end - line) : strlen(line)) <= 100);
    }
    free(text);
    strata_oplist_clear(&l);
}

static void test_emit__empty_first_revision(void **state)
{
    struct strata_oplist l = { 0 };
    struct emit_info info = { "abc", NULL, "fill data\nby hand */ now",
                              "1970-01-01 00:00:00 UTC", hash };
    char *text = NULL;

    (void)state;
    assert_int_equal(emit_revision(&text, &info, &l, &l), 0);
    assert_string_equal(text,
                        "/*\n"
                        " * fill data\n"
                        " * by hand * / now\n"
                        " *\n"
                        " * Revision ID: abc\n"
                        " * Revises:\n"
                        " * Create Date: 1970-01-01 00:00:00 UTC\n"
                        " */\n"
                        "#include <strata/migration.h>\n"
                        "\n"
                        "static void upgrade(struct strata_op *op)\n"
                        "{\n"
                        "    /* write operations here */\n"
                        "    (void)op;\n"
                        "}\n"
                        "\n"
                        "static void downgrade(struct strata_op *op)\n"
                        "{\n"
                        "    /* write operations here */\n"
                        "    (void)op;\n"
                        "}\n"
                        "\n"
                        "STRATA_REVISION(\"abc\", NULL, \"fill data\\nby hand */ now\",\n"
                        "                \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
                        "abcdef\",\n"
                        "                upgrade, downgrade);\n");
    free(text);
}

static void test_emit__merge_revises_lists_parents(void **state)
{
    struct emit_info info = { "m1", "aaa bbb", "merge", "d", hash };
    char *text = NULL;

    (void)state;
    assert_int_equal(emit_revision(&text, &info, NULL, NULL), 0);
    assert_non_null(strstr(text, " * Revises: aaa, bbb\n"));
    assert_non_null(strstr(text, "STRATA_REVISION(\"m1\", \"aaa bbb\", \"merge\",\n"));
    free(text);
}

static void three_ops(struct strata_op *op)
{
    strata_create_table(op, "author", STRATA_COLUMN("id", STRATA_BIGINT));
    strata_add_column(op, "book", STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true));
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_table(op, "old");
}

static void renames_and_alters(struct strata_op *op)
{
    strata_rename_table(op, "author", "writer");
    strata_rename_column(op, "writer", "name", "full_name");
    strata_alter_column(op, "book", STRATA_COLUMN("title", STRATA_TEXT));
    strata_drop_primary_key(op, "book");
    strata_alter_primary_key(op, "book", "id");
    strata_create_foreign_key(op, "fk_a", "book", "writer_id", "writer.id", STRATA_NO_ACTION,
                              STRATA_NO_ACTION);
    strata_create_check_constraint(op, "ck_b", "book", "id > 0");
    strata_drop_constraint(op, "ck_b", "book");
    strata_alter_table_comment(op, "book", NULL);
}

static void test_emit__default_message_names_new_operations(void **state)
{
    static const char *const want[] = {
        "rename table author to writer, rename column writer.name to full_name and 7 more",
        "rename column writer.name to full_name, alter column book.title and 6 more",
        "alter column book.title, drop primary key of book and 5 more",
        "drop primary key of book, alter primary key of book and 4 more",
        "alter primary key of book, create foreign key fk_a and 3 more",
        "create foreign key fk_a, create check ck_b and 2 more",
        "create check ck_b, drop constraint ck_b and 1 more",
        "drop constraint ck_b, alter comment of table book",
    };
    struct strata_oplist l = { 0 };
    char msg[128];

    (void)state;
    assert_int_equal(strata_oplist_record(&l, renames_and_alters, NULL), 0);
    assert_int_equal(l.nops, 9);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct strata_oplist tail = l;

        tail.ops += i;
        tail.nops -= i;
        emit_default_message(msg, sizeof(msg), &tail);
        assert_string_equal(msg, want[i]);
    }
    strata_oplist_clear(&l);
}

static void test_emit__default_message(void **state)
{
    struct strata_oplist l = { 0 };
    char msg[128];

    (void)state;
    emit_default_message(msg, sizeof(msg), &l);
    assert_string_equal(msg, "empty message");
    assert_int_equal(strata_oplist_record(&l, three_ops, NULL), 0);
    emit_default_message(msg, sizeof(msg), &l);
    assert_string_equal(msg, "create table author, add column book.isbn and 2 more");
    l.nops = 2;
    emit_default_message(msg, sizeof(msg), &l);
    assert_string_equal(msg, "create table author, add column book.isbn");
    l.nops = 1;
    emit_default_message(msg, sizeof(msg), &l);
    assert_string_equal(msg, "create table author");
    emit_default_message(msg, 8, &l);
    assert_string_equal(msg, "create ");
    l.nops = 4;
    strata_oplist_clear(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emit__create_golden_and_records_back),
        cmocka_unit_test(test_emit__alter_golden_and_records_back),
        cmocka_unit_test(test_emit__every_operation_golden_and_records_back),
        cmocka_unit_test(test_emit__notes_are_comments_above_the_call),
        cmocka_unit_test(test_emit__strings_are_escaped),
        cmocka_unit_test(test_emit__long_calls_wrap_under_the_first_argument),
        cmocka_unit_test(test_emit__empty_first_revision),
        cmocka_unit_test(test_emit__merge_revises_lists_parents),
        cmocka_unit_test(test_emit__default_message),
        cmocka_unit_test(test_emit__default_message_names_new_operations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
