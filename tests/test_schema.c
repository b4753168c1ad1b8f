/*
 * Unit tests of the shared schema model: SHA-256, generated names, type names, the
 * canonical form (order-insensitive, injection-proof) and the first-difference report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"

static void test_schema__sha256_known_vectors(void **state)
{
    char hex[65];
    char million[1000];

    (void)state;
    strata_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    strata_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    strata_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(million, 'a', sizeof(million));
    strata_sha256_hex(million, sizeof(million), hex);
    assert_string_equal(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

static void test_schema__names_short_and_long(void **state)
{
    char name[STRATA_NAME_MAX + 1];
    char long_table[61];
    char full[200], hex[65];

    (void)state;
    strata_make_name(name, "ix", (const char *const[]){ "book", "author_id", "title", NULL });
    assert_string_equal(name, "ix_book_author_id_title");

    memset(long_table, 't', 60);
    long_table[60] = '\0';
    strata_make_name(name, "fk", (const char *const[]){ long_table, "author_id", "author", NULL });
    snprintf(full, sizeof(full), "fk_%s_author_id_author", long_table);
    strata_sha256_hex(full, strlen(full), hex);
    assert_int_equal(strlen(name), 63);
    assert_memory_equal(name, full, 54);
    assert_int_equal(name[54], '_');
    assert_memory_equal(name + 55, hex, 8);

    strata_check_name(name, "book", "price >= 0");
    strata_sha256_hex("price >= 0", 10, hex);
    assert_memory_equal(name, "ck_book_", 8);
    assert_memory_equal(name + 8, hex, 8);
    assert_int_equal(strlen(name), 16);
}

/* Bug: a long name was cut at byte 54 even inside a UTF-8 character ("ix_group_ééé..."),
 * so the snapshot (JSON) could not hold it. The cut now backs off to a character start. */
static void test_schema__long_utf8_name_not_cut_mid_character(void **state)
{
    char name[STRATA_NAME_MAX + 1];
    char col[61];
    char full[200], hex[65];

    (void)state;
    /* "ix_group_" is 9 bytes, then 2-byte characters: byte 54 is a continuation byte. */
    for (size_t i = 0; i < 30; i++)
        memcpy(col + 2 * i, "\xc3\xa9", 2);
    col[60] = '\0';
    strata_make_name(name, "ix", (const char *const[]){ "group", col, NULL });
    snprintf(full, sizeof(full), "ix_group_%s", col);
    strata_sha256_hex(full, strlen(full), hex);
    assert_int_equal(strlen(name), 62);
    assert_memory_equal(name, full, 53);
    assert_int_equal(name[53], '_');
    assert_memory_equal(name + 54, hex, 8);
    for (size_t i = 9; i < 53; i += 2)
        assert_memory_equal(name + i, "\xc3\xa9", 2);
}

static void test_schema__type_round_trip(void **state)
{
    static const char *const names[] = { "smallint", "integer",   "bigint",     "boolean",
                                         "real",     "double",    "varchar(200)", "text",
                                         "blob",     "numeric(10,2)", "date",   "datetime",
                                         "timestamp", "json",     "uuid" };
    struct strata_type t;
    char buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_int_equal(strata_type_parse(names[i], &t), 0);
        assert_string_equal(strata_type_format(buf, sizeof(buf), t), names[i]);
    }
    assert_int_equal(strata_type_parse("numeric(10, 2)", &t), 0);
    assert_int_equal(t.length, 10);
    assert_int_equal(t.scale, 2);
    assert_int_not_equal(strata_type_parse("varchar", &t), 0);
    assert_int_not_equal(strata_type_parse("varchar(0)", &t), 0);
    assert_int_not_equal(strata_type_parse("numeric(2,3)", &t), 0);
    assert_int_not_equal(strata_type_parse("bigint(3)", &t), 0);
    assert_int_not_equal(strata_type_parse("int", &t), 0);
    assert_int_not_equal(strata_type_parse("varchar(12)x", &t), 0);
}

/* A two-column table; `swap` declares the columns in the other order. */
static struct strata_schema *make_schema(int swap, const char *isbn_default)
{
    struct strata_schema *s = strata_schema_new();
    struct strata_table *t = strata_schema_add_table(s, "book");
    struct strata_column *c;
    const char *order[2] = { swap ? "isbn" : "id", swap ? "id" : "isbn" };

    for (int i = 0; i < 2; i++) {
        c = strata_table_add_column(&s->arena, t, order[i]);
        if (strcmp(order[i], "id") == 0) {
            c->type = STRATA_BIGINT;
            c->autoincrement = true;
        } else {
            c->type = STRATA_TEXT;
            c->nullable = true;
            c->default_value = strata_arena_strdup(&s->arena, isbn_default);
        }
    }
    strata_table_set_primary_key(&s->arena, t, (const char *const[]){ "id" }, 1);
    strata_table_add_index(&s->arena, t, "uq_book_isbn", (const char *const[]){ "isbn" }, 1, true);
    return s;
}

