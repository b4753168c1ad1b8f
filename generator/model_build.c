/*
 * Raw models -> schema: the last stage of the front end (see model_build.h).
 *
 * Works on the raw models of all files at once, so foreign keys may point anywhere. In
 * three passes: the tables (names checked, duplicates reported), then each model's
 * columns (types, nullability, enums), then each model's keys, literals, indexes, foreign
 * keys and checks, which need every table and column in place. Generated constraint and
 * index names are schema-wide, so a collision is reported with where the name was first
 * handed out. Every problem is reported at the token that caused it.
 */
#include "model_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* See parse.h. */
void parse_snake_case(char *out, size_t size, const char *name)
{
    size_t o = 0;

    if (size == 0)
        return;
    for (size_t i = 0; name[i] != '\0' && o + 1 < size; i++) {
        char ch = name[i];
        bool upper = ch >= 'A' && ch <= 'Z';
        if (upper && i > 0 && o + 2 < size) {
            char prev = name[i - 1], nxt = name[i + 1];
            bool prev_lower = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
            bool prev_upper = prev >= 'A' && prev <= 'Z';
            bool next_lower = nxt >= 'a' && nxt <= 'z';
            if (prev_lower || (prev_upper && next_lower))
                out[o++] = '_';
        }
        out[o++] = upper ? (char)(ch - 'A' + 'a') : ch;
    }
    out[o] = '\0';
}

static const struct annotate_item *item(const struct annotate_list *l, const char *key)
{
    return annotate_find(l, key);
}

static const char *model_name(const struct raw_model *m)
{
    return m->tag ? m->tag : m->tdef;
}

/* The raw model whose tag or typedef name is `name`, or -1. */
static long find_model(struct ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nmodels; i++)
        if (!c->models[i].bad &&
            ((c->models[i].tag && strcmp(c->models[i].tag, name) == 0) ||
             (c->models[i].tdef && strcmp(c->models[i].tdef, name) == 0)))
            return (long)i;
    return -1;
}

/* The field of `m` named `name` that is a column, or NULL. */
static struct raw_field *find_field(struct raw_model *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].c_name, name) == 0)
            return m->fields[i].column >= 0 ? &m->fields[i] : NULL;
    return NULL;
}

/* Reports `name` when it is empty or too long. `what` is "table" or "column". */
static bool name_ok(struct ctx *c, const char *name, const char *what, const char *file,
                    unsigned line, unsigned col)
{
    if (name[0] == '\0') {
        diag_error(c->d, file, line, col, "empty %s name", what);
        return false;
    }
    if (strlen(name) > STRATA_NAME_MAX) {
        diag_error(c->d, file, line, col, "%s name '%s' is longer than %d bytes", what, name,
                   STRATA_NAME_MAX);
        return false;
    }
    return true;
}

/*
 * Reports a SQL comment (`--` or slash-star outside quotes) in the expression `v` of `key`:
 * a `--` comment swallows the `)` written after a CHECK and a trailing comment is lost when
 * the schema is read back, so neither survives the round trip. true when `v` is clean.
 */
static bool sql_expr_ok(struct ctx *c, const char *file, const struct annotate_value *v,
                        const char *key)
{
    char quote = 0;

    for (const char *p = v->text; *p != '\0'; p++) {
        if (quote != 0) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"' || *p == '`') {
            quote = *p;
        } else if (*p == '[') {
            quote = ']';
        } else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
            diag_error(c->d, file, v->line, v->col, "'%s' holds a SQL comment ('%.2s'); "
                       "remove it", key, p);
            return false;
        }
    }
    return true;
}

static bool reserved(const char *name)
{
    return strncasecmp(name, "strata_", 7) == 0 || strncasecmp(name, "sqlite_", 7) == 0;
}

