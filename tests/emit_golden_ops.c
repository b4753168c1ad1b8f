/*
 * everything changes
 *
 * Revision ID: rev4
 * Revises: rev3
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_rename_table(op, "author", "writer");
    strata_rename_column(op, "writer", "name", "full_name");
    strata_drop_constraint(op, "fk_book_author_id_writer", "book");
    /* risky: makes writer.full_name NOT NULL; existing NULLs become '(unknown)' */
    strata_alter_column(op, "writer",
        STRATA_COLUMN("full_name", STRATA_TEXT, .backfill = "'(unknown)'"));
    strata_drop_constraint(op, "ck_book_54d12d6c", "book");
    strata_drop_constraint(op, "uq_book_isbn", "book");
    /* risky: narrows book.title from varchar(200) to varchar(50); longer values fail the
       migration */
    strata_alter_column(op, "book",
        STRATA_COLUMN("title", STRATA_VARCHAR(50), .check = "title <> ''"));
    strata_alter_table_comment(op, "book", NULL);
    strata_create_check_constraint(op, "ck_book_2fb329d4", "book", "id > 0 AND id < 1000000000");
    strata_create_foreign_key(op, "fk_book_author_id_writer", "book", "author_id", "writer.id",
                              STRATA_SET_NULL, STRATA_CASCADE);
    strata_drop_primary_key(op, "tag");
    strata_alter_table_comment(op, "tag", "labels \"for\" books");
    /* risky: adds unique constraint uq_tag_label; fails if existing rows hold duplicates */
    strata_create_unique_index(op, "uq_tag_label", "tag", "label");
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "uq_tag_label", "tag");
    strata_alter_table_comment(op, "tag", NULL);
    strata_alter_primary_key(op, "tag", "id");
    strata_drop_constraint(op, "fk_book_author_id_writer", "book");
    strata_drop_constraint(op, "ck_book_2fb329d4", "book");
    strata_alter_table_comment(op, "book", "books");
    strata_alter_column(op, "book", STRATA_COLUMN("title", STRATA_VARCHAR(200)));
    strata_create_unique_index(op, "uq_book_isbn", "book", "isbn");
    strata_create_check_constraint(op, "ck_book_54d12d6c", "book", "id > 0");
    strata_alter_column(op, "writer", STRATA_COLUMN("full_name", STRATA_TEXT, .nullable = true));
    strata_create_foreign_key(op, "fk_book_author_id_writer", "book", "author_id", "writer.id",
                              STRATA_CASCADE, STRATA_NO_ACTION);
    strata_rename_column(op, "writer", "full_name", "name");
    strata_rename_table(op, "writer", "author");
}

STRATA_REVISION("rev4", "rev3", "everything changes",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                upgrade, downgrade);
