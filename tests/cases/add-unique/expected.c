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
    /* risky: adds unique constraint uq_tag_name; fails if existing rows hold duplicates */
    strata_create_unique_index(op, "uq_tag_name", "tag", "name");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "uq_tag_name", "tag");
}

STRATA_REVISION("rev2", "rev1", "after",
                "e188f928e6c994cd78ac7fe4703828c1fa7001f8a23f957c72d65eecdd8fb886",
                upgrade, downgrade);
