/*
 * strata_cli(): the `db` command line an app hands its arguments to, the C
 * counterpart of `flask db upgrade / downgrade / current / history / heads`.
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
#include "error.h"
#include "migrate.h"

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
};

static const char url_option_help[] =
    "  --url URL  database URL (sqlite:///file.db); overrides STRATA_DATABASE_URL\n"
    "  --help     Show this message and exit.\n";

static const char target_help[] =
    "  TARGET is a revision id or a unique prefix of one, head, heads, base,\n"
    "  +N or -N (N revisions up or down from the current one).\n";

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

static int cmd_migrate(struct cli *c, int downgrade)
{
    struct strata_error err = { 0 };
    struct strata_db *db = NULL;
    int rc;

    rc = open_db(c, !downgrade, &db, &err);
    if (rc == STRATA_ENOTFOUND && downgrade) {
        /* No file is a database at base: run against an empty one, create nothing. */
        strata_error_clear(&err);
        rc = strata_open(&db, "sqlite://", 1, &err);
    }
    if (rc == 0)
        rc = strata_migrate(db, c->m, downgrade, c->nargs > 0 ? c->args[0] : NULL, log_migrate,
                            NULL, &err);
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

static int cmd_current(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g = { 0 };
    struct strata_db *db = NULL;
    bool *versions = NULL;
    char ids[1024];
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc == 0)
        rc = open_db(c, 0, &db, &err);
    if (rc == STRATA_ENOTFOUND) {
        rc = 0; /* no file: base, print nothing */
        goto cleanup;
    }
    if (rc == 0)
        rc = strata_current(db, ids, sizeof(ids), &err);
    if (rc == 0 && (versions = calloc(g.count + 1, sizeof(*versions))) == NULL)
        rc = strata_error_set(&err, STRATA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = strata_graph_parse_versions(&g, ids, versions, &err);
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

static int cmd_history(struct cli *c)
{
    struct strata_error err = { 0 };
    struct strata_graph g;
    struct strata_buf b = { 0 };
    size_t i;
    int rc;

    rc = strata_graph_build(&g, c->m, &err);
    if (rc != 0)
        return fail(&err, rc);
    for (i = g.count; i-- > 0;) {
        const struct strata_graph_node *node = &g.nodes[i];

        strata_buf_reset(&b);
        if (node->nparents == 0)
            strata_buf_append(&b, "<base>");
        strata_graph_format_parents(&b, &g, i);
        strata_buf_printf(&b, " -> %s%s%s%s, %s", node->rev->id,
                          node->nchildren == 0 ? " (head)" : "",
                          node->nchildren > 1 ? " (branchpoint)" : "",
                          node->nparents > 1 ? " (mergepoint)" : "",
                          node->rev->message ? node->rev->message : "");
        if (!b.failed)
            printf("%s\n", b.data);
    }
    rc = b.failed ? strata_error_set(&err, STRATA_ENOMEM, "out of memory") : 0;
    strata_buf_free(&b);
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

static int cmd_help(struct cli *c);

static const struct command commands[] = {
    { "current", "", 0, "Display the current revision of the database.", NULL, cmd_current },
    { "downgrade", "[TARGET]", 1, "Revert to a previous version (default: -1).", target_help,
      cmd_downgrade },
    { "heads", "", 0, "Show the head revisions.", NULL, cmd_heads },
    { "help", "[COMMAND]", 1, "Show this message, or a command's.", NULL, cmd_help },
    { "history", "", 0, "List the revisions, newest first.", NULL, cmd_history },
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
               c.command->run != cmd_history) {
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
