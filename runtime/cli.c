/*
 * strata_cli(): the `db` command line an app hands its arguments to, the C
 * counterpart of `flask db upgrade / downgrade / current / history / heads / show /
 * stamp` and of a drift check (`db check`).
 *
 * It parses its own arguments (no getopt: an app's option state stays untouched),
 * picks the database URL (`--url`, then STRATA_DATABASE_URL, then the app's default),
 * and prints what Alembic prints: results on stdout, `INFO  [strata.runtime] ...` and
 * `ERROR [strata.runtime] ...` lines on stderr. It returns the exit status (0 success,
 * 1 failure, 2 usage) and never exits. Read-only commands never create the database.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

#include "dialect.h"
#include "drift.h"
#include "error.h"
#include "migrate.h"
#include "offline.h"
#include "replay.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define LOG_PREFIX "[strata.runtime]"

struct cli;

struct command {
    const char *name;
    const char *args; /* usage of the positional arguments */
    int max_args;
    const char *summary;
    const char *details; /* extra help paragraph or NULL */
    int (*run)(struct cli *c);
};

struct cli {
    const char *url;
    const struct strata_migrations *m;
    const struct command *command;
    const char *args[2];
    int nargs;
    bool help;
    const char *sql;            /* --sql's range, or NULL */
    bool offline;               /* --sql given */
    const char *sqlite_version; /* --sqlite-version */
    bool purge;                 /* --purge */
    bool single;                /* --single-transaction */
};

static const char url_option_help[] =
    "  --url URL  database URL (sqlite:///file.db); overrides STRATA_DATABASE_URL\n"
    "  --help     Show this message and exit.\n";

static const char target_help[] =
    "  TARGET is a revision id or a unique prefix of one, head, heads, base,\n"
    "  +N or -N (N revisions up or down from the current one).\n\n"
    "  --sql [FROM:]TO         print the SQL instead of running it (the database is\n"
    "                          not opened); for sqlite3 -bail\n"
    "  --sqlite-version 3.X.Y  with --sql: the SQLite the script is for (native ALTER\n"
    "                          or rebuild); default: the linked library\n"
    "  --single-transaction    upgrade only: run every revision in one transaction\n"
    "                          (on error none of them stays applied)\n";

static const char stamp_help[] =
    "  Sets the database's revision without running any migration.\n\n"
    "  --purge    delete every version row first (also unknown ones)\n";

static const char check_help[] =
    "  Exit 0 only when the database is at a head, its live schema equals the\n"
    "  schema its revisions give (no drift) and no applied revision changed since.\n"
    "  Prints one line per problem.\n";

/* ===== Output ===== */

static void log_info(const char *message)
{
    fprintf(stderr, "INFO  " LOG_PREFIX " %s\n", message);
}

static void log_migrate(void *ctx, const char *message)
{
    (void)ctx;
    log_info(message);
}

static void warn_migrate(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "WARNING  " LOG_PREFIX " %s\n", message);
}

/* Prints the error and returns the exit status it maps to. */
static int fail(const struct strata_error *err, int rc)
{
    fprintf(stderr, "ERROR " LOG_PREFIX " %s\n",
            err->message[0] != '\0' ? err->message : strata_strerror(rc));
    return rc == STRATA_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
}

/* Prints a usage error: click's shape, `Error: ...` last. */
static int usage_error(const struct command *cmd, const char *fmt, ...) STRATA_PRINTF_(2, 3);

static int usage_error(const struct command *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd != NULL) {
        fprintf(stderr, "Usage: db %s [OPTIONS] %s\n", cmd->name, cmd->args);
        fprintf(stderr, "Try 'db %s --help' for help.\n\nError: ", cmd->name);
    } else {
        fprintf(stderr, "Usage: db [OPTIONS] COMMAND [ARGS]...\n");
        fprintf(stderr, "Try 'db --help' for help.\n\nError: ");
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return EXIT_USAGE;
}

/* ===== Opening the database ===== */

/*
 * Picks the URL, prints the context log lines and opens the database. With `create`
 * zero a missing file is STRATA_ENOTFOUND and nothing is created.
 */
static int open_db(struct cli *c, int create, struct strata_db **out, struct strata_error *err)
{
    const struct strata_dialect *dialect = NULL;
    char *path = NULL;
    char line[128];
    int rc;

    *out = NULL;
    rc = strata_url_parse(&dialect, &path, c->url, err);
    free(path);
    if (rc != 0)
        return rc;
    snprintf(line, sizeof(line), "Context impl %s.", dialect->display_name);
    log_info(line);
    log_info(dialect->transactional_ddl ? "Will assume transactional DDL."
                                        : "Will assume non-transactional DDL.");
    return strata_open(out, c->url, create, err);
}

