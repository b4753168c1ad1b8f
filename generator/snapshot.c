/*
 * The snapshot file (see snapshot.h): schema <-> JSON with jansson.
 *
 * Loading validates strictly (known format, every key known, every value of the right
 * type, names unique, constraint columns present) and names the offending path, since a
 * snapshot is normally written by strata and a bad one means a bad merge or hand edit.
 * Formatting builds a jansson tree and dumps it with sorted keys and a 2-space indent.
 */
#include "snapshot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"

struct loader {
    const char *path;
    struct diag *d;
    struct strata_schema *s;
};

static const char *const action_names[] = {
    [STRATA_NO_ACTION] = "no_action",
    [STRATA_RESTRICT] = "restrict",
    [STRATA_CASCADE] = "cascade",
    [STRATA_SET_NULL] = "set_null",
};

/* Reports a shape error at JSON path `where` ("" for the top level). Returns -1. */
static int shape_error(struct loader *l, const char *where, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

static int shape_error(struct loader *l, const char *where, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (where[0] != '\0')
        diag_error(l->d, l->path, 0, 0, "%s: %s", where, msg);
    else
        diag_error(l->d, l->path, 0, 0, "%s", msg);
    return -1;
}

static int nomem(struct loader *l)
{
    diag_error(l->d, l->path, 0, 0, "out of memory");
    return -1;
}

/* Reports every key of `obj` not in the NULL-terminated `allowed`. 0, or -1. */
static int check_keys(struct loader *l, json_t *obj, const char *const *allowed,
                      const char *where)
{
    const char *key;
    json_t *value;
    int rc = 0;

    json_object_foreach (obj, key, value) {
        size_t i;

        for (i = 0; allowed[i] != NULL; i++)
            if (strcmp(key, allowed[i]) == 0)
                break;
        if (allowed[i] == NULL)
            rc = shape_error(l, where, "unknown key \"%s\"", key);
    }
    return rc;
}

/*
 * Reads string member `key` of `obj` into *out (a copy in the schema's arena). A missing
 * member leaves *out NULL and is an error only when `required`. 0, or -1 when reported.
 */
static int get_string(struct loader *l, json_t *obj, const char *key, int required,
                      const char *where, char **out)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL) {
        if (required)
            return shape_error(l, where, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_string(v))
        return shape_error(l, where, "\"%s\" must be a string", key);
    *out = strata_arena_strndup(&l->s->arena, json_string_value(v), json_string_length(v));
    if (*out == NULL)
        return nomem(l);
    if (strlen(*out) != json_string_length(v))
        return shape_error(l, where, "\"%s\" holds a NUL character", key);
    return 0;
}

