/*
 * Unit tests of the operation recorder (the API revision files call) and of replay:
 * what a revision records, the constraint names it generates, the sticky first error,
 * applying operations to a schema and refusing operations that do not fit it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops.h"

static void create_author(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
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
    strata_create_index(op, "ix_book_title", "book", "title");
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
}

static void create_book_tag(struct strata_op *op)
{
    strata_create_table(op, "book_tag",
        STRATA_COLUMN("book_id", STRATA_BIGINT, .references = "book.id"),
        STRATA_COLUMN("tag_id", STRATA_BIGINT),
        STRATA_PRIMARY_KEY("tag_id", "book_id"),
        STRATA_UNIQUE("book_id", "tag_id"));
}

static void drop_book(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_author_id_title", "book");
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_table(op, "book");
}

static int hook(void *conn, const char *dialect, char *errmsg, size_t size)
{
    (void)conn, (void)dialect, (void)errmsg, (void)size;
    return 0;
}

static void misc(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0"));
    strata_execute(op, "UPDATE author SET born = 1900");
    strata_execute_for(op, "postgresql", "SELECT 1");
    strata_run_hook(op, "fill", hook);
    strata_drop_column(op, "author", "born");
}

static void broken_then_more(struct strata_op *op)
{
    strata_create_table(op, "t", STRATA_COLUMN("a", STRATA_TEXT), STRATA_PRIMARY_KEY("nope"));
    strata_drop_table(op, "never_recorded");
}

/* Records `fn`, applies it to `s`, returns the list (caller clears). */
static void record_apply(struct strata_schema *s, void (*fn)(struct strata_op *),
                         struct strata_oplist *l)
{
    struct strata_error err = { 0 };

    assert_int_equal(strata_oplist_record(l, fn, &err), 0);
    for (size_t i = 0; i < l->nops; i++) {
        int rc = strata_schema_apply(s, &l->ops[i], &err);
        if (rc != 0)
            fail_msg("apply %s: %s", strata_op_name(l->ops[i].kind), err.message);
    }
}

static void test_ops__create_table_generates_names(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, b = { 0 };
    const struct strata_table *t;
    char ck[STRATA_NAME_MAX + 1];

    (void)state;
    record_apply(s, create_author, &a);
    record_apply(s, create_book, &b);
    assert_int_equal(b.nops, 3);
    t = strata_schema_find_table(s, "book");
    assert_non_null(t);
    assert_int_equal(t->ncolumns, 5);
    assert_int_equal(t->nprimary_key, 1);
    assert_string_equal(t->primary_key[0], "id");
    assert_true(t->columns[0].autoincrement);
    assert_false(t->columns[1].nullable);
    assert_true(t->columns[4].nullable);
    assert_string_equal(t->columns[3].default_value, "0");
    assert_string_equal(t->columns[3].check, "price >= 0");
    assert_int_equal(t->nforeign_keys, 1);
    assert_string_equal(t->foreign_keys[0].name, "fk_book_author_id_author");
    assert_string_equal(t->foreign_keys[0].ref_table, "author");
    assert_string_equal(t->foreign_keys[0].ref_column, "id");
    assert_int_equal(t->foreign_keys[0].on_delete, STRATA_CASCADE);
    assert_int_equal(t->nindexes, 3);
    assert_non_null(strata_table_find_index(t, "uq_book_isbn"));
    assert_true(strata_table_find_index(t, "uq_book_isbn")->unique);
    assert_false(strata_table_find_index(t, "ix_book_author_id_title")->unique);
    assert_int_equal(t->nchecks, 1);
    strata_check_name(ck, "book", "price < 1000");
    assert_string_equal(t->checks[0].name, ck);
    strata_oplist_clear(&a);
    strata_oplist_clear(&b);
    strata_schema_free(s);
}

