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
    /* risky: narrows book.title from varchar(200) to varchar(50); longer values fail the
       migration */
    strata_alter_column(op, "book", STRATA_COLUMN("title", STRATA_VARCHAR(50)));
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_BIGINT));
    strata_alter_column(op, "book", STRATA_COLUMN("rating", STRATA_DOUBLE));
}

static void downgrade(struct strata_op *op)
{
    strata_alter_column(op, "book", STRATA_COLUMN("rating", STRATA_REAL));
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_INTEGER));
    strata_alter_column(op, "book", STRATA_COLUMN("title", STRATA_VARCHAR(200)));
}

STRATA_REVISION("rev2", "rev1", "after",
                "a72d85428b688244ccb5e99f4f8732ca7d09f57a5b6514238ca45d751be1cef4",
                upgrade, downgrade);
