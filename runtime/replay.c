/*
 * The schema at a revision: records each revision's upgrade (ops.c) and applies its
 * operations to an in-memory schema (apply.c), parents first, from an empty schema.
 *
 * strata_replay_load() records every upgrade once and, when asked, replays the whole
 * graph in one topological pass: one working schema moves forward revision by revision
 * along a linear stretch and is rebuilt only where the order switches branches, and
 * each revision's recorded schema_hash is compared with the working schema right after
 * the revision is applied. The generator computed that hash with the same code, so a
 * mismatch means a revision was edited so that it no longer yields the schema it
 * claims. The recorded lists are kept, so the driver, offline SQL and the drift check
 * build the schema of any set of revisions without recording again.
 */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops.h"

void strata_replay_free(struct strata_replay *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++)
        strata_oplist_clear(&r->ups[i]);
    free(r->ups);
    memset(r, 0, sizeof(*r));
}

/* Records node `i`'s upgrade into r->ups[i]; errors name the revision. */
static int record(struct strata_replay *r, const struct strata_revision *rev, size_t i,
                  struct strata_error *err)
{
    struct strata_error local = { 0 };
    int rc;

    if (rev->upgrade == NULL)
        return 0;
    rc = strata_oplist_record(&r->ups[i], rev->upgrade, &local);
    if (rc == STRATA_ENOMEM)
        return strata_error_set(err, rc, "out of memory");
    if (rc != 0) {
        strata_error_set(err, STRATA_EMIGRATION, "revision %s: upgrade cannot be recorded: %s",
                         rev->id, local.message);
        strata_error_at(err, rev->id, local.operation[0] ? local.operation : NULL);
    }
    return rc;
}

int strata_replay_apply(const struct strata_replay *r, const struct strata_graph *g, size_t i,
                        struct strata_schema *s, struct strata_error *err)
{
    const struct strata_revision *rev = g->nodes[i].rev;
    const struct strata_oplist *list = &r->ups[i];
    struct strata_error local = { 0 };

    for (size_t k = 0; k < list->nops; k++) {
        int rc = strata_schema_apply(s, &list->ops[k], &local);

        if (rc == STRATA_ENOMEM)
            return strata_error_set(err, rc, "out of memory");
        if (rc != 0) {
            strata_error_set(err, STRATA_EMIGRATION,
                             "revision %s: replaying upgrade operation %zu (%s) fails: %s",
                             rev->id, k + 1, strata_op_name(list->ops[k].kind), local.message);
            strata_error_at(err, rev->id, strata_op_name(list->ops[k].kind));
            return STRATA_EMIGRATION;
        }
    }
    return 0;
}

/* Compares the replayed schema's hash (from `tracker`) with the one `rev` records. */
static int check_hash(const struct strata_hash_tracker *tracker,
                      const struct strata_revision *rev, struct strata_error *err)
{
    char hash[65];

    if (rev->schema_hash == NULL || rev->schema_hash[0] == '\0')
        return 0;
    strata_hash_tracker_hex(tracker, hash);
    if (strcmp(hash, rev->schema_hash) == 0)
        return 0;
    strata_error_set(err, STRATA_EMIGRATION,
                     "revision %s (%s) records schema hash %.12s..., but replaying the "
                     "revisions up to it gives %.12s...: the revision was edited so that it "
                     "no longer yields the schema it was generated for; nothing was run",
                     rev->id, rev->message ? rev->message : "", rev->schema_hash, hash);
    strata_error_at(err, rev->id, NULL);
    return STRATA_EMIGRATION;
}

/*
 * Moves the working schema `*s`, which holds the revisions flagged in `have`, to the
 * revisions flagged in `want` (both closed under ancestors): forward in place when
 * `have` is a subset of `want`, else rebuilt from empty. `have` is updated.
 */
static int move_to(const struct strata_replay *r, const struct strata_graph *g,
                   struct strata_schema **s, bool *have, const bool *want,
                   struct strata_error *err)
{
    size_t i;
    int rc;

    for (i = 0; i < g->count && (!have[i] || want[i]); i++)
        ;
    if (i < g->count) {
        struct strata_schema *fresh = strata_schema_new();

        if (fresh == NULL)
            return strata_error_set(err, STRATA_ENOMEM, "out of memory");
        strata_schema_free(*s);
        *s = fresh;
        memset(have, 0, g->count * sizeof(*have));
    }
    for (i = 0; i < g->count; i++) {
        if (!want[i] || have[i])
            continue;
        rc = strata_replay_apply(r, g, i, *s, err);
        if (rc != 0)
            return rc;
        have[i] = true;
    }
    return 0;
}

