/*
 * Unit tests of the annotation grammar (generator/annotate.c): every value form, every
 * key on its target, and every error message with the column it points at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annotate.h"

struct fixture {
    struct strata_arena a;
    struct annotate_list list;
    struct diag d;
    char *out;
    size_t outlen;
};

/* Parses `text` (at line 3, column 10 of "m.h") for `target`; diagnostics into f->out. */
static int run(struct fixture *f, const char *text, enum annotate_target target)
{
    int rc;

    memset(f, 0, sizeof *f);
    f->d.out = open_memstream(&f->out, &f->outlen);
    assert_non_null(f->d.out);
    rc = annotate_parse(&f->list, &f->a, text, strlen(text), "m.h", 3, 10, false, target,
                        &f->d);
    fclose(f->d.out);
    return rc;
}

static void done(struct fixture *f)
{
    free(f->out);
    strata_arena_free(&f->a);
}

/* Asserts that `text` fails with exactly the one-line diagnostic `err`. */
static void fails(const char *text, enum annotate_target target, const char *err)
{
    struct fixture f;

    assert_int_equal(run(&f, text, target), -1);
    assert_string_equal(f.out, err);
    assert_int_equal(f.d.errors, 1);
    done(&f);
}

static void test_annotate__empty(void **state)
{
    struct fixture f;

    (void)state;
    assert_int_equal(run(&f, "", ANNOTATE_MODEL), 0);
    assert_int_equal(f.list.nitems, 0);
    assert_string_equal(f.out, "");
    done(&f);
    assert_int_equal(run(&f, "  /* nothing */ ", ANNOTATE_FIELD), 0);
    assert_int_equal(f.list.nitems, 0);
    done(&f);
}

static void test_annotate__forms_and_positions(void **state)
{
    struct fixture f;
    const struct annotate_item *it;

    (void)state;
    assert_int_equal(run(&f, "primary_key, default = 0,\n  references = author.id", ANNOTATE_FIELD),
                     0);
    assert_int_equal(f.list.nitems, 3);
    it = &f.list.items[0];
    assert_string_equal(it->key, "primary_key");
    assert_int_equal(it->form, ANNOTATE_BARE);
    assert_int_equal(it->line, 3);
    assert_int_equal(it->col, 10);
    it = &f.list.items[1];
    assert_int_equal(it->form, ANNOTATE_ASSIGN);
    assert_int_equal(it->values[0].kind, ANNOTATE_NUMBER);
    assert_string_equal(it->values[0].text, "0");
    assert_int_equal(it->values[0].col, 33);
    it = annotate_find(&f.list, "references");
    assert_non_null(it);
    assert_int_equal(it->line, 4);
    assert_int_equal(it->col, 3);
    assert_int_equal(it->values[0].kind, ANNOTATE_DOTTED);
    assert_string_equal(it->values[0].text, "author.id");
    assert_string_equal(it->values[0].first, "author");
    assert_string_equal(it->values[0].second, "id");
    assert_int_equal(it->values[0].col, 16);
    assert_int_equal(it->values[0].col2, 23);
    assert_null(annotate_find(&f.list, "unique"));
    done(&f);
}

static void test_annotate__values(void **state)
{
    struct fixture f;

    (void)state;
    assert_int_equal(run(&f, "default = -1.5", ANNOTATE_FIELD), 0);
    assert_string_equal(f.list.items[0].values[0].text, "-1.5");
    done(&f);
    assert_int_equal(run(&f, "default = +2e3", ANNOTATE_FIELD), 0);
    assert_string_equal(f.list.items[0].values[0].text, "2e3");
    done(&f);
    assert_int_equal(run(&f, "default = true", ANNOTATE_FIELD), 0);
    assert_int_equal(f.list.items[0].values[0].kind, ANNOTATE_TRUE);
    done(&f);
    assert_int_equal(run(&f, "default = false", ANNOTATE_FIELD), 0);
    assert_int_equal(f.list.items[0].values[0].kind, ANNOTATE_FALSE);
    done(&f);
    assert_int_equal(run(&f, "default = null", ANNOTATE_FIELD), 0);
    assert_int_equal(f.list.items[0].values[0].kind, ANNOTATE_NULL);
    done(&f);
    assert_int_equal(run(&f, "default = RED", ANNOTATE_FIELD), 0);
    assert_int_equal(f.list.items[0].values[0].kind, ANNOTATE_IDENT);
    assert_string_equal(f.list.items[0].values[0].text, "RED");
    done(&f);
    assert_int_equal(run(&f, "type = numeric( 10 , 2 )", ANNOTATE_FIELD), 0);
    assert_int_equal(f.list.items[0].values[0].kind, ANNOTATE_CALL);
    assert_string_equal(f.list.items[0].values[0].text, "numeric(10,2)");
    done(&f);
    assert_int_equal(run(&f, "type = date", ANNOTATE_FIELD), 0);
    assert_string_equal(f.list.items[0].values[0].text, "date");
    done(&f);
}

