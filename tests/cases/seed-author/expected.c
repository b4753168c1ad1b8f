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
                "df91e4e90f4c8a36bcbfecf0a907b1f12e531cbd042c2f1cefc4bfd402e40d6f",
                upgrade, downgrade);
