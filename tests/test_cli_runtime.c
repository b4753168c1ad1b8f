/*
 * Unit tests of strata_cli(), the app's `db` command line: what each subcommand prints
 * on stdout and stderr (captured through temporary files), its exit status, the URL
 * precedence (--url, STRATA_DATABASE_URL, the app's default), usage errors, and that
 * read-only commands never create the database.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <strata/strata.h>

/* ===== An in-test history ===== */

static void up_author(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
}

static void down_author(struct strata_op *op)
{
    strata_drop_table(op, "author");
}

static void up_book(struct strata_op *op)
{
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id"));
}

static void down_book(struct strata_op *op)
{
    strata_drop_table(op, "book");
}

static void up_bad(struct strata_op *op)
{
    strata_execute(op, "INSERT INTO nowhere VALUES (1)");
}

static const struct strata_revision rev_author = { "71785b8209b8", NULL, "create author", NULL,
                                                   up_author, down_author };
static const struct strata_revision rev_book = { "3f2a9c1d7e44", "71785b8209b8", "add book", NULL,
                                                 up_book, down_book };
static const struct strata_revision rev_bad = { "9c0ffee00bad", "3f2a9c1d7e44", "bad", NULL,
                                                up_bad, down_book };
static const struct strata_revision *const revisions[] = { &rev_author, &rev_book, &rev_bad };
static const struct strata_migrations good = { STRATA_ABI_VERSION, 2, revisions };
static const struct strata_migrations with_bad = { STRATA_ABI_VERSION, 3, revisions };

#define INFO "INFO  [strata.runtime] "
#define CONTEXT INFO "Context impl SQLite.\n" INFO "Will assume transactional DDL.\n"

/* ===== Helpers ===== */

struct fixture {
    char dir[64];
    char path[128];
    char url[160];
};

struct output {
    int status;
    char out[4096];
    char err[4096];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/strata-cli-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/app.db", f->dir);
    snprintf(f->url, sizeof(f->url), "sqlite:///%s", f->path);
    unsetenv("STRATA_DATABASE_URL");
    *state = f;
    return 0;
}

static void remove_file(const struct fixture *f, const char *name)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    unlink(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    remove_file(f, "app.db");
    remove_file(f, "env.db");
    remove_file(f, "option.db");
    rmdir(f->dir);
    free(f);
    unsetenv("STRATA_DATABASE_URL");
    return 0;
}

static void slurp(FILE *fp, char *out, size_t size)
{
    size_t n;

    rewind(fp);
    n = fread(out, 1, size - 1, fp);
    out[n] = '\0';
    fclose(fp);
}

/* Runs strata_cli with stdout and stderr captured; `args` is NULL-terminated. */
static void run(struct output *o, const char *url, const struct strata_migrations *m, ...)
{
    char *argv[16];
    int argc = 0;
    FILE *out = tmpfile();
    FILE *err = tmpfile();
    int saved_out = dup(STDOUT_FILENO);
    int saved_err = dup(STDERR_FILENO);
    va_list ap;

    assert_non_null(out);
    assert_non_null(err);
    va_start(ap, m);
    while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    o->status = strata_cli(url, m, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    slurp(out, o->out, sizeof(o->out));
    slurp(err, o->err, sizeof(o->err));
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("'%s' lacks '%s'", text, part);
}

static bool exists(const struct fixture *f, const char *name)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    return access(path, F_OK) == 0;
}

/* ===== Tests ===== */

static void test_cli_runtime__upgrade_logs_each_revision_applied(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &good, "upgrade", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, CONTEXT
                        INFO "Running upgrade  -> 71785b8209b8, create author\n"
                        INFO "Running upgrade 71785b8209b8 -> 3f2a9c1d7e44, add book\n");
    /* already at head: exit 0, nothing on stdout, no Running line */
    run(&o, f->url, &good, "upgrade", "head", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, CONTEXT);
}

static void test_cli_runtime__current_history_heads(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &good, "upgrade", NULL);
    run(&o, f->url, &good, "current", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "3f2a9c1d7e44 (head)\n");
    assert_string_equal(o.err, CONTEXT);
    run(&o, f->url, &good, "history", NULL);
    assert_int_equal(o.status, 0);
    /* issue 4: `db history` marks the database's revision (current) */
    assert_string_equal(o.out, "71785b8209b8 -> 3f2a9c1d7e44 (head) (current), add book\n"
                               "<base> -> 71785b8209b8, create author\n");
    run(&o, f->url, &good, "heads", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "3f2a9c1d7e44 (head)\n");
    run(&o, f->url, &good, "downgrade", NULL);
    run(&o, f->url, &good, "current", NULL);
    assert_string_equal(o.out, "71785b8209b8\n");
}

static void test_cli_runtime__downgrade_to_base_then_refuses(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &good, "upgrade", NULL);
    run(&o, f->url, &good, "downgrade", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err,
                        CONTEXT INFO "Running downgrade 3f2a9c1d7e44 -> 71785b8209b8, add book\n");
    run(&o, f->url, &good, "downgrade", "-1", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, CONTEXT INFO "Running downgrade 71785b8209b8 -> , create author\n");
    run(&o, f->url, &good, "current", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "");
    run(&o, f->url, &good, "downgrade", NULL);
    assert_int_equal(o.status, 1);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, CONTEXT "ERROR [strata.runtime] the database is at base: there is "
                                       "nothing to downgrade\n");
}

