/*
 * The consumer's app: `notes db ...` hands the database commands to libstrata with the
 * migrations `strata generate` compiled; `notes add TITLE` stores a note.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>
#include <strata/strata.h>

#include "note.h"

extern const struct strata_migrations strata_migrations;

int main(int argc, char **argv)
{
    struct note n;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = 1;

    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///notes.db", &strata_migrations, argc - 2, argv + 2);
    if (argc != 3 || strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "usage: notes add TITLE | notes db COMMAND\n");
        return 2;
    }
    if (strlen(argv[2]) >= sizeof n.title) {
        fprintf(stderr, "notes: error: title longer than %zu bytes\n", sizeof n.title - 1);
        return 1;
    }
    if (sqlite3_open("notes.db", &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "INSERT INTO note (title) VALUES (?)", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_bind_text(st, 1, argv[2], -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_DONE)
        rc = 0;
    else
        fprintf(stderr, "notes: error: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
