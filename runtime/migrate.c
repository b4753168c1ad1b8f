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

size_t strata_graph_heads(const struct strata_graph *g, size_t *idx)
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
            if (g->nodes[pos].nparents > 1 && done == labs(steps) - 1) {
                /* One step below a merge is all of its parents, as in Alembic. */
                for (i = 0; i < g->nodes[pos].nparents; i++)
                    out[g->nodes[pos].parents[i]] = true;
                return 0;
            }
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

/*
 * The refusal of `head` when the history has several heads: names them and the commands
 * that merge them, as Alembic's "Multiple head revisions are present" does.
 */
static int multiple_heads_error(const struct strata_graph *g, const size_t *idx, size_t n,
                                struct strata_error *err)
{
    struct strata_buf b = { 0 };

    strata_buf_printf(&b, "'head' is ambiguous: the history has %zu heads (", n);
    format_ids(&b, g, idx, n);
    strata_buf_append(&b, "); merge them with `strata merge -m \"merge heads\"");
    for (size_t i = 0; i < n && i < MAX_CANDIDATES; i++)
        strata_buf_printf(&b, " %s", g->nodes[idx[i]].rev->id);
    strata_buf_append(&b, "` and rebuild the app, or name one head, or use 'heads' to "
                          "upgrade every branch");
    strata_error_set(err, STRATA_EAMBIGUOUS, "%s", b.failed || b.data == NULL ? "" : b.data);
    strata_buf_free(&b);
    return STRATA_EAMBIGUOUS;
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
        n = strata_graph_heads(g, idx);
        if (n > 1 && strcmp(target, "head") == 0)
            rc = multiple_heads_error(g, idx, n, err);
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
 * versions before; only the rows that change are touched, and `cur` follows them (a
 * single-transaction run writes several revisions without reading the table again).
 */
static int write_versions(struct strata_db *db, const struct strata_graph *g, bool *cur,
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
        if (rc == 0)
            cur[i] = version;
    }
    return rc;
}

/*
 * The schema of the revisions the database has applied, kept across the revisions one
 * run applies: an upgrade moves it on by the revision's replayed operations, anything
 * else (a downgrade, versions another process changed) builds it again from the replay.
 */
struct applied_schema {
    struct strata_schema *schema; /* NULL until first needed */
    bool *set;                    /* the revisions `schema` holds */
};

static void applied_schema_free(struct applied_schema *a)
{
    strata_schema_free(a->schema);
    free(a->set);
    memset(a, 0, sizeof(*a));
}

/* Makes a->schema the schema of `applied`; borrowed result in *out. */
static int applied_schema_get(struct applied_schema *a, const struct strata_replay *r,
                              const struct strata_graph *g, const bool *applied,
                              struct strata_schema **out, struct strata_error *err)
{
    int rc;

    if (a->set == NULL && (a->set = calloc(g->count + 1, sizeof(*a->set))) == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (a->schema == NULL || memcmp(a->set, applied, g->count * sizeof(*applied)) != 0) {
        strata_schema_free(a->schema);
        a->schema = NULL;
        rc = strata_replay_schema(r, g, applied, &a->schema, err);
        if (rc != 0)
            return rc;
        memcpy(a->set, applied, g->count * sizeof(*applied));
    }
    *out = a->schema;
    return 0;
}

/* After node `i` was applied (upgrade) or reverted: moves the kept schema along. */
static void applied_schema_step(struct applied_schema *a, const struct strata_replay *r,
                                const struct strata_graph *g, size_t i, int downgrade)
{
    struct strata_error ignored = { 0 };

    if (a->schema == NULL)
        return;
    if (!downgrade && strata_replay_apply(r, g, i, a->schema, &ignored) == 0) {
        a->set[i] = true;
        return;
    }
    /* A downgrade (or a failure): built again from the replay when next needed. */
    strata_schema_free(a->schema);
    a->schema = NULL;
}

/* A revision about to run: its operations, the schema before it, the dialect's plan. */
struct prepared {
    struct strata_oplist list;
    const struct strata_schema *before; /* borrowed from the applied_schema */
    bool rebuild;
    void *plan; /* the dialect's, for run_revision */
    void (*plan_free)(void *plan);
};

static void prepared_free(struct prepared *p)
{
    strata_oplist_clear(&p->list);
    if (p->plan_free != NULL)
        p->plan_free(p->plan);
    memset(p, 0, sizeof(*p));
}

/*
 * Records node `i`'s upgrade or downgrade, takes the schema the database is at
 * (`applied`, from the replay) and has the dialect plan the revision: whether it fits
 * that schema, and whether it rebuilds a table (which decides how the transaction must
 * begin). The plan is kept for run_revision. Touches no database.
 */
static int prepare_revision(struct strata_db *db, const struct strata_graph *g,
                            const struct strata_replay *r, struct applied_schema *as, size_t i,
                            int downgrade, const bool *applied, struct prepared *out,
                            struct strata_error *err)
{
    const struct strata_revision *rev = g->nodes[i].rev;
    const char *direction = downgrade ? "downgrade" : "upgrade";
    void (*fn)(struct strata_op *) = downgrade ? rev->downgrade : rev->upgrade;
    struct strata_schema *before = NULL;
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
    rc = applied_schema_get(as, r, g, applied, &before, err);
    if (rc != 0)
        return rc;
    out->before = before;
    out->plan_free = db->dialect->plan_free;
    rc = db->dialect->plan_revision(out->before, &out->list, &out->rebuild, &out->plan, &local);
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
                        int downgrade, bool *cur, bool *applied, struct prepared *prep,
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

