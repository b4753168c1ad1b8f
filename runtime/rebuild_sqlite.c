/*
 * Running one revision on SQLite: native ALTER TABLE where the running SQLite can make
 * the change, the 12-step table rebuild of SQLite's ALTER TABLE documentation where it
 * cannot.
 *
 * The plan is made before anything runs, from the schema before the revision (replayed
 * by the driver) and the revision's operations, without touching the database. It
 * keeps two schemas: `target`, the operations applied with strata_schema_apply, and
 * `live`, what the database holds after the native statements planned so far (a native
 * rename does not regenerate constraint names as apply.c does). An operation SQLite
 * cannot do natively marks its table pending instead; later operations on a pending
 * table fold into it, and each pending table is rebuilt once, at the end of the
 * revision or before raw SQL or a hook (which may need the real shape). After a native
 * rename, a table whose live definition no longer equals the target (a generated
 * foreign key or check name that embeds the old name) becomes pending too, and changed
 * generated index names are dropped and recreated.
 *
 * A revision that rebuilds runs with foreign keys off (the driver asks plan_revision
 * before BEGIN), so dropping the old table cascades nothing into its children. Before
 * it changes anything it checks each pending table's live shape against the replayed
 * schema and records the foreign key violations already present; before COMMIT it
 * checks again and fails on the violations it introduced, naming the rows, and reports
 * the old ones as warnings.
 */
#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqltext.h"
#include "dialect_sqlite.h"
#include "error.h"
#include "introspect.h"
#include "offline.h"

unsigned long strata_sqlite_rebuild_count;

/* How many violating rows an error or warning names before "...". */
#define MAX_ROWS_NAMED 10

/* ===== The plan ===== */

/* Where a column of the rebuilt table takes its values from. */
struct colsrc {
    char *column;   /* the target column */
    char *source;   /* the live column, or NULL for a new column */
    char *backfill; /* SQL literal for NULLs and new rows, or NULL */
};

/* A table to rebuild. */
struct pending {
    char *name;   /* in the target schema */
    char *live;   /* in the database now */
    char *origin; /* in the schema before the revision; NULL when created by it */
    size_t op;    /* the operation that made it pending (for error messages) */
    struct colsrc *cols;
    size_t ncols;
};

enum step_kind { STEP_SQL, STEP_HOOK, STEP_REBUILD };

struct step {
    enum step_kind kind;
    size_t op; /* the operation it serves */
    char *sql;
    /* STEP_REBUILD: the tables, and the live and target schemas at that point */
    struct pending *tables;
    size_t ntables;
    struct strata_schema *live;
    struct strata_schema *target;
};

/* A table's name history within the revision, to find a pending table's origin. */
struct event {
    int created; /* 1: created `to`; 0: renamed `from` -> `to` */
    char *from;
    char *to;
};

struct plan {
    struct strata_arena arena;
    struct step *steps;
    size_t nsteps;
    bool rebuild;
    const struct strata_schema *before;
    struct strata_schema *live;
    struct strata_schema *target;
    struct pending *pending;
    size_t npending;
    struct event *events;
    size_t nevents;
    int version; /* the SQLite the plan is for (sqlite3_libversion_number's form) */
};

static void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++) {
        strata_schema_free(p->steps[i].live);
        strata_schema_free(p->steps[i].target);
    }
    strata_schema_free(p->live);
    strata_schema_free(p->target);
    strata_arena_free(&p->arena);
}

static int oom(struct strata_error *err)
{
    return strata_error_set(err, STRATA_ENOMEM, "out of memory");
}

static struct step *add_step(struct plan *p, enum step_kind kind, size_t op)
{
    struct step *s = strata_arena_push(&p->arena, &p->steps, &p->nsteps, sizeof(*p->steps));

    if (s != NULL) {
        s->kind = kind;
        s->op = op;
    }
    return s;
}

/* Adds a STEP_SQL running the text of `b` (nothing when `b` is empty). */
static int add_sql(struct plan *p, size_t op, struct strata_buf *b, struct strata_error *err)
{
    struct step *s;

    if (b->failed)
        return oom(err);
    if (b->len == 0)
        return 0;
    s = add_step(p, STEP_SQL, op);
    if (s == NULL || (s->sql = strata_arena_strdup(&p->arena, b->data)) == NULL)
        return oom(err);
    return 0;
}

static struct pending *find_pending(struct plan *p, const char *name)
{
    for (size_t i = 0; i < p->npending; i++)
        if (strcmp(p->pending[i].name, name) == 0)
            return &p->pending[i];
    return NULL;
}

static struct colsrc *find_col(const struct pending *t, const char *column)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].column, column) == 0)
            return &t->cols[i];
    return NULL;
}

/* The name `name` had in the schema before the revision, or NULL if it was created. */
static const char *origin_of(const struct plan *p, const char *name)
{
    for (size_t i = p->nevents; i-- > 0;) {
        const struct event *e = &p->events[i];

        if (strcmp(e->to, name) != 0)
            continue;
        if (e->created)
            return NULL;
        name = e->from;
    }
    return strata_schema_find_table(p->before, name) != NULL ? name : NULL;
}

static int add_event(struct plan *p, int created, const char *from, const char *to,
                     struct strata_error *err)
{
    struct event *e = strata_arena_push(&p->arena, &p->events, &p->nevents, sizeof(*e));

    if (e == NULL)
        return oom(err);
    e->created = created;
    e->from = strata_arena_strdup(&p->arena, from);
    e->to = strata_arena_strdup(&p->arena, to);
    if ((from != NULL && e->from == NULL) || e->to == NULL)
        return oom(err);
    return 0;
}

