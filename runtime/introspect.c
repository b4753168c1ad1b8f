/*
 * Introspection: reads a live SQLite database back into a `struct strata_schema`.
 *
 * SQLite's pragmas give columns, declared types, NOT NULL, defaults, the primary key,
 * indexes and foreign keys; what they do not give is read from the table's CREATE TABLE
 * text in sqlite_schema, which SQLite keeps as written (and edits in place on ALTER
 * TABLE): constraint names, CHECK expressions, whether a default is an expression, and
 * the strata-only facts the dialect writes as `/\* strata:key=value *\/` comments (the
 * strata type of a rowid alias, autoincrement, comments). The text is parsed only as far
 * as dialect_sqlite.c writes it: items split at top-level commas, names quoted or bare,
 * parentheses balanced, strings and comments skipped.
 */
#include "sqltext.h"
#include "introspect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dialect_sqlite.h"
#include "error.h"

/* ===== Reading the CREATE TABLE text ===== */

enum tok_kind { TOK_WORD, TOK_NAME, TOK_STRING, TOK_PUNCT, TOK_META };

struct tok {
    enum tok_kind kind;
    const char *start; /* in the SQL text */
    size_t len;
    int depth; /* parenthesis depth before this token */
};

struct lexer {
    struct tok *toks;
    size_t ntoks, cap;
};

static int push_tok(struct lexer *lx, enum tok_kind kind, const char *start, size_t len,
                    int depth)
{
    if (lx->ntoks == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 64;
        struct tok *t = realloc(lx->toks, cap * sizeof(*t));

        if (t == NULL)
            return STRATA_ENOMEM;
        lx->toks = t;
        lx->cap = cap;
    }
    lx->toks[lx->ntoks++] = (struct tok){ kind, start, len, depth };
    return 0;
}

/* Splits `sql` into tokens; `/\* strata:...*\/` comments become TOK_META, others vanish. */
static int lex(struct lexer *lx, const char *sql)
{
    const char *p = sql;
    int depth = 0;

    while (*p != '\0') {
        const char *start = p;
        enum tok_kind kind;

        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        if (p[0] == '-' && p[1] == '-') {
            while (*p != '\0' && *p != '\n')
                p++;
            continue;
        }
        if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");

            p = end != NULL ? end + 2 : p + strlen(p);
            if (strncmp(start, "/* strata:", 10) == 0 &&
                push_tok(lx, TOK_META, start + 10, (size_t)(p - start) - 10 - (end ? 2 : 0),
                         depth) != 0)
                return STRATA_ENOMEM;
            continue;
        }
        if (*p == '"' || *p == '\'' || *p == '`' || *p == '[') {
            char close = *p == '[' ? ']' : *p;

            kind = *p == '\'' ? TOK_STRING : TOK_NAME;
            for (p++; *p != '\0'; p++) {
                if (*p == close) {
                    if (close != ']' && p[1] == close) {
                        p++;
                        continue;
                    }
                    p++;
                    break;
                }
            }
        } else if (isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80) {
            kind = TOK_WORD;
            while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
                   (unsigned char)*p >= 0x80)
                p++;
        } else {
            kind = TOK_PUNCT;
            p++;
        }
        if (push_tok(lx, kind, start, (size_t)(p - start), depth) != 0)
            return STRATA_ENOMEM;
        if (kind == TOK_PUNCT && *start == '(')
            depth++;
        else if (kind == TOK_PUNCT && *start == ')')
            depth--;
    }
    return 0;
}

static bool is_word(const struct tok *t, const char *word)
{
    return t->kind == TOK_WORD && strlen(word) == t->len &&
           strncasecmp(t->start, word, t->len) == 0;
}

static bool is_punct(const struct tok *t, char c)
{
    return t->kind == TOK_PUNCT && *t->start == c;
}

