/*
 * The PostgreSQL dialect: renders recorded operations (ops.h) as native PostgreSQL DDL,
 * runs them on a libpq `PGconn *`, and keeps strata's bookkeeping tables and lock there.
 *
 * PostgreSQL alters tables in place, so every operation is one or a few ALTER
 * statements and a revision runs in one transaction (DDL is transactional), under
 * `pg_advisory_xact_lock` so concurrent upgrades serialize. Rendering walks the
 * revision with the schema before each operation (replayed), which lets an ALTER
 * COLUMN touch only what changed and a rename follow every generated name that changed
 * with it (ALTER INDEX ... RENAME, RENAME CONSTRAINT), exactly as apply.c renames them
 * in the replayed schema. Autoincrement is an identity column, unique constraints are
 * `CREATE UNIQUE INDEX uq_...` as on SQLite (so DROP INDEX and drop_constraint both
 * work and introspection reads one kind), and PostgreSQL rewrites CHECK expressions,
 * so each check keeps the expression strata wrote as its COMMENT ON CONSTRAINT, which
 * introspect_pg.c reads back. `timestamp` is `TIMESTAMP(6)` and `datetime` plain
 * `TIMESTAMP` (the same precision), so the two strata types stay distinguishable.
 */
#include "dialect.h"
#include "dialect_pg.h"

#include <assert.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops.h"
#include "schema.h"
#include "sqltext.h"

/* ===== Quoting ===== */

/* Appends `ALTER TABLE "t" `. */
static void alter_table(struct strata_buf *b, const char *table)
{
    strata_buf_append(b, "ALTER TABLE ");
    strata_sql_quote_ident(b, table);
    strata_buf_append(b, " ");
}

/* ===== Types, columns and constraints ===== */

/* PostgreSQL's spelling of each type kind (strata_sql_type). */
static const char *const pg_types[STRATA_TYPE_COUNT] = {
    [STRATA_TYPE_SMALLINT] = "SMALLINT",      [STRATA_TYPE_INTEGER] = "INTEGER",
    [STRATA_TYPE_BIGINT] = "BIGINT",          [STRATA_TYPE_BOOLEAN] = "BOOLEAN",
    [STRATA_TYPE_REAL] = "REAL",              [STRATA_TYPE_DOUBLE] = "DOUBLE PRECISION",
    [STRATA_TYPE_VARCHAR] = "VARCHAR",        [STRATA_TYPE_TEXT] = "TEXT",
    [STRATA_TYPE_BLOB] = "BYTEA",             [STRATA_TYPE_NUMERIC] = "NUMERIC",
    [STRATA_TYPE_DATE] = "DATE",              [STRATA_TYPE_DATETIME] = "TIMESTAMP",
    [STRATA_TYPE_TIMESTAMP] = "TIMESTAMP(6)", [STRATA_TYPE_JSON] = "JSON",
    [STRATA_TYPE_UUID] = "UUID",
};

void strata_pg_render_type(struct strata_buf *b, struct strata_type type)
{
    strata_sql_type(b, type, pg_types);
}

static bool type_equal(struct strata_type a, struct strata_type b)
{
    return a.kind == b.kind && a.length == b.length && a.scale == b.scale;
}

/* Appends `CONSTRAINT "fk" FOREIGN KEY ("c") REFERENCES "t" ("c") [ON ...]`. */
static void render_foreign_key(struct strata_buf *b, const struct strata_foreign_key *fk)
{
    strata_buf_append(b, "CONSTRAINT ");
    strata_sql_quote_ident(b, fk->name);
    strata_buf_append(b, " FOREIGN KEY (");
    strata_sql_quote_ident(b, fk->column);
    strata_buf_append(b, ") ");
    strata_sql_references(b, fk);
}

/* The kinds of check a column brings, with their name suffixes. */
enum col_check { CHECK_EXPR, CHECK_LEN, CHECK_ENUM };

void strata_pg_column_check_name(char *out, const char *table, const char *column, int kind)
{
    static const char *const suffix[] = { NULL, "len", "enum" };

    strata_make_name(out, "ck", (const char *const[]){ table, column, suffix[kind], NULL });
}

/* Whether column `c` has a check of `kind`. */
static bool has_col_check(const struct strata_column *c, enum col_check kind)
{
    switch (kind) {
    case CHECK_EXPR:
        return c->check != NULL;
    case CHECK_LEN:
        return c->type.kind == STRATA_TYPE_VARCHAR;
    case CHECK_ENUM:
        return c->enum_values != NULL;
    }
    return false;
}

/*
 * Appends `CONSTRAINT "ck_..." CHECK (...)` for one of a column's checks (which must
 * exist), and into `comments` the COMMENT ON CONSTRAINT that keeps what strata wrote:
 * the expression, or the enum's value list. A length check needs no comment: the
 * VARCHAR's length says it.
 */
