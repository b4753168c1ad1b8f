/*
 * The safety tests' history (see history.h), written with migration.h's calls as a
 * generated revision is. Rows are filled by raw SQL (recursive CTEs) and by one C hook,
 * so both kinds of data migration run under the kills and the injected faults.
 */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define AUTHORS 200
#define BOOKS 1000
#define TAGS 50
#define BOOK_TAGS 1000

long safety_big_rows(void)
{
    const char *env = getenv("STRATA_SAFETY_BIG_ROWS");
    long n = env != NULL ? strtol(env, NULL, 10) : 0;

    return n > 0 ? n : 100000;
}

long safety_expected_rows(const char *table)
{
    if (strcmp(table, "author") == 0)
        return AUTHORS;
    if (strcmp(table, "book") == 0)
        return BOOKS;
    if (strcmp(table, "big") == 0)
        return safety_big_rows();
    if (strcmp(table, "tag") == 0 || strcmp(table, "label") == 0)
        return TAGS;
    if (strcmp(table, "book_tag") == 0)
        return BOOK_TAGS;
    return -1;
}

/* r01: authors, filled by raw SQL. */
static void up_author(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
    strata_execute(op, "INSERT INTO author (id, name) WITH RECURSIVE n(i) AS (SELECT 1 "
                       "UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
                       "SELECT i, 'author ' || i FROM n");
}

static void down_author(struct strata_op *op)
{
    strata_drop_table(op, "author");
}

/* r02: books referencing authors. */
static void up_book(struct strata_op *op)
{
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0"));
    strata_create_index(op, "ix_book_title", "book", "title");
    strata_execute(op, "INSERT INTO book (id, title, author_id, price) WITH RECURSIVE "
                       "n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                       "SELECT i, 'book ' || i, i % 200 + 1, i * 0.5 FROM n");
}

static void down_book(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_table(op, "book");
}

/* A C data migration: fills `big` with safety_big_rows() rows. */
static int fill_big(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    char sql[512];
    char *msg = NULL;

    (void)dialect;
    snprintf(sql, sizeof(sql),
             "INSERT INTO big (id, v, note) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
             "SELECT i + 1 FROM n WHERE i < %ld) SELECT i, i %% 997, 'row ' || i FROM n",
             safety_big_rows());
    if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(errmsg, errsize, "%s", msg != NULL ? msg : "fill_big failed");
        sqlite3_free(msg);
        return 1;
    }
    return 0;
}

/* r03: the big table. */
static void up_big(struct strata_op *op)
{
    strata_create_table(op, "big",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("v", STRATA_INTEGER),
        STRATA_COLUMN("note", STRATA_TEXT, .nullable = true));
    strata_run_hook(op, "fill_big", fill_big);
}

static void down_big(struct strata_op *op)
{
    strata_drop_table(op, "big");
}

/* r04: native ADD COLUMN. */
static void up_born(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("born", STRATA_INTEGER, .nullable = true));
}

static void down_born(struct strata_op *op)
{
    strata_drop_column(op, "author", "born");
}

/* r05: a type change: the 12-step rebuild of `big`. */
static void up_big_v(struct strata_op *op)
{
    strata_alter_column(op, "big", STRATA_COLUMN("v", STRATA_BIGINT));
}

static void down_big_v(struct strata_op *op)
{
    strata_alter_column(op, "big", STRATA_COLUMN("v", STRATA_INTEGER));
}

/* r06: tags and the M:M association. */
static void up_tag(struct strata_op *op)
{
    strata_create_table(op, "tag",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_VARCHAR(50)));
    strata_create_table(op, "book_tag",
        STRATA_COLUMN("book_id", STRATA_BIGINT, .references = "book.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("tag_id", STRATA_BIGINT, .references = "tag.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_PRIMARY_KEY("book_id", "tag_id"));
    strata_execute(op, "INSERT INTO tag (id, name) WITH RECURSIVE n(i) AS (SELECT 1 UNION "
                       "ALL SELECT i + 1 FROM n WHERE i < 50) SELECT i, 'tag ' || i FROM n");
    strata_execute(op, "INSERT INTO book_tag (book_id, tag_id) WITH RECURSIVE n(i) AS "
                       "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                       "SELECT i, i % 50 + 1 FROM n");
}

static void down_tag(struct strata_op *op)
{
    strata_drop_table(op, "book_tag");
    strata_drop_table(op, "tag");
}

/* r07: a unique index. */
static void up_tag_unique(struct strata_op *op)
{
    strata_create_unique_index(op, "uq_tag_name", "tag", "name");
}

static void down_tag_unique(struct strata_op *op)
{
    strata_drop_index(op, "uq_tag_name", "tag");
}

/* r08: a nullability change: the rebuild of a parent (book_tag references book). */
static void up_price(struct strata_op *op)
{
    strata_alter_column(op, "book",
                        STRATA_COLUMN("price", STRATA_DOUBLE, .nullable = true,
                                      .default_value = "0"));
}

static void down_price(struct strata_op *op)
{
    strata_alter_column(op, "book",
                        STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0",
                                      .backfill = "0"));
}