/* ===== Commands ===== */

/* --sql: prints the script, never opens the database. */
static int cmd_offline(struct cli *c, int downgrade)
{
    struct strata_error err = { 0 };
    struct strata_buf script = { 0 };
    const struct strata_dialect *dialect = NULL;
    int version = 0;
    int rc;

    /* The URL picks the dialect only; a SQLite script never needed a valid URL. */
    if (c->url != NULL &&
        (strncmp(c->url, "postgresql://", 13) == 0 || strncmp(c->url, "postgres://", 11) == 0)) {
        char *path = NULL;

        rc = strata_url_parse(&dialect, &path, c->url, &err);
        free(path);
        if (rc != 0)
            return fail(&err, rc);
        if (c->sqlite_version != NULL)
            return usage_error(c->command, "--sqlite-version is for SQLite, not the %s URL '%s'",
                               dialect->display_name, c->url);
    }
    if (c->sqlite_version != NULL &&
        (version = strata_offline_parse_version(c->sqlite_version)) == 0)
        return usage_error(c->command, "--sqlite-version takes 3.X.Y, not '%s'",
                           c->sqlite_version);
    rc = strata_offline_sql_for(&script, c->m, downgrade, c->sql, dialect, version, &err);
    if (rc == 0 && script.data != NULL)
        fputs(script.data, stdout);
    strata_buf_free(&script);
    return rc == 0 ? EXIT_OK : fail(&err, rc);
}

static int cmd_migrate(struct cli *c, int downgrade)
{
    struct strata_error err = { 0 };
    struct strata_db *db = NULL;
    int rc;

    if (c->offline)
        return cmd_offline(c, downgrade);
    rc = open_db(c, !downgrade, &db, &err);
    if (rc == STRATA_ENOTFOUND && downgrade) {
        /* No file is a database at base: run against an empty one, create nothing. */
        strata_error_clear(&err);
        rc = strata_open(&db, "sqlite://", 1, &err);
    }
    if (rc == 0)
        rc = strata_migrate_flags(db, c->m, downgrade, c->nargs > 0 ? c->args[0] : NULL,
                                  c->single ? STRATA_SINGLE_TRANSACTION : 0, log_migrate,
                                  warn_migrate, NULL, &err);
    strata_close(db);
    return rc == 0 ? EXIT_OK : fail(&err, rc);
}

static int cmd_upgrade(struct cli *c)
{
    return cmd_migrate(c, 0);
}

static int cmd_downgrade(struct cli *c)
{
    return cmd_migrate(c, 1);
}

/*
 * Opens the database read-only and reads its versions into `cur` (g->count flags). A
 * missing file is base (*db stays NULL). Creates nothing.
 */
static int read_current(struct cli *c, const struct strata_graph *g, struct strata_db **db,
                        bool *cur, bool *applied, struct strata_error *err)
{
    int rc = open_db(c, 0, db, err);

    if (rc == STRATA_ENOTFOUND) {
        strata_error_clear(err);
        return 0;
    }
    if (rc == 0)
        rc = strata_read_applied(*db, g, cur, applied, err);
    return rc;
}

static int cmd_current(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g = { 0 };
    struct strata_db *db = NULL;
    bool *versions = NULL;
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc == 0 && (versions = calloc(g.count + 1, sizeof(*versions))) == NULL)
        rc = strata_error_set(&err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = read_current(c, &g, &db, versions, NULL, &err);
    if (rc != 0)
        goto cleanup;
    for (i = 0; i < g.count; i++)
        if (versions[i])
            printf("%s%s\n", g.nodes[i].rev->id, g.nodes[i].nchildren == 0 ? " (head)" : "");
cleanup:
    free(versions);
    strata_close(db);
    strata_graph_free(&g);
    return rc == 0 ? EXIT_OK : fail(&err, rc);
}

/* Alembic's markers after an id: (head), (current), (branchpoint), (mergepoint). */
static void append_markers(struct strata_buf *b, const struct strata_graph_node *node,
                           bool current)
{
    strata_buf_printf(b, "%s%s%s%s", node->nchildren == 0 ? " (head)" : "",
                      current ? " (current)" : "", node->nchildren > 1 ? " (branchpoint)" : "",
                      node->nparents > 1 ? " (mergepoint)" : "");
}

