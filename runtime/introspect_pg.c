/*
 * Introspection on PostgreSQL: reads the live schema back through pg_catalog into a
 * `struct strata_schema`, for `db check` and the tests that compare an upgraded
 * database with the schema its revisions replay to.
 *
 * Only the connection's current schema is read, and never strata's own tables. What
 * PostgreSQL keeps in its own normal form is turned back into what dialect_pg.c wrote:
 * the types (`timestamp(6)` is strata's timestamp, plain `timestamp` its datetime),
 * identity columns (autoincrement) and literal defaults (`'-1'::integer` is `-1`,
 * `'x'::text` is `'x'`, `true` is `TRUE`). A CHECK's expression is rewritten by
 * PostgreSQL (`(price >= (0)::double precision)`), so it is read from the comment
 * dialect_pg.c gave the constraint, falling back to PostgreSQL's text for a check
 * strata did not write.
 */
#include "dialect_pg.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* ===== Queries ===== */

static const char tables_sql[] =
    "SELECT c.oid, c.relname, obj_description(c.oid, 'pg_class') "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() "
    "AND c.relname NOT LIKE 'strata\\_%' ORDER BY c.oid";

static const char columns_sql[] =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "a.attidentity <> '', pg_get_expr(d.adbin, d.adrelid), "
    "col_description(a.attrelid, a.attnum) "
    "FROM pg_attribute a LEFT JOIN pg_attrdef d "
    "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

static const char primary_key_sql[] =
    "SELECT a.attname FROM pg_constraint k "
    "CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord) "
    "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum "
    "WHERE k.conrelid = $1::oid AND k.contype = 'p' ORDER BY u.ord";

static const char indexes_sql[] =
    "SELECT i.relname, x.indisunique, a.attname FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid "
    "CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS u(attnum, ord) "
    "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.attnum "
    "WHERE x.indrelid = $1::oid AND NOT x.indisprimary "
    "ORDER BY i.relname COLLATE \"C\", u.ord";

static const char foreign_keys_sql[] =
    "SELECT k.conname, a.attname, rc.relname, ra.attname, k.confdeltype, k.confupdtype "
    "FROM pg_constraint k "
    "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
    "JOIN pg_class rc ON rc.oid = k.confrelid "
    "JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1] "
    "WHERE k.conrelid = $1::oid AND k.contype = 'f' ORDER BY k.conname COLLATE \"C\"";

static const char checks_sql[] =
    "SELECT k.conname, obj_description(k.oid, 'pg_constraint'), pg_get_constraintdef(k.oid) "
    "FROM pg_constraint k WHERE k.conrelid = $1::oid AND k.contype = 'c' "
    "ORDER BY k.conname COLLATE \"C\"";

/* Runs `sql` with the table's oid as $1 (or no parameter); *out is the caller's. */
static int query(PGconn *conn, PGresult **out, const char *sql, const char *oid,
                 struct strata_error *err)
{
    PGresult *res = PQexecParams(conn, sql, oid != NULL ? 1 : 0, NULL, &oid, NULL, NULL, 0);

    *out = NULL;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        size_t n = strlen(msg);

        while (n > 0 && msg[n - 1] == '\n')
            n--;
        strata_error_set(err, STRATA_EDB, "%.*s", (int)n, msg);
        PQclear(res);
        return STRATA_EDB;
    }
    *out = res;
    return 0;
}

/* The text of a cell, or NULL when it is SQL NULL. */
static const char *cell(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* ===== PostgreSQL's normal form back to strata's ===== */

/* The strata type of format_type()'s text; kind NONE when strata has none for it. */
static struct strata_type parse_type(const char *text)
{
    static const struct {
        const char *name;
        enum strata_type_kind kind;
    } plain[] = {
        { "smallint", STRATA_TYPE_SMALLINT },
        { "integer", STRATA_TYPE_INTEGER },
        { "bigint", STRATA_TYPE_BIGINT },
        { "boolean", STRATA_TYPE_BOOLEAN },
        { "real", STRATA_TYPE_REAL },
        { "double precision", STRATA_TYPE_DOUBLE },
        { "text", STRATA_TYPE_TEXT },
        { "bytea", STRATA_TYPE_BLOB },
        { "numeric", STRATA_TYPE_NUMERIC },
        { "date", STRATA_TYPE_DATE },
        { "timestamp without time zone", STRATA_TYPE_DATETIME },
        { "timestamp(6) without time zone", STRATA_TYPE_TIMESTAMP },
        { "json", STRATA_TYPE_JSON },
        { "uuid", STRATA_TYPE_UUID },
    };
    struct strata_type t = { STRATA_TYPE_NONE, 0, 0 };
    size_t i;

    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (strcmp(text, plain[i].name) == 0) {
            t.kind = plain[i].kind;
            return t;
        }
    if (sscanf(text, "character varying(%d)", &t.length) == 1)
        t.kind = STRATA_TYPE_VARCHAR;
    else if (sscanf(text, "numeric(%d,%d)", &t.length, &t.scale) == 2)
        t.kind = STRATA_TYPE_NUMERIC;
    return t;
}

/* Whether `s` is a plain decimal number: -?digits[.digits][e[+-]digits]. */
static bool is_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;

    if (i < n && s[i] == '-')
        i++;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i == n || !isdigit((unsigned char)s[i]))
            return false;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    return i == n;
}

