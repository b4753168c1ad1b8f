/* One table check dropped, one changed (a new expression is a new name). */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(check("price < 2000 OR pages > 100")) book {
    int64_t id STRATA_FIELD(primary_key);
    double price;
    int32_t pages;
};
