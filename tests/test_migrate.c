/*
 * Unit tests of the migration driver: the revision graph and target resolution, and a
 * small history (revisions written with migration.h's macros, as generated files are)
 * upgraded and downgraded on a temporary SQLite file, checked through PRAGMA
 * table_info / index_list / foreign_key_list and strata's version and history tables.
 * Failing revisions (bad SQL, a failing hook, a unique index over duplicates) must roll
 * back exactly themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <strata/strata.h>

#include "buf.h"
#include "dialect.h"
#include "migrate.h"

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
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true));
    strata_create_index(op, "ix_book_title", "book", "title");
}

static void down_book(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_table(op, "book");
}

static char hook_seen_dialect[32];

/* A data migration: fills the new column through the connection it is given. */
static int fill_pages(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    char *msg = NULL;

    snprintf(hook_seen_dialect, sizeof(hook_seen_dialect), "%s", dialect);
    if (sqlite3_exec(conn, "UPDATE book SET pages = 100", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(errmsg, errsize, "%s", msg);
        sqlite3_free(msg);
        return 1;
    }
    return 0;
}

static void up_pages(struct strata_op *op)
{
    strata_add_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .nullable = true));
    strata_execute_for(op, "postgresql", "THIS WOULD FAIL ON SQLITE");
    strata_run_hook(op, "fill_pages", fill_pages);
}

static void down_pages(struct strata_op *op)
{
    strata_drop_column(op, "book", "pages");
}

#undef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL rev_author
STRATA_REVISION("a1c0ffee0001", NULL, "create author", NULL, up_author, down_author);
#undef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL rev_book
STRATA_REVISION("a1c0ffee0002", "a1c0ffee0001", "add book", NULL, up_book, down_book);
#undef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL rev_pages
STRATA_REVISION("b2dead000003", "a1c0ffee0002", "add pages", NULL, up_pages, down_pages);
#undef STRATA_REVISION_SYMBOL

/* Registered out of order on purpose: the graph orders parents first. */
static const struct strata_revision *const good_revisions[] = { &rev_pages, &rev_author,
                                                                &rev_book };
static const struct strata_migrations good = { STRATA_ABI_VERSION, 3, good_revisions };

/* ---- failing revisions on top of the good history ---- */

static void up_bad_sql(struct strata_op *op)
{
    strata_create_table(op, "scratch", STRATA_COLUMN("x", STRATA_INTEGER));
    strata_execute(op, "INSERT INTO nowhere VALUES (1)");
}

static int refusing_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    (void)conn;
    (void)dialect;
    snprintf(errmsg, errsize, "refusing to migrate");
    return 1;
}

static void up_bad_hook(struct strata_op *op)
{
    strata_create_table(op, "scratch", STRATA_COLUMN("x", STRATA_INTEGER));
    strata_run_hook(op, "refuse", refusing_hook);
}

static void up_duplicates(struct strata_op *op)
{
    strata_execute(op, "INSERT INTO author (id, name) VALUES (1, 'a')");
    strata_execute(op, "INSERT INTO book (title, author_id) VALUES ('same', 1), ('same', 1)");
}

static void up_unique_title(struct strata_op *op)
{
    strata_create_unique_index(op, "uq_book_title", "book", "title");
}

static void down_nothing(struct strata_op *op)
{
    (void)op;
}

static const struct strata_revision rev_bad_sql = { "c3bad0000004", "b2dead000003", "bad sql",
                                                    NULL, up_bad_sql, down_nothing };
static const struct strata_revision rev_bad_hook = { "c3bad0000005", "b2dead000003", "bad hook",
                                                     NULL, up_bad_hook, down_nothing };
static const struct strata_revision rev_dups = { "d4d0000000006", "b2dead000003", "duplicates",
                                                 NULL, up_duplicates, down_nothing };
static const struct strata_revision rev_unique = { "d4d0000000007", "d4d0000000006",
                                                   "unique title", NULL, up_unique_title,
                                                   down_nothing };

static const struct strata_revision *const bad_sql_revisions[] = { &rev_author, &rev_book,
                                                                   &rev_pages, &rev_bad_sql };
static const struct strata_revision *const bad_hook_revisions[] = { &rev_author, &rev_book,
                                                                    &rev_pages, &rev_bad_hook };
