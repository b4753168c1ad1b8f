/*
 * The schema model: construction, lookup, copying, generated names, type names, and
 * the canonical serialization whose SHA-256 identifies a schema (see schema.h).
 *
 * The canonical form sorts every named thing by name, so declaration order never makes
 * two schemas differ, and writes each string length-prefixed, so no value can forge
 * another line. It is the single definition of "same schema" for the generator (the hash
 * in each revision, `strata check`) and the runtime (replay, drift).
 */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ---- lifecycle and lookup ---- */

struct strata_schema *strata_schema_new(void)
{
    return calloc(1, sizeof(struct strata_schema));
}

void strata_schema_free(struct strata_schema *s)
{
    if (s == NULL)
        return;
    strata_arena_free(&s->arena);
    strata_name_index_clear(&s->lookup);
    free(s);
}

/* Below this many tables a lookup reads them all; from it on, it uses the index. */
#define LOOKUP_MIN_TABLES 16

static bool lookup_fresh(const struct strata_schema *s)
{
    return s->lookup.cap != 0 && s->lookup_tables == s->tables &&
           s->lookup_ntables == s->ntables;
}

static void lookup_forget(struct strata_schema *s)
{
    strata_name_index_clear(&s->lookup);
    s->lookup_tables = NULL;
    s->lookup_ntables = 0;
}

/* Indexes every table of `s`; false (and no index) when out of memory. */
static bool lookup_build(struct strata_schema *s)
{
    lookup_forget(s);
    for (size_t i = 0; i < s->ntables; i++) {
        if (strata_name_index_add(&s->lookup, s->tables, s->ntables, sizeof(*s->tables), i) != 0) {
            lookup_forget(s);
            return false;
        }
    }
    s->lookup_tables = s->tables;
    s->lookup_ntables = s->ntables;
    return true;
}

struct strata_table *strata_schema_find_table(const struct strata_schema *s, const char *name)
{
    /* The index is a cache: building it does not change what the schema holds. */
    struct strata_schema *cache = (struct strata_schema *)s;

    if (s->ntables >= LOOKUP_MIN_TABLES && (lookup_fresh(s) || lookup_build(cache))) {
        long pos = strata_name_index_find(&s->lookup, s->tables, s->ntables,
                                          sizeof(*s->tables), name);
        return pos < 0 ? NULL : &s->tables[pos];
    }
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    return NULL;
}

void strata_schema_remove_table(struct strata_schema *s, struct strata_table *t)
{
    lookup_forget(s);
    strata_array_remove(&s->tables, &s->ntables, sizeof(*t), (size_t)(t - s->tables));
}

int strata_schema_rename_table(struct strata_schema *s, struct strata_table *t,
                               const char *name)
{
    char *copy = strata_arena_strdup(&s->arena, name);

    if (copy == NULL)
        return STRATA_ENOMEM;
    lookup_forget(s);
    t->name = copy;
    return 0;
}

struct strata_column *strata_table_find_column(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcmp(t->columns[i].name, name) == 0)
            return &t->columns[i];
    return NULL;
}

struct strata_index *strata_table_find_index(const struct strata_table *t, const char *name)
{
    for (size_t i = 0; i < t->nindexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0)
            return &t->indexes[i];
    return NULL;
}

/* ---- construction ---- */

struct strata_table *strata_schema_add_table(struct strata_schema *s, const char *name)
{
    char *copy = strata_arena_strdup(&s->arena, name);
    struct strata_table *t;

    bool fresh = lookup_fresh(s);