/*
 * Marks table `name` (the same in live and target) for a rebuild, each column taking
 * the live column of its name. Returns the entry, or NULL when out of memory.
 */
static struct pending *mark_pending(struct plan *p, const char *name, size_t op)
{
    struct pending *t = find_pending(p, name);
    const struct strata_table *live;
    const char *origin;

    if (t != NULL)
        return t;
    live = strata_schema_find_table(p->live, name);
    assert(live != NULL);
    origin = origin_of(p, name);
    t = strata_arena_push(&p->arena, &p->pending, &p->npending, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->name = strata_arena_strdup(&p->arena, name);
    t->live = strata_arena_strdup(&p->arena, name);
    t->origin = strata_arena_strdup(&p->arena, origin);
    t->op = op;
    if (t->name == NULL || t->live == NULL || (origin != NULL && t->origin == NULL))
        return NULL;
    for (size_t i = 0; i < live->ncolumns; i++) {
        struct colsrc *c = strata_arena_push(&p->arena, &t->cols, &t->ncols, sizeof(*c));

        if (c == NULL)
            return NULL;
        c->column = strata_arena_strdup(&p->arena, live->columns[i].name);
        c->source = c->column;
        if (c->column == NULL)
            return NULL;
    }
    p->rebuild = true;
    return t;
}

/* Replaces live table `old` by a copy of target table `name`. */
static int replace_live(struct plan *p, const char *old, const char *name)
{
    struct strata_table *t = strata_schema_find_table(p->live, old);
    const struct strata_table *src = strata_schema_find_table(p->target, name);
    struct strata_table *copy;

    assert(t != NULL && src != NULL);
    strata_schema_remove_table(p->live, t);
    copy = strata_schema_add_table(p->live, name);
    if (copy == NULL || strata_table_copy(&p->live->arena, copy, src) != 0)
        return STRATA_ENOMEM;
    return 0;
}

/* Rebuilds every pending table now: one STEP_REBUILD, after which live equals target. */
static int flush(struct plan *p, size_t op, struct strata_error *err)
{
    struct step *s;

    if (p->npending == 0)
        return 0;
    s = add_step(p, STEP_REBUILD, op);
    if (s == NULL)
        return oom(err);
    s->tables = p->pending;
    s->ntables = p->npending;
    s->live = strata_schema_copy(p->live);
    s->target = strata_schema_copy(p->target);
    if (s->live == NULL || s->target == NULL)
        return oom(err);
    for (size_t i = 0; i < p->npending; i++)
        if (replace_live(p, p->pending[i].live, p->pending[i].name) != 0)
            return oom(err);
    p->pending = NULL;
    p->npending = 0;
    return 0;
}

/* ---- the live schema after a native rename ---- */

static int dup_into(struct strata_arena *a, char **dst, const char *src)
{
    char *copy = strata_arena_strdup(a, src);

    if (copy == NULL)
        return STRATA_ENOMEM;
    *dst = copy;
    return 0;
}

/*
 * What ALTER TABLE RENAME TO does to the live schema: the table's name and the
 * references of every foreign key to it change; no constraint or index name does.
 */
static int live_rename_table(struct strata_schema *s, const char *from, const char *to)
{
    struct strata_arena *a = &s->arena;
    struct strata_table *t = strata_schema_find_table(s, from);

    assert(t != NULL);
    for (size_t u = 0; u < s->ntables; u++)
        for (size_t k = 0; k < s->tables[u].nforeign_keys; k++)
            if (strcmp(s->tables[u].foreign_keys[k].ref_table, from) == 0 &&
                dup_into(a, &s->tables[u].foreign_keys[k].ref_table, to) != 0)
                return STRATA_ENOMEM;
    return strata_schema_rename_table(s, t, to);
}

/* What ALTER TABLE RENAME COLUMN does: every use of the column follows, no name does. */
static int live_rename_column(struct strata_schema *s, const char *table, const char *from,
                              const char *to)
{
    struct strata_arena *a = &s->arena;
    struct strata_table *t = strata_schema_find_table(s, table);
    struct strata_column *c = t ? strata_table_find_column(t, from) : NULL;

    assert(c != NULL);
    if (dup_into(a, &c->name, to) != 0)
        return STRATA_ENOMEM;
    for (size_t k = 0; k < t->nprimary_key; k++)
        if (strcmp(t->primary_key[k], from) == 0 && dup_into(a, &t->primary_key[k], to) != 0)
            return STRATA_ENOMEM;
    for (size_t i = 0; i < t->nindexes; i++)
        for (size_t k = 0; k < t->indexes[i].ncolumns; k++)
            if (strcmp(t->indexes[i].columns[k], from) == 0 &&
                dup_into(a, &t->indexes[i].columns[k], to) != 0)
                return STRATA_ENOMEM;
    for (size_t k = 0; k < t->nforeign_keys; k++)
        if (strcmp(t->foreign_keys[k].column, from) == 0 &&
            dup_into(a, &t->foreign_keys[k].column, to) != 0)
            return STRATA_ENOMEM;
    for (size_t u = 0; u < s->ntables; u++)
        for (size_t k = 0; k < s->tables[u].nforeign_keys; k++) {
            struct strata_foreign_key *fk = &s->tables[u].foreign_keys[k];

            if (strcmp(fk->ref_table, table) == 0 && strcmp(fk->ref_column, from) == 0 &&
                dup_into(a, &fk->ref_column, to) != 0)
                return STRATA_ENOMEM;
        }
    return 0;
}

/* Whether two indexes are the same (name, uniqueness, columns). */
static bool same_index(const struct strata_index *x, const struct strata_index *y)
{
    if (strcmp(x->name, y->name) != 0 || x->unique != y->unique || x->ncolumns != y->ncolumns)
        return false;
    for (size_t k = 0; k < x->ncolumns; k++)
        if (strcmp(x->columns[k], y->columns[k]) != 0)
            return false;
    return true;
}

/* Whether two tables are equal by strata_schema_diff_first's rules. */
static int tables_differ(const struct strata_table *x, const struct strata_table *y,
                         bool *out)
{
    struct strata_schema *a = strata_schema_new(), *b = strata_schema_new();
    struct strata_table *ta = a ? strata_schema_add_table(a, x->name) : NULL;
    struct strata_table *tb = b ? strata_schema_add_table(b, y->name) : NULL;
    char what[256];
    int rc = STRATA_ENOMEM;

    if (ta != NULL && tb != NULL && strata_table_copy(&a->arena, ta, x) == 0 &&
        strata_table_copy(&b->arena, tb, y) == 0) {
        *out = strata_schema_diff_first(a, b, what, sizeof(what)) != 0;
        rc = 0;
    }
    strata_schema_free(a);
    strata_schema_free(b);
    return rc;
}

/*
 * Drops and creates the indexes of live table `name` that differ from the target's
 * (generated names that followed a rename), then takes the target's definition.
 */
static int reconcile(struct plan *p, size_t op, const char *name, struct strata_error *err)
{
    struct strata_table *live = strata_schema_find_table(p->live, name);
    const struct strata_table *target = strata_schema_find_table(p->target, name);
    struct strata_buf b = { 0 };
    int rc;

    for (size_t i = 0; i < live->nindexes; i++) {
        const struct strata_index *ix = &live->indexes[i];
        const struct strata_index *want = strata_table_find_index(target, ix->name);

        if (want != NULL && same_index(ix, want))
            continue;
        strata_buf_append(&b, "DROP INDEX ");
        strata_sql_quote_ident(&b, ix->name);
        strata_buf_append(&b, ";\n");
    }
    for (size_t i = 0; i < target->nindexes; i++) {
        const struct strata_index *ix = &target->indexes[i];
        const struct strata_index *have = strata_table_find_index(live, ix->name);

        if (have == NULL || !same_index(ix, have))
            strata_sqlite_render_index(&b, name, ix);
    }
    rc = add_sql(p, op, &b, err);
    strata_buf_free(&b);
    if (rc != 0)
        return rc;
    /* settle() found the rest equal: the live table is now the target's. */
    return replace_live(p, name, name) != 0 ? oom(err) : 0;
}

/*
 * After a native rename: brings live table `name` in line with the target. When only
 * index names differ they are fixed natively (reconcile); any other difference, such as
 * a generated foreign key or check name embedded in the table's text, makes the table
 * pending, and the rebuild writes it anew.
 */
static int settle(struct plan *p, size_t op, const char *name, struct strata_error *err)
{
    struct strata_table *live = strata_schema_find_table(p->live, name);
    const struct strata_table *target = strata_schema_find_table(p->target, name);
    struct strata_table copy;
    bool differ = false;

    if (live == NULL || target == NULL || find_pending(p, name) != NULL)
        return 0;
    /* Compare everything but the indexes, which reconcile() fixes natively. */
    copy = *live;
    copy.indexes = target->indexes;
    copy.nindexes = target->nindexes;
    if (tables_differ(&copy, target, &differ) != 0)
        return oom(err);
    if (differ)
        return mark_pending(p, name, op) != NULL ? 0 : oom(err);
    return reconcile(p, op, name, err);
}

/* ---- deciding, operation by operation ---- */

/* Whether `value` is a SQL literal other than NULL. */
static bool non_null_literal(const char *value)
{
    return value != NULL && strcmp(value, "NULL") != 0 && strcmp(value, "null") != 0;
}

/*
 * SQLite adds a column natively unless it is a primary key, has an expression default,
 * is NOT NULL without a non-NULL constant default, or references a table with a
 * non-NULL default (ALTER TABLE's documented limits).
 */
static bool can_add_natively(const struct strata_opdef *op)
{
    const struct strata_column *c = &op->def->columns[0];

    if (op->def->nprimary_key > 0 || c->default_sql != NULL)
        return false;
    if (!c->nullable && !non_null_literal(c->default_value))
        return false;
    if (op->def->nforeign_keys > 0 && (c->default_value != NULL || !c->nullable))
        return false;
    return true;
}

/* Whether a table's own or another table's foreign key uses column `table`.`column`. */
static bool column_in_foreign_key(const struct strata_schema *s, const char *table,
                                  const char *column)
{
    for (size_t u = 0; u < s->ntables; u++) {
        const struct strata_table *t = &s->tables[u];

        for (size_t k = 0; k < t->nforeign_keys; k++) {
            const struct strata_foreign_key *fk = &t->foreign_keys[k];

            if (strcmp(t->name, table) == 0 && strcmp(fk->column, column) == 0)
                return true;
            if (strcmp(fk->ref_table, table) == 0 && strcmp(fk->ref_column, column) == 0)
                return true;
        }
    }
    return false;
}

/*
 * SQLite drops a column natively from 3.35.0 unless it is in the primary key, an
 * index, a foreign key, or a table CHECK (the column's own checks go with it).
 */
static bool can_drop_natively(const struct strata_schema *live, int version, const char *table,
                              const char *column)
{
    const struct strata_table *t = strata_schema_find_table(live, table);

    if (version < STRATA_SQLITE_DROP_COLUMN_VERSION || t == NULL)
        return false;
    for (size_t k = 0; k < t->nprimary_key; k++)
        if (strcmp(t->primary_key[k], column) == 0)
            return false;
    for (size_t i = 0; i < t->nindexes; i++)
        for (size_t k = 0; k < t->indexes[i].ncolumns; k++)
            if (strcmp(t->indexes[i].columns[k], column) == 0)
                return false;
    for (size_t i = 0; i < t->nchecks; i++)
        if (strstr(t->checks[i].expr, column) != NULL)
            return false;
    return !column_in_foreign_key(live, table, column);
}

/* Records a change folded into pending table `t` (already applied to the target). */
static int fold(struct plan *p, struct pending *t, const struct strata_opdef *op)
{
    struct colsrc *c;

    switch (op->kind) {
    case STRATA_OP_ADD_COLUMN:
        c = strata_arena_push(&p->arena, &t->cols, &t->ncols, sizeof(*c));
        if (c == NULL || (c->column = strata_arena_strdup(&p->arena, op->name)) == NULL)
            return STRATA_ENOMEM;
        c->backfill = op->def->columns[0].backfill;
        break;
    case STRATA_OP_DROP_COLUMN:
        c = find_col(t, op->name);
        if (c != NULL)
            strata_array_remove(&t->cols, &t->ncols, sizeof(*c), (size_t)(c - t->cols));
        break;
    case STRATA_OP_RENAME_COLUMN:
        c = find_col(t, op->name);
        if (c != NULL && (c->column = strata_arena_strdup(&p->arena, op->new_name)) == NULL)
            return STRATA_ENOMEM;
        break;
    case STRATA_OP_ALTER_COLUMN:
        c = find_col(t, op->name);
        if (c != NULL && op->def->columns[0].backfill != NULL)
            c->backfill = op->def->columns[0].backfill;
        break;
    default:
        break;
    }
    return 0;
}

/* Renders `op` natively into a STEP_SQL and applies it to the live schema. */
static int native(struct plan *p, size_t k, const struct strata_opdef *op,
                  struct strata_error *err)
{
    struct strata_buf b = { 0 };
    struct strata_error local = { 0 };
    int rc;

