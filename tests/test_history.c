/*
 * Tests of the history commands of issue 4 through strata_cli(): a fork and its merge
 * (the multiple-heads refusal, `upgrade heads`, an upgrade through the merge), `stamp`
 * (and --purge), `show`, `history` marking (current), target forms, a database at an
 * unknown revision, checksums of revisions edited after they were applied, the drift
 * check of `db check` (a hand-made ALTER TABLE, a dropped index), and offline SQL:
 * `upgrade --sql` / `downgrade --sql` piped into `sqlite3 -bail` give the schema and rows
 * the online run gives, for a history that rebuilds a table; a hook is refused; a
 * rebuild's new foreign key violation aborts the script.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <strata/strata.h>

/* ===== In-test histories ===== */

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
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0"));
    strata_create_index(op, "ix_book_title", "book", "title");
}

static void down_book(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_table(op, "book");
}

/* The same revision edited after it was applied: one more column. */
static void up_book_edited(struct strata_op *op)
{
    up_book(op);
    strata_add_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .nullable = true));
}

/* A rebuild (alter_column and a new check) and a native add. */
static void up_price(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_REAL, .default_value = "1"));
    strata_create_check_constraint(op, "ck_book_price_pos", "book", "price >= 0");
    strata_add_column(op, "book", STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true));
}

static void down_price(struct strata_op *op)
{
    strata_drop_column(op, "book", "isbn");
    strata_drop_constraint(op, "ck_book_price_pos", "book");
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0"));
}

static void up_tag(struct strata_op *op)
{
    strata_create_table(op, "tag", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
}

static void down_tag(struct strata_op *op)
{
    strata_drop_table(op, "tag");
}

static void up_note(struct strata_op *op)
{
    strata_create_table(op, "note", STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true));
}

static void down_note(struct strata_op *op)
{
    strata_drop_table(op, "note");
}

static int fill(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    (void)conn;
    (void)dialect;
    (void)errmsg;
    (void)errsize;
    return 0;
}

static void up_hook(struct strata_op *op)
{
    strata_run_hook(op, "fill_names", fill);
}

/* A foreign key the existing rows violate: the rebuild must refuse it. */
static void up_fk(struct strata_op *op)
{
    strata_add_column(op, "tag", STRATA_COLUMN("book_id", STRATA_BIGINT, .nullable = true));
    strata_execute(op, "INSERT INTO tag (id, book_id) VALUES (7, 999)");
    strata_create_foreign_key(op, "fk_tag_book_id_book", "tag", "book_id", "book.id",
                              STRATA_NO_ACTION, STRATA_NO_ACTION);
}

static const struct strata_revision r_author = { "aa0001", NULL, "create author", NULL,
                                                 up_author, down_author };
static const struct strata_revision r_book = { "bb0002", "aa0001", "add book", NULL, up_book,
                                               down_book };
static const struct strata_revision r_book_edited = { "bb0002", "aa0001", "add book", NULL,
                                                      up_book_edited, down_book };
static const struct strata_revision r_price = { "cc0003", "bb0002", "price real", NULL,
                                                up_price, down_price };
static const struct strata_revision r_tag = { "dd0004", "cc0003", "add tag", NULL, up_tag,
                                              down_tag };
static const struct strata_revision r_note = { "ee0004", "cc0003", "add note", NULL, up_note,
                                               down_note };
static const struct strata_revision r_merge = { "ff0005", "dd0004 ee0004", "merge", NULL, NULL,
                                                NULL };
static const struct strata_revision r_hook = { "hh0004", "cc0003", "fill names", NULL, up_hook,
                                               NULL };
static const struct strata_revision r_fk = { "kk0005", "dd0004", "tag book", NULL, up_fk,
                                             NULL };

static const struct strata_revision *const linear_revs[] = { &r_author, &r_book, &r_price,
                                                             &r_tag };
static const struct strata_migrations linear = { STRATA_ABI_VERSION, 4, linear_revs };
static const struct strata_revision *const edited_revs[] = { &r_author, &r_book_edited,
                                                             &r_price, &r_tag };
static const struct strata_migrations edited = { STRATA_ABI_VERSION, 4, edited_revs };
static const struct strata_revision *const forked_revs[] = { &r_author, &r_book, &r_price,
                                                             &r_tag, &r_note, &r_merge };
static const struct strata_migrations forked = { STRATA_ABI_VERSION, 5, forked_revs };
static const struct strata_migrations merged = { STRATA_ABI_VERSION, 6, forked_revs };
static const struct strata_revision *const hook_revs[] = { &r_author, &r_book, &r_price,
                                                           &r_hook };
static const struct strata_migrations hooked = { STRATA_ABI_VERSION, 4, hook_revs };
static const struct strata_revision *const fk_revs[] = { &r_author, &r_book, &r_price, &r_tag,
                                                         &r_fk };