    if (copy == NULL)
        return NULL;
    t = strata_arena_push(&s->arena, &s->tables, &s->ntables, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->name = copy;
    if (fresh && strata_name_index_add(&s->lookup, s->tables, s->ntables, sizeof(*t),
                                       s->ntables - 1) == 0) {
        s->lookup_tables = s->tables;
        s->lookup_ntables = s->ntables;
    } else {
        lookup_forget(s);
    }
    return t;
}

struct strata_column *strata_table_add_column(struct strata_arena *a, struct strata_table *t,
                                              const char *name)
{
    char *copy = strata_arena_strdup(a, name);
    struct strata_column *c;

    if (copy == NULL)
        return NULL;
    c = strata_arena_push(a, &t->columns, &t->ncolumns, sizeof(*c));
    if (c != NULL)
        c->name = copy;
    return c;
}

/* A NULL-terminated-free copy of `n` strings into the arena; NULL when out of memory. */
static char **copy_strings(struct strata_arena *a, const char *const *items, size_t n)
{
    char **out = strata_arena_array(a, n, sizeof(char *));

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((out[i] = strata_arena_strdup(a, items[i])) == NULL)
            return NULL;
    return out;
}

struct strata_index *strata_table_add_index(struct strata_arena *a, struct strata_table *t,
                                            const char *name, const char *const *columns,
                                            size_t ncolumns, bool unique)
{
    char *copy = strata_arena_strdup(a, name);
    char **cols = copy_strings(a, columns, ncolumns);
    struct strata_index *ix;

    if (copy == NULL || cols == NULL)
        return NULL;
    ix = strata_arena_push(a, &t->indexes, &t->nindexes, sizeof(*ix));
    if (ix == NULL)
        return NULL;
    ix->name = copy;
    ix->columns = cols;
    ix->ncolumns = ncolumns;
    ix->unique = unique;
    return ix;
}

struct strata_foreign_key *strata_table_add_foreign_key(struct strata_arena *a,
                                                        struct strata_table *t,
                                                        const char *name, const char *column,
                                                        const char *ref_table,
                                                        const char *ref_column)
{
    struct strata_foreign_key fk = { 0 };
    struct strata_foreign_key *slot;

    fk.name = strata_arena_strdup(a, name);
    fk.column = strata_arena_strdup(a, column);
    fk.ref_table = strata_arena_strdup(a, ref_table);
    fk.ref_column = strata_arena_strdup(a, ref_column);
    if (!fk.name || !fk.column || !fk.ref_table || !fk.ref_column)
        return NULL;
    slot = strata_arena_push(a, &t->foreign_keys, &t->nforeign_keys, sizeof(*slot));
    if (slot != NULL)
        *slot = fk;
    return slot;
}

struct strata_check *strata_table_add_check(struct strata_arena *a, struct strata_table *t,
                                            const char *name, const char *expr)
{
    char *n = strata_arena_strdup(a, name), *e = strata_arena_strdup(a, expr);
    struct strata_check *ck;

    if (n == NULL || e == NULL)
        return NULL;
    ck = strata_arena_push(a, &t->checks, &t->nchecks, sizeof(*ck));
    if (ck != NULL) {
        ck->name = n;
        ck->expr = e;
    }
    return ck;
}

int strata_table_set_primary_key(struct strata_arena *a, struct strata_table *t,
                                 const char *const *columns, size_t ncolumns)
{
    char **cols = copy_strings(a, columns, ncolumns);

    if (cols == NULL)
        return STRATA_ENOMEM;
    t->primary_key = cols;
    t->nprimary_key = ncolumns;
    return 0;
}

void strata_array_remove(void *items, size_t *count, size_t size, size_t i)
{
    unsigned char *base = *(unsigned char **)items;

    memmove(base + i * size, base + (i + 1) * size, (*count - i - 1) * size);
    (*count)--;
}

/* ---- copying ---- */

int strata_column_copy(struct strata_arena *a, struct strata_column *dst,
                       const struct strata_column *src)
{
    *dst = *src;
#define COPY_STR(f)                                                \
    if (src->f != NULL && (dst->f = strata_arena_strdup(a, src->f)) == NULL) \
        return STRATA_ENOMEM;
    COPY_STR(name)
    COPY_STR(default_value)
    COPY_STR(default_sql)
    COPY_STR(check)
    COPY_STR(enum_values)
    COPY_STR(comment)
    COPY_STR(renamed_from)
    COPY_STR(backfill)
#undef COPY_STR
    return 0;
}

int strata_table_copy(struct strata_arena *a, struct strata_table *dst,
                      const struct strata_table *src)
{
    struct strata_table t = { 0 };

    t.name = strata_arena_strdup(a, src->name);
    t.comment = strata_arena_strdup(a, src->comment);
    t.renamed_from = strata_arena_strdup(a, src->renamed_from);
    t.c_name = src->c_name;
    if (t.name == NULL || (src->comment && !t.comment) || (src->renamed_from && !t.renamed_from))
        return STRATA_ENOMEM;
    for (size_t i = 0; i < src->ncolumns; i++) {
        struct strata_column *c = strata_arena_push(a, &t.columns, &t.ncolumns, sizeof(*c));
        if (c == NULL || strata_column_copy(a, c, &src->columns[i]) != 0)
            return STRATA_ENOMEM;
    }
    if (src->nprimary_key > 0 &&
        strata_table_set_primary_key(a, &t, (const char *const *)src->primary_key,
                                     src->nprimary_key) != 0)
        return STRATA_ENOMEM;
    for (size_t i = 0; i < src->nindexes; i++) {
        const struct strata_index *ix = &src->indexes[i];
        if (!strata_table_add_index(a, &t, ix->name, (const char *const *)ix->columns,
                                    ix->ncolumns, ix->unique))
            return STRATA_ENOMEM;
    }
    for (size_t i = 0; i < src->nforeign_keys; i++) {
        const struct strata_foreign_key *fk = &src->foreign_keys[i];
        struct strata_foreign_key *c =
            strata_table_add_foreign_key(a, &t, fk->name, fk->column, fk->ref_table,
                                         fk->ref_column);
        if (c == NULL)
            return STRATA_ENOMEM;
        c->on_delete = fk->on_delete;
        c->on_update = fk->on_update;
    }
    for (size_t i = 0; i < src->nchecks; i++)
        if (!strata_table_add_check(a, &t, src->checks[i].name, src->checks[i].expr))
            return STRATA_ENOMEM;
    *dst = t;
    return 0;
}

struct strata_schema *strata_schema_copy(const struct strata_schema *s)
{
    struct strata_schema *copy = strata_schema_new();

    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < s->ntables; i++) {
        struct strata_table *t = strata_schema_add_table(copy, s->tables[i].name);
        if (t == NULL || strata_table_copy(&copy->arena, t, &s->tables[i]) != 0) {
            strata_schema_free(copy);
            return NULL;
        }
    }
    return copy;
}