    rc = db->dialect->run_revision(db->conn, prep->before, &prep->list, prep->plan, run, &local);
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

/* Why a single-transaction run begins again. */
static void log_restart(strata_log_fn log, void *ctx, const struct strata_graph *g, size_t i)
{
    struct strata_buf b = { 0 };

    if (log == NULL)
        return;
    strata_buf_printf(&b, "Revision %s rebuilds a table: beginning the transaction again "
                      "with foreign keys off", g->nodes[i].rev->id);
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
                         bool *applied, bool rebuild, bool *tables_ready, int *saved,
                         struct strata_error *err)
{
    struct strata_buf ids = { 0 };
    int rc;

    rc = db->dialect->begin(db->conn, rebuild, saved, err);
    if (rc != 0)
        goto cleanup;
    /* strata's tables are never dropped: once a transaction that created or found them
     * committed, the later transactions of the run need not ask again. */
    rc = *tables_ready ? 0 : db->dialect->ensure_tables(db->conn, err);
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

int strata_changed_checksums(struct strata_db *db, const struct strata_graph *g,
                             const struct strata_replay *r, const bool *applied,
                             strata_checksum_fn found, void *ctx, struct strata_error *err)
{
    struct strata_buf rows = { 0 };
    const char *line;
    int rc = 0;

    if (db->dialect->read_checksums == NULL)
        return 0; /* the dialect keeps no checksums to compare */
    rc = db->dialect->read_checksums(db->conn, &rows, err);
    if (rc == 0 && rows.failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    for (line = rows.data; rc == 0 && line != NULL && *line != '\0';) {
        size_t len = strcspn(line, "\n");
        const char *space = memchr(line, ' ', len);
        char now[65];

        for (size_t i = 0; space != NULL && i < g->count; i++) {
            const char *id = g->nodes[i].rev->id;

            if (!applied[i] || strlen(id) != (size_t)(space - line) ||
                memcmp(id, line, (size_t)(space - line)) != 0)
                continue;
            rc = strata_oplist_checksum(&r->ups[i], now);
            if (rc != 0) {
                rc = strata_error_set(err, rc, "out of memory");
                break;
            }
            if ((size_t)(line + len - space - 1) != 64 || memcmp(space + 1, now, 64) != 0) {
                char recorded[65];
                size_t n = (size_t)(line + len - space - 1);

                snprintf(recorded, sizeof(recorded), "%.*s", (int)(n < 64 ? n : 64), space + 1);
                found(ctx, i, recorded, now);
            }
        }
        line += len;
        if (*line == '\n')
            line++;
    }
    strata_buf_free(&rows);
    return rc;
}

/* What the driver warns about a revision changed after it was applied. */
struct checksum_warning {
    const struct strata_graph *g;
    strata_log_fn warn;
    void *ctx;
};

static void warn_changed(void *ctx, size_t i, const char *recorded, const char *now)
{
    const struct checksum_warning *w = ctx;
    const struct strata_revision *rev = w->g->nodes[i].rev;
    char line[512];

    if (w->warn == NULL)
        return;
    snprintf(line, sizeof(line),
             "revision %s (%s) changed after it was applied: its operations now have checksum "
             "%.12s..., the database recorded %.12s... (see `db check`)",
             rev->id, rev->message ? rev->message : "", now, recorded);
    w->warn(w->ctx, line);
}

int strata_migrate_ex(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                      const char *target, strata_log_fn log, strata_log_fn warn, void *ctx,
                      struct strata_error *err)
{
    return strata_migrate_flags(db, m, downgrade, target, 0, log, warn, ctx, err);
}

int strata_migrate_flags(struct strata_db *db, const struct strata_migrations *m, int downgrade,
                         const char *target, unsigned flags, strata_log_fn log,
                         strata_log_fn warn, void *ctx, struct strata_error *err)
{
    const bool single = (flags & STRATA_SINGLE_TRANSACTION) != 0;
    bool in_tx = false; /* single: the one transaction is open across revisions */
    bool tables_ready = false; /* strata_version/strata_history known to exist */
    struct strata_graph g;
    struct strata_replay replay = { 0 };
    struct applied_schema as = { 0 };
    struct prepared prep = { 0 };
    struct strata_run run = { warn, ctx, (size_t)-1 };
    struct checksum_warning cw = { NULL, warn, ctx };
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
    cw.g = &g;
    /* Every revision must replay to the schema it records, before anything runs. */
    rc = strata_replay_load(&replay, &g, true, err);
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
        if (!in_tx) {
            rc = lock_and_read(db, &g, cur, applied, rebuild, &tables_ready, &saved, err);
            if (rc != 0)
                goto cleanup;
        }
        if (!resolved) {
            /* Relative targets count from the versions found under the first lock. */
            rc = strata_target_resolve(&g, cur, target, goal, err);
            if (rc == 0) {
                strata_graph_close_set(&g, goal);
                if (downgrade)
                    rc = check_downgrade_goal(&g, applied, goal, target, err);
            }
            if (rc == 0 && !downgrade)
                rc = strata_changed_checksums(db, &g, &replay, applied, warn_changed, &cw, err);
            if (rc != 0)
                goto abort;
            resolved = 1;
        }
        next = next_revision(&g, applied, goal, downgrade);
        if (next < 0) {
            if (in_tx) {
                rc = db->dialect->commit(db->conn, err);
                if (rc != 0)
                    goto abort;
            } else {
                db->dialect->rollback(db->conn);
            }
            db->dialect->end(db->conn, saved);
            break;
        }
        prepared_free(&prep);
        rc = prepare_revision(db, &g, &replay, &as, (size_t)next, downgrade, applied, &prep,
                              err);
        if (rc != 0)
            goto abort;
        if (prep.rebuild != rebuild && !single) {
            /* Foreign keys can only be switched outside a transaction: begin again. */
            db->dialect->rollback(db->conn);
            db->dialect->end(db->conn, saved);
            rebuild = prep.rebuild;
            continue;
        }
        if (prep.rebuild && !rebuild) {
            /*
             * One transaction, and this revision rebuilds a table: foreign keys must be
             * off from the BEGIN. Roll back what this run did and begin it again so (it
             * stays off for the rest of the run; each rebuild checks foreign keys).
             */
            log_restart(log, ctx, &g, (size_t)next);
            db->dialect->rollback(db->conn);
            db->dialect->end(db->conn, saved);
            in_tx = false;
            rebuild = true;
            resolved = 0; /* relative targets count again under the new lock */
            continue;
        }
        log_running(log, ctx, &g, (size_t)next, downgrade);
        rc = run_revision(db, &g, (size_t)next, downgrade, cur, applied, &prep, &run, err);
        if (rc != 0)
            goto abort;
        applied_schema_step(&as, &replay, &g, (size_t)next, downgrade);
        if (single) {
            in_tx = true;
            continue;
        }
        rc = db->dialect->commit(db->conn, err);
        if (rc != 0)
            goto abort;
        db->dialect->end(db->conn, saved);
        tables_ready = true;
    }
    goto cleanup;
abort:
    db->dialect->rollback(db->conn);
    db->dialect->end(db->conn, saved);
cleanup:
    prepared_free(&prep);
    applied_schema_free(&as);
    strata_replay_free(&replay);
    free(cur);
    free(applied);
    free(goal);
    strata_graph_free(&g);
    return rc;
}

/* ===== Stamping ===== */

/* The `a, b` of a version set, or `<base>`, for the stamp log line. */
static void format_set(struct strata_buf *b, const struct strata_graph *g, const bool *set)
{
    bool any = false;

    for (size_t i = 0; i < g->count; i++)
        if (set[i]) {
            strata_buf_printf(b, "%s%s", any ? ", " : "", g->nodes[i].rev->id);
            any = true;
        }
    if (!any)
        strata_buf_append(b, "<base>");
}

/* Deletes every row of strata_version named in `ids` (space-separated). */
static int purge_versions(struct strata_db *db, const char *ids, struct strata_error *err)
{
    const char *cursor = ids, *id;
    size_t len;
    int rc = 0;

    while (rc == 0 && (id = next_id(&cursor, &len)) != NULL) {
        char *copy = strndup(id, len);

        if (copy == NULL)
            return strata_error_set(err, STRATA_ENOMEM, "out of memory");
        rc = db->dialect->delete_version(db->conn, copy, err);
        free(copy);
    }
    return rc;
}

int strata_stamp(struct strata_db *db, const struct strata_migrations *m, const char *target,
                 bool purge, strata_log_fn log, void *ctx, struct strata_error *err)
{
    struct strata_graph g;
    struct strata_buf ids = { 0 }, line = { 0 };
    bool *cur = NULL, *goal = NULL, *newv = NULL;
    int saved = 0;
    int rc;

    if (db == NULL)
        return strata_error_set(err, STRATA_EUSAGE, "no database");
    rc = strata_graph_build(&g, m, err);
    if (rc != 0)
        return rc;
    cur = calloc(g.count + 1, sizeof(*cur));
    goal = calloc(g.count + 1, sizeof(*goal));
    newv = calloc(g.count + 1, sizeof(*newv));
    if (cur == NULL || goal == NULL || newv == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    rc = db->dialect->begin(db->conn, false, &saved, err);
    if (rc != 0)
        goto cleanup;
    rc = db->dialect->ensure_tables(db->conn, err);
    if (rc == 0)
        rc = db->dialect->read_versions(db->conn, &ids, err);
    if (rc == 0 && ids.failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (rc == 0 && purge)
        rc = purge_versions(db, ids.data ? ids.data : "", err);
    else if (rc == 0)
        rc = strata_graph_parse_versions(&g, ids.data ? ids.data : "", cur, err);
    if (rc == 0)
        rc = strata_target_resolve(&g, cur, target, goal, err);
    if (rc != 0)
        goto abort;
    strata_graph_close_set(&g, goal);
    /* The versions: the revisions of the goal none of whose children are in it. */
    for (size_t i = 0; i < g.count; i++) {
        newv[i] = goal[i];
        for (size_t j = 0; newv[i] && j < g.nodes[i].nchildren; j++)
            if (goal[g.nodes[i].children[j]])
                newv[i] = false;
    }
    /* The log line names the versions before; write_versions moves `cur` on. */
    strata_buf_append(&line, "Running stamp_revision ");
    if (purge)
        strata_buf_append(&line, "<purged>");
    else
        format_set(&line, &g, cur);
    strata_buf_append(&line, " -> ");
    format_set(&line, &g, newv);
    rc = write_versions(db, &g, cur, goal, err);
    if (rc == 0)
        rc = db->dialect->commit(db->conn, err);
    if (rc != 0)
        goto abort;
    db->dialect->end(db->conn, saved);
    if (log != NULL && !line.failed)
        log(ctx, line.data);
    goto cleanup;
abort:
    db->dialect->rollback(db->conn);
    db->dialect->end(db->conn, saved);
cleanup:
    strata_buf_free(&ids);
    strata_buf_free(&line);
    free(cur);
    free(goal);
    free(newv);
    strata_graph_free(&g);
    return rc;
}

int strata_read_applied(struct strata_db *db, const struct strata_graph *g, bool *cur,
                        bool *applied, struct strata_error *err)
{
    struct strata_buf ids = { 0 };
    int rc = db->dialect->read_versions(db->conn, &ids, err);

    if (rc == 0 && ids.failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = strata_graph_parse_versions(g, ids.data ? ids.data : "", cur, err);
    if (rc == 0 && applied != NULL) {
        memcpy(applied, cur, g->count * sizeof(*applied));
        strata_graph_close_set(g, applied);
    }
    strata_buf_free(&ids);
    return rc;
}

/* ===== Public API ===== */

int strata_upgrade(struct strata_db *db, const struct strata_migrations *m, const char *target,
                   struct strata_error *err)
{
    return strata_migrate(db, m, 0, target, NULL, NULL, err);
}

int strata_upgrade_with(struct strata_db *db, const struct strata_migrations *m,
                        const char *target, unsigned flags, struct strata_error *err)
{
    return strata_migrate_flags(db, m, 0, target, flags, NULL, warn_stderr, NULL, err);
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
