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
                "11de6f7d37fadd090554d1ad1c748c983e263b509f1d0f8175028b8920e1e359",
                upgrade, downgrade);
