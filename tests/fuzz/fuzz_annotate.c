/*
 * Fuzz target: the annotation grammar (annotate_parse). The first byte picks the target
 * (model or field annotation) and whether positions are fixed; the rest is the text
 * between the macro's parentheses. Every error must be reported, never crash or leak.
 */
#include <stdbool.h>
#include <string.h>

#include "annotate.h"
#include "arena.h"
#include "diag.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strata_arena arena;
    struct annotate_list list = { NULL, 0 };
    struct diag d;
    enum annotate_target target;
    bool fixed;

    if (size < 1)
        return 0;
    target = (data[0] & 1) ? ANNOTATE_FIELD : ANNOTATE_MODEL;
    fixed = (data[0] & 2) != 0;
    memset(&arena, 0, sizeof(arena));
    diag_init(&d);
    d.out = fuzz_sink();
    annotate_parse(&list, &arena, (const char *)data + 1, size - 1, "models/fuzz.h", 3, 9, fixed,
                   target, &d);
    /* Parsing twice into one list is how a declaration's annotations merge. */
    annotate_parse(&list, &arena, (const char *)data + 1, size - 1, "models/fuzz.h", 4, 9, fixed,
                   target, &d);
    strata_arena_free(&arena);
    return 0;
}
