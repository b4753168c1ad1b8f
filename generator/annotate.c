/*
 * The annotation grammar (see annotate.h): a small lexer that tracks the line and column
 * of every token, a recursive-descent parser for items and values, and a table of keys
 * that says which target accepts each key and in which form.
 */
#include "annotate.h"

#include <string.h>

enum tok_kind { TOK_END, TOK_IDENT, TOK_NUMBER, TOK_STRING, TOK_PUNCT, TOK_BAD };

struct token {
    enum tok_kind kind;
    const char *start; /* into the text */
    size_t len;
    unsigned line, col;
};

struct lexer {
    const char *p, *end;
    unsigned line, col;
    bool fixed;
    unsigned fline, fcol;
    const char *file;
    struct strata_arena *a;
    struct diag *d;
    struct token tok; /* current token */
    int failed;
};

/* ===== Lexer ===== */

static void advance(struct lexer *lx, size_t n)
{
    while (n-- > 0 && lx->p < lx->end) {
        if (*lx->p == '\n') {
            lx->line++;
            lx->col = 1;
        } else {
            lx->col++;
        }
        lx->p++;
    }
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

/* Skips white space, comments and backslash-newlines. */
static void skip_space(struct lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(lx, 1);
        } else if (c == '\\' && lx->p + 1 < lx->end && lx->p[1] == '\n') {
            advance(lx, 2);
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
            advance(lx, 2);
            while (lx->p < lx->end &&
                   !(*lx->p == '*' && lx->p + 1 < lx->end && lx->p[1] == '/'))
                advance(lx, 1);
            advance(lx, 2);
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/') {
            while (lx->p < lx->end && *lx->p != '\n')
                advance(lx, 1);
        } else {
            break;
        }
    }
}

/* Length of a string literal starting at `p` (the quote), or 0 when unterminated. */
static size_t string_len(const char *p, const char *end)
{
    const char *q = p + 1;

    while (q < end && *q != '"' && *q != '\n') {
        if (*q == '\\' && q + 1 < end)
            q++;
        q++;
    }
    return q < end && *q == '"' ? (size_t)(q - p + 1) : 0;
}

/* Length of a number token starting at `p` (a digit, or '.' before a digit). */
static size_t number_len(const char *p, const char *end)
{
    const char *q = p;

    if (q + 1 < end && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        q += 2;
    } else {
        while (q < end && is_digit(*q))
            q++;
        if (q < end && *q == '.') {
            q++;
            while (q < end && is_digit(*q))
                q++;
        }
        if (q < end && (*q == 'e' || *q == 'E')) {
            const char *r = q + 1;
            if (r < end && (*r == '+' || *r == '-'))
                r++;
            if (r < end && is_digit(*r)) {
                q = r;
                while (q < end && is_digit(*q))
                    q++;
            }
        }
    }
    /* A number glued to letters ("10abc", "0x1F") is kept whole and judged later. */
    while (q < end && (is_ident_char(*q) || *q == '.'))
        q++;
    return (size_t)(q - p);
}

/* Reads the next token into lx->tok. */
static void next(struct lexer *lx)
{
    struct token *t = &lx->tok;

    skip_space(lx);
    t->start = lx->p;
    t->line = lx->fixed ? lx->fline : lx->line;
    t->col = lx->fixed ? lx->fcol : lx->col;
    t->len = 0;
    if (lx->p >= lx->end) {
        t->kind = TOK_END;
        return;
    }
    char c = *lx->p;
    if (is_ident_start(c)) {
        size_t n = 1;
        while (lx->p + n < lx->end && is_ident_char(lx->p[n]))
            n++;
        t->kind = TOK_IDENT;
        t->len = n;
    } else if (is_digit(c) || (c == '.' && lx->p + 1 < lx->end && is_digit(lx->p[1]))) {
        t->kind = TOK_NUMBER;
        t->len = number_len(lx->p, lx->end);
    } else if (c == '"') {
        t->len = string_len(lx->p, lx->end);
        t->kind = t->len ? TOK_STRING : TOK_BAD;
        if (t->len == 0)
            t->len = 1;
    } else if (strchr("=,().-+", c) != NULL) {
        t->kind = TOK_PUNCT;
        t->len = 1;
    } else {
        t->kind = TOK_BAD;
        t->len = 1;
    }
    advance(lx, t->len);
}

static bool is_punct(const struct token *t, char c)
{
    return t->kind == TOK_PUNCT && t->start[0] == c;
}

static bool tok_is(const struct token *t, const char *word)
{
    return t->kind == TOK_IDENT && strlen(word) == t->len && memcmp(t->start, word, t->len) == 0;
}

