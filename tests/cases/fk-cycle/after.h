/* Two new tables that reference each other: tables first, then the closing key. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() employee {
    int64_t id STRATA_FIELD(primary_key);
    int64_t *department_id STRATA_FIELD(references = department.id, on_delete = set_null);
};

struct STRATA_MODEL() department {
    int64_t id STRATA_FIELD(primary_key);
    int64_t *manager_id STRATA_FIELD(references = employee.id, on_delete = set_null);
};

struct STRATA_MODEL() shelf {
    int64_t id STRATA_FIELD(primary_key);
};