static const struct strata_revision *const unique_revisions[] = { &rev_author, &rev_book,
                                                                  &rev_pages, &rev_dups,
                                                                  &rev_unique };

/* ---- graphs for target resolution ---- */

static const struct strata_revision t1 = { "abc111", NULL, "one", NULL, NULL, NULL };
static const struct strata_revision t2 = { "abc222", "abc111", "two", NULL, NULL, NULL };
static const struct strata_revision t3 = { "def333", "abc222", "three", NULL, NULL, NULL };
static const struct strata_revision *const linear_revisions[] = { &t1, &t2, &t3 };
static const struct strata_migrations linear = { STRATA_ABI_VERSION, 3, linear_revisions };

static const struct strata_revision b1 = { "r1", NULL, "root", NULL, NULL, NULL };
static const struct strata_revision b2 = { "r2a", "r1", "left", NULL, NULL, NULL };
static const struct strata_revision b3 = { "r2b", "r1", "right", NULL, NULL, NULL };
static const struct strata_revision b4 = { "r3", "r2a r2b", "merge", NULL, NULL, NULL };
static const struct strata_revision *const branch_revisions[] = { &b1, &b2, &b3 };
static const struct strata_migrations branched = { STRATA_ABI_VERSION, 3, branch_revisions };
static const struct strata_revision *const merge_revisions[] = { &b4, &b1, &b3, &b2 };
static const struct strata_migrations merged = { STRATA_ABI_VERSION, 4, merge_revisions };

/* ===== Helpers ===== */

