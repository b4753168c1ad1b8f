/* NULLs get the backfill when the column becomes NOT NULL; pages becomes nullable. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char *title STRATA_FIELD(not_null, backfill = "untitled");
    int32_t pages STRATA_FIELD(nullable);
};
