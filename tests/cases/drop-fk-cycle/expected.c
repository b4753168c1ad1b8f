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
    strata_drop_constraint(op, "fk_department_manager_id_employee", "department");
    /* destructive: drops table employee and its rows */
    strata_drop_table(op, "employee");
    /* destructive: drops table department and its rows */
    strata_drop_table(op, "department");
}

static void downgrade(struct strata_op *op)
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

STRATA_REVISION("rev2", "rev1", "after",
                "9a6c45ef42f96e5a2a4669bc9bdda4ece15a83b75b3dc3bab6f06430b3fc0e5e",
                upgrade, downgrade);
