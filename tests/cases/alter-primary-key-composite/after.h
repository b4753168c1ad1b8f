/* The surrogate id goes; the key becomes (book_id, tag_id). */
#include <stdbool.h>
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(primary_key(book_id, tag_id)) book_tag {
    int64_t book_id;
    int64_t tag_id;
};
