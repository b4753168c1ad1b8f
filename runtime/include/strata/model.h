/*
 * Annotations that turn plain C structs into database tables.
 *
 * STRATA_MODEL(...) marks a struct as a table, STRATA_FIELD(...) annotates one of its
 * fields. When the strata generator parses a header (it defines STRATA_GENERATOR) they
 * become clang `annotate` attributes carrying the text between the parentheses; for every
 * other compiler run they expand to nothing, so the structs stay plain C.
 */
#ifndef STRATA_MODEL_H
#define STRATA_MODEL_H

#include <stddef.h>

#ifdef STRATA_GENERATOR
#define STRATA_MODEL(...) __attribute__((annotate("strata:model " #__VA_ARGS__)))
#define STRATA_FIELD(...) __attribute__((annotate("strata:field " #__VA_ARGS__)))
#else
#define STRATA_MODEL(...)
#define STRATA_FIELD(...)
#endif

/* A binary value: maps to BLOB (SQLite) / BYTEA (PostgreSQL). */
struct strata_blob {
    void *data;
    size_t size;
};

#endif
