/*
 * Unit tests of the autogenerate diff: the operations between two schemas, their
 * order (renames first, parents first, drops child-first, indexes around their
 * columns, drops before alters before adds within a table), the exact inverse for the
 * downgrade, the Alembic-shaped log lines and warnings, the notes on risky operations,
 * renames (never a drop and an add), and the located errors the models must fix.
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

/* ---- fixtures: schemas built from the same items revision code uses ---- */

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

/* Adds the plain index ix_<table>_<col> to table `name`. */
static void add_index(struct strata_schema *s, const char *name, const char *col)
{
    struct strata_table *t = strata_schema_find_table(s, name);
    char ix[STRATA_NAME_MAX + 1];

    strata_make_name(ix, "ix", (const char *const[]){ name, col, NULL });
    assert_non_null(strata_table_add_index(&s->arena, t, ix, (const char *const[]){ col }, 1,
                                           false));
}

static void author(struct strata_schema *s)
{
    TABLE(s, "author",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
}

static void book(struct strata_schema *s)
{
    TABLE(s, "book",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("title", STRATA_VARCHAR(200)),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_delete = STRATA_CASCADE),
          STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true));
    add_index(s, "book", "title");
}

/* Runs the diff with the log captured. */
struct run {
    struct strata_oplist up, down;
    char *log;
    size_t loglen;
    int rc;
};

static void run_diff(struct run *r, const struct strata_schema *from,
                     const struct strata_schema *to)
{
    struct diag d;
    FILE *f;

    memset(r, 0, sizeof(*r));
    f = open_memstream(&r->log, &r->loglen);
    assert_non_null(f);
    diag_init(&d);
    d.out = f;
    r->rc = diff_schemas(&r->up, &r->down, from, to, &d);
    fclose(f);
    if (r->rc == 0)
        assert_int_equal(d.errors, 0);
    else
        assert_true(d.errors > 0);
}

static void run_free(struct run *r)
{
    strata_oplist_clear(&r->up);
    strata_oplist_clear(&r->down);
    free(r->log);
}

/* "create_table book" style summary of a list, one op per line. */
static char *summary(const struct strata_oplist *l)
{
    static char out[2048];
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->nops; i++) {
        const struct strata_opdef *op = &l->ops[i];

        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s %s%s%s%s%s\n",
                                strata_op_name(op->kind), op->table, op->name ? " " : "",
                                op->name ? op->name : "", op->new_name ? " -> " : "",
                                op->new_name ? op->new_name : "");
    }
    return out;
}

/* ---- cases ---- */