static int cmd_history(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    struct strata_db *db = NULL;
    struct strata_buf b = { 0 };
    bool *current = NULL;
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc != 0)
        return fail(&err, rc);
    current = calloc(g.count + 1, sizeof(*current));
    if (current == NULL)
        rc = strata_error_set(&err, STRATA_ENOMEM, "out of memory");
    /* With a database, its revisions are marked (current); without one, none is. */
    if (rc == 0 && c->url != NULL)
        rc = read_current(c, &g, &db, current, NULL, &err);
    if (rc != 0)
        goto cleanup;
    for (i = g.count; i-- > 0;) {
        const struct strata_graph_node *node = &g.nodes[i];

        strata_buf_reset(&b);
        if (node->nparents == 0)
            strata_buf_append(&b, "<base>");
        strata_graph_format_parents(&b, &g, i);
        strata_buf_printf(&b, " -> %s", node->rev->id);
        append_markers(&b, node, current[i]);
        strata_buf_printf(&b, ", %s", node->rev->message ? node->rev->message : "");
        if (!b.failed)
            printf("%s\n", b.data);
    }
    rc = b.failed ? strata_error_set(&err, STRATA_ENOMEM, "out of memory") : 0;
cleanup:
    strata_buf_free(&b);
    free(current);
    strata_close(db);
    strata_graph_free(&g);
    return rc == 0 ? EXIT_OK : fail(&err, rc);
}

static int cmd_heads(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc != 0)
        return fail(&err, rc);
    for (i = 0; i < g.count; i++)
        if (g.nodes[i].nchildren == 0)
            printf("%s (head)\n", g.nodes[i].rev->id);
    strata_graph_free(&g);
    return EXIT_OK;
}

/* `db show REV`: the revision in Alembic's `show` shape (REV resolved from base). */
static int cmd_show(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    struct strata_buf b = { 0 };
    bool *none = NULL, *found = NULL;
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc != 0)
        return fail(&err, rc);
    none = calloc(g.count + 1, sizeof(*none));
    found = calloc(g.count + 1, sizeof(*found));
    if (none == NULL || found == NULL)
        rc = strata_error_set(&err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = strata_target_resolve(&g, none, c->args[0], found, &err);
    for (i = 0; rc == 0 && i < g.count; i++) {
        const struct strata_graph_node *node = &g.nodes[i];
        const char *p;

        if (!found[i])
            continue;
        strata_buf_reset(&b);
        strata_buf_printf(&b, "Rev: %s", node->rev->id);
        append_markers(&b, node, false);
        strata_buf_append(&b, "\nParent: ");
        if (node->nparents == 0)
            strata_buf_append(&b, "<base>");
        strata_graph_format_parents(&b, &g, i);
        strata_buf_append(&b, "\n\n    ");
        for (p = node->rev->message ? node->rev->message : ""; *p != '\0'; p++)
            strata_buf_append(&b, *p == '\n' ? "\n    " : (char[]){ *p, '\0' });
        strata_buf_printf(&b, "\n\n    Revision ID: %s\n    Revises: %s\n", node->rev->id,
                          node->rev->parents ? node->rev->parents : "");
        if (b.failed)
            rc = strata_error_set(&err, STRATA_ENOMEM, "out of memory");
        else
            printf("%s", b.data);
    }
    strata_buf_free(&b);
    free(none);
    free(found);
    strata_graph_free(&g);
    return rc == 0 ? EXIT_OK : fail(&err, rc);
}

static int cmd_stamp(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_db *db = NULL;
    int rc;

    rc = open_db(c, 1, &db, &err);
    if (rc == 0)
        rc = strata_stamp(db, c->m, c->args[0], c->purge, log_migrate, NULL, &err);
    strata_close(db);
    return rc == 0 ? EXIT_OK : fail(&err, rc);
}

/* `db check`'s findings, printed on stdout one per line as they are found. */
struct findings {
    const struct strata_graph *g;
    size_t count;
};

static void print_finding(void *ctx, const char *line)
{
    struct findings *f = ctx;

    printf("%s\n", line);
    f->count++;
}

static void print_changed(void *ctx, size_t i, const char *recorded, const char *now)
{
    struct findings *f = ctx;
    const struct strata_revision *rev = f->g->nodes[i].rev;

    printf("revision %s (%s) changed after it was applied: checksum %.12s... recorded, "
           "%.12s... now\n",
           rev->id, rev->message ? rev->message : "", recorded, now);
    f->count++;
}

