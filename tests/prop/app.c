/*
 * The app of the property test (tests/prop/walk.py), and its schema checker.
 *
 * meson compiles this file once into a static library; at each step of the walk the
 * driver compiles only the registry `strata generate` wrote (which defines
 * `strata_migrations`) and links it with this object and the static libstrata. The app
 * has two commands:
 *
 *   app db ...          strata_cli() on sqlite:///app.db, as any user's app does
 *   app inspect [DB]    compares the live schema of DB (default app.db) with the schema
 *                       the compiled revisions replay to at the database's revision
 *
 * `inspect` replays the history to the revision in `strata_version` (base: the empty
 * schema), checks that the replayed schema's hash is the one the revision records (the
 * generator wrote the snapshot's hash there), introspects the database and compares the
 * two with strata_schema_diff_first(). It prints `ok <revision>` and exits 0, or prints
 * the first difference and both canonical schemas and exits 1; 2 for a usage or
 * database error. It links libstrata's internals (runtime/replay.h,
 * runtime/introspect.h, schema.h), which are not installed: this is a test, not an
 * example of a user's app.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <strata/strata.h>

#include "introspect.h"
#include "replay.h"
#include "schema.h"

extern const struct strata_migrations strata_migrations;

/* The revision whose `id` is exactly `id`, or NULL. */
static const struct strata_revision *find_revision(const char *id)
{
    for (size_t i = 0; i < strata_migrations.count; i++)
        if (strcmp(strata_migrations.revisions[i]->id, id) == 0)
            return strata_migrations.revisions[i];
    return NULL;
}

/*
 * Writes the database's single version into `out` ("" at base). 0, or -1 after printing
 * why (several heads, an unreadable table).
 */
static int read_version(sqlite3 *db, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    int rc, n = 0;

    out[0] = '\0';
    rc = sqlite3_prepare_v2(db,
                            "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                            "name = 'strata_version'",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        goto fail;
    if (sqlite3_prepare_v2(db, "SELECT version_num FROM strata_version", -1, &st, NULL) !=
        SQLITE_OK)
        goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto fail;
    if (n > 1) {
        fprintf(stderr, "inspect: the database has %d heads\n", n);
        return -1;
    }
    return 0;
fail:
    fprintf(stderr, "inspect: reading strata_version: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -1;
}

/* Prints `label` and the canonical form of `s` to stdout. */
static void print_canonical(const char *label, const struct strata_schema *s)
{
    char *text = NULL;

    if (strata_schema_canonical(s, &text) == 0)
        printf("--- %s\n%s", label, text);
    else
        printf("--- %s: (out of memory)\n", label);
    free(text);
}

static int inspect(const char *path)
{
    sqlite3 *db = NULL;
    struct strata_schema *expected = NULL, *actual = NULL;
    struct strata_error err = { 0 };
    char version[64], hash[65], what[512];
    int status = 2;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "inspect: cannot open %s: %s\n", path, sqlite3_errmsg(db));
        goto cleanup;
    }
    if (read_version(db, version, sizeof version) != 0)
        goto cleanup;
    if (version[0] == '\0') {
        expected = strata_schema_new();
        if (expected == NULL)
            goto cleanup;
    } else {
        const struct strata_revision *rev = find_revision(version);

        if (rev == NULL) {
            fprintf(stderr, "inspect: the database is at %s, which the app does not hold\n",
                    version);
            goto cleanup;
        }
        if (strata_replay(&strata_migrations, version, &expected, &err) != 0) {
            printf("replay to %s failed: %s\n", version, err.message);
            status = 1;
            goto cleanup;
        }
        if (strata_schema_hash(expected, hash) != 0)
            goto cleanup;
        if (rev->schema_hash != NULL && strcmp(rev->schema_hash, hash) != 0) {
            printf("replay to %s: schema hash %s, but the revision records %s\n", version,
                   hash, rev->schema_hash);
            print_canonical("replayed", expected);
            status = 1;
            goto cleanup;
        }
    }
    if (strata_introspect(db, &actual, &err) != 0) {
        printf("introspection failed: %s\n", err.message);
        status = 1;
        goto cleanup;
    }
    if (strata_schema_diff_first(expected, actual, what, sizeof what) != 0) {
        printf("at revision %s: introspected schema differs from the replayed one: %s\n",
               version[0] ? version : "<base>", what);
        print_canonical("replayed (expected)", expected);
        print_canonical("introspected (actual)", actual);
        status = 1;
        goto cleanup;
    }
    printf("ok %s\n", version[0] ? version : "<base>");
    status = 0;
cleanup:
    strata_schema_free(expected);
    strata_schema_free(actual);
    sqlite3_close(db);
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///app.db", &strata_migrations, argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "inspect") == 0 && argc <= 3)
        return inspect(argc == 3 ? argv[2] : "app.db");
    fputs("usage: app db COMMAND | app inspect [DB]\n", stderr);
    return 2;
}