static void test_ops__composite_primary_key_keeps_key_order(void **state)
{
    struct strata_oplist l = { 0 };
    struct strata_error err = { 0 };

    (void)state;
    assert_int_equal(strata_oplist_record(&l, create_book_tag, &err), 0);
    assert_int_equal(l.ops[0].def->nprimary_key, 2);
    assert_string_equal(l.ops[0].def->primary_key[0], "tag_id");
    assert_string_equal(l.ops[0].def->primary_key[1], "book_id");
    assert_string_equal(l.ops[0].def->indexes[0].name, "uq_book_tag_book_id_tag_id");
    strata_oplist_clear(&l);
}

static void test_ops__first_error_is_sticky(void **state)
{
    struct strata_oplist l = { 0 };
    struct strata_error err = { 0 };

    (void)state;
    assert_int_equal(strata_oplist_record(&l, broken_then_more, &err), STRATA_EMIGRATION);
    assert_string_equal(err.operation, "create_table");
    assert_string_equal(err.message, "table t: STRATA_PRIMARY_KEY names unknown column nope");
    for (size_t i = 0; i < l.nops; i++)
        assert_int_not_equal(l.ops[i].kind, STRATA_OP_DROP_TABLE);
    strata_oplist_clear(&l);
}

static void test_ops__drop_restores_schema_and_checksum_is_stable(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, b = { 0 }, c = { 0 }, b2 = { 0 };
    struct strata_error err = { 0 };
    char before[65], after[65], sum1[65], sum2[65];

    (void)state;
    record_apply(s, create_author, &a);
    strata_schema_hash(s, before);
    record_apply(s, create_book, &b);
    record_apply(s, drop_book, &c);
    strata_schema_hash(s, after);
    assert_string_equal(before, after);
    assert_int_equal(strata_oplist_record(&b2, create_book, &err), 0);
    strata_oplist_checksum(&b, sum1);
    strata_oplist_checksum(&b2, sum2);
    assert_string_equal(sum1, sum2);
    strata_oplist_checksum(&c, sum2);
    assert_string_not_equal(sum1, sum2);
    strata_oplist_clear(&a);
    strata_oplist_clear(&b);
    strata_oplist_clear(&c);
    strata_oplist_clear(&b2);
    strata_schema_free(s);
}

static void test_ops__add_execute_hook_drop(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, m = { 0 };

    (void)state;
    record_apply(s, create_author, &a);
    record_apply(s, misc, &m);
    assert_int_equal(m.nops, 5);
    assert_int_equal(m.ops[0].kind, STRATA_OP_ADD_COLUMN);
    assert_string_equal(m.ops[0].name, "born");
    assert_null(m.ops[1].dialect);
    assert_string_equal(m.ops[2].dialect, "postgresql");
    assert_ptr_equal(m.ops[3].hook, hook);
    assert_int_equal(strata_schema_find_table(s, "author")->ncolumns, 2);
    strata_oplist_clear(&a);
    strata_oplist_clear(&m);
    strata_schema_free(s);
}

static void test_ops__apply_refuses_what_does_not_fit(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, again = { 0 }, b = { 0 };
    struct strata_error err = { 0 };
    char before[65], after[65];

    (void)state;
    record_apply(s, create_author, &a);
    strata_schema_hash(s, before);
    assert_int_equal(strata_oplist_record(&again, create_author, &err), 0);
    assert_int_equal(strata_schema_apply(s, &again.ops[0], &err), STRATA_EMIGRATION);
    assert_string_equal(err.message, "create_table author: table already exists");
    strata_error_clear(&err);
    assert_int_equal(strata_oplist_record(&b, drop_book, &err), 0);
    assert_int_equal(strata_schema_apply(s, &b.ops[0], &err), STRATA_EMIGRATION);
    assert_string_equal(err.message, "drop_index ix_book_author_id_title: no such index on book");
    strata_schema_hash(s, after);
    assert_string_equal(before, after);
    strata_oplist_clear(&a);
    strata_oplist_clear(&again);
    strata_oplist_clear(&b);
    strata_schema_free(s);
}

