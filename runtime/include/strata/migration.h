/*
 * The vocabulary of revision files.
 *
 * A revision (generated/versions/NNNN_slug.c) defines `upgrade` and `downgrade`, each a
 * straight list of operation calls, and registers itself with STRATA_REVISION. The calls
 * do not touch the database: they record intent into `op`, and the runtime's dialect
 * renders and runs it later, inside one transaction per revision. The first operation
 * that fails records the error; the ones after it do nothing, so revision code never
 * checks results.
 *
 * Operation names mirror Alembic's `op.*`. Every name given to an operation is a SQL
 * name (table, column, index), never a C name.
 */
#ifndef STRATA_MIGRATION_H
#define STRATA_MIGRATION_H

#include <stdbool.h>
#include <stddef.h>

/* Bumped whenever a struct below changes layout; registry files refuse a mismatch. */
#define STRATA_ABI_VERSION 1

struct strata_op;

/* ---- column types ---- */

enum strata_type_kind {
    STRATA_TYPE_NONE = 0,
    STRATA_TYPE_SMALLINT,
    STRATA_TYPE_INTEGER,
    STRATA_TYPE_BIGINT,
    STRATA_TYPE_BOOLEAN,
    STRATA_TYPE_REAL,
    STRATA_TYPE_DOUBLE,
    STRATA_TYPE_VARCHAR,
    STRATA_TYPE_TEXT,
    STRATA_TYPE_BLOB,
    STRATA_TYPE_NUMERIC,
    STRATA_TYPE_DATE,
    STRATA_TYPE_DATETIME,
    STRATA_TYPE_TIMESTAMP,
    STRATA_TYPE_JSON,
    STRATA_TYPE_UUID
};

/* `length` is VARCHAR's length or NUMERIC's precision; `scale` is NUMERIC's scale. */
struct strata_type {
    enum strata_type_kind kind;
    int length;
    int scale;
};

#define STRATA_TYPE_(k, l, s) ((struct strata_type){ (k), (l), (s) })
#define STRATA_SMALLINT STRATA_TYPE_(STRATA_TYPE_SMALLINT, 0, 0)
#define STRATA_INTEGER STRATA_TYPE_(STRATA_TYPE_INTEGER, 0, 0)
#define STRATA_BIGINT STRATA_TYPE_(STRATA_TYPE_BIGINT, 0, 0)
#define STRATA_BOOLEAN STRATA_TYPE_(STRATA_TYPE_BOOLEAN, 0, 0)
#define STRATA_REAL STRATA_TYPE_(STRATA_TYPE_REAL, 0, 0)
#define STRATA_DOUBLE STRATA_TYPE_(STRATA_TYPE_DOUBLE, 0, 0)
#define STRATA_VARCHAR(n) STRATA_TYPE_(STRATA_TYPE_VARCHAR, (n), 0)
#define STRATA_TEXT STRATA_TYPE_(STRATA_TYPE_TEXT, 0, 0)
#define STRATA_BLOB STRATA_TYPE_(STRATA_TYPE_BLOB, 0, 0)
#define STRATA_NUMERIC(p, s) STRATA_TYPE_(STRATA_TYPE_NUMERIC, (p), (s))
#define STRATA_DATE STRATA_TYPE_(STRATA_TYPE_DATE, 0, 0)
#define STRATA_DATETIME STRATA_TYPE_(STRATA_TYPE_DATETIME, 0, 0)
#define STRATA_TIMESTAMP STRATA_TYPE_(STRATA_TYPE_TIMESTAMP, 0, 0)
#define STRATA_JSON STRATA_TYPE_(STRATA_TYPE_JSON, 0, 0)
#define STRATA_UUID STRATA_TYPE_(STRATA_TYPE_UUID, 0, 0)

/* ---- foreign key actions ---- */

enum strata_fk_action {
    STRATA_NO_ACTION = 0,
    STRATA_RESTRICT,
    STRATA_CASCADE,
    STRATA_SET_NULL
};

/* ---- columns and table items ---- */

