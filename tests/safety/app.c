/*
 * The app of the crash and concurrency tests (tests/test_crash.py,
 * tests/test_concurrency.py): the safety history (history.h) compiled in, with two
 * commands:
 *
 *   safety_app db ...        strata_cli() on sqlite:///safety.db (--url or
 *                            STRATA_DATABASE_URL select another), as a user's app does
 *   safety_app check FILE    safety_check() on FILE: prints `ok <revision>` (`ok <base>`)
 *                            and exits 0, or prints the problem and exits 1
 *
 * It links libstrata's internals through check.c: a test, not an example of an app.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <strata/strata.h>

#include "check.h"
#include "history.h"

static int check(const char *path)
{
    sqlite3 *db = NULL;
    char version[64], what[1024];
    int status;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        printf("cannot open %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return 2;
    }
    status = safety_check(db, &safety_migrations, version, sizeof(version), what, sizeof(what));
    if (status == 0)
        printf("ok %s\n", version[0] ? version : "<base>");
    else
        printf("%s\n", what);
    sqlite3_close(db);
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///safety.db", &safety_migrations, argc - 2, argv + 2);
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return check(argv[2]);
    fputs("usage: safety_app db COMMAND... | safety_app check FILE\n", stderr);
    return 2;
}