    if (op->kind == STRATA_OP_DROP_CONSTRAINT) {
        strata_buf_append(&b, "DROP INDEX ");
        strata_sql_quote_ident(&b, op->name);
        strata_buf_append(&b, ";\n");
    } else {
        rc = strata_sqlite_render_op(&b, op, err);
        if (rc != 0)
            goto cleanup;
    }
    if (op->kind == STRATA_OP_ADD_COLUMN && op->def->columns[0].backfill != NULL) {
        strata_buf_append(&b, "UPDATE ");
        strata_sql_quote_ident(&b, op->table);
        strata_buf_append(&b, " SET ");
        strata_sql_quote_ident(&b, op->name);
        strata_buf_printf(&b, " = %s;\n", op->def->columns[0].backfill);
    }
    rc = add_sql(p, k, &b, err);
    if (rc != 0)
        goto cleanup;
    /* The live renames change tables as strata_schema_apply would: own them first. */
    rc = strata_schema_own_for(p->live, op);
    if (rc != 0)
        goto cleanup;
    switch (op->kind) {
    case STRATA_OP_RENAME_TABLE:
        rc = live_rename_table(p->live, op->table, op->new_name);
        break;
    case STRATA_OP_RENAME_COLUMN:
        rc = live_rename_column(p->live, op->table, op->name, op->new_name);
        break;
    default:
        rc = strata_schema_apply(p->live, op, &local);
        if (rc != 0)
            rc = strata_error_set(err, rc, "%s", local.message);
        break;
    }
    if (rc == STRATA_ENOMEM)
        rc = oom(err);
cleanup:
    strata_buf_free(&b);
    return rc;
}

/* Plans operation `k`: a native statement, a fold into a pending table, or a flush. */
static int plan_op(struct plan *p, size_t k, const struct strata_opdef *op,
                   struct strata_error *err)
{
    struct strata_error local = { 0 };
    struct strata_buf b = { 0 };
    struct pending *t = NULL;
    struct step *s;
    int rc;

