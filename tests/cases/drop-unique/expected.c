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
                "53786f72b056232702580140d6c6ac289fe7a6c339d4788afea28816258f3b44",
                upgrade, downgrade);
