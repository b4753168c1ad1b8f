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
                "54150cc436f0d946ca844b40fe14cc882ec28f3ebbd94a494d913ee0a656115e",
                upgrade, downgrade);
