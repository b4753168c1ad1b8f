/*
 * Replay: applying one recorded operation to an in-memory schema.
 *
 * The runtime replays a revision's operations to know the schema at any revision (for
 * rebuilds, offline SQL and drift checks) and the generator replays its own diff to
 * prove the emitted revision reaches the models' schema. Each operation is checked
 * against the schema before anything changes, so on error the schema is untouched.
 */
#include <stdbool.h>
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
    strata_schema_remove_table(s, t);
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

/* ---- renames: generated names follow ---- */

/* The generated name of index `ix` on table `table` (uq_/ix_ + table + columns). */
static void index_name(char *out, const char *table, const struct strata_index *ix)
{
    const char *parts[66];
    size_t n = ix->ncolumns < 64 ? ix->ncolumns : 64;

    parts[0] = table;
    for (size_t i = 0; i < n; i++)
        parts[i + 1] = ix->columns[i];
    parts[n + 1] = NULL;
    strata_make_name(out, ix->unique ? "uq" : "ix", parts);
}

static void fk_name(char *out, const char *table, const char *column, const char *ref_table)
{
    strata_make_name(out, "fk", (const char *const[]){ table, column, ref_table, NULL });
}

static bool streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

#define DUP_OR_FAIL(dst, src)                                        \
    do {                                                             \
        char *dup_ = strata_arena_strdup(&s->arena, (src));          \
        if (dup_ == NULL)                                            \
            return strata_error_set(err, STRATA_ENOMEM, "out of memory"); \
        (dst) = dup_;                                                \
    } while (0)

