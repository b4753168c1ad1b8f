#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201] STRATA_FIELD(index);
    int64_t author_id STRATA_FIELD(references = author.id, on_delete = cascade);
    char *isbn STRATA_FIELD(unique);
};