static void test_diff__same_schema_has_no_operations(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    author(a);
    book(a);
    author(b);
    book(b);
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.up.nops, 0);
    assert_int_equal(r.down.nops, 0);
    assert_int_equal(r.loglen, 0);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__column_order_is_not_a_difference(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "t", STRATA_COLUMN("x", STRATA_INTEGER), STRATA_COLUMN("y", STRATA_TEXT));
    TABLE(b, "t", STRATA_COLUMN("y", STRATA_TEXT), STRATA_COLUMN("x", STRATA_INTEGER));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.up.nops, 0);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__added_table_keeps_unique_inside_and_indexes_apart(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    const struct strata_table *def;
    struct run r;

    (void)state;
    author(a);
    author(b);
    book(b);
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "create_table book\n"
                                        "create_index book ix_book_title\n");
    def = r.up.ops[0].def;
    assert_int_equal(def->nindexes, 1);
    assert_string_equal(def->indexes[0].name, "uq_book_isbn");
    assert_int_equal(def->nforeign_keys, 1);
    assert_string_equal(r.up.ops[1].index.columns[0], "title");
    assert_false(r.up.ops[1].index.unique);
    assert_string_equal(summary(&r.down), "drop_index book ix_book_title\n"
                                          "drop_table book\n");
    assert_string_equal(r.log,
                        "INFO  [strata.autogenerate] Detected added table 'book'\n"
                        "INFO  [strata.autogenerate] Detected added index 'ix_book_title' on "
                        "['title']\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__creates_parents_first_and_drops_children_first(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    /* book_tag is declared before the tables it references. */
    TABLE(b, "book_tag",
          STRATA_COLUMN("book_id", STRATA_BIGINT, .references = "book.id"),
          STRATA_COLUMN("tag_id", STRATA_BIGINT, .references = "tag.id"),
          STRATA_PRIMARY_KEY("book_id", "tag_id"));
    book(b);
    TABLE(b, "tag", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    author(b);
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "create_table author\n"
                                        "create_table book\n"
                                        "create_index book ix_book_title\n"
                                        "create_table tag\n"
                                        "create_table book_tag\n");
    assert_string_equal(summary(&r.down), "drop_table book_tag\n"
                                          "drop_table tag\n"
                                          "drop_index book ix_book_title\n"
                                          "drop_table book\n"
                                          "drop_table author\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__removed_table_warns_and_down_recreates_it(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    author(a);
    book(a);
    author(b);
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "drop_index book ix_book_title\n"
                                        "drop_table book\n");
    assert_string_equal(summary(&r.down), "create_table book\n"
                                          "create_index book ix_book_title\n");
    assert_string_equal(r.log,
                        "WARNING  [strata.autogenerate] Detected removed table 'book'\n"
                        "INFO  [strata.autogenerate] Detected removed index 'ix_book_title' on "
                        "['title']\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__added_columns_bring_their_constraints(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    const struct strata_table *def;
    struct run r;

    (void)state;
    author(a);
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    author(b);
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true, .references = "author.id"),
          STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true),
          STRATA_COLUMN("pages", STRATA_INTEGER, .default_value = "0"));
    add_index(b, "book", "pages");
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "add_column book author_id\n"
                                        "add_column book isbn\n"
                                        "add_column book pages\n"
                                        "create_index book ix_book_pages\n");
    def = r.up.ops[0].def;
    assert_string_equal(def->name, "book");
    assert_int_equal(def->ncolumns, 1);
    assert_int_equal(def->nforeign_keys, 1);
    assert_string_equal(def->foreign_keys[0].name, "fk_book_author_id_author");
    def = r.up.ops[1].def;
    assert_int_equal(def->nindexes, 1);
    assert_string_equal(def->indexes[0].name, "uq_book_isbn");
    assert_int_equal(r.up.ops[2].def->nindexes, 0);
    /* The exact inverse, in reverse order; the unique index goes before its column. */
    assert_string_equal(summary(&r.down), "drop_index book ix_book_pages\n"
                                          "drop_column book pages\n"
                                          "drop_constraint book uq_book_isbn\n"
                                          "drop_column book isbn\n"
                                          "drop_column book author_id\n");
    assert_non_null(strstr(r.log, "INFO  [strata.autogenerate] Detected added column "
                                  "'book.isbn'\n"));
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__dropped_column_drops_its_index_first(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("pages", STRATA_INTEGER));
    add_index(a, "book", "pages");
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "drop_index book ix_book_pages\n"
                                        "drop_column book pages\n");
    /* The downgrade adds back a NOT NULL column without default, existing rows get 0. */
    assert_string_equal(summary(&r.down), "add_column book pages\n"
                                          "create_index book ix_book_pages\n");
    assert_string_equal(r.down.ops[0].def->columns[0].backfill, "0");
    assert_string_equal(r.up.ops[1].note, "destructive: drops column book.pages and its data");
    assert_non_null(strstr(r.log, "WARNING  [strata.autogenerate] Detected removed column "
                                  "'book.pages'\n"));
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__index_changes(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("title", STRATA_TEXT), STRATA_COLUMN("pages", STRATA_INTEGER));
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("title", STRATA_TEXT), STRATA_COLUMN("pages", STRATA_INTEGER));
    add_index(a, "book", "pages");
    add_index(b, "book", "title");
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "drop_index book ix_book_pages\n"
                                        "create_index book ix_book_title\n");
    assert_string_equal(summary(&r.down), "drop_index book ix_book_title\n"
                                          "create_index book ix_book_pages\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

/* Runs a diff that must fail and returns its log (static). */
static const char *refused(const struct strata_schema *a, const struct strata_schema *b)
{
    static char log[4096];
    struct run r;

    run_diff(&r, a, b);
    assert_int_equal(r.rc, -1);
    snprintf(log, sizeof(log), "%s", r.log ? r.log : "");
    run_free(&r);
    return log;
}

static void test_diff__not_null_column_needs_default(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();

    (void)state;
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("pages", STRATA_INTEGER));
    assert_string_equal(
        refused(a, b),
        "INFO  [strata.autogenerate] Detected added column 'book.pages'\n"
        "strata: error: column 'book.pages' is NOT NULL and the table may hold rows: give it "
        "a default (STRATA_FIELD(default = ...)) or a backfill (STRATA_FIELD(backfill = ...))\n");
    /* Located at the field when the models say where it is. */
    b->tables[0].columns[1].loc = (struct strata_srcloc){ "models/book.h", 7, 13 };
    assert_non_null(strstr(refused(a, b), "models/book.h:7:13: error: column 'book.pages' is "
                                          "NOT NULL"));
    /* A backfill fills the existing rows and is written on add_column, not kept. */
    b->tables[0].columns[1].backfill = "12";
    {
        struct run r;

        run_diff(&r, a, b);
        assert_int_equal(r.rc, 0);
        assert_string_equal(summary(&r.up), "add_column book pages\n");
        assert_string_equal(r.up.ops[0].def->columns[0].backfill, "12");
        assert_null(r.up.ops[0].def->columns[0].default_value);
        assert_null(r.down.ops[0].def);
        run_free(&r);
    }
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__type_change_alters_the_column(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "book", STRATA_COLUMN("price", STRATA_DOUBLE),
          STRATA_COLUMN("pages", STRATA_INTEGER));
    TABLE(b, "book", STRATA_COLUMN("price", STRATA_REAL), STRATA_COLUMN("pages", STRATA_BIGINT));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "alter_column book price\n"
                                        "alter_column book pages\n");
    assert_int_equal(r.up.ops[0].def->columns[0].type.kind, STRATA_TYPE_REAL);
    assert_string_equal(r.up.ops[0].note, "risky: narrows book.price from double to real; "
                                          "values that do not fit fail the migration");
    assert_null(r.up.ops[1].note);
    assert_string_equal(summary(&r.down), "alter_column book pages\n"
                                          "alter_column book price\n");
    assert_int_equal(r.down.ops[1].def->columns[0].type.kind, STRATA_TYPE_DOUBLE);
    assert_string_equal(r.log,
                        "WARNING  [strata.autogenerate] Detected type change from double to "
                        "real on 'book.price': values that do not fit fail the migration\n"
                        "INFO  [strata.autogenerate] Detected type change from integer to "
                        "bigint on 'book.pages'\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__column_attribute_changes_alter_the_column(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    const struct strata_column *c;
    struct run r;

    (void)state;
    TABLE(a, "t", STRATA_COLUMN("n", STRATA_INTEGER),
          STRATA_COLUMN("d", STRATA_INTEGER, .default_value = "0"),
          STRATA_COLUMN("c", STRATA_INTEGER, .check = "c > 0"),
          STRATA_COLUMN("e", STRATA_INTEGER, .enum_values = "0,1"),
          STRATA_COLUMN("k", STRATA_TEXT, .nullable = true),
          STRATA_COLUMN("s", STRATA_DATETIME, .nullable = true));
    TABLE(b, "t", STRATA_COLUMN("n", STRATA_INTEGER, .nullable = true),
          STRATA_COLUMN("d", STRATA_INTEGER, .default_value = "1"),
          STRATA_COLUMN("c", STRATA_INTEGER),
          STRATA_COLUMN("e", STRATA_INTEGER, .enum_values = "0,1,2"),
          STRATA_COLUMN("k", STRATA_TEXT, .nullable = true, .comment = "key"),
          STRATA_COLUMN("s", STRATA_DATETIME, .nullable = true,
                        .default_sql = "CURRENT_TIMESTAMP"));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "alter_column t n\n"
                                        "alter_column t d\n"
                                        "alter_column t c\n"
                                        "alter_column t e\n"
                                        "alter_column t k\n"
                                        "alter_column t s\n");
    assert_string_equal(r.log,
                        "INFO  [strata.autogenerate] Detected NULL on column 't.n'\n"
                        "INFO  [strata.autogenerate] Detected changed default on 't.d': 0 -> 1\n"
                        "INFO  [strata.autogenerate] Detected changed check on 't.c': c > 0 -> "
                        "none\n"
                        "INFO  [strata.autogenerate] Detected changed enum values on 't.e': 0,1 "
                        "-> 0,1,2\n"
                        "INFO  [strata.autogenerate] Detected changed comment on 't.k': none -> "
                        "key\n"
                        "INFO  [strata.autogenerate] Detected changed default_sql on 't.s': none "
                        "-> CURRENT_TIMESTAMP\n");
    /* Each alter states the whole new definition; the inverse the whole old one. */
    c = &r.up.ops[3].def->columns[0];
    assert_string_equal(c->enum_values, "0,1,2");
    assert_int_equal(c->type.kind, STRATA_TYPE_INTEGER);
    assert_false(c->nullable);
    c = &r.down.ops[2].def->columns[0];
    assert_string_equal(c->name, "e");
    assert_string_equal(c->enum_values, "0,1");
    /* Going down, n becomes NOT NULL again: its NULLs need a value. */
    c = &r.down.ops[5].def->columns[0];
    assert_string_equal(c->name, "n");
    assert_false(c->nullable);
    assert_string_equal(c->backfill, "0");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__not_null_alter_needs_backfill_or_default(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "t", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("x", STRATA_TEXT, .nullable = true),
          STRATA_COLUMN("y", STRATA_INTEGER, .nullable = true));
    TABLE(b, "t", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("x", STRATA_TEXT),
          STRATA_COLUMN("y", STRATA_INTEGER, .default_value = "3"));
    b->tables[0].columns[1].loc = (struct strata_srcloc){ "models/t.h", 4, 11 };
    assert_string_equal(refused(a, b),
                        "WARNING  [strata.autogenerate] Detected NOT NULL on column 't.x'\n"
                        "models/t.h:4:11: error: column 't.x' becomes NOT NULL and existing "
                        "rows may hold NULLs: give it a default (STRATA_FIELD(default = ...)) "
                        "or a backfill (STRATA_FIELD(backfill = ...))\n"
                        "WARNING  [strata.autogenerate] Detected NOT NULL on column 't.y'\n"
                        "INFO  [strata.autogenerate] Detected changed default on 't.y': none -> "
                        "3\n");
    b->tables[0].columns[1].backfill = "'?'";
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.up.ops[0].def->columns[0].backfill, "'?'");
    assert_string_equal(r.up.ops[0].note, "risky: makes t.x NOT NULL; existing NULLs become '?'");
    /* A default alone fills the NULLs too, and the alter says so. */
    assert_string_equal(r.up.ops[1].def->columns[0].backfill, "3");
    assert_string_equal(r.up.ops[1].def->columns[0].default_value, "3");
    assert_null(r.down.ops[0].def->columns[0].backfill);
    assert_true(r.down.ops[0].def->columns[0].nullable);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__backfill_is_inert_once_the_column_exists(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "t", STRATA_COLUMN("x", STRATA_INTEGER));
    TABLE(b, "t", STRATA_COLUMN("x", STRATA_INTEGER));
    b->tables[0].columns[0].backfill = "1";
    TABLE(b, "new", STRATA_COLUMN("y", STRATA_INTEGER));
    b->tables[1].columns[0].backfill = "2";
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "create_table new\n");
    assert_null(r.up.ops[0].def->columns[0].backfill);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__constraint_changes_on_existing_tables(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    author(a);
    author(b);
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("isbn", STRATA_TEXT), STRATA_COLUMN("author_id", STRATA_BIGINT),
          STRATA_CHECK("id < 100"));
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT),
          STRATA_COLUMN("isbn", STRATA_TEXT, .unique = true),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_delete = STRATA_CASCADE),
          STRATA_CHECK("id > 0"), STRATA_TABLE_COMMENT("books"));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "drop_constraint book ck_book_8b844a7c\n"
                                        "alter_primary_key book\n"
                                        "alter_table_comment book\n"
                                        "create_index book uq_book_isbn\n"
                                        "create_check_constraint book ck_book_54d12d6c\n"
                                        "create_foreign_key book fk_book_author_id_author\n");
    assert_int_equal(r.up.ops[1].index.ncolumns, 0);
    assert_string_equal(r.up.ops[2].sql, "books");
    assert_true(r.up.ops[3].index.unique);
    assert_string_equal(r.up.ops[3].note, "risky: adds unique constraint uq_book_isbn; fails "
                                          "if existing rows hold duplicates");
    assert_string_equal(r.up.ops[4].sql, "id > 0");
    assert_string_equal(r.up.ops[5].fk.ref_table, "author");
    assert_string_equal(r.up.ops[5].fk.ref_column, "id");
    assert_int_equal(r.up.ops[5].fk.on_delete, STRATA_CASCADE);
    assert_string_equal(summary(&r.down), "drop_constraint book fk_book_author_id_author\n"
                                          "drop_constraint book ck_book_54d12d6c\n"
                                          "drop_constraint book uq_book_isbn\n"
                                          "alter_table_comment book\n"
                                          "alter_primary_key book\n"
                                          "create_check_constraint book ck_book_8b844a7c\n");
    assert_null(r.down.ops[3].sql);
    assert_int_equal(r.down.ops[4].index.ncolumns, 1);
    assert_string_equal(r.down.ops[4].index.columns[0], "id");
    assert_string_equal(r.down.ops[5].sql, "id < 100");
    assert_non_null(strstr(r.log, "WARNING  [strata.autogenerate] Detected added unique "
                                  "constraint 'uq_book_isbn' on ['isbn']: fails if existing "
                                  "rows hold duplicates\n"));
    assert_non_null(strstr(r.log, "INFO  [strata.autogenerate] Detected changed primary key "
                                  "of table 'book': ['id'] -> []\n"));
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__changed_foreign_key_is_dropped_and_created(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    author(a);
    author(b);
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_delete = STRATA_CASCADE),
          STRATA_COLUMN("editor_id", STRATA_BIGINT, .references = "author.id"));
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                        .on_update = STRATA_RESTRICT),
          STRATA_COLUMN("editor_id", STRATA_BIGINT));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "drop_constraint book fk_book_author_id_author\n"
                                        "drop_constraint book fk_book_editor_id_author\n"
                                        "create_foreign_key book fk_book_author_id_author\n");
    assert_int_equal(r.up.ops[2].fk.on_update, STRATA_RESTRICT);
    assert_string_equal(summary(&r.down), "drop_constraint book fk_book_author_id_author\n"
                                          "create_foreign_key book fk_book_editor_id_author\n"
                                          "create_foreign_key book fk_book_author_id_author\n");
    assert_int_equal(r.down.ops[2].fk.on_delete, STRATA_CASCADE);
    assert_string_equal(r.log,
                        "INFO  [strata.autogenerate] Detected changed foreign key "
                        "'fk_book_author_id_author' on 'book.author_id': author.id on_delete "
                        "cascade on_update no_action -> author.id on_delete no_action "
                        "on_update restrict\n"
                        "INFO  [strata.autogenerate] Detected removed foreign key "
                        "'fk_book_editor_id_author' on 'book.editor_id'\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__primary_key_in_the_way_is_dropped_first(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "book_tag",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("book_id", STRATA_BIGINT), STRATA_COLUMN("tag_id", STRATA_BIGINT));
    TABLE(b, "book_tag", STRATA_COLUMN("book_id", STRATA_BIGINT),
          STRATA_COLUMN("tag_id", STRATA_BIGINT), STRATA_COLUMN("note", STRATA_TEXT,
                                                                 .nullable = true),
          STRATA_PRIMARY_KEY("book_id", "tag_id"));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "alter_primary_key book_tag\n"
                                        "drop_column book_tag id\n"
                                        "add_column book_tag note\n"
                                        "alter_primary_key book_tag\n");
    assert_int_equal(r.up.ops[0].index.ncolumns, 0);
    assert_int_equal(r.up.ops[3].index.ncolumns, 2);
    assert_string_equal(summary(&r.down), "alter_primary_key book_tag\n"
                                          "drop_column book_tag note\n"
                                          "add_column book_tag id\n"
                                          "alter_primary_key book_tag\n");
    assert_int_equal(r.down.ops[0].index.ncolumns, 0);
    /* The database numbers an autoincrement column: no shared backfill value. */
    assert_null(r.down.ops[2].def->columns[0].backfill);
    assert_int_equal(r.down.ops[3].index.ncolumns, 1);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__renames_are_renames_not_drop_and_add(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
    TABLE(b, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("full_name", STRATA_VARCHAR(100), .nullable = true));
    b->tables[0].columns[1].renamed_from = "name";
    TABLE(a, "pub", STRATA_COLUMN("id", STRATA_BIGINT), STRATA_COLUMN("city", STRATA_TEXT));
    TABLE(b, "publisher", STRATA_COLUMN("id", STRATA_BIGINT), STRATA_COLUMN("town", STRATA_TEXT),
          STRATA_TABLE_COMMENT("who prints"));
    b->tables[1].renamed_from = "pub";
    b->tables[1].columns[1].renamed_from = "city";
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    /* Renames first (tables, then columns), then the other changes of the same objects. */
    assert_string_equal(summary(&r.up), "rename_table pub -> publisher\n"
                                        "rename_column author name -> full_name\n"
                                        "rename_column publisher city -> town\n"
                                        "alter_column author full_name\n"
                                        "alter_table_comment publisher\n");
    assert_string_equal(summary(&r.down), "alter_table_comment publisher\n"
                                          "alter_column author full_name\n"
                                          "rename_column publisher town -> city\n"
                                          "rename_column author full_name -> name\n"
                                          "rename_table publisher -> pub\n");
    assert_int_equal(r.down.ops[1].def->columns[0].type.kind, STRATA_TYPE_TEXT);
    assert_string_equal(r.log,
                        "INFO  [strata.autogenerate] Detected renamed table 'pub' -> "
                        "'publisher'\n"
                        "INFO  [strata.autogenerate] Detected renamed column 'author.name' -> "
                        "'author.full_name'\n"
                        "INFO  [strata.autogenerate] Detected renamed column 'publisher.city' "
                        "-> 'publisher.town'\n"
                        "WARNING  [strata.autogenerate] Detected type change from text to "
                        "varchar(100) on 'author.full_name': values that do not fit fail the "
                        "migration\n"
                        "INFO  [strata.autogenerate] Detected changed comment of table "
                        "'publisher'\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__rename_regenerates_dependent_names(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("name", STRATA_TEXT, .unique = true), STRATA_CHECK("id > 0"));
    add_index(a, "author", "name");
    TABLE(a, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id"));
    TABLE(b, "writer", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("full_name", STRATA_TEXT, .unique = true), STRATA_CHECK("id > 0"));
    b->tables[0].renamed_from = "author";
    b->tables[0].columns[1].renamed_from = "name";
    add_index(b, "writer", "full_name");
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("writer_id", STRATA_BIGINT, .references = "writer.id"));
    b->tables[1].columns[1].renamed_from = "author_id";
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    /* uq_, ix_, ck_ and fk_ names follow the renames: nothing dropped and created. */
    assert_string_equal(summary(&r.up), "rename_table author -> writer\n"
                                        "rename_column writer name -> full_name\n"
                                        "rename_column book author_id -> writer_id\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__rename_is_inert_once_applied(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "writer", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("full_name", STRATA_TEXT, .nullable = true));
    TABLE(b, "writer", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("full_name", STRATA_TEXT, .nullable = true));
    b->tables[0].renamed_from = "author";
    b->tables[0].columns[1].renamed_from = "name";
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.up.nops, 0);
    assert_int_equal(r.loglen, 0);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__renamed_from_typo_is_a_located_error(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();

    (void)state;
    TABLE(a, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
    TABLE(b, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("full_name", STRATA_TEXT, .nullable = true));
    b->tables[0].columns[1].renamed_from = "nmae";
    b->tables[0].columns[1].renamed_from_loc = (struct strata_srcloc){ "models/a.h", 6, 49 };
    TABLE(b, "publisher", STRATA_COLUMN("id", STRATA_BIGINT));
    b->tables[1].renamed_from = "pub";
    b->tables[1].renamed_from_loc = (struct strata_srcloc){ "models/a.h", 9, 36 };
    /* Both reported, nothing else: no drop, no add. */
    assert_string_equal(refused(a, b),
                        "models/a.h:9:36: error: renamed_from 'pub': the snapshot has no table "
                        "'pub' (nor 'publisher')\n"
                        "models/a.h:6:49: error: renamed_from 'nmae': the snapshot has no "
                        "column 'author.nmae' (nor 'author.full_name')\n");
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__order_within_a_table(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "t", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("old", STRATA_INTEGER), STRATA_COLUMN("keep", STRATA_INTEGER),
          STRATA_COLUMN("gone", STRATA_TEXT, .nullable = true, .unique = true),
          STRATA_CHECK("keep > 0"));
    add_index(a, "t", "old");
    TABLE(b, "t", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("new", STRATA_INTEGER), STRATA_COLUMN("keep", STRATA_BIGINT),
          STRATA_COLUMN("added", STRATA_TEXT, .nullable = true),
          STRATA_CHECK("keep > 1"));
    b->tables[0].columns[1].renamed_from = "old";
    add_index(b, "t", "new");
    add_index(b, "t", "added");
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "rename_column t old -> new\n"
                                        "drop_constraint t ck_t_f36a9d91\n"
                                        "drop_constraint t uq_t_gone\n"
                                        "drop_column t gone\n"
                                        "alter_column t keep\n"
                                        "add_column t added\n"
                                        "create_index t ix_t_added\n"
                                        "create_check_constraint t ck_t_afac738a\n");
    assert_string_equal(summary(&r.down), "drop_constraint t ck_t_afac738a\n"
                                          "drop_index t ix_t_added\n"
                                          "drop_column t added\n"
                                          "alter_column t keep\n"
                                          "add_column t gone\n"
                                          "create_index t uq_t_gone\n"
                                          "create_check_constraint t ck_t_f36a9d91\n"
                                          "rename_column t new -> old\n");
    assert_true(r.down.ops[5].index.unique);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__foreign_key_cycle_is_closed_after_the_tables(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(b, "employee", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("dept_id", STRATA_BIGINT, .nullable = true, .references = "dept.id"));
    TABLE(b, "dept", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("boss_id", STRATA_BIGINT, .nullable = true, .references = "employee.id"),
          STRATA_COLUMN("parent_id", STRATA_BIGINT, .nullable = true, .references = "dept.id"));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "create_table dept\n"
                                        "create_table employee\n"
                                        "create_foreign_key dept fk_dept_boss_id_employee\n");
    /* The self-reference stays inside the table. */
    assert_int_equal(r.up.ops[0].def->nforeign_keys, 1);
    assert_string_equal(r.up.ops[0].def->foreign_keys[0].name, "fk_dept_parent_id_dept");
    assert_string_equal(summary(&r.down), "drop_constraint dept fk_dept_boss_id_employee\n"
                                          "drop_table employee\n"
                                          "drop_table dept\n");
    run_free(&r);
    /* And back: the closing key goes first, then the tables child-first. */
    run_diff(&r, b, a);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "drop_constraint dept fk_dept_boss_id_employee\n"
                                        "drop_table employee\n"
                                        "drop_table dept\n");
    assert_string_equal(r.up.ops[1].note, "destructive: drops table employee and its rows");
    assert_string_equal(summary(&r.down), "create_table dept\n"
                                          "create_table employee\n"
                                          "create_foreign_key dept fk_dept_boss_id_employee\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__foreign_key_to_a_column_added_later_waits(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
    TABLE(b, "author", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("code", STRATA_TEXT, .nullable = true, .unique = true));
    TABLE(b, "book", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("author_code", STRATA_TEXT, .references = "author.code"));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "create_table book\n"
                                        "add_column author code\n"
                                        "create_foreign_key book fk_book_author_code_author\n");
    assert_int_equal(r.up.ops[0].def->nforeign_keys, 0);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__replacing_every_column_adds_first(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct run r;

    (void)state;
    TABLE(a, "t", STRATA_COLUMN("x", STRATA_INTEGER, .nullable = true));
    TABLE(b, "t", STRATA_COLUMN("y", STRATA_INTEGER, .nullable = true));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    assert_string_equal(summary(&r.up), "add_column t y\n"
                                        "drop_column t x\n");
    assert_string_equal(summary(&r.down), "add_column t x\n"
                                          "drop_column t y\n");
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__narrowing_classification(void **state)
{
    static const struct {
        struct strata_type from, to;
        bool narrows;
    } cases[] = {
        { STRATA_BIGINT, STRATA_INTEGER, true },
        { STRATA_INTEGER, STRATA_SMALLINT, true },
        { STRATA_SMALLINT, STRATA_BIGINT, false },
        { STRATA_BOOLEAN, STRATA_SMALLINT, false },
        { STRATA_INTEGER, STRATA_BOOLEAN, true },
        { STRATA_DOUBLE, STRATA_REAL, true },
        { STRATA_REAL, STRATA_DOUBLE, false },
        { STRATA_INTEGER, STRATA_DOUBLE, false },
        { STRATA_INTEGER, STRATA_REAL, true },
        { STRATA_VARCHAR(200), STRATA_VARCHAR(50), true },
        { STRATA_VARCHAR(50), STRATA_VARCHAR(200), false },
        { STRATA_VARCHAR(50), STRATA_TEXT, false },
        { STRATA_TEXT, STRATA_VARCHAR(200), true },
        { STRATA_INTEGER, STRATA_TEXT, false },
        { STRATA_DOUBLE, STRATA_TEXT, false },
        { STRATA_NUMERIC(10, 2), STRATA_TEXT, false },
        { STRATA_BLOB, STRATA_TEXT, true },
        { STRATA_TEXT, STRATA_BLOB, false },
        { STRATA_TEXT, STRATA_INTEGER, true },
        { STRATA_TEXT, STRATA_DOUBLE, true },
        { STRATA_INTEGER, STRATA_VARCHAR(11), false },
        { STRATA_BIGINT, STRATA_VARCHAR(11), true },
        { STRATA_UUID, STRATA_VARCHAR(36), false },
        { STRATA_NUMERIC(10, 2), STRATA_NUMERIC(12, 2), false },
        { STRATA_NUMERIC(10, 2), STRATA_NUMERIC(10, 4), true },
        { STRATA_NUMERIC(10, 2), STRATA_NUMERIC(12, 4), false },
        { STRATA_INTEGER, STRATA_NUMERIC(10, 0), false },
        { STRATA_INTEGER, STRATA_NUMERIC(10, 2), true },
        { STRATA_NUMERIC(10, 2), STRATA_INTEGER, true },
        { STRATA_DATE, STRATA_DATETIME, false },
        { STRATA_DATETIME, STRATA_TIMESTAMP, false },
        { STRATA_DATETIME, STRATA_DATE, true },
        { STRATA_TEXT, STRATA_JSON, true },
        { STRATA_TEXT, STRATA_UUID, true },
        { STRATA_JSON, STRATA_TEXT, false },
        { STRATA_TEXT, STRATA_TEXT, false },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char f[64], t[64];

        strata_type_format(f, sizeof(f), cases[i].from);
        strata_type_format(t, sizeof(t), cases[i].to);
        if (diff_type_narrows(cases[i].from, cases[i].to) != cases[i].narrows)
            fail_msg("%s -> %s: expected %s", f, t, cases[i].narrows ? "narrowing" : "not");
    }
}

/* Replays `l` on `s` and checks it reaches `want`. */
static void replays_to(struct strata_schema *s, const struct strata_oplist *l,
                       const struct strata_schema *want)
{
    struct strata_error err = { 0 };
    char what[512];

    for (size_t i = 0; i < l->nops; i++)
        if (strata_schema_apply(s, &l->ops[i], &err) != 0)
            fail_msg("op %zu (%s): %s", i, strata_op_name(l->ops[i].kind), err.message);
    if (strata_schema_diff_first(want, s, what, sizeof(what)) != 0)
        fail_msg("%s", what);
}

static void test_diff__every_operation_replays_both_ways(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new(), *s;
    bool seen[STRATA_OP_ALTER_TABLE_COMMENT + 1] = { false };
    struct run r;

    (void)state;
    author(a);
    book(a);
    TABLE(a, "tag", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("label", STRATA_VARCHAR(40), .unique = true), STRATA_CHECK("id > 0"),
          STRATA_TABLE_COMMENT("tags"));
    TABLE(a, "gone", STRATA_COLUMN("id", STRATA_BIGINT, .references = "tag.id"));
    TABLE(b, "writer", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true,
                                     .autoincrement = true),
          STRATA_COLUMN("full_name", STRATA_TEXT));
    b->tables[0].renamed_from = "author";
    b->tables[0].columns[1].renamed_from = "name";
    b->tables[0].columns[1].backfill = "''";
    TABLE(b, "book",
          STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
          STRATA_COLUMN("title", STRATA_VARCHAR(100)),
          STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "writer.id",
                        .on_delete = STRATA_SET_NULL),
          STRATA_COLUMN("pages", STRATA_INTEGER, .default_value = "1", .check = "pages > 0"));
    add_index(b, "book", "pages");
    TABLE(b, "tag", STRATA_COLUMN("id", STRATA_BIGINT),
          STRATA_COLUMN("label", STRATA_VARCHAR(40)), STRATA_COLUMN("n", STRATA_INTEGER),
          STRATA_PRIMARY_KEY("id", "n"), STRATA_UNIQUE("label", "n"), STRATA_CHECK("n > 0"));
    b->tables[2].columns[2].backfill = "1";
    TABLE(b, "shelf", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
          STRATA_COLUMN("tag_id", STRATA_BIGINT, .references = "tag.id"));
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    s = strata_schema_copy(a);
    replays_to(s, &r.up, b);
    replays_to(s, &r.down, a);
    for (size_t i = 0; i < r.up.nops; i++)
        seen[r.up.ops[i].kind] = true;
    for (size_t k = 0; k <= STRATA_OP_ALTER_TABLE_COMMENT; k++)
        if (k != STRATA_OP_EXECUTE && k != STRATA_OP_HOOK && !seen[k])
            fail_msg("no %s in the upgrade:\n%s", strata_op_name((enum strata_op_kind)k),
                     summary(&r.up));
    /* Each inverse sits where its operation sits, counted from the other end. */
    assert_int_equal(r.up.ops[0].kind, STRATA_OP_RENAME_TABLE);
    assert_int_equal(r.down.ops[r.down.nops - 1].kind, STRATA_OP_RENAME_TABLE);
    strata_schema_free(s);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_diff__up_then_down_replays_to_both_schemas(void **state)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new(), *s;
    struct strata_error err = { 0 };
    char *ca = NULL, *cb = NULL, *cs = NULL;
    struct run r;

    (void)state;
    author(a);
    TABLE(a, "old", STRATA_COLUMN("id", STRATA_BIGINT, .references = "author.id"));
    author(b);
    book(b);
    run_diff(&r, a, b);
    assert_int_equal(r.rc, 0);
    s = strata_schema_copy(a);
    for (size_t i = 0; i < r.up.nops; i++)
        assert_int_equal(strata_schema_apply(s, &r.up.ops[i], &err), 0);
    assert_int_equal(strata_schema_canonical(b, &cb), 0);
    assert_int_equal(strata_schema_canonical(s, &cs), 0);
    assert_string_equal(cs, cb);
    free(cs);
    for (size_t i = 0; i < r.down.nops; i++)
        assert_int_equal(strata_schema_apply(s, &r.down.ops[i], &err), 0);
    assert_int_equal(strata_schema_canonical(a, &ca), 0);
    assert_int_equal(strata_schema_canonical(s, &cs), 0);
    assert_string_equal(cs, ca);
    free(ca);
    free(cb);
    free(cs);
    strata_schema_free(s);
    run_free(&r);
    strata_schema_free(a);
    strata_schema_free(b);
}

/* ---- random schema pairs ---- */

/* A small deterministic generator (xorshift), so a failure replays from its seed. */
static unsigned long long rnd_state;

static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

/*
 * A random schema over a small vocabulary of tables and columns, so that two of them
 * share most names: tables t0..t3 (t<i>_r, renamed from t<i>, and column txt2 renamed
 * from txt, when `renames` and `old` has them), each with some of the columns below, a
 * one- or two-column primary key, references to the ids of other tables, indexes,
 * uniques, a check and a comment. Every column carries a backfill, so no change needs
 * the models to say more.
 */
static void random_schema(struct strata_schema *s, bool renames, const struct strata_schema *old)
{
    static const char *const tables[] = { "t0", "t1", "t2", "t3" };
    static const char *const checks[] = { "n > 0", "n < 100" };
    static const char *const comments[] = { "one", "two" };
    static const char *const refs[] = { "t0.id", "t1.id", "t2.id", "t3.id" };
    static const char *const tables_r[] = { "t0_r", "t1_r", "t2_r", "t3_r" };
    static const char *const pk_id_k[] = { "id", "k", NULL };

    for (size_t i = 0; i < 4; i++) {
        struct strata_table_item items[12];
        struct strata_error err = { 0 };
        struct strata_table tmp, *t;
        size_t n = 0;
        const char *name = tables[i];
        bool renamed = false, two_pk = rnd(4) == 0, txt_renamed;

        if (rnd(5) == 0)
            continue;
        if (renames && old != NULL && strata_schema_find_table(old, tables[i]) && rnd(4) == 0) {
            name = tables_r[i];
            renamed = true;
        }
        items[n++] = STRATA_COLUMN("id", rnd(2) ? STRATA_BIGINT : STRATA_INTEGER,
                                   .primary_key = !two_pk, .autoincrement = !two_pk);
        if (rnd(2))
            items[n++] = STRATA_COLUMN("n", rnd(2) ? STRATA_INTEGER : STRATA_BIGINT,
                                       .nullable = rnd(3) == 0,
                                       .default_value = rnd(2) ? "0" : NULL);
        if (two_pk || rnd(2))
            items[n++] = STRATA_COLUMN("k", STRATA_BIGINT, .default_value = "1");
        txt_renamed = renames && old != NULL &&
                      strata_schema_find_table(old, tables[i]) != NULL &&
                      strata_table_find_column(strata_schema_find_table(old, tables[i]), "txt") &&
                      rnd(3) == 0;
        if (txt_renamed || rnd(2))
            items[n++] = STRATA_COLUMN(txt_renamed ? "txt2" : "txt",
                                       rnd(2) ? STRATA_TEXT : STRATA_VARCHAR(10 + 10 * (int)rnd(3)),
                                       .nullable = rnd(2), .unique = rnd(4) == 0,
                                       .check = rnd(4) == 0 ? "length(x) > 0" : NULL,
                                       .comment = rnd(4) == 0 ? "text" : NULL);
        if (rnd(2)) {
            unsigned r = rnd(4);

            if (r != i) {
                items[n++] = STRATA_COLUMN("ref", STRATA_BIGINT, .nullable = rnd(2),
                                           .references = refs[r],
                                           .on_delete = (enum strata_fk_action)rnd(4));
            }
        }
        if (rnd(3) == 0)
            items[n++] = STRATA_COLUMN("e", STRATA_INTEGER, .enum_values = rnd(2) ? "0,1" : "0,1,2",
                                       .default_value = "0");
        if (two_pk)
            items[n++] = (struct strata_table_item){ .kind = STRATA_ITEM_PRIMARY_KEY,
                                                     .columns = pk_id_k };
        if (rnd(3) == 0)
            items[n++] = STRATA_CHECK(checks[rnd(2)]);
        if (rnd(3) == 0)
            items[n++] = STRATA_TABLE_COMMENT(comments[rnd(2)]);
        if (strata_table_from_items(&s->arena, &tmp, name, items, n, &err) != 0)
            fail_msg("%s", err.message);
        t = strata_schema_add_table(s, name);
        assert_non_null(t);
        *t = tmp;
        if (renamed)
            t->renamed_from = strata_arena_strdup(&s->arena, tables[i]);
        for (size_t c = 0; c < t->ncolumns; c++)
            t->columns[c].backfill = "7";
        if (txt_renamed)
            strata_table_find_column(t, "txt2")->renamed_from = "txt";
        if (strata_table_find_column(t, "k") != NULL && rnd(2)) {
            char ix[STRATA_NAME_MAX + 1];
            strata_make_name(ix, "ix", (const char *const[]){ name, "k", NULL });
            assert_non_null(strata_table_add_index(&s->arena, t, ix, (const char *const[]){ "k" },
                                                   1, false));
        }
        if (strata_table_find_column(t, "n") != NULL && strata_table_find_column(t, "k") != NULL &&
            rnd(3) == 0) {
            char uq[STRATA_NAME_MAX + 1];
            strata_make_name(uq, "uq", (const char *const[]){ name, "n", "k", NULL });
            assert_non_null(strata_table_add_index(&s->arena, t, uq,
                                                   (const char *const[]){ "n", "k" }, 2, true));
        }
    }
    /* Point references at the tables as named in this schema; drop dangling ones. */
    for (size_t i = 0; i < s->ntables; i++) {
        struct strata_table *t = &s->tables[i];

        for (size_t k = t->nforeign_keys; k-- > 0;) {
            struct strata_foreign_key *fk = &t->foreign_keys[k];
            char renamed[16], name[STRATA_NAME_MAX + 1];

            snprintf(renamed, sizeof(renamed), "%s_r", fk->ref_table);
            if (strata_schema_find_table(s, renamed) != NULL)
                fk->ref_table = strata_arena_strdup(&s->arena, renamed);
            if (strata_schema_find_table(s, fk->ref_table) == NULL) {
                strata_array_remove(&t->foreign_keys, &t->nforeign_keys, sizeof(*fk), k);
                continue;
            }
            strata_make_name(name, "fk", (const char *const[]){ t->name, fk->column,
                                                                fk->ref_table, NULL });
            fk->name = strata_arena_strdup(&s->arena, name);
        }
    }
}

static void test_diff__random_schema_pairs_replay_both_ways(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 400; seed++) {
        struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
        struct run r;

        rnd_state = 0x9e3779b97f4a7c15ULL * seed;
        random_schema(a, false, NULL);
        random_schema(b, true, a);
        run_diff(&r, a, b);
        if (r.rc != 0)
            fail_msg("seed %u: %s", seed, r.log);
        run_free(&r);
        /* and back, without the renames' annotations the other way */
        run_diff(&r, b, a);
        if (r.rc != 0 && strstr(r.log, "renamed_from") == NULL)
            fail_msg("seed %u (back): %s", seed, r.log);
        run_free(&r);
        strata_schema_free(a);
        strata_schema_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff__same_schema_has_no_operations),
        cmocka_unit_test(test_diff__column_order_is_not_a_difference),
        cmocka_unit_test(test_diff__added_table_keeps_unique_inside_and_indexes_apart),
        cmocka_unit_test(test_diff__creates_parents_first_and_drops_children_first),
        cmocka_unit_test(test_diff__removed_table_warns_and_down_recreates_it),
        cmocka_unit_test(test_diff__added_columns_bring_their_constraints),
        cmocka_unit_test(test_diff__dropped_column_drops_its_index_first),
        cmocka_unit_test(test_diff__index_changes),
        cmocka_unit_test(test_diff__not_null_column_needs_default),
        cmocka_unit_test(test_diff__type_change_alters_the_column),
        cmocka_unit_test(test_diff__column_attribute_changes_alter_the_column),
        cmocka_unit_test(test_diff__not_null_alter_needs_backfill_or_default),
        cmocka_unit_test(test_diff__backfill_is_inert_once_the_column_exists),
        cmocka_unit_test(test_diff__constraint_changes_on_existing_tables),
        cmocka_unit_test(test_diff__changed_foreign_key_is_dropped_and_created),
        cmocka_unit_test(test_diff__primary_key_in_the_way_is_dropped_first),
        cmocka_unit_test(test_diff__renames_are_renames_not_drop_and_add),
        cmocka_unit_test(test_diff__rename_regenerates_dependent_names),
        cmocka_unit_test(test_diff__rename_is_inert_once_applied),
        cmocka_unit_test(test_diff__renamed_from_typo_is_a_located_error),
        cmocka_unit_test(test_diff__order_within_a_table),
        cmocka_unit_test(test_diff__foreign_key_cycle_is_closed_after_the_tables),
        cmocka_unit_test(test_diff__foreign_key_to_a_column_added_later_waits),
        cmocka_unit_test(test_diff__replacing_every_column_adds_first),
        cmocka_unit_test(test_diff__narrowing_classification),
        cmocka_unit_test(test_diff__every_operation_replays_both_ways),
        cmocka_unit_test(test_diff__random_schema_pairs_replay_both_ways),
        cmocka_unit_test(test_diff__up_then_down_replays_to_both_schemas),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
