/*
 * The commands of the `strata` generator, one function each; main.c only parses the
 * command line and calls one of them. Each returns the process exit status: 0 success,
 * 1 failure, refusal or pending changes. Results go to stdout, log lines and errors to
 * stderr, and every failure writes nothing.
 */
#ifndef STRATA_COMMANDS_H
#define STRATA_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

/* The global options: where the models and strata's directory are, libclang flags. */
struct cli_options {
    const char *const *models; /* directories or files */
    size_t nmodels;
    const char *dir; /* schema.json and versions/ */
    const char *const *clang_args; /* "-Ipath", "-DNAME=V" */
    size_t nclang_args;
};

/* Creates DIR, DIR/versions and an empty snapshot; refuses a DIR that is not empty. */
int cmd_init(const struct cli_options *o);

/*
 * Diffs the models against the snapshot and writes the next revision file (message:
 * `message`, or one naming the operations when NULL; id: `rev_id`, or 12 random hex
 * digits when NULL), then the snapshot. With no change, logs so and writes nothing.
 */
int cmd_migrate(const struct cli_options *o, const char *message, const char *rev_id);

/* Writes an empty revision (for data migrations) on top of the head. */
int cmd_revision(const struct cli_options *o, const char *message, const char *rev_id);

/* Exit 1 listing each difference between models and snapshot, and history problems. */
int cmd_check(const struct cli_options *o);

/*
 * The build step: autogenerates a revision when the models changed (with `check`: fails
 * instead), then writes the registry `output` defining `symbol` and, when `depfile` is
 * not NULL, its depfile; each only when its bytes changed. Holds a lock on DIR. Checks
 * that FILE's directory is writable before autogenerating; a later write error leaves the
 * new revision and snapshot in place (they are consistent), not FILE.
 */
int cmd_generate(const struct cli_options *o, const char *output, const char *depfile,
                 bool check, const char *symbol);

/* `<parent> -> <id> (head), message`, newest first. */
int cmd_history(const struct cli_options *o);
/* `<id> (head)` for each head. */
int cmd_heads(const struct cli_options *o);
/* The revision `rev` (an id, a unique prefix of one, or `head`) in Alembic's shape. */
int cmd_show(const struct cli_options *o, const char *rev);

/*
 * Writes a merge revision of `revs` (ids, unique prefixes, or `heads`; at least two
 * revisions): several parents, no operations, the schema of the merged histories, and
 * rewrites the snapshot to that schema and head. Refuses, naming it, anything two of the
 * branches change differently since their common ancestors.
 */
int cmd_merge(const struct cli_options *o, const char *message, const char *rev_id,
              const char *const *revs, size_t nrevs);

/* true when `id` is a valid --rev-id: [0-9a-z_]{1,32}. */
bool cmd_valid_rev_id(const char *id);

#endif
