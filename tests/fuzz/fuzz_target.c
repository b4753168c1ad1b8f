/*
 * Fuzz target: revision target resolution (strata_target_resolve) and the parsing of
 * strata_version's ids (strata_graph_parse_versions) over a small history with a
 * branch and a merge. The input is `VERSIONS\nTARGET`: the database's version ids and
 * the target as a user types it (`head`, `+2`, a prefix...). Either resolves to a set
 * of revisions or fails with a message; never crashes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

#include "fuzz.h"
#include "migrate.h"

static void no_ops(struct strata_op *op)
{
    (void)op;
}

/* base -> a1 -> {b2, c3} -> m4 (merge) -> e5; a second root r6 -> r7. */
static const struct strata_revision a1 = { "a1a1a1a1a1a1", NULL, "a", NULL, no_ops, no_ops };
static const struct strata_revision b2 = { "b2b2b2b2b2b2", "a1a1a1a1a1a1", "b", NULL, no_ops,
                                           no_ops };
static const struct strata_revision c3 = { "b2c3c3c3c3c3", "a1a1a1a1a1a1", "c", NULL, no_ops,
                                           no_ops };
static const struct strata_revision m4 = { "m4m4m4m4m4m4", "b2b2b2b2b2b2 b2c3c3c3c3c3", "m",
                                           NULL, no_ops, no_ops };
static const struct strata_revision e5 = { "e5e5e5e5e5e5", "m4m4m4m4m4m4", "e", NULL, no_ops,
                                           no_ops };
static const struct strata_revision r6 = { "r6", NULL, "r", NULL, no_ops, no_ops };
static const struct strata_revision r7 = { "r7_branch", "r6", "r", NULL, no_ops, no_ops };
static const struct strata_revision *const revs[] = { &e5, &m4, &c3, &b2, &a1, &r6, &r7 };
static const struct strata_migrations history = { STRATA_ABI_VERSION, 7, revs };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strata_graph g;
    struct strata_error err = { 0 };
    bool current[8], goal[8];
    char *text = malloc(size + 1);
    char *target;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    target = strchr(text, '\n');
    if (target != NULL)
        *target++ = '\0';
    else
        target = text + size;
    if (strata_graph_build(&g, &history, &err) != 0)
        abort();
    if (strata_graph_parse_versions(&g, text, current, &err) == 0) {
        strata_graph_close_set(&g, current);
        strata_error_clear(&err);
        if (strata_target_resolve(&g, current, target, goal, &err) != 0 &&
            err.message[0] == '\0')
            abort();
    }
    strata_graph_free(&g);
    free(text);
    return 0;
}
