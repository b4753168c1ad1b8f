/*
 * A hash index over an array of named elements: tables, generated constraint names.
 *
 * The array stays where it is and keeps its order (declaration order matters to the
 * diff and to messages); the index maps a name to the element's position. Each element
 * of the array starts with its `char *name` (or `const char *name`), as every named
 * thing of the schema model does. The index holds positions, not pointers, so the array
 * may be reallocated when it grows; removing or renaming an element invalidates the
 * index (strata_name_index_clear()). Names compare exactly, or ASCII case-insensitively
 * (`fold_case`) for names that SQL treats as one. Internal header: not installed.
 */
#ifndef STRATA_NAMEINDEX_H
#define STRATA_NAMEINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct strata_name_index {
    size_t *slots; /* position + 1 of an element, 0 for an empty slot */
    size_t cap;    /* a power of two, or 0 before the first add */
    size_t count;  /* elements indexed */
    bool fold_case;
};

/*
 * Indexes element `pos` of `items` (`n` elements of `size` bytes; `pos` < `n`), growing
 * the index when it is over half full. 0, or STRATA_ENOMEM and the index unchanged.
 */
int strata_name_index_add(struct strata_name_index *ix, const void *items, size_t n,
                          size_t size, size_t pos);

/* The position of the element named `name`, or -1. */
long strata_name_index_find(const struct strata_name_index *ix, const void *items, size_t n,
                            size_t size, const char *name);

/*
 * Makes `dst` (empty) a copy of `src`, for a copy of the array with the same positions.
 * 0, or STRATA_ENOMEM and `dst` still empty.
 */
int strata_name_index_copy(struct strata_name_index *dst, const struct strata_name_index *src);

/* Forgets every element (keeps fold_case); the next add starts again. */
void strata_name_index_clear(struct strata_name_index *ix);

#endif
