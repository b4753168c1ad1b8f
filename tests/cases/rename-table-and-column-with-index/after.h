/*
 * Table and column renamed together, with other changes to both: every generated name
 * that embeds them (indexes, unique, foreign key) follows the rename, so none of those
 * is dropped and created again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(renamed_from = "author", index(full_name, born)) writer {
    int64_t id STRATA_FIELD(primary_key);
    char full_name[101] STRATA_FIELD(index, renamed_from = "name");
    char *email STRATA_FIELD(unique);
    int32_t born STRATA_FIELD(default = 0, check = "born >= 0");
    char *country;
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t writer_id STRATA_FIELD(references = writer.id, renamed_from = "author_id");
};
