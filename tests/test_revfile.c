/*
 * Unit tests of reading revision files back (revfile.c): STRATA_REVISION arguments
 * decoded as C string literals, located errors, and the revision graph helpers (heads,
 * parents-first order, duplicate ids, missing parents).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "revfile.h"

struct fixture {
    char dir[64];
    char *log; /* what the diag wrote */
    size_t loglen;
    struct diag d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char path[128];

    assert_non_null(f);
    strcpy(f->dir, "/tmp/test_revfile.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(path, sizeof path, "%s/versions", f->dir);
    assert_int_equal(mkdir(path, 0777), 0);
    diag_init(&f->d);
    f->d.out = open_memstream(&f->log, &f->loglen);
    assert_non_null(f->d.out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    fclose(f->d.out);
    free(f->log);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* What the diag wrote so far. */
static const char *logged(struct fixture *f)
{
    fflush(f->d.out);
    return f->log;
}

static void put(struct fixture *f, const char *name, const char *text)
{
    char path[256];
    FILE *out;

    snprintf(path, sizeof path, "%s/versions/%s", f->dir, name);
    out = fopen(path, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

/* A minimal revision file for `id` revising `parents` (a C expression). */
static void put_rev(struct fixture *f, const char *name, const char *id, const char *parents)
{
    char text[512];

    snprintf(text, sizeof text,
             "#include <strata/migration.h>\n"
             "static void upgrade(struct strata_op *op) { (void)op; }\n"
             "static void downgrade(struct strata_op *op) { (void)op; }\n"
             "STRATA_REVISION(\"%s\", %s, \"msg %s\", NULL, upgrade, downgrade);\n",
             id, parents, id);
    put(f, name, text);
}

static void test_revfile__reads_arguments(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    char path[128];

    put(f, "0001_create_author.c",
        "/*\n"
        " * create author\n"
        " *\n"
        " * Revision ID: 3f2a9c1d7e44\n"
        " * Revises:\n"
        " * Create Date: 2026-11-29 18:40:02 UTC\n"
        " */\n"
        "#include <strata/migration.h>\n"
        "\n"
        "static void upgrade(struct strata_op *op)\n"
        "{\n"
        "    strata_create_table(op, \"author\",\n"
        "        STRATA_COLUMN(\"id\", STRATA_BIGINT, .primary_key = true));\n"
        "}\n"
        "\n"
        "static void downgrade(struct strata_op *op) { strata_drop_table(op, \"author\"); }\n"
        "\n"
        "STRATA_REVISION(\"3f2a9c1d7e44\", NULL,\n"
        "                \"create \\\"author\\\"\" \" \\x41\\101\\u00e9\\n\", \"abc\", upgrade,"
        " downgrade);\n");
    put(f, "README", "not a revision\n");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), 0);
    assert_int_equal(l.count, 1);
    snprintf(path, sizeof path, "%s/versions/0001_create_author.c", f->dir);
    assert_string_equal(l.items[0].path, path);
    assert_string_equal(l.items[0].name, "0001_create_author.c");
    assert_int_equal(l.items[0].number, 1);
    assert_string_equal(l.items[0].id, "3f2a9c1d7e44");
    assert_null(l.items[0].parents);
    assert_int_equal(l.items[0].nparents, 0);
    assert_string_equal(l.items[0].message, "create \"author\" AA\xc3\xa9\n");
    assert_string_equal(l.items[0].schema_hash, "abc");
    assert_string_equal(l.items[0].create_date, "2026-11-29 18:40:02 UTC");
    assert_int_equal(l.items[0].line, 18);
    assert_int_equal(l.items[0].column, 1);
    revlist_free(&l);
    assert_string_equal(logged(f), "");
}

static void test_revfile__splits_parents(void **state)
{
    struct fixture *f = *state;
    struct revlist l;

    put_rev(f, "0001_a.c", "a", "NULL");
    put_rev(f, "0002_b.c", "b", "\"a\"");
    put_rev(f, "0003_c.c", "c", "\"a\"");
    put_rev(f, "0004_m.c", "m", "\"b \" \"c\"");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), 0);
    assert_int_equal(l.count, 4);
    assert_string_equal(l.items[3].parents, "b c");
    assert_int_equal(l.items[3].nparents, 2);
    assert_string_equal(l.items[3].parent_ids[0], "b");
    assert_string_equal(l.items[3].parent_ids[1], "c");
    assert_int_equal(revlist_check(&l, &f->d), 0);
    revlist_free(&l);
}

static void test_revfile__missing_macro_located_at_end(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    char expected[256];

    put(f, "0002_x.c", "/* nothing */\nint x;\n");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), -1);
    assert_int_equal(l.count, 0);
    snprintf(expected, sizeof expected,
             "%s/versions/0002_x.c:3:1: error: no STRATA_REVISION(...) in revision file\n",
             f->dir);
    assert_string_equal(logged(f), expected);
}

