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
    strata_rename_column(op, "author", "name", "full_name");
}

static void downgrade(struct strata_op *op)
{
    strata_rename_column(op, "author", "full_name", "name");
}

STRATA_REVISION("rev2", "rev1", "after",
                "d24cff7d7d09960ec6b930ddaafcafd2514c26125e5c159f3fcdf856f787f0d0",
                upgrade, downgrade);
