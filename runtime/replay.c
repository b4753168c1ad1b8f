/*
 * The schema at a revision: records each revision's upgrade (ops.c) and applies its
 * operations to an in-memory schema (apply.c), parents first, from an empty schema.
 *
 * The driver asks for the schema the database is at before each revision it runs, and
 * checks once that every revision's recorded schema_hash is what the replay gives:
 * the generator computed that hash with the same code, so a mismatch means a revision
 * was edited so that it no longer yields the schema it claims.
 */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops.h"

/* Applies the upgrade of node `i` to `s`; errors name the revision and operation. */
static int apply_revision(struct strata_schema *s, const struct strata_revision *rev,
                          struct strata_error *err)
{
    struct strata_oplist list = { 0 };
    struct strata_error local = { 0 };
    int rc = 0;

    if (rev->upgrade != NULL)
        rc = strata_oplist_record(&list, rev->upgrade, &local);
    if (rc != 0) {
        strata_error_set(err, STRATA_EMIGRATION, "revision %s: upgrade cannot be recorded: %s",
                         rev->id, local.message);
        strata_error_at(err, rev->id, local.operation[0] ? local.operation : NULL);
        goto cleanup;
    }
    for (size_t k = 0; k < list.nops; k++) {
        rc = strata_schema_apply(s, &list.ops[k], &local);
        if (rc != 0) {
            strata_error_set(err, STRATA_EMIGRATION,
                             "revision %s: replaying upgrade operation %zu (%s) fails: %s",
                             rev->id, k + 1, strata_op_name(list.ops[k].kind), local.message);
            strata_error_at(err, rev->id, strata_op_name(list.ops[k].kind));
            goto cleanup;
        }
    }
cleanup:
    strata_oplist_clear(&list);
    return rc;
}

/* Compares the replayed schema with the hash `rev` records (when it records one). */
static int check_hash(const struct strata_schema *s, const struct strata_revision *rev,
                      struct strata_error *err)
{
    char hash[65];
    int rc;

    if (rev->schema_hash == NULL || rev->schema_hash[0] == '\0')
        return 0;
    rc = strata_schema_hash(s, hash);
    if (rc != 0)
        return strata_error_set(err, rc, "out of memory");
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
 * Replays the set in topological order. With `check`, each revision's hash is checked
 * whenever the revisions replayed so far are exactly it and its ancestors (always, for
 * a linear history; the last revision of a closed set too).
 */
static int replay(const struct strata_graph *g, const bool *set, bool check,
                  struct strata_schema **out, struct strata_error *err)
{
    struct strata_schema *s = strata_schema_new();
    bool *seen = calloc(g->count + 1, sizeof(*seen));
    bool *anc = calloc(g->count + 1, sizeof(*anc));
    int rc = 0;

    *out = NULL;
    if (s == NULL || seen == NULL || anc == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < g->count; i++) {
        if (!set[i])
            continue;
        rc = apply_revision(s, g->nodes[i].rev, err);
        if (rc != 0)
            goto cleanup;
        seen[i] = true;
        if (!check)
            continue;
        memset(anc, 0, g->count * sizeof(*anc));
        anc[i] = true;
        strata_graph_close_set(g, anc);
        if (memcmp(anc, seen, g->count * sizeof(*anc)) == 0) {
            rc = check_hash(s, g->nodes[i].rev, err);
            if (rc != 0)
                goto cleanup;
        }
    }
    *out = s;
    s = NULL;
cleanup:
    free(seen);
    free(anc);
    strata_schema_free(s);
    return rc;
}

int strata_replay_set(const struct strata_graph *g, const bool *set, struct strata_schema **out,
                      struct strata_error *err)
{
    return replay(g, set, false, out, err);
}

int strata_replay_verify(const struct strata_graph *g, struct strata_error *err)
{
    bool *set = calloc(g->count + 1, sizeof(*set));
    struct strata_schema *s = NULL;
    size_t i;
    int rc = 0;

    if (set == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    /* One pass over everything checks every revision of a linear history; a revision
     * on a branch is checked on its own ancestry. */
    for (i = 0; i < g->count; i++)
        set[i] = true;
    rc = replay(g, set, true, &s, err);
    strata_schema_free(s);
    s = NULL;
    for (i = 0; rc == 0 && i < g->count; i++) {
        size_t j;
        bool linear_prefix = true;

        memset(set, 0, g->count * sizeof(*set));
        set[i] = true;
        strata_graph_close_set(g, set);
        for (j = 0; j <= i; j++)
            if (!set[j])
                linear_prefix = false;
        if (linear_prefix)
            continue; /* checked by the pass above */
        rc = replay(g, set, true, &s, err);
        strata_schema_free(s);
        s = NULL;
    }
    free(set);
    return rc;
}

int strata_replay(const struct strata_migrations *m, const char *target_id,
                  struct strata_schema **out, struct strata_error *err)
{
    struct strata_graph g;
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
    rc = replay(&g, set, true, out, err);
cleanup:
    free(set);
    strata_graph_free(&g);
    return rc;
}
