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
    strata_add_column(op, "writer", STRATA_COLUMN("bio", STRATA_TEXT, .nullable = true));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_column(op, "writer", "bio");
}

STRATA_REVISION("rev2", "rev1", "after",
                "ff624f3518a05dc1c8f7f38063aa140ad1f48fc1c05c012f949e986dcbbbfc47",
                upgrade, downgrade);
