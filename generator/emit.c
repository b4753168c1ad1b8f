/*
 * The emitter (see emit.h): operation lists -> revision C text.
 *
 * Every call is laid out from a list of rendered arguments ("pieces"): as many per line
 * as fit in 100 columns, continuation lines aligned under the first argument. Column
 * designators are rendered in the order of struct strata_column_def and only when they
 * differ from the zero default, so the output reads like code a person would write.
 */
#include "emit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_COLUMNS 100

/* The rendered arguments of one call; `failed` is sticky like the buffer's. */
struct pieces {
    char **v;
    size_t n;
    size_t cap;
    int failed;
};

static void pieces_free(struct pieces *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

/* Takes ownership of the buffer's text as the next piece. */
static void pieces_take(struct pieces *p, struct strata_buf *b)
{
    char *text = NULL;

    if (strata_buf_detach(b, &text) != 0 || p->failed) {
        free(text);
        p->failed = 1;
        return;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        char **v = realloc(p->v, cap * sizeof(char *));

        if (v == NULL) {
            free(text);
            p->failed = 1;
            return;
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = text;
}

/*
 * Appends `s` as a C string literal that compiles back to the same bytes: quotes,
 * backslashes and control characters escaped (octal escapes are always three digits,
 * so a following digit cannot join them), `??` broken up so no trigraph forms, bytes
 * from 0x80 up kept as they are.
 */
static void cstr(struct strata_buf *b, const char *s)
{
    char esc[8];

    strata_buf_append(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            strata_buf_append(b, "\\\"");
            break;
        case '\\':
            strata_buf_append(b, "\\\\");
            break;
        case '\n':
            strata_buf_append(b, "\\n");
            break;
        case '\t':
            strata_buf_append(b, "\\t");
            break;
        case '\r':
            strata_buf_append(b, "\\r");
            break;
        case '?':
            strata_buf_append(b, p > (const unsigned char *)s && p[-1] == '?' ? "\\?" : "?");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof(esc), "\\%03o", *p);
                strata_buf_append(b, esc);
            } else {
                strata_buf_appendn(b, (const char *)p, 1);
            }
        }
    }
    strata_buf_append(b, "\"");
}

static void piece_printf(struct pieces *p, const char *fmt, ...) STRATA_PRINTF_(2, 3);

static void piece_printf(struct pieces *p, const char *fmt, ...)
{
    struct strata_buf b = { 0 };
    va_list ap;

    va_start(ap, fmt);
    strata_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    pieces_take(p, &b);
}

/* A piece `<prefix>"<s>"`: a string argument, or a designator with a string value. */
static void piece_str(struct pieces *p, const char *prefix, const char *s)
{
    struct strata_buf b = { 0 };

    strata_buf_append(&b, prefix);
    cstr(&b, s);
    pieces_take(p, &b);
}

static void spaces(struct strata_buf *b, size_t n)
{
    while (n-- > 0)
        strata_buf_append(b, " ");
}

/* The width of `prefix` + all pieces + `suffix` on one line. */
static size_t one_line(const char *prefix, const struct pieces *p, const char *suffix)
{
    size_t len = strlen(prefix) + strlen(suffix);

    for (size_t i = 0; i < p->n; i++)
        len += strlen(p->v[i]) + (i ? 2 : 0);
    return len;
}

/*
 * Writes `prefix`, the pieces separated by ", " and `suffix`, then a newline. A piece
 * that would end past MAX_COLUMNS starts a new line indented to the width of `prefix`
 * (a piece longer than a line is written whole).
 */