/*
 * One column. Zero values are the defaults: NOT NULL, no default, no constraint.
 * `default_value` is a SQL literal (`0`, `1.5`, `'text'`, `TRUE`, `FALSE`, `NULL`);
 * `default_sql` is a raw SQL expression. `check` is the column's CHECK expression
 * (constraint `ck_<table>_<col>`), `enum_values` the comma-separated integers an enum
 * column may hold (`ck_<table>_<col>_enum`), `references` a `"table.column"` foreign
 * key (`fk_<table>_<col>_<table>`), `unique` a single-column unique constraint
 * (`uq_<table>_<col>`). A VARCHAR(n) column always gets `ck_<table>_<col>_len`.
 */
struct strata_column_def {
    const char *name;
    struct strata_type type;
    bool nullable;
    bool primary_key;
    bool autoincrement;
    bool unique;
    const char *default_value;
    const char *default_sql;
    const char *check;
    const char *enum_values;
    const char *references;
    enum strata_fk_action on_delete;
    enum strata_fk_action on_update;
    const char *comment;
    /*
     * SQL literal written into existing rows when the column is added NOT NULL or made
     * NOT NULL (NULLs only); not kept as a default.
     */
    const char *backfill;
};

enum strata_item_kind {
    STRATA_ITEM_COLUMN = 0,
    STRATA_ITEM_PRIMARY_KEY,
    STRATA_ITEM_UNIQUE,
    STRATA_ITEM_CHECK,
    STRATA_ITEM_COMMENT
};

/*
 * An element of strata_create_table: a column, a composite primary key or unique
 * constraint (`columns` is NULL-terminated), a table CHECK (`text` is the expression)
 * or the table's comment (`text`).
 */
struct strata_table_item {
    enum strata_item_kind kind;
    struct strata_column_def column;
    const char *const *columns;
    const char *text;
};

#define STRATA_COLUMN(name_, ...) \
    ((struct strata_table_item){ .kind = STRATA_ITEM_COLUMN, \
                                 .column = { .name = (name_), .type = __VA_ARGS__ } })
#define STRATA_PRIMARY_KEY(...) \
    ((struct strata_table_item){ .kind = STRATA_ITEM_PRIMARY_KEY, \
                                 .columns = (const char *const[]){ __VA_ARGS__, NULL } })
#define STRATA_UNIQUE(...) \
    ((struct strata_table_item){ .kind = STRATA_ITEM_UNIQUE, \
                                 .columns = (const char *const[]){ __VA_ARGS__, NULL } })
#define STRATA_CHECK(expr) \
    ((struct strata_table_item){ .kind = STRATA_ITEM_CHECK, .text = (expr) })
#define STRATA_TABLE_COMMENT(text_) \
    ((struct strata_table_item){ .kind = STRATA_ITEM_COMMENT, .text = (text_) })

#define STRATA_COUNT_(type, ...) (sizeof((type[]){ __VA_ARGS__ }) / sizeof(type))

/* ---- operations ---- */

void strata_create_table_n(struct strata_op *op, const char *table,
                           const struct strata_table_item *items, size_t count);
#define strata_create_table(op, table, ...)                                           \
    strata_create_table_n((op), (table), (const struct strata_table_item[]){ __VA_ARGS__ }, \
                          STRATA_COUNT_(struct strata_table_item, __VA_ARGS__))

void strata_drop_table(struct strata_op *op, const char *table);

/* `column` must be a STRATA_COLUMN(...). */
void strata_add_column(struct strata_op *op, const char *table, struct strata_table_item column);
void strata_drop_column(struct strata_op *op, const char *table, const char *column);

void strata_create_index_n(struct strata_op *op, const char *name, const char *table, bool unique,
                           const char *const *columns, size_t count);
#define strata_create_index(op, name, table, ...)                                      \
    strata_create_index_n((op), (name), (table), false, (const char *const[]){ __VA_ARGS__ }, \
                          STRATA_COUNT_(const char *, __VA_ARGS__))
#define strata_create_unique_index(op, name, table, ...)                              \
    strata_create_index_n((op), (name), (table), true, (const char *const[]){ __VA_ARGS__ }, \
                          STRATA_COUNT_(const char *, __VA_ARGS__))
