/*
 * add tag and book_tag
 *
 * Revision ID: ea2ad4c8ac95
 * Revises: 990af3df3972
 * Create Date: 2026-11-29 21:07:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
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
}

STRATA_REVISION("ea2ad4c8ac95", "990af3df3972", "add tag and book_tag",
                "b3e7c0edbfb332a47be199be28f47f3cd4c4f8a46c1e2b4a20b4e74194c9d717",
                upgrade, downgrade);
