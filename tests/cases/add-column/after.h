#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char *isbn STRATA_FIELD(unique);                   /* nullable: a pointer */
    char title[201];
    int32_t pages STRATA_FIELD(default = 0, index);    /* NOT NULL with a default */
    bool in_print STRATA_FIELD(default = true);
    char *subtitle STRATA_FIELD(default = "it's new");
    int64_t *author_id STRATA_FIELD(references = author.id, on_delete = set_null);
};
