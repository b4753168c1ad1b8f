#include <stdint.h>
#include <strata/model.h>

/* Bug: a `--` comment in a check swallowed the `)` after it (a syntax error at upgrade),
 * and a trailing slash-star comment was lost when the schema was read back (drift). A
 * comment marker inside a quoted string is not a comment and stays allowed. */
struct STRATA_MODEL(check("n > 0 /* positive */")) counter {
    int64_t id STRATA_FIELD(primary_key);
    int64_t n STRATA_FIELD(check = "n <> 42 -- not the answer");
    char *s STRATA_FIELD(check = "s <> '--' AND \"s\" <> '/* x */'", default_sql = "'-' || '-'");
};
