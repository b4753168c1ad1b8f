#include <stdint.h>
#include <strata/model.h>

struct plain {
    int64_t id STRATA_FIELD(primary_key);
};
