/* Children declared before their parents: creates go parent-first, drops child-first. */
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(primary_key(book_id, tag_id)) book_tag {
    int64_t book_id STRATA_FIELD(references = book.id, on_delete = cascade);
    int64_t tag_id STRATA_FIELD(references = tag.id, on_delete = cascade);
};

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t author_id STRATA_FIELD(references = author.id, on_delete = cascade);
};

struct STRATA_MODEL() tag {
    int64_t id STRATA_FIELD(primary_key);
    char name[51] STRATA_FIELD(unique);
};

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};
