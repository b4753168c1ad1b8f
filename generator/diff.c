/*
 * The autogenerate diff (see diff.h).
 *
 * One pass, compute(), walks the models (`to`) against a working copy of the snapshot
 * (`cur`, which starts as `from`) and appends the upgrade operations in the order diff.h
 * gives, taking tables in dependency order (diff_order.c). Each operation is applied to
 * `cur` as soon as it is pushed; just before that, its exact inverse is built from `cur`
 * (what a drop removes, what an alter replaces, what a rename undoes) into the downgrade
 * list, and at the end the downgrade is those inverses in reverse order (diff_op.c builds
 * both). Since `cur` holds the renames already, comparing it with the models by name sees
 * regenerated constraint names as equal. A replay of both lists from `from` closes the
 * loop: anything the pass missed shows up as the first difference.
 */
#include "diff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"
#include "diff_op.h"
#include "diff_order.h"

#define FILL_FIXES                                                                            \
    "give it a default (STRATA_FIELD(default = ...)) or a backfill "                          \
    "(STRATA_FIELD(backfill = ...))"

/* See diff_internal.h. */
void diff_nomem(struct differ *df)
{
    if (df->errors++ == 0)
        diag_error(df->d, NULL, 0, 0, "out of memory");
}

/* A model error at `loc` (or unlocated when the schema has no location). */
static void located(struct differ *df, const struct strata_srcloc *loc, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

static void located(struct differ *df, const struct strata_srcloc *loc, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    df->errors++;
    diag_error(df->d, loc->file, loc->line, loc->column, "%s", msg);
}

static bool same_index(const struct strata_index *a, const struct strata_index *b)
{
    return a->unique == b->unique && strata_names_equal(a->columns, a->ncolumns, b->columns, b->ncolumns);
}

static bool same_fk(const struct strata_foreign_key *a, const struct strata_foreign_key *b)
{
    return strcmp(a->column, b->column) == 0 && strcmp(a->ref_table, b->ref_table) == 0 &&
           strcmp(a->ref_column, b->ref_column) == 0 && a->on_delete == b->on_delete &&
           a->on_update == b->on_update;
}

/* See diff_internal.h. */
const struct strata_foreign_key *diff_find_fk(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (strcmp(t->foreign_keys[i].name, name) == 0)
            return &t->foreign_keys[i];
    return NULL;
}

/* See diff_internal.h. */
const struct strata_foreign_key *diff_column_fk(const struct strata_table *t, const char *col)
{
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (strcmp(t->foreign_keys[i].column, col) == 0)
            return &t->foreign_keys[i];
    return NULL;
}

/* See diff_internal.h. */
const struct strata_check *diff_find_check(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0)
            return &t->checks[i];
    return NULL;
}

/*
 * The unique index `.unique = true` on `col` stands for in `t`: single-column, named
 * uq_<table>_<col>; NULL when there is none.
 */
static const struct strata_index *column_unique(const struct strata_table *t, const char *col)
{
    char name[STRATA_NAME_MAX + 1];

    strata_make_name(name, "uq", (const char *const[]){ t->name, col, NULL });
    for (size_t i = 0; i < t->nindexes; i++) {
        const struct strata_index *ix = &t->indexes[i];

        if (ix->unique && ix->ncolumns == 1 && strcmp(ix->columns[0], col) == 0 &&
            strcmp(ix->name, name) == 0)
            return ix;
    }
    return NULL;
}

/* "['a', 'b']": Alembic's rendering of a column list, into `out`. */
static const char *column_list(char *out, size_t size, char *const *cols, size_t n)
{
    size_t len = 0;

    len += (size_t)snprintf(out, size, "[");
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s'%s'", i ? ", " : "", cols[i]);
    if (len < size)
        snprintf(out + len, size - len, "]");
    return out;
}

static const char *or_none(const char *s)
{
    return s != NULL ? s : "none";
}

/* See diff_internal.h. */
struct strata_table *diff_cur_table(struct differ *df, const char *name)
{
    return strata_schema_find_table(df->cur, name);
}

