/*
 * Reading revision files back with libclang (see revfile.h).
 *
 * Each file is parsed with -DSTRATA_GENERATOR and a detailed preprocessing record, so
 * the STRATA_REVISION(...) line is a macro expansion whose extent clang_tokenize turns
 * into the spelled tokens: the arguments are read from those, never from text matching,
 * and string literals are decoded as C does (escapes, adjacent literals joined).
 * <strata/migration.h> is served from memory with just the macro, so a revision reads the
 * same whether or not libstrata's headers are installed; the rest of the file (calls,
 * types) is not checked here, the app's compiler does that.
 */
#include "revfile.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>
#include <strata/strata.h>

#include "fileout.h"

#define BUILTIN_DIR "/<strata-builtin>"
#define BUILTIN_HEADER BUILTIN_DIR "/strata/migration.h"

/* Variadic, so a call with the wrong number of arguments is still an expansion. */
static const char builtin_migration_h[] = "#define STRATA_REVISION(...)\n";

bool revfile_valid_id(const char *id)
{
    size_t n = 0;

    if (id == NULL)
        return false;
    for (; id[n] != '\0'; n++) {
        char c = id[n];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_'))
            return false;
    }
    return n >= 1 && n <= REVFILE_ID_MAX;
}

void revfile_clear(struct revfile *r)
{
    size_t i;

    free(r->path);
    free(r->name);
    free(r->id);
    free(r->parents);
    for (i = 0; i < r->nparents; i++)
        free(r->parent_ids[i]);
    free(r->parent_ids);
    free(r->message);
    free(r->schema_hash);
    free(r->create_date);
    free(r->upgrade);
    memset(r, 0, sizeof *r);
}

