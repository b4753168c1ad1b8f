/*
 * Upgrading and downgrading: the revision graph, target resolution and the driver that
 * runs one revision per transaction.
 *
 * The driver never writes SQL: it records a revision's operations (ops.h), hands each
 * to the dialect, and asks the dialect to keep `strata_version` (the database's current
 * head(s)) and `strata_history` (one row per revision applied or reverted, with the
 * checksum of the operation list that ran). The lock is taken before the versions are
 * read, and read again for every revision, so a second process upgrading at the same
 * time waits and then finds nothing left to do.
 */
#include "migrate.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialect.h"
#include "error.h"
#include "ops.h"
#include "replay.h"

/* How many candidates an ambiguity message names before "...". */
#define MAX_CANDIDATES 8

/* ===== The graph ===== */

/*
 * Returns the next space-separated id of *cursor (its length in *len) and moves the
 * cursor past it; NULL at the end.
 */
static const char *next_id(const char **cursor, size_t *len)
{
    const char *p = *cursor;
    const char *start;

    while (*p == ' ')
        p++;
    if (*p == '\0') {
        *cursor = p;
        return NULL;
    }
    start = p;
    while (*p != '\0' && *p != ' ')
        p++;
    *len = (size_t)(p - start);
    *cursor = p;
    return start;
}

/* The registry index of the revision whose id is the `len` bytes at `id`, or -1. */
static long registry_find(const struct strata_migrations *m, const char *id, size_t len)
{
    size_t i;

    for (i = 0; i < m->count; i++) {
        const char *rid = m->revisions[i]->id;

        if (strlen(rid) == len && memcmp(rid, id, len) == 0)
            return (long)i;
    }
    return -1;
}

/* Checks that every revision has a unique id without spaces. */
static int check_ids(const struct strata_migrations *m, struct strata_error *err)
{
    size_t i, j;

    for (i = 0; i < m->count; i++) {
        const struct strata_revision *rev = m->revisions[i];

        if (rev == NULL || rev->id == NULL || rev->id[0] == '\0' || strchr(rev->id, ' '))
            return strata_error_set(err, STRATA_ERROR, "revision %zu of %zu has no valid id",
                                    i + 1, m->count);
        for (j = 0; j < i; j++)
            if (strcmp(m->revisions[j]->id, rev->id) == 0)
                return strata_error_set(err, STRATA_ERROR, "revision %s is registered twice",
                                        rev->id);
    }
    return 0;
}

/*
 * Fills parents[i] / nparents[i] with the registry indexes of revision i's parents.
 * Arrays come from `a`.
 */
static int link_parents(struct strata_arena *a, const struct strata_migrations *m,
                        size_t **parents, size_t *nparents, struct strata_error *err)
{
    size_t i, len;

    for (i = 0; i < m->count; i++) {
        const char *cursor = m->revisions[i]->parents ? m->revisions[i]->parents : "";
        const char *id;
        size_t count = 0;

        while (next_id(&cursor, &len) != NULL)
            count++;
        parents[i] = strata_arena_alloc(a, count * sizeof(size_t));
        if (parents[i] == NULL)
            return strata_error_set(err, STRATA_ENOMEM, "out of memory");
        cursor = m->revisions[i]->parents ? m->revisions[i]->parents : "";
        while ((id = next_id(&cursor, &len)) != NULL) {
            long p = registry_find(m, id, len);

            if (p < 0)
                return strata_error_set(err, STRATA_ERROR,
                                        "revision %s revises %.*s, which is not in the "
                                        "application",
                                        m->revisions[i]->id, (int)len, id);
            parents[i][nparents[i]++] = (size_t)p;
        }
    }
    return 0;
}

/*
 * Orders the revisions parents first, taking the lowest registry index among those
 * ready, so the order is a function of the registry alone. order[k] is the registry
 * index of node k, pos[i] the node of registry index i.
 */
static int sort_revisions(const struct strata_migrations *m, size_t *const *parents,
                          const size_t *nparents, size_t *order, size_t *pos, bool *placed,
                          struct strata_error *err)
{
    size_t k, i, j;

