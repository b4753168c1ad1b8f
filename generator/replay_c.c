/*
 * Revision files replayed without compiling them (see replay_c.h).
 *
 * The file is parsed with its function bodies, against the real <strata/migration.h>
 * served from memory. Every call statement of `upgrade` whose callee starts with
 * `strata_` is an operation: its arguments are evaluated from the AST into a small value
 * tree (integers, strings, NULL, function names, and initializer lists with their
 * designators), converted to the structs migration.h declares, and passed to the real
 * operation function on a recorder, exactly as the compiled revision would.
 */
#include "replay_c.h"

#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "arena.h"
#include "error.h"

extern const char replay_migration_h[];
extern const unsigned long replay_migration_h_len;

#define BUILTIN_DIR "/<strata-builtin>"
#define BUILTIN_HEADER BUILTIN_DIR "/strata/migration.h"

/* ===== Values ===== */

enum vkind { V_INT, V_STR, V_NULL, V_FUNC, V_LIST };

struct value;

struct field {
    const char *name; /* a designator, or NULL for a positional element */
    struct value *v;
};

struct value {
    enum vkind kind;
    long long i;
    const char *s;
    struct field *fields;
    size_t nfields;
    CXCursor at;
};

struct reader {
    struct strata_arena arena;
    const struct revfile *r;
    struct diag *d;
    int errors;
};

/* Reports a problem at cursor `c`. */
static void error_at(struct reader *rd, CXCursor c, const char *fmt, const char *arg)
{
    unsigned line = 0, col = 0;
    char msg[512];

    clang_getExpansionLocation(clang_getCursorLocation(c), NULL, &line, &col, NULL);
    snprintf(msg, sizeof msg, fmt, arg);
    diag_error(rd->d, rd->r->path, line, col, "%s", msg);
    rd->errors++;
}

struct children {
    CXCursor items[16];
    unsigned n;
};

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent, CXClientData data)
{
    struct children *ch = data;

    (void)parent;
    if (ch->n < sizeof ch->items / sizeof ch->items[0])
        ch->items[ch->n++] = c;
    return CXChildVisit_Continue;
}

/* The direct children of `c` (at most 16: an initializer list uses list_children). */
static void children(CXCursor c, struct children *out)
{
    out->n = 0;
    clang_visitChildren(c, collect, out);
}

struct list_ctx {
    struct reader *rd;
    struct value *list;
    int failed;
};

static struct value *eval(struct reader *rd, CXCursor c);

static struct value *new_value(struct reader *rd, enum vkind kind, CXCursor at)
{
    struct value *v = strata_arena_alloc(&rd->arena, sizeof *v);

    if (v != NULL) {
        memset(v, 0, sizeof *v);
        v->kind = kind;
        v->at = at;
    }
    return v;
}

/* One element of an initializer list: `.name = value` or a positional value. */
static enum CXChildVisitResult list_element(CXCursor c, CXCursor parent, CXClientData data)
{
    struct list_ctx *ctx = data;
    struct field *f;
    struct children ch;

