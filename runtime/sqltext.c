/*
 * SQL text shared by the dialects (see sqltext.h).
 */
#include "sqltext.h"

#include <string.h>

/* Appends `text` between `q` characters, doubling every `q` inside it. */
static void quote_with(struct strata_buf *b, const char *text, char q)
{
    const char *p = text;
    const char *hit;

    strata_buf_appendn(b, &q, 1);
    while ((hit = strchr(p, q)) != NULL) {
        strata_buf_appendn(b, p, (size_t)(hit - p) + 1);
        strata_buf_appendn(b, &q, 1);
        p = hit + 1;
    }
    strata_buf_append(b, p);
    strata_buf_appendn(b, &q, 1);
}

void strata_sql_quote_ident(struct strata_buf *b, const char *name)
{
    quote_with(b, name, '"');
}

void strata_sql_quote_literal(struct strata_buf *b, const char *text)
{
    quote_with(b, text, '\'');
}

void strata_sql_name_list(struct strata_buf *b, char *const *names, size_t count)
{
    strata_buf_append(b, "(");
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            strata_buf_append(b, ", ");
        strata_sql_quote_ident(b, names[i]);
    }
    strata_buf_append(b, ")");
}

static const char *fk_action(enum strata_fk_action action)
{
    switch (action) {
    case STRATA_RESTRICT:
        return "RESTRICT";
    case STRATA_CASCADE:
        return "CASCADE";
    case STRATA_SET_NULL:
        return "SET NULL";
    case STRATA_NO_ACTION:
        break;
    }
    return NULL;
}

void strata_sql_references(struct strata_buf *b, const struct strata_foreign_key *fk)
{
    const char *action;

    strata_buf_append(b, "REFERENCES ");
    strata_sql_quote_ident(b, fk->ref_table);
    strata_buf_append(b, " (");
    strata_sql_quote_ident(b, fk->ref_column);
    strata_buf_append(b, ")");
    if ((action = fk_action(fk->on_delete)) != NULL)
        strata_buf_printf(b, " ON DELETE %s", action);
    if ((action = fk_action(fk->on_update)) != NULL)
        strata_buf_printf(b, " ON UPDATE %s", action);
}

void strata_sql_enum_values(struct strata_buf *b, const char *values)
{
    const char *p = values;
    const char *end;
    size_t n;
    int first = 1;

    for (;;) {
        while (*p == ' ')
            p++;
        end = strchr(p, ',');
        n = end != NULL ? (size_t)(end - p) : strlen(p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (!first)
            strata_buf_append(b, ", ");
        strata_buf_appendn(b, p, n);
        first = 0;
        if (end == NULL)
            break;
        p = end + 1;
    }
}

void strata_sql_type(struct strata_buf *b, struct strata_type type,
                     const char *const names[STRATA_TYPE_COUNT])
{
    if (type.kind == STRATA_TYPE_NONE || (size_t)type.kind >= STRATA_TYPE_COUNT)
        return; /* refused by the dialects' column renderers */
    if (type.kind == STRATA_TYPE_VARCHAR)
        strata_buf_printf(b, "%s(%d)", names[type.kind], type.length);
    else if (type.kind == STRATA_TYPE_NUMERIC && type.length > 0)
        strata_buf_printf(b, "%s(%d, %d)", names[type.kind], type.length, type.scale);
    else
        strata_buf_append(b, names[type.kind]);
}