/* A copy of `n` elements of `size` bytes in a pushable arena array; NULL when out of memory. */
static void *copy_array(struct strata_arena *a, const void *items, size_t n, size_t size)
{
    void *v = strata_arena_alloc_raw(a, strata_arena_array_bytes(n, size));

    if (v != NULL && n > 0)
        memcpy(v, items, n * size);
    return v;
}

int strata_table_own(struct strata_arena *a, struct strata_table *t)
{
    struct strata_table o = *t;

    if (!t->shared)
        return 0;
    o.columns = copy_array(a, t->columns, t->ncolumns, sizeof(*t->columns));
    o.primary_key = copy_array(a, t->primary_key, t->nprimary_key, sizeof(char *));
    o.indexes = copy_array(a, t->indexes, t->nindexes, sizeof(*t->indexes));
    o.foreign_keys = copy_array(a, t->foreign_keys, t->nforeign_keys, sizeof(*t->foreign_keys));
    o.checks = copy_array(a, t->checks, t->nchecks, sizeof(*t->checks));
    if (o.columns == NULL || o.primary_key == NULL || o.indexes == NULL ||
        o.foreign_keys == NULL || o.checks == NULL)
        return STRATA_ENOMEM;
    for (size_t k = 0; k < o.nindexes; k++) {
        o.indexes[k].columns = copy_array(a, t->indexes[k].columns, t->indexes[k].ncolumns,
                                          sizeof(char *));
        if (o.indexes[k].columns == NULL)
            return STRATA_ENOMEM;
    }
    o.shared = false;
    *t = o;
    return 0;
}