    if (op->kind == STRATA_OP_EXECUTE || op->kind == STRATA_OP_HOOK) {
        /* Opaque to the plan: the tables must have their real shape first. */
        rc = flush(p, k, err);
        if (rc != 0)
            return rc;
        if (op->kind == STRATA_OP_HOOK) {
            s = add_step(p, STEP_HOOK, k);
            return s != NULL ? 0 : oom(err);
        }
        rc = strata_sqlite_render_op(&b, op, err);
        if (rc == 0)
            rc = add_sql(p, k, &b, err);
        strata_buf_free(&b);
        return rc;
    }
    rc = strata_schema_apply(p->target, op, &local);
    if (rc != 0)
        return strata_error_set(err, rc, "%s", local.message);
    if (op->table != NULL)
        t = find_pending(p, op->table);
    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
        rc = native(p, k, op, err);
        return rc != 0 ? rc : add_event(p, 1, NULL, op->def->name, err);
    case STRATA_OP_DROP_TABLE:
        if (t != NULL)
            strata_array_remove(&p->pending, &p->npending, sizeof(*t), (size_t)(t - p->pending));
        return native(p, k, op, err);
    case STRATA_OP_RENAME_TABLE:
        rc = native(p, k, op, err);
        if (rc == 0)
            rc = add_event(p, 0, op->table, op->new_name, err);
        if (rc != 0)
            return rc;
        if (t != NULL) {
            t->name = strata_arena_strdup(&p->arena, op->new_name);
            t->live = t->name;
            if (t->name == NULL)
                return oom(err);
        }
        rc = settle(p, k, op->new_name, err);
        for (size_t u = 0; rc == 0 && u < p->target->ntables; u++) {
            const struct strata_table *child = &p->target->tables[u];

            for (size_t f = 0; rc == 0 && f < child->nforeign_keys; f++)
                if (strcmp(child->foreign_keys[f].ref_table, op->new_name) == 0 &&
                    strcmp(child->name, op->new_name) != 0)
                    rc = settle(p, k, child->name, err);
        }
        return rc;
    case STRATA_OP_RENAME_COLUMN:
        if (t == NULL && p->version >= STRATA_SQLITE_RENAME_COLUMN_VERSION) {
            rc = native(p, k, op, err);
            return rc != 0 ? rc : settle(p, k, op->table, err);
        }
        break;
    case STRATA_OP_ADD_COLUMN:
        if (t == NULL && can_add_natively(op))
            return native(p, k, op, err);
        break;
    case STRATA_OP_DROP_COLUMN:
        if (t == NULL && can_drop_natively(p->live, p->version, op->table, op->name))
            return native(p, k, op, err);
        break;
    case STRATA_OP_CREATE_INDEX:
    case STRATA_OP_DROP_INDEX:
        if (t == NULL)
            return native(p, k, op, err);
        return 0; /* the rebuild creates the target's indexes */
    case STRATA_OP_DROP_CONSTRAINT:
        if (t == NULL) {
            const struct strata_table *live = strata_schema_find_table(p->live, op->table);
            const struct strata_index *ix = live ? strata_table_find_index(live, op->name) : NULL;

            if (ix != NULL && ix->unique)
                return native(p, k, op, err);
        }
        break;
    default:
        break;
    }
    if (t == NULL && (t = mark_pending(p, op->table, k)) == NULL)
        return oom(err);
    return fold(p, t, op) != 0 ? oom(err) : 0;
}

