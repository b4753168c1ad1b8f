/*
 * A growable text buffer with a sticky error: append freely, check once at the end.
 * Used for canonical serializations, rendered SQL and emitted C. Internal header.
 */
#ifndef STRATA_BUF_H
#define STRATA_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

struct strata_buf {
    char *data; /* NUL-terminated while failed == 0 */
    size_t len;
    size_t cap;
    int failed; /* set when an allocation failed; later appends do nothing */
};

void strata_buf_append(struct strata_buf *b, const char *s);
void strata_buf_appendn(struct strata_buf *b, const char *s, size_t n);
void strata_buf_printf(struct strata_buf *b, const char *fmt, ...) STRATA_PRINTF_(2, 3);
void strata_buf_vprintf(struct strata_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its memory. */
void strata_buf_reset(struct strata_buf *b);
/*
 * Hands the text to the caller (*out, malloc'ed) and resets the buffer. Returns 0, or
 * STRATA_ENOMEM (nothing handed over) when an append had failed.
 */
int strata_buf_detach(struct strata_buf *b, char **out);
/* Frees the memory. */
void strata_buf_free(struct strata_buf *b);

#endif