static void layout(struct strata_buf *b, const char *prefix, const struct pieces *p,
                   const char *suffix)
{
    size_t cont = strlen(prefix), col = cont;

    strata_buf_append(b, prefix);
    for (size_t i = 0; i < p->n; i++) {
        const char *end = i + 1 < p->n ? "," : suffix;
        size_t w = strlen(p->v[i]) + strlen(end);

        if (i > 0 && col + 1 + w > MAX_COLUMNS) {
            strata_buf_append(b, "\n");
            spaces(b, cont);
            col = cont;
        } else if (i > 0) {
            strata_buf_append(b, " ");
            col++;
        }
        strata_buf_append(b, p->v[i]);
        strata_buf_append(b, end);
        col += w;
    }
    if (p->n == 0)
        strata_buf_append(b, suffix);
    strata_buf_append(b, "\n");
}

/* ---- columns and table items ---- */

static const char *const type_macros[] = {
    [STRATA_TYPE_SMALLINT] = "STRATA_SMALLINT", [STRATA_TYPE_INTEGER] = "STRATA_INTEGER",
    [STRATA_TYPE_BIGINT] = "STRATA_BIGINT",     [STRATA_TYPE_BOOLEAN] = "STRATA_BOOLEAN",
    [STRATA_TYPE_REAL] = "STRATA_REAL",         [STRATA_TYPE_DOUBLE] = "STRATA_DOUBLE",
    [STRATA_TYPE_VARCHAR] = "STRATA_VARCHAR",   [STRATA_TYPE_TEXT] = "STRATA_TEXT",
    [STRATA_TYPE_BLOB] = "STRATA_BLOB",         [STRATA_TYPE_NUMERIC] = "STRATA_NUMERIC",
    [STRATA_TYPE_DATE] = "STRATA_DATE",         [STRATA_TYPE_DATETIME] = "STRATA_DATETIME",
    [STRATA_TYPE_TIMESTAMP] = "STRATA_TIMESTAMP", [STRATA_TYPE_JSON] = "STRATA_JSON",
    [STRATA_TYPE_UUID] = "STRATA_UUID",
};

static const char *const action_macros[] = {
    [STRATA_NO_ACTION] = "STRATA_NO_ACTION",
    [STRATA_RESTRICT] = "STRATA_RESTRICT",
    [STRATA_CASCADE] = "STRATA_CASCADE",
    [STRATA_SET_NULL] = "STRATA_SET_NULL",
};

static void piece_type(struct pieces *p, struct strata_type t)
{
    if (t.kind <= STRATA_TYPE_NONE || t.kind > STRATA_TYPE_UUID)
        piece_printf(p, "STRATA_TYPE_(%d, %d, %d)", (int)t.kind, t.length, t.scale);
    else if (t.kind == STRATA_TYPE_VARCHAR)
        piece_printf(p, "STRATA_VARCHAR(%d)", t.length);
    else if (t.kind == STRATA_TYPE_NUMERIC)
        piece_printf(p, "STRATA_NUMERIC(%d, %d)", t.length, t.scale);
    else
        piece_printf(p, "%s", type_macros[t.kind]);
}

/* The index `uq_<table>_<col>` that `.unique = true` on `col` would generate, or NULL. */
static const struct strata_index *column_unique(const struct strata_table *t, const char *col)
{
    char name[STRATA_NAME_MAX + 1];

    strata_make_name(name, "uq", (const char *const[]){ t->name, col, NULL });
    for (size_t i = 0; i < t->nindexes; i++) {
        const struct strata_index *ix = &t->indexes[i];

        if (ix->unique && ix->ncolumns == 1 && strcmp(ix->columns[0], col) == 0 &&
            strcmp(ix->name, name) == 0)
            return ix;
    }
    return NULL;
}

