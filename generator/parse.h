/*
 * The generator's front end: reads the model headers with libclang and builds the schema
 * they describe (runtime/schema.h), the input of the snapshot and the diff.
 *
 * Every model file is parsed as C11 with -DSTRATA_GENERATOR and the user's -I/-D; the
 * generator's own <strata/model.h> is built into the binary, so no -I is needed for it.
 * Structs annotated with STRATA_MODEL(...) become tables in model order (files in sorted
 * path order, structs in declaration order), their fields columns in declaration order.
 * Every user error (clang errors and warnings in model files, annotation errors, names,
 * references, types) is reported through the diag with its location before giving up.
 */
#ifndef STRATA_PARSE_H
#define STRATA_PARSE_H

#include <stddef.h>

#include "diag.h"
#include "schema.h"

struct parse_options {
    const char *const *models; /* --models DIR|FILE, in the order given; dirs are searched
                                  recursively for *.h, files read in sorted path order */
    size_t nmodels;
    const char *const *clang_args; /* user's -I DIR / -D NAME[=V] as separate argv strings,
                                      e.g. {"-Iinc", "-DX=1"} */
    size_t nclang_args;
};

/* Every file libclang read (absolute paths, sorted, unique) plus the model dirs: for the
   depfile. */
struct parse_files {
    char **paths;
    size_t count;
};

/* Frees the paths and the array; `f` itself is the caller's. Accepts NULL. */
void parse_files_free(struct parse_files *f);

/*
 * Parses every model header and builds *out (the caller frees it with
 * strata_schema_free()). Reports every user error through `d`
 * (`models/book.h:12:5: error: ...`, paths relative to the working directory when the
 * file is under it). Returns 0, or -1 when errors were reported or on failure; then *out
 * is NULL and *files is empty. `files` may be NULL. A header without annotated structs
 * yields an empty schema; a missing --models path, or a folder holding no header, is an
 * error.
 */
int parse_models(struct strata_schema **out, struct parse_files *files,
                 const struct parse_options *opts, struct diag *d);

/*
 * Writes the default table name for a C struct tag or typedef name into `out` (of
 * `size` bytes, truncating): snake_case, so `HTTPRequest` -> `http_request`,
 * `BookTag` -> `book_tag`, `author` -> `author`.
 */
void parse_snake_case(char *out, size_t size, const char *name);

#endif
