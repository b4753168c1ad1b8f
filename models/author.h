/*
 * The seed tutorial's model: an author with a nullable name.
 *
 * `strata migrate` reads this header with libclang and turns the annotated struct into
 * the `author` table; the app includes the same header and uses the struct to hold
 * rows. Without STRATA_GENERATOR the annotations expand to nothing.
 */
#ifndef BOOKSHELF_AUTHOR_H
#define BOOKSHELF_AUTHOR_H

#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name; /* TEXT, nullable: a pointer may be NULL */
};

#endif