/* Reports "expected WHAT, found TOKEN" at the current token. */
static void expected(struct lexer *lx, const char *what)
{
    const struct token *t = &lx->tok;

    if (t->kind == TOK_END)
        diag_error(lx->d, lx->file, t->line, t->col, "expected %s at end of annotation", what);
    else if (t->kind == TOK_BAD && t->start[0] == '"')
        diag_error(lx->d, lx->file, t->line, t->col, "unterminated string literal");
    else
        diag_error(lx->d, lx->file, t->line, t->col, "expected %s, found '%.*s'", what,
                   (int)t->len, t->start);
    lx->failed = 1;
}

/* ===== Values ===== */

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decodes the string literal token `t` (quotes included) and appends its bytes to
 * `buf` at *n (buf has room for t->len bytes more). -1 after reporting a bad escape.
 */
static int decode_string(struct lexer *lx, const struct token *t, char *buf, size_t *n)
{
    const char *p = t->start + 1, *end = t->start + t->len - 1;

    while (p < end) {
        unsigned v;
        if (*p != '\\') {
            buf[(*n)++] = *p++;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': v = '\n'; p++; break;
        case 't': v = '\t'; p++; break;
        case 'r': v = '\r'; p++; break;
        case 'a': v = '\a'; p++; break;
        case 'b': v = '\b'; p++; break;
        case 'f': v = '\f'; p++; break;
        case 'v': v = '\v'; p++; break;
        case '\\': case '\'': case '"': case '?': v = (unsigned char)*p++; break;
        case 'x':
            p++;
            v = 0;
            if (p >= end || hex_value(*p) < 0)
                goto bad;
            while (p < end && hex_value(*p) >= 0)
                v = v * 16 + (unsigned)hex_value(*p++);
            if (v > 255)
                goto bad;
            break;
        default:
            if (*p < '0' || *p > '7')
                goto bad;
            v = 0;
            for (int i = 0; i < 3 && p < end && *p >= '0' && *p <= '7'; i++)
                v = v * 8 + (unsigned)(*p++ - '0');
            if (v > 255)
                goto bad;
            break;
        }
        if (v == 0) {
            diag_error(lx->d, lx->file, t->line, t->col, "string literal contains a NUL byte");
            return -1;
        }
        buf[(*n)++] = (char)v;
    }
    return 0;
bad:
    diag_error(lx->d, lx->file, t->line, t->col, "bad escape sequence in string literal");
    return -1;
}

/* true for a decimal integer or floating literal, or a 0x hex integer. */
static bool number_ok(const struct token *t)
{
    const char *p = t->start, *end = t->start + t->len;
    bool seen_dot = false, seen_exp = false, digit = false;

    if (t->len > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        for (p += 2; p < end; p++)
            if (hex_value(*p) < 0)
                return false;
        return true;
    }
    for (; p < end; p++) {
        if (is_digit(*p)) {
            digit = true;
        } else if (*p == '.' && !seen_dot && !seen_exp) {
            seen_dot = true;
        } else if ((*p == 'e' || *p == 'E') && digit && !seen_exp) {
            seen_exp = true;
            if (p + 1 < end && (p[1] == '+' || p[1] == '-'))
                p++;
            if (p + 1 >= end || !is_digit(p[1]))
                return false;
        } else {
            return false;
        }
    }
    return digit;
}