static void rename_both(struct strata_op *op)
{
    strata_rename_table(op, "author", "writer");
    strata_rename_column(op, "book", "author_id", "writer_id");
    strata_rename_column(op, "book", "title", "name");
}

static void test_ops__renames_regenerate_generated_names(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, b = { 0 }, r = { 0 };
    const struct strata_table *book;

    (void)state;
    record_apply(s, create_author, &a);
    record_apply(s, create_book, &b);
    /* A hand-named index keeps its name through renames. */
    strata_table_add_index(&s->arena, strata_schema_find_table(s, "book"), "my_title",
                           (const char *const[]){ "title" }, 1, false);
    record_apply(s, rename_both, &r);
    assert_null(strata_schema_find_table(s, "author"));
    assert_non_null(strata_schema_find_table(s, "writer"));
    book = strata_schema_find_table(s, "book");
    assert_string_equal(book->foreign_keys[0].name, "fk_book_writer_id_writer");
    assert_string_equal(book->foreign_keys[0].column, "writer_id");
    assert_string_equal(book->foreign_keys[0].ref_table, "writer");
    assert_non_null(strata_table_find_index(book, "ix_book_name"));
    assert_non_null(strata_table_find_index(book, "ix_book_writer_id_name"));
    assert_non_null(strata_table_find_index(book, "my_title"));
    assert_string_equal(strata_table_find_index(book, "my_title")->columns[0], "name");
    assert_null(strata_table_find_index(book, "ix_book_title"));
    strata_oplist_clear(&a);
    strata_oplist_clear(&b);
    strata_oplist_clear(&r);
    strata_schema_free(s);
}

static void alter_everything(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_NUMERIC(10, 2), .nullable = true,
                                                  .default_value = "1", .backfill = "0"));
    strata_drop_constraint(op, "fk_book_author_id_author", "book");
    strata_create_foreign_key(op, "fk_book_author_id_author", "book", "author_id", "author.id",
                              STRATA_SET_NULL, STRATA_CASCADE);
    strata_create_check_constraint(op, "ck_book_cheap", "book", "price < 10");
    strata_drop_constraint(op, "uq_book_isbn", "book");
    strata_alter_primary_key(op, "book", "id", "title");
    strata_alter_table_comment(op, "book", "books we own");
}

static void test_ops__alter_and_constraints_replay(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, b = { 0 }, c = { 0 };
    const struct strata_table *book;
    const struct strata_column *price;

    (void)state;
    record_apply(s, create_author, &a);
    record_apply(s, create_book, &b);
    record_apply(s, alter_everything, &c);
    book = strata_schema_find_table(s, "book");
    price = strata_table_find_column(book, "price");
    assert_int_equal(price->type.kind, STRATA_TYPE_NUMERIC);
    assert_int_equal(price->type.length, 10);
    assert_true(price->nullable);
    assert_string_equal(price->default_value, "1");
    assert_null(price->check);
    assert_null(price->backfill);
    assert_int_equal(book->nforeign_keys, 1);
    assert_int_equal(book->foreign_keys[0].on_delete, STRATA_SET_NULL);
    assert_int_equal(book->foreign_keys[0].on_update, STRATA_CASCADE);
    assert_int_equal(book->nchecks, 2);
    assert_null(strata_table_find_index(book, "uq_book_isbn"));
    assert_int_equal(book->nprimary_key, 2);
    assert_string_equal(book->primary_key[1], "title");
    assert_string_equal(book->comment, "books we own");
    assert_string_equal(c.ops[0].def->columns[0].backfill, "0");
    strata_oplist_clear(&a);
    strata_oplist_clear(&b);
    strata_oplist_clear(&c);
    strata_schema_free(s);
}

static void backfill_one(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER, .backfill = "1900"));
}

static void backfill_other(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER, .backfill = "2000"));
}

