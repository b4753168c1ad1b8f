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
                "b5579784dabb820d27d5a7c247c40a0870a2184d0c93566644d7a83ec0246621",
                upgrade, downgrade);