/* Parses a value at the current token into *v. -1 after reporting an error. */
static int parse_value(struct lexer *lx, struct annotate_value *v)
{
    struct token t = lx->tok;

    v->line = t.line;
    v->col = t.col;
    if (t.kind == TOK_STRING) {
        /* Room for every adjacent literal: the decoded text is never longer. */
        size_t room = 0, n = 0;
        struct lexer save = *lx;
        while (lx->tok.kind == TOK_STRING) {
            room += lx->tok.len;
            next(lx);
        }
        *lx = save;
        char *buf = strata_arena_alloc(lx->a, room + 1);
        if (buf == NULL)
            return -1;
        while (lx->tok.kind == TOK_STRING) {
            struct token s = lx->tok;
            if (decode_string(lx, &s, buf, &n) < 0) {
                lx->failed = 1;
                return -1;
            }
            next(lx);
        }
        buf[n] = '\0';
        v->kind = ANNOTATE_STRING;
        v->text = buf;
        return 0;
    }
    if (is_punct(&t, '-') || is_punct(&t, '+') || t.kind == TOK_NUMBER) {
        bool minus = is_punct(&t, '-');
        if (t.kind == TOK_PUNCT)
            next(lx);
        if (lx->tok.kind != TOK_NUMBER) {
            expected(lx, "a number");
            return -1;
        }
        if (!number_ok(&lx->tok)) {
            diag_error(lx->d, lx->file, lx->tok.line, lx->tok.col, "bad number '%.*s'",
                       (int)lx->tok.len, lx->tok.start);
            lx->failed = 1;
            return -1;
        }
        char *buf = strata_arena_alloc(lx->a, lx->tok.len + 2);
        if (buf == NULL)
            return -1;
        buf[0] = '-';
        memcpy(buf + minus, lx->tok.start, lx->tok.len);
        v->kind = ANNOTATE_NUMBER;
        v->text = buf;
        next(lx);
        return 0;
    }
    if (t.kind != TOK_IDENT) {
        expected(lx, "a value");
        return -1;
    }
    v->text = strata_arena_strndup(lx->a, t.start, t.len);
    if (v->text == NULL)
        return -1;
    next(lx);
    if (tok_is(&t, "true") || tok_is(&t, "false") || tok_is(&t, "null")) {
        v->kind = tok_is(&t, "true") ? ANNOTATE_TRUE
                  : tok_is(&t, "false") ? ANNOTATE_FALSE
                                        : ANNOTATE_NULL;
        return 0;
    }
    if (is_punct(&lx->tok, '.')) {
        next(lx);
        if (lx->tok.kind != TOK_IDENT) {
            expected(lx, "a field name after '.'");
            return -1;
        }
        v->kind = ANNOTATE_DOTTED;
        v->first = v->text;
        v->second = strata_arena_strndup(lx->a, lx->tok.start, lx->tok.len);
        v->line2 = lx->tok.line;
        v->col2 = lx->tok.col;
        v->text = strata_arena_alloc(lx->a, strlen(v->first) + lx->tok.len + 2);
        if (v->second == NULL || v->text == NULL)
            return -1;
        strcpy(v->text, v->first);
        strcat(v->text, ".");
        strcat(v->text, v->second);
        next(lx);
        return 0;
    }
    if (is_punct(&lx->tok, '(')) {
        /* name(number, ...): rebuilt without spaces */
        size_t room = strlen(v->text) + 2;
        struct lexer save = *lx;
        while (lx->tok.kind != TOK_END && !is_punct(&lx->tok, ')')) {
            room += lx->tok.len + 1;
            next(lx);
        }
        *lx = save;
        char *buf = strata_arena_alloc(lx->a, room + 1);
        if (buf == NULL)
            return -1;
        strcpy(buf, v->text);
        strcat(buf, "(");
        next(lx);
        for (;;) {
            if (lx->tok.kind != TOK_NUMBER || !number_ok(&lx->tok)) {
                expected(lx, "a number");
                return -1;
            }
            strncat(buf, lx->tok.start, lx->tok.len);
            next(lx);
            if (is_punct(&lx->tok, ')'))
                break;
            if (!is_punct(&lx->tok, ',')) {
                expected(lx, "',' or ')'");
                return -1;
            }
            strcat(buf, ",");
            next(lx);
        }
        strcat(buf, ")");
        next(lx);
        v->kind = ANNOTATE_CALL;
        v->text = buf;
        return 0;
    }
    v->kind = ANNOTATE_IDENT;
    return 0;
}

/* ===== Keys ===== */

enum key_form { K_NONE, K_FLAG, K_FLAG_OR_BOOL, K_VALUE, K_LIST };

#define V_STRING (1u << ANNOTATE_STRING)
#define V_NUMBER (1u << ANNOTATE_NUMBER)
#define V_BOOL ((1u << ANNOTATE_TRUE) | (1u << ANNOTATE_FALSE))
#define V_NULL (1u << ANNOTATE_NULL)
#define V_IDENT (1u << ANNOTATE_IDENT)
#define V_DOTTED (1u << ANNOTATE_DOTTED)
#define V_CALL (1u << ANNOTATE_CALL)
#define V_LITERAL (V_STRING | V_NUMBER | V_BOOL | V_NULL | V_IDENT)

struct key_spec {
    const char *name;
    enum key_form model, field;
    unsigned kinds;         /* accepted value kinds */
    bool repeat;            /* may repeat on a model */
    const char *what;       /* what a value must be, for messages */
};

