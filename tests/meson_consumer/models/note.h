/* The consumer's one model: a note with a title sized by <notes/limits.h>. */
#ifndef NOTES_NOTE_H
#define NOTES_NOTE_H

#include <stdint.h>
#include <strata/model.h>

#include <notes/limits.h>

struct STRATA_MODEL() note {
    int64_t id STRATA_FIELD(primary_key);
    char title[NOTES_TITLE_SIZE];
    char *body;
};

#endif
