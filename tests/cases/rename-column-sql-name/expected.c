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
                "699ef686cbbf478d0020057f38fc14bd96d231fcc1df5e38dba151c30f87e731",
                upgrade, downgrade);
