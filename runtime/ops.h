/*
 * Recorded operations: what a revision's upgrade() or downgrade() asked for.
 *
 * Revision code calls strata_create_table() and friends on a `struct strata_op`; those
 * calls append a `struct strata_opdef` (deep copies, in the list's arena) and never
 * touch a database. The runtime then replays the list into a schema (apply.c) and hands
 * each operation to the dialect, which renders SQL. The generator's diff produces the
 * same list and its emitter prints it back as C, so one representation serves both
 * directions. Internal header.
 */
#ifndef STRATA_OPS_H
#define STRATA_OPS_H

#include <stddef.h>

#include <strata/migration.h>
#include <strata/strata.h>

#include "arena.h"
#include "schema.h"

enum strata_op_kind {
    STRATA_OP_CREATE_TABLE,
    STRATA_OP_DROP_TABLE,
    STRATA_OP_ADD_COLUMN,
    STRATA_OP_DROP_COLUMN,
    STRATA_OP_CREATE_INDEX,
    STRATA_OP_DROP_INDEX,
    STRATA_OP_EXECUTE,
    STRATA_OP_HOOK,
    STRATA_OP_RENAME_TABLE,
    STRATA_OP_RENAME_COLUMN,
    STRATA_OP_ALTER_COLUMN,
    STRATA_OP_ALTER_PRIMARY_KEY,
    STRATA_OP_CREATE_FOREIGN_KEY,
    STRATA_OP_CREATE_CHECK,
    STRATA_OP_DROP_CONSTRAINT,
    STRATA_OP_ALTER_TABLE_COMMENT
};

/*
 * One operation.
 * - CREATE_TABLE: `def` is the whole table, constraint names already generated.
 * - DROP_TABLE: `table`.
 * - ADD_COLUMN: `def` is a table named `table` holding just the new column and the
 *   constraints it brings (its foreign key, unique index); `name` is the column.
 * - DROP_COLUMN: `table`, `name` is the column.
 * - CREATE_INDEX: `table`, `index` (name, columns, unique).
 * - DROP_INDEX: `table`, `name` is the index.
 * - EXECUTE: `sql`, `dialect` (NULL: every dialect).
 * - HOOK: `name`, `hook`.
 * - RENAME_TABLE: `table` is the old name, `new_name` the new one.
 * - RENAME_COLUMN: `table`, `name` the column's old name, `new_name` the new one.
 * - ALTER_COLUMN: `table`, `name` the column; `def` a table named `table` holding just
 *   the column's new definition (its `backfill` set when given).
 * - ALTER_PRIMARY_KEY: `table`; `index.columns`/`index.ncolumns` the new key (0: none).
 * - CREATE_FOREIGN_KEY: `table`, `name`; `fk` the key.
 * - CREATE_CHECK: `table`, `name`; `sql` the expression.
 * - DROP_CONSTRAINT: `table`, `name` (a foreign key, table check or unique index).
 * - ALTER_TABLE_COMMENT: `table`; `sql` the comment or NULL.
 * ADD_COLUMN's `def->columns[0].backfill` is set when the revision gave `.backfill`.
 */
struct strata_opdef {
    enum strata_op_kind kind;
    char *table;
    char *name;
    struct strata_table *def;
    struct strata_index index;
    struct strata_foreign_key fk;
    char *new_name;
    char *sql;
    char *dialect;
    strata_hook_fn hook;
    /*
     * Generator-only: a remark the emitter writes as a comment line above the call
     * ("destructive: drops column book.pages and its data"). Never recorded, never in
     * the canonical form.
     */
    char *note;
};

struct strata_oplist {
    struct strata_arena arena;
    struct strata_opdef *ops;
    size_t nops;
};

/* The recorder revision code writes into. */
struct strata_op {
    struct strata_oplist *list;
    int failed;             /* sticky: later operations do nothing */
    struct strata_error err; /* the first failure */
};