/* Stage A: one table per raw model, with its name checked. */
static void build_tables(struct ctx *c)
{
    for (size_t i = 0; i < c->nmodels; i++) {
        struct raw_model *m = &c->models[i];
        const struct annotate_item *t = item(&m->ann, "table");
        char buf[256];
        const char *name;
        unsigned line = m->line, col = m->col;

        if (model_name(m) == NULL) {
            diag_error(c->d, m->file, m->line, m->col,
                       "model struct has no name: give it a tag or a typedef name");
            m->bad = true;
            continue;
        }
        if (t != NULL) {
            name = t->values[0].text;
            line = t->values[0].line;
            col = t->values[0].col;
        } else {
            parse_snake_case(buf, sizeof buf, model_name(m));
            name = buf;
        }
        if (!name_ok(c, name, "table", m->file, line, col)) {
            m->bad = true;
            continue;
        }
        if (reserved(name)) {
            diag_error(c->d, m->file, line, col,
                       "table name '%s' is reserved (names beginning with strata_ or sqlite_)",
                       name);
            m->bad = true;
            continue;
        }
        /* SQL names ignore case */
        for (size_t j = 0; j < c->s->ntables && !m->bad; j++) {
            if (strcasecmp(c->s->tables[j].name, name) != 0)
                continue;
            for (size_t k = 0; k < i; k++) {
                const struct raw_model *o = &c->models[k];
                if (o->bad || o->table != (long)j)
                    continue;
                const struct annotate_item *ot = item(&o->ann, "table");
                diag_error(c->d, m->file, line, col, "duplicate table name '%s'", name);
                diag_note(c->d, o->file, ot ? ot->values[0].line : o->line,
                          ot ? ot->values[0].col : o->col, "previously declared here");
                m->bad = true;
                break;
            }
        }
        if (m->bad)
            continue;
        struct strata_table *tb = strata_schema_add_table(c->s, name);
        if (tb == NULL) {
            c->oom = true;
            return;
        }
        tb->c_name = strata_arena_strdup(&c->s->arena, model_name(m));
        tb->loc.file = strata_arena_strdup(&c->s->arena, m->file);
        tb->loc.line = line;
        tb->loc.column = col;
        m->table = (long)(c->s->ntables - 1);
        const struct annotate_item *it;
        if ((it = item(&m->ann, "comment")) != NULL)
            tb->comment = strata_arena_strdup(&c->s->arena, it->values[0].text);
        if ((it = item(&m->ann, "renamed_from")) != NULL) {
            tb->renamed_from = strata_arena_strdup(&c->s->arena, it->values[0].text);
            tb->renamed_from_loc = (struct strata_srcloc){ tb->loc.file, it->values[0].line,
                                                           it->values[0].col };
        }
    }
}

/* The table built for raw model `m`, or NULL when it had errors. */
static struct strata_table *table_of(struct ctx *c, const struct raw_model *m)
{
    return m->bad || m->table < 0 ? NULL : &c->s->tables[m->table];
}

static char *type_text(struct strata_type t, char *buf, size_t size)
{
    return strata_type_format(buf, size, t);
}

static bool is_texty(enum strata_type_kind k)
{
    return k == STRATA_TYPE_TEXT || k == STRATA_TYPE_VARCHAR || k == STRATA_TYPE_DATE ||
           k == STRATA_TYPE_DATETIME || k == STRATA_TYPE_TIMESTAMP || k == STRATA_TYPE_JSON ||
           k == STRATA_TYPE_UUID;
}

static bool is_floaty(enum strata_type_kind k)
{
    return k == STRATA_TYPE_REAL || k == STRATA_TYPE_DOUBLE || k == STRATA_TYPE_NUMERIC;
}

/*
 * The SQL literal for the `default` / `backfill` value `v` of a column of type `t`, or
 * NULL after reporting that it does not fit.
 */