/* The pieces of STRATA_COLUMN(...) for column `c` of `t`. */
static void column_pieces(struct pieces *p, const struct strata_table *t,
                          const struct strata_column *c)
{
    const struct strata_foreign_key *fk = NULL;

    for (size_t i = 0; i < t->nforeign_keys && fk == NULL; i++)
        if (strcmp(t->foreign_keys[i].column, c->name) == 0)
            fk = &t->foreign_keys[i];
    piece_str(p, "", c->name);
    piece_type(p, c->type);
    if (c->nullable)
        piece_printf(p, ".nullable = true");
    if (t->nprimary_key == 1 && strcmp(t->primary_key[0], c->name) == 0)
        piece_printf(p, ".primary_key = true");
    if (c->autoincrement)
        piece_printf(p, ".autoincrement = true");
    if (column_unique(t, c->name) != NULL)
        piece_printf(p, ".unique = true");
    if (c->default_value != NULL)
        piece_str(p, ".default_value = ", c->default_value);
    if (c->default_sql != NULL)
        piece_str(p, ".default_sql = ", c->default_sql);
    if (c->check != NULL)
        piece_str(p, ".check = ", c->check);
    if (c->enum_values != NULL)
        piece_str(p, ".enum_values = ", c->enum_values);
    if (fk != NULL) {
        struct strata_buf ref = { 0 };

        strata_buf_printf(&ref, "%s.%s", fk->ref_table, fk->ref_column);
        if (ref.failed)
            p->failed = 1;
        else
            piece_str(p, ".references = ", ref.data);
        strata_buf_free(&ref);
        if (fk->on_delete != STRATA_NO_ACTION)
            piece_printf(p, ".on_delete = %s", action_macros[fk->on_delete]);
        if (fk->on_update != STRATA_NO_ACTION)
            piece_printf(p, ".on_update = %s", action_macros[fk->on_update]);
    }
    if (c->comment != NULL)
        piece_str(p, ".comment = ", c->comment);
    if (c->backfill != NULL)
        piece_str(p, ".backfill = ", c->backfill);
}

/* Writes one table item `macro(pieces)` at 8 spaces, ending with `suffix`. */
static void item(struct strata_buf *b, const char *macro, struct pieces *p, const char *suffix,
                 int *failed)
{
    char prefix[64];

    snprintf(prefix, sizeof(prefix), "        %s(", macro);
    if (p->failed)
        *failed = 1;
    else
        layout(b, prefix, p, suffix);
    pieces_free(p);
}

static void names_pieces(struct pieces *p, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        piece_str(p, "", names[i]);
}

/* true when `ix` is written inside the table: `.unique = true` or STRATA_UNIQUE. */
static bool inside_table(const struct strata_table *t, const struct strata_index *ix)
{
    return ix->unique && (ix->ncolumns > 1 || column_unique(t, ix->columns[0]) == ix);
}

/*
 * strata_create_table(op, "t", items...); then a create_index for each index the items
 * cannot carry (a plain index, or a unique one under another name).
 */
static void emit_create_table(struct strata_buf *b, const struct strata_table *t, int *failed)
{
    struct pieces p = { 0 };
    size_t nitems = t->ncolumns + (t->nprimary_key > 1) + t->nchecks + (t->comment != NULL);
    size_t k = 0;

    for (size_t i = 0; i < t->nindexes; i++)
        nitems += inside_table(t, &t->indexes[i]) && t->indexes[i].ncolumns > 1;
    strata_buf_append(b, "    strata_create_table(op, ");
    cstr(b, t->name);
    strata_buf_append(b, ",\n");
    for (size_t i = 0; i < t->ncolumns; i++) {
        column_pieces(&p, t, &t->columns[i]);
        item(b, "STRATA_COLUMN", &p, ++k == nitems ? "));" : "),", failed);
    }
    if (t->nprimary_key > 1) {
        names_pieces(&p, t->primary_key, t->nprimary_key);
        item(b, "STRATA_PRIMARY_KEY", &p, ++k == nitems ? "));" : "),", failed);
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        const struct strata_index *ix = &t->indexes[i];

        if (!inside_table(t, ix) || ix->ncolumns == 1)
            continue;
        names_pieces(&p, ix->columns, ix->ncolumns);
        item(b, "STRATA_UNIQUE", &p, ++k == nitems ? "));" : "),", failed);
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        piece_str(&p, "", t->checks[i].expr);
        item(b, "STRATA_CHECK", &p, ++k == nitems ? "));" : "),", failed);
    }
    if (t->comment != NULL) {
        piece_str(&p, "", t->comment);
        item(b, "STRATA_TABLE_COMMENT", &p, "));", failed);
    }
}

