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
    strata_rename_table(op, "author", "writer");
    strata_rename_column(op, "writer", "name", "full_name");
    strata_rename_column(op, "book", "author_id", "writer_id");
    strata_add_column(op, "writer", STRATA_COLUMN("country", STRATA_TEXT, .nullable = true));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_column(op, "writer", "country");
    strata_rename_column(op, "book", "writer_id", "author_id");
    strata_rename_column(op, "writer", "full_name", "name");
    strata_rename_table(op, "writer", "author");
}

STRATA_REVISION("rev2", "rev1", "after",
                "f965c0ad01f7d3b119c8c902641d797424d75a11f5636b0c0999ddc34f871948",
                upgrade, downgrade);