static int get_bool(struct loader *l, json_t *obj, const char *key, int required,
                    const char *where, bool *out)
{
    json_t *v = json_object_get(obj, key);

    *out = false;
    if (v == NULL) {
        if (required)
            return shape_error(l, where, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_boolean(v))
        return shape_error(l, where, "\"%s\" must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

/*
 * Reads member `key`, a non-empty array of distinct strings, into *out / *count (in the
 * arena). Missing: *out NULL, an error only when `required`. 0, or -1 when reported.
 */
static int get_names(struct loader *l, json_t *obj, const char *key, int required,
                     const char *where, char ***out, size_t *count)
{
    json_t *v = json_object_get(obj, key);
    size_t i, j, n;

    *out = NULL;
    *count = 0;
    if (v == NULL) {
        if (required)
            return shape_error(l, where, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return shape_error(l, where, "\"%s\" must be a non-empty array of names", key);
    n = json_array_size(v);
    *out = strata_arena_alloc(&l->s->arena, n * sizeof(char *));
    if (*out == NULL)
        return nomem(l);
    for (i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);

        if (!json_is_string(e) || json_string_value(e)[0] == '\0')
            return shape_error(l, where, "\"%s\"[%zu] must be a name", key, i);
        for (j = 0; j < i; j++)
            if (strcmp((*out)[j], json_string_value(e)) == 0)
                return shape_error(l, where, "\"%s\" names '%s' twice", key, (*out)[j]);
        (*out)[i] = strata_arena_strdup(&l->s->arena, json_string_value(e));
        if ((*out)[i] == NULL)
            return nomem(l);
    }
    *count = n;
    return 0;
}

/* Returns the member array `key` of `obj` (NULL when absent); -1 via *rc when not one. */
static json_t *get_array(struct loader *l, json_t *obj, const char *key, int required,
                         const char *where, int *rc)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL) {
        if (required)
            *rc = shape_error(l, where, "missing \"%s\"", key);
        return NULL;
    }
    if (!json_is_array(v)) {
        *rc = shape_error(l, where, "\"%s\" must be an array", key);
        return NULL;
    }
    return v;
}

static int name_ok(struct loader *l, const char *name, const char *where)
{
    if (name[0] == '\0')
        return shape_error(l, where, "\"name\" is empty");
    if (strlen(name) > STRATA_NAME_MAX)
        return shape_error(l, where, "name '%s' is longer than %d bytes", name,
                           STRATA_NAME_MAX);
    return 0;
}

static int load_column(struct loader *l, struct strata_table *t, json_t *j, const char *where)
{
    static const char *const keys[] = { "name",    "type",        "nullable", "autoincrement",
                                         "default", "default_sql", "check",    "enum_values",
                                         "comment", NULL };
    struct strata_column *c;
    char *name, *type;
    int rc = 0;

    if (!json_is_object(j))
        return shape_error(l, where, "must be an object");
    rc |= check_keys(l, j, keys, where);
    if (get_string(l, j, "name", 1, where, &name) != 0 || name_ok(l, name, where) != 0)
        return -1;
    if (strata_table_find_column(t, name) != NULL)
        return shape_error(l, where, "column '%s' appears twice", name);
    c = strata_table_add_column(&l->s->arena, t, name);
    if (c == NULL)
        return nomem(l);
    if (get_string(l, j, "type", 1, where, &type) == 0) {
        if (strata_type_parse(type, &c->type) != 0)
            rc = shape_error(l, where, "unknown type '%s'", type);
    } else {
        rc = -1;
    }
    rc |= get_bool(l, j, "nullable", 1, where, &c->nullable);
    rc |= get_bool(l, j, "autoincrement", 0, where, &c->autoincrement);
    rc |= get_string(l, j, "default", 0, where, &c->default_value);
    rc |= get_string(l, j, "default_sql", 0, where, &c->default_sql);
    rc |= get_string(l, j, "check", 0, where, &c->check);
    rc |= get_string(l, j, "enum_values", 0, where, &c->enum_values);
    rc |= get_string(l, j, "comment", 0, where, &c->comment);
    return rc ? -1 : 0;
}

/* Every name in `names` must be a column of `t`. */
static int columns_exist(struct loader *l, const struct strata_table *t, char *const *names,
                         size_t n, const char *where)
{
    int rc = 0;
    size_t i;

    for (i = 0; i < n; i++)
        if (strata_table_find_column(t, names[i]) == NULL)
            rc = shape_error(l, where, "unknown column '%s'", names[i]);
    return rc;
}

static int load_index(struct loader *l, struct strata_table *t, json_t *j, const char *where)
{
    static const char *const keys[] = { "name", "columns", "unique", NULL };
    char *name;
    char **cols;
    size_t ncols;
    bool unique;

    if (!json_is_object(j))
        return shape_error(l, where, "must be an object");
    if (check_keys(l, j, keys, where) != 0 || get_string(l, j, "name", 1, where, &name) != 0 ||
        name_ok(l, name, where) != 0 ||
        get_names(l, j, "columns", 1, where, &cols, &ncols) != 0 ||
        get_bool(l, j, "unique", 1, where, &unique) != 0 ||
        columns_exist(l, t, cols, ncols, where) != 0)
        return -1;
    if (strata_table_find_index(t, name) != NULL)
        return shape_error(l, where, "index '%s' appears twice", name);
    if (strata_table_add_index(&l->s->arena, t, name, (const char *const *)cols, ncols,
                               unique) == NULL)
        return nomem(l);
    return 0;
}

static int parse_action(struct loader *l, json_t *j, const char *key, const char *where,
                        enum strata_fk_action *out)
{
    json_t *v = json_object_get(j, key);
    size_t i;

    *out = STRATA_NO_ACTION;
    if (v == NULL)
        return 0;
    for (i = 0; json_is_string(v) && i < sizeof(action_names) / sizeof(action_names[0]); i++) {
        if (strcmp(json_string_value(v), action_names[i]) == 0) {
            *out = (enum strata_fk_action)i;
            return 0;
        }
    }
    return shape_error(l, where,
                       "\"%s\" must be \"cascade\", \"set_null\", \"restrict\" or "
                       "\"no_action\"",
                       key);
}

static int load_foreign_key(struct loader *l, struct strata_table *t, json_t *j,
                            const char *where)
{
    static const char *const keys[] = { "name",      "column",    "references",
                                        "on_delete", "on_update", NULL };
    struct strata_foreign_key *fk;
    enum strata_fk_action on_delete, on_update;
    char *name, *column, *ref, *dot;
    size_t i;

    if (!json_is_object(j))
        return shape_error(l, where, "must be an object");
    if (check_keys(l, j, keys, where) != 0 || get_string(l, j, "name", 1, where, &name) != 0 ||
        name_ok(l, name, where) != 0 || get_string(l, j, "column", 1, where, &column) != 0 ||
        get_string(l, j, "references", 1, where, &ref) != 0 ||
        parse_action(l, j, "on_delete", where, &on_delete) != 0 ||
        parse_action(l, j, "on_update", where, &on_update) != 0 ||
        columns_exist(l, t, &column, 1, where) != 0)
        return -1;
    /* Table names may hold dots; column names rarely do: split at the last one. */
    dot = strrchr(ref, '.');
    if (dot == NULL || dot == ref || dot[1] == '\0')
        return shape_error(l, where, "\"references\" must be \"table.column\"");
    *dot = '\0';
    for (i = 0; i < t->nforeign_keys; i++)
        if (strcmp(t->foreign_keys[i].name, name) == 0)
            return shape_error(l, where, "foreign key '%s' appears twice", name);
    fk = strata_table_add_foreign_key(&l->s->arena, t, name, column, ref, dot + 1);
    if (fk == NULL)
        return nomem(l);
    fk->on_delete = on_delete;
    fk->on_update = on_update;
    return 0;
}

static int load_check(struct loader *l, struct strata_table *t, json_t *j, const char *where)
{
    static const char *const keys[] = { "name", "expr", NULL };
    char *name, *expr;
    size_t i;

    if (!json_is_object(j))
        return shape_error(l, where, "must be an object");
    if (check_keys(l, j, keys, where) != 0 || get_string(l, j, "name", 1, where, &name) != 0 ||
        name_ok(l, name, where) != 0 || get_string(l, j, "expr", 1, where, &expr) != 0)
        return -1;
    for (i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0)
            return shape_error(l, where, "check '%s' appears twice", name);
    if (strata_table_add_check(&l->s->arena, t, name, expr) == NULL)
        return nomem(l);
    return 0;
}

/*
 * Loads one table. Columns come first: the constraints name them. Every problem in the
 * table is reported before returning -1.
 */
static int load_table(struct loader *l, json_t *j, const char *where)
{
    static const char *const keys[] = { "name",         "columns",     "comment", "primary_key",
                                        "indexes",      "foreign_keys", "checks", NULL };
    struct {
        const char *key;
        int (*load)(struct loader *, struct strata_table *, json_t *, const char *);
    } parts[] = {
        { "columns", load_column },
        { "indexes", load_index },
        { "foreign_keys", load_foreign_key },
        { "checks", load_check },
    };
    struct strata_table *t;
    char *name;
    char **pk;
    size_t npk, p, i;
    int rc = 0;

    if (!json_is_object(j))
        return shape_error(l, where, "must be an object");
    rc |= check_keys(l, j, keys, where);
    if (get_string(l, j, "name", 1, where, &name) != 0 || name_ok(l, name, where) != 0)
        return -1;
    if (strata_schema_find_table(l->s, name) != NULL)
        return shape_error(l, where, "table '%s' appears twice", name);
    t = strata_schema_add_table(l->s, name);
    if (t == NULL)
        return nomem(l);
    rc |= get_string(l, j, "comment", 0, where, &t->comment);
    for (p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
        json_t *arr = get_array(l, j, parts[p].key, p == 0, where, &rc);
        json_t *e;

        json_array_foreach (arr, i, e) {
            char sub[128];

            snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, parts[p].key, i);
            rc |= parts[p].load(l, t, e, sub);
        }
    }
    if (get_names(l, j, "primary_key", 0, where, &pk, &npk) != 0 ||
        columns_exist(l, t, pk, npk, where) != 0)
        return -1;
    if (npk > 0 &&
        strata_table_set_primary_key(&l->s->arena, t, (const char *const *)pk, npk) != 0)
        return nomem(l);
    return rc ? -1 : 0;
}

/*
 * jansson's column is where it stopped reading, the end of the offending token; a
 * diagnostic points at the token's start, like a compiler's. The token is quoted at the
 * end of the message ("... near 'oops'").
 */
static unsigned token_column(const json_error_t *jerr)
{
    const char *near = strstr(jerr->text, "near '");
    size_t len;

    if (jerr->column <= 0)
        return 0;
    if (near == NULL || strstr(near + 1, "near '") != NULL)
        return (unsigned)jerr->column;
    len = strlen(near + 6);
    if (len < 2 || (size_t)jerr->column < len - 1)
        return (unsigned)jerr->column;
    return (unsigned)((size_t)jerr->column - (len - 1) + 1);
}

/* See snapshot.h. */
int snapshot_load(struct strata_schema **out, char **head, const char *path, struct diag *d)
{
    static const char *const keys[] = { "format", "head", "tables", NULL };
    struct loader l = { path, d, NULL };
    json_error_t jerr;
    json_t *root = NULL, *tables, *format, *h, *e;
    size_t i;
    int rc = -1;

    *out = NULL;
    *head = NULL;
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (jerr.line > 0)
            diag_error(d, path, (unsigned)jerr.line, token_column(&jerr), "%s", jerr.text);
        else
            diag_error(d, path, 0, 0, "%s", jerr.text);
        return -1;
    }
    l.s = strata_schema_new();
    if (l.s == NULL) {
        nomem(&l);
        goto cleanup;
    }
    if (!json_is_object(root)) {
        shape_error(&l, "", "the snapshot must be a JSON object");
        goto cleanup;
    }
    if (check_keys(&l, root, keys, "") != 0)
        goto cleanup;
    format = json_object_get(root, "format");
    if (format == NULL) {
        shape_error(&l, "", "missing \"format\"");
        goto cleanup;
    }
    if (!json_is_integer(format) || json_integer_value(format) != SNAPSHOT_FORMAT) {
        shape_error(&l, "", "unknown snapshot format (this strata reads format %d)",
                    SNAPSHOT_FORMAT);
        goto cleanup;
    }
    h = json_object_get(root, "head");
    if (h == NULL) {
        shape_error(&l, "", "missing \"head\"");
        goto cleanup;
    }
    if (!json_is_null(h) && !json_is_string(h)) {
        shape_error(&l, "", "\"head\" must be a revision id or null");
        goto cleanup;
    }
    tables = json_object_get(root, "tables");
    if (tables == NULL || !json_is_array(tables)) {
        shape_error(&l, "", tables == NULL ? "missing \"tables\"" : "\"tables\" must be an array");
        goto cleanup;
    }
    rc = 0;
    json_array_foreach (tables, i, e) {
        char where[64];

        snprintf(where, sizeof(where), "tables[%zu]", i);
        if (load_table(&l, e, where) != 0)
            rc = -1;
    }
    if (rc != 0)
        goto cleanup;
    if (json_is_string(h)) {
        *head = strdup(json_string_value(h));
        if (*head == NULL) {
            rc = nomem(&l);
            goto cleanup;
        }
    }
    *out = l.s;
    l.s = NULL;

cleanup:
    strata_schema_free(l.s);
    json_decref(root);
    return rc;
}