/*
 * Plans the revision into `p` (zeroed). On error *failed is the index of the operation
 * that does not fit; the caller frees `p` either way.
 */
static int plan_build(struct plan *p, const struct strata_schema *before,
                      const struct strata_oplist *ops, size_t *failed, struct strata_error *err)
{
    int rc;

    *failed = (size_t)-1;
    if (p->version == 0)
        p->version = sqlite3_libversion_number();
    p->before = before;
    /* Working copies for the plan's lifetime, which `before` outlives. */
    p->live = strata_schema_copy_shared(before);
    p->target = strata_schema_copy_shared(before);
    if (p->live == NULL || p->target == NULL)
        return oom(err);
    for (size_t k = 0; k < ops->nops; k++) {
        rc = plan_op(p, k, &ops->ops[k], err);
        if (rc != 0) {
            *failed = k;
            return rc;
        }
    }
    return flush(p, ops->nops, err);
}

int strata_sqlite_plan_revision(const struct strata_schema *before, const struct strata_oplist *ops,
                                bool *rebuild, void **plan, struct strata_error *err)
{
    struct plan *p = calloc(1, sizeof(*p));
    size_t failed;
    int rc;

    *rebuild = false;
    *plan = NULL;
    if (p == NULL)
        return oom(err);
    rc = plan_build(p, before, ops, &failed, err);
    if (rc != 0) {
        strata_sqlite_plan_free(p);
        return rc;
    }
    *rebuild = p->rebuild;
    *plan = p;
    return 0;
}

void strata_sqlite_plan_free(void *plan)
{
    if (plan == NULL)
        return;
    plan_free(plan);
    free(plan);
}

/* ===== Running ===== */

/* One row of a query: up to three text columns. */
struct row {
    char *v[3];
};

/*
 * Runs `sql` (binding `bind` to ?1 when not NULL) and collects the first `ncols` text
 * columns of every row into arena `a`.
 */
static int collect(sqlite3 *db, struct strata_arena *a, const char *sql, const char *bind,
                   int ncols, struct row **rows, size_t *nrows, struct strata_error *err)
{
    sqlite3_stmt *st = NULL;
    int step, rc = 0;

    *rows = NULL;
    *nrows = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        (bind != NULL && sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC) != SQLITE_OK)) {
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
        goto cleanup;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct row *r = strata_arena_push(a, rows, nrows, sizeof(**rows));

        if (r == NULL) {
            rc = oom(err);
            goto cleanup;
        }
        for (int i = 0; i < ncols; i++) {
            const char *text = (const char *)sqlite3_column_text(st, i);

            if (text != NULL && (r->v[i] = strata_arena_strdup(a, text)) == NULL) {
                rc = oom(err);
                goto cleanup;
            }
        }
    }
    if (step != SQLITE_DONE)
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
cleanup:
    sqlite3_finalize(st);
    return rc;
}

/*
 * Checks that the database's table `origin` has the shape the replayed schema gives it
 * (columns, types, nullability, defaults, primary key, foreign keys, checks; indexes
 * are recreated from the target either way). STRATA_EMIGRATION names the first
 * difference.
 */
static int check_shape(sqlite3 *db, const struct strata_schema *before, const char *origin,
                       struct strata_error *err)
{
    struct strata_schema *live = NULL, *want = strata_schema_new();
    struct strata_error local = { 0 };
    struct strata_table *t;
    char what[256];
    int rc;

    if (want == NULL)
        return oom(err);
    rc = strata_introspect_table(db, origin, &live, &local);
    if (rc == STRATA_ENOTFOUND) {
        rc = strata_error_set(err, STRATA_EMIGRATION,
                              "table %s is missing from the database, which does not have the "
                              "schema this revision starts from; nothing was changed",
                              origin);
        goto cleanup;
    }
    if (rc != 0) {
        rc = strata_error_set(err, rc, "%s", local.message);
        goto cleanup;
    }
    t = strata_schema_add_table(want, origin);
    if (t == NULL ||
        strata_table_copy(&want->arena, t, strata_schema_find_table(before, origin)) != 0) {
        rc = oom(err);
        goto cleanup;
    }
    t->nindexes = 0;
    live->tables[0].nindexes = 0;
    if (strata_schema_diff_first(want, live, what, sizeof(what)) != 0)
        rc = strata_error_set(err, STRATA_EMIGRATION,
                              "the database does not have the schema this revision starts "
                              "from (%s); nothing was changed",
                              what);
cleanup:
    strata_schema_free(live);
    strata_schema_free(want);
    return rc;
}

