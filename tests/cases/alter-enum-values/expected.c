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
    strata_alter_column(op, "paint",
        STRATA_COLUMN("color", STRATA_INTEGER, .enum_values = "0,1,2,7"));
}

static void downgrade(struct strata_op *op)
{
    strata_alter_column(op, "paint",
        STRATA_COLUMN("color", STRATA_INTEGER, .enum_values = "0,1,2"));
}

STRATA_REVISION("rev2", "rev1", "after",
                "46077ff05adf8bd99c8dcbb742bf7cc8b7c2dfc294c4ff62b8eab38da7e320d2",
                upgrade, downgrade);
