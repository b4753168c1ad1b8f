/*
 * The schema model shared by the whole pipeline.
 *
 * The generator's parser builds a schema from model headers, the snapshot reads and
 * writes it as JSON, the diff compares two of them and produces operations, and the
 * runtime replays compiled operations into one. Applying an operation to a schema, the
 * canonical serialization and its SHA-256 live here, once, so the hash the generator
 * writes into a revision and the hash the runtime's replay computes agree by
 * construction. Internal header: not installed.
 *
 * A schema owns an arena; every table, column, string and array reachable from it is
 * allocated there and freed by strata_schema_free().
 */
#ifndef STRATA_SCHEMA_H
#define STRATA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <strata/migration.h>
#include <strata/strata.h>

#include "arena.h"
#include "nameindex.h"

/* SQL identifiers (table, column, constraint) are at most this many bytes. */
#define STRATA_NAME_MAX 63

/*
 * Where the models declare something, for located errors (generator-only, never
 * serialized, never hashed; `file` NULL when unknown, e.g. in a schema read from the
 * snapshot). `file` is borrowed from the schema that holds it.
 */
struct strata_srcloc {
    const char *file;
    unsigned line, column;
};

struct strata_column {
    char *name;
    struct strata_type type;
    bool nullable;
    bool autoincrement;
    char *default_value; /* SQL literal or NULL */
    char *default_sql;   /* raw SQL expression or NULL */
    char *check;         /* column CHECK expression or NULL: ck_<table>_<col> */
    char *enum_values;   /* "0,1,2" or NULL: ck_<table>_<col>_enum */
    char *comment;
    /* Generator-only annotations: never serialized, never hashed. */
    char *renamed_from;
    char *backfill;
    const char *c_name; /* the C field name, for messages */
    struct strata_srcloc loc;              /* the field (or its `name =` value) */
    struct strata_srcloc renamed_from_loc; /* the `renamed_from` value */
};

/* An index or a unique constraint (`unique`): on SQLite both are indexes. */
struct strata_index {
    char *name;
    char **columns;
    size_t ncolumns;
    bool unique;
};

struct strata_foreign_key {
    char *name;
    char *column;
    char *ref_table;
    char *ref_column;
    enum strata_fk_action on_delete;
    enum strata_fk_action on_update;
};

/* A table CHECK constraint (column checks live on the column). */
struct strata_check {
    char *name;
    char *expr;
};

struct strata_table {
    char *name;
    char *comment;
    struct strata_column *columns;
    size_t ncolumns;
    char **primary_key; /* column names, in key order: pk_<table> */
    size_t nprimary_key;
    struct strata_index *indexes;
    size_t nindexes;
    struct strata_foreign_key *foreign_keys;
    size_t nforeign_keys;
    struct strata_check *checks;
    size_t nchecks;
    /* Generator-only annotations: never serialized, never hashed. */
    char *renamed_from;
    const char *c_name;
    struct strata_srcloc loc;              /* the struct (or its `table =` value) */
    struct strata_srcloc renamed_from_loc; /* the `renamed_from` value */
    /*
     * The arrays above belong to the schema this table was copied from
     * (strata_schema_copy_shared): strata_table_own() before changing any of them.
     */
    bool shared;
};

struct strata_schema {
    struct strata_arena arena;
    struct strata_table *tables;
    size_t ntables;
    /*
     * strata_schema_find_table()'s index of `tables` by name, valid while `tables` and
     * `ntables` are what it was built for. Appending a table keeps it valid; remove or
     * rename a table only with strata_schema_remove_table()/_rename_table(), which
     * invalidate it.
     */
    struct strata_name_index lookup;
    const struct strata_table *lookup_tables;
    size_t lookup_ntables;
};

/* A new empty schema, or NULL when out of memory. Free with strata_schema_free(). */
struct strata_schema *strata_schema_new(void);
void strata_schema_free(struct strata_schema *s);
/* A deep copy of `s`, or NULL when out of memory. */
struct strata_schema *strata_schema_copy(const struct strata_schema *s);
/*
 * A working copy of `s` that costs its table list: each table shares its arrays and
 * strings with `s` (it is marked `shared`) until strata_table_own() gives it arrays of
 * its own, which strata_schema_apply does for every table an operation can change. No
 * string of a schema is changed in place (renames and edits store new ones). Valid
 * while `s` is not freed. NULL when out of memory.
 */
struct strata_schema *strata_schema_copy_shared(const struct strata_schema *s);
/* Gives a `shared` table of a schema with arena `a` arrays of its own. 0 or STRATA_ENOMEM. */
int strata_table_own(struct strata_arena *a, struct strata_table *t);

/* Borrowed lookups by SQL name; NULL when absent. */
struct strata_table *strata_schema_find_table(const struct strata_schema *s, const char *name);
struct strata_column *strata_table_find_column(const struct strata_table *t, const char *name);
struct strata_index *strata_table_find_index(const struct strata_table *t, const char *name);

/* Removes table `t` of `s`. */
void strata_schema_remove_table(struct strata_schema *s, struct strata_table *t);
/* Gives table `t` of `s` a copy of `name`. 0, or STRATA_ENOMEM and `t` unchanged. */
int strata_schema_rename_table(struct strata_schema *s, struct strata_table *t,
                               const char *name);

/*
 * Appends a zeroed table/column/index/foreign key/check whose strings are copies of the
 * arguments, and returns it (borrowed; pointers to earlier elements of the same array
 * may move). NULL when out of memory.
 */
