/*
 * The operation recorder behind revision code, and operation lists.
 *
 * strata_create_table() and friends (migration.h) append deep copies of what they were
 * given to the recorder's list; the first malformed call records an error and turns
 * every later call into a no-op, so revision code stays straight-line. The same
 * builder, strata_table_from_items(), turns create_table items into a table with every
 * generated constraint name, so a table recorded from emitted C equals the table the
 * generator diffed. Also: the canonical serialization of a list, whose SHA-256 is the
 * checksum `strata_history` keeps.
 */
#include "ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

static const char *const op_names[] = {
    [STRATA_OP_CREATE_TABLE] = "create_table", [STRATA_OP_DROP_TABLE] = "drop_table",
    [STRATA_OP_ADD_COLUMN] = "add_column",     [STRATA_OP_DROP_COLUMN] = "drop_column",
    [STRATA_OP_CREATE_INDEX] = "create_index", [STRATA_OP_DROP_INDEX] = "drop_index",
    [STRATA_OP_EXECUTE] = "execute",           [STRATA_OP_HOOK] = "run_hook",
    [STRATA_OP_RENAME_TABLE] = "rename_table", [STRATA_OP_RENAME_COLUMN] = "rename_column",
    [STRATA_OP_ALTER_COLUMN] = "alter_column", [STRATA_OP_ALTER_PRIMARY_KEY] = "alter_primary_key",
    [STRATA_OP_CREATE_FOREIGN_KEY] = "create_foreign_key",
    [STRATA_OP_CREATE_CHECK] = "create_check_constraint",
    [STRATA_OP_DROP_CONSTRAINT] = "drop_constraint",
    [STRATA_OP_ALTER_TABLE_COMMENT] = "alter_table_comment",
};

const char *strata_op_name(enum strata_op_kind kind)
{
    return op_names[kind];
}

void strata_oplist_clear(struct strata_oplist *l)
{
    if (l == NULL)
        return;
    strata_arena_free(&l->arena);
    l->ops = NULL;
    l->nops = 0;
}

struct strata_opdef *strata_oplist_push(struct strata_oplist *l, enum strata_op_kind kind)
{
    struct strata_opdef *op = strata_arena_push(&l->arena, &l->ops, &l->nops, sizeof(*op));

    if (op != NULL)
        op->kind = kind;
    return op;
}

/* ---- building tables from create_table items ---- */

static bool valid_name(const char *name)
{
    return name != NULL && name[0] != '\0' && strlen(name) <= STRATA_NAME_MAX;
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;

    while (names != NULL && names[n] != NULL)
        n++;
    return n;
}

/* Checks that every name of a column list is a column of `t`; sets `err` otherwise. */
static int check_columns(const struct strata_table *t, const char *what,
                         const char *const *cols, size_t n, struct strata_error *err)
{
    if (n == 0)
        return strata_error_set(err, STRATA_EMIGRATION, "table %s: %s names no column", t->name,
                                what);
    for (size_t i = 0; i < n; i++)
        if (cols[i] == NULL || strata_table_find_column(t, cols[i]) == NULL)
            return strata_error_set(err, STRATA_EMIGRATION, "table %s: %s names unknown column %s",
                                    t->name, what, cols[i] ? cols[i] : "(null)");
    return 0;
}

/* Adds the index `prefix_<table>_<cols>` over `cols`. */
static int add_named_index(struct strata_arena *a, struct strata_table *t, const char *prefix,
                           const char *const *cols, size_t n, bool unique,
                           struct strata_error *err)
{
    const char *parts[34];
    char name[STRATA_NAME_MAX + 1];

