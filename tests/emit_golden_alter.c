/*
 * alter book
 *
 * Revision ID: rev3
 * Revises:
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_pages", "book");
    /* destructive: drops column book.pages and its data */
    strata_drop_column(op, "book", "pages");
    strata_add_column(op, "book",
        STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true, .references = "author.id",
                      .on_delete = STRATA_SET_NULL, .comment = "who wrote it, if known"));
    strata_add_column(op, "book",
        STRATA_COLUMN("isbn", STRATA_VARCHAR(13), .nullable = true, .unique = true));
    strata_add_column(op, "book",
        STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"));
    strata_create_index(op, "ix_book_title", "book", "title");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_column(op, "book", "in_print");
    strata_drop_constraint(op, "uq_book_isbn", "book");
    strata_drop_column(op, "book", "isbn");
    strata_drop_column(op, "book", "author_id");
    strata_add_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .backfill = "0"));
    strata_create_index(op, "ix_book_pages", "book", "pages");
}

STRATA_REVISION("rev3", NULL, "alter book",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                upgrade, downgrade);
