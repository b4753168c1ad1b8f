/*
 * after
 *
 * Revision ID: rev2
 * Revises:
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE));
    strata_create_table(op, "tag",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_VARCHAR(50), .unique = true));
    strata_create_table(op, "book_tag",
        STRATA_COLUMN("book_id", STRATA_BIGINT, .references = "book.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("tag_id", STRATA_BIGINT, .references = "tag.id", .on_delete = STRATA_CASCADE),
        STRATA_PRIMARY_KEY("book_id", "tag_id"));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_table(op, "book_tag");
    strata_drop_table(op, "tag");
    strata_drop_table(op, "book");
    strata_drop_table(op, "author");
}

STRATA_REVISION("rev2", NULL, "after",
                "0e96e8d73e4d9c2747a2e6a0c524242ab45437b95e1cc4452846e930e05322eb",
                upgrade, downgrade);