static bool is_numeric_type(struct strata_type t)
{
    return strata_type_is_integer(t) || t.kind == STRATA_TYPE_REAL ||
           t.kind == STRATA_TYPE_DOUBLE || t.kind == STRATA_TYPE_NUMERIC;
}

/*
 * Sets c->default_value or c->default_sql from pg_get_expr's text: a number or
 * `true`/`false` is a literal; `'text'::type` is the string literal `'text'`, or the
 * number inside it for a numeric column; anything else is an expression.
 */
static int read_default(struct strata_arena *a, struct strata_column *c, const char *expr)
{
    size_t n = strlen(expr);
    char *value = NULL;

    if (strcmp(expr, "true") == 0 || strcmp(expr, "false") == 0) {
        value = strata_arena_strdup(a, expr[0] == 't' ? "TRUE" : "FALSE");
    } else if (is_number(expr, n)) {
        value = strata_arena_strdup(a, expr);
    } else if (expr[0] == '\'') {
        size_t i = 1;

        /* The literal ends at a quote that is not doubled. */
        while (i < n && !(expr[i] == '\'' && expr[i + 1] != '\''))
            i += expr[i] == '\'' ? 2 : 1;
        if (i < n && strncmp(expr + i + 1, "::", 2) == 0 && strchr(expr + i + 1, '\'') == NULL) {
            if (is_numeric_type(c->type) && is_number(expr + 1, i - 1))
                value = strata_arena_strndup(a, expr + 1, i - 1);
            else
                value = strata_arena_strndup(a, expr, i + 1);
        }
    }
    if (value != NULL) {
        c->default_value = value;
        return 0;
    }
    c->default_sql = strata_arena_strdup(a, expr);
    return c->default_sql != NULL ? 0 : STRATA_ENOMEM;
}

static enum strata_fk_action fk_action(const char *code)
{
    switch (code[0]) {
    case 'r':
        return STRATA_RESTRICT;
    case 'c':
        return STRATA_CASCADE;
    case 'n':
        return STRATA_SET_NULL;
    default:
        return STRATA_NO_ACTION;
    }
}

/* ===== One table ===== */

static int oom(struct strata_error *err)
{
    return strata_error_set(err, STRATA_ENOMEM, "out of memory");
}

static int read_columns(PGconn *conn, struct strata_schema *s, struct strata_table *t,
                        const char *oid, struct strata_error *err)
{
    PGresult *res = NULL;
    int i, rc;

    rc = query(conn, &res, columns_sql, oid, err);
    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        struct strata_column *c = strata_table_add_column(&s->arena, t, cell(res, i, 0));

        if (c == NULL) {
            rc = oom(err);
            break;
        }
        c->type = parse_type(cell(res, i, 1));
        c->nullable = strcmp(cell(res, i, 2), "t") != 0;
        c->autoincrement = strcmp(cell(res, i, 3), "t") == 0;
        if (cell(res, i, 4) != NULL && read_default(&s->arena, c, cell(res, i, 4)) != 0)
            rc = oom(err);
        if (cell(res, i, 5) != NULL &&
            (c->comment = strata_arena_strdup(&s->arena, cell(res, i, 5))) == NULL)
            rc = oom(err);
    }
    PQclear(res);
    return rc;
}

static int read_primary_key(PGconn *conn, struct strata_schema *s, struct strata_table *t,
                            const char *oid, struct strata_error *err)
{
    PGresult *res = NULL;
    const char **names = NULL;
    int i, n, rc;

    rc = query(conn, &res, primary_key_sql, oid, err);
    if (rc != 0 || (n = PQntuples(res)) == 0)
        goto cleanup;
    names = calloc((size_t)n, sizeof(*names));
    if (names == NULL) {
        rc = oom(err);
        goto cleanup;
    }
    for (i = 0; i < n; i++)
        names[i] = cell(res, i, 0);
    if (strata_table_set_primary_key(&s->arena, t, names, (size_t)n) != 0)
        rc = oom(err);
cleanup:
    free(names);
    PQclear(res);
    return rc;
}

