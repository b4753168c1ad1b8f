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
    strata_drop_constraint(op, "fk_book_author_id_author", "book");
    strata_create_foreign_key(op, "fk_book_author_id_author", "book", "author_id", "author.id",
                              STRATA_SET_NULL, STRATA_CASCADE);
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "fk_book_author_id_author", "book");
    strata_create_foreign_key(op, "fk_book_author_id_author", "book", "author_id", "author.id",
                              STRATA_CASCADE, STRATA_NO_ACTION);
}

STRATA_REVISION("rev2", "rev1", "after",
                "4f5e4ec46a09d38d74aa5592a7ef107dfe98c0d066eedce9e38c8f386f6b6c05",
                upgrade, downgrade);