#define FK_ROWS "SELECT \"table\" AS tbl, rowid AS rid, parent FROM pragma_foreign_key_check"

/* Records the foreign key violations present before the revision changes anything. */
static int fk_snapshot(sqlite3 *db, struct strata_error *err)
{
    return strata_sqlite_exec(db,
                              "DROP TABLE IF EXISTS temp.strata_fk_before;\n"
                              "CREATE TEMP TABLE strata_fk_before AS " FK_ROWS ";\n",
                              err);
}

/* Appends `table rowid N (-> parent)` for up to MAX_ROWS_NAMED rows, then `...`. */
static void name_rows(struct strata_buf *b, const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n && i < MAX_ROWS_NAMED; i++)
        strata_buf_printf(b, "%s%s rowid %s (-> %s)", i > 0 ? ", " : "",
                          rows[i].v[0] ? rows[i].v[0] : "?", rows[i].v[1] ? rows[i].v[1] : "?",
                          rows[i].v[2] ? rows[i].v[2] : "?");
    if (n > MAX_ROWS_NAMED)
        strata_buf_printf(b, ", ... (%zu rows)", n);
}

/*
 * Runs PRAGMA foreign_key_check again: violations that were not there before fail the
 * revision, naming the rows; those that were are reported through run->warn.
 */
static int fk_verify(sqlite3 *db, struct strata_run *run, struct strata_error *err)
{
    struct strata_arena a = { 0 };
    struct strata_buf b = { 0 };
    struct row *rows;
    size_t n;
    int rc;

    rc = collect(db, &a, FK_ROWS " EXCEPT SELECT tbl, rid, parent FROM temp.strata_fk_before "
                         "ORDER BY 1, 2",
                 NULL, 3, &rows, &n, err);
    if (rc != 0)
        goto cleanup;
    if (n > 0) {
        name_rows(&b, rows, n);
        rc = strata_error_set(err, STRATA_EMIGRATION,
                              "foreign key check failed: the revision would leave rows that "
                              "reference missing rows: %s; nothing was changed",
                              b.failed ? "" : b.data);
        goto cleanup;
    }
    rc = collect(db, &a, FK_ROWS " INTERSECT SELECT tbl, rid, parent FROM temp.strata_fk_before "
                         "ORDER BY 1, 2",
                 NULL, 3, &rows, &n, err);
    if (rc != 0)
        goto cleanup;
    for (size_t i = 0; i < n && run != NULL && run->warn != NULL; i++) {
        char line[512];

        if (i == MAX_ROWS_NAMED) {
            snprintf(line, sizeof(line),
                     "... and %zu more rows that already referenced missing rows",
                     n - MAX_ROWS_NAMED);
            run->warn(run->ctx, line);
            break;
        }
        snprintf(line, sizeof(line),
                 "table %s rowid %s references a missing row of %s (it already did before "
                 "this revision; left as it was)",
                 rows[i].v[0] ? rows[i].v[0] : "?", rows[i].v[1] ? rows[i].v[1] : "?",
                 rows[i].v[2] ? rows[i].v[2] : "?");
        run->warn(run->ctx, line);
    }
    rc = strata_sqlite_exec(db, "DROP TABLE temp.strata_fk_before", err);
cleanup:
    strata_buf_free(&b);
    strata_arena_free(&a);
    return rc;
}

/* Whether `name` is an index of `t`. */
static bool has_index(const struct strata_table *t, const char *name)
{
    return t != NULL && strata_table_find_index(t, name) != NULL;
}

/*
 * Appends the copy of every row: `INSERT INTO tmp (cols) SELECT exprs FROM live;`.
 * Renamed columns take their old column, new ones their backfill (or their default, by
 * leaving them out), a column that became NOT NULL takes COALESCE(old, backfill). Types
 * convert through the new column's affinity, which SQLite applies only when lossless (an
 * explicit CAST would turn 'abc' into 0). Rowids are kept, so row identities (and the
 * foreign key check's rowids) survive.
 */
static void render_copy(struct strata_buf *b, const struct pending *t,
                        const struct strata_table *target, const char *tmp)
{
    const struct strata_column *alias = strata_sqlite_rowid_column(target);
    struct strata_buf cols = { 0 }, exprs = { 0 };
    const char *sep = "";

    if (alias == NULL) {
        strata_buf_append(&cols, "rowid");
        strata_buf_append(&exprs, "rowid");
        sep = ", ";
    }
    for (size_t i = 0; i < target->ncolumns; i++) {
        const struct strata_column *c = &target->columns[i];
        const struct colsrc *src = find_col(t, c->name);
        const char *backfill = src != NULL ? src->backfill : NULL;

        if (src != NULL && src->source != NULL) {
            strata_buf_append(&cols, sep);
            strata_sql_quote_ident(&cols, c->name);
            strata_buf_append(&exprs, sep);
            if (backfill != NULL && !c->nullable) {
                strata_buf_append(&exprs, "COALESCE(");
                strata_sql_quote_ident(&exprs, src->source);
                strata_buf_printf(&exprs, ", %s)", backfill);
            } else {
                strata_sql_quote_ident(&exprs, src->source);
            }
        } else if (backfill != NULL || c == alias) {
            strata_buf_append(&cols, sep);
            strata_sql_quote_ident(&cols, c->name);
            strata_buf_append(&exprs, sep);
            strata_buf_append(&exprs, backfill != NULL ? backfill : "rowid");
        } else {
            continue; /* a new column: its default */
        }
        sep = ", ";
    }
    strata_buf_append(b, "INSERT INTO ");
    strata_sql_quote_ident(b, tmp);
    strata_buf_printf(b, " (%s) SELECT %s FROM ", cols.data ? cols.data : "",
                      exprs.data ? exprs.data : "");
    strata_sql_quote_ident(b, t->live);
    strata_buf_append(b, ";\n");
    if (cols.failed || exprs.failed)
        b->failed = 1;
    strata_buf_free(&cols);
    strata_buf_free(&exprs);
}

