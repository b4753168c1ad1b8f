#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(comment = "books") book {
    int64_t id STRATA_FIELD(primary_key);
};

struct STRATA_MODEL() tag {
    int64_t id STRATA_FIELD(primary_key);
};
