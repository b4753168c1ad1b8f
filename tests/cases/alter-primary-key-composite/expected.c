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
    strata_drop_primary_key(op, "book_tag");
    /* destructive: drops column book_tag.id and its data */
    strata_drop_column(op, "book_tag", "id");
    strata_alter_primary_key(op, "book_tag", "book_id", "tag_id");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_primary_key(op, "book_tag");
    strata_add_column(op, "book_tag", STRATA_COLUMN("id", STRATA_BIGINT, .autoincrement = true));
    strata_alter_primary_key(op, "book_tag", "id");
}

STRATA_REVISION("rev2", "rev1", "after",
                "2ff0b6111fd1ff8b415ee126d455f166da9a545fd0fa7d0c725f17579650d5fd",
                upgrade, downgrade);
