/*
 * Apply tests of the SQLite dialect with data: every operation kind, upgraded and
 * downgraded on a temporary file that holds rows, a child table referencing the changed
 * table with ON DELETE CASCADE, a view reading it and a trigger firing on it. After each
 * step the introspected schema must equal the replayed one, every surviving row must be
 * what was inserted, and the view and trigger must still work. Then the rebuild's
 * guarantees one by one: one rebuild per table per revision, old orphans reported and
 * kept, a violation the rebuild would introduce aborting with the database untouched, a
 * live table of the wrong shape refused, and a revision whose replay misses its recorded
 * hash refused before anything runs.
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
#include <sqlite3.h>

#include <strata/strata.h>

#include "dialect.h"
#include "dialect_sqlite.h"
#include "introspect.h"
#include "migrate.h"
#include "replay.h"

/* ===== The base revision and its data ===== */

static void base_up(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_VARCHAR(50)),
        STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true),
        STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0"),
        STRATA_COLUMN("status", STRATA_INTEGER, .default_value = "0", .enum_values = "0,1"));
    strata_create_index(op, "ix_author_name", "author", "name");
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("editor_id", STRATA_BIGINT, .nullable = true),
        STRATA_COLUMN("title", STRATA_TEXT));
    strata_create_index(op, "ix_book_author_id", "book", "author_id");
    strata_create_table(op, "audit",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true));
    strata_execute(op, "CREATE VIEW author_view AS SELECT * FROM author");
    strata_execute(op, "CREATE TRIGGER author_audit AFTER INSERT ON author BEGIN "
                       "INSERT INTO audit (author_id) VALUES (new.id); END");
}

static void base_down(struct strata_op *op)
{
    strata_execute(op, "DROP VIEW author_view");
    strata_drop_table(op, "audit");
    strata_drop_table(op, "book");
    strata_drop_table(op, "author");
}

static const struct strata_revision rev_base = { "base00000000", NULL, "base", NULL, base_up,
                                                 base_down };

#define AUTHORS "1,Ann,bio1,1900,0;2,Bob,-,1910,1;3,Cy,bio3,1920,0"
#define BOOKS "1,1,2,t1;2,2,-,t2;3,1,-,t3"
#define AUTHOR_Q(t)                                                                            \
    "SELECT group_concat(id||','||name||','||ifnull(bio,'-')||','||born||','||status, ';') " \
    "FROM (SELECT * FROM " t " ORDER BY id)"
#define BOOK_Q                                                                             \
    "SELECT group_concat(id||','||author_id||','||ifnull(editor_id,'-')||','||title, ';') " \
    "FROM (SELECT * FROM book ORDER BY id)"

static const char insert_data[] =
    "INSERT INTO author (id, name, bio, born, status) VALUES "
    "(1, 'Ann', 'bio1', 1900, 0), (2, 'Bob', NULL, 1910, 1), (3, 'Cy', 'bio3', 1920, 0);\n"
    "INSERT INTO book (id, author_id, editor_id, title) VALUES "
    "(1, 1, 2, 't1'), (2, 2, NULL, 't2'), (3, 1, NULL, 't3');\n";

/* ===== Helpers ===== */

struct fixture {
    char path[64];
    struct strata_db *db;
    sqlite3 *conn;
    const struct strata_revision *revs[2];
    struct strata_migrations m;
    char warnings[4096];
};

static void collect_warning(void *ctx, const char *message)
{
    struct fixture *f = ctx;
    size_t n = strlen(f->warnings);

    snprintf(f->warnings + n, sizeof(f->warnings) - n, "%s\n", message);
}

