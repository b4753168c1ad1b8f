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
    strata_alter_column(op, "book",
        STRATA_COLUMN("price", STRATA_DOUBLE, .check = "price >= 0 AND price < 10000"));
    strata_alter_column(op, "book",
        STRATA_COLUMN("pages", STRATA_INTEGER, .check = "pages > 0", .comment = "printed pages"));
}

static void downgrade(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER));
    strata_alter_column(op, "book", STRATA_COLUMN("price", STRATA_DOUBLE, .check = "price >= 0"));
}

STRATA_REVISION("rev2", "rev1", "after",
                "222991a6d0d9bdf4bc5ca96f95678f820d37fe6ef6fbaebbf107b2a0adcd7bf8",
                upgrade, downgrade);
