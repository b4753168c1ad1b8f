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
    strata_drop_index(op, "ix_book_pages", "book");
    strata_drop_constraint(op, "uq_book_isbn", "book");
    /* destructive: drops column book.pages and its data */
    strata_drop_column(op, "book", "pages");
    /* destructive: drops column book.isbn and its data */
    strata_drop_column(op, "book", "isbn");
}

static void downgrade(struct strata_op *op)
{
    strata_add_column(op, "book", STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true));
    strata_add_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .backfill = "0"));
    strata_create_unique_index(op, "uq_book_isbn", "book", "isbn");
    strata_create_index(op, "ix_book_pages", "book", "pages");
}

STRATA_REVISION("rev2", "rev1", "after",
                "28b908ca1e99d306d5362b4b536a6fd1b374352b4e2ba6e26890df2d708f57a0",
                upgrade, downgrade);