static char *literal(struct ctx *c, const struct raw_model *m, const struct raw_field *f,
                     const struct strata_column *col, const char *key,
                     const struct annotate_value *v)
{
    struct strata_arena *a = &c->s->arena;
    char tbuf[64], nbuf[32];

    type_text(col->type, tbuf, sizeof tbuf);
    switch (v->kind) {
    case ANNOTATE_NUMBER:
        if (strata_type_is_integer(col->type)) {
            const char *p = v->text + (v->text[0] == '-');
            if (strncmp(p, "0x", 2) == 0 || strncmp(p, "0X", 2) == 0) {
                unsigned long long x = strtoull(p, NULL, 16);
                snprintf(nbuf, sizeof nbuf, "%s%llu", v->text[0] == '-' ? "-" : "", x);
                return strata_arena_strdup(a, nbuf);
            }
            if (strpbrk(p, ".eE") == NULL)
                return strata_arena_strdup(a, v->text);
        } else if (is_floaty(col->type.kind) && strncmp(v->text, "0x", 2) != 0 &&
                   strncmp(v->text, "-0x", 3) != 0) {
            return strata_arena_strdup(a, v->text);
        }
        diag_error(c->d, m->file, v->line, v->col, "%s %s does not fit column type %s", key,
                   v->text, tbuf);
        return NULL;
    case ANNOTATE_STRING:
        if (is_texty(col->type.kind)) {
            if (col->type.kind == STRATA_TYPE_VARCHAR &&
                strlen(v->text) > (size_t)col->type.length) {
                diag_error(c->d, m->file, v->line, v->col,
                           "%s is longer than the column's %d bytes", key, col->type.length);
                return NULL;
            }
            size_t n = 3;
            for (const char *p = v->text; *p; p++)
                n += *p == '\'' ? 2 : 1;
            char *out = strata_arena_alloc(a, n), *o = out;
            if (out == NULL)
                return NULL;
            *o++ = '\'';
            for (const char *p = v->text; *p; p++) {
                if (*p == '\'')
                    *o++ = '\'';
                *o++ = *p;
            }
            *o++ = '\'';
            *o = '\0';
            return out;
        }
        diag_error(c->d, m->file, v->line, v->col,
                   "%s string does not fit column type %s", key, tbuf);
        return NULL;
    case ANNOTATE_TRUE:
    case ANNOTATE_FALSE:
        if (col->type.kind == STRATA_TYPE_BOOLEAN)
            return strata_arena_strdup(a, v->kind == ANNOTATE_TRUE ? "TRUE" : "FALSE");
        diag_error(c->d, m->file, v->line, v->col, "%s %s does not fit column type %s", key,
                   v->text, tbuf);
        return NULL;
    case ANNOTATE_NULL:
        if (col->nullable)
            return strata_arena_strdup(a, "NULL");
        diag_error(c->d, m->file, v->line, v->col, "%s null on NOT NULL column '%s'", key,
                   col->name);
        return NULL;
    case ANNOTATE_IDENT:
        if (f->is_enum) {
            for (size_t i = 0; i < f->nconsts; i++) {
                if (strcmp(f->consts[i].name, v->text) == 0) {
                    snprintf(nbuf, sizeof nbuf, "%lld", f->consts[i].value);
                    return strata_arena_strdup(a, nbuf);
                }
            }
            diag_error(c->d, m->file, v->line, v->col, "'%s' is not a constant of '%s'",
                       v->text, f->enum_name ? f->enum_name : "the enum");
            return NULL;
        }
        diag_error(c->d, m->file, v->line, v->col,
                   "%s '%s' does not fit column type %s (only an enum field takes a constant)",
                   key, v->text, tbuf);
        return NULL;
    default:
        diag_error(c->d, m->file, v->line, v->col, "bad value '%s' for key '%s'", v->text, key);
        return NULL;
    }
}

static int cmp_ll(const void *x, const void *y)
{
    long long a = *(const long long *)x, b = *(const long long *)y;

    return a < b ? -1 : a > b;
}

/* "0,1,2": the distinct values of an enum, ascending. */
static char *enum_values(struct ctx *c, const struct raw_field *f)
{
    long long *v;
    char *out;
    size_t n = 0, room = f->nconsts * 22 + 1;

    if (f->nconsts == 0)
        return NULL;
    v = malloc(f->nconsts * sizeof *v);
    out = strata_arena_alloc(&c->s->arena, room);
    if (v == NULL || out == NULL) {
        free(v);
        c->oom = true;
        return NULL;
    }
    for (size_t i = 0; i < f->nconsts; i++)
        v[i] = f->consts[i].value;
    qsort(v, f->nconsts, sizeof *v, cmp_ll);
    for (size_t i = 0; i < f->nconsts; i++)
        if (i == 0 || v[i] != v[i - 1])
            n += (size_t)snprintf(out + n, room - n, "%s%lld", n ? "," : "", v[i]);
    free(v);
    return out;
}