/* Opens a new temporary database whose history is base + `rev`. */
static void fixture_open(struct fixture *f, const struct strata_revision *rev)
{
    struct strata_error err = { 0 };
    char url[96];
    int fd;

    memset(f, 0, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/strata_rebuild_XXXXXX");
    fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(url, sizeof(url), "sqlite:///%s", f->path);
    assert_int_equal(strata_open(&f->db, url, 1, &err), 0);
    f->conn = f->db->conn;
    f->revs[0] = &rev_base;
    f->revs[1] = rev;
    f->m.abi_version = STRATA_ABI_VERSION;
    f->m.count = rev != NULL ? 2 : 1;
    f->m.revisions = f->revs;
}

static void fixture_close(struct fixture *f)
{
    strata_close(f->db);
    unlink(f->path);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* The first column of the first row as a string ("(null)" for NULL), malloc'ed. */
static char *query(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *out;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    else
        out = strdup("(null)");
    sqlite3_finalize(st);
    return out;
}

static void assert_query(sqlite3 *db, const char *sql, const char *want)
{
    char *got = query(db, sql);

    if (strcmp(got, want) != 0)
        fail_msg("%s\n  got  %s\n  want %s", sql, got, want);
    free(got);
}

static long query_int(sqlite3 *db, const char *sql)
{
    char *text = query(db, sql);
    long v = strtol(text, NULL, 10);

    free(text);
    return v;
}

/* The live schema must be the schema the revisions replay to at `rev_id` (NULL: base). */
static void assert_schema_at(struct fixture *f, const char *rev_id)
{
    struct strata_error err = { 0 };
    struct strata_schema *want = NULL, *have = NULL;
    char what[256];

    if (strata_replay(&f->m, rev_id, &want, &err) != 0)
        fail_msg("replay: %s", err.message);
    if (strata_introspect(f->conn, &have, &err) != 0)
        fail_msg("introspect: %s", err.message);
    if (strata_schema_diff_first(want, have, what, sizeof(what)) != 0) {
        char *w = NULL, *h = NULL;

        strata_schema_canonical(want, &w);
        strata_schema_canonical(have, &h);
        fail_msg("at %s: %s\nreplayed:\n%s\nintrospected:\n%s", rev_id ? rev_id : "base", what,
                 w, h);
    }
    strata_schema_free(want);
    strata_schema_free(have);
}

/* The view reads every row of `table`; the trigger on it fires on `insert`. */
static void assert_view_and_trigger(sqlite3 *db, const char *table, const char *insert)
{
    char sql[256];
    long audit = query_int(db, "SELECT count(*) FROM audit");

    snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM author_view) = "
                               "(SELECT count(*) FROM \"%s\")", table);
    assert_int_equal(query_int(db, sql), 1);
    exec(db, insert);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit"), audit + 1);
    snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE id = last_insert_rowid()", table);
    exec(db, sql);
    exec(db, "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)");
}

static int migrate(struct fixture *f, int downgrade, const char *target, struct strata_error *err)
{
    return strata_migrate_ex(f->db, &f->m, downgrade, target, NULL, collect_warning, f, err);
}

static void upgrade_ok(struct fixture *f, const char *target)
{
    struct strata_error err = { 0 };

    if (migrate(f, 0, target, &err) != 0)
        fail_msg("upgrade %s: %s", target ? target : "head", err.message);
}

static void downgrade_ok(struct fixture *f, const char *target)
{
    struct strata_error err = { 0 };

    if (migrate(f, 1, target, &err) != 0)
        fail_msg("downgrade %s: %s", target ? target : "-1", err.message);
}

/* Base applied and filled with the rows above. */
static void at_base_with_rows(struct fixture *f, const struct strata_revision *rev)
{
    fixture_open(f, rev);
    upgrade_ok(f, "base00000000");
    exec(f->conn, insert_data);
}

/* ===== One case per operation ===== */

struct apply_case {
    const char *name;
    void (*up)(struct strata_op *);
    void (*down)(struct strata_op *);
    const char *table;          /* the author table after upgrade (NULL: "author") */
    const char *author_q;       /* rows of the author table after upgrade (NULL: AUTHOR_Q) */
    const char *author_want;    /* (NULL: AUTHORS) */
    const char *book_q;         /* (NULL: BOOK_Q) */
    const char *book_want;      /* (NULL: BOOKS) */
    const char *extra_q;        /* a further check after upgrade, or NULL */
    const char *extra_want;
    const char *insert;         /* fires the trigger after upgrade (NULL: a plain author) */
    int rebuilds_up;            /* tables the upgrade rebuilds */
    int rebuilds_down;
    const char *author_down;    /* rows after downgrade (NULL: AUTHORS) */
    const char *book_down;      /* (NULL: BOOKS) */
};

#define PLAIN_INSERT "INSERT INTO author (name) VALUES ('new')"

