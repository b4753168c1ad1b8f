/*
 * The revision graph and the migration driver behind strata_upgrade / strata_downgrade
 * and the `db` command line.
 *
 * The graph holds the app's revisions (struct strata_migrations) in topological order,
 * parents before children, registry order among equals. A set of revisions (the
 * database's versions, a target, what is applied) is an array of `bool`, one per node in
 * that order; the empty set is base. The driver runs one revision per transaction,
 * re-reading the database's versions after taking the lock each time. Internal header.
 */
#ifndef STRATA_MIGRATE_H
#define STRATA_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include <strata/strata.h>

#include "arena.h"
#include "buf.h"

struct strata_graph_node {
    const struct strata_revision *rev;
    size_t *parents; /* node indexes */
    size_t nparents;
    size_t *children; /* node indexes, ascending */
    size_t nchildren;
};

struct strata_graph {
    struct strata_graph_node *nodes; /* topological order */
    size_t count;
    struct strata_arena arena;
};

/*
 * Builds the graph of `m`. Fails with STRATA_EABI when `m` was built for another
 * libstrata ABI, STRATA_ERROR for a duplicate id, an unknown parent or a cycle. On
 * success free `out` with strata_graph_free(); on error there is nothing to free.
 */
int strata_graph_build(struct strata_graph *out, const struct strata_migrations *m,
                       struct strata_error *err);
void strata_graph_free(struct strata_graph *g);

/* The node whose id is exactly `id`, or -1. */
long strata_graph_find(const struct strata_graph *g, const char *id);

/* Adds every ancestor of the revisions in `set` to it. */
void strata_graph_close_set(const struct strata_graph *g, bool *set);

/*
 * Parses space-separated ids (strata_version's rows) into `out` (g->count flags).
 * STRATA_EUNKNOWNREV when the database names a revision the app does not contain.
 */
int strata_graph_parse_versions(const struct strata_graph *g, const char *ids, bool *out,
                                struct strata_error *err);

/*
 * Resolves `target` against the database's versions `current` into the versions the
 * database should end at (`out`, g->count flags; all false is base): `head` (the single
 * head; STRATA_EAMBIGUOUS when there are several), `heads`, `base`, `+N` / `-N` (steps
 * from the single current version), a full id or a unique prefix (STRATA_EAMBIGUOUS
 * naming the candidates, STRATA_ENOTFOUND for none). `-N` at base fails saying so.
 */
int strata_target_resolve(const struct strata_graph *g, const bool *current, const char *target,
                          bool *out, struct strata_error *err);

/* Receives the driver's `Running upgrade a -> b, msg` lines (without the log prefix). */
typedef void (*strata_log_fn)(void *ctx, const char *message);

/*
 * Upgrades (downgrade zero) or downgrades the database to `target` (NULL: `head` /
 * `-1`), one revision per transaction, calling `log` (may be NULL) before each revision
 * this process applies. On error the failing revision is rolled back and the earlier
 * ones stay applied; `err` names the revision, the operation and the database's message.
 * Before anything runs, every revision must replay to its recorded schema hash. A
 * revision that rebuilds a table runs with foreign keys off (restored afterwards); the
 * rows it finds already orphaned are reported as `WARNING  [strata.runtime]` lines on
 * stderr.
 */
int strata_migrate(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                   const char *target, strata_log_fn log, void *ctx, struct strata_error *err);

/*
 * strata_migrate with the rebuild's WARNING lines (orphan rows that were already there)
 * sent to `warn` instead of stderr; `warn` may be NULL to drop them.
 */
int strata_migrate_ex(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                      const char *target, strata_log_fn log, strata_log_fn warn, void *ctx,
                      struct strata_error *err);

/*
 * strata_migrate_ex with `flags`: STRATA_SINGLE_TRANSACTION runs every revision of the
 * run in one transaction (on error none stays applied); when any of them rebuilds a
 * table, foreign keys are off for the whole transaction (each rebuild still runs its
 * foreign key check before the COMMIT).
 */
int strata_migrate_flags(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                         const char *target, unsigned flags, strata_log_fn log,
                         strata_log_fn warn, void *ctx, struct strata_error *err);

/* Appends the parents of node `i` joined by ", " to `b` (nothing for a base revision). */
void strata_graph_format_parents(struct strata_buf *b, const struct strata_graph *g, size_t i);

/* Writes the indexes of the heads (nodes without children) into `idx`; returns how many. */
size_t strata_graph_heads(const struct strata_graph *g, size_t *idx);

struct strata_replay;

/* Receives an applied revision whose operations changed: node, both checksums (64 hex). */
typedef void (*strata_checksum_fn)(void *ctx, size_t node, const char *recorded,
                                   const char *now);

/*
 * Compares the checksum strata_history recorded for each applied revision (`applied`,
 * g->count flags; its latest upgrade) with the checksum of its operations now (`r`),
 * calling `found` for each that differs. A dialect that keeps no checksums finds none.
 */
int strata_changed_checksums(struct strata_db *db, const struct strata_graph *g,
                             const struct strata_replay *r, const bool *applied,
                             strata_checksum_fn found, void *ctx, struct strata_error *err);

/*
 * Sets the database's versions to `target` (resolved as strata_target_resolve does, from
 * the versions it has) without running any revision: `db stamp`. With `purge`, every
 * version row is deleted first, also one this application does not contain. Logs
 * `Running stamp_revision a -> b` through `log` (may be NULL). One transaction; on error
 * nothing is changed.
 */
int strata_stamp(struct strata_db *db, const struct strata_migrations *m, const char *target,
                 bool purge, strata_log_fn log, void *ctx, struct strata_error *err);

/*
 * Reads the database's versions under no lock: `cur` (g->count flags) gets them,
 * `applied` (may be NULL) them and their ancestors. STRATA_EUNKNOWNREV when the database
 * is at a revision `g` does not contain. Creates nothing.
 */
int strata_read_applied(struct strata_db *db, const struct strata_graph *g, bool *cur,
                        bool *applied, struct strata_error *err);

#endif
