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
    strata_add_column(op, "book",
        STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true, .unique = true));
    strata_add_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .default_value = "0"));
    strata_add_column(op, "book",
        STRATA_COLUMN("in_print", STRATA_BOOLEAN, .default_value = "TRUE"));
    strata_add_column(op, "book",
        STRATA_COLUMN("subtitle", STRATA_TEXT, .nullable = true, .default_value = "'it''s new'"));
    strata_add_column(op, "book",
        STRATA_COLUMN("author_id", STRATA_BIGINT, .nullable = true, .references = "author.id",
                      .on_delete = STRATA_SET_NULL));
    strata_create_index(op, "ix_book_pages", "book", "pages");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_pages", "book");
    strata_drop_column(op, "book", "author_id");
    strata_drop_column(op, "book", "subtitle");
    strata_drop_column(op, "book", "in_print");
    strata_drop_column(op, "book", "pages");
    strata_drop_constraint(op, "uq_book_isbn", "book");
    strata_drop_column(op, "book", "isbn");
}

STRATA_REVISION("rev2", "rev1", "after",
                "6bc34138990a649a37fa6b10cb88c7ed0beba6c308eb41b1e24cfe644d0f4086",
                upgrade, downgrade);