/* A call `    name(op, args...);` laid out from `p` (which it frees). */
static void call(struct strata_buf *b, const char *name, struct pieces *p, int *failed)
{
    char prefix[64];

    snprintf(prefix, sizeof(prefix), "    %s(", name);
    if (p->failed)
        *failed = 1;
    else
        layout(b, prefix, p, ");");
    pieces_free(p);
}

static void emit_index(struct strata_buf *b, const char *table, const struct strata_index *ix,
                       int *failed)
{
    struct pieces p = { 0 };

    piece_printf(&p, "op");
    piece_str(&p, "", ix->name);
    piece_str(&p, "", table);
    names_pieces(&p, ix->columns, ix->ncolumns);
    call(b, ix->unique ? "strata_create_unique_index" : "strata_create_index", &p, failed);
}

/*
 * strata_add_column(op, "t", STRATA_COLUMN(...)); (or strata_alter_column) on one line
 * when it fits, else with the column on its own line(s) as in create_table. An index of
 * the def that `.unique = true` does not carry follows as its own call.
 */
static void emit_add_column(struct strata_buf *b, const struct strata_opdef *op, int *failed)
{
    const struct strata_table *t = op->def;
    struct strata_buf head = { 0 };
    struct pieces p = { 0 };

    strata_buf_append(&head, op->kind == STRATA_OP_ALTER_COLUMN ? "    strata_alter_column(op, "
                                                                : "    strata_add_column(op, ");
    cstr(&head, op->table);
    column_pieces(&p, t, &t->columns[0]);
    if (head.failed || p.failed) {
        *failed = 1;
    } else if (one_line(head.data, &p, ", STRATA_COLUMN());") <= MAX_COLUMNS) {
        strata_buf_append(&head, ", STRATA_COLUMN(");
        if (!head.failed)
            layout(b, head.data, &p, "));");
    } else {
        strata_buf_append(b, head.data);
        strata_buf_append(b, ",\n");
        layout(b, "        STRATA_COLUMN(", &p, "));");
    }
    strata_buf_free(&head);
    pieces_free(&p);
    for (size_t i = 0; i < t->nindexes; i++)
        if (column_unique(t, t->columns[0].name) != &t->indexes[i])
            emit_index(b, op->table, &t->indexes[i], failed);
}

/*
 * strata_create_foreign_key(op, "fk_...", "t", "col", "ref.col", ON_DELETE, ON_UPDATE);
 * both actions always written, as the function takes them positionally.
 */
static void emit_foreign_key(struct strata_buf *b, const struct strata_opdef *op, int *failed)
{
    struct strata_buf ref = { 0 };
    struct pieces p = { 0 };

    piece_printf(&p, "op");
    piece_str(&p, "", op->name);
    piece_str(&p, "", op->table);
    piece_str(&p, "", op->fk.column);
    strata_buf_printf(&ref, "%s.%s", op->fk.ref_table, op->fk.ref_column);
    if (ref.failed)
        p.failed = 1;
    else
        piece_str(&p, "", ref.data);
    strata_buf_free(&ref);
    piece_printf(&p, "%s", action_macros[op->fk.on_delete]);
    piece_printf(&p, "%s", action_macros[op->fk.on_update]);
    call(b, "strata_create_foreign_key", &p, failed);
}

/* The `len` bytes of `text` made safe to sit inside a comment. */
static void comment_textn(struct strata_buf *b, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + len;

    for (; s < end; s++) {
        bool pair = s + 1 < end && ((*s == '*' && s[1] == '/') || (*s == '/' && s[1] == '*') ||
                                    (*s == '?' && s[1] == '?'));

        if (pair) {
            strata_buf_appendn(b, (const char *)s, 1);
            strata_buf_append(b, " ");
        } else if (*s < 0x20 || *s == 0x7f) {
            strata_buf_append(b, " ");
        } else {
            strata_buf_appendn(b, (const char *)s, 1);
        }
    }
}

