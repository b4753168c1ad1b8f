/*
 * The exercise's second model: a book written by an author.
 *
 * Deleting an author deletes their books (on_delete = cascade); listing an author's
 * books by title uses the (author_id, title) index. The title is a fixed-size buffer,
 * so it maps to VARCHAR(200) and strata adds a length check that keeps the database
 * from holding a title the struct cannot.
 */
#ifndef BOOKSHELF_BOOK_H
#define BOOKSHELF_BOOK_H

#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(index(author_id, title)) book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201] STRATA_FIELD(index); /* VARCHAR(200) NOT NULL */
    int64_t author_id STRATA_FIELD(references = author.id, on_delete = cascade);
    double price STRATA_FIELD(default = 0, check = "price >= 0");
};

#endif
