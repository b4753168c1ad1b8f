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
    strata_drop_constraint(op, "uq_tag_name", "tag");
}

static void downgrade(struct strata_op *op)
{
    strata_create_unique_index(op, "uq_tag_name", "tag", "name");
}

STRATA_REVISION("rev2", "rev1", "after",
                "8ae07e397dfebeee935ae338b5cbc54a649b0b9a8dfd62b13c653a3a21bfb9f4",
                upgrade, downgrade);
