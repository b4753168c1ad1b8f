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
                "3b6ed8f7aa4aa8455fd454b28fe01166e08825baebed6481b077cf9c488bea75",
                upgrade, downgrade);
