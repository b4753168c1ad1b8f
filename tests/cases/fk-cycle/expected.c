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
    strata_create_table(op, "department",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("manager_id", STRATA_BIGINT, .nullable = true));
    strata_create_table(op, "employee",
        STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, .autoincrement = true),
        STRATA_COLUMN("department_id", STRATA_BIGINT, .nullable = true,
                      .references = "department.id", .on_delete = STRATA_SET_NULL));
    strata_create_foreign_key(op, "fk_department_manager_id_employee", "department", "manager_id",
                              "employee.id", STRATA_SET_NULL, STRATA_NO_ACTION);
}

static void downgrade(struct strata_op *op)
{
    strata_drop_constraint(op, "fk_department_manager_id_employee", "department");
    strata_drop_table(op, "employee");
    strata_drop_table(op, "department");
}

STRATA_REVISION("rev2", "rev1", "after",
                "0a2ea98547876f7b72d0648098cc36ab54578ca625444e4d02cdddbd653f057c",
                upgrade, downgrade);