/* Stage B: the columns of raw model `m` (names, types, nullability, literals). */
static void build_columns(struct ctx *c, struct raw_model *m)
{
    struct strata_table *t = table_of(c, m);
    struct strata_arena *a = &c->s->arena;

    if (t == NULL)
        return;
    for (size_t i = 0; i < m->nfields; i++) {
        struct raw_field *f = &m->fields[i];
        const struct annotate_item *it, *nm = item(&f->ann, "name");
        const char *name = nm ? nm->values[0].text : f->c_name;
        unsigned line = nm ? nm->values[0].line : f->line;
        unsigned col = nm ? nm->values[0].col : f->col;
        struct strata_type type = f->type;
        bool type_ok = true;

        if (item(&f->ann, "skip") != NULL)
            continue;
        if ((it = item(&f->ann, "type")) != NULL) {
            if (strata_type_parse(it->values[0].text, &type) != 0) {
                diag_error(c->d, m->file, it->values[0].line, it->values[0].col,
                           "bad value '%s' for key 'type': not a strata type (smallint, "
                           "integer, bigint, boolean, real, double, varchar(n), text, blob, "
                           "numeric(p,s), date, datetime, timestamp, json, uuid)",
                           it->values[0].text);
                type_ok = false;
            }
        } else if (f->map == MAP_UINT64) {
            diag_error(c->d, m->file, f->line, f->col,
                       "field '%s' has type '%s', which no SQL integer type holds: add "
                       "STRATA_FIELD(type = ...) or STRATA_FIELD(skip)",
                       f->c_name, f->spelling);
            type_ok = false;
        } else if (f->map == MAP_NONE) {
            diag_error(c->d, m->file, f->line, f->col,
                       "field '%s' (%s) has no column type: add STRATA_FIELD(skip) or "
                       "STRATA_FIELD(type = ...)",
                       f->c_name, f->what);
            type_ok = false;
        }
        if (!name_ok(c, name, "column", m->file, line, col))
            continue;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            struct raw_field *o = &m->fields[j];
            if (o->column < 0 || strcasecmp(t->columns[o->column].name, name) != 0)
                continue;
            const struct annotate_item *onm = item(&o->ann, "name");
            diag_error(c->d, m->file, line, col, "duplicate column name '%s'", name);
            diag_note(c->d, m->file, onm ? onm->values[0].line : o->line,
                      onm ? onm->values[0].col : o->col, "previously declared here");
            dup = true;
        }
        if (dup)
            continue;
        struct strata_column *cl = strata_table_add_column(a, t, name);
        if (cl == NULL) {
            c->oom = true;
            return;
        }
        f->column = (long)(t->ncolumns - 1);
        cl->type = type_ok ? type : (struct strata_type){ STRATA_TYPE_NONE, 0, 0 };
        cl->c_name = strata_arena_strdup(a, f->c_name);
        cl->loc = (struct strata_srcloc){ t->loc.file, line, col };
        cl->nullable = f->pointer;
        const struct annotate_item *nu = item(&f->ann, "nullable"),
                                   *nn = item(&f->ann, "not_null");
        if (nu && nn) {
            const struct annotate_item *later = nu > nn ? nu : nn;
            diag_error(c->d, m->file, later->line, later->col,
                       "'nullable' and 'not_null' contradict each other");
        } else if (nu) {
            cl->nullable = true;
        } else if (nn) {
            cl->nullable = false;
        }
        if (f->is_enum)
            cl->enum_values = enum_values(c, f);
        if ((it = item(&f->ann, "default_sql")) != NULL &&
            sql_expr_ok(c, m->file, &it->values[0], it->key))
            cl->default_sql = strata_arena_strdup(a, it->values[0].text);
        if ((it = item(&f->ann, "check")) != NULL &&
            sql_expr_ok(c, m->file, &it->values[0], it->key))
            cl->check = strata_arena_strdup(a, it->values[0].text);
        if ((it = item(&f->ann, "comment")) != NULL)
            cl->comment = strata_arena_strdup(a, it->values[0].text);
        if ((it = item(&f->ann, "renamed_from")) != NULL) {
            cl->renamed_from = strata_arena_strdup(a, it->values[0].text);
            cl->renamed_from_loc = (struct strata_srcloc){ t->loc.file, it->values[0].line,
                                                           it->values[0].col };
        }
    }
}

/* Records a generated constraint/index name; reports a collision. */
static void use_name(struct ctx *c, const char *name, const char *file, unsigned line,
                     unsigned col)
{
    long seen = strata_name_index_find(&c->constraint_index, c->constraints, c->nconstraints,
                                       sizeof *c->constraints, name);
    struct used_name *u;

    if (seen >= 0) {
        diag_error(c->d, file, line, col, "generated name '%s' is already used", name);
        diag_note(c->d, c->constraints[seen].file, c->constraints[seen].line,
                  c->constraints[seen].col, "previously declared here");
        return;
    }
    u = strata_arena_push(&c->a, &c->constraints, &c->nconstraints, sizeof *u);
    if (u == NULL || (u->name = strata_arena_strdup(&c->a, name)) == NULL ||
        strata_name_index_add(&c->constraint_index, c->constraints, c->nconstraints,
                              sizeof *c->constraints, c->nconstraints - 1) != 0) {
        c->oom = true;
        return;
    }
    u->file = file;
    u->line = line;
    u->col = col;
}

