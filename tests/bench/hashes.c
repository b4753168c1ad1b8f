/*
 * Benchmark helper (tests/bench/run.sh): prints `<id> <schema hash>` for each revision of
 * a registry that `strata generate` wrote, in registry order (parents first), by
 * replaying the upgrades into one schema with libstrata's own recorder and apply code.
 * run.sh writes a long synthetic history straight from Python with NULL hashes, then
 * fills them in from this output, which is far quicker than 500 `strata migrate` runs;
 * `strata check` afterwards proves the hashes agree with the generator's. Uses
 * libstrata's internal headers (runtime/), so it is built against the same tree.
 */
#include <stdio.h>
#include <string.h>

#include <strata/migration.h>
#include <strata/strata.h>

#include "ops.h"
#include "schema.h"

extern const struct strata_migrations strata_migrations;

int main(void)
{
    const struct strata_migrations *m = &strata_migrations;
    struct strata_schema *s = strata_schema_new();
    struct strata_error err;
    char hash[65];
    size_t i, j;
    int rc = 1;

    memset(&err, 0, sizeof err);
    if (s == NULL)
        return 1;
    for (i = 0; i < m->count; i++) {
        struct strata_oplist ops;

        memset(&ops, 0, sizeof ops);
        if (strata_oplist_record(&ops, m->revisions[i]->upgrade, &err) != 0)
            goto fail;
        for (j = 0; j < ops.nops; j++) {
            if (strata_schema_apply(s, &ops.ops[j], &err) != 0) {
                strata_oplist_clear(&ops);
                goto fail;
            }
        }
        strata_oplist_clear(&ops);
        if (strata_schema_hash(s, hash) != 0)
            goto fail;
        printf("%s %s\n", m->revisions[i]->id, hash);
    }
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "hashes: revision %s: %s\n", m->revisions[i]->id, err.message);
done:
    strata_schema_free(s);
    return rc;
}
