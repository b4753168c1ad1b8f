/* A table check on an existing table. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(check("price < 1000 OR pages > 100")) book {
    int64_t id STRATA_FIELD(primary_key);
    double price;
    int32_t pages;
};
