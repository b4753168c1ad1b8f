/*
 * Filling a caller-owned `struct strata_error`. The first error wins: setters do
 * nothing when `err` already holds one, and accept NULL. Internal header.
 */
#ifndef STRATA_ERROR_H
#define STRATA_ERROR_H

#include <stdarg.h>

#include <strata/strata.h>

#if defined(__GNUC__)
#define STRATA_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define STRATA_PRINTF_(f, a)
#endif

/* Records `code` and a formatted message; returns `code` so callers can `return`. */
int strata_error_set(struct strata_error *err, int code, const char *fmt, ...)
    STRATA_PRINTF_(3, 4);
int strata_error_setv(struct strata_error *err, int code, const char *fmt, va_list ap);
/* Names the revision / operation the error happened in (only if not named yet). */
void strata_error_at(struct strata_error *err, const char *revision, const char *operation);

#endif