/* r09: native RENAME COLUMN. */
static void up_full_name(struct strata_op *op)
{
    strata_rename_column(op, "author", "name", "full_name");
}

static void down_full_name(struct strata_op *op)
{
    strata_rename_column(op, "author", "full_name", "name");
}

/* r10: native ADD COLUMN NOT NULL with a default. */
static void up_pages(struct strata_op *op)
{
    strata_add_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .default_value = "0"));
}

static void down_pages(struct strata_op *op)
{
    strata_drop_column(op, "book", "pages");
}

/* r11: RENAME TABLE of a referenced table. */
static void up_label(struct strata_op *op)
{
    strata_rename_table(op, "tag", "label");
}

static void down_label(struct strata_op *op)
{
    strata_rename_table(op, "label", "tag");
}

/* r12: native DROP COLUMN on the big table. */
static void up_drop_note(struct strata_op *op)
{
    strata_drop_column(op, "big", "note");
}

static void down_drop_note(struct strata_op *op)
{
    strata_add_column(op, "big", STRATA_COLUMN("note", STRATA_TEXT, .nullable = true));
}

/* r13: a table CHECK: the big table rebuilt again. */
static void up_big_check(struct strata_op *op)
{
    strata_create_check_constraint(op, "ck_big_v_positive", "big", "v >= 0");
}

static void down_big_check(struct strata_op *op)
{
    strata_drop_constraint(op, "ck_big_v_positive", "big");
}

/* r14: index changes. */
static void up_indexes(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
}

static void down_indexes(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_author_id_title", "book");
    strata_create_index(op, "ix_book_title", "book", "title");
}

#define REV(sym, id, parent, msg, up, down) \
    static const struct strata_revision sym = { id, parent, msg, NULL, up, down }

REV(r01, "5afe00000001", NULL, "create author", up_author, down_author);
REV(r02, "5afe00000002", "5afe00000001", "add book", up_book, down_book);
REV(r03, "5afe00000003", "5afe00000002", "add big", up_big, down_big);
REV(r04, "5afe00000004", "5afe00000003", "add author.born", up_born, down_born);
REV(r05, "5afe00000005", "5afe00000004", "big.v bigint", up_big_v, down_big_v);
REV(r06, "5afe00000006", "5afe00000005", "add tag", up_tag, down_tag);
REV(r07, "5afe00000007", "5afe00000006", "unique tag.name", up_tag_unique, down_tag_unique);
REV(r08, "5afe00000008", "5afe00000007", "book.price nullable", up_price, down_price);
REV(r09, "5afe00000009", "5afe00000008", "rename author.name", up_full_name, down_full_name);
REV(r10, "5afe0000000a", "5afe00000009", "add book.pages", up_pages, down_pages);
REV(r11, "5afe0000000b", "5afe0000000a", "rename tag", up_label, down_label);
REV(r12, "5afe0000000c", "5afe0000000b", "drop big.note", up_drop_note, down_drop_note);
REV(r13, "5afe0000000d", "5afe0000000c", "check big.v", up_big_check, down_big_check);
REV(r14, "5afe0000000e", "5afe0000000d", "book indexes", up_indexes, down_indexes);

static const struct strata_revision *const revisions[] = {
    &r01, &r02, &r03, &r04, &r05, &r06, &r07, &r08, &r09, &r10, &r11, &r12, &r13, &r14,
};

const struct strata_migrations safety_migrations = {
    STRATA_ABI_VERSION, sizeof(revisions) / sizeof(revisions[0]), revisions
};
