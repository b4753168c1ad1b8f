/*
 * libstrata: applies the revisions compiled into an app to its database and keeps the
 * database's revision, as `flask db upgrade / downgrade / current / history` do.
 *
 * Most apps need one call, strata_cli(), from their `db` subcommand. The functions
 * below it are the same operations as a C API. Every fallible function returns 0 or a
 * negative STRATA_E... code and, when `err` is not NULL, fills it (the first error wins).
 * Each revision is applied in one transaction together with its version update: on
 * error the database is left at the last revision that was fully applied.
 */
#ifndef STRATA_STRATA_H
#define STRATA_STRATA_H

#include <stddef.h>

#include <strata/migration.h>

#define STRATA_VERSION_STRING "0.1.0"

/* Error codes: name, value, message. Listed once so strata_strerror() cannot drift. */
#define STRATA_ERROR_MAP(X)                                                  \
    X(STRATA_OK, 0, "success")                                               \
    X(STRATA_ERROR, -1, "error")                                             \
    X(STRATA_ENOMEM, -2, "out of memory")                                    \
    X(STRATA_EUSAGE, -3, "invalid argument")                                 \
    X(STRATA_ENOTFOUND, -4, "not found")                                     \
    X(STRATA_EAMBIGUOUS, -5, "ambiguous revision")                           \
    X(STRATA_EDB, -6, "database error")                                      \
    X(STRATA_EMIGRATION, -7, "migration failed")                             \
    X(STRATA_EABI, -8, "migrations built for another libstrata ABI")         \
    X(STRATA_EUNKNOWNREV, -9, "database is at a revision the app does not contain")

enum strata_error_code {
#define STRATA_ERROR_ENUM_(name, value, message) name = value,
    STRATA_ERROR_MAP(STRATA_ERROR_ENUM_)
#undef STRATA_ERROR_ENUM_
};

/* Caller-owned error details. Zero-initialize it (or call strata_error_clear). */
struct strata_error {
    int code;
    char message[512];
    char file[256];
    int line;
    int column;
    char revision[40];
    char operation[64];
};

/* The message of a STRATA_E... code; never NULL. */
const char *strata_strerror(int code);
/* Resets `err` to "no error". Accepts NULL. */
void strata_error_clear(struct strata_error *err);

struct strata_db;

/*
 * Opens the database named by `url`: `sqlite:///relative.db`, `sqlite:////abs.db`,
 * `sqlite://` or `sqlite:///:memory:`. With `create` zero the file must exist (read-only
 * commands never create it). On success *out belongs to the caller
 * (strata_close()). On error *out is NULL.
 */
int strata_open(struct strata_db **out, const char *url, int create, struct strata_error *err);
/* Wraps a connection the app opened itself; strata_close() does not close it. */
int strata_open_sqlite(struct strata_db **out, void *sqlite3_conn, struct strata_error *err);
/* Closes the database. Accepts NULL. */
void strata_close(struct strata_db *db);

/*
 * Upgrades (or downgrades) to `target`: a revision id or unique prefix, `head`, `base`,
 * `+N` or `-N`. One transaction per revision; on error the revisions before the failing
 * one stay applied and the failing one leaves no trace.
 */
int strata_upgrade(struct strata_db *db, const struct strata_migrations *m, const char *target,
                   struct strata_error *err);
int strata_downgrade(struct strata_db *db, const struct strata_migrations *m, const char *target,
                     struct strata_error *err);

/* Flags of strata_upgrade_with(). */
#define STRATA_SINGLE_TRANSACTION 0x1u /* the whole run in one transaction */

/*
 * strata_upgrade with flags. With STRATA_SINGLE_TRANSACTION every revision of the run
 * is applied in one transaction: on error none of them stays applied. When one of them
 * rebuilds a table, foreign keys are off for the whole transaction (SQLite can only
 * switch them outside one): reaching it, the run rolls back and begins again with them
 * off. Each rebuild still runs its foreign key check.
 */
int strata_upgrade_with(struct strata_db *db, const struct strata_migrations *m,
                        const char *target, unsigned flags, struct strata_error *err);

/*
 * Writes the database's current revision id into `out` (size `size`); an empty string
 * when the database is at base. Never creates strata's tables.
 */
int strata_current(struct strata_db *db, char *out, size_t size, struct strata_error *err);

/*
 * The `db` command line: `argv[0]` is the subcommand (upgrade, downgrade, current,
 * history, heads, --help). `--url URL` anywhere overrides STRATA_DATABASE_URL, which
 * overrides `url`. Returns the process exit status (0 success, 1 failure, 2 usage);
 * never calls exit() and leaves getopt's globals alone.
 */
int strata_cli(const char *url, const struct strata_migrations *m, int argc, char **argv);

#endif
