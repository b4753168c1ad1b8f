/*
 * The model files: stage one of the front end (parse.c). Turns the --models paths into
 * the sorted, unique list of headers to parse, each with the path shown in diagnostics,
 * and at the end hands the files libclang read and the model dirs to the caller for the
 * depfile.
 */
#ifndef STRATA_MODELFILES_H
#define STRATA_MODELFILES_H

#include "parse.h"
#include "parse_internal.h"

/*
 * An absolute, lexically normalized copy of `p` ("." and ".." and "//" resolved),
 * allocated in c's arena; NULL when out of memory.
 */
char *modelfiles_absolute(struct ctx *c, const char *p);

/* `abs` relative to the working directory when it lies under it, else `abs` itself. */
const char *modelfiles_display(struct ctx *c, const char *abs);

/*
 * Collects the model files of every --models path into c->files, sorted and unique, and
 * the dirs walked into c->dirs. A path that cannot be read is reported through c->d.
 * Returns 0, or -1 when out of memory.
 */
int modelfiles_collect(struct ctx *c, const struct parse_options *opts);

/*
 * Hands the files read (c->read) and the model dirs to the caller in *out, sorted and
 * unique, malloc'ed (freed with parse_files_free()). Returns 0, or -1 when out of memory
 * (then *out is empty).
 */
int modelfiles_export(struct ctx *c, struct parse_files *out);

#endif