static const struct key_spec keys[] = {
    /* name          model      field          kinds       repeat what */
    { "table",        K_VALUE, K_NONE,         V_STRING,   false, "a string literal" },
    { "renamed_from", K_VALUE, K_VALUE,        V_STRING,   false, "a string literal" },
    { "primary_key",  K_LIST,  K_FLAG,         V_IDENT,    false, "a field name" },
    { "unique",       K_LIST,  K_FLAG,         V_IDENT,    true,  "a field name" },
    { "index",        K_LIST,  K_FLAG,         V_IDENT,    true,  "a field name" },
    { "check",        K_LIST,  K_VALUE,        V_STRING,   true,  "a string literal" },
    { "comment",      K_VALUE, K_VALUE,        V_STRING,   false, "a string literal" },
    { "autoincrement", K_NONE, K_FLAG_OR_BOOL, V_BOOL,     false, "true or false" },
    { "nullable",     K_NONE,  K_FLAG,         0,          false, "" },
    { "not_null",     K_NONE,  K_FLAG,         0,          false, "" },
    { "default",      K_NONE,  K_VALUE,        V_LITERAL,  false,
      "a number, a string literal, true, false, null or an enum constant" },
    { "default_sql",  K_NONE,  K_VALUE,        V_STRING,   false, "a string literal" },
    { "backfill",     K_NONE,  K_VALUE,        V_LITERAL,  false,
      "a number, a string literal, true, false, null or an enum constant" },
    { "references",   K_NONE,  K_VALUE,        V_DOTTED,   false, "struct.field" },
    { "on_delete",    K_NONE,  K_VALUE,        V_IDENT,    false,
      "cascade, set_null, restrict or no_action" },
    { "on_update",    K_NONE,  K_VALUE,        V_IDENT,    false,
      "cascade, set_null, restrict or no_action" },
    { "type",         K_NONE,  K_VALUE,        V_IDENT | V_CALL | V_STRING, false,
      "a type name" },
    { "name",         K_NONE,  K_VALUE,        V_STRING,   false, "a string literal" },
    { "skip",         K_NONE,  K_FLAG,         0,          false, "" },
};

static const struct key_spec *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

bool annotate_key_allowed(const char *key, enum annotate_target target)
{
    const struct key_spec *k = find_key(key);

    return k != NULL && (target == ANNOTATE_MODEL ? k->model : k->field) != K_NONE;
}

static bool is_action(const char *s)
{
    return strcmp(s, "cascade") == 0 || strcmp(s, "set_null") == 0 ||
           strcmp(s, "restrict") == 0 || strcmp(s, "no_action") == 0;
}

/*
 * Checks one parsed item against the key table; `prior` are the items before it.
 * Reports and returns -1 on the first problem.
 */
static int check_item(struct lexer *lx, const struct annotate_item *it,
                      const struct annotate_item *prior, size_t nprior,
                      enum annotate_target target)
{
    const struct key_spec *k = find_key(it->key);
    const char *f = lx->file;
    enum key_form form;

    if (k == NULL) {
        diag_error(lx->d, f, it->line, it->col, "unknown key '%s'", it->key);
        return -1;
    }
    form = target == ANNOTATE_MODEL ? k->model : k->field;
    if (form == K_NONE) {
        diag_error(lx->d, f, it->line, it->col, "key '%s' is not allowed on a %s", it->key,
                   target == ANNOTATE_MODEL ? "model" : "field");
        return -1;
    }
    if (!(target == ANNOTATE_MODEL && k->repeat)) {
        for (size_t i = 0; i < nprior; i++) {
            if (strcmp(prior[i].key, it->key) == 0) {
                diag_error(lx->d, f, it->line, it->col, "duplicate key '%s'", it->key);
                return -1;
            }
        }
    }
    switch (form) {
    case K_FLAG:
        if (it->form != ANNOTATE_BARE) {
            const struct annotate_value *v = it->nvalues ? &it->values[0] : NULL;
            diag_error(lx->d, f, v ? v->line : it->line, v ? v->col : it->col,
                       "key '%s' takes no value", it->key);
            return -1;
        }
        return 0;
    case K_FLAG_OR_BOOL:
        if (it->form == ANNOTATE_BARE)
            return 0;
        if (it->form == ANNOTATE_LIST) {
            diag_error(lx->d, f, it->line, it->col, "key '%s' takes '= value', not a list",
                       it->key);
            return -1;
        }
        break;
    case K_VALUE:
        if (it->form == ANNOTATE_BARE) {
            diag_error(lx->d, f, it->line, it->col, "missing value for key '%s'", it->key);
            return -1;
        }
        if (it->form == ANNOTATE_LIST) {
            diag_error(lx->d, f, it->line, it->col, "key '%s' takes '= value', not a list",
                       it->key);
            return -1;
        }
        break;
    case K_LIST:
        if (it->form != ANNOTATE_LIST) {
            diag_error(lx->d, f, it->line, it->col, "key '%s' takes a list: %s(...)", it->key,
                       it->key);
            return -1;
        }
        if (it->nvalues == 0) {
            diag_error(lx->d, f, it->line, it->col, "missing value for key '%s'", it->key);
            return -1;
        }
        if (strcmp(it->key, "check") == 0 && it->nvalues > 1) {
            diag_error(lx->d, f, it->values[1].line, it->values[1].col,
                       "key 'check' takes one expression per item");
            return -1;
        }
        break;
    case K_NONE:
        break;
    }
    for (size_t i = 0; i < it->nvalues; i++) {
        const struct annotate_value *v = &it->values[i];
        bool ok = (k->kinds & (1u << v->kind)) != 0;
        if (ok && (strcmp(it->key, "on_delete") == 0 || strcmp(it->key, "on_update") == 0))
            ok = is_action(v->text);
        if (!ok) {
            if (v->kind == ANNOTATE_STRING)
                diag_error(lx->d, f, v->line, v->col,
                           "bad value for key '%s': expected %s, found a string literal",
                           it->key, k->what);
            else
                diag_error(lx->d, f, v->line, v->col,
                           "bad value '%s' for key '%s': expected %s", v->text, it->key,
                           k->what);
            return -1;
        }
    }
    return 0;
}

