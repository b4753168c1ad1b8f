/*
 * SQL text that every dialect writes the same way: quoted identifiers and literals,
 * name lists, foreign key references, enum value lists, and column types from a
 * dialect's table of type names. Both SQLite and PostgreSQL follow standard SQL here
 * (identifiers in double quotes, literals in single quotes, the quote doubled inside).
 * Internal header.
 */
#ifndef STRATA_SQLTEXT_H
#define STRATA_SQLTEXT_H

#include <stddef.h>

#include "buf.h"
#include "schema.h"

/* Appends `"name"` / `'text'`, doubling every quote inside. */
void strata_sql_quote_ident(struct strata_buf *b, const char *name);
void strata_sql_quote_literal(struct strata_buf *b, const char *text);

/* Appends `("a", "b")`. */
void strata_sql_name_list(struct strata_buf *b, char *const *names, size_t count);

/* Appends `REFERENCES "t" ("c") [ON DELETE ...] [ON UPDATE ...]`. */
void strata_sql_references(struct strata_buf *b, const struct strata_foreign_key *fk);

/* Appends the comma-separated integers "0,1, 2" as "0, 1, 2". */
void strata_sql_enum_values(struct strata_buf *b, const char *values);

/*
 * Appends `type` in a dialect's SQL spelling: `names` gives the dialect's name of each
 * kind (indexed by kind; STRATA_TYPE_NONE renders nothing), VARCHAR gets "(n)", and
 * NUMERIC "(p, s)" when it has a precision.
 */
void strata_sql_type(struct strata_buf *b, struct strata_type type,
                     const char *const names[STRATA_TYPE_COUNT]);

#endif
