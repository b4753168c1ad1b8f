/*
 * The growable text buffer (see buf.h).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(struct strata_buf *b, size_t extra)
{
    size_t cap;
    char *p;

    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void strata_buf_appendn(struct strata_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strata_buf_append(struct strata_buf *b, const char *s)
{
    strata_buf_appendn(b, s, strlen(s));
}

void strata_buf_vprintf(struct strata_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void strata_buf_printf(struct strata_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strata_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void strata_buf_reset(struct strata_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

int strata_buf_detach(struct strata_buf *b, char **out)
{
    *out = NULL;
    if (b->failed) {
        strata_buf_free(b);
        return STRATA_ENOMEM;
    }
    if (reserve(b, 0) != 0)
        return STRATA_ENOMEM;
    *out = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return 0;
}

void strata_buf_free(struct strata_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