/* The unquoted text of a name token, in the arena. */
static char *unquote(struct strata_arena *a, const struct tok *t)
{
    char *out, *q;
    char close;

    if (t->kind != TOK_NAME && t->kind != TOK_STRING)
        return strata_arena_strndup(a, t->start, t->len);
    close = t->start[0] == '[' ? ']' : t->start[0];
    out = strata_arena_alloc(a, t->len + 1);
    if (out == NULL)
        return NULL;
    q = out;
    for (size_t i = 1; i + 1 < t->len; i++) {
        *q++ = t->start[i];
        if (t->start[i] == close && close != ']')
            i++; /* a doubled quote stands for one */
    }
    *q = '\0';
    return out;
}

/* Decodes a TOK_META value (after `key=`): `\\` -> `\`, `\/` -> `/`. */
static char *meta_value(struct strata_arena *a, const char *v, size_t n)
{
    char *out = strata_arena_alloc(a, n + 1);
    char *q = out;

    if (out == NULL)
        return NULL;
    while (n > 0 && v[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '\\' || v[i + 1] == '/'))
            i++;
        *q++ = v[i];
    }
    *q = '\0';
    return out;
}

/* Whether meta token `t` has key `key`; *value is its decoded value (NULL without `=`). */
static bool meta_key(struct strata_arena *a, const struct tok *t, const char *key, char **value)
{
    size_t n = strlen(key);

    *value = NULL;
    if (t->kind != TOK_META || t->len < n || strncmp(t->start, key, n) != 0)
        return false;
    if (t->len > n && t->start[n] == '=') {
        *value = meta_value(a, t->start + n + 1, t->len - n - 1);
        return true;
    }
    return t->len == n || t->start[n] == ' ';
}

/* Index of the token closing the `(` at `open`, or `end` when unbalanced. */
static size_t closing(const struct tok *toks, size_t open, size_t end)
{
    for (size_t i = open + 1; i < end; i++)
        if (is_punct(&toks[i], ')') && toks[i].depth == toks[open].depth + 1)
            return i;
    return end;
}

/* The source text strictly between tokens `open` and `close`. */
static char *between(struct strata_arena *a, const struct tok *toks, size_t open, size_t close)
{
    const char *s = toks[open].start + 1;

    return strata_arena_strndup(a, s, (size_t)(toks[close].start - s));
}

/* A named foreign key found in the text: which column, which table, which name. */
struct fk_name {
    char *column;
    char *ref_table;
    char *name;
};

/* What the CREATE TABLE text adds to the pragmas. */
struct text_facts {
    struct fk_name *fks;
    size_t nfks;
    char *table_comment;
};

/* Parses `"c" IN (1, -2)` for column `col` into "1,-2"; NULL when `expr` is not that. */
static char *enum_values(struct strata_arena *a, const char *expr, const char *col)
{
    struct strata_buf b = { 0 };
    struct lexer lx = { 0 };
    char *out = NULL, *name;
    size_t i;

    if (lex(&lx, expr) != 0 || lx.ntoks < 5 || lx.toks[0].kind != TOK_NAME)
        goto cleanup;
    name = unquote(a, &lx.toks[0]);
    if (name == NULL || strcmp(name, col) != 0 || !is_word(&lx.toks[1], "IN") ||
        !is_punct(&lx.toks[2], '(') || !is_punct(&lx.toks[lx.ntoks - 1], ')'))
        goto cleanup;
    for (i = 3; i + 1 < lx.ntoks; i++) {
        const struct tok *t = &lx.toks[i];

        if (i > 3) {
            if (!is_punct(t, ',') || i + 2 >= lx.ntoks)
                goto cleanup;
            strata_buf_append(&b, ",");
            t = &lx.toks[++i];
        }
        if (is_punct(t, '-') && i + 2 < lx.ntoks) {
            strata_buf_append(&b, "-");
            t = &lx.toks[++i];
        }
        if (t->kind != TOK_WORD || !isdigit((unsigned char)t->start[0]))
            goto cleanup;
        strata_buf_appendn(&b, t->start, t->len);
    }
    if (!b.failed && b.data != NULL)
        out = strata_arena_strdup(a, b.data);
cleanup:
    free(lx.toks);
    strata_buf_free(&b);
    return out;
}

