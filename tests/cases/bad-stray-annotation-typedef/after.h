#include <stdint.h>
#include <strata/model.h>

typedef int64_t author_id STRATA_FIELD(primary_key);

struct STRATA_MODEL() author {
    author_id id STRATA_FIELD(primary_key);
};
