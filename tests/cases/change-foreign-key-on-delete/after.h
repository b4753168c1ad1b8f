/* on_delete and on_update changed: drop_constraint + create_foreign_key. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t *author_id STRATA_FIELD(references = author.id, on_delete = set_null,
                                    on_update = cascade);
};
