/*
 * after
 *
 * Revision ID: rev2
 * Revises: rev1
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    /* destructive: drops table book and its rows */
    strata_drop_table(op, "book");
}

static void downgrade(struct strata_op *op)
{
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true));
    strata_create_index(op, "ix_book_title", "book", "title");
}

STRATA_REVISION("rev2", "rev1", "after",
                "df91e4e90f4c8a36bcbfecf0a907b1f12e531cbd042c2f1cefc4bfd402e40d6f",
                upgrade, downgrade);