static void test_ops__backfill_changes_checksum_not_schema(void **state)
{
    struct strata_schema *s1 = strata_schema_new(), *s2 = strata_schema_new();
    struct strata_oplist a1 = { 0 }, a2 = { 0 }, x = { 0 }, y = { 0 };
    char h1[65], h2[65];

    (void)state;
    record_apply(s1, create_author, &a1);
    record_apply(s2, create_author, &a2);
    record_apply(s1, backfill_one, &x);
    record_apply(s2, backfill_other, &y);
    strata_schema_hash(s1, h1);
    strata_schema_hash(s2, h2);
    assert_string_equal(h1, h2);
    strata_oplist_checksum(&x, h1);
    strata_oplist_checksum(&y, h2);
    assert_string_not_equal(h1, h2);
    strata_oplist_clear(&a1);
    strata_oplist_clear(&a2);
    strata_oplist_clear(&x);
    strata_oplist_clear(&y);
    strata_schema_free(s1);
    strata_schema_free(s2);
}

static void bad_alter(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "x.id"));
}

static void pk_nullable(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("id", STRATA_BIGINT, .nullable = true));
}

static void test_ops__alter_refusals(void **state)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_oplist a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
    struct strata_error err = { 0 };

    (void)state;
    record_apply(s, create_author, &a);
    record_apply(s, create_book, &b);
    assert_int_equal(strata_oplist_record(&c, bad_alter, &err), STRATA_EMIGRATION);
    assert_string_equal(err.operation, "alter_column");
    strata_error_clear(&err);
    assert_int_equal(strata_oplist_record(&d, pk_nullable, &err), 0);
    assert_int_equal(strata_schema_apply(s, &d.ops[0], &err), STRATA_EMIGRATION);
    assert_string_equal(err.message, "alter_column book.id: a primary key column cannot be nullable");
    strata_oplist_clear(&a);
    strata_oplist_clear(&b);
    strata_oplist_clear(&c);
    strata_oplist_clear(&d);
    strata_schema_free(s);
}

static void create_tag(struct strata_op *op)
{
    strata_create_table(op, "tag", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true),
                        STRATA_COLUMN("label", STRATA_TEXT));
}

/* A referenced column renamed: the children's foreign keys follow it. */
static void rename_referenced_column(struct strata_op *op)
{
    strata_rename_column(op, "writer", "id", "writer_key");
}

static void drop_writer(struct strata_op *op)
{
    strata_drop_table(op, "writer");
}

/*
 * The hash tracker that replay uses (ops.h) re-hashes only the tables each revision can
 * change; after every revision of a history that touches tables through others (renames
 * of referenced tables and columns, drops of referenced tables), it must equal the hash
 * of the whole schema, while an untouched table ("tag") is never re-hashed wrongly.
 */
static void test_ops__hash_tracker_equals_the_whole_schema_hash(void **state)
{
    void (*const revisions[])(struct strata_op *) = {
        create_author, create_tag, create_book, create_book_tag, misc, alter_everything,
        rename_both, rename_referenced_column, drop_writer,
    };
    struct strata_schema *s = strata_schema_new();
    struct strata_hash_tracker tracker;
    char whole[65], tracked[65], previous[65] = "";

    (void)state;
    assert_int_equal(strata_hash_tracker_reset(&tracker, s), 0);
    for (size_t i = 0; i < sizeof(revisions) / sizeof(revisions[0]); i++) {
        struct strata_oplist l = { 0 };
        struct strata_error err = { 0 };

        assert_int_equal(strata_oplist_record(&l, revisions[i], &err), 0);
        assert_int_equal(strata_hash_tracker_before(&tracker, s, &l), 0);
        for (size_t k = 0; k < l.nops; k++)
            if (strata_schema_apply(s, &l.ops[k], &err) != 0)
                fail_msg("revision %zu, operation %zu: %s", i, k, err.message);
        assert_int_equal(strata_hash_tracker_after(&tracker, s, &l), 0);
        strata_hash_tracker_hex(&tracker, tracked);
        assert_int_equal(strata_schema_hash(s, whole), 0);
        if (strcmp(tracked, whole) != 0)
            fail_msg("revision %zu: tracker %s, whole schema %s", i, tracked, whole);
        /* `misc` adds and drops a column: same schema, same hash; the others change it. */
        if (revisions[i] == misc)
            assert_string_equal(whole, previous);
        else
            assert_string_not_equal(whole, previous);
        memcpy(previous, whole, sizeof(whole));
        strata_oplist_clear(&l);
    }
    assert_non_null(strata_schema_find_table(s, "tag"));
    strata_schema_free(s);
}

