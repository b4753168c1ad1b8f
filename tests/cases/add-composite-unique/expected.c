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
    /* risky: adds unique constraint uq_book_author_id_title; fails if existing rows hold
       duplicates */
    strata_create_unique_index(op, "uq_book_author_id_title", "book", "author_id", "title");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "uq_book_author_id_title", "book");
}

STRATA_REVISION("rev2", "rev1", "after",
                "ddd8640b9950c1a8a06ae8c61f1163f285a61482ccc827be87429b5e5a425ee9",
                upgrade, downgrade);
