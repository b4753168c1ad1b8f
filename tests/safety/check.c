/*
 * The safety checker (see check.h): integrity, version, schema, history and rows of a
 * database the safety tests upgraded, killed or broke. Linked into the crash and
 * concurrency tests' app and into the fault-injection test; it uses libstrata's
 * internals (replay, introspection, schema comparison).
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

#include "history.h"
#include "introspect.h"
#include "replay.h"
#include "schema.h"

/* Writes the formatted problem into `what` and returns 1. */
static int problem(char *what, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int problem(char *what, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, size, fmt, ap);
    va_end(ap);
    return 1;
}

/* Runs `sql`, which returns one integer row, into *out. 0 or -1. */
static int query_int(sqlite3 *db, const char *sql, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* true when table `name` exists. */
static int table_exists(sqlite3 *db, const char *name)
{
    char sql[256];
    long long n = 0;

    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", name);
    return query_int(db, sql, &n) == 0 && n > 0;
}

static int check_integrity(sqlite3 *db, char *what, size_t size)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        return problem(what, size, "integrity_check: %s", sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = problem(what, size, "integrity_check: %s", sqlite3_errmsg(db));
    else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
        rc = problem(what, size, "integrity_check: %s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

/* The index of revision `id` in `m`, or -1. */
static long find_revision(const struct strata_migrations *m, const char *id)
{
    size_t i;

    for (i = 0; i < m->count; i++)
        if (strcmp(m->revisions[i]->id, id) == 0)
            return (long)i;
    return -1;
}

/* Reads the single version (or "" at base) into `out`. */
static int read_version(sqlite3 *db, const struct strata_migrations *m, char *out, size_t size,
                        char *what, size_t what_size)
{
    sqlite3_stmt *st = NULL;
    int n = 0, step;

    out[0] = '\0';
    if (!table_exists(db, "strata_version"))
        return 0;
    if (sqlite3_prepare_v2(db, "SELECT version_num FROM strata_version", -1, &st, NULL) !=
        SQLITE_OK)
        return problem(what, what_size, "strata_version: %s", sqlite3_errmsg(db));
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return problem(what, what_size, "strata_version: %s", sqlite3_errmsg(db));
    if (n > 1)
        return problem(what, what_size, "strata_version holds %d rows", n);
    if (n == 1 && find_revision(m, out) < 0)
        return problem(what, what_size, "strata_version names '%s', not a revision", out);
    return 0;
}

/*
 * strata_history: one upgrade row for each revision up to `version` (the history is
 * linear) and none for a later one, as long as nothing was downgraded.
 */
static int check_history(sqlite3 *db, const struct strata_migrations *m, const char *version,
                         char *what, size_t size)
{
    long last = version[0] ? find_revision(m, version) : -1;
    char sql[256];
    long long n;
    size_t i;

    if (!table_exists(db, "strata_history"))
        return last < 0 ? 0 : problem(what, size, "strata_history is missing");
    for (i = 0; i < m->count; i++) {
        long long want = (long)i <= last ? 1 : 0;

        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM strata_history WHERE revision = '%s' AND "
                 "direction = 'upgrade'",
                 m->revisions[i]->id);
        if (query_int(db, sql, &n) != 0)
            return problem(what, size, "strata_history: %s", sqlite3_errmsg(db));
        if (n != want)
            return problem(what, size, "strata_history has %lld upgrade rows for %s, not %lld",
                           n, m->revisions[i]->id, want);
    }
    return 0;
}

/* Every row of table `t` is there, with the ids and values the history wrote. */
static int check_rows(sqlite3 *db, const struct strata_table *t, char *what, size_t size)
{
    long expected = safety_expected_rows(t->name);
    char sql[256];
    long long n = 0, sum = 0, want_sum = 0;
    long i;

    if (expected < 0)
        return problem(what, size, "table %s is not one the history fills", t->name);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", t->name);
    if (query_int(db, sql, &n) != 0)
        return problem(what, size, "counting %s: %s", t->name, sqlite3_errmsg(db));
    if (n != expected)
        return problem(what, size, "table %s holds %lld rows, not %ld: rows lost", t->name, n,
                       expected);
    if (strata_table_find_column(t, "id") != NULL) {
        snprintf(sql, sizeof(sql), "SELECT sum(id) FROM \"%s\"", t->name);
        if (query_int(db, sql, &sum) != 0 || sum != (long long)expected * (expected + 1) / 2)
            return problem(what, size, "table %s: the ids are not 1..%ld", t->name, expected);
    }
    if (strcmp(t->name, "big") == 0) {
        for (i = 1; i <= expected; i++)
            want_sum += i % 997;
        if (query_int(db, "SELECT sum(v) FROM big", &sum) != 0 || sum != want_sum)
            return problem(what, size, "table big: sum(v) is %lld, not %lld", sum, want_sum);
    }
    return 0;
}

/* No table but the expected ones, strata's and SQLite's. */
static int check_leftovers(sqlite3 *db, const struct strata_schema *expected, char *what,
                           size_t size)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st,
                           NULL) != SQLITE_OK)
        return problem(what, size, "sqlite_master: %s", sqlite3_errmsg(db));
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);

        if (strcmp(name, "strata_version") != 0 && strcmp(name, "strata_history") != 0 &&
            strncmp(name, "sqlite_", 7) != 0 && strata_schema_find_table(expected, name) == NULL)
            rc = problem(what, size, "table %s is left over", name);
    }
    sqlite3_finalize(st);
    return rc;
}

int safety_check(sqlite3 *db, const struct strata_migrations *m, char *version,
                 size_t version_size, char *what, size_t what_size)
{
    struct strata_schema *expected = NULL, *actual = NULL;
    struct strata_error err = { 0 };
    char diff[512];
    long long orphans = 0;
    size_t i;
    int rc;

    rc = check_integrity(db, what, what_size);
    if (rc == 0)
        rc = read_version(db, m, version, version_size, what, what_size);
    if (rc != 0)
        goto cleanup;
    if (version[0] == '\0')
        expected = strata_schema_new();
    else if (strata_replay(m, version, &expected, &err) != 0)
        rc = problem(what, what_size, "replay to %s: %s", version, err.message);
    if (rc == 0 && expected == NULL)
        rc = problem(what, what_size, "out of memory");
    if (rc == 0 && strata_introspect(db, &actual, &err) != 0)
        rc = problem(what, what_size, "introspection: %s", err.message);
    if (rc == 0 && strata_schema_diff_first(expected, actual, diff, sizeof(diff)) != 0)
        rc = problem(what, what_size, "at %s the live schema differs from the replayed one: %s",
                     version[0] ? version : "<base>", diff);
    if (rc == 0)
        rc = check_history(db, m, version, what, what_size);
    for (i = 0; rc == 0 && i < expected->ntables; i++)
        rc = check_rows(db, &expected->tables[i], what, what_size);
    if (rc == 0)
        rc = check_leftovers(db, expected, what, what_size);
    if (rc == 0 && query_int(db, "SELECT count(*) FROM pragma_foreign_key_check", &orphans) != 0)
        rc = problem(what, what_size, "foreign_key_check: %s", sqlite3_errmsg(db));
    if (rc == 0 && orphans != 0)
        rc = problem(what, what_size, "foreign_key_check finds %lld violations", orphans);
cleanup:
    strata_schema_free(expected);
    strata_schema_free(actual);
    return rc;
}