/* Whether `expr` is `length(CAST("col" AS BLOB)) <= N`, the varchar length check. */
static bool is_length_check(const char *expr, const char *col)
{
    struct strata_buf want = { 0 };
    bool same;

    strata_buf_append(&want, "length(CAST(");
    strata_sql_quote_ident(&want, col);
    strata_buf_append(&want, " AS BLOB)) <= ");
    same = !want.failed && strncmp(expr, want.data, want.len) == 0 &&
           strspn(expr + want.len, "0123456789") == strlen(expr + want.len);
    strata_buf_free(&want);
    return same;
}

/*
 * Attributes a CHECK named `name` with expression `expr`: inside column `col`'s
 * definition (or, in tables written before checks moved there, named after the column)
 * it is the varchar length check, the enum check or the column's own check; otherwise
 * it is a table check.
 */
static int add_check(struct strata_arena *a, struct strata_table *t, const char *col,
                     const char *name, char *expr)
{
    char want[STRATA_NAME_MAX + 1];
    struct strata_column *c = col != NULL ? strata_table_find_column(t, col) : NULL;
    size_t len = strlen(name);
    char *values;

    for (size_t i = 0; c == NULL && i < t->ncolumns; i++) {
        strata_make_name(want, "ck", (const char *const[]){ t->name, t->columns[i].name, NULL });
        if (strcmp(want, name) == 0)
            c = &t->columns[i];
        strata_make_name(want, "ck",
                         (const char *const[]){ t->name, t->columns[i].name, "len", NULL });
        if (strcmp(want, name) == 0)
            c = &t->columns[i];
        strata_make_name(want, "ck",
                         (const char *const[]){ t->name, t->columns[i].name, "enum", NULL });
        if (strcmp(want, name) == 0)
            c = &t->columns[i];
    }
    if (c == NULL)
        return strata_table_add_check(a, t, name, expr) != NULL ? 0 : STRATA_ENOMEM;
    if (c->type.kind == STRATA_TYPE_VARCHAR && is_length_check(expr, c->name))
        return 0;
    if (c->enum_values == NULL && (len < 5 || strcmp(name + len - 5, "_enum") == 0 ||
                                   len >= STRATA_NAME_MAX - 1) &&
        (values = enum_values(a, expr, c->name)) != NULL) {
        c->enum_values = values;
        return 0;
    }
    c->check = expr;
    return 0;
}

/*
 * Reads the CREATE TABLE text of `t` (columns already read from the pragmas): checks,
 * expression defaults, strata comments, foreign key names.
 */
static int read_text(struct strata_arena *a, struct strata_table *t, const char *sql,
                     struct text_facts *facts)
{
    struct lexer lx = { 0 };
    size_t i, open, end, item;
    int rc = 0;

