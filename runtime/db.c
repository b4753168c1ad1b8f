/*
 * Opening and closing the database: database URLs, the dialect they select and the
 * `struct strata_db` every runtime call takes (strata_open, strata_open_sqlite,
 * strata_close). `postgresql://` and `postgres://` URLs go to libpq as they are, when
 * libstrata is built with PostgreSQL. migrate.c and cli.c only ever see the dialect through it.
 */
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

#include "dialect.h"
#include "error.h"

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int strata_url_parse(const struct strata_dialect **dialect, char **path, const char *url,
                     struct strata_error *err)
{
    const char *rest;

    *dialect = NULL;
    *path = NULL;
    if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
#ifdef STRATA_WITH_POSTGRESQL
        /* libpq reads the URL itself: host, port, user, database, ?options. */
        *path = strdup(url);
        if (*path == NULL)
            return strata_error_set(err, STRATA_ENOMEM, "out of memory");
        *dialect = &strata_pg_dialect;
        return 0;
#else
        return strata_error_set(err, STRATA_EUSAGE,
                                "this libstrata was built without PostgreSQL: '%s'", url);
#endif
    }
    if (!starts_with(url, "sqlite://"))
        return strata_error_set(err, STRATA_EUSAGE,
                                "unsupported database URL '%s' (expected sqlite:///PATH)", url);
    rest = url + strlen("sqlite://");
    if (rest[0] == '\0' || strcmp(rest, "/:memory:") == 0 || strcmp(rest, "/") == 0) {
        rest = ":memory:";
    } else if (rest[0] == '/') {
        rest++; /* sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db */
    } else {
        return strata_error_set(err, STRATA_EUSAGE,
                                "database URL '%s' names a host; SQLite URLs read "
                                "sqlite:///relative.db or sqlite:////absolute.db",
                                url);
    }
    if (strchr(rest, '?') != NULL)
        return strata_error_set(err, STRATA_EUSAGE,
                                "database URL '%s': query parameters are not supported", url);
    *path = strdup(rest);
    if (*path == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    *dialect = &strata_sqlite_dialect;
    return 0;
}

int strata_open(struct strata_db **out, const char *url, int create, struct strata_error *err)
{
    const struct strata_dialect *dialect = NULL;
    struct strata_db *db = NULL;
    char *path = NULL;
    void *conn = NULL;
    int rc;

    *out = NULL;
    if (url == NULL)
        return strata_error_set(err, STRATA_EUSAGE, "no database URL");
    rc = strata_url_parse(&dialect, &path, url, err);
    if (rc != 0)
        goto cleanup;
#ifdef STRATA_WITH_POSTGRESQL
    if (dialect == &strata_pg_dialect)
        rc = strata_pg_connect(&conn, path, err); /* a server: nothing to create */
    else
#endif
        rc = strata_sqlite_connect(&conn, path, create, err);
    if (rc != 0)
        goto cleanup;
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    db->dialect = dialect;
    db->conn = conn;
    db->owned = true;
    conn = NULL;
    *out = db;
cleanup:
    if (conn != NULL)
        dialect->close(conn);
    free(path);
    return rc;
}

int strata_open_sqlite(struct strata_db **out, void *sqlite3_conn, struct strata_error *err)
{
    struct strata_db *db;
    int rc;

    *out = NULL;
    if (sqlite3_conn == NULL)
        return strata_error_set(err, STRATA_EUSAGE, "no SQLite connection");
    rc = strata_sqlite_adopt(sqlite3_conn, err);
    if (rc != 0)
        return rc;
    db = calloc(1, sizeof(*db));
    if (db == NULL)
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    db->dialect = &strata_sqlite_dialect;
    db->conn = sqlite3_conn;
    db->owned = false;
    *out = db;
    return 0;
}

void strata_close(struct strata_db *db)
{
    if (db == NULL)
        return;
    if (db->owned)
        db->dialect->close(db->conn);
    free(db);
}
