/*
 * A bump allocator: many small allocations, freed together in one call.
 *
 * The schema model and recorded operation lists allocate every node and string here,
 * so their owners free them with one strata_arena_free(). Internal header.
 */
#ifndef STRATA_ARENA_H
#define STRATA_ARENA_H

#include <stdalign.h>
#include <stddef.h>

/* Every allocation is aligned so. */
#define STRATA_ARENA_ALIGN alignof(max_align_t)

struct strata_arena_block;

struct strata_arena {
    struct strata_arena_block *head;
};

/* Zeroed memory for `size` bytes, aligned for any type; NULL when out of memory. */
void *strata_arena_alloc(struct strata_arena *a, size_t size);
/* A copy of `s` in the arena; NULL when `s` is NULL or out of memory. */
/* Like strata_arena_alloc, but not zeroed: for a caller that writes all of it. */
void *strata_arena_alloc_raw(struct strata_arena *a, size_t size);
char *strata_arena_strdup(struct strata_arena *a, const char *s);
/* A copy of the first `n` bytes of `s`, NUL-terminated. */
char *strata_arena_strndup(struct strata_arena *a, const char *s, size_t n);
/*
 * Zeroed room for an array of `count` elements of `size` bytes that strata_arena_push
 * may grow later. Every array that is pushed to must come from here or from push.
 */
void *strata_arena_array(struct strata_arena *a, size_t count, size_t size);
/* Elements an array of `count` has room for: the next power of two (see push). */
static inline size_t strata_arena_capacity(size_t count)
{
    size_t cap = 1;

    while (cap < count)
        cap *= 2;
    return cap;
}

/*
 * The bytes strata_arena_array(count, size) takes, alignment included: arrays carved one
 * after another from a single allocation of the sum behave as if each came from
 * strata_arena_array (strata_arena_push may grow them).
 */
static inline size_t strata_arena_array_bytes(size_t count, size_t size)
{
    return (strata_arena_capacity(count) * size + STRATA_ARENA_ALIGN - 1) /
           STRATA_ARENA_ALIGN * STRATA_ARENA_ALIGN;
}
/*
 * Grows the array *items (of *count elements of `size` bytes) by one zeroed element and
 * returns it; the array may move, so earlier element pointers can become stale. NULL
 * when out of memory (the array is unchanged). Removing elements (decrementing *count)
 * keeps the array valid for later pushes.
 */
void *strata_arena_push(struct strata_arena *a, void *items, size_t *count, size_t size);
/* Frees every allocation. The arena may be reused afterwards. */
void strata_arena_free(struct strata_arena *a);

#endif