struct fixture {
    char dir[64];
    char path[128];
    char url[160];
    struct strata_db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct strata_error err = { 0 };

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/strata-migrate-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/app.db", f->dir);
    snprintf(f->url, sizeof(f->url), "sqlite:///%s", f->path);
    if (strata_open(&f->db, f->url, 1, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char path[160];

    strata_close(f->db);
    unlink(f->path);
    snprintf(path, sizeof(path), "%s-journal", f->path);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static sqlite3 *conn_of(struct fixture *f)
{
    return f->db->conn;
}

/* The first column of the first row as text ("" when none); the caller frees. */
static char *query(sqlite3 *conn, const char *sql)
{
    sqlite3_stmt *st = NULL;
    const char *v = NULL;
    char *out;

    assert_int_equal(sqlite3_prepare_v2(conn, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = (const char *)sqlite3_column_text(st, 0);
    out = strdup(v != NULL ? v : "");
    sqlite3_finalize(st);
    return out;
}

static void assert_query(sqlite3 *conn, const char *sql, const char *expected)
{
    char *got = query(conn, sql);

    if (strcmp(got, expected) != 0)
        fail_msg("%s\n  got:      %s\n  expected: %s", sql, got, expected);
    free(got);
}

static void assert_version(struct fixture *f, const char *expected)
{
    char current[128];
    struct strata_error err = { 0 };

    assert_int_equal(strata_current(f->db, current, sizeof(current), &err), 0);
    assert_string_equal(current, expected);
}

static const char tables_sql[] =
    "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
    "WHERE type = 'table' ORDER BY name)";

/* ===== Graph and targets ===== */

static void resolve_ok(const struct strata_migrations *m, const char *current_ids,
                       const char *target, const char *expected)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    struct strata_buf b = { 0 };
    bool cur[8], out[8];
    size_t i;

    assert_int_equal(strata_graph_build(&g, m, &err), 0);
    assert_int_equal(strata_graph_parse_versions(&g, current_ids, cur, &err), 0);
    if (strata_target_resolve(&g, cur, target, out, &err) != 0)
        fail_msg("target %s from '%s': %s", target, current_ids, err.message);
    strata_buf_append(&b, "");
    for (i = 0; i < g.count; i++)
        if (out[i])
            strata_buf_printf(&b, "%s%s", b.len ? " " : "", g.nodes[i].rev->id);
    assert_string_equal(b.data, expected);
    strata_buf_free(&b);
    strata_graph_free(&g);
}

static void resolve_fails(const struct strata_migrations *m, const char *current_ids,
                          const char *target, int code, const char *message)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    bool cur[8], out[8];

    assert_int_equal(strata_graph_build(&g, m, &err), 0);
    assert_int_equal(strata_graph_parse_versions(&g, current_ids, cur, &err), 0);
    assert_int_equal(strata_target_resolve(&g, cur, target, out, &err), code);
    if (strstr(err.message, message) == NULL)
        fail_msg("target %s: message '%s' lacks '%s'", target, err.message, message);
    strata_graph_free(&g);
}

static void test_migrate__graph_orders_parents_first(void **state)
{
    struct strata_error err = { 0 };
    struct strata_graph g;

    (void)state;
    assert_int_equal(strata_graph_build(&g, &merged, &err), 0);
    assert_int_equal(g.count, 4);
    assert_string_equal(g.nodes[0].rev->id, "r1");
    assert_string_equal(g.nodes[1].rev->id, "r2b");
    assert_string_equal(g.nodes[2].rev->id, "r2a");
    assert_string_equal(g.nodes[3].rev->id, "r3");
    assert_int_equal(g.nodes[3].nparents, 2);
    assert_int_equal(g.nodes[0].nchildren, 2);
    strata_graph_free(&g);
}

static void test_migrate__graph_refuses_bad_histories(void **state)
{
    static const struct strata_revision orphan = { "x1", "nope", "m", NULL, NULL, NULL };
    static const struct strata_revision c1 = { "c1", "c2", "m", NULL, NULL, NULL };
    static const struct strata_revision c2 = { "c2", "c1", "m", NULL, NULL, NULL };
    const struct strata_revision *const orphans[] = { &orphan };
    const struct strata_revision *const cycle[] = { &c1, &c2 };
    const struct strata_revision *const twice[] = { &t1, &t1 };
    const struct strata_migrations m_orphan = { STRATA_ABI_VERSION, 1, orphans };
    const struct strata_migrations m_cycle = { STRATA_ABI_VERSION, 2, cycle };
    const struct strata_migrations m_twice = { STRATA_ABI_VERSION, 2, twice };
    const struct strata_migrations m_abi = { STRATA_ABI_VERSION + 1, 3, linear_revisions };
    struct strata_error err = { 0 };
    struct strata_graph g;

    (void)state;
    assert_int_equal(strata_graph_build(&g, &m_orphan, &err), STRATA_ERROR);
    assert_non_null(strstr(err.message, "nope"));
    strata_error_clear(&err);
    assert_int_equal(strata_graph_build(&g, &m_cycle, &err), STRATA_ERROR);
    assert_non_null(strstr(err.message, "cycle"));
    strata_error_clear(&err);
    assert_int_equal(strata_graph_build(&g, &m_twice, &err), STRATA_ERROR);
    assert_non_null(strstr(err.message, "abc111"));
    strata_error_clear(&err);
    assert_int_equal(strata_graph_build(&g, &m_abi, &err), STRATA_EABI);
}

static void test_migrate__resolves_targets(void **state)
{
    (void)state;
    resolve_ok(&linear, "", "head", "def333");
    resolve_ok(&linear, "abc111", "heads", "def333");
    resolve_ok(&linear, "def333", "base", "");
    resolve_ok(&linear, "", "+1", "abc111");
    resolve_ok(&linear, "abc111", "+2", "def333");
    resolve_ok(&linear, "def333", "-1", "abc222");
    resolve_ok(&linear, "def333", "-3", "");
    resolve_ok(&linear, "", "abc222", "abc222");
    resolve_ok(&linear, "", "abc2", "abc222");
    resolve_ok(&linear, "", "d", "def333");
    resolve_ok(&branched, "", "heads", "r2a r2b");
    resolve_ok(&branched, "r1", "r2a", "r2a");
}

static void test_migrate__target_errors_name_the_problem(void **state)
{
    (void)state;
    resolve_fails(&linear, "", "abc", STRATA_EAMBIGUOUS, "'abc' matches abc111, abc222");
    resolve_fails(&linear, "", "zzz", STRATA_ENOTFOUND, "unknown revision 'zzz'");
    resolve_fails(&linear, "", "-1", STRATA_ENOTFOUND, "at base");
    resolve_fails(&linear, "abc222", "-3", STRATA_ENOTFOUND, "goes past base");
    resolve_fails(&linear, "abc222", "+2", STRATA_ENOTFOUND, "goes past the head");
    resolve_fails(&branched, "", "head", STRATA_EAMBIGUOUS, "r2a, r2b");
    resolve_fails(&branched, "r1", "+1", STRATA_EAMBIGUOUS, "r2a, r2b");
    resolve_fails(&branched, "r2a r2b", "-1", STRATA_EAMBIGUOUS, "single current revision");
}

static void test_migrate__unknown_database_version_is_refused(void **state)
{
    struct fixture *f = *state;
    struct strata_error err = { 0 };

    assert_int_equal(strata_upgrade(f->db, &good, "+1", &err), 0);
    assert_int_equal(sqlite3_exec(conn_of(f),
                                  "UPDATE strata_version SET version_num = 'feedfacecafe'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(strata_upgrade(f->db, &good, NULL, &err), STRATA_EUNKNOWNREV);
    assert_string_equal(err.message, "database is at revision feedfacecafe, which this "
                                     "application does not contain");
    strata_error_clear(&err);
    assert_int_equal(strata_downgrade(f->db, &good, "base", &err), STRATA_EUNKNOWNREV);
    assert_query(conn_of(f), "SELECT count(*) FROM strata_history", "1");
}

/* ===== Applying ===== */

static void test_migrate__upgrade_head_builds_the_schema(void **state)
{
    struct fixture *f = *state;
    struct strata_error err = { 0 };

    hook_seen_dialect[0] = '\0';
    assert_int_equal(strata_upgrade(f->db, &good, "head", &err), 0);
    assert_version(f, "b2dead000003");
    assert_string_equal(hook_seen_dialect, "sqlite");
    assert_query(conn_of(f), tables_sql, "author,book,strata_history,strata_version");
    assert_query(conn_of(f),
                 "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' || pk, ' ') "
                 "FROM pragma_table_info('book')",
                 "id:INTEGER:1:1 title:VARCHAR(200):1:0 author_id:BIGINT:1:0 isbn:TEXT:0:0 "
                 "pages:INTEGER:0:0");
    assert_query(conn_of(f),
                 "SELECT group_concat(name || ':' || \"unique\", ' ') FROM "
                 "(SELECT * FROM pragma_index_list('book') ORDER BY name)",
                 "ix_book_title:0 uq_book_isbn:1");
    assert_query(conn_of(f),
                 "SELECT \"table\" || '.' || \"to\" || ' ' || \"from\" || ' ' || on_delete "
                 "FROM pragma_foreign_key_list('book')",
                 "author.id author_id CASCADE");
    assert_query(conn_of(f),
                 "SELECT group_concat(revision || ' ' || direction || ' ' || length(checksum) || "
                 "' ' || (checksum NOT GLOB '*[^0-9a-f]*') || ' ' || "
                 "(applied_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z') || ' ' || "
                 "(duration_ms >= 0), ',') FROM (SELECT * FROM strata_history ORDER BY id)",
                 "a1c0ffee0001 upgrade 64 1 1 1,a1c0ffee0002 upgrade 64 1 1 1,"
                 "b2dead000003 upgrade 64 1 1 1");
    /* already at head: nothing happens */
    assert_int_equal(strata_upgrade(f->db, &good, NULL, &err), 0);
    assert_query(conn_of(f), "SELECT count(*) FROM strata_history", "3");
}

static void test_migrate__checksum_is_the_oplist_checksum(void **state)
{
    struct fixture *f = *state;
    struct strata_error err = { 0 };
    struct strata_oplist list = { 0 };
    char checksum[65];
    char sql[160];

    assert_int_equal(strata_upgrade(f->db, &good, "+2", &err), 0);
    assert_int_equal(strata_oplist_record(&list, up_book, &err), 0);
    assert_int_equal(strata_oplist_checksum(&list, checksum), 0);
    strata_oplist_clear(&list);
    snprintf(sql, sizeof(sql),
             "SELECT checksum FROM strata_history WHERE revision = 'a1c0ffee0002'");
    assert_query(conn_of(f), sql, checksum);
}

static void test_migrate__downgrade_steps_back_to_base(void **state)
{
    struct fixture *f = *state;
    struct strata_error err = { 0 };

    assert_int_equal(strata_upgrade(f->db, &good, NULL, &err), 0);
    assert_int_equal(strata_downgrade(f->db, &good, NULL, &err), 0);
    assert_version(f, "a1c0ffee0002");
    assert_query(conn_of(f), "SELECT count(*) FROM pragma_table_info('book') WHERE name = 'pages'",
                 "0");
    assert_query(conn_of(f),
                 "SELECT revision || ' ' || direction || ' ' || length(checksum) "
                 "FROM strata_history ORDER BY id DESC",
                 "b2dead000003 downgrade 64");
    assert_int_equal(strata_downgrade(f->db, &good, "base", &err), 0);
    assert_version(f, "");
    assert_query(conn_of(f), tables_sql, "strata_history,strata_version");
    assert_query(conn_of(f), "SELECT count(*) FROM strata_history WHERE direction = 'downgrade'",
                 "3");
    /* at base, -1 has nowhere to go */
    assert_int_equal(strata_downgrade(f->db, &good, NULL, &err), STRATA_ENOTFOUND);
    assert_non_null(strstr(err.message, "at base"));
    strata_error_clear(&err);
    /* relative steps up, and a prefix */
    assert_int_equal(strata_upgrade(f->db, &good, "+1", &err), 0);
    assert_version(f, "a1c0ffee0001");
    assert_int_equal(strata_upgrade(f->db, &good, "+1", &err), 0);
    assert_version(f, "a1c0ffee0002");
    assert_int_equal(strata_upgrade(f->db, &good, "b2d", &err), 0);
    assert_version(f, "b2dead000003");
    assert_int_equal(strata_downgrade(f->db, &good, "-2", &err), 0);
    assert_version(f, "a1c0ffee0001");
    /* downgrading to a revision that is not applied is refused */
    assert_int_equal(strata_downgrade(f->db, &good, "b2dead000003", &err), STRATA_ERROR);
    assert_non_null(strstr(err.message, "not applied"));
}

/* Runs an upgrade to head that must fail; returns the error. */
static struct strata_error failing_upgrade(struct fixture *f, const struct strata_migrations *m)
{
    struct strata_error err = { 0 };

    assert_int_equal(strata_upgrade(f->db, m, NULL, &err), STRATA_EMIGRATION);
    return err;
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("'%s' lacks '%s'", text, part);
}

static void test_migrate__bad_sql_rolls_back_only_its_revision(void **state)
{
    struct fixture *f = *state;
    const struct strata_migrations m = { STRATA_ABI_VERSION, 4, bad_sql_revisions };
    struct strata_error err = failing_upgrade(f, &m);

    assert_contains(err.message, "c3bad0000004");
    assert_contains(err.message, "execute");
    assert_contains(err.message, "no such table: nowhere");
    assert_string_equal(err.revision, "c3bad0000004");
    assert_string_equal(err.operation, "execute");
    assert_version(f, "b2dead000003");
    assert_query(conn_of(f), tables_sql, "author,book,strata_history,strata_version");
    assert_query(conn_of(f), "SELECT count(*) FROM strata_history", "3");
}

static void test_migrate__failing_hook_rolls_back_its_revision(void **state)
{
    struct fixture *f = *state;
    const struct strata_migrations m = { STRATA_ABI_VERSION, 4, bad_hook_revisions };
    struct strata_error err = failing_upgrade(f, &m);

    assert_contains(err.message, "c3bad0000005");
    assert_contains(err.message, "run_hook 'refuse'");
    assert_contains(err.message, "refusing to migrate");
    assert_version(f, "b2dead000003");
    assert_query(conn_of(f), tables_sql, "author,book,strata_history,strata_version");
}

static void test_migrate__unique_index_over_duplicates_fails(void **state)
{
    struct fixture *f = *state;
    const struct strata_migrations m = { STRATA_ABI_VERSION, 5, unique_revisions };
    struct strata_error err = failing_upgrade(f, &m);

    assert_contains(err.message, "d4d0000000007");
    assert_contains(err.message, "create_index 'uq_book_title'");
    assert_contains(err.message, "UNIQUE constraint failed: book.title");
    assert_version(f, "d4d0000000006");
    assert_query(conn_of(f), "SELECT count(*) FROM book", "2");
    assert_query(conn_of(f), "SELECT count(*) FROM pragma_index_list('book')", "2");
}

static void test_migrate__single_transaction_keeps_nothing_of_a_failed_run(void **state)
{
    struct fixture *f = *state;
    const struct strata_migrations m = { STRATA_ABI_VERSION, 4, bad_sql_revisions };
    struct strata_error err = { 0 };

    assert_int_equal(strata_upgrade_with(f->db, &m, NULL, STRATA_SINGLE_TRANSACTION, &err),
                     STRATA_EMIGRATION);
    assert_string_equal(err.revision, "c3bad0000004");
    assert_contains(err.message, "no such table: nowhere");
    /* One transaction: the three good revisions before it, and strata's own tables
     * created in it, are rolled back too: the database is as it was, empty. */
    assert_version(f, "");
    assert_query(conn_of(f), tables_sql, "");
}

static void add_rating(struct strata_op *op)
{
    strata_add_column(op, "book", STRATA_COLUMN("rating", STRATA_INTEGER, .default_value = "0"));
}

static void drop_rating(struct strata_op *op)
{
    strata_drop_column(op, "book", "rating");
}

/* A type change: SQLite rebuilds the table, so foreign keys must be off from BEGIN. */
static void widen_rating(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("rating", STRATA_BIGINT, .default_value = "0"));
}

static void narrow_rating(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("rating", STRATA_INTEGER, .default_value = "0"));
}

static const struct strata_revision rev_rating = { "e5a000000008", "b2dead000003", "rating",
                                                   NULL, add_rating, drop_rating };
static const struct strata_revision rev_widen = { "e5b000000009", "e5a000000008", "widen",
                                                  NULL, widen_rating, narrow_rating };

/* Collects log lines, one per line, into a strata_buf. */
static void collect_line(void *ctx, const char *line)
{
    strata_buf_printf(ctx, "%s\n", line);
}

/*
 * The run reaches the rebuilding revision (widen) after one that does not (rating),
 * with foreign keys on: it says so, rolls back and begins again with them off, so
 * rating runs twice but is applied, and recorded, once.
 */
static void test_migrate__single_transaction_applies_a_run_with_a_rebuild(void **state)
{
    struct fixture *f = *state;
    const struct strata_revision *const revs[] = { &rev_author, &rev_book, &rev_pages,
                                                   &rev_rating, &rev_widen };
    const struct strata_migrations m = { STRATA_ABI_VERSION, 5, revs };
    struct strata_error err = { 0 };
    struct strata_buf log = { 0 };

    assert_int_equal(strata_upgrade(f->db, &m, "b2dead000003", &err), 0);
    assert_int_equal(sqlite3_exec(conn_of(f),
                                  "INSERT INTO author (id, name) VALUES (1, 'Ursula');"
                                  "INSERT INTO book (title, author_id) VALUES ('Earthsea', 1);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(strata_migrate_flags(f->db, &m, 0, NULL, STRATA_SINGLE_TRANSACTION,
                                          collect_line, NULL, &log, &err),
                     0);
    assert_string_equal(log.data,
                        "Running upgrade b2dead000003 -> e5a000000008, rating\n"
                        "Revision e5b000000009 rebuilds a table: beginning the transaction "
                        "again with foreign keys off\n"
                        "Running upgrade b2dead000003 -> e5a000000008, rating\n"
                        "Running upgrade e5a000000008 -> e5b000000009, widen\n");
    strata_buf_free(&log);
    assert_version(f, "e5b000000009");
    assert_query(conn_of(f), "SELECT type FROM pragma_table_info('book') WHERE name = 'rating'",
                 "BIGINT");
    assert_query(conn_of(f), "SELECT title || ':' || rating FROM book", "Earthsea:0");
    assert_query(conn_of(f), "SELECT count(*) FROM strata_history", "5");
    /* The connection's foreign keys are back on after the run. */
    assert_query(conn_of(f), "PRAGMA foreign_keys", "1");
    assert_int_equal(strata_downgrade(f->db, &m, "b2dead000003", &err), 0);
    assert_query(conn_of(f), "SELECT count(*) FROM book", "1");
}

static void test_migrate__concurrent_upgrades_apply_each_revision_once(void **state)
{
    struct fixture *f = *state;
    pid_t pids[3];
    size_t i;
    int status;

    for (i = 0; i < 3; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct strata_error err = { 0 };
            struct strata_db *db = NULL;
            int rc = strata_open(&db, f->url, 1, &err);

            if (rc == 0)
                rc = strata_upgrade(db, &good, NULL, &err);
            strata_close(db);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    for (i = 0; i < 3; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_version(f, "b2dead000003");
    assert_query(conn_of(f),
                 "SELECT count(*) || ' ' || count(DISTINCT revision) FROM strata_history", "3 3");
}

static void test_migrate__app_connection_is_used_as_is(void **state)
{
    struct fixture *f = *state;
    struct strata_error err = { 0 };
    struct strata_db *db = NULL;
    sqlite3 *conn = NULL;

    assert_int_equal(sqlite3_open(f->path, &conn), SQLITE_OK);
    assert_int_equal(strata_open_sqlite(&db, conn, &err), 0);
    assert_int_equal(strata_upgrade(db, &good, NULL, &err), 0);
    strata_close(db);
    /* still open: strata did not close the app's connection */
    assert_query(conn, "SELECT version_num FROM strata_version", "b2dead000003");
    sqlite3_close(conn);
}

static void test_migrate__open_without_create_creates_nothing(void **state)
{
    struct fixture *f = *state;
    struct strata_error err = { 0 };
    struct strata_db *db = NULL;
    char url[200];
    char current[64];

    snprintf(url, sizeof(url), "sqlite:///%s/missing.db", f->dir);
    assert_int_equal(strata_open(&db, url, 0, &err), STRATA_ENOTFOUND);
    assert_null(db);
    assert_contains(err.message, "missing.db");
    snprintf(url, sizeof(url), "%s/missing.db", f->dir);
    assert_int_equal(access(url, F_OK), -1);
    /* an existing empty database reads as base and stays empty */
    assert_int_equal(strata_current(f->db, current, sizeof(current), &err), 0);
    assert_string_equal(current, "");
    assert_query(conn_of(f), "SELECT count(*) FROM sqlite_master", "0");
}

static void test_migrate__parses_urls(void **state)
{
    static const char *const ok[][2] = {
        { "sqlite:///app.db", "app.db" },
        { "sqlite:////abs/app.db", "/abs/app.db" },
        { "sqlite://", ":memory:" },
        { "sqlite:///:memory:", ":memory:" },
        { "sqlite:///dir/with space.db", "dir/with space.db" },
    };
    static const char *const bad[] = { "mysql://x", "sqlite://host/app.db", "app.db",
#ifndef STRATA_WITH_POSTGRESQL /* built without PostgreSQL: a clear error */
                                       "postgresql://localhost/db",
#endif
                                       "sqlite:///a.db?mode=ro" };
    const struct strata_dialect *dialect;
    struct strata_error err = { 0 };
    char *path;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(strata_url_parse(&dialect, &path, ok[i][0], &err), 0);
        assert_ptr_equal(dialect, &strata_sqlite_dialect);
        assert_string_equal(path, ok[i][1]);
        free(path);
    }
#ifdef STRATA_WITH_POSTGRESQL
    /* libpq reads PostgreSQL URLs whole. */
    assert_int_equal(strata_url_parse(&dialect, &path, "postgres://localhost/db", &err), 0);
    assert_ptr_equal(dialect, &strata_pg_dialect);
    assert_string_equal(path, "postgres://localhost/db");
    free(path);
#endif
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        strata_error_clear(&err);
        assert_int_equal(strata_url_parse(&dialect, &path, bad[i], &err), STRATA_EUSAGE);
        assert_null(path);
        assert_contains(err.message, bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate__graph_orders_parents_first),
        cmocka_unit_test(test_migrate__graph_refuses_bad_histories),
        cmocka_unit_test(test_migrate__resolves_targets),
        cmocka_unit_test(test_migrate__target_errors_name_the_problem),
        cmocka_unit_test(test_migrate__parses_urls),
        cmocka_unit_test_setup_teardown(test_migrate__unknown_database_version_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__upgrade_head_builds_the_schema, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__checksum_is_the_oplist_checksum, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__downgrade_steps_back_to_base, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__bad_sql_rolls_back_only_its_revision, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__failing_hook_rolls_back_its_revision, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__unique_index_over_duplicates_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__single_transaction_keeps_nothing_of_a_failed_run,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate__single_transaction_applies_a_run_with_a_rebuild,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate__concurrent_upgrades_apply_each_revision_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate__app_connection_is_used_as_is, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate__open_without_create_creates_nothing, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