static const struct strata_migrations fk = { STRATA_ABI_VERSION, 5, fk_revs };

/* ===== Helpers ===== */

struct fixture {
    char dir[64];
    char url[160];
    char url2[160];
};

struct output {
    int status;
    char out[65536];
    char err[8192];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/strata-history-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite:///%s/online.db", f->dir);
    snprintf(f->url2, sizeof(f->url2), "sqlite:///%s/offline.db", f->dir);
    unsetenv("STRATA_DATABASE_URL");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
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

/* Runs strata_cli with stdout and stderr captured; the arguments end with NULL. */
static void run(struct output *o, const char *url, const struct strata_migrations *m, ...)
{
    char *argv[16];
    int argc = 0;
    FILE *out = tmpfile(), *err = tmpfile();
    int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
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

static const char *path_of(const char *url)
{
    return url + strlen("sqlite:///");
}

/* Runs SQL on the database of `url`. */
static void exec_on(const char *url, const char *sql)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(path_of(url), &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static int append_row(void *ctx, int n, char **values, char **names)
{
    char *out = ctx;

    (void)names;
    for (int i = 0; i < n; i++) {
        strncat(out, values[i] ? values[i] : "NULL", 65535 - strlen(out));
        strncat(out, "|", 65535 - strlen(out));
    }
    strncat(out, "\n", 65535 - strlen(out));
    return 0;
}

/*
 * The comparable state of a database: its schema text (strata's history table aside,
 * whose times differ), its versions and every row of the app's tables.
 */
static void dump(const char *url, char *out)
{
    static const char *const queries[] = {
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' "
        "ORDER BY type, name",
        "SELECT version_num FROM strata_version ORDER BY 1",
        "SELECT revision, direction, checksum FROM strata_history ORDER BY id",
        "SELECT * FROM author ORDER BY id",
        "SELECT * FROM book ORDER BY id",
    };
    sqlite3 *db = NULL;

    out[0] = '\0';
    assert_int_equal(sqlite3_open(path_of(url), &db), SQLITE_OK);
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        strncat(out, "--\n", 65535 - strlen(out));
        sqlite3_exec(db, queries[i], append_row, out, NULL); /* a missing table: no rows */
    }
    sqlite3_close(db);
}

/* Pipes `script` into `sqlite3 -bail` on the database of `url`; returns its status. */
static int sqlite3_cli(const struct fixture *f, const char *url, const char *script)
{
    char path[128], cmd[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/script.sql", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(script, fp);
    fclose(fp);
    snprintf(cmd, sizeof(cmd), "sqlite3 -bail '%s' < '%s' > /dev/null 2>&1", path_of(url), path);
    return system(cmd);
}

static bool have_sqlite3_cli(void)
{
    return system("sqlite3 -version > /dev/null 2>&1") == 0;
}

/* ===== A fork and its merge ===== */

static void test_history__multiple_heads_refused_then_heads_then_merge(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &forked, "upgrade", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "the history has 2 heads (dd0004, ee0004)");
    assert_contains(o.err, "strata merge -m \"merge heads\" dd0004 ee0004");
    run(&o, f->url, &forked, "upgrade", "head", NULL);
    assert_int_equal(o.status, 1);
    run(&o, f->url, &forked, "upgrade", "heads", NULL);
    if (o.status != 0)
        fail_msg("%s", o.err);
    run(&o, f->url, &forked, "current", NULL);
    assert_string_equal(o.out, "dd0004 (head)\nee0004 (head)\n");
    run(&o, f->url, &forked, "heads", NULL);
    assert_string_equal(o.out, "dd0004 (head)\nee0004 (head)\n");
    /* The app rebuilt with the merge revision upgrades through it. */
    run(&o, f->url, &merged, "upgrade", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.err, "Running upgrade dd0004, ee0004 -> ff0005, merge\n");
    run(&o, f->url, &merged, "current", NULL);
    assert_string_equal(o.out, "ff0005 (head)\n");
    run(&o, f->url, &merged, "history", NULL);
    assert_string_equal(o.out,
                        "dd0004, ee0004 -> ff0005 (head) (current) (mergepoint), merge\n"
                        "cc0003 -> ee0004, add note\n"
                        "cc0003 -> dd0004, add tag\n"
                        "bb0002 -> cc0003 (branchpoint), price real\n"
                        "aa0001 -> bb0002, add book\n"
                        "<base> -> aa0001, create author\n");
    run(&o, f->url, &merged, "check", NULL);
    assert_int_equal(o.status, 0);
    /* Down through the merge to one branch's head, then both. */
    run(&o, f->url, &merged, "downgrade", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &merged, "current", NULL);
    assert_string_equal(o.out, "dd0004\nee0004\n");
    run(&o, f->url, &merged, "downgrade", "cc0003", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &merged, "check", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.out, "revision ee0004 (add note) is not applied\n");
}

/* ===== Targets, show, stamp ===== */

static void test_history__target_forms(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &linear, "upgrade", "+2", NULL);
    if (o.status != 0)
        fail_msg("%s", o.err);
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "bb0002\n");
    run(&o, f->url, &linear, "upgrade", "cc", NULL); /* a unique prefix */
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "cc0003\n");
    run(&o, f->url, &forked, "upgrade", "e", NULL);
    run(&o, f->url, &forked, "current", NULL);
    assert_string_equal(o.out, "ee0004 (head)\n");
    run(&o, f->url, &forked, "downgrade", "-2", NULL);
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "bb0002\n");
    run(&o, f->url, &forked, "upgrade", "0", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "'0'");
    run(&o, f->url, &forked, "upgrade", "zz", NULL);
    assert_int_equal(o.status, 1);
    run(&o, f->url, &linear, "upgrade", "head", NULL);
    run(&o, f->url, &linear, "downgrade", "base", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "");
}

