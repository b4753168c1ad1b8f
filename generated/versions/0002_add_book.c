/*
 * add book
 *
 * Revision ID: 990af3df3972
 * Revises: 483911ccbdce
 * Create Date: 2026-11-29 21:07:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_create_table(op, "book",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("title", STRATA_VARCHAR(200)),
        STRATA_COLUMN("author_id", STRATA_BIGINT, .references = "author.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("price", STRATA_DOUBLE, .default_value = "0", .check = "price >= 0"));
    strata_create_index(op, "ix_book_title", "book", "title");
    strata_create_index(op, "ix_book_author_id_title", "book", "author_id", "title");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_index(op, "ix_book_title", "book");
    strata_drop_index(op, "ix_book_author_id_title", "book");
    strata_drop_table(op, "book");
}

STRATA_REVISION("990af3df3972", "483911ccbdce", "add book",
                "1815ace873572148cbe97250ee3381fd8bdb8431e0be9953ef59ff823d38b506",
                upgrade, downgrade);