static int apply_rename_table(struct strata_schema *s, const struct strata_opdef *op,
                              struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    const char *old_name, *new_name = op->new_name;
    char name[STRATA_NAME_MAX + 1], was[STRATA_NAME_MAX + 1];

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "rename_table %s: no such table",
                                op->table);
    if (strata_schema_find_table(s, new_name) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "rename_table %s: table %s already exists",
                                op->table, new_name);
    old_name = t->name;
    for (size_t u = 0; u < s->ntables; u++) {
        struct strata_table *owner = &s->tables[u];
        const char *owner_new = owner == t ? new_name : owner->name;
        for (size_t k = 0; k < owner->nforeign_keys; k++) {
            struct strata_foreign_key *fk = &owner->foreign_keys[k];
            bool refers = streq(fk->ref_table, old_name);
            fk_name(was, owner->name, fk->column, fk->ref_table);
            if (refers)
                DUP_OR_FAIL(fk->ref_table, new_name);
            if (streq(fk->name, was)) {
                /* Only a key whose name changes is written: another table's key that
                 * does not refer to this one stays untouched (strata_op_names_can_change). */
                fk_name(name, owner_new, fk->column, fk->ref_table);
                if (!streq(fk->name, name))
                    DUP_OR_FAIL(fk->name, name);
            }
        }
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        index_name(was, old_name, &t->indexes[i]);
        if (streq(t->indexes[i].name, was)) {
            index_name(name, new_name, &t->indexes[i]);
            DUP_OR_FAIL(t->indexes[i].name, name);
        }
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        strata_check_name(was, old_name, t->checks[i].expr);
        if (streq(t->checks[i].name, was)) {
            strata_check_name(name, new_name, t->checks[i].expr);
            DUP_OR_FAIL(t->checks[i].name, name);
        }
    }
    if (strata_schema_rename_table(s, t, new_name) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

static int apply_rename_column(struct strata_schema *s, const struct strata_opdef *op,
                               struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    struct strata_column *c = t ? strata_table_find_column(t, op->name) : NULL;
    const char *from = op->name, *to = op->new_name;
    char name[STRATA_NAME_MAX + 1], was[STRATA_NAME_MAX + 1];

    if (c == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "rename_column %s.%s: no such %s",
                                op->table, op->name, t ? "column" : "table");
    if (strata_table_find_column(t, to) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION,
                                "rename_column %s.%s: column %s already exists", op->table,
                                op->name, to);
    for (size_t i = 0; i < t->nindexes; i++) {
        struct strata_index *ix = &t->indexes[i];
        bool generated;
        index_name(was, t->name, ix);
        generated = streq(ix->name, was);
        for (size_t k = 0; k < ix->ncolumns; k++)
            if (streq(ix->columns[k], from))
                DUP_OR_FAIL(ix->columns[k], to);
        index_name(name, t->name, ix);
        if (generated && !streq(name, ix->name))
            DUP_OR_FAIL(ix->name, name);
    }
    for (size_t k = 0; k < t->nprimary_key; k++)
        if (streq(t->primary_key[k], from))
            DUP_OR_FAIL(t->primary_key[k], to);
    for (size_t k = 0; k < t->nforeign_keys; k++) {
        struct strata_foreign_key *fk = &t->foreign_keys[k];
        if (!streq(fk->column, from))
            continue;
        fk_name(was, t->name, fk->column, fk->ref_table);
        if (streq(fk->name, was)) {
            fk_name(name, t->name, to, fk->ref_table);
            DUP_OR_FAIL(fk->name, name);
        }
        DUP_OR_FAIL(fk->column, to);
    }
    for (size_t u = 0; u < s->ntables; u++)
        for (size_t k = 0; k < s->tables[u].nforeign_keys; k++) {
            struct strata_foreign_key *fk = &s->tables[u].foreign_keys[k];
            if (streq(fk->ref_table, t->name) && streq(fk->ref_column, from))
                DUP_OR_FAIL(fk->ref_column, to);
        }
    DUP_OR_FAIL(c->name, to);
    return 0;
}

/* ---- column definitions, keys and constraints ---- */

static bool in_primary_key(const struct strata_table *t, const char *column)
{
    for (size_t k = 0; k < t->nprimary_key; k++)
        if (streq(t->primary_key[k], column))
            return true;
    return false;
}

static int apply_alter_column(struct strata_schema *s, const struct strata_opdef *op,
                              struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    struct strata_column *c = t ? strata_table_find_column(t, op->name) : NULL;
    struct strata_column copy;

    if (c == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "alter_column %s.%s: no such %s",
                                op->table, op->name, t ? "column" : "table");
    if (op->def->columns[0].nullable && in_primary_key(t, op->name))
        return strata_error_set(err, STRATA_EMIGRATION,
                                "alter_column %s.%s: a primary key column cannot be nullable",
                                op->table, op->name);
    if (strata_column_copy(&s->arena, &copy, &op->def->columns[0]) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    copy.name = c->name;
    copy.backfill = NULL; /* a backfill acts once, in the migration; never kept */
    copy.renamed_from = NULL;
    copy.c_name = c->c_name;
    *c = copy;
    return 0;
}

static int apply_alter_primary_key(struct strata_schema *s, const struct strata_opdef *op,
                                   struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "alter_primary_key %s: no such table",
                                op->table);
    for (size_t i = 0; i < op->index.ncolumns; i++) {
        const struct strata_column *c = strata_table_find_column(t, op->index.columns[i]);
        if (c == NULL)
            return strata_error_set(err, STRATA_EMIGRATION,
                                    "alter_primary_key %s: no column %s", op->table,
                                    op->index.columns[i]);
        if (c->nullable)
            return strata_error_set(err, STRATA_EMIGRATION,
                                    "alter_primary_key %s: column %s is nullable", op->table,
                                    c->name);
    }
    if (strata_table_set_primary_key(&s->arena, t, (const char *const *)op->index.columns,
                                     op->index.ncolumns) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

/* Whether `t` already has a foreign key, check or index called `name`. */
static bool has_constraint(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (streq(t->foreign_keys[i].name, name))
            return true;
    for (size_t i = 0; i < t->nchecks; i++)
        if (streq(t->checks[i].name, name))
            return true;
    return strata_table_find_index(t, name) != NULL;
}

static int apply_create_foreign_key(struct strata_schema *s, const struct strata_opdef *op,
                                    struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);
    struct strata_foreign_key *fk;

    if (t == NULL || strata_table_find_column(t, op->fk.column) == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "create_foreign_key %s: no %s %s",
                                op->name, t ? "column" : "table", t ? op->fk.column : op->table);
    if (has_constraint(t, op->name))
        return strata_error_set(err, STRATA_EMIGRATION,
                                "create_foreign_key %s: the name is already used on %s",
                                op->name, op->table);
    fk = strata_table_add_foreign_key(&s->arena, t, op->name, op->fk.column, op->fk.ref_table,
                                      op->fk.ref_column);
    if (fk == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    fk->on_delete = op->fk.on_delete;
    fk->on_update = op->fk.on_update;
    return 0;
}

static int apply_create_check(struct strata_schema *s, const struct strata_opdef *op,
                              struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION,
                                "create_check_constraint %s: no such table %s", op->name,
                                op->table);
    if (has_constraint(t, op->name))
        return strata_error_set(err, STRATA_EMIGRATION,
                                "create_check_constraint %s: the name is already used on %s",
                                op->name, op->table);
    if (!strata_table_add_check(&s->arena, t, op->name, op->sql))
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

static int apply_drop_constraint(struct strata_schema *s, const struct strata_opdef *op,
                                 struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "drop_constraint %s: no such table %s",
                                op->name, op->table);
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (streq(t->foreign_keys[i].name, op->name)) {
            strata_array_remove(&t->foreign_keys, &t->nforeign_keys, sizeof(t->foreign_keys[0]), i);
            return 0;
        }
    for (size_t i = 0; i < t->nchecks; i++)
        if (streq(t->checks[i].name, op->name)) {
            strata_array_remove(&t->checks, &t->nchecks, sizeof(t->checks[0]), i);
            return 0;
        }
    for (size_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].unique && streq(t->indexes[i].name, op->name)) {
            strata_array_remove(&t->indexes, &t->nindexes, sizeof(t->indexes[0]), i);
            return 0;
        }
    return strata_error_set(err, STRATA_EMIGRATION,
                            "drop_constraint %s: no foreign key, check or unique constraint of "
                            "that name on %s",
                            op->name, op->table);
}

static int apply_alter_table_comment(struct strata_schema *s, const struct strata_opdef *op,
                                     struct strata_error *err)
{
    struct strata_table *t = strata_schema_find_table(s, op->table);

    if (t == NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "alter_table_comment %s: no such table",
                                op->table);
    t->comment = NULL;
    if (op->sql != NULL)
        DUP_OR_FAIL(t->comment, op->sql);
    return 0;
}

/* The names `op` names: its table, a rename's new name, a created table (or NULLs). */
static void op_names(const struct strata_opdef *op, const char *out[3])
{
    out[0] = op->table;
    out[1] = op->new_name;
    out[2] = op->def != NULL ? op->def->name : NULL;
}

/* Adds the names `op` names to `n`. */
static int add_op_names(struct strata_op_names *n, const struct strata_opdef *op)
{
    const char *names[3];

    op_names(op, names);
    for (size_t k = 0; k < 3; k++) {
        const char **slot;

        if (names[k] == NULL)
            continue;
        slot = strata_arena_push(&n->arena, &n->names, &n->count, sizeof(*n->names));
        if (slot == NULL)
            return STRATA_ENOMEM;
        *slot = names[k];
        if (strata_name_index_add(&n->index, n->names, n->count, sizeof(*n->names),
                                  n->count - 1) != 0)
            return STRATA_ENOMEM;
    }
    return 0;
}

int strata_op_names_init(struct strata_op_names *n, const struct strata_opdef *ops, size_t nops)
{
    memset(n, 0, sizeof(*n));
    for (size_t k = 0; k < nops; k++)
        if (add_op_names(n, &ops[k]) != 0) {
            strata_op_names_free(n);
            return STRATA_ENOMEM;
        }
    return 0;
}

void strata_op_names_free(struct strata_op_names *n)
{
    strata_name_index_clear(&n->index);
    strata_arena_free(&n->arena);
    memset(n, 0, sizeof(*n));
}

/* Whether `t` or a table its foreign keys point at is a name `named` accepts. */
static bool can_change(const struct strata_table *t,
                       bool (*named)(const void *ctx, const char *name), const void *ctx)
{
    if (named(ctx, t->name))
        return true;
    for (size_t f = 0; f < t->nforeign_keys; f++)
        if (named(ctx, t->foreign_keys[f].ref_table))
            return true;
    return false;
}

static bool in_set(const void *ctx, const char *name)
{
    const struct strata_op_names *n = ctx;

    return strata_name_index_find(&n->index, n->names, n->count, sizeof(*n->names), name) >= 0;
}

bool strata_op_names_can_change(const struct strata_op_names *n, const struct strata_table *t)
{
    return can_change(t, in_set, n);
}

/* The set of one operation's names, without building it. */
static bool named_by_op(const void *ctx, const char *name)
{
    const char *names[3];

    op_names(ctx, names);
    for (size_t k = 0; k < 3; k++)
        if (strata_str_equal(names[k], name))
            return true;
    return false;
}

int strata_schema_own_for(struct strata_schema *s, const struct strata_opdef *op)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i].shared && can_change(&s->tables[i], named_by_op, op) &&
            strata_table_own(&s->arena, &s->tables[i]) != 0)
            return STRATA_ENOMEM;
    return 0;
}

int strata_schema_apply(struct strata_schema *s, const struct strata_opdef *op,
                        struct strata_error *err)
{
    if (strata_schema_own_for(s, op) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
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
    case STRATA_OP_RENAME_TABLE:
        return apply_rename_table(s, op, err);
    case STRATA_OP_RENAME_COLUMN:
        return apply_rename_column(s, op, err);
    case STRATA_OP_ALTER_COLUMN:
        return apply_alter_column(s, op, err);
    case STRATA_OP_ALTER_PRIMARY_KEY:
        return apply_alter_primary_key(s, op, err);
    case STRATA_OP_CREATE_FOREIGN_KEY:
        return apply_create_foreign_key(s, op, err);
    case STRATA_OP_CREATE_CHECK:
        return apply_create_check(s, op, err);
    case STRATA_OP_DROP_CONSTRAINT:
        return apply_drop_constraint(s, op, err);
    case STRATA_OP_ALTER_TABLE_COMMENT:
        return apply_alter_table_comment(s, op, err);
    case STRATA_OP_EXECUTE:
    case STRATA_OP_HOOK:
        return 0;
    }
    return strata_error_set(err, STRATA_EMIGRATION, "unknown operation %d", (int)op->kind);
}
