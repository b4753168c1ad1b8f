/*
 * The autogenerate diff (see diff.h).
 *
 * One pass, compute(), walks two schemas and appends operations: new tables
 * (parent-first), then per-table changes (indexes dropped, columns dropped, columns
 * added, indexes created), then removed tables (child-first). The downgrade is the same
 * pass run from `to` back to `from`, so it is the inverse by construction; only the
 * upgrade pass logs and reports. What operations cannot express yet (altered columns,
 * renames, constraint changes on existing tables) is reported by name. A replay of both
 * lists through strata_schema_apply() closes the loop: anything the pass missed shows up
 * there as the first difference.
 */
#include "diff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define HAND_WRITTEN "write the revision by hand with strata revision -m"
#define ALTER_COLUMN "alter column comes with the next release"
#define CONSTRAINTS "constraint changes come with the next release"

struct differ {
    struct strata_oplist *l;
    struct diag *d;
    bool up;    /* the upgrade pass: logs and reports; the downgrade pass is silent */
    int errors; /* reported problems, plus allocation failures */
};

/* Reports a change operations cannot express (upgrade pass only). */
static void cannot(struct differ *df, const char *fmt, ...) DIAG_PRINTF(2, 3);

static void cannot(struct differ *df, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    df->errors++;
    if (!df->up)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_error(df->d, NULL, 0, 0, "cannot autogenerate yet: %s; " HAND_WRITTEN, msg);
}

