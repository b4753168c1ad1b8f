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
    strata_rename_column(op, "author", "name", "full_name");
}

static void downgrade(struct strata_op *op)
{
    strata_rename_column(op, "author", "full_name", "name");
}

STRATA_REVISION("rev2", "rev1", "after",
                "ea245d3e4a983cb04790c536c9019ddcb52d209b6d053589e8ab329085043b4c",
                upgrade, downgrade);
