/*
 * Offline SQL for SQLite and PostgreSQL: the script `db upgrade --sql` / `db downgrade --sql` prints.
 *
 * It walks the same revisions in the same order as the online driver (migrate.c), with
 * the schema before each revision taken from the replay, and renders each revision with
 * the code the online run executes (rebuild_sqlite.c): native ALTERs or rebuilds
 * according to the SQLite version asked for, then the version and history statements,
 * inside BEGIN IMMEDIATE ... COMMIT. A revision that rebuilds turns foreign keys off
 * around its transaction, as online. Checks an online run makes in C become statements
 * that fail under `sqlite3 -bail`: the database must be at FROM (a CHECK on a temporary
 * table), and a rebuild's new foreign key violations abort its transaction.
 *
 * Limits: a C hook cannot be rendered (the script is refused, naming the revision);
 * `strata_execute` SQL is copied as is; the database's own triggers on a rebuilt table
 * are not recreated (the online rebuild reads them from the database; offline there is
 * none), while views keep working because the rename runs with legacy_alter_table on.
 *
 * PostgreSQL: each revision is the dialect's render_revision (what the online run
 * executes) inside BEGIN, the online advisory lock and COMMIT, with the same
 * bookkeeping; the FROM check is a DO block that raises (the script is for
 * `psql -v ON_ERROR_STOP=1`).
 */
#include "sqltext.h"
#include "offline.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "dialect_pg.h"
#include "dialect_sqlite.h"
#include "error.h"
#include "migrate.h"
#include "replay.h"

int strata_offline_parse_version(const char *text)
{
    unsigned major = 0, minor = 0, patch = 0;
    char tail;
    int n = sscanf(text, "%u.%u.%u%c", &major, &minor, &patch, &tail);

    if ((n != 2 && n != 3) || major != 3 || minor > 999 || patch > 999)
        return 0;
    return (int)(major * 1000000 + minor * 1000 + patch);
}

