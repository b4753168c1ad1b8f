#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() strata_version {
    int64_t id STRATA_FIELD(primary_key);
};