/* Reads `PRAGMA legacy_alter_table` (0 or 1). */
static int legacy_alter_table(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int on = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA legacy_alter_table", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        on = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return on;
}

/* Runs saved `CREATE ...` statements; a failure names what could not be recreated. */
static int recreate(sqlite3 *db, const struct row *rows, size_t n, const char *what,
                    const char *table, struct strata_error *err)
{
    struct strata_error local = { 0 };

    for (size_t i = 0; i < n; i++) {
        if (rows[i].v[1] == NULL)
            continue;
        if (strata_sqlite_exec(db, rows[i].v[1], &local) != 0)
            return strata_error_set(err, STRATA_EMIGRATION,
                                    "cannot recreate %s %s after rebuilding %s: %s", what,
                                    rows[i].v[0] ? rows[i].v[0] : "?", table, local.message);
    }
    return 0;
}

/*
 * Appends the statements that rebuild one table from the plan's step `s`: the new table
 * under a temporary name from the target definition, the copy of every row, the drop of
 * the old table, the rename with legacy_alter_table on (restored to `legacy` after), and
 * the target's indexes. Online and offline runs render the same text.
 */
static int render_rebuild(struct strata_buf *b, const struct step *s, const struct pending *t,
                          int legacy, struct strata_error *err)
{
    const struct strata_table *target = strata_schema_find_table(s->target, t->name);
    struct strata_buf tmp = { 0 };
    int rc;

    assert(target != NULL);
    strata_buf_printf(&tmp, "strata_rebuild_%s", t->name);
    if (tmp.failed) {
        rc = oom(err);
        goto cleanup;
    }
    rc = strata_sqlite_render_table(b, target, tmp.data, false, err);
    if (rc != 0)
        goto cleanup;
    render_copy(b, t, target, tmp.data);
    strata_buf_append(b, "DROP TABLE ");
    strata_sql_quote_ident(b, t->live);
    strata_buf_append(b, ";\nPRAGMA legacy_alter_table=ON;\nALTER TABLE ");
    strata_sql_quote_ident(b, tmp.data);
    strata_buf_append(b, " RENAME TO ");
    strata_sql_quote_ident(b, t->name);
    strata_buf_printf(b, ";\nPRAGMA legacy_alter_table=%s;\n", legacy ? "ON" : "OFF");
    for (size_t i = 0; i < target->nindexes; i++)
        strata_sqlite_render_index(b, t->name, &target->indexes[i]);
    if (b->failed)
        rc = oom(err);
cleanup:
    strata_buf_free(&tmp);
    return rc;
}

/*
 * Rebuilds one table (steps 4-10 of SQLite's procedure): saves its triggers and extra
 * indexes, creates the new table under a temporary name from the target definition,
 * copies every row, drops the old table, renames the new one with legacy_alter_table
 * on (so nothing else is rewritten or checked), and recreates indexes and triggers.
 */
static int rebuild_one(sqlite3 *db, const struct step *s, const struct pending *t,
                       struct strata_error *err)
{
    const struct strata_table *live = strata_schema_find_table(s->live, t->live);
    const struct strata_table *target = strata_schema_find_table(s->target, t->name);
    struct strata_arena a = { 0 };
    struct strata_buf b = { 0 };
    struct row *triggers, *indexes;
    size_t ntriggers, nindexes;
    int legacy = legacy_alter_table(db);
    int rc;

    assert(live != NULL && target != NULL);
    rc = collect(db, &a,
                 "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 "
                 "ORDER BY rowid",
                 t->live, 2, &triggers, &ntriggers, err);
    if (rc == 0)
        rc = collect(db, &a,
                     "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
                     "tbl_name = ?1 AND sql IS NOT NULL ORDER BY rowid",
                     t->live, 2, &indexes, &nindexes, err);
    if (rc != 0)
        goto cleanup;
    /* Indexes strata knows are created from the target; only foreign ones are kept. */
    for (size_t i = 0; i < nindexes; i++)
        if (has_index(live, indexes[i].v[0]) || has_index(target, indexes[i].v[0]))
            indexes[i].v[1] = NULL;
    rc = render_rebuild(&b, s, t, legacy, err);
    if (rc != 0)
        goto cleanup;
    rc = strata_sqlite_exec(db, b.data, err);
    if (rc != 0) {
        if (!legacy)
            sqlite3_exec(db, "PRAGMA legacy_alter_table=OFF", NULL, NULL, NULL);
        strata_error_set(err, rc, "rebuilding table %s", t->name);
        goto cleanup;
    }
    strata_sqlite_rebuild_count++;
    rc = recreate(db, indexes, nindexes, "index", t->name, err);
    if (rc == 0)
        rc = recreate(db, triggers, ntriggers, "trigger", t->name, err);
cleanup:
    strata_buf_free(&b);
    strata_arena_free(&a);
    return rc;
}

