/*
 * after
 *
 * Revision ID: rev2
 * Revises:
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_create_table(op, "author",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("name", STRATA_TEXT, .nullable = true));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_table(op, "author");
}

STRATA_REVISION("rev2", NULL, "after",
                "662b578ca4dc991167024436b5b0cc13ce58eeea43b1115152e4a44334bf0051",
                upgrade, downgrade);
