/* A new enum constant: the column's enum CHECK follows, through alter_column. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

enum color { RED, GREEN, BLUE, YELLOW = 7 };

struct STRATA_MODEL() paint {
    int64_t id STRATA_FIELD(primary_key);
    enum color color;
};