/* An index or unique constraint to add, with where it was asked for. */
struct index_req {
    bool unique;
    const char **cols; /* column names */
    size_t ncols;
    unsigned line, col;
};

static void add_index(struct ctx *c, struct raw_model *m, struct strata_table *t,
                      struct index_req *reqs, size_t *nreqs, struct index_req r)
{
    for (size_t i = 0; i < *nreqs; i++) {
        if (reqs[i].unique != r.unique || reqs[i].ncols != r.ncols)
            continue;
        bool same = true;
        for (size_t k = 0; k < r.ncols && same; k++)
            same = strcmp(reqs[i].cols[k], r.cols[k]) == 0;
        if (same) {
            diag_error(c->d, m->file, r.line, r.col, "duplicate %s on the same columns",
                       r.unique ? "unique constraint" : "index");
            diag_note(c->d, m->file, reqs[i].line, reqs[i].col, "previously declared here");
            return;
        }
    }
    reqs[(*nreqs)++] = r;
    const char **parts = calloc(r.ncols + 2, sizeof *parts);
    char name[STRATA_NAME_MAX + 1];
    if (parts == NULL) {
        c->oom = true;
        return;
    }
    parts[0] = t->name;
    for (size_t k = 0; k < r.ncols; k++)
        parts[k + 1] = r.cols[k];
    strata_make_name(name, r.unique ? "uq" : "ix", parts);
    free(parts);
    use_name(c, name, m->file, r.line, r.col);
    if (strata_table_add_index(&c->s->arena, t, name, r.cols, r.ncols, r.unique) == NULL)
        c->oom = true;
}

/*
 * Resolves the C field names of a model-level list (primary_key, index, unique) to
 * column names in *out (malloc'ed array). false after reporting an unknown or repeated
 * field.
 */
static bool resolve_list(struct ctx *c, struct raw_model *m, struct strata_table *t,
                         const struct annotate_item *it, const char ***out)
{
    const char **cols = calloc(it->nvalues + 1, sizeof *cols);
    bool ok = true;

    if (cols == NULL) {
        c->oom = true;
        return false;
    }
    for (size_t i = 0; i < it->nvalues; i++) {
        const struct annotate_value *v = &it->values[i];
        struct raw_field *f = find_field(m, v->text);
        if (f == NULL) {
            diag_error(c->d, m->file, v->line, v->col, "unknown field '%s' in '%s'", v->text,
                       model_name(m));
            ok = false;
            continue;
        }
        cols[i] = t->columns[f->column].name;
        for (size_t k = 0; k < i; k++) {
            if (cols[k] == cols[i]) {
                diag_error(c->d, m->file, v->line, v->col, "field '%s' is listed twice",
                           v->text);
                ok = false;
            }
        }
    }
    if (!ok) {
        free(cols);
        return false;
    }
    *out = cols;
    return true;
}

static enum strata_fk_action action(const char *s)
{
    return strcmp(s, "cascade") == 0    ? STRATA_CASCADE
           : strcmp(s, "set_null") == 0 ? STRATA_SET_NULL
           : strcmp(s, "restrict") == 0 ? STRATA_RESTRICT
                                        : STRATA_NO_ACTION;
}

