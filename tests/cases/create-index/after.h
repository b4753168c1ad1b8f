#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(index(author_id, title)) book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201] STRATA_FIELD(index);
    int64_t author_id;
};
