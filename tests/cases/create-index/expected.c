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
    strata_create_index(op, "ix_book_title", "book", "title");
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_author_id_title", "book");
    strata_drop_index(op, "ix_book_title", "book");
}

STRATA_REVISION("rev2", "rev1", "after",
                "345549c7f83e80412fa6ea626a856aeeed3c0f4ad5e6b4f265f12b615ef12367",
                upgrade, downgrade);