/* Frees the operations (not the struct itself). Accepts NULL. */
void strata_oplist_clear(struct strata_oplist *l);

/* Appends a zeroed operation of `kind`; NULL when out of memory. */
struct strata_opdef *strata_oplist_push(struct strata_oplist *l, enum strata_op_kind kind);

/*
 * Runs `fn` (a revision's upgrade or downgrade) against a recorder and stores what it
 * asked for in `out` (which must be zeroed or cleared). On a malformed operation (a
 * STRATA_PRIMARY_KEY naming no column, an add_column without a column, ...) returns
 * STRATA_EMIGRATION with the operation named in `err`.
 */
int strata_oplist_record(struct strata_oplist *out, void (*fn)(struct strata_op *op),
                         struct strata_error *err);

/*
 * Builds a table from create_table items, generating every constraint name
 * (pk_, uq_, fk_, ck_) as DESIGN 1.1 says. Used by the recorder and by the parser's
 * model builder path alike. 0, or STRATA_EMIGRATION with a message in `err`.
 */
int strata_table_from_items(struct strata_arena *a, struct strata_table *out, const char *table,
                            const struct strata_table_item *items, size_t count,
                            struct strata_error *err);

/* The operation's Alembic-style name: "create_table", "add_column", ... */
const char *strata_op_name(enum strata_op_kind kind);

/*
 * Applies `op` to `s` (replay). Fails with STRATA_EMIGRATION and a message in `err`
 * when the operation does not fit the schema (table exists, no such column, ...); on
 * error `s` is unchanged. EXECUTE and HOOK leave the schema alone. First gives every
 * `shared` table the operation can change arrays of its own (strata_table_own).
 */
int strata_schema_apply(struct strata_schema *s, const struct strata_opdef *op,
                        struct strata_error *err);

/*
 * Which tables applying operations can change: a table the operations name (its table,
 * a rename's new name, a created table), or one with a foreign key that points at a
 * table they name (renames rewrite such keys). strata_schema_apply changes no other
 * table; the hash tracker below and copy-on-write working copies rely on it.
 */
struct strata_op_names {
    struct strata_arena arena;
    const char **names; /* borrowed from the operations */
    size_t count;
    struct strata_name_index index;
};
/* The names `ops` name, as a set. 0 or STRATA_ENOMEM. Free with strata_op_names_free. */
int strata_op_names_init(struct strata_op_names *n, const struct strata_opdef *ops, size_t nops);
void strata_op_names_free(struct strata_op_names *n);
bool strata_op_names_can_change(const struct strata_op_names *n, const struct strata_table *t);
/* Gives every `shared` table of `s` that `op` can change arrays of its own. */
int strata_schema_own_for(struct strata_schema *s, const struct strata_opdef *op);

/*
 * The schema hash (schema.h) kept current while revisions are applied to one schema:
 * reset from the whole schema once, then per revision `before` (with the schema before
 * its operations), strata_schema_apply of each operation, `after`. Costs what the
 * tables the revision can change cost to hash, not the whole schema (schema_hash.c).
 */
struct strata_hash_tracker {
    unsigned char sum[32]; /* of the table digests */
};
int strata_hash_tracker_reset(struct strata_hash_tracker *h, const struct strata_schema *s);
int strata_hash_tracker_before(struct strata_hash_tracker *h, const struct strata_schema *s,
                               const struct strata_oplist *ops);
int strata_hash_tracker_after(struct strata_hash_tracker *h, const struct strata_schema *s,
                              const struct strata_oplist *ops);
void strata_hash_tracker_hex(const struct strata_hash_tracker *h, char out[65]);

/*
 * The canonical serialization of an operation list (independent of dialect and SQLite
 * version) and its SHA-256: the checksum `strata_history` stores.
 */
int strata_oplist_canonical(const struct strata_oplist *l, char **out);
int strata_oplist_checksum(const struct strata_oplist *l, char out[65]);

#endif