static void test_cli_runtime__read_only_commands_create_nothing(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &good, "current", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "");
    run(&o, f->url, &good, "history", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &good, "heads", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &good, "downgrade", "base", NULL);
    assert_int_equal(o.status, 0);
    assert_false(exists(f, "app.db"));
}

static void test_cli_runtime__url_option_beats_environment_beats_argument(void **state)
{
    struct fixture *f = *state;
    char env_url[200], option_url[200];
    struct output o;

    snprintf(env_url, sizeof(env_url), "sqlite:///%s/env.db", f->dir);
    snprintf(option_url, sizeof(option_url), "sqlite:///%s/option.db", f->dir);
    setenv("STRATA_DATABASE_URL", env_url, 1);
    run(&o, f->url, &good, "upgrade", "--url", option_url, NULL);
    assert_int_equal(o.status, 0);
    assert_true(exists(f, "option.db"));
    assert_false(exists(f, "env.db"));
    assert_false(exists(f, "app.db"));
    run(&o, f->url, &good, "--url", option_url, "current", NULL);
    assert_string_equal(o.out, "3f2a9c1d7e44 (head)\n");
    run(&o, f->url, &good, "upgrade", "+1", NULL);
    assert_int_equal(o.status, 0);
    assert_true(exists(f, "env.db"));
    assert_false(exists(f, "app.db"));
    unsetenv("STRATA_DATABASE_URL");
    run(&o, f->url, &good, "current", NULL);
    assert_string_equal(o.out, "");
    assert_false(exists(f, "app.db"));
}

static void test_cli_runtime__usage_errors_exit_2(void **state)
{
    static const char *const cases[][4] = {
        { "nosuch", NULL, NULL, "No such command 'nosuch'." },
        { "upgrade", "a", "b", "Got unexpected extra argument (b)" },
        { "current", "--sql", NULL, "No such option: --sql" },
        { "current", "--url", NULL, "Option '--url' requires an argument." },
        { "heads", "extra", NULL, "Got unexpected extra argument (extra)" },
    };
    struct fixture *f = *state;
    struct output o;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run(&o, f->url, &good, (char *)cases[i][0], (char *)cases[i][1], (char *)cases[i][2],
            NULL);
        assert_int_equal(o.status, 2);
        assert_string_equal(o.out, "");
        assert_contains(o.err, "Usage: db");
        assert_contains(o.err, cases[i][3]);
    }
    run(&o, f->url, &good, NULL);
    assert_int_equal(o.status, 2);
    assert_contains(o.err, "Missing command.");
    run(&o, NULL, &good, "upgrade", NULL);
    assert_int_equal(o.status, 2);
    assert_contains(o.err, "No database URL");
    run(&o, "mysql://nope", &good, "upgrade", NULL);
    assert_int_equal(o.status, 2);
    assert_contains(o.err, "ERROR [strata.runtime] unsupported database URL 'mysql://nope'");
    assert_false(exists(f, "app.db"));
}

static void test_cli_runtime__help(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &good, "--help", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "Usage: db [OPTIONS] COMMAND [ARGS]...");
    assert_contains(o.out, "  upgrade ");
    assert_contains(o.out, "  downgrade ");
    assert_string_equal(o.err, "");
    run(&o, f->url, &good, "help", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "Usage: db [OPTIONS] COMMAND [ARGS]...");
    run(&o, f->url, &good, "upgrade", "--help", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "Usage: db upgrade [OPTIONS] [TARGET]");
    assert_contains(o.out, "+N or -N");
    run(&o, f->url, &good, "help", "downgrade", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "Usage: db downgrade [OPTIONS] [TARGET]");
    assert_false(exists(f, "app.db"));
}

static void test_cli_runtime__failing_revision_exits_1_naming_it(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &with_bad, "upgrade", NULL);
    assert_int_equal(o.status, 1);
    assert_string_equal(o.out, "");
    assert_contains(o.err, INFO "Running upgrade 3f2a9c1d7e44 -> 9c0ffee00bad, bad\n");
    assert_contains(o.err, "\nERROR [strata.runtime] revision 9c0ffee00bad (bad): upgrade failed "
                           "at operation 1, execute: no such table: nowhere\n");
    run(&o, f->url, &with_bad, "current", NULL);
    assert_string_equal(o.out, "3f2a9c1d7e44\n");
}

static void test_cli_runtime__unknown_database_revision_exits_1(void **state)
{
    struct fixture *f = *state;
    struct output o;
    sqlite3 *conn = NULL;

    run(&o, f->url, &with_bad, "upgrade", "9c0ffee00bad", NULL);
    assert_int_equal(o.status, 1);
    assert_int_equal(sqlite3_open(f->path, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn, "UPDATE strata_version SET version_num = 'aaaa'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(conn);
    run(&o, f->url, &good, "current", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "ERROR [strata.runtime] database is at revision aaaa, which this "
                           "application does not contain\n");
    run(&o, f->url, &good, "upgrade", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "database is at revision aaaa");
}

static void test_cli_runtime__leaves_getopt_state_alone(void **state)
{
    struct fixture *f = *state;
    struct output o;

    optind = 7;
    opterr = 0;
    run(&o, f->url, &good, "upgrade", "--url", f->url, NULL);
    assert_int_equal(o.status, 0);
    assert_int_equal(optind, 7);
    assert_int_equal(opterr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_runtime__upgrade_logs_each_revision_applied,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__current_history_heads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__downgrade_to_base_then_refuses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__read_only_commands_create_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cli_runtime__url_option_beats_environment_beats_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__usage_errors_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__failing_revision_exits_1_naming_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__unknown_database_revision_exits_1,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_runtime__leaves_getopt_state_alone, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