/* A comment line with `text` made safe to sit inside a comment. */
static void comment_text(struct strata_buf *b, const char *text)
{
    comment_textn(b, text, strlen(text));
}

/*
 * The diff's note on an operation, as comment lines right above its call: one comment
 * per line of the note, its words wrapped (continuation lines aligned under the first
 * word) so no line passes MAX_COLUMNS unless a single word is that long.
 */
static void emit_note(struct strata_buf *b, const char *note)
{
    const size_t indent = strlen("    /* ");

    for (const char *line = note; *line != '\0';) {
        const char *end = line + strcspn(line, "\n"), *word = line;
        size_t col = indent;

        strata_buf_append(b, "    /* ");
        while (word < end) {
            size_t w = strcspn(word, " \n");

            if (col > indent && col + 1 + w + strlen(" */") > MAX_COLUMNS) {
                strata_buf_append(b, "\n");
                spaces(b, indent);
                col = indent;
            } else if (col > indent) {
                strata_buf_append(b, " ");
                col++;
            }
            comment_textn(b, word, w);
            col += w;
            word += w;
            while (word < end && *word == ' ')
                word++;
        }
        strata_buf_append(b, " */\n");
        line = *end == '\n' ? end + 1 : end;
    }
}

/* The body of upgrade() or downgrade(): one call per operation, in list order. */
static void emit_body(struct strata_buf *b, const struct strata_oplist *l, int *failed)
{
    size_t calls = 0;

    for (size_t i = 0; l != NULL && i < l->nops; i++) {
        const struct strata_opdef *op = &l->ops[i];
        struct pieces p = { 0 };

        calls++;
        if (op->note != NULL)
            emit_note(b, op->note);
        switch (op->kind) {
        case STRATA_OP_CREATE_TABLE:
            emit_create_table(b, op->def, failed);
            for (size_t k = 0; k < op->def->nindexes; k++)
                if (!inside_table(op->def, &op->def->indexes[k]))
                    emit_index(b, op->def->name, &op->def->indexes[k], failed);
            break;
        case STRATA_OP_DROP_TABLE:
            piece_printf(&p, "op");
            piece_str(&p, "", op->table);
            call(b, "strata_drop_table", &p, failed);
            break;
        case STRATA_OP_ADD_COLUMN:
        case STRATA_OP_ALTER_COLUMN:
            emit_add_column(b, op, failed);
            break;
        case STRATA_OP_RENAME_TABLE:
            piece_printf(&p, "op");
            piece_str(&p, "", op->table);
            piece_str(&p, "", op->new_name);
            call(b, "strata_rename_table", &p, failed);
            break;
        case STRATA_OP_RENAME_COLUMN:
            piece_printf(&p, "op");
            piece_str(&p, "", op->table);
            piece_str(&p, "", op->name);
            piece_str(&p, "", op->new_name);
            call(b, "strata_rename_column", &p, failed);
            break;
        case STRATA_OP_ALTER_PRIMARY_KEY:
            piece_printf(&p, "op");
            piece_str(&p, "", op->table);
            names_pieces(&p, op->index.columns, op->index.ncolumns);
            call(b, op->index.ncolumns > 0 ? "strata_alter_primary_key" : "strata_drop_primary_key",
                 &p, failed);
            break;
        case STRATA_OP_CREATE_FOREIGN_KEY:
            emit_foreign_key(b, op, failed);
            break;
        case STRATA_OP_CREATE_CHECK:
            piece_printf(&p, "op");
            piece_str(&p, "", op->name);
            piece_str(&p, "", op->table);
            piece_str(&p, "", op->sql);
            call(b, "strata_create_check_constraint", &p, failed);
            break;
        case STRATA_OP_DROP_CONSTRAINT:
            piece_printf(&p, "op");
            piece_str(&p, "", op->name);
            piece_str(&p, "", op->table);
            call(b, "strata_drop_constraint", &p, failed);
            break;
        case STRATA_OP_ALTER_TABLE_COMMENT:
            piece_printf(&p, "op");
            piece_str(&p, "", op->table);
            if (op->sql != NULL)
                piece_str(&p, "", op->sql);
            else
                piece_printf(&p, "NULL");
            call(b, "strata_alter_table_comment", &p, failed);
            break;
        case STRATA_OP_DROP_COLUMN:
            piece_printf(&p, "op");
            piece_str(&p, "", op->table);
            piece_str(&p, "", op->name);
            call(b, "strata_drop_column", &p, failed);
            break;
        case STRATA_OP_CREATE_INDEX:
            emit_index(b, op->table, &op->index, failed);
            break;
        case STRATA_OP_DROP_INDEX:
            piece_printf(&p, "op");
            piece_str(&p, "", op->name);
            piece_str(&p, "", op->table);
            call(b, "strata_drop_index", &p, failed);
            break;
        case STRATA_OP_EXECUTE:
            piece_printf(&p, "op");
            if (op->dialect != NULL)
                piece_str(&p, "", op->dialect);
            piece_str(&p, "", op->sql);
            call(b, op->dialect != NULL ? "strata_execute_for" : "strata_execute", &p, failed);
            break;
        case STRATA_OP_HOOK:
            /* A function pointer has no name to print: the author writes the call. */
            calls--;
            strata_buf_append(b, "    /* call strata_run_hook(op, ");
            comment_text(b, op->name ? op->name : "");
            strata_buf_append(b, ", fn) here */\n");
            break;
        }
    }
    if (calls == 0)
        strata_buf_append(b, "    /* write operations here */\n"
                             "    (void)op;\n");
}