/* ---- formatting ---- */

/* Sets obj[key] to a new JSON value, or marks `failed` (invalid UTF-8, out of memory). */
static void put(json_t *obj, const char *key, json_t *value, int *failed)
{
    if (value == NULL || json_object_set_new(obj, key, value) != 0)
        *failed = 1;
}

static void put_string(json_t *obj, const char *key, const char *s, int *failed)
{
    if (s != NULL)
        put(obj, key, json_string(s), failed);
}

static json_t *names_array(char *const *names, size_t n, int *failed)
{
    json_t *arr = json_array();
    size_t i;

    if (arr == NULL) {
        *failed = 1;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        json_t *s = json_string(names[i]);

        if (s == NULL || json_array_append_new(arr, s) != 0)
            *failed = 1;
    }
    return arr;
}

static json_t *format_column(const struct strata_column *c, int *failed)
{
    json_t *o = json_object();
    char type[64];

    if (o == NULL) {
        *failed = 1;
        return NULL;
    }
    put_string(o, "name", c->name, failed);
    put_string(o, "type", strata_type_format(type, sizeof(type), c->type), failed);
    put(o, "nullable", json_boolean(c->nullable), failed);
    if (c->autoincrement)
        put(o, "autoincrement", json_true(), failed);
    put_string(o, "default", c->default_value, failed);
    put_string(o, "default_sql", c->default_sql, failed);
    put_string(o, "check", c->check, failed);
    put_string(o, "enum_values", c->enum_values, failed);
    put_string(o, "comment", c->comment, failed);
    return o;
}

