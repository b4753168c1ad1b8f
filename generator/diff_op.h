/*
 * The operations a diff emits, and their inverses: the builders diff.c calls to append
 * an upgrade operation to a list (each a deep copy in the list's arena), and
 * diff_op_commit(), which records the operation's inverse for the downgrade and applies
 * the operation to the diff's working schema. Private to the diff; callers use diff.h.
 *
 * Every builder returns the operation it pushed onto `l`, or NULL after counting a
 * failure in df->errors (out of memory); diff_op_commit() and diff_op_note() accept
 * that NULL, so a build is handed to them unchecked.
 */
#ifndef STRATA_DIFF_OP_H
#define STRATA_DIFF_OP_H

#include "diff_internal.h"

/* An operation of `kind` on `table` (and the object `name`, either NULL) with no more. */
struct strata_opdef *diff_op_push(struct differ *df, struct strata_oplist *l,
                                  enum strata_op_kind kind, const char *table, const char *name);

/* A note for the emitter's comment line; several notes are joined by newlines. */
void diff_op_note(struct differ *df, struct strata_opdef *op, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

/*
 * create_table for `t` with its unique indexes inside, without plain indexes (their
 * own create_index follows) and without the foreign keys `skip` says are deferred
 * (`skip` NULL: every key).
 */
struct strata_opdef *diff_op_create_table(struct differ *df, struct strata_oplist *l,
                                          const struct strata_table *t,
                                          bool (*skip)(struct differ *, const char *,
                                                       const struct strata_foreign_key *));

/*
 * add_column: the column, its foreign key `fk` and unique index `uq` (either NULL), and
 * the `backfill` for existing rows (NULL: none). Generator-only annotations of `c` are
 * not copied.
 */
struct strata_opdef *diff_op_add_column(struct differ *df, struct strata_oplist *l,
                                        const char *table, const struct strata_column *c,
                                        const struct strata_foreign_key *fk,
                                        const struct strata_index *uq, const char *backfill);

/* alter_column to the column `c` as a whole, with the `backfill` for NULLs (or NULL). */
struct strata_opdef *diff_op_alter_column(struct differ *df, struct strata_oplist *l,
                                          const char *table, const struct strata_column *c,
                                          const char *backfill);

/* create_index for `ix` (a unique one is a unique constraint). */
struct strata_opdef *diff_op_index(struct differ *df, struct strata_oplist *l,
                                   const char *table, const struct strata_index *ix);

/* rename_table (`name` NULL) or rename_column `name` of `table`, to `new_name`. */
struct strata_opdef *diff_op_rename(struct differ *df, struct strata_oplist *l,
                                    enum strata_op_kind kind, const char *table,
                                    const char *name, const char *new_name);

/* alter_primary_key of `table` to the `n` columns `cols` (0: no primary key). */
struct strata_opdef *diff_op_primary_key(struct differ *df, struct strata_oplist *l,
                                         const char *table, char *const *cols, size_t n);

/* create_foreign_key for `fk` on `table`. */
struct strata_opdef *diff_op_create_fk(struct differ *df, struct strata_oplist *l,
                                       const char *table, const struct strata_foreign_key *fk);

/* create_check_constraint, drop_constraint, alter_table_comment: a name and a text. */
struct strata_opdef *diff_op_text(struct differ *df, struct strata_oplist *l,
                                  enum strata_op_kind kind, const char *table,
                                  const char *name, const char *text);

/*
 * Completes the upgrade operation `op` just pushed: its inverse goes to the downgrade
 * list, then it is applied to `cur`. A failure to apply is the diff's own bug, reported
 * so nothing is written. Does nothing when `op` is NULL or an error was counted.
 */
void diff_op_commit(struct differ *df, struct strata_opdef *op);

/* Puts the inverses in reverse order of the operations they undo. */
void diff_op_reverse_down(struct differ *df);

#endif
