/*
 * Diagnostics of the generator: located errors in the shape compilers use
 * (`models/book.h:12:5: error: unknown key 'primray_key'`), notes for a second location
 * (`... note: previously declared here`), and Alembic-shaped log lines
 * (`INFO  [strata.autogenerate] Detected added table 'book'`), all on stderr.
 *
 * Every stage reports every user error it finds and counts it; the stage that writes
 * files refuses to run while `errors` is not zero.
 */
#ifndef STRATA_DIAG_H
#define STRATA_DIAG_H

#include <stdio.h>

#if defined(__GNUC__)
#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

struct diag {
    FILE *out;  /* stderr unless a test redirects it */
    int errors; /* located or not */
    int quiet;  /* count errors but print nothing: for probing */
};

/* A diag writing to stderr with no errors yet. */
void diag_init(struct diag *d);

/*
 * `file:line:col: error: msg`. `file` may be NULL (then just `error: msg`, prefixed by
 * `strata: `); `line`/`col` 0 leave those parts out. Counts one error.
 */
void diag_error(struct diag *d, const char *file, unsigned line, unsigned col, const char *fmt,
                ...) DIAG_PRINTF(5, 6);
/* `file:line:col: note: msg`; does not count. */
void diag_note(struct diag *d, const char *file, unsigned line, unsigned col, const char *fmt,
               ...) DIAG_PRINTF(5, 6);
/* `file:line:col: warning: msg`; does not count. */
void diag_warning(struct diag *d, const char *file, unsigned line, unsigned col,
                  const char *fmt, ...) DIAG_PRINTF(5, 6);

/* `INFO  [strata.<topic>] msg` and `WARNING  [strata.<topic>] msg` log lines. */
void diag_info(struct diag *d, const char *topic, const char *fmt, ...) DIAG_PRINTF(3, 4);
void diag_warn(struct diag *d, const char *topic, const char *fmt, ...) DIAG_PRINTF(3, 4);

#endif
