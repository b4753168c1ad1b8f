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
                "4ea486e51cf58db8c07b55357e7fec927d32affb573b40c6c19d87eeb375a40d",
                upgrade, downgrade);
