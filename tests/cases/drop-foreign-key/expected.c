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
    strata_drop_constraint(op, "fk_book_author_id_author", "book");
}

static void downgrade(struct strata_op *op)
{
    strata_create_foreign_key(op, "fk_book_author_id_author", "book", "author_id", "author.id",
                              STRATA_CASCADE, STRATA_NO_ACTION);
}

STRATA_REVISION("rev2", "rev1", "after",
                "c1301d4c282f8f65359bd0bb7b7b6e492768011e472543bfd0e25d53495bc7e4",
                upgrade, downgrade);
