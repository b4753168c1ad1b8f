#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(table = "sqlite_stuff") stuff {
    int64_t id STRATA_FIELD(primary_key);
};
