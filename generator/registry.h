/*
 * The registry: the one C file `strata generate` writes for the app's build. It includes
 * every revision file of DIR/versions, parents first, giving each one's `upgrade`,
 * `downgrade` and STRATA_REVISION symbol a name made unique by the revision id (revision
 * files are never compiled on their own), and defines the `struct strata_migrations`
 * the app hands to libstrata. It refuses to compile against a libstrata of another ABI.
 * Also the Make-syntax depfile that tells the build when to run `generate` again.
 */
#ifndef STRATA_REGISTRY_H
#define STRATA_REGISTRY_H

#include <stddef.h>

#include "diag.h"
#include "revfile.h"

/* The symbol `generate` defines without --symbol. */
#define REGISTRY_DEFAULT_SYMBOL "strata_migrations"

/*
 * The registry text for `revs` (which must pass revlist_check) defining `symbol`, into
 * *out (malloc'ed, owned by the caller). Revisions are included by absolute path.
 * Returns 0, or STRATA_ERROR reported to `d` (symbol not a C identifier, a path that
 * cannot be resolved or included); on error *out is NULL.
 */
int registry_format(char **out, const struct revlist *revs, const char *symbol,
                    struct diag *d);

/*
 * The depfile text `target: deps...` (Make syntax: spaces and `#` escaped, `$` doubled)
 * into *out (malloc'ed). The dependencies are `headers` (every file libclang read for the
 * models), DIR/schema.json, every revision file, DIR/versions and each of `models`
 * (directories or files), so a new model or revision file is noticed. Returns 0 or
 * STRATA_ENOMEM.
 */
int registry_depfile(char **out, const char *target, const char *const *headers,
                     size_t nheaders, const char *dir, const struct revlist *revs,
                     const char *const *models, size_t nmodels);

/* true when `s` is a C identifier. */
int registry_valid_symbol(const char *s);

#endif