static void test_history__show(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, NULL, &merged, "show", "ff", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "Rev: ff0005 (head) (mergepoint)\nParent: dd0004, ee0004\n\n"
                               "    merge\n\n    Revision ID: ff0005\n"
                               "    Revises: dd0004 ee0004\n");
    run(&o, NULL, &merged, "show", "nope", NULL);
    assert_int_equal(o.status, 1);
    run(&o, f->url, &merged, "show", NULL);
    assert_int_equal(o.status, 2);
}

static void test_history__stamp_and_purge(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &linear, "stamp", "head", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.err, "Running stamp_revision <base> -> dd0004\n");
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "dd0004 (head)\n");
    /* Nothing ran: the tables are not there, which `check` reports as drift. */
    run(&o, f->url, &linear, "check", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.out, "table author missing\n");
    run(&o, f->url, &linear, "stamp", "base", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "");
    run(&o, f->url, &linear, "upgrade", "bb0002", NULL);
    exec_on(f->url, "UPDATE strata_version SET version_num = 'gone42'");
    run(&o, f->url, &linear, "stamp", "bb0002", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "database is at revision gone42, which this application does not "
                           "contain");
    run(&o, f->url, &linear, "stamp", "bb0002", "--purge", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url, &linear, "current", NULL);
    assert_string_equal(o.out, "bb0002\n");
    run(&o, f->url, &linear, "check", NULL);
    assert_int_equal(o.status, 1); /* pending, but no drift */
    assert_string_equal(o.out, "revision cc0003 (price real) is not applied\n"
                               "revision dd0004 (add tag) is not applied\n");
}

static void test_history__unknown_database_revision_refused(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &linear, "upgrade", NULL);
    exec_on(f->url, "UPDATE strata_version SET version_num = 'feed99'");
    run(&o, f->url, &linear, "upgrade", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "database is at revision feed99, which this application does not "
                           "contain\n");
    run(&o, f->url, &linear, "check", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "database is at revision feed99");
    run(&o, f->url, &linear, "history", NULL);
    assert_int_equal(o.status, 1);
}

/* ===== Checksums and drift ===== */

static void test_history__check_finds_edited_revision_and_drift(void **state)
{
    struct fixture *f = *state;
    struct output o;

    run(&o, f->url, &linear, "upgrade", NULL);
    run(&o, f->url, &linear, "check", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "No problems found");
    /* A revision edited after it was applied: named by check, warned about by upgrade. */
    run(&o, f->url, &edited, "check", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.out, "revision bb0002 (add book) changed after it was applied");
    assert_contains(o.out, "table book: column pages missing\n");
    run(&o, f->url, &edited, "upgrade", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.err, "WARNING  [strata.runtime] revision bb0002 (add book) changed after "
                           "it was applied");
    /* Hand-made changes. */
    exec_on(f->url, "ALTER TABLE book ADD COLUMN secret TEXT; DROP INDEX ix_book_title; "
                    "CREATE INDEX ix_author_name ON author (name)");
    run(&o, f->url, &linear, "check", NULL);
    assert_int_equal(o.status, 1);
    assert_string_equal(o.out, "index ix_author_name unexpected (on table author)\n"
                               "table book: column secret unexpected\n"
                               "index ix_book_title missing (on table book)\n");
    exec_on(f->url, "DROP INDEX ix_author_name; CREATE INDEX ix_book_title ON book (price)");
    run(&o, f->url, &linear, "check", NULL);
    assert_contains(o.out, "index ix_book_title: columns differ\n");
}

/* ===== Offline SQL ===== */

