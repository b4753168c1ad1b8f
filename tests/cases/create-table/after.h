/* Every column kind and constraint a new table can carry. */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

enum shelf_state { SHELF_OPEN = 0, SHELF_FULL = 1, SHELF_GONE = 2 };

struct STRATA_MODEL(comment = "shelves of books", check("capacity > 0 OR state = 2"),
                    unique(room, position), index(room, label)) shelf {
    int64_t id STRATA_FIELD(primary_key);
    char label[41] STRATA_FIELD(index);
    char *note;
    int32_t room;
    int16_t position STRATA_FIELD(default = 0);
    int capacity STRATA_FIELD(default = 10, check = "capacity <= 500");
    bool heavy STRATA_FIELD(default = false);
    float width;
    double depth STRATA_FIELD(nullable);
    enum shelf_state state STRATA_FIELD(default = SHELF_OPEN);
    struct strata_blob photo;
    struct strata_blob *thumb;
    char *code STRATA_FIELD(unique, comment = "barcode \"EAN\"");
    char *price STRATA_FIELD(type = numeric(10,2), not_null, default = 0);
    char *added STRATA_FIELD(type = datetime, not_null, default_sql = "CURRENT_TIMESTAMP");
    char *day STRATA_FIELD(type = date);
    char *meta STRATA_FIELD(type = json);
    char *uid STRATA_FIELD(type = uuid);
    char *seen STRATA_FIELD(type = timestamp);
};

struct STRATA_MODEL(primary_key(shelf_id, slot)) shelf_slot {
    int64_t shelf_id STRATA_FIELD(references = shelf.id, on_delete = cascade);
    int32_t slot;
    int64_t next_id STRATA_FIELD(references = shelf.id, on_delete = set_null, on_update = restrict, nullable);
};
