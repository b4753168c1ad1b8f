/* NOT NULL columns added to a table that may hold rows: backfill, or a default. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201] STRATA_FIELD(backfill = "untitled");
    int32_t pages STRATA_FIELD(default = 0, backfill = 1);
    char *isbn STRATA_FIELD(backfill = "n/a");    /* nullable: the backfill is inert */
};