/* One row per (index, column) in key order: gathers each index's columns. */
static int read_indexes(PGconn *conn, struct strata_schema *s, struct strata_table *t,
                        const char *oid, struct strata_error *err)
{
    PGresult *res = NULL;
    const char **cols = NULL;
    int i, j, n, rc;

    rc = query(conn, &res, indexes_sql, oid, err);
    if (rc != 0)
        goto cleanup;
    n = PQntuples(res);
    cols = calloc((size_t)n + 1, sizeof(*cols));
    if (cols == NULL) {
        rc = oom(err);
        goto cleanup;
    }
    for (i = 0; i < n; i = j) {
        for (j = i; j < n && strcmp(cell(res, j, 0), cell(res, i, 0)) == 0; j++)
            cols[j - i] = cell(res, j, 2);
        if (strata_table_add_index(&s->arena, t, cell(res, i, 0), cols, (size_t)(j - i),
                                   strcmp(cell(res, i, 1), "t") == 0) == NULL) {
            rc = oom(err);
            break;
        }
    }
cleanup:
    free(cols);
    PQclear(res);
    return rc;
}

static int read_foreign_keys(PGconn *conn, struct strata_schema *s, struct strata_table *t,
                             const char *oid, struct strata_error *err)
{
    PGresult *res = NULL;
    int i, rc;

    rc = query(conn, &res, foreign_keys_sql, oid, err);
    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        struct strata_foreign_key *fk = strata_table_add_foreign_key(
            &s->arena, t, cell(res, i, 0), cell(res, i, 1), cell(res, i, 2), cell(res, i, 3));

        if (fk == NULL) {
            rc = oom(err);
            break;
        }
        fk->on_delete = fk_action(cell(res, i, 4));
        fk->on_update = fk_action(cell(res, i, 5));
    }
    PQclear(res);
    return rc;
}

/*
 * PostgreSQL's `CHECK (expr)` text without the keyword and outer parentheses, for a
 * check strata did not write (so has no comment).
 */
static char *check_body(struct strata_arena *a, const char *def)
{
    size_t n = strlen(def);

    if (strncmp(def, "CHECK (", 7) == 0 && n > 8 && def[n - 1] == ')')
        return strata_arena_strndup(a, def + 7, n - 8);
    return strata_arena_strdup(a, def);
}

/*
 * Each check is a column's (named after the table and column: its expression, its
 * VARCHAR length, its enum values) or the table's. The length check adds nothing the
 * type does not say.
 */
static int read_checks(PGconn *conn, struct strata_schema *s, struct strata_table *t,
                       const char *oid, struct strata_error *err)
{
    char name[STRATA_NAME_MAX + 1];
    PGresult *res = NULL;
    int i, kind, rc;
    size_t k;

    rc = query(conn, &res, checks_sql, oid, err);
    for (i = 0; rc == 0 && i < PQntuples(res); i++) {
        const char *conname = cell(res, i, 0);
        const char *kept = cell(res, i, 1);
        char *text = kept != NULL ? strata_arena_strdup(&s->arena, kept)
                                  : check_body(&s->arena, cell(res, i, 2));
        int found = 0;

        if (text == NULL) {
            rc = oom(err);
            break;
        }
        for (k = 0; k < t->ncolumns && !found; k++)
            for (kind = 0; kind < 3 && !found; kind++) {
                strata_pg_column_check_name(name, t->name, t->columns[k].name, kind);
                if (strcmp(name, conname) != 0)
                    continue;
                found = 1;
                if (kind == 0)
                    t->columns[k].check = text;
                else if (kind == 2)
                    t->columns[k].enum_values = text;
            }
        if (!found && strata_table_add_check(&s->arena, t, conname, text) == NULL)
            rc = oom(err);
    }
    PQclear(res);
    return rc;
}

/* ===== The schema ===== */

int strata_pg_introspect(void *conn, struct strata_schema **out, struct strata_error *err)
{
    struct strata_schema *s = NULL;
    PGresult *tables = NULL;
    int i, rc;

    *out = NULL;
    s = strata_schema_new();
    if (s == NULL)
        return oom(err);
    rc = query(conn, &tables, tables_sql, NULL, err);
    for (i = 0; rc == 0 && i < PQntuples(tables); i++) {
        const char *oid = cell(tables, i, 0);
        struct strata_table *t = strata_schema_add_table(s, cell(tables, i, 1));

        if (t == NULL) {
            rc = oom(err);
            break;
        }
        if (cell(tables, i, 2) != NULL &&
            (t->comment = strata_arena_strdup(&s->arena, cell(tables, i, 2))) == NULL)
            rc = oom(err);
        if (rc == 0)
            rc = read_columns(conn, s, t, oid, err);
        if (rc == 0)
            rc = read_primary_key(conn, s, t, oid, err);
        if (rc == 0)
            rc = read_indexes(conn, s, t, oid, err);
        if (rc == 0)
            rc = read_foreign_keys(conn, s, t, oid, err);
        if (rc == 0)
            rc = read_checks(conn, s, t, oid, err);
    }
    PQclear(tables);
    if (rc != 0) {
        strata_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
