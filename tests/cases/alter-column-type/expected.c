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
                "b9f3922ef6b8f54e3e2d527daa07eec3e1561822329ec154ba04bffc403cb003",
                upgrade, downgrade);