struct strata_schema *strata_schema_copy_shared(const struct strata_schema *s)
{
    struct strata_schema *copy = strata_schema_new();

    if (copy == NULL)
        return NULL;
    copy->tables = copy_array(&copy->arena, s->tables, s->ntables, sizeof(*s->tables));
    if (copy->tables == NULL) {
        strata_schema_free(copy);
        return NULL;
    }
    copy->ntables = s->ntables;
    for (size_t i = 0; i < copy->ntables; i++)
        copy->tables[i].shared = true;
    /* The tables keep their positions, so the lookup index of `s` serves the copy too. */
    if (lookup_fresh(s) && strata_name_index_copy(&copy->lookup, &s->lookup) == 0) {
        copy->lookup_tables = copy->tables;
        copy->lookup_ntables = copy->ntables;
    }
    return copy;
}

/* ---- comparing values ---- */

bool strata_str_equal(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool strata_names_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* ---- names ---- */

void strata_make_name(char *out, const char *prefix, const char *const *parts)
{
    struct strata_buf b = { 0 };
    char hex[65];

    strata_buf_append(&b, prefix);
    for (size_t i = 0; parts[i] != NULL; i++) {
        strata_buf_append(&b, "_");
        strata_buf_append(&b, parts[i]);
    }
    if (b.failed) {
        /* Out of memory while naming: an empty name makes the caller's lookup fail. */
        out[0] = '\0';
    } else if (b.len <= STRATA_NAME_MAX) {
        memcpy(out, b.data, b.len + 1);
    } else {
        /* Never cut a UTF-8 character in two: the name must stay valid UTF-8 (the
         * snapshot is JSON). ASCII names keep exactly 54 bytes. */
        size_t keep = 54;

        while (keep > 0 && ((unsigned char)b.data[keep] & 0xc0) == 0x80)
            keep--;
        strata_sha256_hex(b.data, b.len, hex);
        memcpy(out, b.data, keep);
        out[keep] = '_';
        memcpy(out + keep + 1, hex, 8);
        out[keep + 9] = '\0';
    }
    strata_buf_free(&b);
}

void strata_check_name(char *out, const char *table, const char *expr)
{
    char hex[65];

    strata_sha256_hex(expr, strlen(expr), hex);
    hex[8] = '\0';
    strata_make_name(out, "ck", (const char *const[]){ table, hex, NULL });
}

/* ---- types ---- */

static const char *const type_names[] = {
    [STRATA_TYPE_NONE] = "none",           [STRATA_TYPE_SMALLINT] = "smallint",
    [STRATA_TYPE_INTEGER] = "integer",     [STRATA_TYPE_BIGINT] = "bigint",
    [STRATA_TYPE_BOOLEAN] = "boolean",     [STRATA_TYPE_REAL] = "real",
    [STRATA_TYPE_DOUBLE] = "double",       [STRATA_TYPE_VARCHAR] = "varchar",
    [STRATA_TYPE_TEXT] = "text",           [STRATA_TYPE_BLOB] = "blob",
    [STRATA_TYPE_NUMERIC] = "numeric",     [STRATA_TYPE_DATE] = "date",
    [STRATA_TYPE_DATETIME] = "datetime",   [STRATA_TYPE_TIMESTAMP] = "timestamp",
    [STRATA_TYPE_JSON] = "json",           [STRATA_TYPE_UUID] = "uuid",
};

char *strata_type_format(char *out, size_t size, struct strata_type type)
{
    const char *name = (size_t)type.kind < sizeof(type_names) / sizeof(type_names[0])
                           ? type_names[type.kind]
                           : "none";

    if (type.kind == STRATA_TYPE_VARCHAR)
        snprintf(out, size, "%s(%d)", name, type.length);
    else if (type.kind == STRATA_TYPE_NUMERIC)
        snprintf(out, size, "%s(%d,%d)", name, type.length, type.scale);
    else
        snprintf(out, size, "%s", name);
    return out;
}

/* Parses a decimal int of 1..9 digits at *p, advancing it; -1 when there is none. */
static int parse_int(const char **p)
{
    int v = 0, digits = 0;

    while (**p >= '0' && **p <= '9' && digits < 9) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits > 0 && !(**p >= '0' && **p <= '9') ? v : -1;
}

int strata_type_parse(const char *text, struct strata_type *out)
{
    size_t n = strcspn(text, "(");
    const char *p = text + n;
    struct strata_type t = { STRATA_TYPE_NONE, 0, 0 };

    for (size_t k = 1; k < sizeof(type_names) / sizeof(type_names[0]); k++)
        if (strlen(type_names[k]) == n && strncmp(text, type_names[k], n) == 0)
            t.kind = (enum strata_type_kind)k;
    if (t.kind == STRATA_TYPE_NONE)
        return STRATA_ERROR;
    if (t.kind == STRATA_TYPE_VARCHAR || t.kind == STRATA_TYPE_NUMERIC) {
        if (*p++ != '(')
            return STRATA_ERROR;
        while (*p == ' ')
            p++;
        if ((t.length = parse_int(&p)) <= 0)
            return STRATA_ERROR;
        while (*p == ' ')
            p++;
        if (t.kind == STRATA_TYPE_NUMERIC) {
            if (*p++ != ',')
                return STRATA_ERROR;
            while (*p == ' ')
                p++;
            if ((t.scale = parse_int(&p)) < 0 || t.scale > t.length)
                return STRATA_ERROR;
            while (*p == ' ')
                p++;
        }
        if (*p++ != ')')
            return STRATA_ERROR;
    }
    if (*p != '\0')
        return STRATA_ERROR;
    *out = t;
    return 0;
}

bool strata_type_is_integer(struct strata_type type)
{
    return type.kind == STRATA_TYPE_SMALLINT || type.kind == STRATA_TYPE_INTEGER ||
           type.kind == STRATA_TYPE_BIGINT;
}

/* ---- canonical form ---- */

static const char *const fk_actions[] = { "no_action", "restrict", "cascade", "set_null" };

/* Appends the decimal digits of `n` (no printf: this is the replay's hot path). */
static void put_size(struct strata_buf *b, size_t n)
{
    char digits[24];
    size_t i = sizeof(digits);

    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    strata_buf_appendn(b, digits + i, sizeof(digits) - i);
}

/* ` key=<len>:<bytes>`, or nothing when `v` is NULL. */
static void put_str(struct strata_buf *b, const char *key, const char *v)
{
    size_t len;

    if (v == NULL)
        return;
    len = strlen(v);
    strata_buf_appendn(b, " ", 1);
    strata_buf_append(b, key);
    strata_buf_appendn(b, "=", 1);
    put_size(b, len);
    strata_buf_appendn(b, ":", 1);
    strata_buf_appendn(b, v, len);
}

static void put_list(struct strata_buf *b, const char *key, char *const *items, size_t n)
{
    strata_buf_appendn(b, " ", 1);
    strata_buf_append(b, key);
    strata_buf_appendn(b, "=", 1);
    put_size(b, n);
    for (size_t i = 0; i < n; i++)
        put_str(b, "", items[i]);
}

static void canon_column(struct strata_buf *b, const struct strata_column *c)
{
    char type[64];

    strata_buf_append(b, "column");
    put_str(b, "name", c->name);
    strata_buf_append(b, " type=");
    strata_buf_append(b, strata_type_format(type, sizeof(type), c->type));
    strata_buf_append(b, c->nullable ? " null=1" : " null=0");
    strata_buf_append(b, c->autoincrement ? " autoinc=1" : " autoinc=0");
    put_str(b, "default", c->default_value);
    put_str(b, "default_sql", c->default_sql);
    put_str(b, "check", c->check);
    put_str(b, "enum", c->enum_values);
    put_str(b, "comment", c->comment);
    strata_buf_append(b, "\n");
}

static void canon_index(struct strata_buf *b, const struct strata_index *ix)
{
    strata_buf_append(b, "index");
    put_str(b, "name", ix->name);
    strata_buf_append(b, ix->unique ? " unique=1" : " unique=0");
    put_list(b, "columns", ix->columns, ix->ncolumns);
    strata_buf_append(b, "\n");
}

static void canon_fk(struct strata_buf *b, const struct strata_foreign_key *fk)
{
    strata_buf_append(b, "foreign_key");
    put_str(b, "name", fk->name);
    put_str(b, "column", fk->column);
    put_str(b, "ref_table", fk->ref_table);
    put_str(b, "ref_column", fk->ref_column);
    strata_buf_append(b, " on_delete=");
    strata_buf_append(b, fk_actions[fk->on_delete]);
    strata_buf_append(b, " on_update=");
    strata_buf_append(b, fk_actions[fk->on_update]);
    strata_buf_append(b, "\n");
}

static void canon_check(struct strata_buf *b, const struct strata_check *ck)
{
    strata_buf_append(b, "check");
    put_str(b, "name", ck->name);
    put_str(b, "expr", ck->expr);
    strata_buf_append(b, "\n");
}

static void canon_table_head(struct strata_buf *b, const struct strata_table *t)
{
    strata_buf_append(b, "table");
    put_str(b, "name", t->name);
    put_str(b, "comment", t->comment);
    put_list(b, "primary_key", t->primary_key, t->nprimary_key);
    strata_buf_append(b, "\n");
}

/* Each element of an array starts with its `char *name`: sort pointers by it. */
static int by_name(const void *a, const void *b)
{
    const char *const *x = *(const void *const *)a, *const *y = *(const void *const *)b;

    return strcmp(*x, *y);
}

/* Pointers to the `n` elements of `items` (each `size` bytes) sorted by name. */
static const void **sorted(const void *items, size_t n, size_t size)
{
    const void **v = malloc((n ? n : 1) * sizeof(*v));

    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = (const unsigned char *)items + i * size;
    qsort(v, n, sizeof(*v), by_name);
    return v;
}

#define CANON_SORTED(b, arr, n, fn, type)                          \
    do {                                                            \
        const void **v_ = sorted((arr), (n), sizeof(type));         \
        if (v_ == NULL) {                                           \
            (b)->failed = 1;                                        \
            break;                                                  \
        }                                                           \
        for (size_t i_ = 0; i_ < (n); i_++)                         \
            fn((b), (const type *)v_[i_]);                          \
        free(v_);                                                   \
    } while (0)

static void canon_table(struct strata_buf *b, const struct strata_table *t)
{
    canon_table_head(b, t);
    CANON_SORTED(b, t->columns, t->ncolumns, canon_column, struct strata_column);
    CANON_SORTED(b, t->indexes, t->nindexes, canon_index, struct strata_index);
    CANON_SORTED(b, t->foreign_keys, t->nforeign_keys, canon_fk, struct strata_foreign_key);
    CANON_SORTED(b, t->checks, t->nchecks, canon_check, struct strata_check);
    strata_buf_append(b, "end\n");
}

void strata_table_canonical(struct strata_buf *b, const struct strata_table *t)
{
    canon_table(b, t);
}

int strata_schema_canonical(const struct strata_schema *s, char **out)
{
    struct strata_buf b = { 0 };

    strata_buf_append(&b, "strata-schema 1\n");
    CANON_SORTED(&b, s->tables, s->ntables, canon_table, struct strata_table);
    return strata_buf_detach(&b, out);
}

/* ---- first difference ---- */

/* The canonical line of one element, compared as a whole. */
typedef void (*canon_fn)(struct strata_buf *, const void *);

/*
 * Compares two arrays of named elements. Writes the first difference into `what`
 * ("table book: column isbn missing") and returns 1; 0 when equal.
 */
static int diff_items(const char *table, const char *noun, const void *ea, size_t en,
                      const void *aa, size_t an, size_t size, canon_fn fn, char *what,
                      size_t wsize)
{
    struct strata_buf x = { 0 }, y = { 0 };
    int found = 0;

    for (size_t i = 0; i < en && !found; i++) {
        const void *e = (const unsigned char *)ea + i * size;
        const char *name = *(const char *const *)e;
        const void *match = NULL;
        for (size_t j = 0; j < an && match == NULL; j++) {
            const void *a = (const unsigned char *)aa + j * size;
            if (strcmp(*(const char *const *)a, name) == 0)
                match = a;
        }
        if (match == NULL) {
            snprintf(what, wsize, "table %s: %s %s missing", table, noun, name);
            found = 1;
            break;
        }
        strata_buf_reset(&x);
        strata_buf_reset(&y);
        fn(&x, e);
        fn(&y, match);
        if (x.data && y.data && strcmp(x.data, y.data) != 0) {
            snprintf(what, wsize, "table %s: %s %s differs", table, noun, name);
            found = 1;
        }
    }
    for (size_t j = 0; j < an && !found; j++) {
        const void *a = (const unsigned char *)aa + j * size;
        const char *name = *(const char *const *)a;
        int seen = 0;
        for (size_t i = 0; i < en && !seen; i++)
            seen = strcmp(*(const char *const *)((const unsigned char *)ea + i * size), name) == 0;
        if (!seen) {
            snprintf(what, wsize, "table %s: unexpected %s %s", table, noun, name);
            found = 1;
        }
    }
    strata_buf_free(&x);
    strata_buf_free(&y);
    return found;
}

static void canon_column_v(struct strata_buf *b, const void *p) { canon_column(b, p); }
static void canon_index_v(struct strata_buf *b, const void *p) { canon_index(b, p); }
static void canon_fk_v(struct strata_buf *b, const void *p) { canon_fk(b, p); }
static void canon_check_v(struct strata_buf *b, const void *p) { canon_check(b, p); }

int strata_schema_diff_first(const struct strata_schema *expected,
                             const struct strata_schema *actual, char *what, size_t size)
{
    for (size_t i = 0; i < expected->ntables; i++) {
        const struct strata_table *e = &expected->tables[i];
        const struct strata_table *a = strata_schema_find_table(actual, e->name);
        struct strata_buf x = { 0 }, y = { 0 };
        int differs;

        if (a == NULL) {
            snprintf(what, size, "table %s missing", e->name);
            return 1;
        }
        canon_table_head(&x, e);
        canon_table_head(&y, a);
        differs = x.data && y.data && strcmp(x.data, y.data) != 0;
        strata_buf_free(&x);
        strata_buf_free(&y);
        if (differs) {
            snprintf(what, size, "table %s: %s differs", e->name,
                     strata_str_equal(e->comment, a->comment) ? "primary key" : "comment");
            return 1;
        }
        if (diff_items(e->name, "column", e->columns, e->ncolumns, a->columns, a->ncolumns,
                       sizeof(struct strata_column), canon_column_v, what, size) ||
            diff_items(e->name, "index", e->indexes, e->nindexes, a->indexes, a->nindexes,
                       sizeof(struct strata_index), canon_index_v, what, size) ||
            diff_items(e->name, "foreign key", e->foreign_keys, e->nforeign_keys,
                       a->foreign_keys, a->nforeign_keys, sizeof(struct strata_foreign_key),
                       canon_fk_v, what, size) ||
            diff_items(e->name, "check", e->checks, e->nchecks, a->checks, a->nchecks,
                       sizeof(struct strata_check), canon_check_v, what, size))
            return 1;
    }
    for (size_t i = 0; i < actual->ntables; i++) {
        if (strata_schema_find_table(expected, actual->tables[i].name) == NULL) {
            snprintf(what, size, "unexpected table %s", actual->tables[i].name);
            return 1;
        }
    }
    return 0;
}
