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
                "92cc5b33d31719bb1c3a5eeeb007d73ddb65dc5193be8ade6796149438ac964b",
                upgrade, downgrade);