/* The opening comment: the message, then the revision's identity as Alembic writes it. */
static void emit_header(struct strata_buf *b, const struct emit_info *info)
{
    const char *line = info->message ? info->message : "";

    strata_buf_append(b, "/*\n");
    for (;;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        struct strata_buf one = { 0 };

        strata_buf_appendn(&one, line, len);
        while (one.len > 0 && (one.data[one.len - 1] == ' ' || one.data[one.len - 1] == '\t'))
            one.data[--one.len] = '\0';
        strata_buf_append(b, one.len > 0 ? " * " : " *");
        if (one.len > 0)
            comment_text(b, one.data);
        if (one.failed)
            b->failed = 1;
        strata_buf_free(&one);
        strata_buf_append(b, "\n");
        if (nl == NULL)
            break;
        line = nl + 1;
    }
    strata_buf_append(b, " *\n");
    strata_buf_append(b, " * Revision ID: ");
    comment_text(b, info->id);
    strata_buf_append(b, "\n * Revises:");
    if (info->parents != NULL) {
        strata_buf_append(b, " ");
        for (const char *s = info->parents; *s != '\0'; s++) {
            if (*s == ' ')
                strata_buf_append(b, ", ");
            else
                strata_buf_appendn(b, s, 1);
        }
    }
    strata_buf_append(b, "\n * Create Date: ");
    comment_text(b, info->create_date);
    strata_buf_append(b, "\n */\n");
}

