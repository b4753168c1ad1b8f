/*
 * The emitter: operation lists in, a revision file's C text out.
 *
 * The text looks hand-written (one operation call per line, only non-default column
 * designators, lines wrapped at 100 columns at an argument boundary) and compiles
 * warning-free as C99 with -Wall -Wextra -pedantic. Recording the emitted upgrade()
 * and downgrade() with strata_oplist_record() gives back the lists emitted: constraint
 * names inside create_table and add_column are left out because the runtime
 * regenerates them exactly as the parser made them. The emitter never looks at schemas.
 */
#ifndef STRATA_EMIT_H
#define STRATA_EMIT_H

#include <stddef.h>

#include "ops.h"

/* What the revision file says about itself. */
struct emit_info {
    const char *id;          /* "3f2a9c1d7e44" */
    const char *parents;     /* NULL for the first revision, else ids separated by spaces */
    const char *message;     /* "add book" */
    const char *create_date; /* "2026-11-29 18:40:02 UTC" */
    const char *schema_hash; /* 64 hex: canonical hash of the schema after this revision */
};

/*
 * The text of the revision file into *out (malloc'ed, NUL-terminated, owned by the
 * caller). `up` and `down` may be empty (`strata revision -m`): the functions then hold
 * a placeholder comment. Returns 0, or STRATA_ENOMEM with *out NULL.
 */
int emit_revision(char **out, const struct emit_info *info, const struct strata_oplist *up,
                  const struct strata_oplist *down);

/*
 * The default revision message for the upgrade operations `up` into `out` (`size`
 * bytes, truncated if needed): the first two operations ("create table author, add
 * column book.isbn") plus " and N more"; "empty message" when there are none.
 */
void emit_default_message(char *out, size_t size, const struct strata_oplist *up);

#endif