static void defer(struct differ *df, const char *table, const struct strata_foreign_key *fk,
                  bool log)
{
    if (df->ndeferred == df->capdeferred) {
        size_t cap = df->capdeferred ? df->capdeferred * 2 : 8;
        struct deferred *v = realloc(df->deferred, cap * sizeof(*v));

        if (v == NULL) {
            diff_nomem(df);
            return;
        }
        df->deferred = v;
        df->capdeferred = cap;
    }
    df->deferred[df->ndeferred++] = (struct deferred){ table, fk, log };
}

/* true when `fk` cannot be created yet: its target is not in `cur`. */
static bool target_missing(struct differ *df, const struct strata_foreign_key *fk)
{
    const struct strata_table *ref = diff_cur_table(df, fk->ref_table);

    return ref == NULL || strata_table_find_column(ref, fk->ref_column) == NULL;
}

/* For create_table: a missing target defers the key (and remembers it). */
static bool defer_if_missing(struct differ *df, const char *table,
                             const struct strata_foreign_key *fk)
{
    if (strcmp(fk->ref_table, table) == 0 || !target_missing(df, fk))
        return false;
    defer(df, table, fk, false);
    return true;
}

/* ===== Renames ===== */

/*
 * Matches each table of `to` with its table in `from` (src[i], -1 for a new table),
 * following `renamed_from` when the new name is not in `from` yet, and checks every
 * table and column `renamed_from`. Reports each bad one at its annotation.
 */