    (void)parent;
    f = strata_arena_push(&ctx->rd->arena, &ctx->list->fields, &ctx->list->nfields, sizeof *f);
    if (f == NULL) {
        ctx->failed = 1;
        return CXChildVisit_Break;
    }
    f->name = NULL;
    children(c, &ch);
    if (clang_getCursorKind(c) == CXCursor_UnexposedExpr && ch.n >= 2 &&
        clang_getCursorKind(ch.items[0]) == CXCursor_MemberRef) {
        CXString name = clang_getCursorSpelling(ch.items[0]);

        if (ch.n > 2 && clang_getCursorKind(ch.items[1]) == CXCursor_MemberRef) {
            clang_disposeString(name);
            error_at(ctx->rd, c, "cannot read back a nested designator%s", "");
            ctx->failed = 1;
            return CXChildVisit_Break;
        }
        f->name = strata_arena_strdup(&ctx->rd->arena, clang_getCString(name));
        clang_disposeString(name);
        c = ch.items[ch.n - 1];
    }
    f->v = eval(ctx->rd, c);
    if (f->v == NULL) {
        ctx->failed = 1;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

/* Evaluates with libclang's constant evaluator: an integer or a string literal. */
static struct value *eval_constant(struct reader *rd, CXCursor c)
{
    CXEvalResult res = clang_Cursor_Evaluate(c);
    struct value *v = NULL;

    if (res == NULL) {
        error_at(rd, c, "cannot read back this argument: it is not a constant%s", "");
        return NULL;
    }
    switch (clang_EvalResult_getKind(res)) {
    case CXEval_Int:
        if ((v = new_value(rd, V_INT, c)) != NULL)
            v->i = clang_EvalResult_getAsLongLong(res);
        break;
    case CXEval_StrLiteral:
        if ((v = new_value(rd, V_STR, c)) != NULL &&
            (v->s = strata_arena_strdup(&rd->arena, clang_EvalResult_getAsStr(res))) == NULL)
            v = NULL;
        break;
    default:
        error_at(rd, c, "cannot read back this argument: it is not a constant%s", "");
        break;
    }
    clang_EvalResult_dispose(res);
    return v;
}

/* The value of expression `c`; NULL after reporting why it has none. */
static struct value *eval(struct reader *rd, CXCursor c)
{
    enum CXCursorKind kind = clang_getCursorKind(c);
    struct children ch;
    struct value *v;

    switch (kind) {
    case CXCursor_InitListExpr: {
        struct list_ctx ctx = { rd, NULL, 0 };

        if ((ctx.list = new_value(rd, V_LIST, c)) == NULL)
            return NULL;
        clang_visitChildren(c, list_element, &ctx);
        return ctx.failed ? NULL : ctx.list;
    }
    case CXCursor_StringLiteral: {
        /* The spelling is the literal as clang prints it: adjacent ones joined, bytes
         * outside printable ASCII as escapes. */
        CXString text = clang_getCursorSpelling(c);
        const char *lit = clang_getCString(text);
        char *buf = strata_arena_alloc(&rd->arena, strlen(lit) + 1), *o = buf;
        const char *bad = buf != NULL ? revfile_decode_literal(lit, &o) : "out of memory";

        v = NULL;
        if (bad == NULL && (v = new_value(rd, V_STR, c)) != NULL) {
            *o = '\0';
            v->s = buf;
        }
        clang_disposeString(text);
        if (bad != NULL)
            error_at(rd, c, "cannot read back this string literal: %s", bad);
        return v;
    }
    case CXCursor_DeclRefExpr: {
        CXCursor ref = clang_getCursorReferenced(c);

        if (clang_getCursorKind(ref) == CXCursor_EnumConstantDecl) {
            if ((v = new_value(rd, V_INT, c)) != NULL)
                v->i = clang_getEnumConstantDeclValue(ref);
            return v;
        }
        if (clang_getCursorKind(ref) == CXCursor_FunctionDecl) {
            CXString name = clang_getCursorSpelling(ref);

            if ((v = new_value(rd, V_FUNC, c)) != NULL &&
                (v->s = strata_arena_strdup(&rd->arena, clang_getCString(name))) == NULL)
                v = NULL;
            clang_disposeString(name);
            return v;
        }
        return eval_constant(rd, c);
    }
    case CXCursor_ParenExpr:
    case CXCursor_UnexposedExpr:
    case CXCursor_CompoundLiteralExpr:
    case CXCursor_CStyleCastExpr:
        children(c, &ch);
        /* The last child is the operand; a TypeRef names the type written before it. */
        if (ch.n == 0 || clang_getCursorKind(ch.items[ch.n - 1]) == CXCursor_TypeRef)
            return eval_constant(rd, c);
        v = eval(rd, ch.items[ch.n - 1]);
        if (v != NULL && kind == CXCursor_CStyleCastExpr && v->kind == V_INT && v->i == 0 &&
            clang_getCursorType(c).kind == CXType_Pointer)
            v->kind = V_NULL;
        return v;
    default:
        return eval_constant(rd, c);
    }
}

/* ===== Values to migration.h's structs ===== */

static const char *to_str(struct reader *rd, const struct value *v, bool null_ok)
{
    if (v->kind == V_STR)
        return v->s;
    if (v->kind == V_NULL && null_ok)
        return NULL;
    error_at(rd, v->at, "cannot read back this argument: a string literal%s is expected",
             null_ok ? " or NULL" : "");
    return NULL;
}

static long long to_int(struct reader *rd, const struct value *v)
{
    if (v->kind == V_INT)
        return v->i;
    error_at(rd, v->at, "cannot read back this argument: a constant number is expected%s", "");
    return 0;
}

/*
 * Walks the fields of list `v` against the member names `names` (in declaration order),
 * calling `set(ctx, member index, value)` for each. Positional elements follow the
 * previous one, as in C.
 */
static int each_field(struct reader *rd, const struct value *v, const char *const *names,
                      size_t nnames, void (*set)(struct reader *, void *, size_t,
                                                 const struct value *),
                      void *ctx)
{
    size_t next = 0;
    int errors = rd->errors;

    if (v->kind != V_LIST) {
        error_at(rd, v->at, "cannot read back this argument: an initializer is expected%s", "");
        return STRATA_ERROR;
    }
    for (size_t i = 0; i < v->nfields; i++) {
        const struct field *f = &v->fields[i];

        if (f->name != NULL) {
            for (next = 0; next < nnames && strcmp(names[next], f->name) != 0; next++)
                ;
        }
        if (next >= nnames) {
            error_at(rd, f->v->at, "cannot read back this initializer: unknown member%s", "");
            return STRATA_ERROR;
        }
        set(rd, ctx, next++, f->v);
    }
    return rd->errors == errors ? 0 : STRATA_ERROR;
}

static const char *const type_members[] = { "kind", "length", "scale" };

static void set_type(struct reader *rd, void *ctx, size_t k, const struct value *v)
{
    struct strata_type *t = ctx;
    int n = (int)to_int(rd, v);

    if (k == 0)
        t->kind = (enum strata_type_kind)n;
    else if (k == 1)
        t->length = n;
    else
        t->scale = n;
}

static const char *const column_members[] = {
    "name",        "type",       "nullable",  "primary_key", "autoincrement",
    "unique",      "default_value", "default_sql", "check",  "enum_values",
    "references",  "on_delete",  "on_update", "comment",     "backfill",
};

static void set_column(struct reader *rd, void *ctx, size_t k, const struct value *v)
{
    struct strata_column_def *c = ctx;

    switch (k) {
    case 0: c->name = to_str(rd, v, true); break;
    case 1: each_field(rd, v, type_members, 3, set_type, &c->type); break;
    case 2: c->nullable = to_int(rd, v) != 0; break;
    case 3: c->primary_key = to_int(rd, v) != 0; break;
    case 4: c->autoincrement = to_int(rd, v) != 0; break;
    case 5: c->unique = to_int(rd, v) != 0; break;
    case 6: c->default_value = to_str(rd, v, true); break;
    case 7: c->default_sql = to_str(rd, v, true); break;
    case 8: c->check = to_str(rd, v, true); break;
    case 9: c->enum_values = to_str(rd, v, true); break;
    case 10: c->references = to_str(rd, v, true); break;
    case 11: c->on_delete = (enum strata_fk_action)to_int(rd, v); break;
    case 12: c->on_update = (enum strata_fk_action)to_int(rd, v); break;
    case 13: c->comment = to_str(rd, v, true); break;
    default: c->backfill = to_str(rd, v, true); break;
    }
}

/* A list of strings (NULL elements kept) as a NULL-terminated array in the arena. */
static const char **to_names(struct reader *rd, const struct value *v, size_t *count)
{
    const char **names;

    *count = 0;
    if (v->kind != V_LIST) {
        error_at(rd, v->at, "cannot read back this argument: a list of names is expected%s", "");
        return NULL;
    }
    names = strata_arena_alloc(&rd->arena, (v->nfields + 1) * sizeof *names);
    if (names == NULL)
        return NULL;
    for (size_t i = 0; i < v->nfields; i++)
        names[i] = to_str(rd, v->fields[i].v, true);
    names[v->nfields] = NULL;
    *count = v->nfields;
    return names;
}

static const char *const item_members[] = { "kind", "column", "columns", "text" };

static void set_item(struct reader *rd, void *ctx, size_t k, const struct value *v)
{
    struct strata_table_item *it = ctx;
    size_t n;

    if (k == 0)
        it->kind = (enum strata_item_kind)to_int(rd, v);
    else if (k == 1)
        each_field(rd, v, column_members, sizeof column_members / sizeof column_members[0],
                   set_column, &it->column);
    else if (k == 2)
        it->columns = to_names(rd, v, &n);
    else
        it->text = to_str(rd, v, true);
}

static int to_item(struct reader *rd, const struct value *v, struct strata_table_item *out)
{
    memset(out, 0, sizeof *out);
    return each_field(rd, v, item_members, 4, set_item, out);
}

/* ===== Operations ===== */

/* What a C hook becomes when read back: the hook is opaque, only its name is kept. */
static int opaque_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    (void)conn;
    (void)dialect;
    (void)errmsg;
    (void)errsize;
    return 0;
}

struct opdesc {
    const char *name;
    int nargs; /* including `op` */
    int count; /* the argument that counts the array before it (taken from the array) */
};

static const struct opdesc ops[] = {
    { "strata_create_table_n", 4, 3 },   { "strata_drop_table", 2, 0 },
    { "strata_add_column", 3, 0 },       { "strata_drop_column", 3, 0 },
    { "strata_create_index_n", 6, 5 },   { "strata_drop_index", 3, 0 },
    { "strata_rename_table", 3, 0 },     { "strata_rename_column", 4, 0 },
    { "strata_alter_column", 3, 0 },     { "strata_alter_primary_key_n", 4, 3 },
    { "strata_drop_primary_key", 2, 0 }, { "strata_create_foreign_key", 7, 0 },
    { "strata_create_check_constraint", 4, 0 }, { "strata_drop_constraint", 3, 0 },
    { "strata_alter_table_comment", 3, 0 },     { "strata_execute", 2, 0 },
    { "strata_execute_for", 3, 0 },      { "strata_run_hook", 3, 0 },
};

/* Records the operation call `call` (callee `name`) on `op`. */
static int record_call(struct reader *rd, struct strata_op *op, CXCursor call, const char *name)
{
    const struct opdesc *desc = NULL;
    struct value *a[8] = { NULL };
    struct strata_table_item item, *items;
    const char **names;
    size_t n, count;
    int errors = rd->errors;
    int nargs = clang_Cursor_getNumArguments(call);

    for (n = 0; n < sizeof ops / sizeof ops[0] && desc == NULL; n++)
        if (strcmp(ops[n].name, name) == 0)
            desc = &ops[n];
    if (desc == NULL) {
        error_at(rd, call, "cannot read back '%s': not a strata operation", name);
        return STRATA_ERROR;
    }
    if (nargs != desc->nargs) {
        error_at(rd, call, "cannot read back '%s': wrong number of arguments", name);
        return STRATA_ERROR;
    }
    for (int i = 1; i < nargs; i++)
        if (i != desc->count &&
            (a[i] = eval(rd, clang_Cursor_getArgument(call, (unsigned)i))) == NULL)
            return STRATA_ERROR;
    if (strcmp(name, "strata_create_table_n") == 0) {
        if (a[2]->kind != V_LIST) {
            error_at(rd, a[2]->at, "cannot read back the items of '%s'", name);
            return STRATA_ERROR;
        }
        items = strata_arena_alloc(&rd->arena, (a[2]->nfields + 1) * sizeof *items);
        if (items == NULL)
            return STRATA_ERROR;
        for (n = 0; n < a[2]->nfields; n++)
            to_item(rd, a[2]->fields[n].v, &items[n]);
        if (rd->errors == errors)
            strata_create_table_n(op, to_str(rd, a[1], true), items, a[2]->nfields);
    } else if (strcmp(name, "strata_drop_table") == 0) {
        strata_drop_table(op, to_str(rd, a[1], true));
    } else if (strcmp(name, "strata_add_column") == 0 || strcmp(name, "strata_alter_column") == 0) {
        if (to_item(rd, a[2], &item) == 0 && rd->errors == errors) {
            if (name[7] == 'a' && name[8] == 'd')
                strata_add_column(op, to_str(rd, a[1], true), item);
            else
                strata_alter_column(op, to_str(rd, a[1], true), item);
        }
    } else if (strcmp(name, "strata_drop_column") == 0) {
        strata_drop_column(op, to_str(rd, a[1], true), to_str(rd, a[2], true));
    } else if (strcmp(name, "strata_create_index_n") == 0) {
        names = to_names(rd, a[4], &count);
        if (rd->errors == errors)
            strata_create_index_n(op, to_str(rd, a[1], true), to_str(rd, a[2], true),
                                  to_int(rd, a[3]) != 0, names, count);
    } else if (strcmp(name, "strata_drop_index") == 0) {
        strata_drop_index(op, to_str(rd, a[1], true), to_str(rd, a[2], true));
    } else if (strcmp(name, "strata_rename_table") == 0) {
        strata_rename_table(op, to_str(rd, a[1], true), to_str(rd, a[2], true));
    } else if (strcmp(name, "strata_rename_column") == 0) {
        strata_rename_column(op, to_str(rd, a[1], true), to_str(rd, a[2], true),
                             to_str(rd, a[3], true));
    } else if (strcmp(name, "strata_alter_primary_key_n") == 0) {
        names = to_names(rd, a[2], &count);
        if (rd->errors == errors)
            strata_alter_primary_key_n(op, to_str(rd, a[1], true), names, count);
    } else if (strcmp(name, "strata_drop_primary_key") == 0) {
        strata_drop_primary_key(op, to_str(rd, a[1], true));
    } else if (strcmp(name, "strata_create_foreign_key") == 0) {
        strata_create_foreign_key(op, to_str(rd, a[1], true), to_str(rd, a[2], true),
                                  to_str(rd, a[3], true), to_str(rd, a[4], true),
                                  (enum strata_fk_action)to_int(rd, a[5]),
                                  (enum strata_fk_action)to_int(rd, a[6]));
    } else if (strcmp(name, "strata_create_check_constraint") == 0) {
        strata_create_check_constraint(op, to_str(rd, a[1], true), to_str(rd, a[2], true),
                                       to_str(rd, a[3], true));
    } else if (strcmp(name, "strata_drop_constraint") == 0) {
        strata_drop_constraint(op, to_str(rd, a[1], true), to_str(rd, a[2], true));
    } else if (strcmp(name, "strata_alter_table_comment") == 0) {
        strata_alter_table_comment(op, to_str(rd, a[1], true), to_str(rd, a[2], true));
    } else if (strcmp(name, "strata_execute") == 0) {
        /* Opaque to the schema: SQL that is not a literal is kept as a placeholder. */
        strata_execute(op, a[1]->kind == V_STR ? a[1]->s : "/* not a literal */");
    } else if (strcmp(name, "strata_execute_for") == 0) {
        strata_execute_for(op, to_str(rd, a[1], true),
                           a[2]->kind == V_STR ? a[2]->s : "/* not a literal */");
    } else {
        strata_run_hook(op, to_str(rd, a[1], true), opaque_hook);
    }
    if (rd->errors != errors)
        return STRATA_ERROR;
    if (op->failed) {
        error_at(rd, call, "%s", op->err.message);
        return STRATA_ERROR;
    }
    return 0;
}

/* ===== Walking `upgrade` ===== */

struct walk {
    struct reader *rd;
    struct strata_op *op;
    int nested; /* inside a statement other than the body's own list */
};

/* The callee's name when `c` is a call to a strata_ function, else NULL (caller frees). */
static char *strata_callee(CXCursor c)
{
    CXString s;
    char *name = NULL;

    if (clang_getCursorKind(c) != CXCursor_CallExpr)
        return NULL;
    s = clang_getCursorSpelling(c);
    if (strncmp(clang_getCString(s), "strata_", 7) == 0)
        name = strdup(clang_getCString(s));
    clang_disposeString(s);
    return name;
}

/* Reports an operation call found inside another statement. */
static enum CXChildVisitResult find_nested(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk *w = data;
    char *name = strata_callee(c);

    (void)parent;
    if (name != NULL) {
        error_at(w->rd, c,
                 "cannot read back '%s' here: operations must be plain call statements of "
                 "upgrade (not inside if, for, or another expression)",
                 name);
        free(name);
        return CXChildVisit_Continue;
    }
    return CXChildVisit_Recurse;
}

static enum CXChildVisitResult statement(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk *w = data;
    char *name = strata_callee(c);

    (void)parent;
    if (name != NULL) {
        if (!w->op->failed)
            record_call(w->rd, w->op, c, name);
        free(name);
        return CXChildVisit_Continue;
    }
    clang_visitChildren(c, find_nested, w);
    return CXChildVisit_Continue;
}

struct find_fn {
    const char *name;
    CXCursor body;
    int found;
};

static enum CXChildVisitResult find_function(CXCursor c, CXCursor parent, CXClientData data)
{
    struct find_fn *f = data;
    CXString s;
    struct children ch;

