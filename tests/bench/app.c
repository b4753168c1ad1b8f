/*
 * The benchmark app (tests/bench/run.sh): `app db ...` is a real app's database command
 * line (strata_cli on sqlite:///app.db, or --url); `app trace DB` upgrades DB to head
 * through strata_open_sqlite on a connection it opened, printing every statement the
 * runtime runs, one per line, so the floor can run the same SQL in the sqlite3 CLI.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>
#include <strata/strata.h>

extern const struct strata_migrations strata_migrations;

/* Prints each statement as it starts, with its bound values, on one line. */
static int trace(unsigned type, void *ctx, void *p, void *x)
{
    char *sql = sqlite3_expanded_sql((sqlite3_stmt *)p);
    const char *c;

    (void)type;
    (void)ctx;
    (void)x;
    if (sql == NULL)
        return 0;
    for (c = sql; *c != '\0'; c++)
        putchar(*c == '\n' ? ' ' : *c);
    printf(";\n");
    sqlite3_free(sql);
    return 0;
}

int main(int argc, char **argv)
{
    struct strata_db *db = NULL;
    struct strata_error err;
    sqlite3 *conn = NULL;
    int rc = 1;

    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///app.db", &strata_migrations, argc - 2, argv + 2);
    if (argc != 3 || strcmp(argv[1], "trace") != 0) {
        fprintf(stderr, "usage: app db COMMAND | app trace DB\n");
        return 2;
    }
    memset(&err, 0, sizeof err);
    if (sqlite3_open(argv[2], &conn) != SQLITE_OK)
        goto cleanup;
    sqlite3_trace_v2(conn, SQLITE_TRACE_STMT, trace, NULL);
    if (strata_open_sqlite(&db, conn, &err) != 0 ||
        strata_upgrade(db, &strata_migrations, "head", &err) != 0) {
        fprintf(stderr, "app: error: %s\n", err.message);
        goto cleanup;
    }
    rc = 0;
cleanup:
    strata_close(db);
    sqlite3_close(conn);
    return rc;
}