struct strata_table *strata_schema_add_table(struct strata_schema *s, const char *name);
/* `a` is the arena of the schema (or operation list) that owns `t`. */
struct strata_column *strata_table_add_column(struct strata_arena *a, struct strata_table *t,
                                              const char *name);
struct strata_index *strata_table_add_index(struct strata_arena *a, struct strata_table *t,
                                            const char *name, const char *const *columns,
                                            size_t ncolumns, bool unique);
struct strata_foreign_key *strata_table_add_foreign_key(struct strata_arena *a,
                                                        struct strata_table *t,
                                                        const char *name, const char *column,
                                                        const char *ref_table,
                                                        const char *ref_column);
struct strata_check *strata_table_add_check(struct strata_arena *a, struct strata_table *t,
                                            const char *name, const char *expr);
/* Sets the primary key to copies of `columns`. 0, or STRATA_ENOMEM. */
int strata_table_set_primary_key(struct strata_arena *a, struct strata_table *t,
                                 const char *const *columns, size_t ncolumns);

/*
 * Deep-copies `src` into `dst`, allocating in `a`. 0, or STRATA_ENOMEM. A column copy
 * likewise.
 */
int strata_table_copy(struct strata_arena *a, struct strata_table *dst,
                      const struct strata_table *src);
int strata_column_copy(struct strata_arena *a, struct strata_column *dst,
                       const struct strata_column *src);
/* Removes element `i` of an array, keeping the order of the rest. */
void strata_array_remove(void *items, size_t *count, size_t size, size_t i);

/* ---- comparing values ---- */

/* Whether two optional strings are equal: both NULL, or the same text. */
bool strata_str_equal(const char *a, const char *b);
/* Whether two name lists hold the same names in the same order. */
bool strata_names_equal(char *const *a, size_t na, char *const *b, size_t nb);

/* ---- names ---- */

/*
 * Writes a generated constraint or index name into `out` (size > STRATA_NAME_MAX):
 * `prefix` + "_" + the parts joined by "_" (NULL-terminated list). A name over 63 bytes
 * becomes its first 54 bytes + "_" + 8 hex of the SHA-256 of the full name (fewer
 * than 54 when byte 55 continues a UTF-8 character, which is never cut in two).
 */
void strata_make_name(char *out, const char *prefix, const char *const *parts);
/* ck_<table>_<8 hex of sha256(expr)>, shortened as above. */
void strata_check_name(char *out, const char *table, const char *expr);

/* ---- types ---- */

/* Writes the strata type name ("bigint", "varchar(200)", "numeric(10,2)"); returns out. */
char *strata_type_format(char *out, size_t size, struct strata_type type);
/* How many type kinds there are (enum strata_type_kind, from STRATA_TYPE_NONE). */
#define STRATA_TYPE_COUNT (STRATA_TYPE_UUID + 1)
/* Parses a strata type name. 0, or STRATA_ERROR when `text` is not one. */
int strata_type_parse(const char *text, struct strata_type *out);
/* true for smallint, integer and bigint. */
bool strata_type_is_integer(struct strata_type type);

/* ---- canonical form and hash ---- */

/*
 * The canonical serialization of `s`: tables, columns, indexes, foreign keys and checks
 * sorted by name (declaration order ignored), one item per line. On success *out is a
 * malloc'ed NUL-terminated string owned by the caller.
 */
int strata_schema_canonical(const struct strata_schema *s, char **out);
/* Appends the canonical text of one table (as strata_schema_canonical writes it) to `b`. */
struct strata_buf;
void strata_table_canonical(struct strata_buf *b, const struct strata_table *t);
/*
 * The schema hash that revisions record, as 64 lowercase hex digits + NUL (schema_hash.c).
 * Each table's canonical text is hashed on its own (its digest, SHA-256); the digests are
 * added as 256-bit big-endian numbers modulo 2^256, so the order of tables does not
 * matter and a change to one table moves the sum by that table's change alone; the hash
 * is the SHA-256 of "strata-schema-hash 2\n" followed by the 32 bytes of the sum. A replay
 * keeps the sum current by re-hashing only the tables each revision can change
 * (strata_hash_tracker in ops.h), instead of the whole schema after every revision.
 */
int strata_schema_hash(const struct strata_schema *s, char out[65]);
/* The digest of one table (SHA-256 of its canonical text). 0 or STRATA_ENOMEM. */
int strata_table_digest(const struct strata_table *t, unsigned char out[32]);
/* The sum of the digests of every table of `s`. 0 or STRATA_ENOMEM. */
int strata_schema_digest_sum(const struct strata_schema *s, unsigned char sum[32]);
/* The schema hash of a digest sum. */
void strata_schema_hash_of_sum(const unsigned char sum[32], char out[65]);
/*
 * Compares two schemas by name, ignoring order. Returns 0 when equal; otherwise 1 and
 * writes the first difference ("table book: column isbn missing") into `what`.
 */
int strata_schema_diff_first(const struct strata_schema *expected,
                             const struct strata_schema *actual, char *what, size_t size);

/* SHA-256 of `data`: 32 bytes, or 64 lowercase hex digits + NUL. */
void strata_sha256(const void *data, size_t len, unsigned char out[32]);
void strata_sha256_hex(const void *data, size_t len, char out[65]);
/* `n` bytes as 2n lowercase hex digits + NUL. */
void strata_hex(const unsigned char *bytes, size_t n, char *out);

#endif