    (void)parent;
    if (clang_getCursorKind(c) != CXCursor_FunctionDecl || !clang_isCursorDefinition(c) ||
        !clang_Location_isFromMainFile(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    s = clang_getCursorSpelling(c);
    if (strcmp(clang_getCString(s), f->name) == 0) {
        children(c, &ch);
        for (unsigned i = 0; i < ch.n; i++)
            if (clang_getCursorKind(ch.items[i]) == CXCursor_CompoundStmt) {
                f->body = ch.items[i];
                f->found = 1;
            }
    }
    clang_disposeString(s);
    return f->found ? CXChildVisit_Break : CXChildVisit_Continue;
}

int replay_read_upgrade(struct strata_oplist *out, const struct revfile *r, struct diag *d)
{
    static const char *const args[] = { "-I" BUILTIN_DIR, "-std=c99" };
    struct CXUnsavedFile builtin = { BUILTIN_HEADER, replay_migration_h,
                                     replay_migration_h_len };
    struct reader rd = { { 0 }, r, d, 0 };
    struct strata_op op = { 0 };
    struct find_fn fn = { r->upgrade ? r->upgrade : "upgrade", { 0 }, 0 };
    struct walk w = { &rd, &op, 0 };
    CXIndex index = clang_createIndex(0, 0);
    CXTranslationUnit tu = NULL;
    int rc = STRATA_ERROR;

    op.list = out;
    if (clang_parseTranslationUnit2(index, r->path, args, 2, &builtin, 1,
                                    CXTranslationUnit_KeepGoing, &tu) != CXError_Success) {
        diag_error(d, r->path, 0, 0, "libclang could not parse this file");
        goto cleanup;
    }
    clang_visitChildren(clang_getTranslationUnitCursor(tu), find_function, &fn);
    if (!fn.found) {
        diag_error(d, r->path, r->line, r->column,
                   "cannot read back revision '%s': no definition of its upgrade function '%s'",
                   r->id, fn.name);
        goto cleanup;
    }
    clang_visitChildren(fn.body, statement, &w);
    if (rd.errors == 0)
        rc = 0;
cleanup:
    if (rc != 0)
        strata_oplist_clear(out);
    strata_arena_free(&rd.arena);
    if (tu != NULL)
        clang_disposeTranslationUnit(tu);
    clang_disposeIndex(index);
    return rc;
}

/* ===== The history ===== */

void replay_history_free(struct replay_history *h)
{
    for (size_t i = 0; i < h->count && h->after != NULL; i++) {
        strata_schema_free(h->after[i]);
        if (h->ups != NULL)
            strata_oplist_clear(&h->ups[i]);
    }
    free(h->ups);
    free(h->after);
    free(h->mismatch);
    memset(h, 0, sizeof *h);
}

/*
 * Applies `ops` (read from revision `r`) to `s`, keeping `sum` (the hash tracker of `s`,
 * or NULL) current; a failure is reported naming both.
 */
static int apply_ops(struct strata_schema *s, struct strata_hash_tracker *sum,
                     const struct strata_oplist *ops, const struct revfile *r, struct diag *d)
{
    struct strata_error err = { 0 };

    if (sum != NULL && strata_hash_tracker_before(sum, s, ops) != 0) {
        diag_error(d, NULL, 0, 0, "out of memory");
        return STRATA_ERROR;
    }
    for (size_t k = 0; k < ops->nops; k++) {
        if (strata_schema_apply(s, &ops->ops[k], &err) != 0) {
            diag_error(d, r->path, r->line, r->column,
                       "revision '%s': replaying upgrade operation %zu (%s) fails: %s", r->id,
                       k + 1, strata_op_name(ops->ops[k].kind), err.message);
            return STRATA_ERROR;
        }
    }
    if (sum != NULL && strata_hash_tracker_after(sum, s, ops) != 0) {
        diag_error(d, NULL, 0, 0, "out of memory");
        return STRATA_ERROR;
    }
    return 0;
}

/* Adds revision `i` and its ancestors to `set` (revlist indexes). */
static void ancestors(const struct revlist *l, size_t i, bool *set)
{
    if (set[i])
        return;
    set[i] = true;
    for (size_t k = 0; k < l->items[i].nparents; k++) {
        long p = revlist_find(l, l->items[i].parent_ids[k]);

        if (p >= 0)
            ancestors(l, (size_t)p, set);
    }
}

int replay_history(struct replay_history *out, const struct revlist *l, struct diag *d)
{
    struct strata_oplist *lists = calloc(l->count + 1, sizeof *lists);
    size_t *order = malloc((l->count + 1) * sizeof *order);
    bool *mine = calloc(l->count + 1, sizeof *mine), *base = calloc(l->count + 1, sizeof *base);
    struct strata_hash_tracker *sums = calloc(l->count + 1, sizeof *sums); /* of after[] */
    bool reported = false;
    int rc = 0;

    memset(out, 0, sizeof *out);
    out->after = calloc(l->count + 1, sizeof *out->after);
    out->mismatch = calloc(l->count + 1, sizeof *out->mismatch);
    out->count = l->count;
    if (lists == NULL || order == NULL || mine == NULL || base == NULL || sums == NULL ||
        out->after == NULL || out->mismatch == NULL) {
        diag_error(d, NULL, 0, 0, "out of memory");
        rc = STRATA_ERROR;
        goto cleanup;
    }
    for (size_t i = 0; i < l->count; i++)
        if (replay_read_upgrade(&lists[i], &l->items[i], d) != 0)
            rc = STRATA_ERROR;
    if (rc != 0)
        goto cleanup;
    revlist_order(l, order);
    for (size_t k = 0; k < l->count && rc == 0; k++) {
        size_t i = order[k];
        const struct revfile *r = &l->items[i];
        long first = r->nparents > 0 ? revlist_find(l, r->parent_ids[0]) : -1;
        struct strata_schema *s;
        char hash[65];

        /*
         * The first parent's schema, then what the other parents bring, then `i`. The
         * copy shares the parent's strings: the history is freed as a whole.
         */
        s = first >= 0 ? strata_schema_copy_shared(out->after[first]) : strata_schema_new();
        if (s == NULL) {
            diag_error(d, NULL, 0, 0, "out of memory");
            rc = STRATA_ERROR;
            break;
        }
        out->after[i] = s;
        if (first >= 0)
            sums[i] = sums[first];
        memset(mine, 0, l->count * sizeof *mine);
        memset(base, 0, l->count * sizeof *base);
        ancestors(l, i, mine);
        if (first >= 0)
            ancestors(l, (size_t)first, base);
        for (size_t j = 0; j < k && rc == 0; j++)
            if (mine[order[j]] && !base[order[j]])
                rc = apply_ops(s, &sums[i], &lists[order[j]], &l->items[order[j]], d);
        if (rc == 0)
            rc = apply_ops(s, &sums[i], &lists[i], r, d);
        if (rc != 0)
            break;
        strata_hash_tracker_hex(&sums[i], hash);
        if (r->schema_hash == NULL || strcmp(hash, r->schema_hash) == 0)
            continue;
        out->mismatch[i] = true;
        if (!reported)
            diag_error(d, r->path, r->line, r->column,
                       "revision '%s' records schema hash %.12s..., but replaying the history "
                       "up to it gives %.12s...: it was edited so that it no longer yields the "
                       "schema it was generated for",
                       r->id, r->schema_hash, hash);
        reported = true;
    }
cleanup:
    out->ups = lists;
    free(sums);
    free(order);
    free(mine);
    free(base);
    if (rc != 0)
        replay_history_free(out);
    return rc;
}

int replay_merged(struct strata_schema **out, const struct replay_history *h,
                  const struct revlist *l, const size_t *heads, size_t nheads, struct diag *d)
{
    size_t *order = malloc((l->count + 1) * sizeof *order);
    bool *mine = calloc(l->count + 1, sizeof *mine), *base = calloc(l->count + 1, sizeof *base);
    struct strata_schema *s = NULL;
    int rc = STRATA_ERROR;

    *out = NULL;
    if (order == NULL || mine == NULL || base == NULL || nheads == 0 ||
        (s = strata_schema_copy(h->after[heads[0]])) == NULL) {
        diag_error(d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    revlist_order(l, order);
    ancestors(l, heads[0], base);
    for (size_t k = 1; k < nheads; k++)
        ancestors(l, heads[k], mine);
    rc = 0;
    for (size_t k = 0; k < l->count && rc == 0; k++)
        if (mine[order[k]] && !base[order[k]])
            rc = apply_ops(s, NULL, &h->ups[order[k]], &l->items[order[k]], d);
    if (rc == 0) {
        *out = s;
        s = NULL;
    }
cleanup:
    strata_schema_free(s);
    free(order);
    free(mine);
    free(base);
    return rc;
}
