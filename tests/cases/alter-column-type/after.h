/* A narrowing (varchar(200) -> varchar(50)) is marked risky; widenings are not. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char title[51];
    int64_t pages;
    double rating;
};
