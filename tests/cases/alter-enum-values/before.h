#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

enum color { RED, GREEN, BLUE };

struct STRATA_MODEL() paint {
    int64_t id STRATA_FIELD(primary_key);
    enum color color;
};
