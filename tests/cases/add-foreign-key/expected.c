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
    strata_create_foreign_key(op, "fk_book_author_id_author", "book", "author_id", "author.id",
                              STRATA_CASCADE, STRATA_NO_ACTION);
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "fk_book_author_id_author", "book");
}

STRATA_REVISION("rev2", "rev1", "after",
                "0257899eabc77bd7485c5037e57cfe17b2323055054a9ace56c011223cd7127e",
                upgrade, downgrade);
