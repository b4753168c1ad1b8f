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
                "662b578ca4dc991167024436b5b0cc13ce58eeea43b1115152e4a44334bf0051",
                upgrade, downgrade);
