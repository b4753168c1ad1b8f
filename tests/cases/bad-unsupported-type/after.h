#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() shape {
    int64_t id STRATA_FIELD(primary_key);
    union {
        int i;
        float f;
    } value;
    int points[4];
};