static void up_rename_table(struct strata_op *op)
{
    strata_rename_table(op, "author", "writer");
}
static void down_rename_table(struct strata_op *op)
{
    strata_rename_table(op, "writer", "author");
}

static void up_rename_column(struct strata_op *op)
{
    strata_rename_column(op, "author", "name", "full_name");
}
static void down_rename_column(struct strata_op *op)
{
    strata_rename_column(op, "author", "full_name", "name");
}

static void up_add_nullable(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("email", STRATA_TEXT, .nullable = true));
}
static void down_add_nullable(struct strata_op *op)
{
    strata_drop_column(op, "author", "email");
}

static void up_add_default(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("rank", STRATA_INTEGER, .default_value = "5"));
}
static void down_add_default(struct strata_op *op)
{
    strata_drop_column(op, "author", "rank");
}

static void up_add_backfill(struct strata_op *op)
{
    strata_add_column(op, "author",
                      STRATA_COLUMN("country", STRATA_VARCHAR(2), .backfill = "'NZ'"));
}
static void down_add_backfill(struct strata_op *op)
{
    strata_drop_column(op, "author", "country");
}

static void up_drop_column(struct strata_op *op)
{
    strata_drop_column(op, "author", "bio");
}
static void down_drop_column(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true));
}

static void up_drop_fk_column(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_author_id", "book");
    strata_drop_column(op, "book", "author_id");
}
static void down_drop_fk_column(struct strata_op *op)
{
    strata_add_column(op, "book",
                      STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                                    .on_delete = STRATA_CASCADE, .backfill = "1"));
    strata_create_index(op, "ix_book_author_id", "book", "author_id");
}

static void up_alter_type(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("born", STRATA_BIGINT, .nullable = true,
                                      .default_value = "0"));
}
static void down_alter_type(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0",
                                      .backfill = "0"));
}

static void up_not_null(struct strata_op *op)
{
    strata_alter_column(op, "author", STRATA_COLUMN("bio", STRATA_TEXT, .backfill = "'none'"));
}
static void down_not_null(struct strata_op *op)
{
    strata_alter_column(op, "author", STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true));
}

static void up_alter_default(struct strata_op *op)
{
    strata_alter_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "7"));
}
static void down_alter_default(struct strata_op *op)
{
    strata_alter_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0"));
}

static void up_column_comment(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true,
                                      .comment = "about */ them \\ all"));
}

static void up_alter_check(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0",
                                      .check = "born >= 0"));
}

static void up_enum(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("status", STRATA_INTEGER, .default_value = "0",
                                      .enum_values = "0,1,2"));
}
static void down_enum(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("status", STRATA_INTEGER, .default_value = "0",
                                      .enum_values = "0,1"));
}

static void up_pk(struct strata_op *op)
{
    strata_alter_primary_key(op, "book", "id", "author_id");
}
static void down_pk(struct strata_op *op)
{
    strata_alter_primary_key(op, "book", "id");
}

static void up_fk(struct strata_op *op)
{
    strata_create_foreign_key(op, "fk_book_editor_id_author", "book", "editor_id", "author.id",
                              STRATA_SET_NULL, STRATA_NO_ACTION);
}
static void down_fk(struct strata_op *op)
{
    strata_drop_constraint(op, "fk_book_editor_id_author", "book");
}

static void up_check(struct strata_op *op)
{
    strata_create_check_constraint(op, "ck_author_born_range", "author", "born > 1800");
}
static void down_check(struct strata_op *op)
{
    strata_drop_constraint(op, "ck_author_born_range", "author");
}

static void up_unique(struct strata_op *op)
{
    strata_create_unique_index(op, "uq_author_born", "author", "born");
}
static void down_unique(struct strata_op *op)
{
    strata_drop_constraint(op, "uq_author_born", "author");
}

static void up_index(struct strata_op *op)
{
    strata_create_index(op, "ix_author_born_status", "author", "born", "status");
}
static void down_index(struct strata_op *op)
{
    strata_drop_index(op, "ix_author_born_status", "author");
}

static void up_comment(struct strata_op *op)
{
    strata_alter_table_comment(op, "author", "people who write */ books");
}
static void down_comment(struct strata_op *op)
{
    strata_alter_table_comment(op, "author", NULL);
}