static void match_tables(struct differ *df, const struct strata_schema *from,
                         const struct strata_schema *to, long *src)
{
    for (size_t i = 0; i < to->ntables; i++) {
        const struct strata_table *t = &to->tables[i];
        const struct strata_table *old = strata_schema_find_table(from, t->name);
        const char *r = t->renamed_from;

        src[i] = old ? (long)(old - from->tables) : -1;
        if (old != NULL || r == NULL)
            continue;
        old = strata_schema_find_table(from, r);
        if (old == NULL) {
            located(df, &t->renamed_from_loc,
                    "renamed_from '%s': the snapshot has no table '%s' (nor '%s')", r, r,
                    t->name);
            continue;
        }
        if (strata_schema_find_table(to, r) != NULL) {
            located(df, &t->renamed_from_loc,
                    "renamed_from '%s': table '%s' still exists in the models", r, r);
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (src[k] == old - from->tables) {
                located(df, &t->renamed_from_loc,
                        "renamed_from '%s': table '%s' is already renamed to '%s'", r, r,
                        to->tables[k].name);
                old = NULL;
                break;
            }
        if (old != NULL)
            src[i] = (long)(old - from->tables);
    }
}

/* The column of `b` that renames column `name` of `a` (neither inert nor in error). */
static bool renames_column(const struct strata_table *a, const struct strata_table *b,
                           const struct strata_column *c)
{
    return c->renamed_from != NULL && strata_table_find_column(a, c->name) == NULL &&
           strata_table_find_column(a, c->renamed_from) != NULL &&
           strata_table_find_column(b, c->renamed_from) == NULL;
}

/* Checks the column `renamed_from`s of `b`, whose snapshot table is `a` (NULL: new). */
static void check_column_renames(struct differ *df, const struct strata_table *a,
                                 const struct strata_table *b)
{
    for (size_t i = 0; i < b->ncolumns; i++) {
        const struct strata_column *c = &b->columns[i];
        const char *r = c->renamed_from;

        if (r == NULL || (a != NULL && strata_table_find_column(a, c->name) != NULL))
            continue;
        if (a == NULL) {
            located(df, &c->renamed_from_loc,
                    "renamed_from '%s': table '%s' is new, so the snapshot has no column "
                    "'%s.%s'",
                    r, b->name, b->name, r);
            continue;
        }
        if (strata_table_find_column(a, r) == NULL) {
            located(df, &c->renamed_from_loc,
                    "renamed_from '%s': the snapshot has no column '%s.%s' (nor '%s.%s')", r,
                    b->name, r, b->name, c->name);
            continue;
        }
        if (strata_table_find_column(b, r) != NULL) {
            located(df, &c->renamed_from_loc,
                    "renamed_from '%s': column '%s.%s' still exists in the models", r, b->name,
                    r);
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (renames_column(a, b, &b->columns[k]) &&
                strcmp(b->columns[k].renamed_from, r) == 0) {
                located(df, &c->renamed_from_loc,
                        "renamed_from '%s': column '%s.%s' is already renamed to '%s.%s'", r,
                        b->name, r, b->name, b->columns[k].name);
                break;
            }
    }
}

/* Table renames, then column renames, as matched. */
static void push_renames(struct differ *df, const struct strata_schema *from,
                         const struct strata_schema *to, const long *src)
{
    for (size_t i = 0; i < to->ntables; i++) {
        const char *old = src[i] >= 0 ? from->tables[src[i]].name : NULL;

        if (old == NULL || strcmp(old, to->tables[i].name) == 0)
            continue;
        diag_info(df->d, "autogenerate", "Detected renamed table '%s' -> '%s'", old,
                  to->tables[i].name);
        diff_op_commit(df, diff_op_rename(df, df->up, STRATA_OP_RENAME_TABLE, old, NULL,
                                          to->tables[i].name));
    }
    for (size_t i = 0; i < to->ntables; i++) {
        const struct strata_table *a = src[i] >= 0 ? &from->tables[src[i]] : NULL;
        const struct strata_table *b = &to->tables[i];

        for (size_t k = 0; a != NULL && k < b->ncolumns; k++) {
            const struct strata_column *c = &b->columns[k];

            if (!renames_column(a, b, c))
                continue;
            diag_info(df->d, "autogenerate", "Detected renamed column '%s.%s' -> '%s.%s'",
                      b->name, c->renamed_from, b->name, c->name);
            diff_op_commit(df, diff_op_rename(df, df->up, STRATA_OP_RENAME_COLUMN, b->name,
                                              c->renamed_from, c->name));
        }
    }
}

/* ===== Tables on one side only ===== */
static void log_index(struct differ *df, const char *what, const struct strata_index *ix)
{
    char cols[512];

    diag_info(df->d, "autogenerate", "Detected %s %s '%s' on %s", what,
              ix->unique ? "unique constraint" : "index", ix->name,
              column_list(cols, sizeof(cols), ix->columns, ix->ncolumns));
}

/* New tables parent-first, each followed by its plain indexes. */
static void create_tables(struct differ *df, const struct strata_schema *to, const long *src,
                          bool *sel, size_t *order)
{
    size_t count;

    for (size_t i = 0; i < to->ntables; i++)
        sel[i] = src[i] < 0;
    count = diff_order_parent_first(to, sel, order);
    for (size_t k = 0; k < count; k++) {
        const struct strata_table *t = &to->tables[order[k]];

        diag_info(df->d, "autogenerate", "Detected added table '%s'", t->name);
        diff_op_commit(df, diff_op_create_table(df, df->up, t, defer_if_missing));
        for (size_t i = 0; i < t->nindexes; i++)
            if (!t->indexes[i].unique) {
                log_index(df, "added", &t->indexes[i]);
                diff_op_commit(df, diff_op_index(df, df->up, t->name, &t->indexes[i]));
            }
    }
}

/*
 * Removed tables child-first: first the foreign keys among them that would reference a
 * table already dropped (a cycle), then per table its plain indexes and the table.
 */
static void drop_tables(struct differ *df, const struct strata_schema *to, bool *sel,
                        size_t *order)
{
    const struct strata_schema *cur = df->cur;
    size_t count, *pos = NULL;
    char **names = NULL;

    for (size_t i = 0; i < cur->ntables; i++)
        sel[i] = strata_schema_find_table(to, cur->tables[i].name) == NULL;
    count = diff_order_parent_first(cur, sel, order);
    if (count == 0)
        return;
    pos = calloc(cur->ntables, sizeof(*pos));
    names = calloc(count, sizeof(*names));
    if (pos == NULL || names == NULL) {
        diff_nomem(df);
        goto cleanup;
    }
    /* The drop order is the reverse of `order`; names stay valid as `cur` shrinks. */
    for (size_t k = 0; k < count; k++) {
        pos[order[k]] = count - 1 - k;
        names[count - 1 - k] = cur->tables[order[k]].name;
    }
    for (size_t k = 0; k < count; k++) {
        const struct strata_table *t = diff_cur_table(df, names[k]);

        for (size_t i = 0; i < t->nforeign_keys; i++) {
            const struct strata_foreign_key *fk = &t->foreign_keys[i];
            const struct strata_table *p = diff_cur_table(df, fk->ref_table);

            if (p == NULL || p == t || !sel[p - cur->tables] || pos[p - cur->tables] > k)
                continue;
            diff_op_commit(df, diff_op_text(df, df->up, STRATA_OP_DROP_CONSTRAINT, t->name,
                                            fk->name, NULL));
            if (df->errors != 0)
                goto cleanup;
            t = diff_cur_table(df, names[k]);
            i--;
        }
    }
    for (size_t k = 0; k < count && df->errors == 0; k++) {
        const struct strata_table *t = diff_cur_table(df, names[k]);
        struct strata_opdef *op;

        diag_warn(df->d, "autogenerate", "Detected removed table '%s'", names[k]);
        for (size_t i = t->nindexes; i-- > 0;)
            if (!t->indexes[i].unique) {
                log_index(df, "removed", &t->indexes[i]);
                diff_op_commit(df, diff_op_push(df, df->up, STRATA_OP_DROP_INDEX, names[k],
                                                t->indexes[i].name));
                if (df->errors != 0)
                    goto cleanup;
                t = diff_cur_table(df, names[k]);
            }
        op = diff_op_push(df, df->up, STRATA_OP_DROP_TABLE, names[k], NULL);
        diff_op_note(df, op, "destructive: drops table %s and its rows", names[k]);
        diff_op_commit(df, op);
    }
cleanup:
    free(pos);
    free(names);
}

/* ===== One table on both sides ===== */

static const char *const action_names[] = {
    [STRATA_NO_ACTION] = "no_action",
    [STRATA_RESTRICT] = "restrict",
    [STRATA_CASCADE] = "cascade",
    [STRATA_SET_NULL] = "set_null",
};

/* "author.id on_delete cascade on_update no_action" into `out`. */
static const char *fk_text(char *out, size_t size, const struct strata_foreign_key *fk)
{
    snprintf(out, size, "%s.%s on_delete %s on_update %s", fk->ref_table, fk->ref_column,
             action_names[fk->on_delete], action_names[fk->on_update]);
    return out;
}

static void remember_changed(struct differ *df, const struct strata_foreign_key *fk)
{
    if (df->nchanged == df->capchanged) {
        size_t cap = df->capchanged ? df->capchanged * 2 : 8;
        const struct strata_foreign_key **v = realloc(df->changed, cap * sizeof(*v));

        if (v == NULL) {
            diff_nomem(df);
            return;
        }
        df->changed = v;
        df->capchanged = cap;
    }
    df->changed[df->nchanged++] = fk;
}

/* true when `fk` (of `to`) replaces a changed key, already logged as changed. */
static bool was_changed(const struct differ *df, const struct strata_foreign_key *fk)
{
    for (size_t i = 0; i < df->nchanged; i++)
        if (df->changed[i] == fk)
            return true;
    return false;
}

/* Foreign keys of existing tables that are removed or changed (not with their column). */
static void drop_foreign_keys(struct differ *df, const struct strata_table *b)
{
    const struct strata_table *a = diff_cur_table(df, b->name);

    for (size_t i = 0; a != NULL && i < a->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &a->foreign_keys[i], *now = diff_find_fk(b, fk->name);

        if (strata_table_find_column(b, fk->column) == NULL || (now && same_fk(fk, now)))
            continue;
        if (now != NULL) {
            char was[256], will[256];

            diag_info(df->d, "autogenerate",
                      "Detected changed foreign key '%s' on '%s.%s': %s -> %s", fk->name,
                      b->name, fk->column, fk_text(was, sizeof(was), fk),
                      fk_text(will, sizeof(will), now));
            remember_changed(df, now);
        } else {
            diag_info(df->d, "autogenerate", "Detected removed foreign key '%s' on '%s.%s'",
                      fk->name, b->name, fk->column);
        }
        diff_op_commit(df, diff_op_text(df, df->up, STRATA_OP_DROP_CONSTRAINT, b->name, fk->name,
                                        NULL));
        if (df->errors != 0)
            return;
        a = diff_cur_table(df, b->name);
        i--;
    }
}

/* Checks, uniques and indexes of `cur` removed or changed in `b`. */
static void drop_constraints(struct differ *df, const struct strata_table *b)
{
    const struct strata_table *a = diff_cur_table(df, b->name);

    for (size_t i = 0; i < a->nchecks; i++) {
        if (diff_find_check(b, a->checks[i].name) != NULL)
            continue;
        diag_info(df->d, "autogenerate", "Detected removed check constraint '%s' on '%s'",
                  a->checks[i].name, b->name);
        diff_op_commit(df, diff_op_text(df, df->up, STRATA_OP_DROP_CONSTRAINT, b->name,
                                        a->checks[i].name, NULL));
        if (df->errors != 0)
            return;
        a = diff_cur_table(df, b->name);
        i--;
    }
    for (size_t i = 0; i < a->nindexes; i++) {
        const struct strata_index *ix = &a->indexes[i];
        const struct strata_index *now = strata_table_find_index(b, ix->name);

        if (now != NULL && same_index(now, ix))
            continue;
        log_index(df, "removed", ix);
        diff_op_commit(df, diff_op_push(df, df->up,
                                        ix->unique ? STRATA_OP_DROP_CONSTRAINT
                                                   : STRATA_OP_DROP_INDEX,
                                        b->name, ix->name));
        if (df->errors != 0)
            return;
        a = diff_cur_table(df, b->name);
        i--;
    }
}

/* Columns of `cur` that `b` does not have. */
static void drop_columns(struct differ *df, const struct strata_table *b)
{
    const struct strata_table *a = diff_cur_table(df, b->name);

    for (size_t i = 0; i < a->ncolumns; i++) {
        const char *name = a->columns[i].name;
        struct strata_opdef *op;

        if (strata_table_find_column(b, name) != NULL)
            continue;
        diag_warn(df->d, "autogenerate", "Detected removed column '%s.%s'", b->name, name);
        op = diff_op_push(df, df->up, STRATA_OP_DROP_COLUMN, b->name, name);
        diff_op_note(df, op, "destructive: drops column %s.%s and its data", b->name, name);
        diff_op_commit(df, op);
        if (df->errors != 0)
            return;
        a = diff_cur_table(df, b->name);
        i--;
    }
}

/* Columns of `b` that `cur` does not have, with their foreign key and unique index. */
static void add_columns(struct differ *df, const struct strata_table *b)
{
    for (size_t i = 0; i < b->ncolumns; i++) {
        const struct strata_column *c = &b->columns[i];
        const struct strata_foreign_key *fk = diff_column_fk(b, c->name);
        const struct strata_index *uq = column_unique(b, c->name);
        const char *backfill = c->nullable ? NULL : c->backfill;
        struct strata_opdef *op;

        if (strata_table_find_column(diff_cur_table(df, b->name), c->name) != NULL)
            continue;
        diag_info(df->d, "autogenerate", "Detected added column '%s.%s'", b->name, c->name);
        if (!c->nullable && c->default_value == NULL && c->default_sql == NULL &&
            backfill == NULL)
            located(df, &c->loc,
                    "column '%s.%s' is NOT NULL and the table may hold rows: " FILL_FIXES,
                    b->name, c->name);
        if (fk != NULL && strcmp(fk->ref_column, c->name) == 0 &&
            strcmp(fk->ref_table, b->name) == 0)
            fk = NULL; /* references itself: nothing to hold */
        if (fk != NULL && target_missing(df, fk)) {
            defer(df, b->name, fk, false);
            fk = NULL;
        }
        op = diff_op_add_column(df, df->up, b->name, c, fk, uq, backfill);
        if (uq != NULL && !c->nullable) {
            diag_warn(df->d, "autogenerate",
                      "Detected added unique column '%s.%s': existing rows all get the same "
                      "value",
                      b->name, c->name);
            diff_op_note(df, op,
                         "risky: existing rows all get the same value in unique column %s.%s; "
                         "fails if the table holds two rows or more",
                         b->name, c->name);
        }
        diff_op_commit(df, op);
    }
}

/* Decimal digits (with sign) an integer-family or boolean value may need; 0 otherwise. */
static int int_digits(enum strata_type_kind k)
{
    switch (k) {
    case STRATA_TYPE_BOOLEAN:
        return 1;
    case STRATA_TYPE_SMALLINT:
        return 6;
    case STRATA_TYPE_INTEGER:
        return 11;
    case STRATA_TYPE_BIGINT:
        return 20;
    default:
        return 0;
    }
}

/* See diff.h. */
bool diff_type_narrows(struct strata_type from, struct strata_type to)
{
    enum strata_type_kind f = from.kind;
    int digits = int_digits(f);

    if (f == to.kind && from.length == to.length && from.scale == to.scale)
        return false;
    switch (to.kind) {
    case STRATA_TYPE_TEXT:
        return f == STRATA_TYPE_BLOB;
    case STRATA_TYPE_BLOB:
        return false;
    case STRATA_TYPE_VARCHAR:
        if (f == STRATA_TYPE_VARCHAR)
            return to.length < from.length;
        if (f == STRATA_TYPE_UUID)
            return to.length < 36;
        return digits == 0 || to.length < digits;
    case STRATA_TYPE_SMALLINT:
    case STRATA_TYPE_INTEGER:
    case STRATA_TYPE_BIGINT:
        return digits == 0 || digits > int_digits(to.kind);
    case STRATA_TYPE_REAL:
        return !(f == STRATA_TYPE_BOOLEAN || f == STRATA_TYPE_SMALLINT);
    case STRATA_TYPE_DOUBLE:
        if (f == STRATA_TYPE_NUMERIC)
            return from.length > 15;
        return !(digits > 0 || f == STRATA_TYPE_REAL);
    case STRATA_TYPE_NUMERIC:
        if (f == STRATA_TYPE_NUMERIC)
            return to.scale < from.scale || to.length - to.scale < from.length - from.scale;
        /* the sign needs no digit of NUMERIC's precision */
        return digits == 0 || to.length - to.scale < (digits > 1 ? digits - 1 : 1);
    case STRATA_TYPE_DATETIME:
    case STRATA_TYPE_TIMESTAMP:
        return !(f == STRATA_TYPE_DATE || f == STRATA_TYPE_DATETIME ||
                 f == STRATA_TYPE_TIMESTAMP);
    default:
        return true;
    }
}

/* One alter_column when any of the column's own attributes changed. */
static void alter_column(struct differ *df, const char *table, const struct strata_column *b)
{
    const struct strata_column *a = strata_table_find_column(diff_cur_table(df, table), b->name);
    const char *backfill = NULL;
    struct strata_opdef *op;
    char ta[64], tb[64];
    bool narrows;

    if (a->type.kind == b->type.kind && a->type.length == b->type.length &&
        a->type.scale == b->type.scale && a->nullable == b->nullable &&
        a->autoincrement == b->autoincrement && strata_str_equal(a->default_value, b->default_value) &&
        strata_str_equal(a->default_sql, b->default_sql) && strata_str_equal(a->check, b->check) &&
        strata_str_equal(a->enum_values, b->enum_values) && strata_str_equal(a->comment, b->comment))
        return;
    strata_type_format(ta, sizeof(ta), a->type);
    strata_type_format(tb, sizeof(tb), b->type);
    narrows = diff_type_narrows(a->type, b->type);
    if (narrows)
        diag_warn(df->d, "autogenerate",
                  "Detected type change from %s to %s on '%s.%s': values that do not fit "
                  "fail the migration",
                  ta, tb, table, b->name);
    else if (strcmp(ta, tb) != 0)
        diag_info(df->d, "autogenerate", "Detected type change from %s to %s on '%s.%s'", ta,
                  tb, table, b->name);
    if (a->nullable && !b->nullable) {
        backfill = b->backfill ? b->backfill : b->default_value ? b->default_value : b->default_sql;
        diag_warn(df->d, "autogenerate", "Detected NOT NULL on column '%s.%s'", table, b->name);
        if (backfill == NULL)
            located(df, &b->loc,
                    "column '%s.%s' becomes NOT NULL and existing rows may hold NULLs: "
                    FILL_FIXES,
                    table, b->name);
    } else if (!a->nullable && b->nullable) {
        diag_info(df->d, "autogenerate", "Detected NULL on column '%s.%s'", table, b->name);
    }
#define CHANGED(field, what)                                                                  \
    if (!strata_str_equal(a->field, b->field))                                                        \
        diag_info(df->d, "autogenerate", "Detected changed " what " on '%s.%s': %s -> %s",   \
                  table, b->name, or_none(a->field), or_none(b->field));
    CHANGED(default_value, "default")
    CHANGED(default_sql, "default_sql")
    CHANGED(check, "check")
    CHANGED(enum_values, "enum values")
    CHANGED(comment, "comment")
#undef CHANGED
    if (a->autoincrement != b->autoincrement)
        diag_info(df->d, "autogenerate", "Detected changed autoincrement on '%s.%s': %s -> %s",
                  table, b->name, a->autoincrement ? "on" : "off", b->autoincrement ? "on" : "off");
    op = diff_op_alter_column(df, df->up, table, b, backfill);
    if (narrows)
        diff_op_note(df, op, "risky: narrows %s.%s from %s to %s; %s fail the migration", table,
                     b->name, ta, tb,
                     b->type.kind == STRATA_TYPE_VARCHAR ? "longer values"
                                                         : "values that do not fit");
    if (backfill != NULL)
        diff_op_note(df, op, "risky: makes %s.%s NOT NULL; existing NULLs become %s", table,
                     b->name, backfill);
    diff_op_commit(df, op);
}

/* New uniques and indexes, checks and foreign keys of `b` that `cur` does not have yet. */
static void create_constraints(struct differ *df, const struct strata_table *b)
{
    char cols[512];

    for (size_t i = 0; i < b->nindexes; i++) {
        const struct strata_index *ix = &b->indexes[i];
        struct strata_opdef *op;

        if (strata_table_find_index(diff_cur_table(df, b->name), ix->name) != NULL)
            continue;
        if (ix->unique)
            diag_warn(df->d, "autogenerate",
                      "Detected added unique constraint '%s' on %s: fails if existing rows "
                      "hold duplicates",
                      ix->name, column_list(cols, sizeof(cols), ix->columns, ix->ncolumns));
        else
            log_index(df, "added", ix);
        op = diff_op_index(df, df->up, b->name, ix);
        if (ix->unique)
            diff_op_note(df, op, "risky: adds unique constraint %s; fails if existing rows hold "
                                 "duplicates", ix->name);
        diff_op_commit(df, op);
    }
    for (size_t i = 0; i < b->nchecks; i++) {
        if (diff_find_check(diff_cur_table(df, b->name), b->checks[i].name) != NULL)
            continue;
        diag_info(df->d, "autogenerate", "Detected added check constraint '%s' on '%s': %s",
                  b->checks[i].name, b->name, b->checks[i].expr);
        diff_op_commit(df, diff_op_text(df, df->up, STRATA_OP_CREATE_CHECK, b->name,
                                        b->checks[i].name, b->checks[i].expr));
    }
    for (size_t i = 0; i < b->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &b->foreign_keys[i];

        if (diff_find_fk(diff_cur_table(df, b->name), fk->name) != NULL)
            continue;
        if (target_missing(df, fk)) {
            defer(df, b->name, fk, !was_changed(df, fk));
            continue;
        }
        if (!was_changed(df, fk))
            diag_info(df->d, "autogenerate",
                      "Detected added foreign key '%s' on '%s.%s' -> '%s.%s'", fk->name, b->name,
                      fk->column, fk->ref_table, fk->ref_column);
        diff_op_commit(df, diff_op_create_fk(df, df->up, b->name, fk));
    }
}

/*
 * A table on both sides (`cur` holds it under `b`'s name): removed checks, uniques and
 * indexes, removed columns, altered columns, added columns, the primary key, the
 * comment, new constraints. A primary key that stands in the way of a dropped column or
 * a column made nullable is dropped first and set last.
 */
static void diff_table(struct differ *df, const struct strata_table *b)
{
    const struct strata_table *a = diff_cur_table(df, b->name);
    bool pk_changed, early = false, survivors = false;
    char pa[256], pb[256];

    pk_changed = !strata_names_equal(a->primary_key, a->nprimary_key, b->primary_key, b->nprimary_key);
    if (pk_changed) {
        diag_info(df->d, "autogenerate", "Detected changed primary key of table '%s': %s -> %s",
                  b->name, column_list(pa, sizeof(pa), a->primary_key, a->nprimary_key),
                  column_list(pb, sizeof(pb), b->primary_key, b->nprimary_key));
        for (size_t i = 0; i < a->nprimary_key; i++) {
            const struct strata_column *c = strata_table_find_column(b, a->primary_key[i]);

            early = early || c == NULL || c->nullable;
        }
        if (early)
            diff_op_commit(df, diff_op_primary_key(df, df->up, b->name, NULL, 0));
    }
    drop_constraints(df, b);
    a = diff_cur_table(df, b->name);
    for (size_t i = 0; i < a->ncolumns; i++)
        survivors = survivors || strata_table_find_column(b, a->columns[i].name) != NULL;
    /* A table keeps at least one column: when none survives, add before dropping. */
    if (!survivors)
        add_columns(df, b);
    drop_columns(df, b);
    for (size_t i = 0; i < b->ncolumns; i++)
        if (strata_table_find_column(diff_cur_table(df, b->name), b->columns[i].name) != NULL)
            alter_column(df, b->name, &b->columns[i]);
    if (survivors)
        add_columns(df, b);
    if (pk_changed && !strata_names_equal(diff_cur_table(df, b->name)->primary_key,
                                  diff_cur_table(df, b->name)->nprimary_key, b->primary_key,
                                  b->nprimary_key))
        diff_op_commit(df, diff_op_primary_key(df, df->up, b->name, b->primary_key,
                                               b->nprimary_key));
    if (!strata_str_equal(diff_cur_table(df, b->name)->comment, b->comment)) {
        diag_info(df->d, "autogenerate", "Detected changed comment of table '%s'", b->name);
        diff_op_commit(df, diff_op_text(df, df->up, STRATA_OP_ALTER_TABLE_COMMENT, b->name, NULL,
                                        b->comment));
    }
    create_constraints(df, b);
}

/* ===== The pass ===== */

/* Appends the upgrade from `from` to `to` to df->up and the inverses to df->down. */
static void compute(struct differ *df, const struct strata_schema *from,
                    const struct strata_schema *to)
{
    size_t n = from->ntables + to->ntables + 1;
    long *src = calloc(to->ntables + 1, sizeof(long));
    bool *sel = calloc(n, sizeof(bool));
    size_t *order = calloc(n, sizeof(size_t)), count;

    if (src == NULL || sel == NULL || order == NULL) {
        diff_nomem(df);
        goto cleanup;
    }
    match_tables(df, from, to, src);
    for (size_t i = 0; i < to->ntables; i++)
        check_column_renames(df, src[i] >= 0 ? &from->tables[src[i]] : NULL, &to->tables[i]);
    if (df->errors != 0)
        goto cleanup;
    push_renames(df, from, to, src);
    create_tables(df, to, src, sel, order);
    for (size_t i = 0; i < to->ntables; i++)
        if (src[i] >= 0)
            drop_foreign_keys(df, &to->tables[i]);
    for (size_t i = 0; i < to->ntables; i++)
        sel[i] = src[i] >= 0;
    count = diff_order_parent_first(to, sel, order);
    for (size_t k = 0; k < count; k++)
        diff_table(df, &to->tables[order[k]]);
    for (size_t i = 0; i < df->ndeferred; i++) {
        const struct deferred *f = &df->deferred[i];

        if (f->log)
            diag_info(df->d, "autogenerate",
                      "Detected added foreign key '%s' on '%s.%s' -> '%s.%s'", f->fk->name,
                      f->table, f->fk->column, f->fk->ref_table, f->fk->ref_column);
        diff_op_commit(df, diff_op_create_fk(df, df->up, f->table, f->fk));
    }
    drop_tables(df, to, sel, order);
cleanup:
    free(src);
    free(sel);
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
    struct differ df;
    struct strata_schema *copy = NULL;
    int rc = -1;

    memset(&df, 0, sizeof(df));
    df.up = up;
    df.down = down;
    df.d = d;
    if ((df.cur = strata_schema_copy(from)) == NULL) {
        diff_nomem(&df);
        goto cleanup;
    }
    compute(&df, from, to);
    if (df.errors != 0)
        goto cleanup;
    diff_op_reverse_down(&df);
    if (df.errors != 0)
        goto cleanup;
    if ((copy = strata_schema_copy(from)) == NULL) {
        diff_nomem(&df);
        goto cleanup;
    }
    if (replay(copy, up, to, d) == 0 && replay(copy, down, from, d) == 0)
        rc = 0;
cleanup:
    strata_schema_free(copy);
    strata_schema_free(df.cur);
    free(df.starts);
    free(df.deferred);
    free(df.changed);
    return rc;
}
