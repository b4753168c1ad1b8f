#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() counter {
    int64_t id STRATA_FIELD(primary_key);
    uint64_t hits;
};
