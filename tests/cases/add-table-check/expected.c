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
                "f42579ed6eedd612629114d250ffe2962bb3fdd6a8e93153a8f4cc1ca747c61d",
                upgrade, downgrade);
