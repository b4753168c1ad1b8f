/*
 * The annotation grammar: the text between the parentheses of one STRATA_MODEL(...) or
 * STRATA_FIELD(...) becomes a list of items, each with the line and column of its own
 * tokens, and every key and value is checked against what a model or a field accepts.
 *
 * The parser (parse.c) hands over the source text of the macro's arguments and the
 * position of its first byte; it interprets the items (names, references, defaults).
 * Nothing here knows about libclang or the schema.
 *
 * Grammar: comma-separated items; an item is `key`, `key = value` or `key(value, ...)`.
 * A value is a C string literal (escapes decoded, adjacent literals joined), a number
 * (an optional sign and a decimal integer or floating literal), `true`, `false`, `null`,
 * an identifier, `name.name`, or `name(number, ...)`.
 */
#ifndef STRATA_ANNOTATE_H
#define STRATA_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"

enum annotate_target {
    ANNOTATE_MODEL, /* STRATA_MODEL(...) */
    ANNOTATE_FIELD  /* STRATA_FIELD(...) */
};

enum annotate_value_kind {
    ANNOTATE_STRING, /* text: the decoded bytes */
    ANNOTATE_NUMBER, /* text: as written, a leading '+' dropped ("-1.5") */
    ANNOTATE_TRUE,
    ANNOTATE_FALSE,
    ANNOTATE_NULL,
    ANNOTATE_IDENT,  /* text: the identifier */
    ANNOTATE_DOTTED, /* text: "a.b"; first / second: "a" and "b" */
    ANNOTATE_CALL    /* text: "numeric(10,2)", no spaces */
};

struct annotate_value {
    enum annotate_value_kind kind;
    char *text;
    char *first, *second; /* ANNOTATE_DOTTED only */
    unsigned line, col;   /* the value's first token */
    unsigned line2, col2; /* ANNOTATE_DOTTED: the token after the dot */
};

enum annotate_form {
    ANNOTATE_BARE,   /* key */
    ANNOTATE_ASSIGN, /* key = value: one value */
    ANNOTATE_LIST    /* key(value, ...): one or more values */
};

struct annotate_item {
    char *key;
    unsigned line, col; /* the key token */
    enum annotate_form form;
    struct annotate_value *values;
    size_t nvalues;
};

struct annotate_list {
    struct annotate_item *items;
    size_t nitems;
};

/*
 * Parses and validates the text of one annotation. `text` (`len` bytes, not necessarily
 * NUL-terminated) starts at `line`:`col` of `file` (the display path used in messages);
 * when `fixed` is true every token is reported at `line`:`col` instead (the text did not
 * come from the source, e.g. the annotation was produced by another macro).
 *
 * Appends the items to *out (so the annotations of one declaration can be merged by
 * calling this several times on the same list); items, values and strings are allocated
 * in `a`. Every error is reported through `d` at its token. Checks: syntax, unknown key,
 * key not allowed on this target, duplicate key (index, unique and check may repeat;
 * the check also covers items already in *out), missing value, value of the wrong form
 * or kind, unknown `on_delete` / `on_update` action. Returns 0, or -1 when an error was
 * reported (items parsed before and after the error are kept, so later stages may go on)
 * or memory ran out.
 */
int annotate_parse(struct annotate_list *out, struct strata_arena *a, const char *text,
                   size_t len, const char *file, unsigned line, unsigned col, bool fixed,
                   enum annotate_target target, struct diag *d);

/* The first item with this key, or NULL. Borrowed from `l`. */
const struct annotate_item *annotate_find(const struct annotate_list *l, const char *key);

/* true when `key` is one of the known keys for `target`. */
bool annotate_key_allowed(const char *key, enum annotate_target target);

#endif