    for (k = 0; k < m->count; k++) {
        for (i = 0; i < m->count; i++) {
            if (placed[i])
                continue;
            for (j = 0; j < nparents[i] && placed[parents[i][j]]; j++)
                ;
            if (j == nparents[i])
                break;
        }
        if (i == m->count) {
            for (i = 0; placed[i]; i++)
                ;
            return strata_error_set(err, STRATA_ERROR, "the revisions form a cycle through %s",
                                    m->revisions[i]->id);
        }
        placed[i] = true;
        order[k] = i;
        pos[i] = k;
    }
    return 0;
}

int strata_graph_build(struct strata_graph *out, const struct strata_migrations *m,
                       struct strata_error *err)
{
    struct strata_arena *a = &out->arena;
    size_t **parents;
    size_t *nparents, *order, *pos;
    bool *placed;
    size_t n, k, j;
    int rc;

    memset(out, 0, sizeof(*out));
    if (m == NULL)
        return strata_error_set(err, STRATA_EUSAGE, "no migrations");
    if (m->abi_version != STRATA_ABI_VERSION)
        return strata_error_set(err, STRATA_EABI,
                                "the migrations were built for libstrata ABI %d; this "
                                "libstrata has ABI %d",
                                m->abi_version, STRATA_ABI_VERSION);
    rc = check_ids(m, err);
    if (rc != 0)
        return rc;
    n = m->count;
    parents = strata_arena_alloc(a, n * sizeof(*parents));
    nparents = strata_arena_alloc(a, n * sizeof(*nparents));
    order = strata_arena_alloc(a, n * sizeof(*order));
    pos = strata_arena_alloc(a, n * sizeof(*pos));
    placed = strata_arena_alloc(a, n * sizeof(*placed));
    out->nodes = strata_arena_alloc(a, n * sizeof(*out->nodes));
    if (!parents || !nparents || !order || !pos || !placed || !out->nodes) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    rc = link_parents(a, m, parents, nparents, err);
    if (rc == 0)
        rc = sort_revisions(m, parents, nparents, order, pos, placed, err);
    if (rc != 0)
        goto cleanup;
    out->count = n;
    for (k = 0; k < n; k++) {
        struct strata_graph_node *node = &out->nodes[k];

        node->rev = m->revisions[order[k]];
        node->nparents = nparents[order[k]];
        node->parents = parents[order[k]];
        for (j = 0; j < node->nparents; j++) {
            node->parents[j] = pos[node->parents[j]];
            out->nodes[node->parents[j]].nchildren++;
        }
    }
    for (k = 0; k < n; k++) {
        out->nodes[k].children = strata_arena_alloc(a, out->nodes[k].nchildren * sizeof(size_t));
        if (out->nodes[k].children == NULL) {
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
            goto cleanup;
        }
        out->nodes[k].nchildren = 0;
    }
    for (k = 0; k < n; k++)
        for (j = 0; j < out->nodes[k].nparents; j++) {
            struct strata_graph_node *p = &out->nodes[out->nodes[k].parents[j]];

            p->children[p->nchildren++] = k;
        }
cleanup:
    if (rc != 0)
        strata_graph_free(out);
    return rc;
}

void strata_graph_free(struct strata_graph *g)
{
    if (g == NULL)
        return;
    strata_arena_free(&g->arena);
    memset(g, 0, sizeof(*g));
}

long strata_graph_find(const struct strata_graph *g, const char *id)
{
    size_t i;

    for (i = 0; i < g->count; i++)
        if (strcmp(g->nodes[i].rev->id, id) == 0)
            return (long)i;
    return -1;
}

void strata_graph_close_set(const struct strata_graph *g, bool *set)
{
    size_t i, j;

    /* Parents come before children, so one pass from the end reaches every ancestor. */
    for (i = g->count; i-- > 0;)
        if (set[i])
            for (j = 0; j < g->nodes[i].nparents; j++)
                set[g->nodes[i].parents[j]] = true;
}

void strata_graph_format_parents(struct strata_buf *b, const struct strata_graph *g, size_t i)
{
    size_t j;

    for (j = 0; j < g->nodes[i].nparents; j++) {
        if (j > 0)
            strata_buf_append(b, ", ");
        strata_buf_append(b, g->nodes[g->nodes[i].parents[j]].rev->id);
    }
}

int strata_graph_parse_versions(const struct strata_graph *g, const char *ids, bool *out,
                                struct strata_error *err)
{
    const char *cursor = ids;
    const char *id;
    size_t len, i;