static void test_annotate__strings(void **state)
{
    struct fixture f;

    (void)state;
    assert_int_equal(run(&f, "check = \"a \\\"b\\\"\\n\\t\\x41\\101\" \" it's\"", ANNOTATE_FIELD),
                     0);
    assert_int_equal(f.list.items[0].values[0].kind, ANNOTATE_STRING);
    assert_string_equal(f.list.items[0].values[0].text, "a \"b\"\n\tAA it's");
    done(&f);
    assert_int_equal(run(&f, "comment = \"x\"\n   \"y\", name = \"z\"", ANNOTATE_FIELD), 0);
    assert_string_equal(f.list.items[0].values[0].text, "xy");
    assert_string_equal(f.list.items[1].values[0].text, "z");
    assert_int_equal(f.list.items[1].line, 4);
    assert_int_equal(f.list.items[1].col, 9);
    done(&f);
}

static void test_annotate__model_keys(void **state)
{
    struct fixture f;

    (void)state;
    assert_int_equal(run(&f,
                         "table = \"t\", renamed_from = \"old\", primary_key(a, b), "
                         "unique(a), unique(b, a), index(a), index(b), check(\"a > 0\"), "
                         "check(\"b > 0\"), comment = \"c\"",
                         ANNOTATE_MODEL),
                     0);
    assert_int_equal(f.list.nitems, 10);
    assert_int_equal(f.list.items[2].form, ANNOTATE_LIST);
    assert_int_equal(f.list.items[2].nvalues, 2);
    assert_string_equal(f.list.items[2].values[1].text, "b");
    assert_int_equal(f.list.items[2].values[1].col, 60);
    done(&f);
}

static void test_annotate__field_keys(void **state)
{
    struct fixture f;

    (void)state;
    assert_int_equal(run(&f,
                         "primary_key, autoincrement = false, nullable, default = 1, "
                         "default_sql = \"CURRENT_TIMESTAMP\", backfill = 'x', unique",
                         ANNOTATE_FIELD),
                     -1); /* a char literal is not a value */
    done(&f);
    assert_int_equal(run(&f,
                         "primary_key, autoincrement = false, not_null, default = 1, "
                         "default_sql = \"1\", backfill = 2, unique, index, "
                         "references = a.b, on_delete = set_null, on_update = restrict, "
                         "check = \"x\", type = bigint, name = \"n\", renamed_from = \"o\", "
                         "skip, comment = \"c\"",
                         ANNOTATE_FIELD),
                     0);
    assert_int_equal(f.list.nitems, 17);
    done(&f);
    assert_int_equal(run(&f, "autoincrement", ANNOTATE_FIELD), 0);
    done(&f);
    assert_true(annotate_key_allowed("skip", ANNOTATE_FIELD));
    assert_false(annotate_key_allowed("skip", ANNOTATE_MODEL));
    assert_true(annotate_key_allowed("table", ANNOTATE_MODEL));
    assert_false(annotate_key_allowed("tables", ANNOTATE_MODEL));
}

static void test_annotate__merge_detects_duplicates(void **state)
{
    struct fixture f;

    (void)state;
    assert_int_equal(run(&f, "table = \"a\"", ANNOTATE_MODEL), 0);
    free(f.out);
    f.d.out = open_memstream(&f.out, &f.outlen);
    assert_int_equal(annotate_parse(&f.list, &f.a, "table = \"b\"", 11, "m.h", 9, 3, false,
                                    ANNOTATE_MODEL, &f.d),
                     -1);
    fclose(f.d.out);
    assert_string_equal(f.out, "m.h:9:3: error: duplicate key 'table'\n");
    done(&f);
}

static void test_annotate__fixed_position(void **state)
{
    struct fixture f;

    (void)state;
    memset(&f, 0, sizeof f);
    f.d.out = open_memstream(&f.out, &f.outlen);
    assert_int_equal(annotate_parse(&f.list, &f.a, "index, bogus", 12, "m.h", 7, 5, true,
                                    ANNOTATE_FIELD, &f.d),
                     -1);
    fclose(f.d.out);
    assert_string_equal(f.out, "m.h:7:5: error: unknown key 'bogus'\n");
    done(&f);
}

