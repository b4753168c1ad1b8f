/* A unique constraint on existing data is risky: duplicates fail the migration. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() tag {
    int64_t id STRATA_FIELD(primary_key);
    char name[51] STRATA_FIELD(unique);
};