static void render_col_check(struct strata_buf *b, struct strata_buf *comments, const char *table,
                             const struct strata_column *c, enum col_check kind)
{
    char name[STRATA_NAME_MAX + 1];
    const char *keep = NULL;

    strata_pg_column_check_name(name, table, c->name, (int)kind);
    strata_buf_append(b, "CONSTRAINT ");
    strata_sql_quote_ident(b, name);
    switch (kind) {
    case CHECK_EXPR:
        strata_buf_printf(b, " CHECK (%s)", c->check);
        keep = c->check;
        break;
    case CHECK_LEN:
        strata_buf_append(b, " CHECK (octet_length(");
        strata_sql_quote_ident(b, c->name);
        strata_buf_printf(b, ") <= %d)", c->type.length);
        break;
    case CHECK_ENUM:
        strata_buf_append(b, " CHECK (");
        strata_sql_quote_ident(b, c->name);
        strata_buf_append(b, " IN (");
        strata_sql_enum_values(b, c->enum_values);
        strata_buf_append(b, "))");
        keep = c->enum_values;
        break;
    }
    if (keep != NULL && comments != NULL) {
        strata_buf_append(comments, "COMMENT ON CONSTRAINT ");
        strata_sql_quote_ident(comments, name);
        strata_buf_append(comments, " ON ");
        strata_sql_quote_ident(comments, table);
        strata_buf_append(comments, " IS ");
        strata_sql_quote_literal(comments, keep);
        strata_buf_append(comments, ";\n");
    }
}

/* Appends a table CHECK and, into `comments`, its expression as the constraint's comment. */
static void render_table_check(struct strata_buf *b, struct strata_buf *comments,
                               const char *table, const struct strata_check *ck)
{
    strata_buf_append(b, "CONSTRAINT ");
    strata_sql_quote_ident(b, ck->name);
    strata_buf_printf(b, " CHECK (%s)", ck->expr);
    strata_buf_append(comments, "COMMENT ON CONSTRAINT ");
    strata_sql_quote_ident(comments, ck->name);
    strata_buf_append(comments, " ON ");
    strata_sql_quote_ident(comments, table);
    strata_buf_append(comments, " IS ");
    strata_sql_quote_literal(comments, ck->expr);
    strata_buf_append(comments, ";\n");
}

/*
 * Appends `COMMENT ON TABLE "t" IS '...'`, or `COMMENT ON COLUMN "t"."c" ...` when
 * `column` is given; a NULL comment renders IS NULL (removes it).
 */
static void render_comment(struct strata_buf *b, const char *table, const char *column,
                           const char *comment)
{
    strata_buf_append(b, column != NULL ? "COMMENT ON COLUMN " : "COMMENT ON TABLE ");
    strata_sql_quote_ident(b, table);
    if (column != NULL) {
        strata_buf_append(b, ".");
        strata_sql_quote_ident(b, column);
    }
    strata_buf_append(b, " IS ");
    if (comment != NULL)
        strata_sql_quote_literal(b, comment);
    else
        strata_buf_append(b, "NULL");
    strata_buf_append(b, ";\n");
}

/* An identity column: autoincrement on an integer-family column. */
static bool is_identity(const struct strata_column *c)
{
    return c->autoincrement && strata_type_is_integer(c->type);
}

/* Appends the DEFAULT clause's expression (`0`, `'x'`, `(CURRENT_TIMESTAMP)`), or nothing. */
static void render_default_expr(struct strata_buf *b, const struct strata_column *c)
{
    if (c->default_value != NULL)
        strata_buf_append(b, c->default_value);
    else if (c->default_sql != NULL)
        strata_buf_printf(b, "(%s)", c->default_sql);
}

static bool has_default(const struct strata_column *c)
{
    return c->default_value != NULL || c->default_sql != NULL;
}

/*
 * Appends `"name" TYPE [GENERATED BY DEFAULT AS IDENTITY] [NOT NULL] [DEFAULT ...]`.
 * `fill` (may be NULL) replaces the default: an added NOT NULL column's backfill.
 */
static int render_column(struct strata_buf *b, const struct strata_table *t,
                         const struct strata_column *c, bool not_null, const char *fill,
                         struct strata_error *err)
{
    if (c->type.kind == STRATA_TYPE_NONE)
        return strata_error_set(err, STRATA_EMIGRATION, "column '%s.%s' has no type",
                                t->name, c->name);
    strata_sql_quote_ident(b, c->name);
    strata_buf_append(b, " ");
    strata_pg_render_type(b, c->type);
    if (is_identity(c))
        strata_buf_append(b, " GENERATED BY DEFAULT AS IDENTITY");
    if (not_null)
        strata_buf_append(b, " NOT NULL");
    if (fill != NULL) {
        strata_buf_printf(b, " DEFAULT %s", fill);
    } else if (has_default(c) && !is_identity(c)) {
        strata_buf_append(b, " DEFAULT ");
        render_default_expr(b, c);
    }
    return 0;
}

static bool in_primary_key(const struct strata_table *t, const char *column)
{
    size_t i;

    for (i = 0; i < t->nprimary_key; i++)
        if (strcmp(t->primary_key[i], column) == 0)
            return true;
    return false;
}

