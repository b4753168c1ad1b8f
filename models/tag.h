/*
 * The exercise's bonus: tags, many-to-many with books.
 *
 * `book_tag` is the association table: its primary key is the pair of foreign keys,
 * and removing either the book or the tag removes the pairing.
 */
#ifndef BOOKSHELF_TAG_H
#define BOOKSHELF_TAG_H

#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() tag {
    int64_t id STRATA_FIELD(primary_key);
    char name[51] STRATA_FIELD(unique); /* VARCHAR(50) NOT NULL UNIQUE */
};

struct STRATA_MODEL(primary_key(book_id, tag_id)) book_tag {
    int64_t book_id STRATA_FIELD(references = book.id, on_delete = cascade);
    int64_t tag_id STRATA_FIELD(references = tag.id, on_delete = cascade);
};

#endif
