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
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "9.99"));
    strata_alter_column(op, "book",
        STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"));
    strata_alter_column(op, "book",
        STRATA_COLUMN("added", STRATA_DATETIME, .nullable = true,
                      .default_sql = "CURRENT_TIMESTAMP"));
}

static void downgrade(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("added", STRATA_DATETIME, .nullable = true));
    strata_alter_column(op, "book", STRATA_COLUMN("in_print", STRATA_BOOLEAN));
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0"));
}

STRATA_REVISION("rev2", "rev1", "after",
                "ab3f6d72a0a06aae16fd9487c255d86cf4f0b814fc0100e6097ea32243f42366",
                upgrade, downgrade);
