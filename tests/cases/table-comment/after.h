/* A table comment changed, another added. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(comment = "books on the shelf") book {
    int64_t id STRATA_FIELD(primary_key);
};

struct STRATA_MODEL(comment = "labels for books") tag {
    int64_t id STRATA_FIELD(primary_key);
};
