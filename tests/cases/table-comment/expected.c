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
    strata_alter_table_comment(op, "book", "books on the shelf");
    strata_alter_table_comment(op, "tag", "labels for books");
}

static void downgrade(struct strata_op *op)
{
    strata_alter_table_comment(op, "tag", NULL);
    strata_alter_table_comment(op, "book", "books");
}

STRATA_REVISION("rev2", "rev1", "after",
                "b29c7e4856d5cd557c982feb72756d273d4479dad81d955897a5df5038f020d1",
                upgrade, downgrade);
