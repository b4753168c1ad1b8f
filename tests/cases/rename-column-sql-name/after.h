/* The SQL name changes through name = (the C field keeps its name), with renamed_from. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name STRATA_FIELD(name = "display_name", renamed_from = "name");
};