void strata_pg_render_index(struct strata_buf *b, const char *table, const struct strata_index *ix)
{
    strata_buf_append(b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    strata_sql_quote_ident(b, ix->name);
    strata_buf_append(b, " ON ");
    strata_sql_quote_ident(b, table);
    strata_buf_append(b, " ");
    strata_sql_name_list(b, ix->columns, ix->ncolumns);
    strata_buf_append(b, ";\n");
}

/*
 * CREATE TABLE with every column, the named primary key, foreign keys and checks as
 * table constraints, then the indexes and the comments (table, columns, checks).
 */
static int render_create_table(struct strata_buf *b, const struct strata_table *t,
                               struct strata_error *err)
{
    static const char sep[] = ",\n    ";
    struct strata_buf comments = { 0 };
    char name[STRATA_NAME_MAX + 1];
    size_t i;
    int rc = 0;

    strata_buf_append(b, "CREATE TABLE ");
    strata_sql_quote_ident(b, t->name);
    strata_buf_append(b, " (");
    for (i = 0; i < t->ncolumns; i++) {
        const struct strata_column *c = &t->columns[i];

        strata_buf_append(b, i == 0 ? "\n    " : sep);
        rc = render_column(b, t, c, !c->nullable || in_primary_key(t, c->name), NULL, err);
        if (rc != 0)
            goto cleanup;
    }
    if (t->nprimary_key > 0) {
        strata_make_name(name, "pk", (const char *const[]){ t->name, NULL });
        strata_buf_append(b, sep);
        strata_buf_append(b, "CONSTRAINT ");
        strata_sql_quote_ident(b, name);
        strata_buf_append(b, " PRIMARY KEY ");
        strata_sql_name_list(b, t->primary_key, t->nprimary_key);
    }
    for (i = 0; i < t->nforeign_keys; i++) {
        strata_buf_append(b, sep);
        render_foreign_key(b, &t->foreign_keys[i]);
    }
    for (i = 0; i < t->ncolumns; i++) {
        int kind;

        for (kind = CHECK_EXPR; kind <= CHECK_ENUM; kind++)
            if (has_col_check(&t->columns[i], (enum col_check)kind)) {
                strata_buf_append(b, sep);
                render_col_check(b, &comments, t->name, &t->columns[i], (enum col_check)kind);
            }
    }
    for (i = 0; i < t->nchecks; i++) {
        strata_buf_append(b, sep);
        render_table_check(b, &comments, t->name, &t->checks[i]);
    }
    strata_buf_append(b, "\n);\n");
    for (i = 0; i < t->nindexes; i++)
        strata_pg_render_index(b, t->name, &t->indexes[i]);
    if (t->comment != NULL)
        render_comment(b, t->name, NULL, t->comment);
    for (i = 0; i < t->ncolumns; i++)
        if (t->columns[i].comment != NULL)
            render_comment(b, t->name, t->columns[i].name, t->columns[i].comment);
    if (comments.len > 0)
        strata_buf_append(b, comments.data);
    if (comments.failed)
        b->failed = 1;
cleanup:
    strata_buf_free(&comments);
    return rc;
}

/*
 * ADD COLUMN with its checks and foreign key, then its indexes and comment. A NOT NULL
 * column given a backfill is added with the backfill as a temporary default, which
 * fills the existing rows, and then gets its own default (or none).
 */
static int render_add_column(struct strata_buf *b, const struct strata_opdef *op,
                             struct strata_error *err)
{
    const struct strata_table *t = op->def;
    const struct strata_column *c;
    struct strata_buf comments = { 0 };
    const char *fill;
    size_t i;
    int kind;
    int rc;

    assert(t != NULL);
    c = strata_table_find_column(t, op->name);
    if (c == NULL && t->ncolumns == 1)
        c = &t->columns[0];
    assert(c != NULL);
    fill = !c->nullable && c->backfill != NULL ? c->backfill : NULL;
    alter_table(b, op->table);
    strata_buf_append(b, "ADD COLUMN ");
    rc = render_column(b, t, c, !c->nullable, fill, err);
    if (rc != 0)
        goto cleanup;
    for (kind = CHECK_EXPR; kind <= CHECK_ENUM; kind++)
        if (has_col_check(c, (enum col_check)kind)) {
            strata_buf_append(b, ",\n    ADD ");
            render_col_check(b, &comments, op->table, c, (enum col_check)kind);
        }
    for (i = 0; i < t->nforeign_keys; i++) {
        strata_buf_append(b, ",\n    ADD ");
        render_foreign_key(b, &t->foreign_keys[i]);
    }
    strata_buf_append(b, ";\n");
    if (fill != NULL) {
        alter_table(b, op->table);
        strata_buf_append(b, "ALTER COLUMN ");
        strata_sql_quote_ident(b, c->name);
        if (has_default(c) && !is_identity(c)) {
            strata_buf_append(b, " SET DEFAULT ");
            render_default_expr(b, c);
        } else {
            strata_buf_append(b, " DROP DEFAULT");
        }
        strata_buf_append(b, ";\n");
    }
    for (i = 0; i < t->nindexes; i++)
        strata_pg_render_index(b, op->table, &t->indexes[i]);
    if (c->comment != NULL)
        render_comment(b, op->table, c->name, c->comment);
    if (comments.len > 0)
        strata_buf_append(b, comments.data);
    if (comments.failed)
        b->failed = 1;
cleanup:
    strata_buf_free(&comments);
    return rc;
}

/* Appends `ALTER TABLE "t" DROP CONSTRAINT [IF EXISTS] "name";`. */
static void render_drop_constraint(struct strata_buf *b, const char *table, const char *name,
                                   bool if_exists)
{
    alter_table(b, table);
    strata_buf_append(b, if_exists ? "DROP CONSTRAINT IF EXISTS " : "DROP CONSTRAINT ");
    strata_sql_quote_ident(b, name);
    strata_buf_append(b, ";\n");
}

/* Appends `ALTER TABLE "t" ALTER COLUMN "c" ` (the caller finishes the statement). */
static void alter_column(struct strata_buf *b, const char *table, const char *column)
{
    alter_table(b, table);
    strata_buf_append(b, "ALTER COLUMN ");
    strata_sql_quote_ident(b, column);
    strata_buf_append(b, " ");
}

/*
 * Appends the statement that moves the identity sequence of `table`.`col` past the
 * largest value already there, so the next generated id is free.
 */
static void render_identity_restart(struct strata_buf *b, const char *table, const char *col)
{
    struct strata_buf qualified = { 0 };

    strata_sql_quote_ident(&qualified, table); /* pg_get_serial_sequence parses its first argument */
    strata_buf_append(b, "SELECT setval(pg_get_serial_sequence(");
    strata_sql_quote_literal(b, qualified.failed ? "" : qualified.data);
    strata_buf_append(b, ", ");
    strata_sql_quote_literal(b, col);
    strata_buf_append(b, "), COALESCE(MAX(");
    strata_sql_quote_ident(b, col);
    strata_buf_append(b, "), 0) + 1, false) FROM ");
    strata_sql_quote_ident(b, table);
    strata_buf_append(b, ";\n");
    if (qualified.failed)
        b->failed = 1;
    strata_buf_free(&qualified);
}

/*
 * ALTER COLUMN from `old` (NULL when unknown: every part is restated) to the new
 * definition in op->def. Checks that change are dropped first and added last, so the
 * type change and the backfill meet no stale check; the default is dropped before a
 * type change (it may not cast) and set again after. A type change casts with
 * `USING "c"::TYPE`. A column that becomes NOT NULL has its NULLs set to the backfill
 * first. Autoincrement is ADD / DROP IDENTITY; an added identity starts above the
 * largest value.
 */
static int render_alter_column(struct strata_buf *b, const struct strata_opdef *op,
                               const struct strata_column *old, struct strata_error *err)
{
    const struct strata_column *c = &op->def->columns[0];
    const char *table = op->table;
    const char *col = op->name;
    struct strata_buf comments = { 0 };
    /* Unknown `old`: autoincrement is taken as unchanged, everything else restated. */
    bool was_identity = old != NULL ? is_identity(old) : is_identity(c);
    bool retype = old == NULL || !type_equal(old->type, c->type);
    bool redefault = old == NULL || !strata_str_equal(old->default_value, c->default_value) ||
                     !strata_str_equal(old->default_sql, c->default_sql) || retype ||
                     was_identity != is_identity(c);
    char name[STRATA_NAME_MAX + 1];
    bool drop_check[3], add_check[3];
    int kind;

    if (c->type.kind == STRATA_TYPE_NONE)
        return strata_error_set(err, STRATA_EMIGRATION, "column '%s.%s' has no type", table,
                                col);
    for (kind = CHECK_EXPR; kind <= CHECK_ENUM; kind++) {
        bool had = old == NULL || has_col_check(old, (enum col_check)kind);
        bool has = has_col_check(c, (enum col_check)kind);
        bool same = old != NULL && had && has &&
                    (kind == CHECK_EXPR   ? strata_str_equal(old->check, c->check)
                     : kind == CHECK_ENUM ? strata_str_equal(old->enum_values, c->enum_values)
                                          : !retype);

        drop_check[kind] = had && !same;
        add_check[kind] = has && !same;
        if (drop_check[kind]) {
            strata_pg_column_check_name(name, table, col, kind);
            render_drop_constraint(b, table, name, old == NULL);
        }
    }
    if (was_identity && !is_identity(c)) {
        alter_column(b, table, col);
        strata_buf_append(b, "DROP IDENTITY;\n");
    }
    if (redefault && !(was_identity && is_identity(c))) {
        alter_column(b, table, col);
        strata_buf_append(b, "DROP DEFAULT;\n");
    }
    if (retype) {
        alter_column(b, table, col);
        strata_buf_append(b, "TYPE ");
        strata_pg_render_type(b, c->type);
        strata_buf_append(b, " USING ");
        strata_sql_quote_ident(b, col);
        strata_buf_append(b, "::");
        strata_pg_render_type(b, c->type);
        strata_buf_append(b, ";\n");
    }
    if (!c->nullable && (old == NULL || old->nullable)) {
        if (c->backfill != NULL) {
            strata_buf_append(b, "UPDATE ");
            strata_sql_quote_ident(b, table);
            strata_buf_append(b, " SET ");
            strata_sql_quote_ident(b, col);
            strata_buf_printf(b, " = %s WHERE ", c->backfill);
            strata_sql_quote_ident(b, col);
            strata_buf_append(b, " IS NULL;\n");
        }
        alter_column(b, table, col);
        strata_buf_append(b, "SET NOT NULL;\n");
    } else if (c->nullable && (old == NULL || !old->nullable)) {
        alter_column(b, table, col);
        strata_buf_append(b, "DROP NOT NULL;\n");
    }
    if (redefault && has_default(c) && !is_identity(c)) {
        alter_column(b, table, col);
        strata_buf_append(b, "SET DEFAULT ");
        render_default_expr(b, c);
        strata_buf_append(b, ";\n");
    }
    if (is_identity(c) && !was_identity) {
        alter_column(b, table, col);
        strata_buf_append(b, "ADD GENERATED BY DEFAULT AS IDENTITY;\n");
        render_identity_restart(b, table, col);
    }
    for (kind = CHECK_EXPR; kind <= CHECK_ENUM; kind++)
        if (add_check[kind]) {
            alter_table(b, table);
            strata_buf_append(b, "ADD ");
            render_col_check(b, &comments, table, c, (enum col_check)kind);
            strata_buf_append(b, ";\n");
        }
    if (old == NULL || !strata_str_equal(old->comment, c->comment))
        render_comment(b, table, col, c->comment);
    if (comments.len > 0)
        strata_buf_append(b, comments.data);
    if (comments.failed)
        b->failed = 1;
    strata_buf_free(&comments);
    return 0;
}

/* ===== Renames: generated names follow ===== */

/* Appends `ALTER INDEX "from" RENAME TO "to";` when the names differ. */
static void rename_index(struct strata_buf *b, const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return;
    strata_buf_append(b, "ALTER INDEX ");
    strata_sql_quote_ident(b, from);
    strata_buf_append(b, " RENAME TO ");
    strata_sql_quote_ident(b, to);
    strata_buf_append(b, ";\n");
}

/* Appends `ALTER TABLE "t" RENAME CONSTRAINT "from" TO "to";` when the names differ. */
static void rename_constraint(struct strata_buf *b, const char *table, const char *from,
                              const char *to)
{
    if (strcmp(from, to) == 0)
        return;
    alter_table(b, table);
    strata_buf_append(b, "RENAME CONSTRAINT ");
    strata_sql_quote_ident(b, from);
    strata_buf_append(b, " TO ");
    strata_sql_quote_ident(b, to);
    strata_buf_append(b, ";\n");
}

/*
 * After a RENAME TABLE or RENAME COLUMN has run: renames every index and constraint
 * whose generated name changed between `before` and `after` (the same schema with the
 * rename applied by apply.c, so arrays line up element for element). The primary key
 * index and the column checks are named from the table and column; the rest carry
 * their names in the schema.
 */
static void render_followed_names(struct strata_buf *b, const struct strata_schema *before,
                                  const struct strata_schema *after)
{
    char from[STRATA_NAME_MAX + 1], to[STRATA_NAME_MAX + 1];
    size_t i, k;
    int kind;

    assert(before->ntables == after->ntables);
    for (i = 0; i < before->ntables; i++) {
        const struct strata_table *t0 = &before->tables[i];
        const struct strata_table *t1 = &after->tables[i];

        if (t0->nprimary_key > 0) {
            strata_make_name(from, "pk", (const char *const[]){ t0->name, NULL });
            strata_make_name(to, "pk", (const char *const[]){ t1->name, NULL });
            rename_constraint(b, t1->name, from, to);
        }
        for (k = 0; k < t0->nindexes && k < t1->nindexes; k++)
            rename_index(b, t0->indexes[k].name, t1->indexes[k].name);
        for (k = 0; k < t0->nforeign_keys && k < t1->nforeign_keys; k++)
            rename_constraint(b, t1->name, t0->foreign_keys[k].name, t1->foreign_keys[k].name);
        for (k = 0; k < t0->nchecks && k < t1->nchecks; k++)
            rename_constraint(b, t1->name, t0->checks[k].name, t1->checks[k].name);
        for (k = 0; k < t0->ncolumns && k < t1->ncolumns; k++)
            for (kind = CHECK_EXPR; kind <= CHECK_ENUM; kind++) {
                if (!has_col_check(&t0->columns[k], (enum col_check)kind))
                    continue;
                strata_pg_column_check_name(from, t0->name, t0->columns[k].name, kind);
                strata_pg_column_check_name(to, t1->name, t1->columns[k].name, kind);
                rename_constraint(b, t1->name, from, to);
            }
    }
}

/* ===== One operation ===== */

/* Appends raw SQL, adding the final `;` unless it is there. */
static void render_execute(struct strata_buf *b, const char *sql)
{
    size_t n = strlen(sql);

    while (n > 0 && strchr(" \t\r\n", sql[n - 1]) != NULL)
        n--;
    strata_buf_appendn(b, sql, n);
    strata_buf_append(b, n > 0 && sql[n - 1] == ';' ? "\n" : ";\n");
}

/* The unique index called `name` on `table` in `s`, or NULL (also when `s` is NULL). */
static const struct strata_index *find_unique(const struct strata_schema *s, const char *table,
                                              const char *name)
{
    const struct strata_table *t = s != NULL ? strata_schema_find_table(s, table) : NULL;
    const struct strata_index *ix = t != NULL ? strata_table_find_index(t, name) : NULL;

    return ix != NULL && ix->unique ? ix : NULL;
}

/*
 * Appends the SQL of `op`. `s` is the schema the operation starts from, or NULL when
 * unknown (a single operation rendered on its own): then an ALTER COLUMN restates the
 * whole definition, a rename leaves dependent names alone and drop_constraint takes a
 * `uq_` name for a unique index.
 */
static int render_in(struct strata_buf *b, const struct strata_schema *s,
                     const struct strata_opdef *op, struct strata_error *err)
{
    const struct strata_table *t = NULL;
    char name[STRATA_NAME_MAX + 1];

    switch (op->kind) {
    case STRATA_OP_CREATE_TABLE:
        return render_create_table(b, op->def, err);
    case STRATA_OP_DROP_TABLE:
        strata_buf_append(b, "DROP TABLE ");
        strata_sql_quote_ident(b, op->table);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_ADD_COLUMN:
        return render_add_column(b, op, err);
    case STRATA_OP_DROP_COLUMN:
        alter_table(b, op->table);
        strata_buf_append(b, "DROP COLUMN ");
        strata_sql_quote_ident(b, op->name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_CREATE_INDEX:
        strata_pg_render_index(b, op->table, &op->index);
        break;
    case STRATA_OP_DROP_INDEX:
        strata_buf_append(b, "DROP INDEX ");
        strata_sql_quote_ident(b, op->name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_EXECUTE:
        if (op->dialect == NULL || strcmp(op->dialect, "postgresql") == 0)
            render_execute(b, op->sql);
        break;
    case STRATA_OP_HOOK:
        break;
    case STRATA_OP_RENAME_TABLE:
        alter_table(b, op->table);
        strata_buf_append(b, "RENAME TO ");
        strata_sql_quote_ident(b, op->new_name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_RENAME_COLUMN:
        alter_table(b, op->table);
        strata_buf_append(b, "RENAME COLUMN ");
        strata_sql_quote_ident(b, op->name);
        strata_buf_append(b, " TO ");
        strata_sql_quote_ident(b, op->new_name);
        strata_buf_append(b, ";\n");
        break;
    case STRATA_OP_ALTER_COLUMN:
        t = s != NULL ? strata_schema_find_table(s, op->table) : NULL;
        return render_alter_column(b, op, t ? strata_table_find_column(t, op->name) : NULL,
                                   err);
    case STRATA_OP_ALTER_PRIMARY_KEY:
        t = s != NULL ? strata_schema_find_table(s, op->table) : NULL;
        strata_make_name(name, "pk", (const char *const[]){ op->table, NULL });
        if (t == NULL || t->nprimary_key > 0)
            render_drop_constraint(b, op->table, name, t == NULL);
        if (op->index.ncolumns > 0) {
            alter_table(b, op->table);
            strata_buf_append(b, "ADD CONSTRAINT ");
            strata_sql_quote_ident(b, name);
            strata_buf_append(b, " PRIMARY KEY ");
            strata_sql_name_list(b, op->index.columns, op->index.ncolumns);
            strata_buf_append(b, ";\n");
        }
        break;
    case STRATA_OP_CREATE_FOREIGN_KEY: {
        struct strata_foreign_key fk = op->fk;

        fk.name = op->name;
        alter_table(b, op->table);
        strata_buf_append(b, "ADD ");
        render_foreign_key(b, &fk);
        strata_buf_append(b, ";\n");
        break;
    }
    case STRATA_OP_CREATE_CHECK: {
        struct strata_check ck = { op->name, op->sql };
        struct strata_buf comments = { 0 };

        alter_table(b, op->table);
        strata_buf_append(b, "ADD ");
        render_table_check(b, &comments, op->table, &ck);
        strata_buf_append(b, ";\n");
        strata_buf_append(b, comments.failed ? "" : comments.data);
        if (comments.failed)
            b->failed = 1;
        strata_buf_free(&comments);
        break;
    }
    case STRATA_OP_DROP_CONSTRAINT:
        if (find_unique(s, op->table, op->name) != NULL ||
            (s == NULL && strncmp(op->name, "uq_", 3) == 0)) {
            strata_buf_append(b, "DROP INDEX ");
            strata_sql_quote_ident(b, op->name);
            strata_buf_append(b, ";\n");
        } else {
            render_drop_constraint(b, op->table, op->name, false);
        }
        break;
    case STRATA_OP_ALTER_TABLE_COMMENT:
        render_comment(b, op->table, NULL, op->sql);
        break;
    }
    return 0;
}

int strata_pg_render_op(struct strata_buf *b, const struct strata_opdef *op,
                        struct strata_error *err)
{
    return render_in(b, NULL, op, err);
}

/*
 * Renders `op` against the working schema `cur` and then applies it there, so `cur`
 * is the schema the next operation starts from. A rename also renames the generated
 * names that follow it.
 */
static int render_step(struct strata_buf *b, struct strata_schema *cur,
                       const struct strata_opdef *op, struct strata_error *err)
{
    struct strata_schema *before = NULL;
    int rename = op->kind == STRATA_OP_RENAME_TABLE || op->kind == STRATA_OP_RENAME_COLUMN;
    int rc;

    rc = render_in(b, cur, op, err);
    if (rc != 0)
        return rc;
    if (rename && (before = strata_schema_copy(cur)) == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    rc = strata_schema_apply(cur, op, err);
    if (rc == 0 && rename)
        render_followed_names(b, before, cur);
    strata_schema_free(before);
    if (rc == 0 && b->failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    return rc;
}

int strata_pg_render_revision(struct strata_buf *b, const struct strata_schema *before,
                              const struct strata_oplist *ops, struct strata_error *err)
{
    struct strata_schema *cur = strata_schema_copy(before);
    size_t i;
    int rc = 0;

    if (cur == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    for (i = 0; i < ops->nops && rc == 0; i++)
        rc = render_step(b, cur, &ops->ops[i], err);
    strata_schema_free(cur);
    return rc;
}

/* ===== Running ===== */

/* Copies libpq's message without its trailing newline into `err`. */
static int pg_error(struct strata_error *err, const char *message)
{
    size_t n = message != NULL ? strlen(message) : 0;

    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    if (n == 0)
        return strata_error_set(err, STRATA_EDB, "PostgreSQL error");
    return strata_error_set(err, STRATA_EDB, "%.*s", (int)n, message);
}

int strata_pg_exec(void *conn, const char *sql, struct strata_error *err)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = pg_error(err, res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    PQclear(res);
    return rc;
}

/* Calls a hook with the `PGconn *`; a non-zero return fails with the hook's message. */
static int run_hook(void *conn, const struct strata_opdef *op, struct strata_error *err)
{
    char msg[512] = "";
    int ret;

    assert(op->hook != NULL);
    ret = op->hook(conn, "postgresql", msg, sizeof(msg));
    if (ret == 0)
        return 0;
    msg[sizeof(msg) - 1] = '\0';
    if (msg[0] != '\0')
        return strata_error_set(err, STRATA_EMIGRATION, "%s", msg);
    return strata_error_set(err, STRATA_EMIGRATION, "hook returned %d", ret);
}

/* Runs the SQL in `sql` (if any) and empties it. */
static int flush(void *conn, struct strata_buf *sql, struct strata_error *err)
{
    int rc = 0;

    if (sql->failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
    else if (sql->len > 0)
        rc = strata_pg_exec(conn, sql->data, err);
    strata_buf_reset(sql);
    return rc;
}

static int run_op(void *conn, const struct strata_opdef *op, struct strata_error *err)
{
    struct strata_buf sql = { 0 };
    int rc;

    if (op->kind == STRATA_OP_HOOK)
        return run_hook(conn, op, err);
    rc = render_in(&sql, NULL, op, err);
    if (rc == 0)
        rc = flush(conn, &sql, err);
    strata_buf_free(&sql);
    return rc;
}

/* Nothing to plan: PostgreSQL alters in place. Checks that every operation fits. */
static int plan_revision(const struct strata_schema *before, const struct strata_oplist *ops,
                         bool *rebuild, void **plan, struct strata_error *err)
{
    struct strata_schema *cur = strata_schema_copy_shared(before);
    size_t i;
    int rc = 0;

    *rebuild = false;
    *plan = NULL;
    if (cur == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    for (i = 0; i < ops->nops && rc == 0; i++)
        rc = strata_schema_apply(cur, &ops->ops[i], err);
    strata_schema_free(cur);
    return rc;
}

static void plan_free(void *plan)
{
    (void)plan; /* plan_revision keeps none */
}

static int run_revision(void *conn, const struct strata_schema *before,
                        const struct strata_oplist *ops, void *plan, struct strata_run *run,
                        struct strata_error *err)
{
    struct strata_schema *cur = strata_schema_copy_shared(before);
    struct strata_buf sql = { 0 };
    size_t i;
    int rc = 0;

    (void)plan; /* plan_revision keeps none */
    if (cur == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    for (i = 0; i < ops->nops && rc == 0; i++) {
        const struct strata_opdef *op = &ops->ops[i];

        if (op->kind == STRATA_OP_HOOK)
            rc = run_hook(conn, op, err);
        else
            rc = render_step(&sql, cur, op, err);
        if (rc == 0)
            rc = flush(conn, &sql, err);
        if (rc != 0)
            run->failed_op = i;
    }
    strata_buf_free(&sql);
    strata_schema_free(cur);
    return rc;
}

/* ===== Bookkeeping: lock, strata_version, strata_history ===== */

/*
 * BEGIN, then the transaction-scoped advisory lock every strata process takes: a
 * second upgrade waits here until the first commits or rolls back, then reads the
 * versions the first one wrote. `rebuild` means nothing on PostgreSQL.
 */
static int db_begin(void *conn, bool rebuild, int *saved, struct strata_error *err)
{
    int rc;

    (void)rebuild;
    *saved = 0;
    rc = strata_pg_exec(conn, "BEGIN", err);
    if (rc == 0)
        rc = strata_pg_exec(conn, "SELECT pg_advisory_xact_lock(" STRATA_PG_LOCK_KEY ")", err);
    if (rc != 0 && PQtransactionStatus(conn) != PQTRANS_IDLE)
        strata_pg_exec(conn, "ROLLBACK", NULL);
    return rc;
}

static void db_end(void *conn, int saved)
{
    (void)conn;
    (void)saved;
}

static void db_rollback(void *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        strata_pg_exec(conn, "ROLLBACK", NULL);
}

/* COMMIT of a transaction in which a statement failed rolls back: that is an error. */
static int db_commit(void *conn, struct strata_error *err)
{
    PGresult *res;
    int rc = 0;

    if (PQtransactionStatus(conn) == PQTRANS_INERROR) {
        db_rollback(conn);
        return strata_error_set(err, STRATA_EDB,
                                "the transaction failed earlier (a hook's statement?); "
                                "rolled back");
    }
    res = PQexec(conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_error(err, res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = strata_error_set(err, STRATA_EDB, "COMMIT rolled back");
    PQclear(res);
    if (rc != 0)
        db_rollback(conn);
    return rc;
}

static int ensure_tables(void *conn, struct strata_error *err)
{
    return strata_pg_exec(conn, STRATA_PG_TABLES_SQL, err);
}

/* Runs `sql` with text parameters; on success *out is the result (caller PQclears). */
static int query(void *conn, PGresult **out, const char *sql, const char *const *params,
                 int nparams, struct strata_error *err)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);

    *out = NULL;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pg_error(err, res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));

        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int run_params(void *conn, const char *sql, const char *const *params, int nparams,
                      struct strata_error *err)
{
    PGresult *res = NULL;
    int rc = query(conn, &res, sql, params, nparams, err);

    PQclear(res);
    return rc;
}

static int read_versions(void *conn, struct strata_buf *out, struct strata_error *err)
{
    PGresult *res = NULL;
    int i, rc;

    rc = query(conn, &res, "SELECT to_regclass('strata_version') IS NOT NULL", NULL, 0, err);
    if (rc != 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        goto cleanup; /* no table: base */
    PQclear(res);
    rc = query(conn, &res,
               "SELECT version_num FROM strata_version ORDER BY version_num COLLATE \"C\"", NULL,
               0, err);
    if (rc != 0)
        goto cleanup;
    for (i = 0; i < PQntuples(res); i++) {
        if (PQgetisnull(res, i, 0))
            continue;
        if (out->len > 0)
            strata_buf_append(out, " ");
        strata_buf_append(out, PQgetvalue(res, i, 0));
    }
cleanup:
    PQclear(res);
    return rc;
}

static int delete_version(void *conn, const char *id, struct strata_error *err)
{
    return run_params(conn, "DELETE FROM strata_version WHERE version_num = $1", &id, 1, err);
}

static int insert_version(void *conn, const char *id, struct strata_error *err)
{
    return run_params(conn, "INSERT INTO strata_version (version_num) VALUES ($1)", &id, 1,
                      err);
}

static int insert_history(void *conn, const struct strata_history_row *row,
                          struct strata_error *err)
{
    char duration[32];
    const char *params[5];

    snprintf(duration, sizeof(duration), "%lld", row->duration_ms);
    params[0] = row->revision;
    params[1] = row->direction;
    params[2] = row->checksum;
    params[3] = row->applied_at;
    params[4] = duration;
    return run_params(conn,
                      "INSERT INTO strata_history "
                      "(revision, direction, checksum, applied_at, duration_ms) "
                      "VALUES ($1, $2, $3, $4, $5::integer)",
                      params, 5, err);
}

static int read_checksums(void *conn, struct strata_buf *out, struct strata_error *err)
{
    PGresult *res = NULL;
    int i, rc;

    rc = query(conn, &res, "SELECT to_regclass('strata_history') IS NOT NULL", NULL, 0, err);
    if (rc != 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        goto cleanup; /* no table: nothing applied */
    PQclear(res);
    rc = query(conn, &res,
               "SELECT revision, checksum FROM strata_history AS h WHERE id = "
               "(SELECT max(id) FROM strata_history WHERE revision = h.revision AND "
               "direction = 'upgrade') ORDER BY revision COLLATE \"C\"",
               NULL, 0, err);
    if (rc != 0)
        goto cleanup;
    for (i = 0; i < PQntuples(res); i++)
        if (!PQgetisnull(res, i, 0))
            strata_buf_printf(out, "%s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
cleanup:
    PQclear(res);
    return rc;
}

static void db_close(void *conn)
{
    PQfinish(conn);
}

const struct strata_dialect strata_pg_dialect = {
    .name = "postgresql",
    .display_name = "PostgreSQL",
    .transactional_ddl = true,
    .quote_ident = strata_sql_quote_ident,
    /* Standard quoting: strata_pg_connect sets standard_conforming_strings. */
    .quote_literal = strata_sql_quote_literal,
    .render_op = strata_pg_render_op,
    .run_op = run_op,
    .plan_revision = plan_revision,
    .plan_free = plan_free,
    .run_revision = run_revision,
    .begin = db_begin,
    .commit = db_commit,
    .rollback = db_rollback,
    .end = db_end,
    .ensure_tables = ensure_tables,
    .read_versions = read_versions,
    .delete_version = delete_version,
    .insert_version = insert_version,
    .insert_history = insert_history,
    .close = db_close,
    .introspect = strata_pg_introspect,
    .read_checksums = read_checksums,
    .render_revision = strata_pg_render_revision,
};

/* ===== Connecting ===== */

/* Notices (`relation already exists, skipping`) are not strata's output. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int strata_pg_connect(void **out, const char *conninfo, struct strata_error *err)
{
    PGconn *conn = PQconnectdb(conninfo);
    int rc = 0;

    *out = NULL;
    if (conn == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        struct strata_error local = { 0 };

        pg_error(&local, PQerrorMessage(conn));
        rc = strata_error_set(err, STRATA_EDB, "cannot connect to PostgreSQL: %s",
                              local.message);
        goto cleanup;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    rc = strata_pg_exec(conn,
                        "SET standard_conforming_strings = on; "
                        "SET client_min_messages = warning",
                        err);
    if (rc != 0)
        goto cleanup;
    *out = conn;
    conn = NULL;
cleanup:
    PQfinish(conn);
    return rc;
}
