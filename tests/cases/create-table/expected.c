/*
 * after
 *
 * Revision ID: rev2
 * Revises:
 * Create Date: 1970-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
    strata_create_table(op, "shelf",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("label", STRATA_VARCHAR(40)),
        STRATA_COLUMN("note", STRATA_TEXT, .nullable = true),
        STRATA_COLUMN("room", STRATA_INTEGER),
        STRATA_COLUMN("position", STRATA_SMALLINT, .default_value = "0"),
        STRATA_COLUMN("capacity", STRATA_INTEGER, .default_value = "10",
                      .check = "capacity <= 500"),
        STRATA_COLUMN("heavy", STRATA_BOOLEAN, .default_value = "FALSE"),
        STRATA_COLUMN("width", STRATA_REAL),
        STRATA_COLUMN("depth", STRATA_DOUBLE, .nullable = true),
        STRATA_COLUMN("state", STRATA_INTEGER, .default_value = "0", .enum_values = "0,1,2"),
        STRATA_COLUMN("photo", STRATA_BLOB),
        STRATA_COLUMN("thumb", STRATA_BLOB, .nullable = true),
        STRATA_COLUMN("code", STRATA_TEXT, .nullable = true, .unique = true,
                      .comment = "barcode \"EAN\""),
        STRATA_COLUMN("price", STRATA_NUMERIC(10, 2), .default_value = "0"),
        STRATA_COLUMN("added", STRATA_DATETIME, .default_sql = "CURRENT_TIMESTAMP"),
        STRATA_COLUMN("day", STRATA_DATE, .nullable = true),
        STRATA_COLUMN("meta", STRATA_JSON, .nullable = true),
        STRATA_COLUMN("uid", STRATA_UUID, .nullable = true),
        STRATA_COLUMN("seen", STRATA_TIMESTAMP, .nullable = true),
        STRATA_UNIQUE("room", "position"),
        STRATA_CHECK("capacity > 0 OR state = 2"),
        STRATA_TABLE_COMMENT("shelves of books"));
    strata_create_index(op, "ix_shelf_label", "shelf", "label");
    strata_create_index(op, "ix_shelf_room_label", "shelf", "room", "label");
    strata_create_table(op, "shelf_slot",
        STRATA_COLUMN("shelf_id", STRATA_BIGINT, .references = "shelf.id",
                      .on_delete = STRATA_CASCADE),
        STRATA_COLUMN("slot", STRATA_INTEGER),
        STRATA_COLUMN("next_id", STRATA_BIGINT, .nullable = true, .references = "shelf.id",
                      .on_delete = STRATA_SET_NULL, .on_update = STRATA_RESTRICT),
        STRATA_PRIMARY_KEY("shelf_id", "slot"));
}

static void downgrade(struct strata_op *op)
{
    strata_drop_table(op, "shelf_slot");
    strata_drop_index(op, "ix_shelf_room_label", "shelf");
    strata_drop_index(op, "ix_shelf_label", "shelf");
    strata_drop_table(op, "shelf");
}

STRATA_REVISION("rev2", NULL, "after",
                "80dd46012f76334610475994c85886e6bd8c5f7698334cd6bfeffc7b4278d7d5",
                upgrade, downgrade);
