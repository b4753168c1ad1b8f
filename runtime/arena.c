/*
 * The bump allocator behind the schema model and operation lists (see arena.h).
 * Blocks are chained; a request larger than a block gets a block of its own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 16384

struct strata_arena_block {
    struct strata_arena_block *next;
    size_t used;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

void *strata_arena_alloc_raw(struct strata_arena *a, size_t size)
{
    const size_t align = STRATA_ARENA_ALIGN;
    size_t need = (size + align - 1) / align * align;
    struct strata_arena_block *b = a->head;

    if (need == 0)
        need = align;
    if (b == NULL || b->size - b->used < need) {
        size_t cap = need > BLOCK_SIZE ? need : BLOCK_SIZE;
        b = malloc(sizeof(*b) + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->size = cap;
        if (need > BLOCK_SIZE && a->head != NULL) {
            /* Keep the current block first: it still has room for small requests. */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *strata_arena_alloc(struct strata_arena *a, size_t size)
{
    void *p = strata_arena_alloc_raw(a, size);

    if (p != NULL)
        memset(p, 0, size);
    return p;
}

char *strata_arena_strndup(struct strata_arena *a, const char *s, size_t n)
{
    char *p;

    if (s == NULL)
        return NULL;
    p = strata_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *strata_arena_strdup(struct strata_arena *a, const char *s)
{
    return s == NULL ? NULL : strata_arena_strndup(a, s, strlen(s));
}

void *strata_arena_array(struct strata_arena *a, size_t count, size_t size)
{
    return strata_arena_alloc(a, strata_arena_capacity(count) * size);
}

void *strata_arena_push(struct strata_arena *a, void *items, size_t *count, size_t size)
{
    unsigned char **slot = items;

    /* Arrays hold capacity(count) elements, so only a power-of-two count is full. */
    if (*count == 0 || (*count & (*count - 1)) == 0) {
        unsigned char *grown = strata_arena_alloc(a, strata_arena_capacity(*count + 1) * size);

        if (grown == NULL)
            return NULL;
        if (*count > 0)
            memcpy(grown, *slot, *count * size);
        *slot = grown;
    }
    memset(*slot + *count * size, 0, size);
    return *slot + (*count)++ * size;
}

void strata_arena_free(struct strata_arena *a)
{
    struct strata_arena_block *b = a->head;

    while (b != NULL) {
        struct strata_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