static void test_revfile__not_a_literal_located(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    char expected[256];

    put(f, "0001_x.c",
        "#include <strata/migration.h>\n"
        "#define ID \"abc\"\n"
        "STRATA_REVISION(ID, NULL, \"m\", NULL, upgrade, downgrade);\n");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), -1);
    snprintf(expected, sizeof expected,
             "%s/versions/0001_x.c:3:17: error: STRATA_REVISION: revision id not a string "
             "literal\n",
             f->dir);
    assert_string_equal(logged(f), expected);
}

static void test_revfile__invalid_id_and_arity(void **state)
{
    struct fixture *f = *state;
    struct revlist l;

    put(f, "0001_x.c",
        "#include <strata/migration.h>\n"
        "STRATA_REVISION(\"Bad-Id\", NULL, \"m\", NULL, upgrade, downgrade);\n");
    put(f, "0002_y.c",
        "#include <strata/migration.h>\n"
        "STRATA_REVISION(\"y\", NULL, \"m\", upgrade, downgrade);\n");
    put(f, "x.c", "STRATA_REVISION(\"z\", NULL, \"m\", NULL, upgrade, downgrade);\n");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), -1);
    assert_int_equal(f->d.errors, 3);
    assert_non_null(strstr(logged(f), "0001_x.c:2:17: error: invalid revision id 'Bad-Id'"));
    assert_non_null(strstr(logged(f), "0002_y.c:2:1: error: STRATA_REVISION takes 6 arguments"));
    assert_non_null(strstr(logged(f), "x.c: error: revision file name does not start with"));
}

static void test_revfile__missing_versions_is_empty(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    char path[128];

    snprintf(path, sizeof path, "%s/versions", f->dir);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(revlist_load(&l, f->dir, &f->d), 0);
    assert_int_equal(l.count, 0);
    assert_int_equal(f->d.errors, 0);
}

static void test_revfile__heads_and_order(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    size_t idx[4];

    /* File numbers out of graph order: the order follows the graph. */
    put_rev(f, "0001_c.c", "c", "\"b\"");
    put_rev(f, "0002_a.c", "a", "NULL");
    put_rev(f, "0003_b.c", "b", "\"a\"");
    put_rev(f, "0004_d.c", "d", "\"a\"");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), 0);
    assert_int_equal(revlist_heads(&l, idx), 2);
    assert_string_equal(l.items[idx[0]].id, "c");
    assert_string_equal(l.items[idx[1]].id, "d");
    assert_true(revlist_is_head(&l, 0));
    assert_false(revlist_is_head(&l, 1));
    revlist_order(&l, idx);
    assert_string_equal(l.items[idx[0]].id, "a");
    assert_string_equal(l.items[idx[1]].id, "b");
    assert_string_equal(l.items[idx[2]].id, "c");
    assert_string_equal(l.items[idx[3]].id, "d");
    assert_int_equal(revlist_find(&l, "d"), 3);
    assert_int_equal(revlist_find(&l, "zz"), -1);
    revlist_free(&l);
}

static void test_revfile__duplicate_and_missing_parent(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    char expected[512];

    put_rev(f, "0001_a.c", "a", "NULL");
    put_rev(f, "0002_a.c", "a", "\"a\"");
    put_rev(f, "0003_b.c", "b", "\"gone\"");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), 0);
    assert_int_equal(revlist_check(&l, &f->d), 2);
    snprintf(expected, sizeof expected,
             "%s/versions/0002_a.c:4:1: error: duplicate revision id 'a'\n"
             "%s/versions/0001_a.c:4:1: note: previously declared here\n"
             "%s/versions/0003_b.c:4:1: error: revision 'b' revises 'gone', which no "
             "revision file defines\n",
             f->dir, f->dir, f->dir);
    assert_string_equal(logged(f), expected);
    revlist_free(&l);
}

static void test_revfile__cycle(void **state)
{
    struct fixture *f = *state;
    struct revlist l;
    size_t idx[2];

    put_rev(f, "0001_a.c", "a", "\"b\"");
    put_rev(f, "0002_b.c", "b", "\"a\"");
    assert_int_equal(revlist_load(&l, f->dir, &f->d), 0);
    assert_int_equal(revlist_check(&l, &f->d), 2);
    assert_non_null(strstr(logged(f), "revision 'a' is part of a cycle"));
    revlist_order(&l, idx);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    revlist_free(&l);
}

static void test_revfile__valid_id(void **state)
{
    (void)state;
    assert_true(revfile_valid_id("3f2a9c1d7e44"));
    assert_true(revfile_valid_id("rev_1"));
    assert_true(revfile_valid_id("abcdefghijklmnopqrstuvwxyz012345"));
    assert_false(revfile_valid_id("abcdefghijklmnopqrstuvwxyz0123456"));
    assert_false(revfile_valid_id(""));
    assert_false(revfile_valid_id("Rev"));
    assert_false(revfile_valid_id("a-b"));
    assert_false(revfile_valid_id(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_revfile__reads_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revfile__splits_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revfile__missing_macro_located_at_end, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_revfile__not_a_literal_located, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revfile__invalid_id_and_arity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revfile__missing_versions_is_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_revfile__heads_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revfile__duplicate_and_missing_parent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_revfile__cycle, setup, teardown),
        cmocka_unit_test(test_revfile__valid_id),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
