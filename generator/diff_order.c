/*
 * Dependency order for the diff (see diff_order.h): which of a set of tables comes
 * first when foreign keys tie them together. diff.c creates tables and diffs existing
 * ones in this order, and drops tables in its reverse.
 */
#include "diff_order.h"

#include <stdlib.h>

/*
 * Places table `i` of `s` after the selected tables it references (depth first, a cycle
 * broken where it closes). `state`: 0 unvisited, 1 in progress, 2 placed.
 */
static void place(const struct strata_schema *s, const bool *selected, size_t i, char *state,
                  size_t *order, size_t *n)
{
    const struct strata_table *t = &s->tables[i];

    state[i] = 1;
    for (size_t k = 0; k < t->nforeign_keys; k++) {
        const struct strata_table *p = strata_schema_find_table(s, t->foreign_keys[k].ref_table);
        size_t pi = p ? (size_t)(p - s->tables) : 0;

        if (p != NULL && selected[pi] && state[pi] == 0)
            place(s, selected, pi, state, order, n);
    }
    state[i] = 2;
    order[(*n)++] = i;
}

/* See diff_order.h. */
size_t diff_order_parent_first(const struct strata_schema *s, const bool *selected, size_t *order)
{
    char *state = calloc(s->ntables ? s->ntables : 1, 1);
    size_t n = 0;

    if (state == NULL)
        return 0;
    for (size_t i = 0; i < s->ntables; i++)
        if (selected[i] && state[i] == 0)
            place(s, selected, i, state, order, &n);
    free(state);
    return n;
}
