#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(index(name, born)) author {
    int64_t id STRATA_FIELD(primary_key);
    char name[101] STRATA_FIELD(index);
    char *email STRATA_FIELD(unique);
    int32_t born STRATA_FIELD(default = 0, check = "born >= 0");
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t author_id STRATA_FIELD(references = author.id);
};