    if (lex(&lx, sql) != 0)
        return STRATA_ENOMEM;
    for (open = 0; open < lx.ntoks && !is_punct(&lx.toks[open], '('); open++)
        ;
    end = open < lx.ntoks ? closing(lx.toks, open, lx.ntoks) : lx.ntoks;
    for (item = open + 1; item < end; item = i + 1) {
        struct strata_column *c = NULL;
        size_t first = item;

        /* one item: tokens up to the next top-level comma */
        for (i = item; i < end; i++)
            if (is_punct(&lx.toks[i], ',') && lx.toks[i].depth == lx.toks[open].depth + 1)
                break;
        /* the table comment stands before the first column's name */
        while (first < i && lx.toks[first].kind == TOK_META)
            first++;
        if (first < i && !is_word(&lx.toks[first], "CONSTRAINT") &&
            !is_word(&lx.toks[first], "PRIMARY") && !is_word(&lx.toks[first], "FOREIGN") &&
            !is_word(&lx.toks[first], "UNIQUE") && !is_word(&lx.toks[first], "CHECK")) {
            char *col = unquote(a, &lx.toks[first]);

            if (col == NULL) {
                rc = STRATA_ENOMEM;
                break;
            }
            c = strata_table_find_column(t, col);
        }
        for (size_t k = item; k < i && rc == 0; k++) {
            const struct tok *tk = &lx.toks[k];
            char *value;

            if (tk->kind == TOK_META) {
                if (meta_key(a, tk, "table_comment", &value))
                    facts->table_comment = value;
                else if (c != NULL && meta_key(a, tk, "comment", &value))
                    c->comment = value;
                else if (c != NULL && meta_key(a, tk, "autoincrement", &value))
                    c->autoincrement = value == NULL || strcmp(value, "false") != 0;
                else if (c != NULL && meta_key(a, tk, "type", &value) && value != NULL)
                    strata_type_parse(value, &c->type);
                continue;
            }
            if (c != NULL && is_word(tk, "DEFAULT") && k + 1 < i && is_punct(&tk[1], '(')) {
                size_t close = closing(lx.toks, k + 1, i);

                c->default_value = NULL;
                c->default_sql = between(a, lx.toks, k + 1, close);
                k = close;
                continue;
            }
            if (!is_word(tk, "CONSTRAINT") || k + 2 >= i)
                continue;
            /* CONSTRAINT name CHECK (...) | FOREIGN KEY (col) REFERENCES t | REFERENCES t */
            {
                char *name = unquote(a, &tk[1]);
                const struct tok *kw = &tk[2];

                if (name == NULL) {
                    rc = STRATA_ENOMEM;
                    break;
                }
                if (is_word(kw, "CHECK") && k + 3 < i && is_punct(&tk[3], '(')) {
                    size_t close = closing(lx.toks, k + 3, i);
                    char *expr = between(a, lx.toks, k + 3, close);

                    rc = expr != NULL ? add_check(a, t, c != NULL ? c->name : NULL, name, expr)
                                      : STRATA_ENOMEM;
                    k = close;
                } else if (is_word(kw, "FOREIGN") && k + 8 < i) {
                    struct fk_name *f = strata_arena_push(a, &facts->fks, &facts->nfks,
                                                          sizeof(*f));

                    if (f == NULL) {
                        rc = STRATA_ENOMEM;
                        break;
                    }
                    f->name = name;
                    f->column = unquote(a, &tk[5]);
                    f->ref_table = unquote(a, &tk[8]);
                } else if (is_word(kw, "REFERENCES") && c != NULL && k + 3 < i) {
                    struct fk_name *f = strata_arena_push(a, &facts->fks, &facts->nfks,
                                                          sizeof(*f));

                    if (f == NULL) {
                        rc = STRATA_ENOMEM;
                        break;
                    }
                    f->name = name;
                    f->column = c->name;
                    f->ref_table = unquote(a, &tk[3]);
                }
            }
        }
    }
    free(lx.toks);
    return rc;
}

/* ===== Reading the pragmas ===== */

/* Maps a declared type back to the strata type the dialect renders it from. */
static struct strata_type declared_type(const char *decl)
{
    struct strata_type type = { STRATA_TYPE_NONE, 0, 0 };
    char norm[64];
    size_t n = 0;

    for (const char *p = decl ? decl : ""; *p != '\0' && n + 1 < sizeof(norm); p++)
        if (*p != ' ')
            norm[n++] = (char)tolower((unsigned char)*p);
    norm[n] = '\0';
    if (strcmp(norm, "numeric") == 0)
        type.kind = STRATA_TYPE_NUMERIC;
    else if (strcmp(norm, "doubleprecision") == 0)
        type.kind = STRATA_TYPE_DOUBLE;
    else if (strata_type_parse(norm, &type) != 0)
        type.kind = STRATA_TYPE_NONE;
    return type;
}

static enum strata_fk_action fk_action(const char *text)
{
    if (text == NULL)
        return STRATA_NO_ACTION;
    if (strcasecmp(text, "CASCADE") == 0)
        return STRATA_CASCADE;
    if (strcasecmp(text, "RESTRICT") == 0)
        return STRATA_RESTRICT;
    if (strcasecmp(text, "SET NULL") == 0)
        return STRATA_SET_NULL;
    return STRATA_NO_ACTION;
}