static void up_create_table(struct strata_op *op)
{
    strata_create_table(op, "publisher",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_VARCHAR(20), .unique = true),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true, .references = "author.id",
                      .on_delete = STRATA_SET_NULL),
        STRATA_CHECK("length(name) > 0"),
        STRATA_TABLE_COMMENT("houses"));
}
static void down_create_table(struct strata_op *op)
{
    strata_drop_table(op, "publisher");
}

static void up_add_fk_column(struct strata_op *op)
{
    strata_add_column(op, "book",
                      STRATA_COLUMN("reviewer_id", STRATA_BIGINT, .nullable = true,
                                    .references = "author.id", .on_delete = STRATA_SET_NULL));
}
static void down_add_fk_column(struct strata_op *op)
{
    strata_drop_column(op, "book", "reviewer_id");
}

static void up_add_unique_column(struct strata_op *op)
{
    strata_add_column(op, "author",
                      STRATA_COLUMN("code", STRATA_TEXT, .nullable = true, .unique = true,
                                    .check = "code <> ''"));
}
static void down_add_unique_column(struct strata_op *op)
{
    strata_drop_index(op, "uq_author_code", "author");
    strata_drop_column(op, "author", "code");
}

static void up_add_expr_default(struct strata_op *op)
{
    strata_add_column(op, "author",
                      STRATA_COLUMN("created", STRATA_DATETIME,
                                    .default_sql = "CURRENT_TIMESTAMP"));
}
static void down_add_expr_default(struct strata_op *op)
{
    strata_drop_column(op, "author", "created");
}