    memset(out, 0, g->count * sizeof(*out));
    while ((id = next_id(&cursor, &len)) != NULL) {
        for (i = 0; i < g->count; i++) {
            const char *rid = g->nodes[i].rev->id;

            if (strlen(rid) == len && memcmp(rid, id, len) == 0)
                break;
        }
        if (i == g->count)
            return strata_error_set(err, STRATA_EUNKNOWNREV,
                                    "database is at revision %.*s, which this application "
                                    "does not contain",
                                    (int)len, id);
        out[i] = true;
    }
    return 0;
}

/* ===== Targets ===== */

/* Formats up to MAX_CANDIDATES ids of the nodes in `idx` as "a, b, c". */
static void format_ids(struct strata_buf *b, const struct strata_graph *g, const size_t *idx,
                       size_t count)
{
    size_t i;

    for (i = 0; i < count && i < MAX_CANDIDATES; i++) {
        if (i > 0)
            strata_buf_append(b, ", ");
        strata_buf_append(b, g->nodes[idx[i]].rev->id);
    }
    if (count > MAX_CANDIDATES)
        strata_buf_append(b, ", ...");
}

/* Records `code` with `what` followed by the ids of `idx`. */
static int error_with_ids(struct strata_error *err, int code, const char *what,
                          const struct strata_graph *g, const size_t *idx, size_t count)
{
    struct strata_buf b = { 0 };

    format_ids(&b, g, idx, count);
    strata_error_set(err, code, "%s%s", what, b.failed || b.data == NULL ? "" : b.data);
    strata_buf_free(&b);
    return code;
}

/* The heads (revisions without children) into `idx`; returns how many. */
static size_t collect_heads(const struct strata_graph *g, size_t *idx)
{
    size_t i, n = 0;

    for (i = 0; i < g->count; i++)
        if (g->nodes[i].nchildren == 0)
            idx[n++] = i;
    return n;
}

/* Parses "+N" / "-N" (N >= 1); 0 when `target` is not one. */
static int parse_relative(const char *target, long *steps)
{
    char *end;
    long n;

    if ((target[0] != '+' && target[0] != '-') || target[1] < '0' || target[1] > '9')
        return 0;
    n = strtol(target + 1, &end, 10);
    if (*end != '\0' || n < 1)
        return 0;
    *steps = target[0] == '-' ? -n : n;
    return 1;
}

/*
 * Walks `steps` revisions up (children) or down (parents) from the single current
 * version; each step must be unambiguous.
 */
static int resolve_relative(const struct strata_graph *g, const bool *current, const char *target,
                            long steps, bool *out, size_t *idx, struct strata_error *err)
{
    long pos = -1;
    long done;
    size_t i, n = 0;

    for (i = 0; i < g->count; i++)
        if (current[i])
            idx[n++] = i;
    if (n > 1)
        return error_with_ids(err, STRATA_EAMBIGUOUS,
                              "relative revisions need a single current revision; the database "
                              "is at ",
                              g, idx, n);
    if (n == 1)
        pos = (long)idx[0];
    if (steps < 0 && pos < 0)
        return strata_error_set(err, STRATA_ENOTFOUND,
                                "the database is at base: there is nothing to downgrade");
    for (done = 0; done < labs(steps); done++) {
        if (steps > 0) {
            n = 0;
            if (pos < 0) {
                for (i = 0; i < g->count; i++)
                    if (g->nodes[i].nparents == 0)
                        idx[n++] = i;
            } else {
                n = g->nodes[pos].nchildren;
                memcpy(idx, g->nodes[pos].children, n * sizeof(*idx));
            }
            if (n == 0)
                return strata_error_set(err, STRATA_ENOTFOUND,
                                        "relative revision %s goes past the head (%ld "
                                        "revision%s to apply)",
                                        target, done, done == 1 ? "" : "s");
            if (n > 1)
                return error_with_ids(err, STRATA_EAMBIGUOUS,
                                      "relative revision is ambiguous: the next revision is one "
                                      "of ",
                                      g, idx, n);
            pos = (long)idx[0];
        } else {
            if (pos < 0)
                return strata_error_set(err, STRATA_ENOTFOUND,
                                        "relative revision %s goes past base (the database "
                                        "is %ld revision%s above base)",
                                        target, done, done == 1 ? "" : "s");
            if (g->nodes[pos].nparents > 1)
                return error_with_ids(err, STRATA_EAMBIGUOUS,
                                      "relative revision is ambiguous: the previous revision "
                                      "is one of ",
                                      g, g->nodes[pos].parents, g->nodes[pos].nparents);
            pos = g->nodes[pos].nparents == 1 ? (long)g->nodes[pos].parents[0] : -1;
        }
    }
    if (pos >= 0)
        out[pos] = true;
    return 0;
}

