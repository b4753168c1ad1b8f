/* A composite unique on an existing table. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(unique(author_id, title)) book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t author_id;
    char title[201];
};
