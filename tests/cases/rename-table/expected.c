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
    strata_rename_table(op, "author", "writer");
}

static void downgrade(struct strata_op *op)
{
    strata_rename_table(op, "writer", "author");
}

STRATA_REVISION("rev2", "rev1", "after",
                "634dc3c9e1699b38edbc3b6bb985b5f2dc21c17dd11b0f9737cf6d74b7ca6e5c",
                upgrade, downgrade);
