/*
 * create everything
 *
 * Revision ID: rev2
 * Revises: rev1
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true, .comment = "pen \"name\""),
        STRATA_COLUMN("born", STRATA_DATE, .nullable = true),
        STRATA_COLUMN("uuid", STRATA_UUID, .unique = true),
        STRATA_TABLE_COMMENT("people who write\nbooks"));
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE, .on_update = STRATA_RESTRICT),
        STRATA_COLUMN("price", STRATA_NUMERIC(10, 2), .default_value = "0", .check = "price >= 0"),
        STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"),
        STRATA_COLUMN("kind", STRATA_SMALLINT, .default_value = "0", .enum_values = "0,1,2"),
        STRATA_COLUMN("rating", STRATA_REAL, .nullable = true),
        STRATA_COLUMN("score", STRATA_DOUBLE, .nullable = true),
        STRATA_COLUMN("pages", STRATA_INTEGER, .nullable = true),
        STRATA_COLUMN("cover", STRATA_BLOB, .nullable = true),
        STRATA_COLUMN("meta", STRATA_JSON, .nullable = true),
        STRATA_COLUMN("added", STRATA_DATETIME, .default_sql = "CURRENT_TIMESTAMP"),
        STRATA_COLUMN("stamp", STRATA_TIMESTAMP, .nullable = true),
        STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true),
        STRATA_COLUMN("note", STRATA_TEXT, .nullable = true,
                      .check = "note <> 'a\\b' AND note <> '?\?='"),
        STRATA_UNIQUE("author_id", "title"),
        STRATA_CHECK("price < 100000 OR kind = 2"));
    strata_create_index(op, "ix_book_title", "book", "title");
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
    strata_create_table(op, "tag",
        STRATA_COLUMN("id", STRATA_INTEGER, .primary_key = true),
        STRATA_COLUMN("label", STRATA_VARCHAR(40), .unique = true));
    strata_create_table(op, "book_tag",
        STRATA_COLUMN("book_id", STRATA_BIGINT, .references = "book.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("tag_id", STRATA_BIGINT, .references = "tag.id",
                      .on_delete = STRATA_SET_NULL),
        STRATA_PRIMARY_KEY("book_id", "tag_id"));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_table(op, "book_tag");
    strata_drop_table(op, "tag");
    strata_drop_index(op, "ix_book_author_id_title", "book");
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_table(op, "book");
    strata_drop_table(op, "author");
}

STRATA_REVISION("rev2", "rev1", "create everything",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                upgrade, downgrade);
