/*
 * Every difference between two schemas, one readable line each: `db check` compares the
 * live database with the schema its revisions give (drift), `strata check` the models
 * with the snapshot. Compared by name, order ignored, as the canonical form (schema.h)
 * compares them. Internal header, part of the core the generator links too.
 */
#ifndef STRATA_DRIFT_H
#define STRATA_DRIFT_H

#include <stddef.h>

#include "schema.h"

/* Receives one difference, e.g. `table book: column isbn missing`. */
typedef void (*strata_diff_fn)(void *ctx, const char *line);

/*
 * Calls `fn` once per difference between `expected` and `actual`, tables in
 * `expected`'s order then the unexpected ones: `table book missing`, `table old
 * unexpected`, `table book: column isbn missing`, `table book: column price differs:
 * type double expected, real found`, `index ix_book_title: columns differ`, `table
 * book: foreign key fk_book_author_id_author differs`, ... Returns how many.
 */
size_t strata_schema_diff_all(const struct strata_schema *expected,
                              const struct strata_schema *actual, strata_diff_fn fn, void *ctx);

#endif