static json_t *format_table(const struct strata_table *t, int *failed)
{
    json_t *o = json_object(), *arr;
    size_t i;

    if (o == NULL) {
        *failed = 1;
        return NULL;
    }
    put_string(o, "name", t->name, failed);
    put_string(o, "comment", t->comment, failed);
    arr = json_array();
    put(o, "columns", arr, failed);
    for (i = 0; arr != NULL && i < t->ncolumns; i++)
        if (json_array_append_new(arr, format_column(&t->columns[i], failed)) != 0)
            *failed = 1;
    if (t->nprimary_key > 0)
        put(o, "primary_key", names_array(t->primary_key, t->nprimary_key, failed), failed);
    if (t->nindexes > 0) {
        arr = json_array();
        put(o, "indexes", arr, failed);
        for (i = 0; arr != NULL && i < t->nindexes; i++) {
            const struct strata_index *ix = &t->indexes[i];
            json_t *e = json_object();

            if (e == NULL || json_array_append_new(arr, e) != 0) {
                *failed = 1;
                continue;
            }
            put_string(e, "name", ix->name, failed);
            put(e, "columns", names_array(ix->columns, ix->ncolumns, failed), failed);
            put(e, "unique", json_boolean(ix->unique), failed);
        }
    }
    if (t->nforeign_keys > 0) {
        arr = json_array();
        put(o, "foreign_keys", arr, failed);
        for (i = 0; arr != NULL && i < t->nforeign_keys; i++) {
            const struct strata_foreign_key *fk = &t->foreign_keys[i];
            json_t *e = json_object();
            struct strata_buf ref = { 0 };

            if (e == NULL || json_array_append_new(arr, e) != 0) {
                *failed = 1;
                continue;
            }
            put_string(e, "name", fk->name, failed);
            put_string(e, "column", fk->column, failed);
            strata_buf_printf(&ref, "%s.%s", fk->ref_table, fk->ref_column);
            if (ref.failed)
                *failed = 1;
            else
                put_string(e, "references", ref.data, failed);
            strata_buf_free(&ref);
            if (fk->on_delete != STRATA_NO_ACTION)
                put_string(e, "on_delete", action_names[fk->on_delete], failed);
            if (fk->on_update != STRATA_NO_ACTION)
                put_string(e, "on_update", action_names[fk->on_update], failed);
        }
    }
    if (t->nchecks > 0) {
        arr = json_array();
        put(o, "checks", arr, failed);
        for (i = 0; arr != NULL && i < t->nchecks; i++) {
            json_t *e = json_object();

            if (e == NULL || json_array_append_new(arr, e) != 0) {
                *failed = 1;
                continue;
            }
            put_string(e, "name", t->checks[i].name, failed);
            put_string(e, "expr", t->checks[i].expr, failed);
        }
    }
    return o;
}

/* See snapshot.h. */
int snapshot_format(char **out, const struct strata_schema *s, const char *head)
{
    json_t *root = NULL, *tables;
    char *text = NULL;
    struct strata_buf b = { 0 };
    int failed = 0, rc = STRATA_ENOMEM;
    size_t i;

    *out = NULL;
    root = json_object();
    if (root == NULL)
        goto cleanup;
    put(root, "format", json_integer(SNAPSHOT_FORMAT), &failed);
    put(root, "head", head != NULL ? json_string(head) : json_null(), &failed);
    tables = json_array();
    put(root, "tables", tables, &failed);
    for (i = 0; tables != NULL && i < s->ntables; i++)
        if (json_array_append_new(tables, format_table(&s->tables[i], &failed)) != 0)
            failed = 1;
    if (failed) {
        /* json_string() refuses invalid UTF-8; running out of memory is the other way. */
        rc = STRATA_ERROR;
        goto cleanup;
    }
    text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (text == NULL)
        goto cleanup;
    strata_buf_append(&b, text);
    strata_buf_append(&b, "\n");
    rc = strata_buf_detach(&b, out);

cleanup:
    free(text);
    strata_buf_free(&b);
    json_decref(root);
    return rc;
}
