#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(table = "a_table_name_that_is_much_longer_than_sixty_three_bytes_in_total") t {
    int64_t id STRATA_FIELD(primary_key);
};
