/*
 * The name index (see nameindex.h): open addressing with linear probing over FNV-1a
 * hashes of the names, kept at most half full.
 */
#include "nameindex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

static char fold(char ch, bool fold_case)
{
    return fold_case && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static uint64_t hash(const char *name, bool fold_case)
{
    uint64_t h = 14695981039346656037u;

    for (const char *p = name; *p != '\0'; p++) {
        h ^= (unsigned char)fold(*p, fold_case);
        h *= 1099511628211u;
    }
    return h;
}

static const char *name_at(const void *items, size_t size, size_t pos)
{
    return *(const char *const *)((const unsigned char *)items + pos * size);
}

/* Equal names; with fold_case ASCII letters match either case, as hash() folds them. */
static bool same(const struct strata_name_index *ix, const char *a, const char *b)
{
    if (!ix->fold_case)
        return strcmp(a, b) == 0;
    for (; *a != '\0' && fold(*a, true) == fold(*b, true); a++, b++)
        ;
    return fold(*a, true) == fold(*b, true);
}

/* Puts `pos` in the first free slot of its probe sequence (there is one). */
static void place(size_t *slots, size_t cap, uint64_t h, size_t pos)
{
    size_t i = (size_t)h & (cap - 1);

    while (slots[i] != 0)
        i = (i + 1) & (cap - 1);
    slots[i] = pos + 1;
}

int strata_name_index_add(struct strata_name_index *ix, const void *items, size_t n,
                          size_t size, size_t pos)
{
    if ((ix->count + 1) * 2 > ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 16;
        size_t *slots = calloc(cap, sizeof(*slots));

        if (slots == NULL)
            return STRATA_ENOMEM;
        for (size_t i = 0; i < ix->cap; i++) {
            size_t p = ix->slots[i];
            if (p != 0 && p <= n)
                place(slots, cap, hash(name_at(items, size, p - 1), ix->fold_case), p - 1);
        }
        free(ix->slots);
        ix->slots = slots;
        ix->cap = cap;
    }
    place(ix->slots, ix->cap, hash(name_at(items, size, pos), ix->fold_case), pos);
    ix->count++;
    return 0;
}

long strata_name_index_find(const struct strata_name_index *ix, const void *items, size_t n,
                            size_t size, const char *name)
{
    size_t i;

    if (ix->cap == 0)
        return -1;
    for (i = (size_t)hash(name, ix->fold_case) & (ix->cap - 1); ix->slots[i] != 0;
         i = (i + 1) & (ix->cap - 1)) {
        size_t pos = ix->slots[i] - 1;
        if (pos < n && same(ix, name_at(items, size, pos), name))
            return (long)pos;
    }
    return -1;
}

int strata_name_index_copy(struct strata_name_index *dst, const struct strata_name_index *src)
{
    size_t *slots = malloc((src->cap ? src->cap : 1) * sizeof(*slots));

    if (slots == NULL)
        return STRATA_ENOMEM;
    if (src->cap > 0)
        memcpy(slots, src->slots, src->cap * sizeof(*slots));
    free(dst->slots);
    *dst = *src;
    dst->slots = slots;
    return 0;
}

void strata_name_index_clear(struct strata_name_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = 0;
    ix->count = 0;
}