/* ===== Items ===== */

/* Parses `key`, `key = value` or `key(value, ...)` into *it. -1 after an error. */
static int parse_item(struct lexer *lx, struct annotate_item *it)
{
    if (lx->tok.kind != TOK_IDENT) {
        expected(lx, "a key");
        return -1;
    }
    it->key = strata_arena_strndup(lx->a, lx->tok.start, lx->tok.len);
    it->line = lx->tok.line;
    it->col = lx->tok.col;
    if (it->key == NULL)
        return -1;
    next(lx);
    if (is_punct(&lx->tok, '=')) {
        next(lx);
        it->form = ANNOTATE_ASSIGN;
        it->values = strata_arena_array(lx->a, 1, sizeof *it->values);
        if (it->values == NULL)
            return -1;
        it->nvalues = 1;
        return parse_value(lx, &it->values[0]);
    }
    if (is_punct(&lx->tok, '(')) {
        it->form = ANNOTATE_LIST;
        it->values = strata_arena_array(lx->a, 0, sizeof *it->values);
        if (it->values == NULL)
            return -1;
        next(lx);
        if (is_punct(&lx->tok, ')')) {
            next(lx);
            return 0;
        }
        for (;;) {
            struct annotate_value *v =
                strata_arena_push(lx->a, &it->values, &it->nvalues, sizeof *v);
            if (v == NULL || parse_value(lx, v) < 0)
                return -1;
            if (is_punct(&lx->tok, ')')) {
                next(lx);
                return 0;
            }
            if (!is_punct(&lx->tok, ',')) {
                expected(lx, "',' or ')'");
                return -1;
            }
            next(lx);
        }
    }
    it->form = ANNOTATE_BARE;
    return 0;
}

int annotate_parse(struct annotate_list *out, struct strata_arena *a, const char *text,
                   size_t len, const char *file, unsigned line, unsigned col, bool fixed,
                   enum annotate_target target, struct diag *d)
{
    struct lexer lx = { text, text + len, line, col, fixed, line, col, file, a, d,
                        { TOK_END, NULL, 0, 0, 0 }, 0 };
    int errors = 0;

    if (out->items == NULL) {
        out->items = strata_arena_array(a, 0, sizeof *out->items);
        if (out->items == NULL)
            return -1;
    }
    next(&lx);
    if (lx.tok.kind == TOK_END)
        return 0;
    for (;;) {
        struct annotate_item item;
        memset(&item, 0, sizeof item);
        if (parse_item(&lx, &item) < 0)
            return -1; /* syntax error (reported) or out of memory */
        if (check_item(&lx, &item, out->items, out->nitems, target) < 0) {
            errors++;
        } else {
            struct annotate_item *slot =
                strata_arena_push(a, &out->items, &out->nitems, sizeof *slot);
            if (slot == NULL)
                return -1;
            *slot = item;
        }
        if (lx.tok.kind == TOK_END)
            break;
        if (!is_punct(&lx.tok, ',')) {
            expected(&lx, "','");
            return -1;
        }
        next(&lx);
    }
    return errors ? -1 : 0;
}

const struct annotate_item *annotate_find(const struct annotate_list *l, const char *key)
{
    for (size_t i = 0; i < l->nitems; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return &l->items[i];
    return NULL;
}
