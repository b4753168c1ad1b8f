#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    double price STRATA_FIELD(check = "price >= 0");
    int32_t pages;
};