/*
 * A working copy (strata_schema_copy_shared) shares the tables' arrays with its source
 * until an operation changes them. Each prefix of a history of changes (renames of
 * referenced tables and columns included) is replayed onto a fresh copy, so every kind
 * of change is once the first to touch the shared tables: the source must stay exactly
 * as it was, and the copy must end as a deep copy given the same changes does.
 */
static void test_ops__shared_copy_leaves_its_source_alone(void **state)
{
    void (*const history[])(struct strata_op *) = {
        create_author, create_tag, create_book, create_book_tag,
    };
    /* Two histories of changes; each prefix of each is tried. */
    void (*const changes[][4])(struct strata_op *) = {
        { rename_both, rename_referenced_column, drop_writer, NULL },
        { misc, alter_everything, rename_both, drop_writer },
    };
    const size_t nchanges = 4 * 2;
    struct strata_schema *source = strata_schema_new();
    char *before = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(history) / sizeof(history[0]); i++) {
        struct strata_oplist l = { 0 };
        record_apply(source, history[i], &l);
        strata_oplist_clear(&l);
    }
    assert_int_equal(strata_schema_canonical(source, &before), 0);
    for (size_t n = 1; n <= nchanges; n++) {
        void (*const *seq)(struct strata_op *) = changes[(n - 1) / 4];
        size_t len = (n - 1) % 4 + 1;
        struct strata_schema *copy;
        struct strata_schema *expected;
        char *after = NULL, copy_hash[65], expected_hash[65];

        if (seq[len - 1] == NULL)
            continue;
        copy = strata_schema_copy_shared(source);
        expected = strata_schema_copy(source);
        assert_non_null(copy);
        assert_non_null(expected);
        for (size_t i = 0; i < len; i++) {
            struct strata_oplist a = { 0 }, b = { 0 };
            record_apply(copy, seq[i], &a);
            record_apply(expected, seq[i], &b);
            strata_oplist_clear(&a);
            strata_oplist_clear(&b);
        }
        assert_int_equal(strata_schema_canonical(source, &after), 0);
        if (strcmp(before, after) != 0)
            fail_msg("history %zu: the first %zu changes to the copy changed its source",
                     (n - 1) / 4, len);
        assert_int_equal(strata_schema_hash(copy, copy_hash), 0);
        assert_int_equal(strata_schema_hash(expected, expected_hash), 0);
        assert_string_equal(copy_hash, expected_hash);
        free(after);
        strata_schema_free(expected);
        strata_schema_free(copy);
    }
    free(before);
    strata_schema_free(source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops__create_table_generates_names),
        cmocka_unit_test(test_ops__composite_primary_key_keeps_key_order),
        cmocka_unit_test(test_ops__first_error_is_sticky),
        cmocka_unit_test(test_ops__drop_restores_schema_and_checksum_is_stable),
        cmocka_unit_test(test_ops__add_execute_hook_drop),
        cmocka_unit_test(test_ops__apply_refuses_what_does_not_fit),
        cmocka_unit_test(test_ops__renames_regenerate_generated_names),
        cmocka_unit_test(test_ops__alter_and_constraints_replay),
        cmocka_unit_test(test_ops__backfill_changes_checksum_not_schema),
        cmocka_unit_test(test_ops__alter_refusals),
        cmocka_unit_test(test_ops__hash_tracker_equals_the_whole_schema_hash),
        cmocka_unit_test(test_ops__shared_copy_leaves_its_source_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