/* Prepares a pragma query about `name` (bound to ?1). */
static int prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, const char *name,
                   struct strata_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK ||
        (name != NULL && sqlite3_bind_text(*st, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)) {
        strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
        sqlite3_finalize(*st);
        *st = NULL;
        return STRATA_EDB;
    }
    return 0;
}

static const char *text_col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Columns and primary key from PRAGMA table_info. */
static int read_columns(sqlite3 *db, struct strata_schema *s, struct strata_table *t,
                        struct strata_error *err)
{
    sqlite3_stmt *st = NULL;
    const char *pk[64];
    char *pkcopy[64];
    int pkpos[64];
    size_t npk = 0;
    int step, rc;

    rc = prepare(db, &st, "SELECT name, type, \"notnull\", dflt_value, pk FROM "
                          "pragma_table_info(?1)",
                 t->name, err);
    if (rc != 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct strata_column *c = strata_table_add_column(&s->arena, t, text_col(st, 0));

        if (c == NULL) {
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
            goto cleanup;
        }
        c->type = declared_type(text_col(st, 1));
        c->nullable = sqlite3_column_int(st, 2) == 0;
        if (text_col(st, 3) != NULL &&
            (c->default_value = strata_arena_strdup(&s->arena, text_col(st, 3))) == NULL) {
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
            goto cleanup;
        }
        if (sqlite3_column_int(st, 4) > 0 && npk < 64) {
            pkcopy[npk] = c->name;
            pkpos[npk++] = sqlite3_column_int(st, 4);
        }
    }
    if (step != SQLITE_DONE) {
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
        goto cleanup;
    }
    /* key order: by the pk position SQLite reports */
    for (size_t i = 0; i < npk; i++)
        for (size_t j = 0; j < npk; j++)
            if (pkpos[j] == (int)i + 1)
                pk[i] = pkcopy[j];
    if (npk > 0 && strata_table_set_primary_key(&s->arena, t, pk, npk) != 0)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (rc == 0 && npk == 1) {
        /* A rowid alias is declared INTEGER whatever its strata type: the dialect
         * leaves the usual bigint with autoincrement unmarked (read_text reads marks). */
        struct strata_column *c = strata_table_find_column(t, pk[0]);

        if (c->type.kind == STRATA_TYPE_INTEGER) {
            c->type.kind = STRATA_TYPE_BIGINT;
            c->autoincrement = true;
        }
    }
cleanup:
    sqlite3_finalize(st);
    return rc;
}

/* Indexes created by CREATE INDEX (not SQLite's automatic ones) and their columns. */
static int read_indexes(sqlite3 *db, struct strata_schema *s, struct strata_table *t,
                        struct strata_error *err)
{
    sqlite3_stmt *st = NULL, *cols = NULL;
    int step, rc;

    rc = prepare(db, &st, "SELECT name, \"unique\" FROM pragma_index_list(?1) "
                          "WHERE origin = 'c' ORDER BY name",
                 t->name, err);
    if (rc != 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *names[64];
        size_t n = 0;
        struct strata_arena tmp = { 0 };
        int cstep;

        rc = prepare(db, &cols, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
                     text_col(st, 0), err);
        if (rc != 0)
            goto cleanup;
        while ((cstep = sqlite3_step(cols)) == SQLITE_ROW && n < 64)
            names[n++] = strata_arena_strdup(&tmp, text_col(cols, 0) ? text_col(cols, 0) : "");
        sqlite3_finalize(cols);
        cols = NULL;
        if (!strata_table_add_index(&s->arena, t, text_col(st, 0), names, n,
                                    sqlite3_column_int(st, 1) != 0))
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        strata_arena_free(&tmp);
        if (rc != 0)
            goto cleanup;
    }
    if (step != SQLITE_DONE)
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
cleanup:
    sqlite3_finalize(cols);
    sqlite3_finalize(st);
    return rc;
}

