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
    strata_create_check_constraint(op, "ck_book_60b55c7a", "book", "price < 1000 OR pages > 100");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "ck_book_60b55c7a", "book");
}

STRATA_REVISION("rev2", "rev1", "after",
                "97a5d4690cca4ed4caa77f79e51cc0dbab01ebbc46787c17fb7720e8200eded8",
                upgrade, downgrade);
