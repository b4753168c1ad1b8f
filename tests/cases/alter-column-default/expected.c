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
                "1129f97b00b2a1258ff87ec80bd6a3d2da9f0dab05ff7b001fcb78cd3c204894",
                upgrade, downgrade);
