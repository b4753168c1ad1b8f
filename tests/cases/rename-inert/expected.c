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
                "5e6d094314e1dfa0b34bc4e0860cf0077dc1649bc0e9bb3ae1102f4cf09246fa",
                upgrade, downgrade);