static void up_many(struct strata_op *op)
{
    strata_alter_column(op, "author",
                        STRATA_COLUMN("born", STRATA_BIGINT, .default_value = "0"));
    strata_add_column(op, "author",
                      STRATA_COLUMN("country", STRATA_VARCHAR(2), .backfill = "'NZ'"));
    strata_rename_column(op, "author", "name", "full_name");
    strata_create_check_constraint(op, "ck_author_born_range", "author", "born > 1800");
    strata_create_index(op, "ix_author_born", "author", "born");
    strata_alter_table_comment(op, "author", "several changes");
}
static void down_many(struct strata_op *op)
{
    strata_alter_table_comment(op, "author", NULL);
    strata_drop_index(op, "ix_author_born", "author");
    strata_drop_constraint(op, "ck_author_born_range", "author");
    strata_rename_column(op, "author", "full_name", "name");
    strata_drop_column(op, "author", "country");
    strata_alter_column(op, "author",
                        STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0"));
}

static void up_rename_and_alter(struct strata_op *op)
{
    strata_rename_table(op, "author", "writer");
    strata_alter_column(op, "writer",
                        STRATA_COLUMN("born", STRATA_BIGINT, .nullable = true,
                                      .default_value = "0"));
}
static void down_rename_and_alter(struct strata_op *op)
{
    strata_alter_column(op, "writer",
                        STRATA_COLUMN("born", STRATA_INTEGER, .default_value = "0",
                                      .backfill = "0"));
    strata_rename_table(op, "writer", "author");
}

static void up_alter_then_execute(struct strata_op *op)
{
    strata_add_column(op, "author",
                      STRATA_COLUMN("country", STRATA_VARCHAR(2), .backfill = "'NZ'"));
    strata_execute(op, "UPDATE author SET country = 'AU' WHERE id = 2");
}

#define NO_BIO_Q                                                                             \
    "SELECT group_concat(id||','||name||','||born||','||status, ';') FROM (SELECT * FROM " \
    "author ORDER BY id)"

static const struct apply_case cases[] = {
    { .name = "rename_table", .up = up_rename_table, .down = down_rename_table,
      .table = "writer", .author_q = AUTHOR_Q("writer"),
      .insert = "INSERT INTO writer (name) VALUES ('new')",
      .extra_q = "SELECT count(*) FROM book JOIN writer ON writer.id = book.author_id",
      .extra_want = "3", .rebuilds_up = 1, .rebuilds_down = 1 },
    { .name = "rename_column", .up = up_rename_column, .down = down_rename_column,
      .author_q = "SELECT group_concat(id||','||full_name||','||ifnull(bio,'-')||','||born||','"
                  "||status, ';') FROM (SELECT * FROM author ORDER BY id)",
      .insert = "INSERT INTO author (full_name) VALUES ('new')" },
    { .name = "add_column_nullable", .up = up_add_nullable, .down = down_add_nullable,
      .extra_q = "SELECT count(*) FROM author WHERE email IS NULL", .extra_want = "3" },
    { .name = "add_column_default", .up = up_add_default, .down = down_add_default,
      .extra_q = "SELECT group_concat(rank) FROM author", .extra_want = "5,5,5" },
    { .name = "add_column_backfill", .up = up_add_backfill, .down = down_add_backfill,
      .extra_q = "SELECT group_concat(country) FROM author", .extra_want = "NZ,NZ,NZ",
      .insert = "INSERT INTO author (name, country) VALUES ('new', 'DE')", .rebuilds_up = 1 },
    { .name = "add_column_fk", .up = up_add_fk_column, .down = down_add_fk_column,
      .extra_q = "SELECT count(*) FROM book WHERE reviewer_id IS NULL", .extra_want = "3",
      .rebuilds_down = 1 /* SQLite cannot drop a column its foreign key uses */ },
    { .name = "add_column_unique_check", .up = up_add_unique_column,
      .down = down_add_unique_column,
      .extra_q = "SELECT count(*) FROM author WHERE code IS NULL", .extra_want = "3" },
    { .name = "add_column_expression_default", .up = up_add_expr_default,
      .down = down_add_expr_default,
      .extra_q = "SELECT count(*) FROM author WHERE created IS NOT NULL", .extra_want = "3",
      .rebuilds_up = 1 },
    { .name = "drop_column", .up = up_drop_column, .down = down_drop_column,
      .author_q = NO_BIO_Q, .author_want = "1,Ann,1900,0;2,Bob,1910,1;3,Cy,1920,0",
      .author_down = "1,Ann,-,1900,0;2,Bob,-,1910,1;3,Cy,-,1920,0" },
    { .name = "drop_column_with_foreign_key", .up = up_drop_fk_column,
      .down = down_drop_fk_column,
      .book_q = "SELECT group_concat(id||','||ifnull(editor_id,'-')||','||title, ';') FROM "
                "(SELECT * FROM book ORDER BY id)",
      .book_want = "1,2,t1;2,-,t2;3,-,t3", .rebuilds_up = 1, .rebuilds_down = 1,
      .book_down = "1,1,2,t1;2,1,-,t2;3,1,-,t3" },
    { .name = "alter_column_type_and_null", .up = up_alter_type, .down = down_alter_type,
      .insert = "INSERT INTO author (name, born) VALUES ('new', NULL)", .rebuilds_up = 1,
      .rebuilds_down = 1 },
    { .name = "alter_column_not_null_backfill", .up = up_not_null, .down = down_not_null,
      .author_want = "1,Ann,bio1,1900,0;2,Bob,none,1910,1;3,Cy,bio3,1920,0",
      .insert = "INSERT INTO author (name, bio) VALUES ('new', 'x')", .rebuilds_up = 1,
      .rebuilds_down = 1, .author_down = "1,Ann,bio1,1900,0;2,Bob,none,1910,1;3,Cy,bio3,1920,0" },
    { .name = "alter_column_default", .up = up_alter_default, .down = down_alter_default,
      .extra_q = "SELECT dflt_value FROM pragma_table_info('author') WHERE name = 'born'",
      .extra_want = "7", .rebuilds_up = 1, .rebuilds_down = 1 },
    { .name = "alter_column_comment", .up = up_column_comment, .down = down_not_null,
      .rebuilds_up = 1, .rebuilds_down = 1 },
    { .name = "alter_column_check", .up = up_alter_check, .down = down_alter_default,
      .rebuilds_up = 1, .rebuilds_down = 1 },
    { .name = "alter_column_enum", .up = up_enum, .down = down_enum, .rebuilds_up = 1,
      .extra_q = "SELECT count(*) FROM author_view", .extra_want = "3", .rebuilds_down = 1 },
    { .name = "alter_primary_key", .up = up_pk, .down = down_pk, .rebuilds_up = 1,
      .rebuilds_down = 1 },
    { .name = "create_foreign_key", .up = up_fk, .down = down_fk, .rebuilds_up = 1,
      .rebuilds_down = 1,
      .extra_q = "SELECT count(*) FROM pragma_foreign_key_list('book')", .extra_want = "2" },
    { .name = "create_check_constraint", .up = up_check, .down = down_check,
      .rebuilds_up = 1, .rebuilds_down = 1, .insert = "INSERT INTO author (name, born) "
                                                      "VALUES ('new', 1999)" },
    { .name = "create_unique_index", .up = up_unique, .down = down_unique },
    { .name = "create_index", .up = up_index, .down = down_index },
    { .name = "alter_table_comment", .up = up_comment, .down = down_comment,
      .rebuilds_up = 1, .rebuilds_down = 1 },
    { .name = "create_table", .up = up_create_table, .down = down_create_table },
    { .name = "several_ops_one_rebuild", .up = up_many, .down = down_many,
      .author_q = "SELECT group_concat(id||','||full_name||','||ifnull(bio,'-')||','||born||','"
                  "||status||','||country, ';') FROM (SELECT * FROM author ORDER BY id)",
      .author_want = "1,Ann,bio1,1900,0,NZ;2,Bob,-,1910,1,NZ;3,Cy,bio3,1920,0,NZ",
      .insert = "INSERT INTO author (full_name, born, country) VALUES ('new', 1990, 'DE')",
      .rebuilds_up = 1, .rebuilds_down = 1 },
    { .name = "rename_table_and_alter", .up = up_rename_and_alter, .down = down_rename_and_alter,
      .table = "writer", .author_q = AUTHOR_Q("writer"),
      .insert = "INSERT INTO writer (name) VALUES ('new')", .rebuilds_up = 2,
      .rebuilds_down = 2 },
    { .name = "rebuild_before_execute", .up = up_alter_then_execute, .down = down_add_backfill,
      .extra_q = "SELECT group_concat(country) FROM author", .extra_want = "NZ,AU,NZ",
      .insert = "INSERT INTO author (name, country) VALUES ('new', 'DE')", .rebuilds_up = 1 },
};

/*
 * Upgrades base -> case -> base on a database with rows, checking schema, rows, view,
 * trigger, children and how many tables were rebuilt at each step.
 */
static void run_case(const struct apply_case *c)
{
    const struct strata_revision rev = { "case00000001", "base00000000", c->name, NULL, c->up,
                                         c->down };
    const char *table = c->table ? c->table : "author";
    struct fixture f;
    unsigned long rebuilds;

    at_base_with_rows(&f, &rev);
    assert_schema_at(&f, "base00000000");

    rebuilds = strata_sqlite_rebuild_count;
    upgrade_ok(&f, NULL);
    if ((int)(strata_sqlite_rebuild_count - rebuilds) != c->rebuilds_up)
        fail_msg("%s: upgrade rebuilt %lu tables, expected %d", c->name,
                 strata_sqlite_rebuild_count - rebuilds, c->rebuilds_up);
    assert_schema_at(&f, "case00000001");
    assert_query(f.conn, c->author_q ? c->author_q : AUTHOR_Q("author"),
                 c->author_want ? c->author_want : AUTHORS);
    assert_query(f.conn, c->book_q ? c->book_q : BOOK_Q, c->book_want ? c->book_want : BOOKS);
    if (c->extra_q != NULL)
        assert_query(f.conn, c->extra_q, c->extra_want);
    assert_int_equal(query_int(f.conn, "PRAGMA foreign_keys"), 1);
    assert_int_equal(query_int(f.conn, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_view_and_trigger(f.conn, table, c->insert ? c->insert : PLAIN_INSERT);

    rebuilds = strata_sqlite_rebuild_count;
    downgrade_ok(&f, NULL);
    if ((int)(strata_sqlite_rebuild_count - rebuilds) != c->rebuilds_down)
        fail_msg("%s: downgrade rebuilt %lu tables, expected %d", c->name,
                 strata_sqlite_rebuild_count - rebuilds, c->rebuilds_down);
    assert_schema_at(&f, "base00000000");
    assert_query(f.conn, AUTHOR_Q("author"), c->author_down ? c->author_down : AUTHORS);
    assert_query(f.conn, BOOK_Q, c->book_down ? c->book_down : BOOKS);
    assert_int_equal(query_int(f.conn, "PRAGMA foreign_keys"), 1);
    assert_view_and_trigger(f.conn, "author", PLAIN_INSERT);
    assert_string_equal(f.warnings, "");
    fixture_close(&f);
}

static void test_rebuild__every_operation_keeps_rows_view_and_trigger(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("# case %s\n", cases[i].name);
        run_case(&cases[i]);
    }
}

/* ===== The rebuild's guarantees ===== */

/* Counts the new tables a rebuild creates (CREATE TABLE "strata_rebuild_..."). */
static int count_creates(unsigned type, void *ctx, void *p, void *x)
{
    (void)p;
    if (type == SQLITE_TRACE_STMT && strstr((const char *)x, "CREATE TABLE \"strata_rebuild_"))
        (*(int *)ctx)++;
    return 0;
}

static void test_rebuild__several_ops_on_one_table_create_it_once(void **state)
{
    const struct strata_revision rev = { "case00000001", "base00000000", "many", NULL, up_many,
                                         down_many };
    struct fixture f;
    int creates = 0;

    (void)state;
    at_base_with_rows(&f, &rev);
    sqlite3_trace_v2(f.conn, SQLITE_TRACE_STMT, count_creates, &creates);
    upgrade_ok(&f, NULL);
    assert_int_equal(creates, 1);
    creates = 0;
    downgrade_ok(&f, NULL);
    assert_int_equal(creates, 1);
    sqlite3_trace_v2(f.conn, 0, NULL, NULL);
    fixture_close(&f);
}

static void up_book_comment(struct strata_op *op)
{
    strata_alter_table_comment(op, "book", "books");
}

static void up_author_comment_then_book(struct strata_op *op)
{
    strata_alter_table_comment(op, "author", "people");
    strata_alter_table_comment(op, "book", "books");
}

static void test_rebuild__old_orphans_are_reported_and_kept(void **state)
{
    const struct strata_revision rev = { "case00000001", "base00000000", "comments", NULL,
                                         up_author_comment_then_book, NULL };
    struct fixture f;

    (void)state;
    at_base_with_rows(&f, &rev);
    exec(f.conn, "PRAGMA foreign_keys=OFF; "
                 "INSERT INTO book (id, author_id, title) VALUES (10, 99, 'orphan'); "
                 "PRAGMA foreign_keys=ON");
    upgrade_ok(&f, NULL);
    assert_schema_at(&f, "case00000001");
    assert_non_null(strstr(f.warnings, "table book rowid 10 references a missing row of author"));
    assert_query(f.conn, "SELECT count(*) FROM book", "4");
    assert_query(f.conn, "SELECT author_id FROM book WHERE id = 10", "99");
    assert_query(f.conn, AUTHOR_Q("author"), AUTHORS);
    assert_int_equal(query_int(f.conn, "PRAGMA foreign_keys"), 1);
    fixture_close(&f);
}

/* Everything a failed revision must leave alone: schema text, every row, versions. */
static char *dump(sqlite3 *db)
{
    return query(db,
                 "SELECT (SELECT group_concat(type||name||ifnull(sql,''), '|') FROM "
                 "(SELECT * FROM sqlite_schema ORDER BY name)) || '#' || "
                 "(SELECT group_concat(id||author_id||ifnull(editor_id,'-')||title) FROM book) "
                 "|| '#' || (SELECT group_concat(id||name||ifnull(bio,'')||born||status) "
                 "FROM author) || '#' || (SELECT count(*) FROM audit) || '#' || "
                 "ifnull((SELECT group_concat(version_num) FROM strata_version), '') || '#' || "
                 "(SELECT count(*) FROM strata_history)");
}

static void test_rebuild__introduced_violation_aborts_and_changes_nothing(void **state)
{
    const struct strata_revision rev = { "case00000001", "base00000000", "fk", NULL, up_fk,
                                         down_fk };
    struct strata_error err = { 0 };
    struct fixture f;
    char *before, *after;

    (void)state;
    at_base_with_rows(&f, &rev);
    exec(f.conn, "UPDATE book SET editor_id = 77 WHERE id = 3");
    before = dump(f.conn);
    assert_int_equal(migrate(&f, 0, NULL, &err), STRATA_EMIGRATION);
    assert_non_null(strstr(err.message, "book rowid 3"));
    assert_non_null(strstr(err.message, "case00000001"));
    after = dump(f.conn);
    assert_string_equal(before, after);
    assert_int_equal(query_int(f.conn, "PRAGMA foreign_keys"), 1);
    assert_schema_at(&f, "base00000000");
    free(before);
    free(after);
    fixture_close(&f);
}

static void test_rebuild__live_shape_mismatch_refuses(void **state)
{
    const struct strata_revision rev = { "case00000001", "base00000000", "comment", NULL,
                                         up_comment, down_comment };
    struct strata_error err = { 0 };
    struct fixture f;
    char *before, *after;

    (void)state;
    at_base_with_rows(&f, &rev);
    exec(f.conn, "ALTER TABLE author ADD COLUMN extra TEXT");
    before = dump(f.conn);
    assert_int_equal(migrate(&f, 0, NULL, &err), STRATA_EMIGRATION);
    assert_non_null(strstr(err.message, "table author: unexpected column extra"));
    assert_non_null(strstr(err.message, "nothing was changed"));
    after = dump(f.conn);
    assert_string_equal(before, after);
    free(before);
    free(after);
    fixture_close(&f);
}

static void test_rebuild__child_rows_survive_parent_rebuild(void **state)
{
    const struct strata_revision rev = { "case00000001", "base00000000", "comment", NULL,
                                         up_comment, down_comment };
    struct fixture f;

    (void)state;
    at_base_with_rows(&f, &rev);
    upgrade_ok(&f, NULL);
    assert_query(f.conn, BOOK_Q, BOOKS);
    /* the child's foreign key still points at the rebuilt parent and still cascades */
    exec(f.conn, "DELETE FROM author WHERE id = 1");
    assert_query(f.conn, "SELECT group_concat(id) FROM book", "2");
    fixture_close(&f);
}

static void test_rebuild__replay_hash_mismatch_refuses(void **state)
{
    struct strata_error err = { 0 };
    struct strata_schema *s = NULL;
    struct strata_revision bad = { "case00000001", "base00000000", "bad hash",
                                   "00000000000000000000000000000000000000000000000000000000"
                                   "00000000",
                                   up_book_comment, NULL };
    struct strata_revision good = bad;
    char hash[65];
    struct fixture f;

    (void)state;
    fixture_open(&f, &bad);
    assert_int_equal(strata_upgrade(f.db, &f.m, NULL, &err), STRATA_EMIGRATION);
    assert_non_null(strstr(err.message, "revision case00000001"));
    assert_string_equal(err.revision, "case00000001");
    /* refused before anything ran: not even strata's tables exist */
    assert_query(f.conn, "SELECT count(*) FROM sqlite_schema", "0");
    assert_int_equal(strata_replay(&f.m, "case00000001", &s, &err), STRATA_EMIGRATION);

    /* the right hash passes */
    f.revs[1] = &good;
    memset(&err, 0, sizeof(err));
    assert_int_equal(strata_replay(&f.m, "case00000001", &s, &err), STRATA_EMIGRATION);
    good.schema_hash = NULL;
    assert_int_equal(strata_replay(&f.m, "case00000001", &s, &err), 0);
    assert_int_equal(strata_schema_hash(s, hash), 0);
    strata_schema_free(s);
    good.schema_hash = hash;
    assert_int_equal(strata_upgrade(f.db, &f.m, NULL, &err), 0);
    assert_schema_at(&f, "case00000001");
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rebuild__every_operation_keeps_rows_view_and_trigger),
        cmocka_unit_test(test_rebuild__several_ops_on_one_table_create_it_once),
        cmocka_unit_test(test_rebuild__old_orphans_are_reported_and_kept),
        cmocka_unit_test(test_rebuild__introduced_violation_aborts_and_changes_nothing),
        cmocka_unit_test(test_rebuild__live_shape_mismatch_refuses),
        cmocka_unit_test(test_rebuild__child_rows_survive_parent_rebuild),
        cmocka_unit_test(test_rebuild__replay_hash_mismatch_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
