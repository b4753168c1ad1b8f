/*
 * The renames of an earlier revision left in place: inert (writer and full_name exist,
 * author and name do not), so the only change is the new column.
 */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(renamed_from = "author") writer {
    int64_t id STRATA_FIELD(primary_key);
    char *full_name STRATA_FIELD(renamed_from = "name");
    char *bio;
};
