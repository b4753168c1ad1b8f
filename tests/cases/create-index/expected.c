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
    strata_create_index(op, "ix_book_title", "book", "title");
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_author_id_title", "book");
    strata_drop_index(op, "ix_book_title", "book");
}

STRATA_REVISION("rev2", "rev1", "after",
                "ca4f143f22222e4a3b452c59d9effbb48ca360f3ede83c5705acfb404a647ec6",
                upgrade, downgrade);