static int cmd_check(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    struct strata_replay r = { 0 };
    struct strata_db *db = NULL;
    struct strata_schema *want = NULL, *live = NULL;
    struct findings f = { NULL, 0 };
    bool *cur = NULL, *applied = NULL;
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc != 0)
        return fail(&err, rc);
    f.g = &g;
    cur = calloc(g.count + 1, sizeof(*cur));
    applied = calloc(g.count + 1, sizeof(*applied));
    if (cur == NULL || applied == NULL)
        rc = strata_error_set(&err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = strata_replay_load(&r, &g, true, &err);
    if (rc == 0)
        rc = read_current(c, &g, &db, cur, applied, &err);
    if (rc != 0)
        goto cleanup;
    /* Pending: every revision not applied (the database is at a head only without). */
    for (i = 0; i < g.count; i++)
        if (!applied[i]) {
            printf("revision %s (%s) is not applied\n", g.nodes[i].rev->id,
                   g.nodes[i].rev->message ? g.nodes[i].rev->message : "");
            f.count++;
        }
    if (db == NULL)
        goto cleanup; /* no database file: nothing more to compare */
    rc = strata_changed_checksums(db, &g, &r, applied, print_changed, &f, &err);
    if (rc == 0)
        rc = strata_replay_schema(&r, &g, applied, &want, &err);
    if (rc == 0 && db->dialect->introspect == NULL)
        rc = strata_error_set(&err, STRATA_ERROR, "the %s dialect cannot read a live schema",
                              db->dialect->display_name);
    if (rc == 0)
        rc = db->dialect->introspect(db->conn, &live, &err);
    if (rc == 0)
        strata_schema_diff_all(want, live, print_finding, &f);
cleanup:
    if (rc == 0 && f.count == 0)
        printf("No problems found: the database is at a head, its schema matches its "
               "revisions.\n");
    strata_schema_free(want);
    strata_schema_free(live);
    strata_replay_free(&r);
    free(cur);
    free(applied);
    strata_close(db);
    strata_graph_free(&g);
    if (rc != 0)
        return fail(&err, rc);
    return f.count == 0 ? EXIT_OK : EXIT_FAIL;
}

static int cmd_help(struct cli *c);

