/*
 * Every difference between two schemas (see drift.h). Each line names what differs in
 * the words a reader uses (missing, unexpected, which attribute), so `db check` can say
 * what a hand-made ALTER TABLE changed rather than only that something did.
 */
#include "drift.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"

struct report {
    strata_diff_fn fn;
    void *ctx;
    size_t count;
};

static void say(struct report *r, const char *fmt, ...) STRATA_PRINTF_(2, 3);

static void say(struct report *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    r->count++;
    if (r->fn != NULL)
        r->fn(r->ctx, line);
}

/* Appends `(a, b)` to `b`. */
static void put_list(struct strata_buf *b, char *const *items, size_t n)
{
    strata_buf_append(b, "(");
    for (size_t i = 0; i < n; i++)
        strata_buf_printf(b, "%s%s", i > 0 ? ", " : "", items[i]);
    strata_buf_append(b, ")");
}

/* Appends `; what X expected, Y found` (values shown as given, `none` for NULL). */
static void put_value(struct strata_buf *b, const char *what, const char *want, const char *got)
{
    strata_buf_printf(b, "%s%s %s expected, %s found", b->len > 0 ? "; " : "", what,
                      want ? want : "none", got ? got : "none");
}

static void diff_column(struct report *r, const char *table, const struct strata_column *e,
                        const struct strata_column *a)
{
    struct strata_buf b = { 0 };
    char te[64], ta[64];

    if (e->type.kind != a->type.kind || e->type.length != a->type.length ||
        e->type.scale != a->type.scale)
        put_value(&b, "type", strata_type_format(te, sizeof(te), e->type),
                  strata_type_format(ta, sizeof(ta), a->type));
    if (e->nullable != a->nullable)
        strata_buf_printf(&b, "%s%s expected, %s found", b.len > 0 ? "; " : "",
                          e->nullable ? "nullable" : "NOT NULL",
                          a->nullable ? "nullable" : "NOT NULL");
    if (e->autoincrement != a->autoincrement)
        strata_buf_printf(&b, "%sautoincrement %s expected", b.len > 0 ? "; " : "",
                          e->autoincrement ? "on" : "off");
    if (!strata_str_equal(e->default_value, a->default_value) || !strata_str_equal(e->default_sql, a->default_sql))
        put_value(&b, "default", e->default_value ? e->default_value : e->default_sql,
                  a->default_value ? a->default_value : a->default_sql);
    if (!strata_str_equal(e->check, a->check))
        put_value(&b, "check", e->check, a->check);
    if (!strata_str_equal(e->enum_values, a->enum_values))
        put_value(&b, "enum values", e->enum_values, a->enum_values);
    if (!strata_str_equal(e->comment, a->comment))
        strata_buf_printf(&b, "%scomment differs", b.len > 0 ? "; " : "");
    if (b.len > 0)
        say(r, "table %s: column %s differs: %s", table, e->name, b.failed ? "" : b.data);
    strata_buf_free(&b);
}

static void diff_columns(struct report *r, const struct strata_table *e,
                         const struct strata_table *a)
{
    for (size_t i = 0; i < e->ncolumns; i++) {
        const struct strata_column *c = strata_table_find_column(a, e->columns[i].name);

        if (c == NULL)
            say(r, "table %s: column %s missing", e->name, e->columns[i].name);
        else
            diff_column(r, e->name, &e->columns[i], c);
    }
    for (size_t i = 0; i < a->ncolumns; i++)
        if (strata_table_find_column(e, a->columns[i].name) == NULL)
            say(r, "table %s: column %s unexpected", e->name, a->columns[i].name);
}

