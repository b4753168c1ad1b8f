#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book_tag {
    int64_t id STRATA_FIELD(primary_key);
    int64_t book_id;
    int64_t tag_id;
};