/* Stage C: keys, literals, indexes, foreign keys and checks of raw model `m`. */
static void build_constraints(struct ctx *c, struct raw_model *m)
{
    struct strata_table *t = table_of(c, m);
    struct strata_arena *a = &c->s->arena;
    const struct annotate_item *it;
    struct index_req *reqs = NULL;
    size_t nreqs = 0, cap = 0;
    char name[STRATA_NAME_MAX + 1];

    if (t == NULL)
        return;

    /* primary key */
    const char **pk = NULL;
    size_t npk = 0;
    const struct annotate_item *mpk = item(&m->ann, "primary_key");
    const struct annotate_item *first_fpk = NULL;
    for (size_t i = 0; i < m->nfields; i++)
        if (m->fields[i].column >= 0 && (it = item(&m->fields[i].ann, "primary_key")) != NULL) {
            if (first_fpk == NULL)
                first_fpk = it;
            npk++;
        }
    if (mpk != NULL && first_fpk != NULL) {
        diag_error(c->d, m->file, mpk->line, mpk->col,
                   "primary key given both on the model and on fields");
        diag_note(c->d, m->file, first_fpk->line, first_fpk->col, "field primary key here");
        npk = 0;
    } else if (mpk != NULL) {
        npk = resolve_list(c, m, t, mpk, &pk) ? mpk->nvalues : 0;
    } else if (npk > 0) {
        pk = calloc(npk, sizeof *pk);
        if (pk == NULL) {
            c->oom = true;
            return;
        }
        npk = 0;
        for (size_t i = 0; i < m->nfields; i++)
            if (m->fields[i].column >= 0 && item(&m->fields[i].ann, "primary_key") != NULL)
                pk[npk++] = t->columns[m->fields[i].column].name;
    }
    if (npk > 0) {
        if (strata_table_set_primary_key(a, t, pk, npk) != 0)
            c->oom = true;
        strata_make_name(name, "pk", (const char *const[]){ t->name, NULL });
        use_name(c, name, m->file, mpk ? mpk->line : first_fpk->line,
                 mpk ? mpk->col : first_fpk->col);
    }
    for (size_t i = 0; i < m->nfields; i++) {
        struct raw_field *f = &m->fields[i];
        if (f->column < 0)
            continue;
        struct strata_column *cl = &t->columns[f->column];
        bool in_pk = false;
        for (size_t k = 0; k < npk; k++)
            in_pk = in_pk || strcmp(pk[k], cl->name) == 0;
        if (in_pk) {
            if ((it = item(&f->ann, "nullable")) != NULL)
                diag_error(c->d, m->file, it->line, it->col,
                           "primary key column '%s' cannot be nullable", cl->name);
            cl->nullable = false;
        }
        it = item(&f->ann, "autoincrement");
        bool single_int = in_pk && npk == 1 && strata_type_is_integer(cl->type);
        if (it != NULL && !single_int)
            diag_error(c->d, m->file, it->line, it->col,
                       "'autoincrement' needs a single integer primary key column");
        cl->autoincrement = single_int && !(it && it->form == ANNOTATE_ASSIGN &&
                                            it->values[0].kind == ANNOTATE_FALSE);
        if (cl->type.kind != STRATA_TYPE_NONE) {
            if ((it = item(&f->ann, "default")) != NULL)
                cl->default_value = literal(c, m, f, cl, "default", &it->values[0]);
            if ((it = item(&f->ann, "backfill")) != NULL)
                cl->backfill = literal(c, m, f, cl, "backfill", &it->values[0]);
        }
    }
    free(pk);

    /* indexes and unique constraints: field-level in column order, then the model's */
    for (size_t i = 0; i < m->nfields; i++)
        cap += 2;
    cap += m->ann.nitems;
    reqs = calloc(cap + 1, sizeof *reqs);
    const char **single = calloc(m->nfields + 1, sizeof *single);
    const char ***lists = calloc(m->ann.nitems + 1, sizeof *lists);
    if (reqs == NULL || single == NULL || lists == NULL) {
        c->oom = true;
        goto cleanup;
    }
    for (size_t i = 0; i < m->nfields; i++) {
        struct raw_field *f = &m->fields[i];
        if (f->column < 0)
            continue;
        single[i] = t->columns[f->column].name;
        if ((it = item(&f->ann, "index")) != NULL)
            add_index(c, m, t, reqs, &nreqs,
                      (struct index_req){ false, &single[i], 1, it->line, it->col });
        if ((it = item(&f->ann, "unique")) != NULL)
            add_index(c, m, t, reqs, &nreqs,
                      (struct index_req){ true, &single[i], 1, it->line, it->col });
    }
    for (size_t i = 0; i < m->ann.nitems; i++) {
        it = &m->ann.items[i];
        bool unique = strcmp(it->key, "unique") == 0;
        if (!unique && strcmp(it->key, "index") != 0)
            continue;
        if (resolve_list(c, m, t, it, &lists[i]))
            add_index(c, m, t, reqs, &nreqs,
                      (struct index_req){ unique, lists[i], it->nvalues, it->line, it->col });
    }

    /* foreign keys */
    for (size_t i = 0; i < m->nfields; i++) {
        struct raw_field *f = &m->fields[i];
        if (f->column < 0)
            continue;
        const struct annotate_item *ref = item(&f->ann, "references");
        const struct annotate_item *od = item(&f->ann, "on_delete");
        const struct annotate_item *ou = item(&f->ann, "on_update");
        if (ref == NULL) {
            if (od || ou)
                diag_error(c->d, m->file, (od ? od : ou)->line, (od ? od : ou)->col,
                           "key '%s' needs 'references'", (od ? od : ou)->key);
            continue;
        }
        const struct annotate_value *v = &ref->values[0];
        long ti = find_model(c, v->first);
        if (ti < 0) {
            diag_error(c->d, m->file, v->line, v->col, "unknown table '%s'", v->first);
            continue;
        }
        struct raw_model *tm = &c->models[ti];
        struct strata_table *tt = table_of(c, tm);
        struct raw_field *tf = find_field(tm, v->second);
        if (tf == NULL) {
            diag_error(c->d, m->file, v->line2, v->col2, "unknown field '%s' in '%s'",
                       v->second, v->first);
            continue;
        }
        if (tt == NULL)
            continue;
        t = table_of(c, m); /* stable: no table is added in this stage */
        struct strata_column *cl = &t->columns[f->column];
        struct strata_column *tc = &tt->columns[tf->column];
        if (cl->type.kind != STRATA_TYPE_NONE && tc->type.kind != STRATA_TYPE_NONE &&
            (cl->type.kind != tc->type.kind || cl->type.length != tc->type.length ||
             cl->type.scale != tc->type.scale)) {
            char b1[64], b2[64];
            diag_error(c->d, m->file, v->line, v->col,
                       "column '%s' (%s) does not match the type of '%s.%s' (%s)", cl->name,
                       type_text(cl->type, b1, sizeof b1), v->first, v->second,
                       type_text(tc->type, b2, sizeof b2));
            continue;
        }
        if (strchr(tc->name, '.') != NULL) {
            /* A revision names the target "table.column", split at its last '.'. */
            diag_error(c->d, m->file, v->line2, v->col2,
                       "a foreign key cannot reference column '%s' of '%s': its name holds "
                       "a '.'", tc->name, v->first);
            continue;
        }
        strata_make_name(name, "fk", (const char *const[]){ t->name, cl->name, tt->name, NULL });
        use_name(c, name, m->file, v->line, v->col);
        struct strata_foreign_key *fk =
            strata_table_add_foreign_key(a, t, name, cl->name, tt->name, tc->name);
        if (fk == NULL) {
            c->oom = true;
            goto cleanup;
        }
        fk->on_delete = od ? action(od->values[0].text) : STRATA_NO_ACTION;
        fk->on_update = ou ? action(ou->values[0].text) : STRATA_NO_ACTION;
    }

    /* table checks */
    for (size_t i = 0; i < m->ann.nitems; i++) {
        it = &m->ann.items[i];
        if (strcmp(it->key, "check") != 0)
            continue;
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) {
            const struct annotate_item *o = &m->ann.items[k];
            if (strcmp(o->key, "check") == 0 && strcmp(o->values[0].text, it->values[0].text) == 0) {
                diag_error(c->d, m->file, it->values[0].line, it->values[0].col, "duplicate check");
                diag_note(c->d, m->file, o->values[0].line, o->values[0].col,
                          "previously declared here");
                dup = true;
            }
        }
        if (dup || !sql_expr_ok(c, m->file, &it->values[0], it->key))
            continue;
        strata_check_name(name, t->name, it->values[0].text);
        use_name(c, name, m->file, it->values[0].line, it->values[0].col);
        if (strata_table_add_check(a, t, name, it->values[0].text) == NULL) {
            c->oom = true;
            goto cleanup;
        }
    }

cleanup:
    if (lists != NULL)
        for (size_t i = 0; i < m->ann.nitems; i++)
            free(lists[i]);
    free(lists);
    free(single);
    free(reqs);
}

static int cmp_model(const void *x, const void *y)
{
    const struct raw_model *a = x, *b = y;

    if (a->fileno != b->fileno)
        return a->fileno < b->fileno ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* See model_build.h. */
void model_build_schema(struct ctx *c)
{
    qsort(c->models, c->nmodels, sizeof *c->models, cmp_model);
    build_tables(c);
    for (size_t i = 0; i < c->nmodels && !c->oom; i++)
        build_columns(c, &c->models[i]);
    for (size_t i = 0; i < c->nmodels && !c->oom; i++)
        build_constraints(c, &c->models[i]);
}