static void nomem(struct differ *df)
{
    if (df->errors++ == 0 || df->up)
        diag_error(df->d, NULL, 0, 0, "out of memory");
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_names(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static bool same_index(const struct strata_index *a, const struct strata_index *b)
{
    return a->unique == b->unique && same_names(a->columns, a->ncolumns, b->columns, b->ncolumns);
}

static const struct strata_foreign_key *find_fk(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (strcmp(t->foreign_keys[i].name, name) == 0)
            return &t->foreign_keys[i];
    return NULL;
}

static bool has_check(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0)
            return true;
    return false;
}

/* "['a', 'b']": Alembic's rendering of an index's column list, into `out`. */
static const char *column_list(char *out, size_t size, const struct strata_index *ix)
{
    size_t len = 0;

    len += (size_t)snprintf(out, size, "[");
    for (size_t i = 0; i < ix->ncolumns && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s'%s'", i ? ", " : "", ix->columns[i]);
    if (len < size)
        snprintf(out + len, size - len, "]");
    return out;
}

/* ---- pushing operations ---- */

static struct strata_opdef *push(struct differ *df, enum strata_op_kind kind, const char *table,
                                 const char *name)
{
    struct strata_opdef *op = strata_oplist_push(df->l, kind);

    if (op == NULL || (op->table = strata_arena_strdup(&df->l->arena, table)) == NULL ||
        (name != NULL && (op->name = strata_arena_strdup(&df->l->arena, name)) == NULL)) {
        nomem(df);
        return NULL;
    }
    return op;
}

static void push_create_index(struct differ *df, const char *table, const struct strata_index *ix)
{
    struct strata_arena *a = &df->l->arena;
    struct strata_opdef *op = push(df, STRATA_OP_CREATE_INDEX, table, ix->name);
    char cols[512];

    if (op == NULL)
        return;
    op->index.name = op->name;
    op->index.unique = ix->unique;
    op->index.ncolumns = ix->ncolumns;
    op->index.columns = strata_arena_array(a, ix->ncolumns, sizeof(char *));
    if (op->index.columns == NULL) {
        nomem(df);
        return;
    }
    for (size_t i = 0; i < ix->ncolumns; i++)
        if ((op->index.columns[i] = strata_arena_strdup(a, ix->columns[i])) == NULL)
            nomem(df);
    if (df->up)
        diag_info(df->d, "autogenerate", "Detected added index '%s' on %s", ix->name,
                  column_list(cols, sizeof(cols), ix));
}

static void push_drop_index(struct differ *df, const char *table, const struct strata_index *ix)
{
    char cols[512];

    push(df, STRATA_OP_DROP_INDEX, table, ix->name);
    if (df->up)
        diag_info(df->d, "autogenerate", "Detected removed index '%s' on %s", ix->name,
                  column_list(cols, sizeof(cols), ix));
}

/* create_table with the unique indexes inside, then one create_index per plain index. */
static void push_create_table(struct differ *df, const struct strata_table *t)
{
    struct strata_opdef *op;

    if (df->up)
        diag_info(df->d, "autogenerate", "Detected added table '%s'", t->name);
    op = push(df, STRATA_OP_CREATE_TABLE, t->name, NULL);
    if (op == NULL)
        return;
    op->def = strata_arena_alloc(&df->l->arena, sizeof(*op->def));
    if (op->def == NULL || strata_table_copy(&df->l->arena, op->def, t) != 0) {
        nomem(df);
        return;
    }
    for (size_t i = op->def->nindexes; i-- > 0;)
        if (!op->def->indexes[i].unique)
            strata_array_remove(&op->def->indexes, &op->def->nindexes,
                                sizeof(op->def->indexes[0]), i);
    for (size_t i = 0; i < t->nindexes; i++)
        if (!t->indexes[i].unique)
            push_create_index(df, t->name, &t->indexes[i]);
}

/* The inverse of push_create_table: plain indexes first, then the table. */
static void push_drop_table(struct differ *df, const struct strata_table *t)
{
    if (df->up)
        diag_warn(df->d, "autogenerate", "Detected removed table '%s'", t->name);
    for (size_t i = 0; i < t->nindexes; i++)
        if (!t->indexes[i].unique)
            push_drop_index(df, t->name, &t->indexes[i]);
    push(df, STRATA_OP_DROP_TABLE, t->name, NULL);
}

/*
 * The single-column unique index an added column brings inside its add_column, or NULL.
 */
static const struct strata_index *column_unique(const struct strata_table *t, const char *col)
{
    for (size_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].unique && t->indexes[i].ncolumns == 1 &&
            strcmp(t->indexes[i].columns[0], col) == 0)
            return &t->indexes[i];
    return NULL;
}

/* add_column: the column, its foreign key and its single-column unique index. */
static void push_add_column(struct differ *df, const struct strata_table *t,
                            const struct strata_column *c)
{
    struct strata_arena *a = &df->l->arena;
    const struct strata_index *uq = column_unique(t, c->name);
    struct strata_opdef *op;
    struct strata_column *copy;

    if (df->up) {
        diag_info(df->d, "autogenerate", "Detected added column '%s.%s'", t->name, c->name);
        if (!c->nullable && c->default_value == NULL && c->default_sql == NULL)
            cannot(df,
                   "column '%s.%s' is NOT NULL and the table may hold rows: give it a default "
                   "(STRATA_FIELD(default = ...)) or a backfill (STRATA_FIELD(backfill = ...))",
                   t->name, c->name);
    }
    op = push(df, STRATA_OP_ADD_COLUMN, t->name, c->name);
    if (op == NULL)
        return;
    op->def = strata_arena_alloc(a, sizeof(*op->def));
    if (op->def == NULL || (op->def->name = strata_arena_strdup(a, t->name)) == NULL ||
        (copy = strata_table_add_column(a, op->def, c->name)) == NULL ||
        strata_column_copy(a, copy, c) != 0) {
        nomem(df);
        return;
    }
    for (size_t i = 0; i < t->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &t->foreign_keys[i];
        struct strata_foreign_key *fc;

        if (strcmp(fk->column, c->name) != 0)
            continue;
        fc = strata_table_add_foreign_key(a, op->def, fk->name, fk->column, fk->ref_table,
                                          fk->ref_column);
        if (fc == NULL) {
            nomem(df);
            return;
        }
        fc->on_delete = fk->on_delete;
        fc->on_update = fk->on_update;
    }
    if (uq != NULL && strata_table_add_index(a, op->def, uq->name, (const char *const *)uq->columns,
                                             1, true) == NULL)
        nomem(df);
}

/* ---- ordering ---- */

/*
 * Places table `i` of `s` after the selected tables it references (depth first, a cycle
 * broken where it closes). `state`: 0 unvisited, 1 in progress, 2 placed.
 */
static void place(const struct strata_schema *s, const bool *selected, size_t i, char *state,
                  size_t *order, size_t *n)
{
    const struct strata_table *t = &s->tables[i];

    state[i] = 1;
    for (size_t k = 0; k < t->nforeign_keys; k++) {
        const struct strata_table *p = strata_schema_find_table(s, t->foreign_keys[k].ref_table);
        size_t pi = p ? (size_t)(p - s->tables) : 0;

        if (p != NULL && selected[pi] && state[pi] == 0)
            place(s, selected, pi, state, order, n);
    }
    state[i] = 2;
    order[(*n)++] = i;
}

/*
 * Writes into `order` the indexes of the tables of `s` with `selected[i]` set,
 * parent-first: each table in `s`'s order, preceded by the selected tables its foreign
 * keys reference that are not placed yet. Returns the count (0 when out of memory).
 */
static size_t parent_first(const struct strata_schema *s, const bool *selected, size_t *order)
{
    char *state = calloc(s->ntables ? s->ntables : 1, 1);
    size_t n = 0;

    if (state == NULL)
        return 0;
    for (size_t i = 0; i < s->ntables; i++)
        if (selected[i] && state[i] == 0)
            place(s, selected, i, state, order, &n);
    free(state);
    return n;
}

/* ---- one table present on both sides ---- */

static const char *or_none(const char *s)
{
    return s != NULL ? s : "none";
}

/* Reports every difference of a column present on both sides. */
static void compare_column(struct differ *df, const struct strata_table *t,
                           const struct strata_column *a, const struct strata_column *b)
{
    char ta[64], tb[64];

    if (a->type.kind != b->type.kind || a->type.length != b->type.length ||
        a->type.scale != b->type.scale)
        cannot(df, "column '%s.%s' changed type from %s to %s (" ALTER_COLUMN ")", t->name,
               b->name, strata_type_format(ta, sizeof(ta), a->type),
               strata_type_format(tb, sizeof(tb), b->type));
    if (a->nullable != b->nullable)
        cannot(df, "column '%s.%s' changed from %s to %s (" ALTER_COLUMN ")", t->name, b->name,
               a->nullable ? "nullable" : "NOT NULL", b->nullable ? "nullable" : "NOT NULL");
    if (a->autoincrement != b->autoincrement)
        cannot(df, "column '%s.%s' changed autoincrement from %s to %s (" ALTER_COLUMN ")",
               t->name, b->name, a->autoincrement ? "on" : "off", b->autoincrement ? "on" : "off");
    if (!same_str(a->default_value, b->default_value))
        cannot(df, "column '%s.%s' changed default from %s to %s (" ALTER_COLUMN ")", t->name,
               b->name, or_none(a->default_value), or_none(b->default_value));
    if (!same_str(a->default_sql, b->default_sql))
        cannot(df, "column '%s.%s' changed default_sql from %s to %s (" ALTER_COLUMN ")",
               t->name, b->name, or_none(a->default_sql), or_none(b->default_sql));
    if (!same_str(a->check, b->check))
        cannot(df, "column '%s.%s' changed check from %s to %s (" ALTER_COLUMN ")", t->name,
               b->name, or_none(a->check), or_none(b->check));
    if (!same_str(a->enum_values, b->enum_values))
        cannot(df, "column '%s.%s' changed enum values from %s to %s (" ALTER_COLUMN ")",
               t->name, b->name, or_none(a->enum_values), or_none(b->enum_values));
    if (!same_str(a->comment, b->comment))
        cannot(df, "column '%s.%s' changed comment (" ALTER_COLUMN ")", t->name, b->name);
}

/* Reports foreign key and table check changes that do not come with a column. */
static void compare_constraints(struct differ *df, const struct strata_table *a,
                                const struct strata_table *b)
{
    for (size_t i = 0; i < b->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &b->foreign_keys[i], *old;

        if (strata_table_find_column(a, fk->column) == NULL)
            continue; /* comes with its add_column */
        old = find_fk(a, fk->name);
        if (old == NULL)
            cannot(df, "foreign key '%s' added to existing column '%s.%s' (" CONSTRAINTS ")",
                   fk->name, b->name, fk->column);
        else if (strcmp(old->column, fk->column) != 0 ||
                 strcmp(old->ref_table, fk->ref_table) != 0 ||
                 strcmp(old->ref_column, fk->ref_column) != 0 ||
                 old->on_delete != fk->on_delete || old->on_update != fk->on_update)
            cannot(df, "foreign key '%s' of table '%s' changed (" CONSTRAINTS ")", fk->name,
                   b->name);
    }
    for (size_t i = 0; i < a->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &a->foreign_keys[i];

        if (strata_table_find_column(b, fk->column) != NULL && find_fk(b, fk->name) == NULL)
            cannot(df, "foreign key '%s' removed from existing column '%s.%s' (" CONSTRAINTS ")",
                   fk->name, b->name, fk->column);
    }
    for (size_t i = 0; i < b->nchecks; i++)
        if (!has_check(a, b->checks[i].name))
            cannot(df, "check constraint '%s' (%s) added to existing table '%s' (" CONSTRAINTS ")",
                   b->checks[i].name, b->checks[i].expr, b->name);
    for (size_t i = 0; i < a->nchecks; i++)
        if (!has_check(b, a->checks[i].name))
            cannot(df, "check constraint '%s' (%s) removed from table '%s' (" CONSTRAINTS ")",
                   a->checks[i].name, a->checks[i].expr, b->name);
}

/* true when `ix` uses a column `t` does not have. */
static bool uses_missing_column(const struct strata_index *ix, const struct strata_table *t)
{
    for (size_t i = 0; i < ix->ncolumns; i++)
        if (strata_table_find_column(t, ix->columns[i]) == NULL)
            return true;
    return false;
}

/* true when column `c` of the new table renames a column of the old table `a`. */
static bool is_rename(const struct strata_table *a, const struct strata_column *c)
{
    return c->renamed_from != NULL && strata_table_find_column(a, c->name) == NULL &&
           strata_table_find_column(a, c->renamed_from) != NULL;
}

/* true when the old column `name` of `a` lives on under a new name in `b`. */
static bool renamed_away(const struct strata_table *a, const struct strata_table *b,
                         const char *name)
{
    for (size_t i = 0; i < b->ncolumns; i++)
        if (is_rename(a, &b->columns[i]) && strcmp(b->columns[i].renamed_from, name) == 0)
            return true;
    return false;
}

/*
 * A table present in `a` (before) and `b` (after): drop changed or removed indexes, drop
 * removed columns, add new columns, create new indexes, in that order.
 */
static void diff_table(struct differ *df, const struct strata_table *a,
                       const struct strata_table *b)
{
    char pa[256], pb[256];

    if (!same_str(a->comment, b->comment))
        cannot(df, "comment of table '%s' changed (alter table comes with the next release)",
               b->name);
    if (!same_names(a->primary_key, a->nprimary_key, b->primary_key, b->nprimary_key)) {
        struct strata_index x = { NULL, a->primary_key, a->nprimary_key, false };
        struct strata_index y = { NULL, b->primary_key, b->nprimary_key, false };

        cannot(df, "primary key of table '%s' changed from %s to %s (" CONSTRAINTS ")", b->name,
               column_list(pa, sizeof(pa), &x), column_list(pb, sizeof(pb), &y));
    }
    /* A rename the models ask for must not become a drop plus an add. */
    for (size_t i = 0; i < b->ncolumns; i++)
        if (is_rename(a, &b->columns[i]))
            cannot(df, "column renamed '%s.%s' -> '%s.%s' (rename comes with the next release)",
                   b->name, b->columns[i].renamed_from, b->name, b->columns[i].name);
    for (size_t i = 0; i < b->ncolumns; i++) {
        const struct strata_column *old = strata_table_find_column(a, b->columns[i].name);

        if (old != NULL)
            compare_column(df, b, old, &b->columns[i]);
    }
    compare_constraints(df, a, b);

    for (size_t i = 0; i < a->nindexes; i++) {
        const struct strata_index *ix = &a->indexes[i];
        const struct strata_index *now = strata_table_find_index(b, ix->name);

        if (now != NULL && same_index(now, ix))
            continue;
        if (df->up && ix->unique && !uses_missing_column(ix, b))
            cannot(df, "unique constraint '%s' removed from existing table '%s' (" CONSTRAINTS ")",
                   ix->name, b->name);
        push_drop_index(df, b->name, ix);
    }
    for (size_t i = 0; i < a->ncolumns; i++) {
        if (strata_table_find_column(b, a->columns[i].name) != NULL ||
            renamed_away(a, b, a->columns[i].name))
            continue;
        if (df->up)
            diag_warn(df->d, "autogenerate", "Detected removed column '%s.%s'", b->name,
                      a->columns[i].name);
        push(df, STRATA_OP_DROP_COLUMN, b->name, a->columns[i].name);
    }
    for (size_t i = 0; i < b->ncolumns; i++)
        if (strata_table_find_column(a, b->columns[i].name) == NULL &&
            !is_rename(a, &b->columns[i]))
            push_add_column(df, b, &b->columns[i]);
    for (size_t i = 0; i < b->nindexes; i++) {
        const struct strata_index *ix = &b->indexes[i];
        const struct strata_index *old = strata_table_find_index(a, ix->name);

        if (old != NULL && same_index(old, ix))
            continue;
        /* The unique index of an added column is part of its add_column. */
        if (ix->unique && ix->ncolumns == 1 &&
            strata_table_find_column(a, ix->columns[0]) == NULL &&
            column_unique(b, ix->columns[0]) == ix)
            continue;
        if (df->up && ix->unique)
            cannot(df, "unique constraint '%s' added to existing table '%s' (" CONSTRAINTS ")",
                   ix->name, b->name);
        push_create_index(df, b->name, ix);
    }
}

/* ---- the pass ---- */

/* Appends the operations from `from` to `to` to df->l. */
static void compute(struct differ *df, const struct strata_schema *from,
                    const struct strata_schema *to)
{
    size_t n = from->ntables > to->ntables ? from->ntables : to->ntables;
    bool *sel = calloc(n ? n : 1, sizeof(bool));
    bool *renamed = calloc(n ? n : 1, sizeof(bool));
    size_t *order = calloc(n ? n : 1, sizeof(size_t));
    size_t count;

    if (sel == NULL || renamed == NULL || order == NULL) {
        nomem(df);
        goto cleanup;
    }
    /* Renames: reported, and neither side counted as added or removed. */
    for (size_t i = 0; i < to->ntables; i++) {
        const struct strata_table *t = &to->tables[i];
        const struct strata_table *old;

        if (t->renamed_from == NULL || strata_schema_find_table(from, t->name) != NULL ||
            (old = strata_schema_find_table(from, t->renamed_from)) == NULL)
            continue;
        cannot(df, "table renamed '%s' -> '%s' (rename comes with the next release)",
               t->renamed_from, t->name);
        renamed[old - from->tables] = true;
        sel[i] = true; /* skip below */
    }
    for (size_t i = 0; i < to->ntables; i++)
        sel[i] = !sel[i] && strata_schema_find_table(from, to->tables[i].name) == NULL;
    count = parent_first(to, sel, order);
    for (size_t i = 0; i < count; i++)
        push_create_table(df, &to->tables[order[i]]);

    for (size_t i = 0; i < to->ntables; i++) {
        const struct strata_table *old = strata_schema_find_table(from, to->tables[i].name);

        if (old != NULL)
            diff_table(df, old, &to->tables[i]);
    }

    for (size_t i = 0; i < from->ntables; i++)
        sel[i] = !renamed[i] && strata_schema_find_table(to, from->tables[i].name) == NULL;
    count = parent_first(from, sel, order);
    while (count-- > 0)
        push_drop_table(df, &from->tables[order[count]]);

cleanup:
    free(sel);
    free(renamed);
    free(order);
}

/*
 * Replays `l` on `s` and compares the result with `want`. Reports the first difference
 * (or the failing operation) and returns -1; 0 when `s` reached `want`.
 */
static int replay(struct strata_schema *s, const struct strata_oplist *l,
                  const struct strata_schema *want, struct diag *d)
{
    struct strata_error err = { 0 };
    char what[512];

    for (size_t i = 0; i < l->nops; i++) {
        if (strata_schema_apply(s, &l->ops[i], &err) != 0) {
            diag_error(d, NULL, 0, 0, "cannot autogenerate yet: %s; " HAND_WRITTEN, err.message);
            return -1;
        }
    }
    if (strata_schema_diff_first(want, s, what, sizeof(what)) != 0) {
        diag_error(d, NULL, 0, 0, "cannot autogenerate yet: %s; " HAND_WRITTEN, what);
        return -1;
    }
    return 0;
}

/* See diff.h. */
int diff_schemas(struct strata_oplist *up, struct strata_oplist *down,
                 const struct strata_schema *from, const struct strata_schema *to, struct diag *d)
{
    struct differ df = { up, d, true, 0 };
    struct strata_schema *copy = NULL;
    int rc = -1;

    compute(&df, from, to);
    if (df.errors != 0)
        return -1;
    df.l = down;
    df.up = false;
    compute(&df, to, from);
    if (df.errors != 0) {
        diag_error(d, NULL, 0, 0, "cannot autogenerate yet: no downgrade for these changes; "
                                  HAND_WRITTEN);
        return -1;
    }
    copy = strata_schema_copy(from);
    if (copy == NULL) {
        diag_error(d, NULL, 0, 0, "out of memory");
        return -1;
    }
    if (replay(copy, up, to, d) == 0 && replay(copy, down, from, d) == 0)
        rc = 0;
    strata_schema_free(copy);
    return rc;
}
