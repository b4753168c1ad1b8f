#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() writer {
    int64_t id STRATA_FIELD(primary_key);
    char *full_name;
};
