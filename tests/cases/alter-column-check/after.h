/* A column check changed and another added, through alter_column. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    double price STRATA_FIELD(check = "price >= 0 AND price < 10000");
    int32_t pages STRATA_FIELD(check = "pages > 0", comment = "printed pages");
};
