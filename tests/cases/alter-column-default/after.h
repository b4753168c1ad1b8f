/* default changed, added; default_sql added. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    double price STRATA_FIELD(default = 9.99);
    bool in_print STRATA_FIELD(default = true);
    char *added STRATA_FIELD(type = datetime, default_sql = "CURRENT_TIMESTAMP");
};
