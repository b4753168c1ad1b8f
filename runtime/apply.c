/*
 * Replay: applying one recorded operation to an in-memory schema.
 *
 * The runtime replays a revision's operations to know the schema at any revision (for
 * rebuilds, offline SQL and drift checks) and the generator replays its own diff to
 * prove the emitted revision reaches the models' schema. Each operation is checked
 * against the schema before anything changes, so on error the schema is untouched.
 */
#include <string.h>

#include "error.h"
#include "ops.h"

/* The table holding index `name` (index names are global, as in SQLite), or NULL. */
static struct strata_table *index_owner(const struct strata_schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strata_table_find_index(&s->tables[i], name) != NULL)
            return &s->tables[i];
    return NULL;
}

static int apply_create_table(struct strata_schema *s, const struct strata_opdef *op,
                              struct strata_error *err)
{
    struct strata_table *t;

    if (strata_schema_find_table(s, op->def->name) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "create_table %s: table already exists",
                                op->def->name);
    for (size_t i = 0; i < op->def->nindexes; i++)
        if (index_owner(s, op->def->indexes[i].name) != NULL)
            return strata_error_set(err, STRATA_EMIGRATION,
                                    "create_table %s: index %s already exists", op->def->name,
                                    op->def->indexes[i].name);
    t = strata_schema_add_table(s, op->def->name);
    if (t == NULL || strata_table_copy(&s->arena, t, op->def) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

static int apply_drop_table(struct strata_schema *s, const struct strata_opdef *op,
                            struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "drop_table %s: no such table",
                                op->table);
    strata_array_remove(&s->tables, &s->ntables, sizeof(*t), (size_t)(t - s->tables));
    return 0;
}

static int apply_add_column(struct strata_schema *s, const struct strata_opdef *op,
                            struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    const struct strata_table *def = op->def;
    struct strata_column *c;

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "add_column %s.%s: no such table",
                                op->table, op->name);
    if (strata_table_find_column(t, op->name) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "add_column %s.%s: column already exists",
                                op->table, op->name);
    for (size_t i = 0; i < def->nindexes; i++)
        if (index_owner(s, def->indexes[i].name) != NULL)
            return strata_error_set(err, STRATA_EMIGRATION, "add_column %s.%s: index %s already exists",
                                    op->table, op->name, def->indexes[i].name);
    c = strata_table_add_column(&s->arena, t, op->name);
    if (c == NULL || strata_column_copy(&s->arena, c, &def->columns[0]) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    for (size_t i = 0; i < def->nindexes; i++) {
        const struct strata_index *ix = &def->indexes[i];
        if (!strata_table_add_index(&s->arena, t, ix->name, (const char *const *)ix->columns,
                                    ix->ncolumns, ix->unique))
            return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < def->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &def->foreign_keys[i];
        struct strata_foreign_key *copy = strata_table_add_foreign_key(
            &s->arena, t, fk->name, fk->column, fk->ref_table, fk->ref_column);
        if (copy == NULL)
            return strata_error_set(err, STRATA_ENOMEM, "out of memory");
        copy->on_delete = fk->on_delete;
        copy->on_update = fk->on_update;
    }
    return 0;
}

static int apply_drop_column(struct strata_schema *s, const struct strata_opdef *op,
                             struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    struct strata_column *c = t ? strata_table_find_column(t, op->name) : NULL;

    if (c == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "drop_column %s.%s: no such %s",
                                op->table, op->name, t ? "column" : "table");
    if (t->ncolumns == 1)
        return strata_error_set(err, STRATA_EMIGRATION,
                                "drop_column %s.%s: a table keeps at least one column (drop the table)",
                                op->table, op->name);
    for (size_t i = 0; i < t->nprimary_key; i++)
        if (strcmp(t->primary_key[i], op->name) == 0)
            return strata_error_set(err, STRATA_EMIGRATION,
                                    "drop_column %s.%s: the column is part of the primary key",
                                    op->table, op->name);
    for (size_t i = 0; i < t->nindexes; i++)
        for (size_t k = 0; k < t->indexes[i].ncolumns; k++)
            if (strcmp(t->indexes[i].columns[k], op->name) == 0)
                return strata_error_set(err, STRATA_EMIGRATION,
                                        "drop_column %s.%s: index %s uses the column; drop it first",
                                        op->table, op->name, t->indexes[i].name);
    for (size_t i = t->nforeign_keys; i-- > 0;)
        if (strcmp(t->foreign_keys[i].column, op->name) == 0)
            strata_array_remove(&t->foreign_keys, &t->nforeign_keys, sizeof(t->foreign_keys[0]), i);
    strata_array_remove(&t->columns, &t->ncolumns, sizeof(*c), (size_t)(c - t->columns));
    return 0;
}

static int apply_create_index(struct strata_schema *s, const struct strata_opdef *op,
                              struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    const struct strata_index *ix = &op->index;

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "create_index %s: no such table %s",
                                ix->name, op->table);
    if (index_owner(s, ix->name) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "create_index %s: index already exists",
                                ix->name);
    for (size_t i = 0; i < ix->ncolumns; i++)
        if (strata_table_find_column(t, ix->columns[i]) == NULL)
            return strata_error_set(err, STRATA_EMIGRATION,
                                    "create_index %s: no column %s in table %s", ix->name,
                                    ix->columns[i], op->table);
    if (!strata_table_add_index(&s->arena, t, ix->name, (const char *const *)ix->columns,
                                ix->ncolumns, ix->unique))
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

static int apply_drop_index(struct strata_schema *s, const struct strata_opdef *op,
                            struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    struct strata_index *ix = t ? strata_table_find_index(t, op->name) : NULL;

    if (ix == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "drop_index %s: no such index on %s",
                                op->name, op->table);
    strata_array_remove(&t->indexes, &t->nindexes, sizeof(*ix), (size_t)(ix - t->indexes));
    return 0;
}

int strata_schema_apply(struct strata_schema *s, const struct strata_opdef *op,
                        struct strata_error *err)
{
    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
        return apply_create_table(s, op, err);
    case STRATA_OP_DROP_TABLE:
        return apply_drop_table(s, op, err);
    case STRATA_OP_ADD_COLUMN:
        return apply_add_column(s, op, err);
    case STRATA_OP_DROP_COLUMN:
        return apply_drop_column(s, op, err);
    case STRATA_OP_CREATE_INDEX:
        return apply_create_index(s, op, err);
    case STRATA_OP_DROP_INDEX:
        return apply_drop_index(s, op, err);
    case STRATA_OP_EXECUTE:
    case STRATA_OP_HOOK:
        return 0;
    }
    return strata_error_set(err, STRATA_EMIGRATION, "unknown operation %d", (int)op->kind);
}
