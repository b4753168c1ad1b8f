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
    strata_drop_constraint(op, "ck_book_60b55c7a", "book");
    strata_drop_constraint(op, "ck_book_2ff62ae7", "book");
    strata_create_check_constraint(op, "ck_book_44d1f16e", "book", "price < 2000 OR pages > 100");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "ck_book_44d1f16e", "book");
    strata_create_check_constraint(op, "ck_book_2ff62ae7", "book", "pages > 0");
    strata_create_check_constraint(op, "ck_book_60b55c7a", "book", "price < 1000 OR pages > 100");
}

STRATA_REVISION("rev2", "rev1", "after",
                "3d78649a399fdeb88fe54689c360800b58319b9e747f9b22f75a50c12d99a80a",
                upgrade, downgrade);