/* A full id, else a unique prefix. */
static int resolve_id(const struct strata_graph *g, const char *target, bool *out, size_t *idx,
                      struct strata_error *err)
{
    size_t len = strlen(target);
    size_t i, n = 0;
    long exact = strata_graph_find(g, target);

    if (exact >= 0) {
        out[exact] = true;
        return 0;
    }
    for (i = 0; i < g->count; i++)
        if (len > 0 && strncmp(g->nodes[i].rev->id, target, len) == 0)
            idx[n++] = i;
    if (n == 0)
        return strata_error_set(err, STRATA_ENOTFOUND, "unknown revision '%s'", target);
    if (n > 1) {
        char what[128];

        snprintf(what, sizeof(what), "ambiguous revision prefix '%.64s' matches ", target);
        return error_with_ids(err, STRATA_EAMBIGUOUS, what, g, idx, n);
    }
    out[idx[0]] = true;
    return 0;
}

int strata_target_resolve(const struct strata_graph *g, const bool *current, const char *target,
                          bool *out, struct strata_error *err)
{
    size_t *idx = calloc(g->count + 1, sizeof(*idx));
    size_t i, n;
    long steps;
    int rc = 0;

    memset(out, 0, g->count * sizeof(*out));
    if (idx == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (strcmp(target, "base") == 0) {
        /* the empty set */
    } else if (strcmp(target, "head") == 0 || strcmp(target, "heads") == 0) {
        n = collect_heads(g, idx);
        if (n > 1 && strcmp(target, "head") == 0)
            rc = error_with_ids(err, STRATA_EAMBIGUOUS,
                                "'head' is ambiguous: name one head or use 'heads'; the heads "
                                "are ",
                                g, idx, n);
        for (i = 0; rc == 0 && i < n; i++)
            out[idx[i]] = true;
    } else if (parse_relative(target, &steps)) {
        rc = resolve_relative(g, current, target, steps, out, idx, err);
    } else {
        rc = resolve_id(g, target, out, idx, err);
    }
    free(idx);
    return rc;
}

/* ===== Running revisions ===== */

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The current UTC time as 2026-11-29T18:40:02Z. */
static void utc_now(char *out, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What an operation acts on, for error messages: a table, index or hook name. */
static const char *op_subject(const struct strata_opdef *op)
{
    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
    case STRATA_OP_DROP_TABLE:
    case STRATA_OP_RENAME_TABLE:
    case STRATA_OP_ALTER_PRIMARY_KEY:
    case STRATA_OP_ALTER_TABLE_COMMENT:
        return op->table;
    case STRATA_OP_RENAME_COLUMN:
    case STRATA_OP_ALTER_COLUMN:
    case STRATA_OP_CREATE_FOREIGN_KEY:
    case STRATA_OP_CREATE_CHECK:
    case STRATA_OP_DROP_CONSTRAINT:
    case STRATA_OP_ADD_COLUMN:
    case STRATA_OP_DROP_COLUMN:
    case STRATA_OP_DROP_INDEX:
    case STRATA_OP_HOOK:
        return op->name;
    case STRATA_OP_CREATE_INDEX:
        return op->index.name;
    case STRATA_OP_EXECUTE:
        break;
    }
    return NULL;
}

/*
 * Writes the database's new versions after `rev` was applied to (or reverted from)
 * `applied`: the applied revisions none of whose children are applied. `cur` holds the
 * versions before; only the rows that change are touched.
 */
static int write_versions(struct strata_db *db, const struct strata_graph *g, const bool *cur,
                          const bool *applied, struct strata_error *err)
{
    size_t i, j;
    int rc = 0;

    for (i = 0; i < g->count && rc == 0; i++) {
        bool version = applied[i];

        for (j = 0; version && j < g->nodes[i].nchildren; j++)
            if (applied[g->nodes[i].children[j]])
                version = false;
        if (cur[i] && !version)
            rc = db->dialect->delete_version(db->conn, g->nodes[i].rev->id, err);
        else if (!cur[i] && version)
            rc = db->dialect->insert_version(db->conn, g->nodes[i].rev->id, err);
    }
    return rc;
}

/* A revision about to run: its operations, the schema before it, the dialect's plan. */
struct prepared {
    struct strata_oplist list;
    struct strata_schema *before;
    bool rebuild;
};

static void prepared_free(struct prepared *p)
{
    strata_oplist_clear(&p->list);
    strata_schema_free(p->before);
    memset(p, 0, sizeof(*p));
}

/*
 * Records node `i`'s upgrade or downgrade, replays the schema the database is at
 * (`applied`) and asks the dialect whether the revision rebuilds a table (which decides
 * how the transaction must begin). Touches no database.
 */
static int prepare_revision(struct strata_db *db, const struct strata_graph *g, size_t i,
                            int downgrade, const bool *applied, struct prepared *out,
                            struct strata_error *err)
{
    const struct strata_revision *rev = g->nodes[i].rev;
    const char *direction = downgrade ? "downgrade" : "upgrade";
    void (*fn)(struct strata_op *) = downgrade ? rev->downgrade : rev->upgrade;
    struct strata_error local = { 0 };
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (fn != NULL)
        rc = strata_oplist_record(&out->list, fn, &local);
    if (rc != 0) {
        strata_error_set(err, STRATA_EMIGRATION, "revision %s (%s): %s cannot be recorded: %s",
                         rev->id, rev->message ? rev->message : "", direction, local.message);
        strata_error_at(err, rev->id, local.operation[0] ? local.operation : NULL);
        return STRATA_EMIGRATION;
    }
    rc = strata_replay_set(g, applied, &out->before, err);
    if (rc != 0)
        return rc;
    rc = db->dialect->plan_revision(out->before, &out->list, &out->rebuild, &local);
    if (rc != 0) {
        strata_error_set(err, STRATA_EMIGRATION, "revision %s (%s): %s does not fit the schema: %s",
                         rev->id, rev->message ? rev->message : "", direction, local.message);
        strata_error_at(err, rev->id, NULL);
        return STRATA_EMIGRATION;
    }
    return 0;
}

/*
 * Runs node `i` up or down inside the open transaction: hands the dialect the whole
 * revision, then updates strata_version and adds the history row. The caller commits,
 * or rolls back on error. `applied` is updated.
 */
static int run_revision(struct strata_db *db, const struct strata_graph *g, size_t i,
                        int downgrade, const bool *cur, bool *applied, struct prepared *prep,
                        struct strata_run *run, struct strata_error *err)
{
    const struct strata_revision *rev = g->nodes[i].rev;
    const char *direction = downgrade ? "downgrade" : "upgrade";
    struct strata_error local = { 0 };
    struct strata_history_row row;
    char checksum[65];
    char applied_at[32];
    long long start = now_ms();
    int rc = 0;

    rc = db->dialect->run_revision(db->conn, prep->before, &prep->list, run, &local);
    if (rc != 0) {
        size_t k = run->failed_op;

        if (k < prep->list.nops) {
            const struct strata_opdef *op = &prep->list.ops[k];
            const char *subject = op_subject(op);

            strata_error_set(err, STRATA_EMIGRATION,
                             "revision %s (%s): %s failed at operation %zu, %s%s%s%s: %s",
                             rev->id, rev->message ? rev->message : "", direction, k + 1,
                             strata_op_name(op->kind), subject ? " '" : "",
                             subject ? subject : "", subject ? "'" : "", local.message);
            strata_error_at(err, rev->id, strata_op_name(op->kind));
        } else {
            strata_error_set(err, STRATA_EMIGRATION, "revision %s (%s): %s failed: %s", rev->id,
                             rev->message ? rev->message : "", direction, local.message);
            strata_error_at(err, rev->id, NULL);
        }
        return STRATA_EMIGRATION;
    }
    rc = strata_oplist_checksum(&prep->list, checksum);
    if (rc != 0)
        return strata_error_set(err, rc, "revision %s: cannot compute the checksum", rev->id);
    applied[i] = !downgrade;
    rc = write_versions(db, g, cur, applied, &local);
    if (rc == 0) {
        utc_now(applied_at, sizeof(applied_at));
        row.revision = rev->id;
        row.direction = direction;
        row.checksum = checksum;
        row.applied_at = applied_at;
        row.duration_ms = now_ms() - start;
        rc = db->dialect->insert_history(db->conn, &row, &local);
    }
    if (rc != 0) {
        applied[i] = downgrade != 0;
        strata_error_set(err, rc, "revision %s (%s): cannot record the new version: %s",
                         rev->id, rev->message ? rev->message : "", local.message);
        strata_error_at(err, rev->id, NULL);
    }
    return rc;
}

/* Formats and sends `Running upgrade a -> b, msg` / `Running downgrade b -> a, msg`. */
static void log_running(strata_log_fn log, void *ctx, const struct strata_graph *g, size_t i,
                        int downgrade)
{
    struct strata_buf b = { 0 };
    const char *message = g->nodes[i].rev->message ? g->nodes[i].rev->message : "";

    if (log == NULL)
        return;
    if (downgrade) {
        strata_buf_printf(&b, "Running downgrade %s -> ", g->nodes[i].rev->id);
        strata_graph_format_parents(&b, g, i);
    } else {
        strata_buf_append(&b, "Running upgrade ");
        strata_graph_format_parents(&b, g, i);
        strata_buf_printf(&b, " -> %s", g->nodes[i].rev->id);
    }
    strata_buf_printf(&b, ", %s", message);
    if (!b.failed)
        log(ctx, b.data);
    strata_buf_free(&b);
}

/*
 * The next revision to run toward `goal`, or -1 when there is none. Upgrading takes
 * the first missing one in topological order (its parents are then applied); downgrading
 * the last applied one outside the goal (its children are then reverted).
 */
static long next_revision(const struct strata_graph *g, const bool *applied, const bool *goal,
                          int downgrade)
{
    size_t i;

    if (!downgrade) {
        for (i = 0; i < g->count; i++)
            if (goal[i] && !applied[i])
                return (long)i;
        return -1;
    }
    for (i = g->count; i-- > 0;)
        if (applied[i] && !goal[i])
            return (long)i;
    return -1;
}

/*
 * Takes the lock and reads the versions: `cur` gets them, `applied` them and their
 * ancestors. On error the transaction is rolled back.
 */
static int lock_and_read(struct strata_db *db, const struct strata_graph *g, bool *cur,
                         bool *applied, bool rebuild, int *saved, struct strata_error *err)
{
    struct strata_buf ids = { 0 };
    int rc;

    rc = db->dialect->begin(db->conn, rebuild, saved, err);
    if (rc != 0)
        goto cleanup;
    rc = db->dialect->ensure_tables(db->conn, err);
    if (rc == 0)
        rc = db->dialect->read_versions(db->conn, &ids, err);
    if (rc == 0 && ids.failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = strata_graph_parse_versions(g, ids.data ? ids.data : "", cur, err);
    if (rc != 0) {
        db->dialect->rollback(db->conn);
        db->dialect->end(db->conn, *saved);
        goto cleanup;
    }
    memcpy(applied, cur, g->count * sizeof(*applied));
    strata_graph_close_set(g, applied);
cleanup:
    strata_buf_free(&ids);
    return rc;
}

/* Checks a downgrade target: every revision it keeps must be applied. */
static int check_downgrade_goal(const struct strata_graph *g, const bool *applied,
                                const bool *goal, const char *target, struct strata_error *err)
{
    size_t i;

    for (i = 0; i < g->count; i++)
        if (goal[i] && !applied[i])
            return strata_error_set(err, STRATA_ERROR,
                                    "cannot downgrade to %s: revision %s is not applied "
                                    "(use upgrade)",
                                    target, g->nodes[i].rev->id);
    return 0;
}

/* Prints a WARNING line on stderr: the driver's default for rebuild warnings. */
static void warn_stderr(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "WARNING  [strata.runtime] %s\n", message);
}

int strata_migrate(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                   const char *target, strata_log_fn log, void *ctx, struct strata_error *err)
{
    return strata_migrate_ex(db, m, downgrade, target, log, warn_stderr, ctx, err);
}

int strata_migrate_ex(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                      const char *target, strata_log_fn log, strata_log_fn warn, void *ctx,
                      struct strata_error *err)
{
    struct strata_graph g;
    struct prepared prep = { 0 };
    struct strata_run run = { warn, ctx, (size_t)-1 };
    bool *cur = NULL, *applied = NULL, *goal = NULL;
    bool rebuild = false; /* begin with foreign keys off: the revision rebuilds */
    int resolved = 0;
    int saved = 0;
    long next;
    int rc;

    if (db == NULL)
        return strata_error_set(err, STRATA_EUSAGE, "no database");
    if (target == NULL)
        target = downgrade ? "-1" : "head";
    rc = strata_graph_build(&g, m, err);
    if (rc != 0)
        return rc;
    /* Every revision must replay to the schema it records, before anything runs. */
    rc = strata_replay_verify(&g, err);
    if (rc != 0)
        goto cleanup;
    cur = calloc(g.count + 1, sizeof(*cur));
    applied = calloc(g.count + 1, sizeof(*applied));
    goal = calloc(g.count + 1, sizeof(*goal));
    if (cur == NULL || applied == NULL || goal == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (;;) {
        rc = lock_and_read(db, &g, cur, applied, rebuild, &saved, err);
        if (rc != 0)
            goto cleanup;
        if (!resolved) {
            /* Relative targets count from the versions found under the first lock. */
            rc = strata_target_resolve(&g, cur, target, goal, err);
            if (rc == 0) {
                strata_graph_close_set(&g, goal);
                if (downgrade)
                    rc = check_downgrade_goal(&g, applied, goal, target, err);
            }
            if (rc != 0)
                goto abort;
            resolved = 1;
        }
        next = next_revision(&g, applied, goal, downgrade);
        if (next < 0) {
            db->dialect->rollback(db->conn);
            db->dialect->end(db->conn, saved);
            break;
        }
        prepared_free(&prep);
        rc = prepare_revision(db, &g, (size_t)next, downgrade, applied, &prep, err);
        if (rc != 0)
            goto abort;
        if (prep.rebuild != rebuild) {
            /* Foreign keys can only be switched outside a transaction: begin again. */
            db->dialect->rollback(db->conn);
            db->dialect->end(db->conn, saved);
            rebuild = prep.rebuild;
            continue;
        }
        log_running(log, ctx, &g, (size_t)next, downgrade);
        rc = run_revision(db, &g, (size_t)next, downgrade, cur, applied, &prep, &run, err);
        if (rc == 0)
            rc = db->dialect->commit(db->conn, err);
        if (rc != 0)
            goto abort;
        db->dialect->end(db->conn, saved);
    }
    goto cleanup;
abort:
    db->dialect->rollback(db->conn);
    db->dialect->end(db->conn, saved);
cleanup:
    prepared_free(&prep);
    free(cur);
    free(applied);
    free(goal);
    strata_graph_free(&g);
    return rc;
}

/* ===== Public API ===== */

int strata_upgrade(struct strata_db *db, const struct strata_migrations *m, const char *target,
                   struct strata_error *err)
{
    return strata_migrate(db, m, 0, target, NULL, NULL, err);
}

int strata_downgrade(struct strata_db *db, const struct strata_migrations *m, const char *target,
                     struct strata_error *err)
{
    return strata_migrate(db, m, 1, target, NULL, NULL, err);
}

int strata_current(struct strata_db *db, char *out, size_t size, struct strata_error *err)
{
    struct strata_buf ids = { 0 };
    const char *text;
    int rc;

    if (db == NULL || out == NULL || size == 0)
        return strata_error_set(err, STRATA_EUSAGE, "strata_current: no database or buffer");
    out[0] = '\0';
    rc = db->dialect->read_versions(db->conn, &ids, err);
    if (rc == 0 && ids.failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (rc != 0)
        goto cleanup;
    text = ids.data ? ids.data : "";
    if (strlen(text) >= size) {
        rc = strata_error_set(err, STRATA_EUSAGE, "strata_current: buffer too small");
        goto cleanup;
    }
    memcpy(out, text, strlen(text) + 1);
cleanup:
    strata_buf_free(&ids);
    return rc;
}
