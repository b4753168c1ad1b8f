/*
 * The operations a diff emits, and their inverses (see diff_op.h).
 *
 * The builders copy what they are given into the list's arena, so an operation never
 * points into a schema that later operations change. The inverse of an upgrade operation
 * is read from `cur` just before the operation applies (what a drop removes, what an
 * alter replaces, what a rename undoes); diff.c decides which operations to build and in
 * what order, and diff_op_reverse_down() turns the inverses into the downgrade.
 */
#include "diff_op.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Copies `s` into the list's arena; NULL stays NULL. */
static char *sdup(struct differ *df, struct strata_oplist *l, const char *s)
{
    char *copy;

    if (s == NULL)
        return NULL;
    if ((copy = strata_arena_strdup(&l->arena, s)) == NULL)
        diff_nomem(df);
    return copy;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_push(struct differ *df, struct strata_oplist *l,
                                  enum strata_op_kind kind, const char *table, const char *name)
{
    struct strata_opdef *op = strata_oplist_push(l, kind);

    if (op == NULL) {
        diff_nomem(df);
        return NULL;
    }
    op->table = sdup(df, l, table);
    op->name = sdup(df, l, name);
    return op;
}

/* See diff_op.h. */
void diff_op_note(struct differ *df, struct strata_opdef *op, const char *fmt, ...)
{
    struct strata_buf b = { 0 };
    va_list ap;

    if (op == NULL)
        return;
    if (op->note != NULL)
        strata_buf_printf(&b, "%s\n", op->note);
    va_start(ap, fmt);
    strata_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    op->note = b.failed ? NULL : sdup(df, df->up, b.data);
    if (b.failed)
        diff_nomem(df);
    strata_buf_free(&b);
}

/* Copies column `c` into `t` (list arena) without its generator-only annotations. */
static struct strata_column *def_column(struct differ *df, struct strata_oplist *l,
                                        struct strata_table *t, const struct strata_column *c)
{
    struct strata_column *copy = strata_table_add_column(&l->arena, t, c->name);

    if (copy == NULL || strata_column_copy(&l->arena, copy, c) != 0) {
        diff_nomem(df);
        return NULL;
    }
    copy->renamed_from = NULL;
    copy->backfill = NULL;
    copy->loc = (struct strata_srcloc){ NULL, 0, 0 };
    copy->renamed_from_loc = copy->loc;
    return copy;
}

static bool def_fk(struct differ *df, struct strata_oplist *l, struct strata_table *t,
                   const struct strata_foreign_key *fk)
{
    struct strata_foreign_key *c = strata_table_add_foreign_key(&l->arena, t, fk->name, fk->column,
                                                                fk->ref_table, fk->ref_column);

    if (c == NULL) {
        diff_nomem(df);
        return false;
    }
    c->on_delete = fk->on_delete;
    c->on_update = fk->on_update;
    return true;
}

static struct strata_table *new_def(struct differ *df, struct strata_oplist *l, const char *name)
{
    struct strata_table *t = strata_arena_alloc(&l->arena, sizeof(*t));

    if (t == NULL || (t->name = strata_arena_strdup(&l->arena, name)) == NULL) {
        diff_nomem(df);
        return NULL;
    }
    return t;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_create_table(struct differ *df, struct strata_oplist *l,
                                          const struct strata_table *t,
                                          bool (*skip)(struct differ *, const char *,
                                                       const struct strata_foreign_key *))
{
    struct strata_opdef *op = diff_op_push(df, l, STRATA_OP_CREATE_TABLE, t->name, NULL);
    struct strata_table *def;

    if (op == NULL || (def = op->def = new_def(df, l, t->name)) == NULL)
        return NULL;
    if (t->comment != NULL)
        def->comment = sdup(df, l, t->comment);
    for (size_t i = 0; i < t->ncolumns; i++)
        def_column(df, l, def, &t->columns[i]);
    if (t->nprimary_key > 0 &&
        strata_table_set_primary_key(&l->arena, def, (const char *const *)t->primary_key,
                                     t->nprimary_key) != 0)
        diff_nomem(df);
    for (size_t i = 0; i < t->nindexes; i++) {
        const struct strata_index *ix = &t->indexes[i];

        if (ix->unique && !strata_table_add_index(&l->arena, def, ix->name,
                                                  (const char *const *)ix->columns,
                                                  ix->ncolumns, true))
            diff_nomem(df);
    }
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (skip == NULL || !skip(df, t->name, &t->foreign_keys[i]))
            def_fk(df, l, def, &t->foreign_keys[i]);
    for (size_t i = 0; i < t->nchecks; i++)
        if (!strata_table_add_check(&l->arena, def, t->checks[i].name, t->checks[i].expr))
            diff_nomem(df);
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_add_column(struct differ *df, struct strata_oplist *l,
                                        const char *table, const struct strata_column *c,
                                        const struct strata_foreign_key *fk,
                                        const struct strata_index *uq, const char *backfill)
{
    struct strata_opdef *op = diff_op_push(df, l, STRATA_OP_ADD_COLUMN, table, c->name);
    struct strata_column *copy;

    if (op == NULL || (op->def = new_def(df, l, table)) == NULL ||
        (copy = def_column(df, l, op->def, c)) == NULL)
        return NULL;
    copy->backfill = sdup(df, l, backfill);
    if (fk != NULL)
        def_fk(df, l, op->def, fk);
    if (uq != NULL && !strata_table_add_index(&l->arena, op->def, uq->name,
                                              (const char *const *)uq->columns, 1, true))
        diff_nomem(df);
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_alter_column(struct differ *df, struct strata_oplist *l,
                                          const char *table, const struct strata_column *c,
                                          const char *backfill)
{
    struct strata_opdef *op = diff_op_push(df, l, STRATA_OP_ALTER_COLUMN, table, c->name);
    struct strata_column *copy;

    if (op == NULL || (op->def = new_def(df, l, table)) == NULL ||
        (copy = def_column(df, l, op->def, c)) == NULL)
        return NULL;
    copy->backfill = sdup(df, l, backfill);
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_index(struct differ *df, struct strata_oplist *l,
                                   const char *table, const struct strata_index *ix)
{
    struct strata_opdef *op = diff_op_push(df, l, STRATA_OP_CREATE_INDEX, table, ix->name);

    if (op == NULL)
        return NULL;
    op->index.name = op->name;
    op->index.unique = ix->unique;
    op->index.ncolumns = ix->ncolumns;
    op->index.columns = strata_arena_array(&l->arena, ix->ncolumns, sizeof(char *));
    if (op->index.columns == NULL) {
        diff_nomem(df);
        return NULL;
    }
    for (size_t i = 0; i < ix->ncolumns; i++)
        op->index.columns[i] = sdup(df, l, ix->columns[i]);
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_rename(struct differ *df, struct strata_oplist *l,
                                    enum strata_op_kind kind, const char *table,
                                    const char *name, const char *new_name)
{
    struct strata_opdef *op = diff_op_push(df, l, kind, table, name);

    if (op != NULL)
        op->new_name = sdup(df, l, new_name);
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_primary_key(struct differ *df, struct strata_oplist *l,
                                         const char *table, char *const *cols, size_t n)
{
    struct strata_opdef *op = diff_op_push(df, l, STRATA_OP_ALTER_PRIMARY_KEY, table, NULL);

    if (op == NULL || n == 0)
        return op;
    op->index.ncolumns = n;
    op->index.columns = strata_arena_array(&l->arena, n, sizeof(char *));
    if (op->index.columns == NULL) {
        diff_nomem(df);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        op->index.columns[i] = sdup(df, l, cols[i]);
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_create_fk(struct differ *df, struct strata_oplist *l,
                                       const char *table, const struct strata_foreign_key *fk)
{
    struct strata_opdef *op = diff_op_push(df, l, STRATA_OP_CREATE_FOREIGN_KEY, table, fk->name);

    if (op == NULL)
        return NULL;
    op->fk.name = op->name;
    op->fk.column = sdup(df, l, fk->column);
    op->fk.ref_table = sdup(df, l, fk->ref_table);
    op->fk.ref_column = sdup(df, l, fk->ref_column);
    op->fk.on_delete = fk->on_delete;
    op->fk.on_update = fk->on_update;
    return op;
}

/* See diff_op.h. */
struct strata_opdef *diff_op_text(struct differ *df, struct strata_oplist *l,
                                  enum strata_op_kind kind, const char *table,
                                  const char *name, const char *text)
{
    struct strata_opdef *op = diff_op_push(df, l, kind, table, name);

    if (op != NULL)
        op->sql = sdup(df, l, text);
    return op;
}

/*
 * A value of `c`'s type for rows that must hold something: the first enum constant,
 * else 0, '' or the type's zero. Used when the downgrade makes a column NOT NULL again.
 */
static const char *zero_value(struct differ *df, const struct strata_column *c)
{
    if (c->enum_values != NULL)
        return strata_arena_strndup(&df->down->arena, c->enum_values,
                                    strcspn(c->enum_values, ","));
    switch (c->type.kind) {
    case STRATA_TYPE_VARCHAR:
    case STRATA_TYPE_TEXT:
    case STRATA_TYPE_JSON:
        return "''";
    case STRATA_TYPE_BLOB:
        return "X''";
    case STRATA_TYPE_DATE:
        return "'1970-01-01'";
    case STRATA_TYPE_DATETIME:
    case STRATA_TYPE_TIMESTAMP:
        return "'1970-01-01 00:00:00'";
    case STRATA_TYPE_UUID:
        return "'00000000-0000-0000-0000-000000000000'";
    default:
        return "0";
    }
}

/* What existing rows get when NOT NULL column `c` is restored going down. */
static const char *restore_value(struct differ *df, const struct strata_column *c)
{
    if (c->default_value != NULL)
        return c->default_value;
    if (c->default_sql != NULL)
        return c->default_sql;
    return zero_value(df, c);
}

/* Pushes onto the downgrade list the inverse of `op`, read from `cur` before it applies. */
static void invert(struct differ *df, const struct strata_opdef *op)
{
    struct strata_oplist *l = df->down;
    const struct strata_table *t = diff_cur_table(df, op->table);
    const struct strata_column *c;
    const struct strata_index *ix;
    const struct strata_foreign_key *fk;
    const struct strata_check *ck;

    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
        diff_op_push(df, l, STRATA_OP_DROP_TABLE, op->def->name, NULL);
        return;
    case STRATA_OP_DROP_TABLE:
        diff_op_create_table(df, l, t, NULL);
        return;
    case STRATA_OP_ADD_COLUMN:
        /* A column cannot be dropped while an index uses it. */
        for (size_t i = 0; i < op->def->nindexes; i++)
            diff_op_push(df, l, op->def->indexes[i].unique ? STRATA_OP_DROP_CONSTRAINT
                                                           : STRATA_OP_DROP_INDEX,
                         op->table, op->def->indexes[i].name);
        diff_op_push(df, l, STRATA_OP_DROP_COLUMN, op->table, op->name);
        return;
    case STRATA_OP_DROP_COLUMN:
        c = strata_table_find_column(t, op->name);
        /* An autoincrement column gets its ids from the database, not a shared zero. */
        diff_op_add_column(df, l, t->name, c, diff_column_fk(t, c->name), NULL,
                           c->nullable || c->autoincrement || c->default_value || c->default_sql
                               ? NULL
                               : zero_value(df, c));
        return;
    case STRATA_OP_CREATE_INDEX:
        diff_op_push(df, l, op->index.unique ? STRATA_OP_DROP_CONSTRAINT : STRATA_OP_DROP_INDEX,
                     op->table, op->name);
        return;
    case STRATA_OP_DROP_INDEX:
        diff_op_index(df, l, t->name, strata_table_find_index(t, op->name));
        return;
    case STRATA_OP_RENAME_TABLE:
        diff_op_rename(df, l, STRATA_OP_RENAME_TABLE, op->new_name, NULL, op->table);
        return;
    case STRATA_OP_RENAME_COLUMN:
        diff_op_rename(df, l, STRATA_OP_RENAME_COLUMN, op->table, op->new_name, op->name);
        return;
    case STRATA_OP_ALTER_COLUMN:
        c = strata_table_find_column(t, op->name);
        diff_op_alter_column(df, l, t->name, c,
                             !c->nullable && op->def->columns[0].nullable ? restore_value(df, c)
                                                                          : NULL);
        return;
    case STRATA_OP_ALTER_PRIMARY_KEY:
        diff_op_primary_key(df, l, t->name, t->primary_key, t->nprimary_key);
        return;
    case STRATA_OP_CREATE_FOREIGN_KEY:
    case STRATA_OP_CREATE_CHECK:
        diff_op_push(df, l, STRATA_OP_DROP_CONSTRAINT, op->table, op->name);
        return;
    case STRATA_OP_DROP_CONSTRAINT:
        if ((fk = diff_find_fk(t, op->name)) != NULL)
            diff_op_create_fk(df, l, t->name, fk);
        else if ((ck = diff_find_check(t, op->name)) != NULL)
            diff_op_text(df, l, STRATA_OP_CREATE_CHECK, t->name, ck->name, ck->expr);
        else if ((ix = strata_table_find_index(t, op->name)) != NULL)
            diff_op_index(df, l, t->name, ix);
        return;
    case STRATA_OP_ALTER_TABLE_COMMENT:
        diff_op_text(df, l, STRATA_OP_ALTER_TABLE_COMMENT, t->name, NULL, t->comment);
        return;
    case STRATA_OP_EXECUTE:
    case STRATA_OP_HOOK:
        break;
    }
}

/* See diff_op.h. */
void diff_op_commit(struct differ *df, struct strata_opdef *op)
{
    struct strata_error err = { 0 };

    if (op == NULL || df->errors != 0)
        return;
    if (df->nstarts == df->capstarts) {
        size_t cap = df->capstarts ? df->capstarts * 2 : 32;
        size_t *v = realloc(df->starts, cap * sizeof(*v));

        if (v == NULL) {
            diff_nomem(df);
            return;
        }
        df->starts = v;
        df->capstarts = cap;
    }
    df->starts[df->nstarts++] = df->down->nops;
    invert(df, op);
    if (strata_schema_apply(df->cur, op, &err) != 0) {
        df->errors++;
        diag_error(df->d, NULL, 0, 0, "cannot autogenerate yet: %s; " HAND_WRITTEN, err.message);
    }
}

/* See diff_op.h. */
void diff_op_reverse_down(struct differ *df)
{
    struct strata_oplist *l = df->down;
    struct strata_opdef *v;
    size_t n = 0;

    if (l->nops == 0)
        return;
    if ((v = malloc(l->nops * sizeof(*v))) == NULL) {
        diff_nomem(df);
        return;
    }
    for (size_t g = df->nstarts; g-- > 0;) {
        size_t end = g + 1 < df->nstarts ? df->starts[g + 1] : l->nops;

        for (size_t i = df->starts[g]; i < end; i++)
            v[n++] = l->ops[i];
    }
    memcpy(l->ops, v, n * sizeof(*v));
    free(v);
}
