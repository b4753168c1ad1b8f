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
    strata_rename_column(op, "author", "name", "display_name");
}

static void downgrade(struct strata_op *op)
{
    strata_rename_column(op, "author", "display_name", "name");
}

STRATA_REVISION("rev2", "rev1", "after",
                "a6148ffc467b9ef8b2d11b207e60bca4ac298f430e7099524f55ac79ad637e62",
                upgrade, downgrade);
