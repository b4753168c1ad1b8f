/*
 * create author
 *
 * Revision ID: 483911ccbdce
 * Revises:
 * Create Date: 2026-11-29 21:06:59 UTC
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

STRATA_REVISION("483911ccbdce", NULL, "create author",
                "662b578ca4dc991167024436b5b0cc13ce58eeea43b1115152e4a44334bf0051",
                upgrade, downgrade);
