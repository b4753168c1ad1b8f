/* author becomes writer: one rename, the book's foreign key follows it. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(renamed_from = "author") writer {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t author_id STRATA_FIELD(references = writer.id, on_delete = cascade);
};
