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
        STRATA_COLUMN("title", STRATA_VARCHAR(200), .backfill = "'untitled'"));
    strata_add_column(op, "book",
        STRATA_COLUMN("pages", STRATA_INTEGER, .default_value = "0", .backfill = "1"));
    strata_add_column(op, "book", STRATA_COLUMN("isbn", STRATA_TEXT, .nullable = true));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_column(op, "book", "isbn");
    strata_drop_column(op, "book", "pages");
    strata_drop_column(op, "book", "title");
}

STRATA_REVISION("rev2", "rev1", "after",
                "bc68c616bbec75ca33954333f8cfb9066574a50f363a41dc4fc0b148bdc4ed20",
                upgrade, downgrade);
