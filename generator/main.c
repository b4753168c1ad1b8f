/*
 * `strata`, the generator's command line: parses the global options and the command's
 * own, then calls the command (commands.c). Usage errors exit 2 with a `usage:` line on
 * stderr; everything else is the command's business.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

#include "commands.h"
#include "registry.h"

#define MAX_ARGS 256

static const char global_usage[] =
    "strata [--models DIR|FILE]... [--dir DIR] [-I DIR]... [-D NAME[=V]]... COMMAND";

struct command {
    const char *name;
    const char *usage; /* after `strata NAME` */
    const char *help;
};

static const struct command commands[] = {
    { "init", "", "create DIR with an empty snapshot and versions/" },
    { "migrate", "[-m MSG] [--rev-id ID]", "autogenerate a revision from model changes" },
    { "revision", "-m MSG [--rev-id ID]", "empty revision to fill by hand (data migrations)" },
    { "check", "", "exit 1 listing each difference between models and snapshot" },
    { "generate", "-o FILE [--depfile F] [--check] [--symbol NAME]",
      "the build step: autogenerate if models changed, then write FILE" },
    { "history", "", "list the revisions, newest first" },
    { "heads", "", "show the current heads" },
    { "show", "REV", "show the revision REV (an id, a unique prefix, or head)" },
    { "merge", "-m MSG [--rev-id ID] REV REV...",
      "merge revisions (the heads of two branches) into one revision" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

/* Prints the usage line (of `cmd`, or the global one) and `error` on stderr; returns 2. */
static int usage_error(const struct command *cmd, const char *fmt, const char *arg)
{
    if (cmd != NULL)
        fprintf(stderr, "usage: strata %s%s%s\n", cmd->name, cmd->usage[0] ? " " : "",
                cmd->usage);
    else
        fprintf(stderr, "usage: %s\n", global_usage);
    fprintf(stderr, "strata: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'strata %s%s--help' for help.\n", cmd ? cmd->name : "",
            cmd ? " " : "");
    return 2;
}

static void print_help(void)
{
    size_t i;

    printf("usage: %s\n\n"
           "Keeps a database schema in step with annotated C structs through versioned\n"
           "migrations (like Flask-Migrate / Alembic).\n\n"
           "Options:\n"
           "  --models DIR|FILE  model headers (default: models); repeatable\n"
           "  --dir DIR          schema.json and versions/ (default: generated)\n"
           "  -I DIR             include directory for parsing the models; repeatable\n"
           "  -D NAME[=V]        macro definition for parsing the models; repeatable\n"
           "  --help             show this message and exit\n"
           "  --version          show the version and exit\n\n"
           "Commands:\n",
           global_usage);
    for (i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].help);
    printf("\nRun 'strata COMMAND --help' for a command's options.\n");
}

static void print_command_help(const struct command *cmd)
{
    printf("usage: strata %s%s%s\n\n  %s\n", cmd->name, cmd->usage[0] ? " " : "", cmd->usage,
           cmd->help);
    if (strcmp(cmd->name, "migrate") == 0 || strcmp(cmd->name, "revision") == 0 ||
        strcmp(cmd->name, "merge") == 0)
        printf("\nOptions:\n"
               "  -m MSG        revision message%s\n"
               "  --rev-id ID   revision id ([0-9a-z_]{1,32}) instead of a random one\n",
               strcmp(cmd->name, "migrate") == 0 ? " (default: names the operations)" : "");
    else if (strcmp(cmd->name, "generate") == 0)
        printf("\nOptions:\n"
               "  -o FILE         the registry C file to write\n"
               "  --depfile F     also write a Make-syntax depfile\n"
               "  --check         fail instead of autogenerating when the models changed\n"
               "  --symbol NAME   the strata_migrations symbol to define "
               "(default: strata_migrations)\n");
}

/*
 * Matches option `name` at argv[*i]: `name VALUE`, `name=VALUE`, or for a one-letter
 * option `-xVALUE`. Sets *value and advances *i past a separate value. Returns 1 on a
 * match, 0 when argv[*i] is another option, -1 when the value is missing.
 */
static int option(const char *name, int argc, char **argv, int *i, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '\0') {
        if (*i + 1 >= argc)
            return -1;
        *value = argv[++*i];
        return 1;
    }
    if (a[n] == '=' && name[1] == '-') {
        *value = a + n + 1;
        return 1;
    }
    if (name[1] != '-' && n == 2) {
        *value = a + n;
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *models[MAX_ARGS], *clang_args[MAX_ARGS], *revs[MAX_ARGS];
    char *owned[MAX_ARGS];
    const char *message = NULL, *rev_id = NULL, *output = NULL, *depfile = NULL;
    const char *symbol = REGISTRY_DEFAULT_SYMBOL, *rev = NULL, *value = NULL;
    const struct command *cmd = NULL;
    struct cli_options o = { models, 0, "generated", clang_args, 0 };
    bool check = false;
    size_t nowned = 0, nrevs = 0;
    int i, m, rc = 2;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("strata %s\n", STRATA_VERSION_STRING);
            return 0;
        }
        if (o.nmodels == MAX_ARGS || o.nclang_args == MAX_ARGS)
            return usage_error(NULL, "too many options%s", "");
        if ((m = option("--models", argc, argv, &i, &value)) != 0) {
            if (m < 0 || value[0] == '\0')
                return usage_error(NULL, "%s needs a directory or file", "--models");
            models[o.nmodels++] = value;
        } else if ((m = option("--dir", argc, argv, &i, &value)) != 0) {
            if (m < 0 || value[0] == '\0')
                return usage_error(NULL, "%s needs a directory", "--dir");
            o.dir = value;
        } else if ((m = option("-I", argc, argv, &i, &value)) != 0 ||
                   (m = option("-D", argc, argv, &i, &value)) != 0) {
            char *arg;

            if (m < 0 || value[0] == '\0')
                return usage_error(NULL, "%s needs a value", a);
            arg = malloc(strlen(value) + 3);
            if (arg == NULL) {
                fprintf(stderr, "strata: error: out of memory\n");
                rc = 1;
                goto cleanup;
            }
            arg[0] = '-';
            arg[1] = a[1];
            strcpy(arg + 2, value);
            owned[nowned++] = arg;
            clang_args[o.nclang_args++] = arg;
        } else {
            rc = usage_error(NULL, "unknown option '%s'", a);
            goto cleanup;
        }
    }
    if (o.nmodels == 0)
        models[o.nmodels++] = "models";
    if (i >= argc) {
        rc = usage_error(NULL, "missing COMMAND%s", "");
        goto cleanup;
    }
    cmd = find_command(argv[i]);
    if (cmd == NULL) {
        rc = usage_error(NULL, "unknown command '%s'", argv[i]);
        goto cleanup;
    }
    for (i++; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_command_help(cmd);
            rc = 0;
            goto cleanup;
        }
        m = 0;
        if (strcmp(cmd->name, "migrate") == 0 || strcmp(cmd->name, "revision") == 0 ||
            strcmp(cmd->name, "merge") == 0) {
            if ((m = option("-m", argc, argv, &i, &message)) == 0)
                m = option("--rev-id", argc, argv, &i, &rev_id);
            if (m == 0 && strcmp(cmd->name, "merge") == 0 && a[0] != '-' && nrevs < MAX_ARGS) {
                revs[nrevs++] = a;
                m = 1;
            }
        } else if (strcmp(cmd->name, "generate") == 0) {
            if (strcmp(a, "--check") == 0)
                m = check = true;
            else if ((m = option("-o", argc, argv, &i, &output)) == 0 &&
                     (m = option("--depfile", argc, argv, &i, &depfile)) == 0)
                m = option("--symbol", argc, argv, &i, &symbol);
        } else if (strcmp(cmd->name, "show") == 0 && a[0] != '-' && rev == NULL) {
            rev = a;
            m = 1;
        }
        if (m < 0) {
            rc = usage_error(cmd, "option '%s' needs a value", a);
            goto cleanup;
        }
        if (m == 0) {
            rc = usage_error(cmd, a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'",
                             a);
            goto cleanup;
        }
    }
    if (rev_id != NULL && !cmd_valid_rev_id(rev_id)) {
        rc = usage_error(cmd, "--rev-id '%s' is not [0-9a-z_]{1,32}", rev_id);
        goto cleanup;
    }
    if (message != NULL && message[0] == '\0') {
        rc = usage_error(cmd, "-m needs a message%s", "");
        goto cleanup;
    }
    if (strcmp(cmd->name, "init") == 0) {
        rc = cmd_init(&o);
    } else if (strcmp(cmd->name, "migrate") == 0) {
        rc = cmd_migrate(&o, message, rev_id);
    } else if (strcmp(cmd->name, "revision") == 0) {
        rc = message == NULL ? usage_error(cmd, "missing -m MSG%s", "")
                             : cmd_revision(&o, message, rev_id);
    } else if (strcmp(cmd->name, "check") == 0) {
        rc = cmd_check(&o);
    } else if (strcmp(cmd->name, "generate") == 0) {
        if (output == NULL || output[0] == '\0')
            rc = usage_error(cmd, "missing -o FILE%s", "");
        else if (!registry_valid_symbol(symbol))
            rc = usage_error(cmd, "--symbol '%s' is not a C identifier", symbol);
        else
            rc = cmd_generate(&o, output, depfile, check, symbol);
    } else if (strcmp(cmd->name, "history") == 0) {
        rc = cmd_history(&o);
    } else if (strcmp(cmd->name, "heads") == 0) {
        rc = cmd_heads(&o);
    } else if (strcmp(cmd->name, "merge") == 0) {
        if (message == NULL)
            rc = usage_error(cmd, "missing -m MSG%s", "");
        else if (nrevs < 2 && !(nrevs == 1 && strcmp(revs[0], "heads") == 0))
            rc = usage_error(cmd, "merge needs two revisions or more%s", "");
        else
            rc = cmd_merge(&o, message, rev_id, revs, nrevs);
    } else {
        rc = rev == NULL ? usage_error(cmd, "missing REV%s", "") : cmd_show(&o, rev);
    }
cleanup:
    while (nowned > 0)
        free(owned[--nowned]);
    return rc;
}