/* Appends `'a b'` (the sorted, space-separated versions of `set`) or `NULL`. */
static void render_versions(struct strata_buf *b, const struct strata_graph *g, const bool *set,
                            const struct strata_dialect *pg)
{
    struct strata_buf ids = { 0 };
    const char **sorted = calloc(g->count + 1, sizeof(*sorted));
    size_t n = 0;

    for (size_t i = 0; sorted != NULL && i < g->count; i++)
        if (set[i])
            sorted[n++] = g->nodes[i].rev->id;
    /* strata_version is read back ORDER BY version_num: the same byte order. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
            const char *t = sorted[j];

            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        strata_buf_printf(&ids, "%s%s", i > 0 ? " " : "", sorted[i]);
    if (sorted == NULL)
        b->failed = 1;
    if (n == 0)
        strata_buf_append(b, "NULL");
    else if (pg != NULL)
        pg->quote_literal(b, ids.failed ? "" : ids.data);
    else
        strata_sql_quote_literal(b, ids.failed ? "" : ids.data);
    strata_buf_free(&ids);
    free(sorted);
}

/* The versions of an applied set: its revisions none of whose children it holds. */
static void versions_of(const struct strata_graph *g, const bool *applied, bool *out)
{
    for (size_t i = 0; i < g->count; i++) {
        out[i] = applied[i];
        for (size_t j = 0; out[i] && j < g->nodes[i].nchildren; j++)
            if (applied[g->nodes[i].children[j]])
                out[i] = false;
    }
}

/* The start of the script: strata's tables and the check that the database is at FROM. */
static void render_prologue(struct strata_buf *b, const struct strata_graph *g, const bool *from,
                            int downgrade, const char *range, int version,
                            const struct strata_dialect *pg)
{
    bool *cur = calloc(g->count + 1, sizeof(*cur));

    if (cur == NULL) {
        b->failed = 1;
        return;
    }
    versions_of(g, from, cur);
    if (pg != NULL) {
        /* psql stops at the first error with ON_ERROR_STOP, as sqlite3 does with -bail. */
        strata_buf_printf(b, "-- strata offline %s %s, for PostgreSQL\n",
                          downgrade ? "downgrade" : "upgrade", range);
        strata_buf_append(b, "-- Run it with: psql -v ON_ERROR_STOP=1 -f SCRIPT URL\n\n"
                             STRATA_PG_TABLES_SQL
                             "DO $strata$ BEGIN IF (SELECT string_agg(version_num, ' ' ORDER BY "
                             "version_num COLLATE \"C\") FROM strata_version) IS DISTINCT FROM ");
        render_versions(b, g, cur, pg);
        strata_buf_append(b, " THEN RAISE EXCEPTION 'the database is not at the revision this "
                             "script starts from'; END IF; END $strata$;\n");
        free(cur);
        return;
    }
    strata_buf_printf(b, "-- strata offline %s %s, for SQLite %d.%d.%d\n",
                      downgrade ? "downgrade" : "upgrade", range, version / 1000000,
                      version / 1000 % 1000, version % 1000);
    strata_buf_append(b, "-- Run it with: sqlite3 -bail DATABASE < SCRIPT\n\n"
                         "PRAGMA foreign_keys=ON;\n"
                         "CREATE TABLE IF NOT EXISTS strata_version (version_num TEXT PRIMARY KEY);\n"
                         "CREATE TABLE IF NOT EXISTS strata_history (id INTEGER PRIMARY KEY, "
                         "revision TEXT, direction TEXT, checksum TEXT, applied_at TEXT, "
                         "duration_ms INTEGER);\n");
    strata_buf_append(b, "CREATE TEMP TABLE strata_offline_from (ok INTEGER CONSTRAINT "
                         "\"the database is not at the revision this script starts from\" "
                         "CHECK (ok));\n"
                         "INSERT INTO strata_offline_from SELECT (SELECT group_concat(version_num, "
                         "' ') FROM (SELECT version_num FROM strata_version ORDER BY "
                         "version_num)) IS ");
    render_versions(b, g, cur, NULL);
    strata_buf_append(b, ";\nDROP TABLE temp.strata_offline_from;\n");
    free(cur);
}

/*
 * Appends what the online driver's write_versions and insert_history run after node `i`
 * moved `applied` (versions `cur` before it).
 */
static int render_bookkeeping(struct strata_buf *b, const struct strata_graph *g, size_t i,
                              const bool *cur, const bool *applied, int downgrade,
                              const struct strata_oplist *list,
                              const struct strata_dialect *pg, struct strata_error *err)
{
    void (*quote)(struct strata_buf *, const char *) =
        pg != NULL ? pg->quote_literal : strata_sql_quote_literal;
    bool *now = calloc(g->count + 1, sizeof(*now));
    char checksum[65];

    if (now == NULL || strata_oplist_checksum(list, checksum) != 0) {
        free(now);
        return strata_error_set(err, STRATA_ENOMEM, "out of memory");
    }
    versions_of(g, applied, now);
    for (size_t k = 0; k < g->count; k++) {
        if (cur[k] && !now[k]) {
            strata_buf_append(b, "DELETE FROM strata_version WHERE version_num = ");
            quote(b, g->nodes[k].rev->id);
            strata_buf_append(b, ";\n");
        } else if (!cur[k] && now[k]) {
            strata_buf_append(b, "INSERT INTO strata_version (version_num) VALUES (");
            quote(b, g->nodes[k].rev->id);
            strata_buf_append(b, ");\n");
        }
    }
    strata_buf_append(b, "INSERT INTO strata_history (revision, direction, checksum, applied_at, "
                         "duration_ms) VALUES (");
    quote(b, g->nodes[i].rev->id);
    if (pg != NULL)
        /* The online run's form: UTC, ISO 8601 (2026-11-29T18:40:02Z). */
        strata_buf_printf(b, ", '%s', '%s', to_char(now() AT TIME ZONE 'UTC', "
                             "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 0);\n",
                          downgrade ? "downgrade" : "upgrade", checksum);
    else
        strata_buf_printf(b, ", '%s', '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'), 0);\n",
                          downgrade ? "downgrade" : "upgrade", checksum);
    free(now);
    return 0;
}

/* Appends `-- Running upgrade a -> b, msg` as the online log line says it. */
static void render_running(struct strata_buf *b, const struct strata_graph *g, size_t i,
                           int downgrade)
{
    const char *message = g->nodes[i].rev->message ? g->nodes[i].rev->message : "";

    strata_buf_append(b, "\n-- Running ");
    if (downgrade) {
        strata_buf_printf(b, "downgrade %s -> ", g->nodes[i].rev->id);
        strata_graph_format_parents(b, g, i);
    } else {
        strata_buf_append(b, "upgrade ");
        strata_graph_format_parents(b, g, i);
        strata_buf_printf(b, " -> %s", g->nodes[i].rev->id);
    }
    /* A message is one comment line: a newline in it would end the comment. */
    strata_buf_append(b, ", ");
    for (const char *p = message; *p != '\0'; p++)
        strata_buf_appendn(b, *p == '\n' || *p == '\r' ? " " : p, 1);
    strata_buf_append(b, "\n");
}

/* One revision: its transaction, with foreign keys off around it when it rebuilds. */
static int render_one(struct strata_buf *b, const struct strata_graph *g,
                      const struct strata_replay *r, size_t i, int downgrade, bool *applied,
                      int version, const struct strata_dialect *pg, struct strata_error *err)
{
    const struct strata_revision *rev = g->nodes[i].rev;
    void (*fn)(struct strata_op *) = downgrade ? rev->downgrade : rev->upgrade;
    struct strata_oplist list = { 0 };
    struct strata_schema *before = NULL;
    struct strata_buf body = { 0 };
    struct strata_error local = { 0 };
    bool *cur = calloc(g->count + 1, sizeof(*cur));
    bool rebuild = false;
    int rc = 0;

    if (cur == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    versions_of(g, applied, cur);
    if (fn != NULL)
        rc = strata_oplist_record(&list, fn, &local);
    for (size_t k = 0; rc == 0 && k < list.nops; k++)
        if (list.ops[k].kind == STRATA_OP_HOOK)
            rc = strata_error_set(&local, STRATA_EMIGRATION,
                                  "its %s runs the C hook '%s', which has no SQL; apply this "
                                  "revision online (db %s)",
                                  downgrade ? "downgrade" : "upgrade", list.ops[k].name,
                                  downgrade ? "downgrade" : "upgrade");
    if (rc == 0)
        rc = strata_replay_schema(r, g, applied, &before, err);
    if (rc == 0 && pg != NULL)
        rc = pg->render_revision(&body, before, &list, &local);
    else if (rc == 0)
        rc = strata_sqlite_render_revision(&body, before, &list, version, &rebuild, &local);
    if (rc != 0) {
        if (rc != STRATA_ENOMEM)
            rc = STRATA_EMIGRATION;
        strata_error_set(err, rc, "revision %s (%s): %s", rev->id,
                         rev->message ? rev->message : "", local.message);
        strata_error_at(err, rev->id, local.operation[0] ? local.operation : NULL);
        goto cleanup;
    }
    applied[i] = !downgrade;
    render_running(b, g, i, downgrade);
    if (rebuild)
        strata_buf_append(b, "PRAGMA foreign_keys=OFF;\n");
    if (pg != NULL)
        /* The online begin(): the lock that serializes concurrent upgrades. */
        strata_buf_append(b, "BEGIN;\nSELECT pg_advisory_xact_lock(" STRATA_PG_LOCK_KEY ");\n");
    else
        strata_buf_append(b, "BEGIN IMMEDIATE;\n");
    strata_buf_append(b, body.failed || body.data == NULL ? "" : body.data);
    rc = render_bookkeeping(b, g, i, cur, applied, downgrade, &list, pg, err);
    strata_buf_append(b, "COMMIT;\n");
    if (rebuild)
        strata_buf_append(b, "PRAGMA foreign_keys=ON;\n");
    if (rc == 0 && (b->failed || body.failed))
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
cleanup:
    strata_oplist_clear(&list);
    strata_schema_free(before);
    strata_buf_free(&body);
    free(cur);
    return rc;
}

/* Resolves FROM (against base) and TO (against FROM's versions) of `range`. */
static int resolve_range(const struct strata_graph *g, int downgrade, const char *range,
                         bool *from, bool *to, struct strata_error *err)
{
    const char *colon = range != NULL ? strchr(range, ':') : NULL;
    bool *none = calloc(g->count + 1, sizeof(*none));
    bool *cur = calloc(g->count + 1, sizeof(*cur));
    char *from_text = NULL;
    const char *to_text;
    int rc;

    if (none == NULL || cur == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (colon != NULL)
        from_text = strndup(range, (size_t)(colon - range));
    else
        from_text = strdup(downgrade ? "head" : "base");
    to_text = colon != NULL ? colon + 1 : range != NULL ? range : downgrade ? "-1" : "head";
    if (from_text == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (from_text[0] == '\0' || to_text[0] == '\0') {
        rc = strata_error_set(err, STRATA_EUSAGE, "--sql takes [FROM:]TO, not '%s'", range);
        goto cleanup;
    }
    rc = strata_target_resolve(g, none, from_text, from, err);
    if (rc != 0)
        goto cleanup;
    strata_graph_close_set(g, from);
    versions_of(g, from, cur);
    rc = strata_target_resolve(g, cur, to_text, to, err);
    if (rc != 0)
        goto cleanup;
    strata_graph_close_set(g, to);
    for (size_t i = 0; downgrade && i < g->count; i++)
        if (to[i] && !from[i]) {
            rc = strata_error_set(err, STRATA_ERROR,
                                  "cannot downgrade from %s to %s: revision %s is not below %s",
                                  from_text, to_text, g->nodes[i].rev->id, from_text);
            break;
        }
cleanup:
    free(from_text);
    free(none);
    free(cur);
    return rc;
}

int strata_offline_sql(struct strata_buf *out, const struct strata_migrations *m, int downgrade,
                       const char *range, int sqlite_version, struct strata_error *err)
{
    return strata_offline_sql_for(out, m, downgrade, range, NULL, sqlite_version, err);
}

int strata_offline_sql_for(struct strata_buf *out, const struct strata_migrations *m,
                           int downgrade, const char *range, const struct strata_dialect *dialect,
                           int sqlite_version, struct strata_error *err)
{
    /* NULL for SQLite: every renderer below takes the PostgreSQL table or NULL. */
    const struct strata_dialect *pg =
        dialect != NULL && dialect != &strata_sqlite_dialect ? dialect : NULL;
    struct strata_graph g;
    struct strata_replay r = { 0 };
    struct strata_buf label = { 0 };
    bool *applied = NULL, *goal = NULL;
    int rc;

    if (pg != NULL && pg->render_revision == NULL)
        return strata_error_set(err, STRATA_EUSAGE, "--sql cannot render SQL for %s",
                                pg->display_name);
    if (sqlite_version == 0)
        sqlite_version = sqlite3_libversion_number();
    rc = strata_graph_build(&g, m, err);
    if (rc != 0)
        return rc;
    rc = strata_replay_load(&r, &g, true, err);
    if (rc != 0)
        goto cleanup;
    applied = calloc(g.count + 1, sizeof(*applied));
    goal = calloc(g.count + 1, sizeof(*goal));
    if (applied == NULL || goal == NULL) {
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
        goto cleanup;
    }
    rc = resolve_range(&g, downgrade, range, applied, goal, err);
    if (rc != 0)
        goto cleanup;
    if (range != NULL && strchr(range, ':') != NULL)
        strata_buf_append(&label, range);
    else
        strata_buf_printf(&label, "%s:%s", downgrade ? "head" : "base",
                          range != NULL ? range : downgrade ? "-1" : "head");
    render_prologue(out, &g, applied, downgrade, label.failed ? "" : label.data,
                    sqlite_version, pg);
    for (;;) {
        long next = -1;

        /* The online driver's order: upgrades the first missing revision in topological
         * order, downgrades the last applied one outside the goal. */
        if (!downgrade) {
            for (size_t i = 0; i < g.count && next < 0; i++)
                if (goal[i] && !applied[i])
                    next = (long)i;
        } else {
            for (size_t i = g.count; i-- > 0 && next < 0;)
                if (applied[i] && !goal[i])
                    next = (long)i;
        }
        if (next < 0)
            break;
        rc = render_one(out, &g, &r, (size_t)next, downgrade, applied, sqlite_version, pg,
                        err);
        if (rc != 0)
            goto cleanup;
    }
    if (out->failed)
        rc = strata_error_set(err, STRATA_ENOMEM, "out of memory");
cleanup:
    strata_buf_free(&label);
    free(applied);
    free(goal);
    strata_replay_free(&r);
    strata_graph_free(&g);
    return rc;
}
