#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
};

struct STRATA_MODEL(table = "author") writer {
    int64_t id STRATA_FIELD(primary_key);
};