static void test_history__offline_equals_online(void **state)
{
    struct fixture *f = *state;
    struct output o;
    static char a[65536], b[65536];
    static const char *const rows =
        "INSERT INTO author (id, name) VALUES (1, 'Ann'), (2, NULL);"
        "INSERT INTO book (id, title, author_id, price) VALUES (1, 'One', 1, 2.5), "
        "(2, 'Two', 2, 0);";

    if (!have_sqlite3_cli())
        skip();
    /* Up to the revision before the rebuild, rows in both, then the rest. */
    run(&o, f->url, &linear, "upgrade", "bb0002", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url2, &linear, "upgrade", "--sql", "bb0002", NULL);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, ""); /* the database is not opened */
    assert_int_equal(sqlite3_cli(f, f->url2, o.out), 0);
    exec_on(f->url, rows);
    exec_on(f->url2, rows);
    run(&o, f->url, &linear, "upgrade", NULL);
    assert_int_equal(o.status, 0);
    run(&o, f->url2, &linear, "upgrade", "--sql", "bb0002:head", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "PRAGMA foreign_keys=OFF;\nBEGIN IMMEDIATE;\n");
    assert_contains(o.out, "INSERT INTO \"strata_rebuild_book\"");
    assert_int_equal(sqlite3_cli(f, f->url2, o.out), 0);
    dump(f->url, a);
    dump(f->url2, b);
    assert_string_equal(a, b);
    /* A second run of the same script stops at once: the database is not at FROM. */
    assert_int_not_equal(sqlite3_cli(f, f->url2, o.out), 0);
    dump(f->url2, b);
    assert_string_equal(a, b);
    /* Downgrade: no range is head:-1, as Flask-Migrate does. */
    run(&o, f->url, &linear, "downgrade", NULL);
    run(&o, f->url2, &linear, "downgrade", "--sql", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "-- Running downgrade dd0004 -> cc0003, add tag\n");
    assert_int_equal(sqlite3_cli(f, f->url2, o.out), 0);
    run(&o, f->url, &linear, "downgrade", "base", NULL);
    run(&o, f->url2, &linear, "downgrade", "--sql", "cc0003:base", NULL);
    assert_int_equal(sqlite3_cli(f, f->url2, o.out), 0);
    dump(f->url, a);
    dump(f->url2, b);
    assert_string_equal(a, b);
}

static void test_history__offline_sqlite_version(void **state)
{
    struct fixture *f = *state;
    struct output o;

    (void)f;
    /* 3.34 has no DROP COLUMN: the downgrade of cc0003 rebuilds book instead. */
    run(&o, NULL, &linear, "downgrade", "--sql", "dd0004:bb0002", "--sqlite-version",
        "3.34.1", NULL);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "for SQLite 3.34.1");
    assert_true(strstr(o.out, "DROP COLUMN") == NULL);
    run(&o, NULL, &linear, "downgrade", "--sql", "dd0004:bb0002", "--sqlite-version",
        "3.40.0", NULL);
    assert_contains(o.out, "ALTER TABLE \"book\" DROP COLUMN \"isbn\";\n");
    run(&o, NULL, &linear, "upgrade", "--sql", "--sqlite-version", "4", NULL);
    assert_int_equal(o.status, 2);
    run(&o, NULL, &linear, "upgrade", "--sqlite-version", "3.40.0", NULL);
    assert_int_equal(o.status, 2);
}

static void test_history__offline_refuses_hooks(void **state)
{
    struct output o;

    (void)state;
    run(&o, NULL, &hooked, "upgrade", "--sql", NULL);
    assert_int_equal(o.status, 1);
    assert_string_equal(o.out, "");
    assert_contains(o.err, "revision hh0004 (fill names): its upgrade runs the C hook "
                           "'fill_names', which has no SQL");
}

static void test_history__offline_foreign_key_check_aborts(void **state)
{
    struct fixture *f = *state;
    struct output o;
    static char a[65536], b[65536];

    if (!have_sqlite3_cli())
        skip();
    run(&o, f->url, &fk, "upgrade", "dd0004", NULL);
    run(&o, f->url, &fk, "upgrade", NULL);
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "foreign key check failed");
    run(&o, f->url2, &fk, "upgrade", "--sql", "dd0004", NULL);
    assert_int_equal(sqlite3_cli(f, f->url2, o.out), 0);
    run(&o, f->url2, &fk, "upgrade", "--sql", "dd0004:head", NULL);
    assert_int_equal(o.status, 0);
    assert_int_not_equal(sqlite3_cli(f, f->url2, o.out), 0);
    /* Aborted inside its transaction: nothing of the revision is left. */
    dump(f->url, a);
    dump(f->url2, b);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_history__multiple_heads_refused_then_heads_then_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__target_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__show, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__stamp_and_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__unknown_database_revision_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_history__check_finds_edited_revision_and_drift,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__offline_equals_online, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__offline_sqlite_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__offline_refuses_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history__offline_foreign_key_check_aborts, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