/* See emit.h. */
int emit_revision(char **out, const struct emit_info *info, const struct strata_oplist *up,
                  const struct strata_oplist *down)
{
    struct strata_buf b = { 0 };
    struct pieces p = { 0 };
    int failed = 0;

    *out = NULL;
    emit_header(&b, info);
    strata_buf_append(&b, "#include <strata/migration.h>\n"
                          "\n"
                          "static void upgrade(struct strata_op *op)\n"
                          "{\n");
    emit_body(&b, up, &failed);
    strata_buf_append(&b, "}\n"
                          "\n"
                          "static void downgrade(struct strata_op *op)\n"
                          "{\n");
    emit_body(&b, down, &failed);
    strata_buf_append(&b, "}\n\n");
    piece_str(&p, "", info->id);
    if (info->parents != NULL)
        piece_str(&p, "", info->parents);
    else
        piece_printf(&p, "NULL");
    piece_str(&p, "", info->message ? info->message : "");
    if (p.failed)
        failed = 1;
    else
        layout(&b, "STRATA_REVISION(", &p, ",");
    /* The hash and the functions keep lines of their own, as in DESIGN's example. */
    strata_buf_append(&b, "                ");
    cstr(&b, info->schema_hash);
    strata_buf_append(&b, ",\n                upgrade, downgrade);\n");
    pieces_free(&p);
    if (failed) {
        strata_buf_free(&b);
        return STRATA_ENOMEM;
    }
    return strata_buf_detach(&b, out);
}

/* "create table author", "add column book.isbn", ... into `out`. */
static void describe(char *out, size_t size, const struct strata_opdef *op)
{
    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
        snprintf(out, size, "create table %s", op->def ? op->def->name : op->table);
        break;
    case STRATA_OP_DROP_TABLE:
        snprintf(out, size, "drop table %s", op->table);
        break;
    case STRATA_OP_ADD_COLUMN:
        snprintf(out, size, "add column %s.%s", op->table, op->name);
        break;
    case STRATA_OP_DROP_COLUMN:
        snprintf(out, size, "drop column %s.%s", op->table, op->name);
        break;
    case STRATA_OP_CREATE_INDEX:
        snprintf(out, size, "create index %s", op->name);
        break;
    case STRATA_OP_DROP_INDEX:
        snprintf(out, size, "drop index %s", op->name);
        break;
    case STRATA_OP_EXECUTE:
        snprintf(out, size, "execute sql");
        break;
    case STRATA_OP_HOOK:
        snprintf(out, size, "run hook %s", op->name);
        break;
    case STRATA_OP_RENAME_TABLE:
        snprintf(out, size, "rename table %s to %s", op->table, op->new_name);
        break;
    case STRATA_OP_RENAME_COLUMN:
        snprintf(out, size, "rename column %s.%s to %s", op->table, op->name, op->new_name);
        break;
    case STRATA_OP_ALTER_COLUMN:
        snprintf(out, size, "alter column %s.%s", op->table, op->name);
        break;
    case STRATA_OP_ALTER_PRIMARY_KEY:
        snprintf(out, size, "%s primary key of %s", op->index.ncolumns ? "alter" : "drop",
                 op->table);
        break;
    case STRATA_OP_CREATE_FOREIGN_KEY:
        snprintf(out, size, "create foreign key %s", op->name);
        break;
    case STRATA_OP_CREATE_CHECK:
        snprintf(out, size, "create check %s", op->name);
        break;
    case STRATA_OP_DROP_CONSTRAINT:
        snprintf(out, size, "drop constraint %s", op->name);
        break;
    case STRATA_OP_ALTER_TABLE_COMMENT:
        snprintf(out, size, "alter comment of table %s", op->table);
        break;
    }
}

/* See emit.h. */
void emit_default_message(char *out, size_t size, const struct strata_oplist *up)
{
    char first[256], second[256];
    size_t n = up != NULL ? up->nops : 0;

    if (n == 0) {
        snprintf(out, size, "empty message");
        return;
    }
    describe(first, sizeof(first), &up->ops[0]);
    if (n == 1) {
        snprintf(out, size, "%s", first);
        return;
    }
    describe(second, sizeof(second), &up->ops[1]);
    if (n == 2)
        snprintf(out, size, "%s, %s", first, second);
    else
        snprintf(out, size, "%s, %s and %zu more", first, second, n - 2);
}