/*
 * The one verifying pass: every node of `only` (NULL: all) applied once along the
 * topological order, its hash checked right after. The hash is kept current by a
 * tracker (ops.h), so each check costs what the revision changed, not the schema.
 */
static int verify(const struct strata_replay *r, const struct strata_graph *g, const bool *only,
                  struct strata_error *err)
{
    struct strata_schema *s = strata_schema_new();
    bool *have = calloc(g->count + 1, sizeof(*have));
    bool *want = calloc(g->count + 1, sizeof(*want));
    struct strata_hash_tracker tracker = { { 0 } }; /* of the empty schema `s` */
    long last = -1;
    int rc = 0;

    if (s == NULL || have == NULL || want == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < g->count && rc == 0; i++) {
        const struct strata_graph_node *node = &g->nodes[i];

        if (only != NULL && !only[i])
            continue;
        /* After node `last`, `have` is exactly it and its ancestors: a child of it alone
         * goes on in place; anything else starts from its own ancestors. */
        if (!(node->nparents == 1 && (long)node->parents[0] == last)) {
            memset(want, 0, g->count * sizeof(*want));
            for (size_t j = 0; j < node->nparents; j++)
                want[node->parents[j]] = true;
            strata_graph_close_set(g, want);
            rc = move_to(r, g, &s, have, want, err);
            if (rc == 0 && strata_hash_tracker_reset(&tracker, s) != 0)
                rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        }
        if (rc == 0 && strata_hash_tracker_before(&tracker, s, &r->ups[i]) != 0)
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        if (rc == 0)
            rc = strata_replay_apply(r, g, i, s, err);
        if (rc == 0 && strata_hash_tracker_after(&tracker, s, &r->ups[i]) != 0)
            rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        if (rc == 0) {
            have[i] = true;
            last = (long)i;
            rc = check_hash(&tracker, node->rev, err);
        }
    }
cleanup:
    strata_schema_free(s);
    free(have);
    free(want);
    return rc;
}

/* strata_replay_load restricted to the nodes of `only` (NULL: all). */
static int load(struct strata_replay *out, const struct strata_graph *g, const bool *only,
                bool check, struct strata_error *err)
{
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->ups = calloc(g->count + 1, sizeof(*out->ups));
    if (out->ups == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    out->count = g->count;
    for (size_t i = 0; i < g->count && rc == 0; i++)
        if (only == NULL || only[i])
            rc = record(out, g->nodes[i].rev, i, err);
    if (rc == 0 && check)
        rc = verify(out, g, only, err);
    if (rc != 0)
        strata_replay_free(out);
    return rc;
}

int strata_replay_load(struct strata_replay *out, const struct strata_graph *g, bool check,
                       struct strata_error *err)
{
    return load(out, g, NULL, check, err);
}

int strata_replay_schema(const struct strata_replay *r, const struct strata_graph *g,
                         const bool *set, struct strata_schema **out, struct strata_error *err)
{
    struct strata_schema *s = strata_schema_new();
    int rc = 0;

    *out = NULL;
    if (s == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    for (size_t i = 0; i < g->count && rc == 0; i++)
        if (set[i])
            rc = strata_replay_apply(r, g, i, s, err);
    if (rc != 0) {
        strata_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int strata_replay(const struct strata_migrations *m, const char *target_id,
                  struct strata_schema **out, struct strata_error *err)
{
    struct strata_graph g;
    struct strata_replay r = { 0 };
    bool *set = NULL;
    long node;
    int rc;

    *out = NULL;
    rc = strata_graph_build(&g, m, err);
    if (rc != 0)
        return rc;
    set = calloc(g.count + 1, sizeof(*set));
    if (set == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (target_id != NULL) {
        node = strata_graph_find(&g, target_id);
        if (node < 0) {
            rc = strata_error_set(err, STRATA_ENOTFOUND, "unknown revision '%s'", target_id);
            goto cleanup;
        }
        set[node] = true;
        strata_graph_close_set(&g, set);
    }
    /* Only the target's ancestry is checked: a later revision may be broken. */
    rc = load(&r, &g, set, true, err);
    if (rc == 0)
        rc = strata_replay_schema(&r, &g, set, out, err);
cleanup:
    strata_replay_free(&r);
    free(set);
    strata_graph_free(&g);
    return rc;
}