static void diff_indexes(struct report *r, const struct strata_table *e,
                         const struct strata_table *a)
{
    for (size_t i = 0; i < e->nindexes; i++) {
        const struct strata_index *x = &e->indexes[i];
        const struct strata_index *y = strata_table_find_index(a, x->name);

        if (y == NULL) {
            say(r, "index %s missing (on table %s)", x->name, e->name);
            continue;
        }
        if (!strata_names_equal(x->columns, x->ncolumns, y->columns, y->ncolumns))
            say(r, "index %s: columns differ", x->name);
        if (x->unique != y->unique)
            say(r, "index %s: %s expected", x->name, x->unique ? "unique" : "not unique");
    }
    for (size_t i = 0; i < a->nindexes; i++)
        if (strata_table_find_index(e, a->indexes[i].name) == NULL)
            say(r, "index %s unexpected (on table %s)", a->indexes[i].name, e->name);
}

static const struct strata_foreign_key *find_fk(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nforeign_keys; i++)
        if (strcmp(t->foreign_keys[i].name, name) == 0)
            return &t->foreign_keys[i];
    return NULL;
}

static const struct strata_check *find_check(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0)
            return &t->checks[i];
    return NULL;
}

static void diff_constraints(struct report *r, const struct strata_table *e,
                             const struct strata_table *a)
{
    for (size_t i = 0; i < e->nforeign_keys; i++) {
        const struct strata_foreign_key *x = &e->foreign_keys[i];
        const struct strata_foreign_key *y = find_fk(a, x->name);

        if (y == NULL)
            say(r, "table %s: foreign key %s missing", e->name, x->name);
        else if (strcmp(x->column, y->column) != 0 || strcmp(x->ref_table, y->ref_table) != 0 ||
                 strcmp(x->ref_column, y->ref_column) != 0 || x->on_delete != y->on_delete ||
                 x->on_update != y->on_update)
            say(r, "table %s: foreign key %s differs", e->name, x->name);
    }
    for (size_t i = 0; i < a->nforeign_keys; i++)
        if (find_fk(e, a->foreign_keys[i].name) == NULL)
            say(r, "table %s: foreign key %s unexpected", e->name, a->foreign_keys[i].name);
    for (size_t i = 0; i < e->nchecks; i++) {
        const struct strata_check *y = find_check(a, e->checks[i].name);

        if (y == NULL)
            say(r, "table %s: check %s missing", e->name, e->checks[i].name);
        else if (strcmp(y->expr, e->checks[i].expr) != 0)
            say(r, "table %s: check %s differs", e->name, e->checks[i].name);
    }
    for (size_t i = 0; i < a->nchecks; i++)
        if (find_check(e, a->checks[i].name) == NULL)
            say(r, "table %s: check %s unexpected", e->name, a->checks[i].name);
}

static void diff_table(struct report *r, const struct strata_table *e, const struct strata_table *a)
{
    if (!strata_names_equal(e->primary_key, e->nprimary_key, a->primary_key, a->nprimary_key)) {
        struct strata_buf b = { 0 };

        put_list(&b, e->primary_key, e->nprimary_key);
        strata_buf_append(&b, " expected, ");
        put_list(&b, a->primary_key, a->nprimary_key);
        say(r, "table %s: primary key %s found", e->name, b.failed ? "" : b.data);
        strata_buf_free(&b);
    }
    if (!strata_str_equal(e->comment, a->comment))
        say(r, "table %s: comment differs", e->name);
    diff_columns(r, e, a);
    diff_indexes(r, e, a);
    diff_constraints(r, e, a);
}

size_t strata_schema_diff_all(const struct strata_schema *expected,
                              const struct strata_schema *actual, strata_diff_fn fn, void *ctx)
{
    struct report r = { fn, ctx, 0 };

    for (size_t i = 0; i < expected->ntables; i++) {
        const struct strata_table *e = &expected->tables[i];
        const struct strata_table *a = strata_schema_find_table(actual, e->name);

        if (a == NULL)
            say(&r, "table %s missing", e->name);
        else
            diff_table(&r, e, a);
    }
    for (size_t i = 0; i < actual->ntables; i++)
        if (strata_schema_find_table(expected, actual->tables[i].name) == NULL)
            say(&r, "table %s unexpected", actual->tables[i].name);
    return r.count;
}