static void test_schema__canonical_ignores_order(void **state)
{
    struct strata_schema *a = make_schema(0, NULL), *b = make_schema(1, NULL);
    char ha[65], hb[65], what[200];

    (void)state;
    assert_int_equal(strata_schema_hash(a, ha), 0);
    assert_int_equal(strata_schema_hash(b, hb), 0);
    assert_string_equal(ha, hb);
    assert_int_equal(strata_schema_diff_first(a, b, what, sizeof(what)), 0);
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_schema__canonical_strings_cannot_forge_lines(void **state)
{
    /* A default containing what looks like another attribute must hash differently. */
    struct strata_schema *a = make_schema(0, "'x' check=1:y");
    struct strata_schema *b = make_schema(0, "'x'");
    char ha[65], hb[65], what[200];

    (void)state;
    strata_table_find_column(&b->tables[0], "isbn")->check = "y";
    strata_schema_hash(a, ha);
    strata_schema_hash(b, hb);
    assert_string_not_equal(ha, hb);
    assert_int_equal(strata_schema_diff_first(a, b, what, sizeof(what)), 1);
    assert_string_equal(what, "table book: column isbn differs");
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_schema__diff_first_names_the_difference(void **state)
{
    struct strata_schema *a = make_schema(0, NULL), *b = make_schema(0, NULL);
    char what[200];

    (void)state;
    b->tables[0].nindexes = 0;
    assert_int_equal(strata_schema_diff_first(a, b, what, sizeof(what)), 1);
    assert_string_equal(what, "table book: index uq_book_isbn missing");
    assert_int_equal(strata_schema_diff_first(b, a, what, sizeof(what)), 1);
    assert_string_equal(what, "table book: unexpected index uq_book_isbn");
    b->tables[0].nindexes = 1;
    strata_schema_add_table(b, "extra");
    assert_int_equal(strata_schema_diff_first(b, a, what, sizeof(what)), 1);
    assert_string_equal(what, "table extra missing");
    strata_schema_free(a);
    strata_schema_free(b);
}

static void test_schema__copy_is_deep_and_equal(void **state)
{
    struct strata_schema *a = make_schema(0, "'x'");
    struct strata_schema *b = strata_schema_copy(a);
    char ha[65], hb[65];

    (void)state;
    assert_non_null(b);
    assert_ptr_not_equal(a->tables[0].columns[1].default_value, b->tables[0].columns[1].default_value);
    strata_schema_hash(a, ha);
    strata_schema_free(a);
    strata_schema_hash(b, hb);
    assert_string_equal(ha, hb);
    strata_schema_free(b);
}

/* Every table of `s` is found by its name, and `absent` is not. */
static void assert_lookups(const struct strata_schema *s, const char *absent)
{
    for (size_t i = 0; i < s->ntables; i++)
        assert_ptr_equal(strata_schema_find_table(s, s->tables[i].name), &s->tables[i]);
    assert_null(strata_schema_find_table(s, absent));
}

/*
 * Lookups by name are indexed from 16 tables on (schema.c); the index must follow every
 * way the table list changes: appends (also across the array growing), removals,
 * renames, and a removal followed by an append that leaves the count unchanged.
 */
static void test_schema__table_lookup_follows_every_change(void **state)
{
    struct strata_schema *s = strata_schema_new();
    char name[32];

    (void)state;
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "t%02d", i);
        assert_non_null(strata_schema_add_table(s, name));
        assert_lookups(s, "missing");
    }
    strata_schema_remove_table(s, strata_schema_find_table(s, "t07"));
    assert_lookups(s, "t07");
    assert_int_equal(strata_schema_rename_table(s, strata_schema_find_table(s, "t20"), "renamed"),
                     0);
    assert_lookups(s, "t20");
    assert_non_null(strata_schema_find_table(s, "renamed"));
    strata_schema_remove_table(s, strata_schema_find_table(s, "t30"));
    assert_non_null(strata_schema_add_table(s, "newcomer"));
    assert_int_equal(s->ntables, 39);
    assert_lookups(s, "t30");
    assert_non_null(strata_schema_find_table(s, "newcomer"));
    strata_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema__sha256_known_vectors),
        cmocka_unit_test(test_schema__names_short_and_long),
        cmocka_unit_test(test_schema__long_utf8_name_not_cut_mid_character),
        cmocka_unit_test(test_schema__type_round_trip),
        cmocka_unit_test(test_schema__canonical_ignores_order),
        cmocka_unit_test(test_schema__canonical_strings_cannot_forge_lines),
        cmocka_unit_test(test_schema__diff_first_names_the_difference),
        cmocka_unit_test(test_schema__copy_is_deep_and_equal),
        cmocka_unit_test(test_schema__table_lookup_follows_every_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
