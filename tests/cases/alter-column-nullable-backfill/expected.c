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
    /* risky: makes book.title NOT NULL; existing NULLs become 'untitled' */
    strata_alter_column(op, "book", STRATA_COLUMN("title", STRATA_TEXT, .backfill = "'untitled'"));
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .nullable = true));
}

static void downgrade(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER, .backfill = "0"));
    strata_alter_column(op, "book", STRATA_COLUMN("title", STRATA_TEXT, .nullable = true));
}

STRATA_REVISION("rev2", "rev1", "after",
                "e63f7d06218a8c3895b3560a1d4edb725cd7ebe6c2495b1311d3b304c236386c",
                upgrade, downgrade);
