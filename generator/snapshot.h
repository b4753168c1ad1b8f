/*
 * The snapshot: generated/schema.json, the schema of the models at head.
 *
 * `strata migrate` diffs the parsed models against the snapshot it loads here, and
 * writes the new snapshot next to the revision it emits. The file lists tables and
 * columns in declaration order for readability, with sorted keys and a 2-space indent,
 * so the same schema always gives the same bytes and a change reads well in a review.
 * Generator-only annotations (renamed_from, backfill, C names) are never written.
 */
#ifndef STRATA_SNAPSHOT_H
#define STRATA_SNAPSHOT_H

#include "diag.h"
#include "schema.h"

/* The only snapshot format this generator reads and writes. */
#define SNAPSHOT_FORMAT 1

/*
 * Loads the snapshot at `path`. On success returns 0, *out is the schema (free with
 * strata_schema_free) and *head the head revision id (malloc'ed; NULL for
 * `"head": null`). A file that cannot be read, is not JSON or does not have the
 * snapshot's shape is reported through `d` (`path:LINE:COL: error: ...` for syntax,
 * `path: error: tables[1].columns[0]: missing "type"` for shape, `path` as given) and
 * returns -1 with *out and *head NULL.
 */
int snapshot_load(struct strata_schema **out, char **head, const char *path, struct diag *d);

/*
 * The exact bytes of the snapshot of `s` whose head is `head` (NULL: null) into *out
 * (malloc'ed, NUL-terminated, ends with a newline). Returns 0, STRATA_ENOMEM, or
 * STRATA_ERROR when a name or text is not valid UTF-8 (JSON cannot hold it); on error
 * *out is NULL.
 */
int snapshot_format(char **out, const struct strata_schema *s, const char *head);

#endif
