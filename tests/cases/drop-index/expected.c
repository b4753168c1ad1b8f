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
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_index(op, "ix_book_author_id_title", "book");
}

static void downgrade(struct strata_op *op)
{
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
    strata_create_index(op, "ix_book_title", "book", "title");
}

STRATA_REVISION("rev2", "rev1", "after",
                "eb4ee77ccba995ec9d1bc55b103484674cd212e50c2afd610b0d68196b51cdf4",
                upgrade, downgrade);