static const struct command commands[] = {
    { "check", "", 0, "Check the database: at a head, no drift, no changed revision.",
      check_help, cmd_check },
    { "current", "", 0, "Display the current revision of the database.", NULL, cmd_current },
    { "downgrade", "[TARGET]", 1, "Revert to a previous version (default: -1).", target_help,
      cmd_downgrade },
    { "heads", "", 0, "Show the head revisions.", NULL, cmd_heads },
    { "help", "[COMMAND]", 1, "Show this message, or a command's.", NULL, cmd_help },
    { "history", "", 0, "List the revisions, newest first.", NULL, cmd_history },
    { "show", "REV", 1, "Show the revision REV.", NULL, cmd_show },
    { "stamp", "REV", 1, "Set the revision without running migrations.", stamp_help,
      cmd_stamp },
    { "upgrade", "[TARGET]", 1, "Upgrade to a later version (default: head).", target_help,
      cmd_upgrade },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_help(const struct command *cmd)
{
    size_t i;

    if (cmd != NULL) {
        printf("Usage: db %s [OPTIONS] %s\n\n  %s\n\n", cmd->name, cmd->args, cmd->summary);
        if (cmd->details != NULL)
            printf("%s\n", cmd->details);
        printf("Options:\n%s", url_option_help);
        return;
    }
    printf("Usage: db [OPTIONS] COMMAND [ARGS]...\n\n"
           "  Apply the migrations compiled into this application to its database.\n\n"
           "Options:\n%s\nCommands:\n",
           url_option_help);
    for (i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
}

static int cmd_help(struct cli *c)
{
    const struct command *cmd = NULL;

    if (c->nargs > 0 && (cmd = find_command(c->args[0])) == NULL)
        return usage_error(NULL, "No such command '%s'.", c->args[0]);
    print_help(cmd);
    return EXIT_OK;
}

/* ===== Arguments ===== */

/* true for "-1", "-12": a relative target, not an option. */
static bool is_relative_target(const char *arg)
{
    size_t i;

    if (arg[0] != '-' || arg[1] == '\0')
        return false;
    for (i = 1; arg[i] != '\0'; i++)
        if (arg[i] < '0' || arg[i] > '9')
            return false;
    return true;
}

/* Parses argv into `c`; returns -1 when done, else the exit status of a usage error. */
static int parse_args(struct cli *c, int argc, char **argv)
{
    const char *url_option = NULL;
    bool only_args = false;
    int i;

    for (i = 0; i < argc; i++) {
        const char *arg = argv[i];

        if (!only_args && strcmp(arg, "--") == 0) {
            only_args = true;
        } else if (!only_args && strcmp(arg, "--url") == 0) {
            if (i + 1 >= argc)
                return usage_error(c->command, "Option '%s' requires an argument.", arg);
            url_option = argv[++i];
        } else if (!only_args && strncmp(arg, "--url=", 6) == 0) {
            url_option = arg + 6;
        } else if (!only_args && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
            c->help = true;
        } else if (!only_args && strcmp(arg, "--sql") == 0) {
            c->offline = true;
            /* The range is --sql's value when one follows, else the positional TARGET. */
            if (i + 1 < argc && (argv[i + 1][0] != '-' || is_relative_target(argv[i + 1])))
                c->sql = argv[++i];
        } else if (!only_args && strncmp(arg, "--sql=", 6) == 0) {
            c->offline = true;
            c->sql = arg + 6;
        } else if (!only_args && strcmp(arg, "--sqlite-version") == 0) {
            if (i + 1 >= argc)
                return usage_error(c->command, "Option '%s' requires an argument.", arg);
            c->sqlite_version = argv[++i];
        } else if (!only_args && strncmp(arg, "--sqlite-version=", 17) == 0) {
            c->sqlite_version = arg + 17;
        } else if (!only_args && strcmp(arg, "--purge") == 0) {
            c->purge = true;
        } else if (!only_args && strcmp(arg, "--single-transaction") == 0) {
            c->single = true;
        } else if (!only_args && arg[0] == '-' && !is_relative_target(arg)) {
            return usage_error(c->command, "No such option: %s", arg);
        } else if (c->command == NULL) {
            c->command = find_command(arg);
            if (c->command == NULL)
                return usage_error(NULL, "No such command '%s'.", arg);
        } else if (c->nargs >= c->command->max_args) {
            return usage_error(c->command, "Got unexpected extra argument (%s)", arg);
        } else {
            c->args[c->nargs++] = arg;
        }
    }
    if (c->command != NULL) {
        bool migrate = c->command->run == cmd_upgrade || c->command->run == cmd_downgrade;

        if (c->offline && !migrate)
            return usage_error(c->command, "No such option: --sql");
        if (c->sqlite_version != NULL && !c->offline)
            return usage_error(c->command, "--sqlite-version needs --sql");
        if (c->purge && c->command->run != cmd_stamp)
            return usage_error(c->command, "No such option: --purge");
        if (c->single && c->command->run != cmd_upgrade)
            return usage_error(c->command, "No such option: --single-transaction");
        if (c->single && c->offline)
            return usage_error(c->command, "--single-transaction runs the upgrade; --sql only "
                                           "prints it (one transaction per revision)");
        if (c->offline && c->sql != NULL && c->nargs > 0)
            return usage_error(c->command, "Got unexpected extra argument (%s)", c->args[0]);
        if (c->offline && c->sql == NULL && c->nargs > 0)
            c->sql = c->args[0];
        if ((c->command->run == cmd_show || c->command->run == cmd_stamp) && c->nargs == 0 &&
            !c->help)
            return usage_error(c->command, "Missing argument 'REV'.");
    }
    if (url_option != NULL) {
        c->url = url_option;
    } else {
        const char *env = getenv("STRATA_DATABASE_URL");

        if (env != NULL && env[0] != '\0')
            c->url = env;
    }
    return -1;
}

int strata_cli(const char *url, const struct strata_migrations *m, int argc, char **argv)
{
    struct cli c = { 0 };
    int status;

    c.url = url;
    c.m = m;
    status = parse_args(&c, argc, argv);
    if (status >= 0)
        goto done;
    if (c.help) {
        print_help(c.command != NULL && c.command->run != cmd_help ? c.command : NULL);
        status = EXIT_OK;
    } else if (c.command == NULL) {
        status = usage_error(NULL, "%s", "Missing command.");
    } else if (c.url == NULL && c.command->run != cmd_help && c.command->run != cmd_heads &&
               c.command->run != cmd_history && c.command->run != cmd_show && !c.offline) {
        status = usage_error(c.command, "%s",
                             "No database URL: pass --url or set STRATA_DATABASE_URL.");
    } else {
        status = c.command->run(&c);
    }
done:
    fflush(stdout);
    fflush(stderr);
    return status;
}