/*
 * Rebuilds the tables of a STEP_REBUILD. Every view (and the triggers on views) is
 * saved and dropped first and recreated last, so a view reading a rebuilt table sees
 * the new one, and one that no longer fits fails loudly instead of breaking later.
 */
static int run_rebuild(sqlite3 *db, const struct step *s, size_t *failed,
                       struct strata_error *err)
{
    struct strata_arena a = { 0 };
    struct strata_buf b = { 0 };
    struct row *views, *vtriggers;
    size_t nviews, nvtriggers;
    int rc;

    rc = collect(db, &a, "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY rowid",
                 NULL, 2, &views, &nviews, err);
    if (rc == 0)
        rc = collect(db, &a,
                     "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN "
                     "(SELECT name FROM sqlite_schema WHERE type = 'view') ORDER BY rowid",
                     NULL, 2, &vtriggers, &nvtriggers, err);
    if (rc != 0)
        goto cleanup;
    for (size_t i = nviews; i-- > 0;) {
        strata_buf_append(&b, "DROP VIEW ");
        strata_sql_quote_ident(&b, views[i].v[0]);
        strata_buf_append(&b, ";\n");
    }
    if (b.failed) {
        rc = oom(err);
        goto cleanup;
    }
    if (b.len > 0 && (rc = strata_sqlite_exec(db, b.data, err)) != 0)
        goto cleanup;
    for (size_t i = 0; i < s->ntables && rc == 0; i++) {
        *failed = s->tables[i].op;
        rc = rebuild_one(db, s, &s->tables[i], err);
    }
    if (rc == 0)
        rc = recreate(db, views, nviews, "view", s->tables[0].name, err);
    if (rc == 0)
        rc = recreate(db, vtriggers, nvtriggers, "trigger", s->tables[0].name, err);
cleanup:
    strata_buf_free(&b);
    strata_arena_free(&a);
    return rc;
}

int strata_sqlite_run_revision(void *conn, const struct strata_schema *before,
                               const struct strata_oplist *ops, void *plan,
                               struct strata_run *run, struct strata_error *err)
{
    sqlite3 *db = conn;
    struct plan mine = { 0 }, *p = plan != NULL ? plan : &mine;
    size_t failed = (size_t)-1;
    int rc = 0;

    if (plan == NULL)
        rc = plan_build(&mine, before, ops, &failed, err);
    if (rc != 0)
        goto cleanup;
    if (p->rebuild) {
        /* Read-only checks first: on a mismatch nothing has been touched. */
        for (size_t i = 0; i < p->nsteps && rc == 0; i++)
            for (size_t j = 0; j < p->steps[i].ntables && rc == 0; j++)
                if (p->steps[i].tables[j].origin != NULL)
                    rc = check_shape(db, before, p->steps[i].tables[j].origin, err);
        if (rc == 0)
            rc = fk_snapshot(db, err);
        if (rc != 0)
            goto cleanup;
    }
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct step *s = &p->steps[i];

        switch (s->kind) {
        case STEP_SQL:
            rc = strata_sqlite_exec(db, s->sql, err);
            break;
        case STEP_HOOK:
            rc = strata_sqlite_run_op(db, &ops->ops[s->op], err); /* calls the hook */
            break;
        case STEP_REBUILD:
            rc = run_rebuild(db, s, &failed, err);
            break;
        }
        if (rc != 0) {
            if (s->kind != STEP_REBUILD || failed == (size_t)-1)
                failed = s->op < ops->nops ? s->op : (size_t)-1;
            goto cleanup;
        }
    }
    if (p->rebuild)
        rc = fk_verify(db, run, err);
cleanup:
    if (run != NULL)
        run->failed_op = rc != 0 ? failed : (size_t)-1;
    plan_free(&mine);
    return rc;
}

/* ===== Offline ===== */

int strata_sqlite_render_revision(struct strata_buf *b, const struct strata_schema *before,
                                  const struct strata_oplist *ops, int version, bool *rebuild,
                                  struct strata_error *err)
{
    struct plan p = { 0 };
    size_t failed;
    int rc;

    p.version = version;
    rc = plan_build(&p, before, ops, &failed, err);
    *rebuild = rc == 0 && p.rebuild;
    if (rc == 0 && p.rebuild)
        strata_buf_append(b, "CREATE TEMP TABLE strata_fk_before AS " FK_ROWS ";\n");
    for (size_t i = 0; i < p.nsteps && rc == 0; i++) {
        const struct step *s = &p.steps[i];

        switch (s->kind) {
        case STEP_SQL:
            strata_buf_append(b, s->sql);
            break;
        case STEP_HOOK:
            rc = strata_error_set(err, STRATA_EMIGRATION, "C hook '%s' cannot be rendered as SQL",
                                  ops->ops[s->op].name);
            break;
        case STEP_REBUILD:
            /* The database's own views and triggers are unknown offline: see offline.c. */
            for (size_t j = 0; j < s->ntables && rc == 0; j++)
                rc = render_rebuild(b, s, &s->tables[j], 0, err);
            break;
        }
    }
    if (rc == 0 && p.rebuild)
        strata_buf_append(b,
                          "CREATE TEMP TABLE strata_fk_check (n INTEGER CONSTRAINT "
                          "\"foreign key check failed: the revision would leave rows that "
                          "reference missing rows\" CHECK (n = 0));\n"
                          "INSERT INTO strata_fk_check SELECT count(*) FROM (" FK_ROWS
                          " EXCEPT SELECT tbl, rid, parent FROM temp.strata_fk_before);\n"
                          "DROP TABLE temp.strata_fk_check;\n"
                          "DROP TABLE temp.strata_fk_before;\n");
    if (rc == 0 && b->failed)
        rc = oom(err);
    plan_free(&p);
    return rc;
}
