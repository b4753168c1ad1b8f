/*
 * Error codes, their messages and the helpers that fill `struct strata_error`.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

const char *strata_strerror(int code)
{
    switch (code) {
#define STRATA_ERROR_CASE_(name, value, message) \
    case value:                                 \
        return message;
        STRATA_ERROR_MAP(STRATA_ERROR_CASE_)
#undef STRATA_ERROR_CASE_
    }
    return "unknown error";
}

void strata_error_clear(struct strata_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof(*err));
}

int strata_error_setv(struct strata_error *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return code;
}

int strata_error_set(struct strata_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strata_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void strata_error_at(struct strata_error *err, const char *revision, const char *operation)
{
    if (err == NULL)
        return;
    if (revision != NULL && err->revision[0] == '\0')
        snprintf(err->revision, sizeof(err->revision), "%s", revision);
    if (operation != NULL && err->operation[0] == '\0')
        snprintf(err->operation, sizeof(err->operation), "%s", operation);
}
