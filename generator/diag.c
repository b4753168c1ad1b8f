/*
 * Located diagnostics and log lines (see diag.h).
 */
#include "diag.h"

#include <stdarg.h>

void diag_init(struct diag *d)
{
    d->out = stderr;
    d->errors = 0;
    d->quiet = 0;
}

static void located(struct diag *d, const char *file, unsigned line, unsigned col,
                    const char *kind, const char *fmt, va_list ap) DIAG_PRINTF(6, 0);
static void located(struct diag *d, const char *file, unsigned line, unsigned col,
                    const char *kind, const char *fmt, va_list ap)
{
    FILE *f = d->out ? d->out : stderr;

    if (d->quiet)
        return;
    if (file == NULL)
        fprintf(f, "strata: ");
    else if (line == 0)
        fprintf(f, "%s: ", file);
    else if (col == 0)
        fprintf(f, "%s:%u: ", file, line);
    else
        fprintf(f, "%s:%u:%u: ", file, line, col);
    fprintf(f, "%s: ", kind);
    /* gcc 12 with -fsanitize=undefined warns of a null format without this test. */
    if (fmt != NULL)
        vfprintf(f, fmt, ap);
    fputc('\n', f);
}

void diag_error(struct diag *d, const char *file, unsigned line, unsigned col, const char *fmt,
                ...)
{
    va_list ap;

    va_start(ap, fmt);
    located(d, file, line, col, "error", fmt, ap);
    va_end(ap);
    d->errors++;
}

void diag_note(struct diag *d, const char *file, unsigned line, unsigned col, const char *fmt,
               ...)
{
    va_list ap;

    va_start(ap, fmt);
    located(d, file, line, col, "note", fmt, ap);
    va_end(ap);
}

void diag_warning(struct diag *d, const char *file, unsigned line, unsigned col,
                  const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    located(d, file, line, col, "warning", fmt, ap);
    va_end(ap);
}

static void logline(struct diag *d, const char *level, const char *topic, const char *fmt,
                    va_list ap) DIAG_PRINTF(4, 0);
static void logline(struct diag *d, const char *level, const char *topic, const char *fmt,
                    va_list ap)
{
    FILE *f = d->out ? d->out : stderr;

    if (d->quiet)
        return;
    fprintf(f, "%s[strata.%s] ", level, topic);
    /* gcc 12 with -fsanitize=undefined warns of a null format without this test. */
    if (fmt != NULL)
        vfprintf(f, fmt, ap);
    fputc('\n', f);
}

void diag_info(struct diag *d, const char *topic, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    logline(d, "INFO  ", topic, fmt, ap);
    va_end(ap);
}

void diag_warn(struct diag *d, const char *topic, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    logline(d, "WARNING  ", topic, fmt, ap);
    va_end(ap);
}
