#include <stdint.h>
#include <strata/model.h>

/* Bug: a foreign key to a column named "x.y" was written as "a.b.x.y", which the
 * runtime splits at its last '.' (table "a.b.x", column "y"). */
struct STRATA_MODEL(table = "a.b") dotted {
    int64_t id STRATA_FIELD(name = "x.y", primary_key);
};

struct STRATA_MODEL() holder {
    int64_t id STRATA_FIELD(primary_key);
    int64_t d_id STRATA_FIELD(references = dotted.id);
};