static void test_annotate__errors(void **state)
{
    (void)state;
    fails("primray_key", ANNOTATE_FIELD, "m.h:3:10: error: unknown key 'primray_key'\n");
    fails("index, table = \"x\"", ANNOTATE_FIELD,
          "m.h:3:17: error: key 'table' is not allowed on a field\n");
    fails("skip", ANNOTATE_MODEL, "m.h:3:10: error: key 'skip' is not allowed on a model\n");
    fails("nullable, nullable", ANNOTATE_FIELD, "m.h:3:20: error: duplicate key 'nullable'\n");
    fails("unique, unique", ANNOTATE_FIELD, "m.h:3:18: error: duplicate key 'unique'\n");
    fails("table = \"a\", table = \"b\"", ANNOTATE_MODEL,
          "m.h:3:23: error: duplicate key 'table'\n");
    fails("default", ANNOTATE_FIELD, "m.h:3:10: error: missing value for key 'default'\n");
    fails("default(1)", ANNOTATE_FIELD,
          "m.h:3:10: error: key 'default' takes '= value', not a list\n");
    fails("autoincrement(true)", ANNOTATE_FIELD,
          "m.h:3:10: error: key 'autoincrement' takes '= value', not a list\n");
    fails("index", ANNOTATE_MODEL, "m.h:3:10: error: key 'index' takes a list: index(...)\n");
    fails("index()", ANNOTATE_MODEL, "m.h:3:10: error: missing value for key 'index'\n");
    fails("check(\"a\", \"b\")", ANNOTATE_MODEL,
          "m.h:3:21: error: key 'check' takes one expression per item\n");
    fails("primary_key = true", ANNOTATE_FIELD,
          "m.h:3:24: error: key 'primary_key' takes no value\n");
    fails("on_delete = explode", ANNOTATE_FIELD,
          "m.h:3:22: error: bad value 'explode' for key 'on_delete': expected cascade, "
          "set_null, restrict or no_action\n");
    fails("on_update = \"cascade\"", ANNOTATE_FIELD,
          "m.h:3:22: error: bad value for key 'on_update': expected cascade, set_null, "
          "restrict or no_action, found a string literal\n");
    fails("table = book", ANNOTATE_MODEL,
          "m.h:3:18: error: bad value 'book' for key 'table': expected a string literal\n");
    fails("references = author", ANNOTATE_FIELD,
          "m.h:3:23: error: bad value 'author' for key 'references': expected struct.field\n");
    fails("autoincrement = 1", ANNOTATE_FIELD,
          "m.h:3:26: error: bad value '1' for key 'autoincrement': expected true or false\n");
    fails("index(\"a\")", ANNOTATE_MODEL,
          "m.h:3:16: error: bad value for key 'index': expected a field name, found a string "
          "literal\n");
    fails("type = 3", ANNOTATE_FIELD,
          "m.h:3:17: error: bad value '3' for key 'type': expected a type name\n");
    fails("default = a.b", ANNOTATE_FIELD,
          "m.h:3:20: error: bad value 'a.b' for key 'default': expected a number, a string "
          "literal, true, false, null or an enum constant\n");
}

static void test_annotate__syntax_errors(void **state)
{
    (void)state;
    fails("index,", ANNOTATE_FIELD, "m.h:3:16: error: expected a key at end of annotation\n");
    fails("= 1", ANNOTATE_FIELD, "m.h:3:10: error: expected a key, found '='\n");
    fails("default =", ANNOTATE_FIELD,
          "m.h:3:19: error: expected a value at end of annotation\n");
    fails("default = ,", ANNOTATE_FIELD, "m.h:3:20: error: expected a value, found ','\n");
    fails("index unique", ANNOTATE_FIELD, "m.h:3:16: error: expected ',', found 'unique'\n");
    fails("index(a b)", ANNOTATE_MODEL, "m.h:3:18: error: expected ',' or ')', found 'b'\n");
    fails("check = \"abc", ANNOTATE_FIELD, "m.h:3:18: error: unterminated string literal\n");
    fails("check = \"a\\qb\"", ANNOTATE_FIELD,
          "m.h:3:18: error: bad escape sequence in string literal\n");
    fails("check = \"a\\0b\"", ANNOTATE_FIELD,
          "m.h:3:18: error: string literal contains a NUL byte\n");
    fails("default = 10abc", ANNOTATE_FIELD, "m.h:3:20: error: bad number '10abc'\n");
    fails("default = -x", ANNOTATE_FIELD, "m.h:3:21: error: expected a number, found 'x'\n");
    fails("references = a.", ANNOTATE_FIELD,
          "m.h:3:25: error: expected a field name after '.' at end of annotation\n");
    fails("type = numeric(10, x)", ANNOTATE_FIELD,
          "m.h:3:29: error: expected a number, found 'x'\n");
    fails("default = @", ANNOTATE_FIELD, "m.h:3:20: error: expected a value, found '@'\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annotate__empty),
        cmocka_unit_test(test_annotate__forms_and_positions),
        cmocka_unit_test(test_annotate__values),
        cmocka_unit_test(test_annotate__strings),
        cmocka_unit_test(test_annotate__model_keys),
        cmocka_unit_test(test_annotate__field_keys),
        cmocka_unit_test(test_annotate__merge_detects_duplicates),
        cmocka_unit_test(test_annotate__fixed_position),
        cmocka_unit_test(test_annotate__errors),
        cmocka_unit_test(test_annotate__syntax_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