void revlist_free(struct revlist *l)
{
    size_t i;

    for (i = 0; i < l->count; i++)
        revfile_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* ---- string literals ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(char **o, unsigned long cp)
{
    char *p = *o;

    if (cp < 0x80) {
        *p++ = (char)cp;
    } else if (cp < 0x800) {
        *p++ = (char)(0xc0 | (cp >> 6));
        *p++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *p++ = (char)(0xe0 | (cp >> 12));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *p++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *p++ = (char)(0xf0 | (cp >> 18));
        *p++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *p++ = (char)(0x80 | (cp & 0x3f));
    }
    *o = p;
}

const char *revfile_decode_literal(const char *lit, char **o)
{
    const char *s = lit;
    size_t n;

    if (strncmp(s, "u8", 2) == 0)
        s += 2;
    n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return "not a plain string literal";
    for (s++; s < lit + strlen(lit) - 1; s++) {
        unsigned long v = 0;
        int k, digits;

        if (*s != '\\') {
            *(*o)++ = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'n': v = '\n'; break;
        case 't': v = '\t'; break;
        case 'r': v = '\r'; break;
        case 'a': v = '\a'; break;
        case 'b': v = '\b'; break;
        case 'f': v = '\f'; break;
        case 'v': v = '\v'; break;
        case '\\': case '\'': case '"': case '?': v = (unsigned char)*s; break;
        case 'x':
            for (digits = 0; (k = hexval(s[1])) >= 0; digits++, s++)
                v = v * 16 + (unsigned long)k;
            if (digits == 0 || v > 0xff)
                return "invalid \\x escape";
            break;
        case 'u': case 'U':
            digits = *s == 'u' ? 4 : 8;
            for (; digits > 0; digits--, s++) {
                if ((k = hexval(s[1])) < 0)
                    return "invalid universal character name";
                v = v * 16 + (unsigned long)k;
            }
            if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                return "invalid universal character name";
            if (v == 0)
                return "string contains a NUL byte";
            put_utf8(o, v);
            continue;
        default:
            if (*s < '0' || *s > '7')
                return "unknown escape sequence";
            v = (unsigned long)(*s - '0');
            for (digits = 1; digits < 3 && s[1] >= '0' && s[1] <= '7'; digits++, s++)
                v = v * 8 + (unsigned long)(s[1] - '0');
            if (v > 0xff)
                return "octal escape out of range";
            break;
        }
        if (v == 0)
            return "string contains a NUL byte";
        *(*o)++ = (char)v;
    }
    return NULL;
}

/* ---- reading one file ---- */

struct find_ctx {
    CXCursor found;
    int count;
    unsigned line2, col2; /* of a second expansion */
};

static enum CXChildVisitResult find_revision(CXCursor c, CXCursor parent, CXClientData data)
{
    struct find_ctx *ctx = data;
    CXString name;
    int match;

    (void)parent;
    if (clang_getCursorKind(c) != CXCursor_MacroExpansion ||
        !clang_Location_isFromMainFile(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    name = clang_getCursorSpelling(c);
    match = strcmp(clang_getCString(name), "STRATA_REVISION") == 0;
    clang_disposeString(name);
    if (!match)
        return CXChildVisit_Continue;
    if (ctx->count++ == 0) {
        ctx->found = c;
    } else if (ctx->count == 2) {
        clang_getExpansionLocation(clang_getCursorLocation(c), NULL, &ctx->line2, &ctx->col2,
                                   NULL);
    }
    return CXChildVisit_Continue;
}

static void token_pos(CXTranslationUnit tu, CXToken t, unsigned *line, unsigned *col)
{
    clang_getExpansionLocation(clang_getTokenLocation(tu, t), NULL, line, col, NULL);
}

/*
 * Decodes argument tokens [from, to) as a string (adjacent literals joined) or NULL.
 * *out is malloc'ed, or NULL for the NULL constant. Reports and returns STRATA_ERROR
 * when the argument is neither.
 */
static int decode_arg(char **out, CXTranslationUnit tu, CXToken *toks, unsigned from,
                      unsigned to, const char *what, bool null_ok, const char *path,
                      struct diag *d)
{
    size_t room = 1;
    unsigned i, line, col;
    char *buf = NULL, *o;
    const char *bad = NULL;

    *out = NULL;
    if (from == to) {
        token_pos(tu, toks[from > 0 ? from - 1 : 0], &line, &col);
        diag_error(d, path, line, col, "STRATA_REVISION: missing %s", what);
        return STRATA_ERROR;
    }
    token_pos(tu, toks[from], &line, &col);
    if (to - from == 1 && clang_getTokenKind(toks[from]) == CXToken_Identifier) {
        CXString s = clang_getTokenSpelling(tu, toks[from]);
        int is_null = strcmp(clang_getCString(s), "NULL") == 0;

        clang_disposeString(s);
        if (is_null && null_ok)
            return 0;
    }
    for (i = from; i < to; i++) {
        CXString s = clang_getTokenSpelling(tu, toks[i]);

        room += strlen(clang_getCString(s));
        clang_disposeString(s);
        if (clang_getTokenKind(toks[i]) != CXToken_Literal) {
            token_pos(tu, toks[i], &line, &col);
            bad = "not a string literal";
            goto fail;
        }
    }
    buf = malloc(room);
    if (buf == NULL) {
        bad = "out of memory";
        goto fail;
    }
    o = buf;
    for (i = from; i < to && bad == NULL; i++) {
        CXString s = clang_getTokenSpelling(tu, toks[i]);

        token_pos(tu, toks[i], &line, &col);
        bad = revfile_decode_literal(clang_getCString(s), &o);
        clang_disposeString(s);
    }
    if (bad != NULL)
        goto fail;
    *o = '\0';
    *out = buf;
    return 0;
fail:
    free(buf);
    diag_error(d, path, line, col, "STRATA_REVISION: %s %s%s", what, bad,
               null_ok ? " (a string literal or NULL)" : "");
    return STRATA_ERROR;
}

/* Splits r->parents at single spaces into r->parent_ids. */
static int split_parents(struct revfile *r)
{
    const char *p = r->parents;
    size_t n = 1, i;

    if (p == NULL)
        return 0;
    for (i = 0; p[i] != '\0'; i++)
        n += p[i] == ' ';
    r->parent_ids = calloc(n, sizeof *r->parent_ids);
    if (r->parent_ids == NULL)
        return STRATA_ENOMEM;
    for (;;) {
        size_t len = strcspn(p, " ");

        r->parent_ids[r->nparents] = strndup(p, len);
        if (r->parent_ids[r->nparents] == NULL)
            return STRATA_ENOMEM;
        r->nparents++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return 0;
}

/* The `Create Date: ...` line of the opening comment, or NULL. */
static char *find_create_date(const char *text)
{
    const char *end = strstr(text, "*/");
    const char *p = strstr(text, "Create Date: ");

    if (p == NULL || (end != NULL && p > end))
        return NULL;
    p += strlen("Create Date: ");
    return strndup(p, strcspn(p, "\r\n"));
}

/*
 * Reads the STRATA_REVISION arguments of tokens [0, n) (name, '(' ... ')') into `r`.
 */
static int read_args(struct revfile *r, CXTranslationUnit tu, CXToken *toks, unsigned n,
                     const char *path, struct diag *d)
{
    static const char *const what[] = { "revision id", "parents", "message", "schema hash" };
    unsigned starts[7], nargs = 0, depth = 0, i, line, col;
    char *vals[4] = { NULL, NULL, NULL, NULL };
    int rc = STRATA_ERROR;

    for (i = 1; i < n; i++) {
        CXString s = clang_getTokenSpelling(tu, toks[i]);
        const char *t = clang_getCString(s);
        bool punct = clang_getTokenKind(toks[i]) == CXToken_Punctuation;

        if (punct && (strcmp(t, "(") == 0 || strcmp(t, "[") == 0 || strcmp(t, "{") == 0)) {
            if (depth++ == 0)
                starts[nargs++] = i + 1;
        } else if (punct && (strcmp(t, ")") == 0 || strcmp(t, "]") == 0 ||
                             strcmp(t, "}") == 0)) {
            depth--;
        } else if (punct && depth == 1 && strcmp(t, ",") == 0 && nargs < 7) {
            starts[nargs++] = i + 1;
        }
        clang_disposeString(s);
        if (depth == 0 || nargs == 7)
            break;
    }
    if (nargs != 6 || i >= n) {
        token_pos(tu, toks[0], &line, &col);
        diag_error(d, path, line, col,
                   "STRATA_REVISION takes 6 arguments (id, parents, message, schema hash, "
                   "upgrade, downgrade)");
        return STRATA_ERROR;
    }
    starts[6] = i + 1;
    for (i = 0; i < 4; i++) {
        if (decode_arg(&vals[i], tu, toks, starts[i], starts[i + 1] - 1, what[i],
                       i == 1 || i == 3, path, d) != 0)
            goto cleanup;
    }
    if (!revfile_valid_id(vals[0])) {
        token_pos(tu, toks[starts[0]], &line, &col);
        diag_error(d, path, line, col, "invalid revision id '%s' (expected [0-9a-z_]{1,32})",
                   vals[0]);
        goto cleanup;
    }
    /* The upgrade function's name, when it is a plain identifier (check and merge read
     * its body back). */
    if (starts[5] - starts[4] == 2 &&
        clang_getTokenKind(toks[starts[4]]) == CXToken_Identifier) {
        CXString fn = clang_getTokenSpelling(tu, toks[starts[4]]);

        r->upgrade = strdup(clang_getCString(fn));
        clang_disposeString(fn);
    }
    r->id = vals[0];
    r->parents = vals[1];
    r->message = vals[2];
    r->schema_hash = vals[3];
    memset(vals, 0, sizeof vals);
    if (split_parents(r) != 0) {
        diag_error(d, path, 0, 0, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < r->nparents; i++) {
        if (!revfile_valid_id(r->parent_ids[i])) {
            token_pos(tu, toks[starts[1]], &line, &col);
            diag_error(d, path, line, col,
                       "invalid parents '%s' (expected revision ids separated by single "
                       "spaces, or NULL)",
                       r->parents);
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    for (i = 0; i < 4; i++)
        free(vals[i]);
    return rc;
}

int revfile_read(struct revfile *out, const char *path, struct diag *d)
{
    static const char *const args[] = { "-DSTRATA_GENERATOR", "-I" BUILTIN_DIR };
    struct CXUnsavedFile builtin = { BUILTIN_HEADER, builtin_migration_h,
                                     sizeof builtin_migration_h - 1 };
    CXIndex index = NULL;
    CXTranslationUnit tu = NULL;
    CXToken *toks = NULL;
    unsigned ntoks = 0, line = 1, col = 1;
    struct find_ctx ctx;
    char *text = NULL;
    const char *p;
    int rc = STRATA_ERROR;

    memset(out, 0, sizeof *out);
    memset(&ctx, 0, sizeof ctx);
    rc = fileout_read(&text, NULL, path, d);
    if (rc == STRATA_ENOTFOUND)
        diag_error(d, path, 0, 0, "no such file");
    if (rc != 0)
        return STRATA_ERROR;
    rc = STRATA_ERROR;
    index = clang_createIndex(0, 0);
    if (clang_parseTranslationUnit2(index, path, args, 2, &builtin, 1,
                                    CXTranslationUnit_DetailedPreprocessingRecord |
                                        CXTranslationUnit_SkipFunctionBodies |
                                        CXTranslationUnit_KeepGoing,
                                    &tu) != CXError_Success) {
        diag_error(d, path, 0, 0, "libclang could not parse this file");
        goto cleanup;
    }
    clang_visitChildren(clang_getTranslationUnitCursor(tu), find_revision, &ctx);
    if (ctx.count == 0) {
        for (p = text; *p != '\0'; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        diag_error(d, path, line, col, "no STRATA_REVISION(...) in revision file");
        goto cleanup;
    }
    if (ctx.count > 1) {
        diag_error(d, path, ctx.line2, ctx.col2,
                   "a second STRATA_REVISION(...) in revision file");
        goto cleanup;
    }
    clang_getExpansionLocation(clang_getCursorLocation(ctx.found), NULL, &out->line,
                               &out->column, NULL);
    clang_tokenize(tu, clang_getCursorExtent(ctx.found), &toks, &ntoks);
    if (read_args(out, tu, toks, ntoks, path, d) != 0)
        goto cleanup;
    out->create_date = find_create_date(text);
    out->path = strdup(path);
    if (out->path == NULL) {
        diag_error(d, path, 0, 0, "out of memory");
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (toks != NULL)
        clang_disposeTokens(tu, toks, ntoks);
    if (tu != NULL)
        clang_disposeTranslationUnit(tu);
    if (index != NULL)
        clang_disposeIndex(index);
    free(text);
    if (rc != 0)
        revfile_clear(out);
    return rc;
}

/* ---- the versions directory ---- */

/* "a/b" in a new malloc'ed string, or NULL when out of memory. */
static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);

    if (s != NULL) {
        memcpy(s, a, na);
        s[na] = '/';
        memcpy(s + na + 1, b, nb + 1);
    }
    return s;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the NNNN of `name` into *number; false when it does not start with digits + _ or . */
static bool file_number(const char *name, unsigned *number)
{
    unsigned long v = 0;
    size_t i;

    for (i = 0; name[i] >= '0' && name[i] <= '9'; i++) {
        v = v * 10 + (unsigned long)(name[i] - '0');
        if (v > 99999999)
            return false;
    }
    if (i == 0 || (name[i] != '_' && name[i] != '.'))
        return false;
    *number = (unsigned)v;
    return true;
}

int revlist_load(struct revlist *out, const char *dir, struct diag *d)
{
    char *vdir = NULL, **names = NULL;
    size_t nnames = 0, cap = 0, i;
    struct dirent *e;
    DIR *dh = NULL;
    int errors = d->errors;

    out->items = NULL;
    out->count = 0;
    vdir = join(dir, "versions");
    if (vdir == NULL)
        goto nomem;
    dh = opendir(vdir);
    if (dh == NULL)
        goto cleanup; /* git drops empty folders: no versions/ is no revision */
    while ((e = readdir(dh)) != NULL) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.' || len < 3 || strcmp(e->d_name + len - 2, ".c") != 0)
            continue;
        if (nnames == cap) {
            char **p;

            cap = cap ? cap * 2 : 16;
            p = realloc(names, cap * sizeof *names);
            if (p == NULL)
                goto nomem;
            names = p;
        }
        names[nnames] = strdup(e->d_name);
        if (names[nnames] == NULL)
            goto nomem;
        nnames++;
    }
    if (nnames == 0)
        goto cleanup;
    qsort(names, nnames, sizeof *names, cmp_names);
    out->items = calloc(nnames, sizeof *out->items);
    if (out->items == NULL)
        goto nomem;
    for (i = 0; i < nnames; i++) {
        struct revfile *r = &out->items[out->count];
        char *path = join(vdir, names[i]);
        unsigned number = 0;

        if (path == NULL)
            goto nomem;
        if (!file_number(names[i], &number)) {
            diag_error(d, path, 0, 0,
                       "revision file name does not start with its number (NNNN_slug.c)");
        } else if (revfile_read(r, path, d) == 0) {
            r->number = number;
            r->name = names[i];
            names[i] = NULL;
            out->count++;
        }
        free(path);
    }
    goto cleanup;
nomem:
    diag_error(d, NULL, 0, 0, "out of memory");
cleanup:
    if (dh != NULL)
        closedir(dh);
    for (i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    free(vdir);
    if (d->errors != errors) {
        revlist_free(out);
        return STRATA_ERROR;
    }
    return 0;
}

/* ---- the graph ---- */

long revlist_find(const struct revlist *l, const char *id)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        if (strcmp(l->items[i].id, id) == 0)
            return (long)i;
    }
    return -1;
}

bool revlist_is_head(const struct revlist *l, size_t i)
{
    size_t j, k;

    for (j = 0; j < l->count; j++) {
        for (k = 0; k < l->items[j].nparents; k++) {
            if (strcmp(l->items[j].parent_ids[k], l->items[i].id) == 0)
                return false;
        }
    }
    return true;
}

size_t revlist_heads(const struct revlist *l, size_t *out)
{
    size_t i, n = 0;

    for (i = 0; i < l->count; i++) {
        if (revlist_is_head(l, i))
            out[n++] = i;
    }
    return n;
}

/* true when every parent of revision `i` that exists is marked done. */
static bool ready(const struct revlist *l, size_t i, const bool *done)
{
    size_t k;

    for (k = 0; k < l->items[i].nparents; k++) {
        long p = revlist_find(l, l->items[i].parent_ids[k]);

        if (p >= 0 && (size_t)p != i && !done[p])
            return false;
    }
    return true;
}

void revlist_order(const struct revlist *l, size_t *out)
{
    bool *done = calloc(l->count ? l->count : 1, sizeof *done);
    size_t n = 0, i;
    bool progress = true;

    if (done == NULL) {
        /* Out of memory: file order is the best guess left. */
        for (i = 0; i < l->count; i++)
            out[i] = i;
        return;
    }
    /* Files are sorted by number: the first ready one in file order goes next. */
    while (progress) {
        progress = false;
        for (i = 0; i < l->count; i++) {
            if (!done[i] && ready(l, i, done)) {
                done[i] = true;
                out[n++] = i;
                progress = true;
                break;
            }
        }
    }
    for (i = 0; i < l->count; i++) {
        if (!done[i])
            out[n++] = i;
    }
    free(done);
}

int revlist_check(const struct revlist *l, struct diag *d)
{
    size_t i, j, k;
    int problems = 0;

    for (i = 0; i < l->count; i++) {
        const struct revfile *r = &l->items[i];

        for (j = 0; j < i; j++) {
            if (strcmp(l->items[j].id, r->id) == 0) {
                diag_error(d, r->path, r->line, r->column, "duplicate revision id '%s'", r->id);
                diag_note(d, l->items[j].path, l->items[j].line, l->items[j].column,
                          "previously declared here");
                problems++;
                break;
            }
        }
        for (k = 0; k < r->nparents; k++) {
            if (revlist_find(l, r->parent_ids[k]) < 0) {
                diag_error(d, r->path, r->line, r->column,
                           "revision '%s' revises '%s', which no revision file defines", r->id,
                           r->parent_ids[k]);
                problems++;
            }
        }
    }
    /* A cycle: some revision is never ready. */
    if (l->count > 0) {
        bool *done = calloc(l->count, sizeof *done);
        bool progress = true;

        if (done == NULL) {
            diag_error(d, NULL, 0, 0, "out of memory");
            return problems + 1;
        }
        while (progress) {
            progress = false;
            for (i = 0; i < l->count; i++) {
                if (!done[i] && ready(l, i, done)) {
                    done[i] = progress = true;
                }
            }
        }
        for (i = 0; i < l->count; i++) {
            if (!done[i]) {
                diag_error(d, l->items[i].path, l->items[i].line, l->items[i].column,
                           "revision '%s' is part of a cycle in the Revises graph",
                           l->items[i].id);
                problems++;
            }
        }
        free(done);
    }
    return problems;
}