    if (n + 2 > sizeof(parts) / sizeof(parts[0]))
        return strata_error_set(err, STRATA_EMIGRATION, "table %s: too many index columns", t->name);
    parts[0] = t->name;
    for (size_t i = 0; i < n; i++)
        parts[i + 1] = cols[i];
    parts[n + 1] = NULL;
    strata_make_name(name, prefix, parts);
    if (strata_table_find_index(t, name) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "table %s: duplicate constraint %s",
                                t->name, name);
    if (!strata_table_add_index(a, t, name, cols, n, unique))
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

/* Splits "table.column" at its last dot into the arena; error when malformed. */
static int add_reference(struct strata_arena *a, struct strata_table *t,
                         const struct strata_column_def *c, struct strata_error *err)
{
    const char *dot = strrchr(c->references, '.');
    char fk_name[STRATA_NAME_MAX + 1];
    char *ref_table;
    struct strata_foreign_key *fk;

    if (dot == NULL || dot == c->references || dot[1] == '\0')
        return strata_error_set(err, STRATA_EMIGRATION,
                                "table %s: column %s: references \"%s\" is not \"table.column\"",
                                t->name, c->name, c->references);
    ref_table = strata_arena_strndup(a, c->references, (size_t)(dot - c->references));
    if (ref_table == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    strata_make_name(fk_name, "fk", (const char *const[]){ t->name, c->name, ref_table, NULL });
    fk = strata_table_add_foreign_key(a, t, fk_name, c->name, ref_table, dot + 1);
    if (fk == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    fk->on_delete = c->on_delete;
    fk->on_update = c->on_update;
    return 0;
}

static int add_column_def(struct strata_arena *a, struct strata_table *t,
                          const struct strata_column_def *d, struct strata_error *err)
{
    struct strata_column *c;

    if (!valid_name(d->name))
        return strata_error_set(err, STRATA_EMIGRATION, "table %s: a column needs a name of 1 to %d bytes",
                                t->name, STRATA_NAME_MAX);
    if (strata_table_find_column(t, d->name) != NULL)
        return strata_error_set(err, STRATA_EMIGRATION, "table %s: duplicate column %s", t->name,
                                d->name);
    if (d->type.kind <= STRATA_TYPE_NONE || d->type.kind > STRATA_TYPE_UUID)
        return strata_error_set(err, STRATA_EMIGRATION, "table %s: column %s has no valid type",
                                t->name, d->name);
    if (d->primary_key && d->nullable)
        return strata_error_set(err, STRATA_EMIGRATION,
                                "table %s: primary key column %s cannot be nullable", t->name,
                                d->name);
    c = strata_table_add_column(a, t, d->name);
    if (c == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    c->type = d->type;
    c->nullable = d->nullable;
    c->autoincrement = d->autoincrement;
    c->default_value = strata_arena_strdup(a, d->default_value);
    c->default_sql = strata_arena_strdup(a, d->default_sql);
    c->check = strata_arena_strdup(a, d->check);
    c->enum_values = strata_arena_strdup(a, d->enum_values);
    c->comment = strata_arena_strdup(a, d->comment);
    c->backfill = strata_arena_strdup(a, d->backfill);
    if (d->unique && add_named_index(a, t, "uq", (const char *const[]){ d->name }, 1, true, err))
        return STRATA_EMIGRATION;
    if (d->references != NULL && add_reference(a, t, d, err) != 0)
        return STRATA_EMIGRATION;
    return 0;
}

int strata_table_from_items(struct strata_arena *a, struct strata_table *out, const char *table,
                            const struct strata_table_item *items, size_t count,
                            struct strata_error *err)
{
    const char *pk[64];
    size_t npk = 0;
    bool composite_pk = false;

    memset(out, 0, sizeof(*out));
    if (!valid_name(table))
        return strata_error_set(err, STRATA_EMIGRATION, "a table needs a name of 1 to %d bytes",
                                STRATA_NAME_MAX);
    if ((out->name = strata_arena_strdup(a, table)) == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    /* Columns first: constraints may name columns listed after them. */
    for (size_t i = 0; i < count; i++) {
        const struct strata_column_def *d = &items[i].column;
        if (items[i].kind != STRATA_ITEM_COLUMN)
            continue;
        if (d->primary_key) {
            if (npk == sizeof(pk) / sizeof(pk[0]))
                return strata_error_set(err, STRATA_EMIGRATION, "table %s: primary key too wide",
                                        table);
            pk[npk++] = d->name;
        }
        if (add_column_def(a, out, d, err) != 0)
            return STRATA_EMIGRATION;
    }
    for (size_t i = 0; i < count; i++) {
        const struct strata_table_item *it = &items[i];
        size_t n = count_names(it->columns);
        switch (it->kind) {
        case STRATA_ITEM_COLUMN:
            break;
        case STRATA_ITEM_PRIMARY_KEY:
            if (npk > 0)
                return strata_error_set(err, STRATA_EMIGRATION,
                                        "table %s: primary key given twice", table);
            if (check_columns(out, "STRATA_PRIMARY_KEY", it->columns, n, err) != 0)
                return STRATA_EMIGRATION;
            for (size_t k = 0; k < n; k++)
                if (strata_table_find_column(out, it->columns[k])->nullable)
                    return strata_error_set(err, STRATA_EMIGRATION,
                                            "table %s: primary key column %s cannot be nullable",
                                            table, it->columns[k]);
            if (strata_table_set_primary_key(a, out, it->columns, n) != 0)
                return strata_error_set(err, STRATA_ENOMEM, "out of memory");
            composite_pk = true;
            break;
        case STRATA_ITEM_UNIQUE:
            if (check_columns(out, "STRATA_UNIQUE", it->columns, n, err) != 0 ||
                add_named_index(a, out, "uq", it->columns, n, true, err) != 0)
                return STRATA_EMIGRATION;
            break;
        case STRATA_ITEM_CHECK: {
            char name[STRATA_NAME_MAX + 1];
            if (it->text == NULL || it->text[0] == '\0')
                return strata_error_set(err, STRATA_EMIGRATION, "table %s: empty STRATA_CHECK",
                                        table);
            strata_check_name(name, table, it->text);
            for (size_t k = 0; k < out->nchecks; k++)
                if (strcmp(out->checks[k].name, name) == 0)
                    return strata_error_set(err, STRATA_EMIGRATION,
                                            "table %s: duplicate check \"%s\"", table, it->text);
            if (!strata_table_add_check(a, out, name, it->text))
                return strata_error_set(err, STRATA_ENOMEM, "out of memory");
            break;
        }
        case STRATA_ITEM_COMMENT:
            if ((out->comment = strata_arena_strdup(a, it->text)) == NULL)
                return strata_error_set(err, STRATA_ENOMEM, "out of memory");
            break;
        default:
            return strata_error_set(err, STRATA_EMIGRATION, "table %s: unknown item kind %d",
                                    table, (int)it->kind);
        }
    }
    if (npk > 0 && !composite_pk && strata_table_set_primary_key(a, out, pk, npk) != 0)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return 0;
}

/* ---- the recorder ---- */

/*
 * Records the first failure: `operation table` and the message. Later operations see
 * `failed` and do nothing.
 */
static void fail(struct strata_op *op, enum strata_op_kind kind, const char *table, int code,
                 const char *fmt, ...) STRATA_PRINTF_(5, 6);
static void fail(struct strata_op *op, enum strata_op_kind kind, const char *table, int code,
                 const char *fmt, ...)
{
    va_list ap;

    if (op->failed)
        return;
    op->failed = 1;
    va_start(ap, fmt);
    strata_error_setv(&op->err, code, fmt, ap);
    va_end(ap);
    strata_error_at(&op->err, NULL, op_names[kind]);
    (void)table;
}

/* Starts recording an operation: NULL when an earlier one failed or memory ran out. */
static struct strata_opdef *begin(struct strata_op *op, enum strata_op_kind kind,
                                  const char *table)
{
    struct strata_opdef *d;

    if (op->failed)
        return NULL;
    d = strata_oplist_push(op->list, kind);
    if (d == NULL || (table != NULL && (d->table = strata_arena_strdup(&op->list->arena, table)) == NULL)) {
        fail(op, kind, table, STRATA_ENOMEM, "out of memory");
        return NULL;
    }
    return d;
}

/* An empty or over-long required argument fails the operation. */
static bool need(struct strata_op *op, enum strata_op_kind kind, const char *what,
                 const char *value)
{
    if (op->failed)
        return false;
    if (!valid_name(value)) {
        fail(op, kind, NULL, STRATA_EMIGRATION, "%s: %s needs a name of 1 to %d bytes",
             op_names[kind], what, STRATA_NAME_MAX);
        return false;
    }
    return true;
}

/* Builds op->def from items; fails the operation on a malformed item. */
static void build_def(struct strata_op *op, struct strata_opdef *d,
                      const struct strata_table_item *items, size_t count)
{
    struct strata_error err = { 0 };

    d->def = strata_arena_alloc(&op->list->arena, sizeof(*d->def));
    if (d->def == NULL) {
        fail(op, d->kind, d->table, STRATA_ENOMEM, "out of memory");
        return;
    }
    if (strata_table_from_items(&op->list->arena, d->def, d->table, items, count, &err) != 0)
        fail(op, d->kind, d->table, err.code, "%s", err.message);
}

void strata_create_table_n(struct strata_op *op, const char *table,
                           const struct strata_table_item *items, size_t count)
{
    struct strata_opdef *d;
    size_t ncolumns = 0;

    if (!need(op, STRATA_OP_CREATE_TABLE, "table", table))
        return;
    for (size_t i = 0; i < count; i++)
        ncolumns += items[i].kind == STRATA_ITEM_COLUMN;
    if (ncolumns == 0) {
        fail(op, STRATA_OP_CREATE_TABLE, table, STRATA_EMIGRATION,
             "create_table %s: a table needs at least one column", table);
        return;
    }
    if ((d = begin(op, STRATA_OP_CREATE_TABLE, table)) != NULL)
        build_def(op, d, items, count);
}

void strata_drop_table(struct strata_op *op, const char *table)
{
    if (need(op, STRATA_OP_DROP_TABLE, "table", table))
        begin(op, STRATA_OP_DROP_TABLE, table);
}

/*
 * Records ADD_COLUMN or ALTER_COLUMN: `column` must be a STRATA_COLUMN; neither may
 * make a primary key, and alter_column leaves keys and uniqueness to their own
 * operations.
 */
static void record_column(struct strata_op *op, enum strata_op_kind kind, const char *table,
                          const struct strata_table_item *column)
{
    const struct strata_column_def *c = &column->column;
    const char *name = c->name ? c->name : "";
    struct strata_opdef *d;

    if (!need(op, kind, "table", table))
        return;
    if (column->kind != STRATA_ITEM_COLUMN) {
        fail(op, kind, table, STRATA_EMIGRATION, "%s %s: the column must be a STRATA_COLUMN(...)",
             op_names[kind], table);
        return;
    }
    if (c->primary_key) {
        fail(op, kind, table, STRATA_EMIGRATION,
             "%s %s.%s: use alter_primary_key to change the primary key", op_names[kind], table,
             name);
        return;
    }
    if (kind == STRATA_OP_ALTER_COLUMN && (c->unique || c->references != NULL)) {
        fail(op, kind, table, STRATA_EMIGRATION,
             "alter_column %s.%s: uniqueness and foreign keys have their own operations "
             "(create_unique_index, create_foreign_key, drop_constraint)",
             table, name);
        return;
    }
    if ((d = begin(op, kind, table)) == NULL)
        return;
    build_def(op, d, column, 1);
    if (!op->failed)
        d->name = d->def->columns[0].name;
}

void strata_add_column(struct strata_op *op, const char *table, struct strata_table_item column)
{
    record_column(op, STRATA_OP_ADD_COLUMN, table, &column);
}

void strata_alter_column(struct strata_op *op, const char *table, struct strata_table_item column)
{
    record_column(op, STRATA_OP_ALTER_COLUMN, table, &column);
}

/* Records an operation on `table` whose payload is a name pair: old `name`, `new_name`. */
static void record_rename(struct strata_op *op, enum strata_op_kind kind, const char *table,
                          const char *name, const char *new_name)
{
    struct strata_opdef *d;
    struct strata_arena *a;

    if (!need(op, kind, "table", table) || (name && !need(op, kind, "column", name)) ||
        !need(op, kind, "new name", new_name))
        return;
    if ((d = begin(op, kind, table)) == NULL)
        return;
    a = &op->list->arena;
    d->name = strata_arena_strdup(a, name);
    d->new_name = strata_arena_strdup(a, new_name);
    if ((name && d->name == NULL) || d->new_name == NULL)
        fail(op, kind, table, STRATA_ENOMEM, "out of memory");
}

void strata_rename_table(struct strata_op *op, const char *table, const char *new_name)
{
    record_rename(op, STRATA_OP_RENAME_TABLE, table, NULL, new_name);
}

void strata_rename_column(struct strata_op *op, const char *table, const char *column,
                          const char *new_name)
{
    record_rename(op, STRATA_OP_RENAME_COLUMN, table, column, new_name);
}

/* Copies a column list into d->index; fails the operation when out of memory. */
static void set_columns(struct strata_op *op, struct strata_opdef *d, const char *const *columns,
                        size_t count)
{
    struct strata_arena *a = &op->list->arena;

    d->index.ncolumns = count;
    d->index.columns = strata_arena_array(a, count, sizeof(char *));
    if (d->index.columns == NULL) {
        fail(op, d->kind, d->table, STRATA_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < count; i++)
        if ((d->index.columns[i] = strata_arena_strdup(a, columns[i])) == NULL) {
            fail(op, d->kind, d->table, STRATA_ENOMEM, "out of memory");
            return;
        }
}

void strata_alter_primary_key_n(struct strata_op *op, const char *table,
                                const char *const *columns, size_t count)
{
    struct strata_opdef *d;

    if (!need(op, STRATA_OP_ALTER_PRIMARY_KEY, "table", table))
        return;
    for (size_t i = 0; i < count; i++)
        if (!need(op, STRATA_OP_ALTER_PRIMARY_KEY, "column", columns[i]))
            return;
    if ((d = begin(op, STRATA_OP_ALTER_PRIMARY_KEY, table)) != NULL)
        set_columns(op, d, columns, count);
}

void strata_drop_primary_key(struct strata_op *op, const char *table)
{
    strata_alter_primary_key_n(op, table, NULL, 0);
}

void strata_create_foreign_key(struct strata_op *op, const char *name, const char *table,
                               const char *column, const char *references,
                               enum strata_fk_action on_delete, enum strata_fk_action on_update)
{
    struct strata_column_def def = { 0 };
    struct strata_opdef *d;
    struct strata_table scratch = { 0 };
    struct strata_error err = { 0 };
    struct strata_arena *a;

    if (!need(op, STRATA_OP_CREATE_FOREIGN_KEY, "constraint", name) ||
        !need(op, STRATA_OP_CREATE_FOREIGN_KEY, "table", table) ||
        !need(op, STRATA_OP_CREATE_FOREIGN_KEY, "column", column))
        return;
    if (references == NULL) {
        fail(op, STRATA_OP_CREATE_FOREIGN_KEY, table, STRATA_EMIGRATION,
             "create_foreign_key %s: no references", name);
        return;
    }
    if ((d = begin(op, STRATA_OP_CREATE_FOREIGN_KEY, table)) == NULL)
        return;
    a = &op->list->arena;
    def.name = column;
    def.references = references;
    def.on_delete = on_delete;
    def.on_update = on_update;
    scratch.name = d->table;
    if (add_reference(a, &scratch, &def, &err) != 0) {
        fail(op, STRATA_OP_CREATE_FOREIGN_KEY, table, err.code, "%s", err.message);
        return;
    }
    d->fk = scratch.foreign_keys[0];
    d->name = d->fk.name = strata_arena_strdup(a, name);
    if (d->name == NULL)
        fail(op, STRATA_OP_CREATE_FOREIGN_KEY, table, STRATA_ENOMEM, "out of memory");
}

/* Records an operation on `table` with a `name` and a text payload in `sql`. */
static void record_text(struct strata_op *op, enum strata_op_kind kind, const char *name,
                        const char *table, const char *text)
{
    struct strata_opdef *d;
    struct strata_arena *a;

    if ((name && !need(op, kind, "constraint", name)) || !need(op, kind, "table", table))
        return;
    if ((d = begin(op, kind, table)) == NULL)
        return;
    a = &op->list->arena;
    d->name = strata_arena_strdup(a, name);
    d->sql = strata_arena_strdup(a, text);
    if ((name && d->name == NULL) || (text && d->sql == NULL))
        fail(op, kind, table, STRATA_ENOMEM, "out of memory");
}

void strata_create_check_constraint(struct strata_op *op, const char *name, const char *table,
                                    const char *expr)
{
    if (!op->failed && (expr == NULL || expr[0] == '\0')) {
        fail(op, STRATA_OP_CREATE_CHECK, table, STRATA_EMIGRATION,
             "create_check_constraint %s: empty expression", name ? name : "");
        return;
    }
    record_text(op, STRATA_OP_CREATE_CHECK, name, table, expr);
}

void strata_drop_constraint(struct strata_op *op, const char *name, const char *table)
{
    record_text(op, STRATA_OP_DROP_CONSTRAINT, name, table, NULL);
}

void strata_alter_table_comment(struct strata_op *op, const char *table, const char *comment)
{
    record_text(op, STRATA_OP_ALTER_TABLE_COMMENT, NULL, table, comment);
}

void strata_drop_column(struct strata_op *op, const char *table, const char *column)
{
    struct strata_opdef *d;

    if (!need(op, STRATA_OP_DROP_COLUMN, "table", table) ||
        !need(op, STRATA_OP_DROP_COLUMN, "column", column))
        return;
    if ((d = begin(op, STRATA_OP_DROP_COLUMN, table)) != NULL &&
        (d->name = strata_arena_strdup(&op->list->arena, column)) == NULL)
        fail(op, STRATA_OP_DROP_COLUMN, table, STRATA_ENOMEM, "out of memory");
}

void strata_create_index_n(struct strata_op *op, const char *name, const char *table, bool unique,
                           const char *const *columns, size_t count)
{
    struct strata_opdef *d;
    struct strata_arena *a;

    if (!need(op, STRATA_OP_CREATE_INDEX, "index", name) ||
        !need(op, STRATA_OP_CREATE_INDEX, "table", table))
        return;
    for (size_t i = 0; i < count; i++) {
        if (!need(op, STRATA_OP_CREATE_INDEX, "column", columns[i]))
            return;
    }
    if (count == 0) {
        fail(op, STRATA_OP_CREATE_INDEX, table, STRATA_EMIGRATION,
             "create_index %s: an index needs at least one column", name);
        return;
    }
    if ((d = begin(op, STRATA_OP_CREATE_INDEX, table)) == NULL)
        return;
    a = &op->list->arena;
    d->name = strata_arena_strdup(a, name);
    d->index.name = d->name;
    d->index.unique = unique;
    d->index.ncolumns = count;
    d->index.columns = strata_arena_array(a, count, sizeof(char *));
    if (d->name == NULL || d->index.columns == NULL) {
        fail(op, STRATA_OP_CREATE_INDEX, table, STRATA_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < count; i++)
        if ((d->index.columns[i] = strata_arena_strdup(a, columns[i])) == NULL) {
            fail(op, STRATA_OP_CREATE_INDEX, table, STRATA_ENOMEM, "out of memory");
            return;
        }
}

void strata_drop_index(struct strata_op *op, const char *name, const char *table)
{
    struct strata_opdef *d;

    if (!need(op, STRATA_OP_DROP_INDEX, "index", name) ||
        !need(op, STRATA_OP_DROP_INDEX, "table", table))
        return;
    if ((d = begin(op, STRATA_OP_DROP_INDEX, table)) != NULL &&
        (d->name = strata_arena_strdup(&op->list->arena, name)) == NULL)
        fail(op, STRATA_OP_DROP_INDEX, table, STRATA_ENOMEM, "out of memory");
}

void strata_execute_for(struct strata_op *op, const char *dialect, const char *sql)
{
    struct strata_opdef *d;

    if (op->failed)
        return;
    if (sql == NULL || sql[0] == '\0') {
        fail(op, STRATA_OP_EXECUTE, NULL, STRATA_EMIGRATION, "execute: empty SQL");
        return;
    }
    if ((d = begin(op, STRATA_OP_EXECUTE, NULL)) == NULL)
        return;
    d->sql = strata_arena_strdup(&op->list->arena, sql);
    d->dialect = strata_arena_strdup(&op->list->arena, dialect);
    if (d->sql == NULL || (dialect != NULL && d->dialect == NULL))
        fail(op, STRATA_OP_EXECUTE, NULL, STRATA_ENOMEM, "out of memory");
}

void strata_execute(struct strata_op *op, const char *sql)
{
    strata_execute_for(op, NULL, sql);
}

void strata_run_hook(struct strata_op *op, const char *name, strata_hook_fn fn)
{
    struct strata_opdef *d;

    if (!need(op, STRATA_OP_HOOK, "hook", name))
        return;
    if (fn == NULL) {
        fail(op, STRATA_OP_HOOK, NULL, STRATA_EMIGRATION, "run_hook %s: no function", name);
        return;
    }
    if ((d = begin(op, STRATA_OP_HOOK, NULL)) == NULL)
        return;
    d->hook = fn;
    if ((d->name = strata_arena_strdup(&op->list->arena, name)) == NULL)
        fail(op, STRATA_OP_HOOK, NULL, STRATA_ENOMEM, "out of memory");
}

int strata_oplist_record(struct strata_oplist *out, void (*fn)(struct strata_op *op),
                         struct strata_error *err)
{
    struct strata_op op = { 0 };

    op.list = out;
    if (fn != NULL)
        fn(&op);
    if (op.failed) {
        strata_error_set(err, op.err.code == STRATA_ENOMEM ? STRATA_ENOMEM : STRATA_EMIGRATION,
                         "%s", op.err.message);
        strata_error_at(err, NULL, op.err.operation);
        return op.err.code == STRATA_ENOMEM ? STRATA_ENOMEM : STRATA_EMIGRATION;
    }
    return 0;
}

/* ---- canonical form ---- */

static void put(struct strata_buf *b, const char *key, const char *v)
{
    if (v != NULL)
        strata_buf_printf(b, " %s=%zu:%s", key, strlen(v), v);
}

int strata_oplist_canonical(const struct strata_oplist *l, char **out)
{
    struct strata_buf b = { 0 };

    strata_buf_append(&b, "strata-ops 1\n");
    for (size_t i = 0; i < l->nops; i++) {
        const struct strata_opdef *d = &l->ops[i];
        strata_buf_printf(&b, "op %s", op_names[d->kind]);
        put(&b, "table", d->table);
        put(&b, "name", d->name);
        put(&b, "new_name", d->new_name);
        put(&b, "dialect", d->dialect);
        put(&b, "sql", d->sql);
        if (d->kind == STRATA_OP_CREATE_FOREIGN_KEY) {
            put(&b, "ref_table", d->fk.ref_table);
            put(&b, "ref_column", d->fk.ref_column);
            put(&b, "column", d->fk.column);
            strata_buf_printf(&b, " on_delete=%d on_update=%d", (int)d->fk.on_delete,
                              (int)d->fk.on_update);
        }
        if (d->def != NULL && d->def->ncolumns == 1)
            put(&b, "backfill", d->def->columns[0].backfill);
        if (d->kind == STRATA_OP_CREATE_INDEX || d->kind == STRATA_OP_ALTER_PRIMARY_KEY) {
            strata_buf_printf(&b, " unique=%d columns=%zu", d->index.unique, d->index.ncolumns);
            for (size_t k = 0; k < d->index.ncolumns; k++)
                put(&b, "", d->index.columns[k]);
        }
        strata_buf_append(&b, "\n");
        if (d->def != NULL)
            strata_table_canonical(&b, d->def);
    }
    return strata_buf_detach(&b, out);
}

int strata_oplist_checksum(const struct strata_oplist *l, char out[65])
{
    char *text = NULL;
    int rc = strata_oplist_canonical(l, &text);

    if (rc != 0)
        return rc;
    strata_sha256_hex(text, strlen(text), out);
    free(text);
    return 0;
}