void strata_drop_index(struct strata_op *op, const char *name, const char *table);

/* Renames a table; generated index and constraint names follow the new name. */
void strata_rename_table(struct strata_op *op, const char *table, const char *new_name);
/* Renames a column, keeping its data; generated names that contain it follow. */
void strata_rename_column(struct strata_op *op, const char *table, const char *column,
                          const char *new_name);
/*
 * Gives an existing column a new definition: `column` is a STRATA_COLUMN(...) naming the
 * column and stating its whole new definition (type, nullability, default, check, enum
 * values, comment, autoincrement); `.backfill` fills its NULLs when it becomes NOT NULL.
 * Keys and uniqueness are changed with the constraint operations, not here.
 */
void strata_alter_column(struct strata_op *op, const char *table, struct strata_table_item column);

/* Sets the table's primary key to the listed columns (in key order). */
void strata_alter_primary_key_n(struct strata_op *op, const char *table,
                                const char *const *columns, size_t count);
#define strata_alter_primary_key(op, table, ...)                                            strata_alter_primary_key_n((op), (table), (const char *const[]){ __VA_ARGS__ },                                    STRATA_COUNT_(const char *, __VA_ARGS__))
/* Removes the table's primary key. */
void strata_drop_primary_key(struct strata_op *op, const char *table);

/* Adds foreign key `name` on `table`.`column` referencing `references` ("table.column"). */
void strata_create_foreign_key(struct strata_op *op, const char *name, const char *table,
                               const char *column, const char *references,
                               enum strata_fk_action on_delete, enum strata_fk_action on_update);
/* Adds the table CHECK constraint `name`. */
void strata_create_check_constraint(struct strata_op *op, const char *name, const char *table,
                                    const char *expr);
/* Drops a foreign key, table check or unique constraint by name. */
void strata_drop_constraint(struct strata_op *op, const char *name, const char *table);
/* Sets (or with NULL removes) the table's comment. */
void strata_alter_table_comment(struct strata_op *op, const char *table, const char *comment);

/* Raw SQL, run as is; opaque to schema replay. */
void strata_execute(struct strata_op *op, const char *sql);
/* Raw SQL run only when the dialect is `dialect` ("sqlite", "postgresql"). */
void strata_execute_for(struct strata_op *op, const char *dialect, const char *sql);

/*
 * A C data migration. `conn` is the open connection (`sqlite3 *` for "sqlite"),
 * `dialect` the dialect's name. Return 0 on success; any other value fails the
 * revision, which is rolled back. Put a message in `errmsg` (size `errsize`) to
 * explain the failure.
 */
typedef int (*strata_hook_fn)(void *conn, const char *dialect, char *errmsg, size_t errsize);
void strata_run_hook(struct strata_op *op, const char *name, strata_hook_fn fn);

/* ---- registration ---- */

/*
 * One revision. `parents` is NULL for the first revision, else the parent ids
 * separated by single spaces (a merge has several). `schema_hash` is the SHA-256 of
 * the canonical schema after this revision, written by the generator.
 */
struct strata_revision {
    const char *id;
    const char *parents;
    const char *message;
    const char *schema_hash;
    void (*upgrade)(struct strata_op *op);
    void (*downgrade)(struct strata_op *op);
};

/* The set of revisions compiled into an app: `strata generate` defines one. */
struct strata_migrations {
    int abi_version;
    size_t count;
    const struct strata_revision *const *revisions;
};

/*
 * Registers the revision. A registry file written by `strata generate` defines
 * STRATA_REVISION_SYMBOL before including each revision; a revision compiled any other
 * way gets the symbol strata_revision_ (and is not part of any registry).
 */
#ifndef STRATA_REVISION_SYMBOL
#define STRATA_REVISION_SYMBOL strata_revision_
#endif
#define STRATA_REVISION(id, parents, message, schema_hash, up, down) \
    const struct strata_revision STRATA_REVISION_SYMBOL = { (id), (parents), (message), \
                                                            (schema_hash), (up), (down) }

#endif
