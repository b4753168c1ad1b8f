/*
 * Dependency order for the diff: tables tied by foreign keys, parents first. Private to
 * the diff; callers use diff.h.
 */
#ifndef STRATA_DIFF_ORDER_H
#define STRATA_DIFF_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

/*
 * Writes into `order` the indexes of the tables of `s` with `selected[i]` set,
 * parent-first: each table in `s`'s order, preceded by the selected tables its foreign
 * keys reference that are not placed yet (a cycle is broken where it closes). `order`
 * has room for s->ntables. Returns the count (0 when out of memory).
 */
size_t diff_order_parent_first(const struct strata_schema *s, const bool *selected,
                               size_t *order);

#endif
