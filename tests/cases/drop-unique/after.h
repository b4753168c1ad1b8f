/* Dropping a unique constraint: drop_constraint, and the downgrade puts it back. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() tag {
    int64_t id STRATA_FIELD(primary_key);
    char name[51];
};