/* Foreign keys from PRAGMA foreign_key_list, named from the text when it names them. */
static int read_foreign_keys(sqlite3 *db, struct strata_schema *s, struct strata_table *t,
                             const struct text_facts *facts, struct strata_error *err)
{
    sqlite3_stmt *st = NULL;
    int step, rc;

    rc = prepare(db, &st, "SELECT \"from\", \"table\", \"to\", on_update, on_delete FROM "
                          "pragma_foreign_key_list(?1) ORDER BY id, seq",
                 t->name, err);
    if (rc != 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *from = text_col(st, 0), *ref = text_col(st, 1), *to = text_col(st, 2);
        char generated[STRATA_NAME_MAX + 1];
        const char *name = NULL;
        struct strata_foreign_key *fk;

        for (size_t i = 0; i < facts->nfks && name == NULL; i++)
            if (facts->fks[i].column && facts->fks[i].ref_table &&
                strcmp(facts->fks[i].column, from) == 0 &&
                strcasecmp(facts->fks[i].ref_table, ref) == 0)
                name = facts->fks[i].name;
        if (name == NULL) {
            strata_make_name(generated, "fk", (const char *const[]){ t->name, from, ref, NULL });
            name = generated;
        }
        fk = strata_table_add_foreign_key(&s->arena, t, name, from, ref, to ? to : "");
        if (fk == NULL) {
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
            goto cleanup;
        }
        fk->on_update = fk_action(text_col(st, 3));
        fk->on_delete = fk_action(text_col(st, 4));
    }
    if (step != SQLITE_DONE)
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
cleanup:
    sqlite3_finalize(st);
    return rc;
}

/* Reads table `name` whose CREATE TABLE text is `sql` into `s`. */
static int read_table(sqlite3 *db, struct strata_schema *s, const char *name, const char *sql,
                      struct strata_error *err)
{
    struct text_facts facts = { 0 };
    struct strata_table *t = strata_schema_add_table(s, name);
    int rc;

    if (t == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    rc = read_columns(db, s, t, err);
    if (rc == 0 && read_text(&s->arena, t, sql ? sql : "", &facts) != 0)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        t->comment = facts.table_comment;
    if (rc == 0)
        rc = read_indexes(db, s, t, err);
    if (rc == 0)
        rc = read_foreign_keys(db, s, t, &facts, err);
    return rc;
}

/* Reads the tables the query returns (name, sql). */
static int read_tables(sqlite3 *db, struct strata_schema **out, const char *sql,
                       const char *bind, struct strata_error *err)
{
    struct strata_schema *s = strata_schema_new();
    sqlite3_stmt *st = NULL;
    int step, rc;

    *out = NULL;
    if (s == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    rc = prepare(db, &st, sql, bind, err);
    if (rc != 0)
        goto cleanup;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = read_table(db, s, text_col(st, 0), text_col(st, 1), err);
        if (rc != 0)
            goto cleanup;
    }
    if (step != SQLITE_DONE) {
        rc = strata_error_set(err, STRATA_EDB, "%s", sqlite3_errmsg(db));
        goto cleanup;
    }
    *out = s;
    s = NULL;
cleanup:
    sqlite3_finalize(st);
    strata_schema_free(s);
    return rc;
}

int strata_introspect(sqlite3 *db, struct strata_schema **out, struct strata_error *err)
{
    return read_tables(db, out,
                       "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND "
                       "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
                       "name NOT LIKE 'strata\\_%' ESCAPE '\\' ORDER BY name",
                       NULL, err);
}

int strata_introspect_table(sqlite3 *db, const char *name, struct strata_schema **out,
                            struct strata_error *err)
{
    int rc = read_tables(db, out,
                         "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND "
                         "name = ?1",
                         name, err);

    if (rc == 0 && (*out)->ntables == 0) {
        strata_schema_free(*out);
        *out = NULL;
        return strata_error_set(err, STRATA_ENOTFOUND, "no table %s in the database", name);
    }
    return rc;
}
