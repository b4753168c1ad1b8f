/*
 * The generator's commands (see commands.h): each loads what it needs (the revision
 * files, the snapshot, the parsed models), calls the pipeline stages (parse, diff, emit,
 * snapshot, registry) and writes through fileout, revision file first, then schema.json,
 * so an interrupted migrate leaves a revision newer than the snapshot's head, which the
 * next command names instead of building on.
 */
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <strata/strata.h>

#include "buf.h"
#include "diag.h"
#include "diff.h"
#include "emit.h"
#include "fileout.h"
#include "ops.h"
#include "parse.h"
#include "registry.h"
#include "revfile.h"
#include "schema.h"
#include "snapshot.h"

#define SLUG_MAX 40

/* What most commands start from: DIR's revision files and snapshot. */
struct state {
    struct revlist revs;
    struct strata_schema *snap;
    char *head; /* the snapshot's head, NULL at base */
    char *snap_path;
    char *versions;
};

bool cmd_valid_rev_id(const char *id)
{
    return revfile_valid_id(id);
}

/* "a/b" in a new malloc'ed string, or NULL when out of memory. */
static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);

    if (s != NULL) {
        memcpy(s, a, na);
        s[na] = '/';
        memcpy(s + na + 1, b, nb + 1);
    }
    return s;
}

static void state_free(struct state *st)
{
    revlist_free(&st->revs);
    strata_schema_free(st->snap);
    free(st->head);
    free(st->snap_path);
    free(st->versions);
    memset(st, 0, sizeof *st);
}

/*
 * Loads DIR's revision files and, when `snapshot` is true, its snapshot. Returns 0, or
 * STRATA_ERROR with every problem reported.
 */
static int state_load(struct state *st, const struct cli_options *o, bool snapshot,
                      struct diag *d)
{
    struct stat sb;

    memset(st, 0, sizeof *st);
    if (stat(o->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        diag_error(d, NULL, 0, 0, "no directory %s; run: strata init", o->dir);
        return STRATA_ERROR;
    }
    st->snap_path = join(o->dir, "schema.json");
    st->versions = join(o->dir, "versions");
    if (st->snap_path == NULL || st->versions == NULL) {
        diag_error(d, NULL, 0, 0, "out of memory");
        return STRATA_ERROR;
    }
    if (snapshot && snapshot_load(&st->snap, &st->head, st->snap_path, d) != 0)
        return STRATA_ERROR;
    return revlist_load(&st->revs, o->dir, d);
}

/*
 * Takes the exclusive lock on DIR that every command writing into it holds (DESIGN 1.3),
 * waiting while another holds it; whatever the caller read of DIR before is stale once
 * this returns. A missing DIR is reported as state_load reports it. Returns the lock's
 * descriptor (release with fileout_unlock) or -1 with the error reported.
 */
static int lock_dir(const struct cli_options *o, struct diag *d)
{
    struct stat sb;

    if (stat(o->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        diag_error(d, NULL, 0, 0, "no directory %s; run: strata init", o->dir);
        return -1;
    }
    return fileout_lock(o->dir, d);
}

/*
 * Checks that the history can be built on: consistent graph, one head at most, and that
 * head is the snapshot's. Reports each problem and says what to do; returns how many.
 */
static int check_head(const struct state *st, const struct cli_options *o, struct diag *d)
{
    const struct revlist *l = &st->revs;
    size_t *heads = NULL, nheads, i;
    int problems = revlist_check(l, d);
    char list[512] = "";

    if (problems > 0)
        return problems;
    heads = malloc((l->count ? l->count : 1) * sizeof *heads);
    if (heads == NULL) {
        diag_error(d, NULL, 0, 0, "out of memory");
        return 1;
    }
    nheads = revlist_heads(l, heads);
    for (i = 0; i < nheads; i++) {
        size_t n = strlen(list);

        snprintf(list + n, sizeof list - n, "%s%s (%s)", i ? ", " : "", l->items[heads[i]].id,
                 l->items[heads[i]].name);
    }
    if (nheads > 1) {
        diag_error(d, NULL, 0, 0,
                   "the revision files have %zu heads: %s; keep one branch (remove the other "
                   "branch's revision files and restore %s/schema.json to match), then run "
                   "strata migrate again",
                   nheads, list, o->dir);
        problems++;
    } else if (nheads == 0 && st->head != NULL) {
        diag_error(d, NULL, 0, 0,
                   "%s says the head is '%s' but no revision file defines it; restore the "
                   "revision file or %s from version control",
                   st->snap_path, st->head, st->snap_path);
        problems++;
    } else if (nheads == 1 &&
               (st->head == NULL || strcmp(st->head, l->items[heads[0]].id) != 0)) {
        diag_error(d, NULL, 0, 0,
                   "%s is at revision '%s' but the head of the revision files is %s (an "
                   "interrupted migrate?); remove the revision files after '%s' or restore "
                   "%s from version control",
                   st->snap_path, st->head ? st->head : "<base>", list,
                   st->head ? st->head : "<base>", st->snap_path);
        problems++;
    }
    free(heads);
    return problems;
}

/* The single head's id, or NULL at base (check_head passed). */
static const char *head_id(const struct state *st)
{
    size_t i;

    for (i = 0; i < st->revs.count; i++) {
        if (revlist_is_head(&st->revs, i))
            return st->revs.items[i].id;
    }
    return NULL;
}

/* Appends ` word` to `b`, single-quoted for a POSIX shell when it needs quoting. */
static void shell_word(struct strata_buf *b, const char *word)
{
    const char *p;

    strata_buf_append(b, " ");
    if (word[0] != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_./:=+,@%-") == strlen(word)) {
        strata_buf_append(b, word);
        return;
    }
    strata_buf_append(b, "'");
    for (p = word; *p != '\0'; p++) {
        if (*p == '\'')
            strata_buf_append(b, "'\\''");
        else
            strata_buf_appendn(b, p, 1);
    }
    strata_buf_append(b, "'");
}

/*
 * Reports that the models changed and names the command that writes the missing
 * revision, with the options of this run that differ from the defaults (a build step
 * passes absolute --models, --dir and -I), so it can be pasted into a shell as is.
 */
static void report_pending(const struct cli_options *o, const struct strata_oplist *up,
                           struct diag *d)
{
    struct strata_buf b = { 0 };
    char msg[256], *cmd = NULL;
    const char *p;
    size_t i;

    emit_default_message(msg, sizeof msg, up);
    strata_buf_append(&b, "strata");
    if (!(o->nmodels == 1 && strcmp(o->models[0], "models") == 0)) {
        for (i = 0; i < o->nmodels; i++) {
            shell_word(&b, "--models");
            shell_word(&b, o->models[i]);
        }
    }
    if (strcmp(o->dir, "generated") != 0) {
        shell_word(&b, "--dir");
        shell_word(&b, o->dir);
    }
    for (i = 0; i < o->nclang_args; i++)
        shell_word(&b, o->clang_args[i]);
    /* The message in double quotes, as the command has always been shown. */
    strata_buf_append(&b, " migrate -m \"");
    for (p = msg; *p != '\0'; p++) {
        if (strchr("\"$`\\", *p) != NULL)
            strata_buf_append(&b, "\\");
        strata_buf_appendn(&b, p, 1);
    }
    strata_buf_append(&b, "\"");
    if (strata_buf_detach(&b, &cmd) != 0)
        cmd = NULL;
    diag_error(d, NULL, 0, 0, "models changed since the last revision; run: %s",
               cmd != NULL ? cmd : "strata migrate");
    strata_buf_free(&b);
    free(cmd);
}

/* Builds "-I..."/"-D..." args into parse options and parses the models. */
static int parse(struct strata_schema **out, struct parse_files *files,
                 const struct cli_options *o, struct diag *d)
{
    struct parse_options po = { o->models, o->nmodels, o->clang_args, o->nclang_args };
    int errors = d->errors;

    *out = NULL;
    if (parse_models(out, files, &po, d) != 0 || d->errors != errors) {
        if (d->errors == errors)
            diag_error(d, NULL, 0, 0, "cannot parse the models");
        strata_schema_free(*out);
        *out = NULL;
        return STRATA_ERROR;
    }
    return 0;
}

/* ---- writing a revision ---- */

/* Lowercase ASCII alphanumeric runs of `message` joined by `_`, at most SLUG_MAX chars. */
static void make_slug(char *out, const char *message)
{
    size_t n = 0;
    const char *p;
    bool sep = false;

    for (p = message; *p != '\0' && n < SLUG_MAX; p++) {
        char c = *p;

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (sep && n > 0 && n < SLUG_MAX - 1)
                out[n++] = '_';
            else if (sep && n > 0)
                break;
            sep = false;
            out[n++] = c;
        } else {
            sep = true;
        }
    }
    out[n] = '\0';
}

/* 12 random lowercase hex digits from /dev/urandom into `out` (size >= 13). */
static int random_id(char *out, struct diag *d)
{
    unsigned char bytes[6];
    size_t i;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0 || read(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes) {
        diag_error(d, "/dev/urandom", 0, 0, "cannot read: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return STRATA_ERROR;
    }
    close(fd);
    for (i = 0; i < sizeof bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}

/* `YYYY-MM-DD HH:MM:SS UTC` of now, or of SOURCE_DATE_EPOCH when set. */
static int create_date(char *out, size_t size, struct diag *d)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    struct tm tm;

    if (env != NULL) {
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(env, &end, 10);
        if (env[0] < '0' || env[0] > '9' || *end != '\0' || errno != 0) {
            diag_error(d, NULL, 0, 0, "SOURCE_DATE_EPOCH is not a number of seconds: '%s'",
                       env);
            return STRATA_ERROR;
        }
        t = (time_t)v;
    }
    if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        diag_error(d, NULL, 0, 0, "cannot format the date");
        return STRATA_ERROR;
    }
    return 0;
}

/*
 * Writes the next revision (up/down taking the snapshot to `next`) and the snapshot of
 * `next`. `message` NULL: the default message. On error nothing is left written (a
 * versions/ created here is removed again).
 */
static int write_revision(struct state *st, const struct strata_oplist *up,
                          const struct strata_oplist *down, const struct strata_schema *next,
                          const char *message, const char *rev_id, struct diag *d)
{
    char id[REVFILE_ID_MAX + 1], date[64], hash[65], slug[SLUG_MAX + 1], msg[256];
    char name[32 + SLUG_MAX + REVFILE_ID_MAX], *path = NULL, *text = NULL, *json = NULL;
    struct emit_info info;
    unsigned number = 0;
    bool made_dir = false, wrote_rev = false;
    struct stat sb;
    long dup;
    size_t i;
    int rc = STRATA_ERROR;

    if (message == NULL) {
        emit_default_message(msg, sizeof msg, up);
        message = msg;
    }
    if (rev_id != NULL)
        snprintf(id, sizeof id, "%s", rev_id);
    else if (random_id(id, d) != 0)
        goto cleanup;
    dup = revlist_find(&st->revs, id);
    if (dup >= 0) {
        diag_error(d, NULL, 0, 0, "revision id '%s' is already used by %s", id,
                   st->revs.items[dup].path);
        goto cleanup;
    }
    for (i = 0; i < st->revs.count; i++) {
        if (st->revs.items[i].number > number)
            number = st->revs.items[i].number;
    }
    make_slug(slug, message);
    snprintf(name, sizeof name, "%04u_%s.c", number + 1, slug[0] ? slug : id);
    path = join(st->versions, name);
    if (path == NULL)
        goto nomem;
    if (create_date(date, sizeof date, d) != 0)
        goto cleanup;
    if (strata_schema_hash(next, hash) != 0)
        goto nomem;
    info.id = id;
    info.parents = head_id(st);
    info.message = message;
    info.create_date = date;
    info.schema_hash = hash;
    if (emit_revision(&text, &info, up, down) != 0) {
        diag_error(d, NULL, 0, 0, "cannot emit the revision");
        goto cleanup;
    }
    if (snapshot_format(&json, next, id) != 0) {
        diag_error(d, st->snap_path, 0, 0, "cannot format the snapshot");
        goto cleanup;
    }
    if (stat(st->versions, &sb) != 0) {
        if (mkdir(st->versions, 0777) != 0) {
            diag_error(d, st->versions, 0, 0, "cannot create directory: %s", strerror(errno));
            goto cleanup;
        }
        made_dir = true;
    }
    if (stat(path, &sb) == 0) {
        diag_error(d, path, 0, 0, "already exists");
        goto cleanup;
    }
    if (fileout_write(path, text, strlen(text), NULL, d) != 0)
        goto cleanup;
    wrote_rev = true;
    if (fileout_write(st->snap_path, json, strlen(json), NULL, d) != 0)
        goto cleanup;
    printf("Generating %s ...  done\n", path);
    fflush(stdout);
    rc = 0;
    goto cleanup;
nomem:
    diag_error(d, NULL, 0, 0, "out of memory");
cleanup:
    if (rc != 0 && wrote_rev)
        unlink(path);
    if (rc != 0 && made_dir)
        rmdir(st->versions);
    free(path);
    free(text);
    free(json);
    return rc;
}

/* ---- commands ---- */

/* true when `dir` holds no entry but . and .. */
static bool dir_empty(const char *dir)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    bool empty = true;

    if (dh == NULL)
        return false;
    while (empty && (e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    }
    closedir(dh);
    return empty;
}

int cmd_init(const struct cli_options *o)
{
    struct strata_schema *empty = NULL;
    char *versions = join(o->dir, "versions"), *snap = join(o->dir, "schema.json");
    char *json = NULL;
    bool made_dir = false, made_versions = false;
    struct stat sb;
    struct diag d;
    int rc = 1;

    diag_init(&d);
    if (versions == NULL || snap == NULL)
        goto nomem;
    if (stat(o->dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            diag_error(&d, NULL, 0, 0, "%s exists and is not a directory", o->dir);
            goto cleanup;
        }
        if (!dir_empty(o->dir)) {
            diag_error(&d, NULL, 0, 0, "directory %s exists and is not empty", o->dir);
            goto cleanup;
        }
    }
    empty = strata_schema_new();
    if (empty == NULL || snapshot_format(&json, empty, NULL) != 0)
        goto nomem;
    if (stat(o->dir, &sb) != 0) {
        printf("Creating directory %s ...  ", o->dir);
        fflush(stdout);
        if (mkdir(o->dir, 0777) != 0) {
            printf("\n");
            diag_error(&d, o->dir, 0, 0, "cannot create directory: %s", strerror(errno));
            goto cleanup;
        }
        made_dir = true;
        printf("done\n");
    }
    printf("Creating directory %s ...  ", versions);
    fflush(stdout);
    if (mkdir(versions, 0777) != 0) {
        printf("\n");
        diag_error(&d, versions, 0, 0, "cannot create directory: %s", strerror(errno));
        goto cleanup;
    }
    made_versions = true;
    printf("done\nGenerating %s ...  ", snap);
    fflush(stdout);
    if (fileout_write(snap, json, strlen(json), NULL, &d) != 0) {
        printf("\n");
        goto cleanup;
    }
    printf("done\n");
    rc = 0;
    goto cleanup;
nomem:
    diag_error(&d, NULL, 0, 0, "out of memory");
cleanup:
    fflush(stdout);
    if (rc != 0 && made_versions)
        rmdir(versions);
    if (rc != 0 && made_dir)
        rmdir(o->dir);
    strata_schema_free(empty);
    free(json);
    free(versions);
    free(snap);
    return rc;
}

/*
 * migrate and generate's autogenerate step: diffs the parsed `models` against the
 * snapshot and writes a revision when they differ. *changed tells whether they did.
 */
static int autogenerate(struct state *st, const struct strata_schema *models,
                        const char *message, const char *rev_id, bool *changed, struct diag *d)
{
    struct strata_oplist up, down;
    int rc = STRATA_ERROR;

    memset(&up, 0, sizeof up);
    memset(&down, 0, sizeof down);
    *changed = false;
    if (diff_schemas(&up, &down, st->snap, models, d) != 0)
        goto cleanup;
    if (up.nops == 0) {
        rc = 0;
        goto cleanup;
    }
    *changed = true;
    rc = write_revision(st, &up, &down, models, message, rev_id, d);
cleanup:
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    return rc;
}

int cmd_migrate(const struct cli_options *o, const char *message, const char *rev_id)
{
    struct strata_schema *models = NULL;
    struct parse_files files = { NULL, 0 };
    struct state st;
    struct diag d;
    bool changed = false;
    int lock = -1, rc = 1;

    memset(&st, 0, sizeof st);
    diag_init(&d);
    /* The lock `generate` takes: a build running meanwhile must not write a second one. */
    lock = lock_dir(o, &d);
    if (lock < 0)
        goto cleanup;
    if (state_load(&st, o, true, &d) != 0 || check_head(&st, o, &d) != 0)
        goto cleanup;
    if (parse(&models, &files, o, &d) != 0)
        goto cleanup;
    if (autogenerate(&st, models, message, rev_id, &changed, &d) != 0)
        goto cleanup;
    if (!changed)
        diag_info(&d, "autogenerate", "No changes in schema detected.");
    rc = 0;
cleanup:
    fileout_unlock(lock);
    strata_schema_free(models);
    parse_files_free(&files);
    state_free(&st);
    return rc;
}

int cmd_revision(const struct cli_options *o, const char *message, const char *rev_id)
{
    struct strata_oplist up, down;
    struct state st;
    struct diag d;
    int lock = -1, rc = 1;

    memset(&st, 0, sizeof st);
    memset(&up, 0, sizeof up);
    memset(&down, 0, sizeof down);
    diag_init(&d);
    lock = lock_dir(o, &d);
    if (lock < 0)
        goto cleanup;
    if (state_load(&st, o, true, &d) != 0 || check_head(&st, o, &d) != 0)
        goto cleanup;
    if (write_revision(&st, &up, &down, st.snap, message, rev_id, &d) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    fileout_unlock(lock);
    state_free(&st);
    return rc;
}

int cmd_check(const struct cli_options *o)
{
    struct strata_schema *models = NULL;
    struct parse_files files = { NULL, 0 };
    struct strata_oplist up, down;
    struct state st;
    struct diag d;
    char hash[65];
    int history_problems, rc = 1;
    long h;

    memset(&up, 0, sizeof up);
    memset(&down, 0, sizeof down);
    diag_init(&d);
    if (state_load(&st, o, true, &d) != 0)
        goto cleanup;
    history_problems = check_head(&st, o, &d);
    h = st.head != NULL ? revlist_find(&st.revs, st.head) : -1;
    if (h >= 0 && st.revs.items[h].schema_hash != NULL &&
        strata_schema_hash(st.snap, hash) == 0 &&
        strcmp(hash, st.revs.items[h].schema_hash) != 0) {
        diag_error(&d, NULL, 0, 0,
                   "%s does not hold the schema revision '%s' (%s) records; restore it from "
                   "version control",
                   st.snap_path, st.head, st.revs.items[h].path);
    }
    if (parse(&models, &files, o, &d) != 0)
        goto cleanup;
    if (diff_schemas(&up, &down, st.snap, models, &d) != 0)
        goto cleanup;
    if (up.nops > 0 && history_problems > 0) {
        diag_error(&d, NULL, 0, 0, "models differ from %s", st.snap_path);
    } else if (up.nops > 0) {
        report_pending(o, &up, &d);
    }
    if (d.errors == 0) {
        printf("No new upgrade operations detected.\n");
        rc = 0;
    }
cleanup:
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    strata_schema_free(models);
    parse_files_free(&files);
    state_free(&st);
    return rc;
}

/*
 * true when the directory `path` would be created in exists and is writable, checked
 * before anything is written so a bad -o fails with nothing written.
 */
static bool writable_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    bool ok;

    if (slash == NULL)
        return access(".", W_OK) == 0;
    dir = strndup(path, (size_t)(slash - path) + (slash == path));
    if (dir == NULL)
        return false;
    ok = access(dir, W_OK) == 0;
    free(dir);
    return ok;
}

/* Writes `text` to `path` unless it already holds it. */
static int write_output(const char *path, const char *text, struct diag *d)
{
    return fileout_write(path, text, strlen(text), NULL, d);
}

int cmd_generate(const struct cli_options *o, const char *output, const char *depfile,
                 bool check, const char *symbol)
{
    struct strata_schema *models = NULL;
    struct parse_files files = { NULL, 0 };
    struct strata_oplist up, down;
    char *registry = NULL, *deps = NULL, msg[256];
    struct state st;
    struct diag d;
    int lock = -1, rc = 1;

    memset(&st, 0, sizeof st);
    memset(&up, 0, sizeof up);
    memset(&down, 0, sizeof down);
    diag_init(&d);
    if (!registry_valid_symbol(symbol)) {
        diag_error(&d, NULL, 0, 0, "--symbol '%s' is not a C identifier", symbol);
        goto cleanup;
    }
    if (!writable_dir_of(output) || (depfile != NULL && !writable_dir_of(depfile))) {
        diag_error(&d, NULL, 0, 0, "cannot write %s: its directory is missing or read-only",
                   writable_dir_of(output) ? depfile : output);
        goto cleanup;
    }
    lock = lock_dir(o, &d);
    if (lock < 0)
        goto cleanup;
    if (state_load(&st, o, true, &d) != 0 || check_head(&st, o, &d) != 0)
        goto cleanup;
    if (parse(&models, &files, o, &d) != 0)
        goto cleanup;
    if (diff_schemas(&up, &down, st.snap, models, &d) != 0)
        goto cleanup;
    if (up.nops > 0) {
        if (check) {
            report_pending(o, &up, &d);
            goto cleanup;
        }
        emit_default_message(msg, sizeof msg, &up);
        if (write_revision(&st, &up, &down, models, msg, NULL, &d) != 0)
            goto cleanup;
        /* Read the history again: it now ends with the new revision. */
        revlist_free(&st.revs);
        if (revlist_load(&st.revs, o->dir, &d) != 0)
            goto cleanup;
    }
    if (registry_format(&registry, &st.revs, symbol, &d) != 0)
        goto cleanup;
    if (depfile != NULL &&
        registry_depfile(&deps, output, (const char *const *)files.paths, files.count, o->dir,
                         &st.revs, o->models, o->nmodels) != 0) {
        diag_error(&d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    if (write_output(output, registry, &d) != 0)
        goto cleanup;
    if (deps != NULL && write_output(depfile, deps, &d) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    fileout_unlock(lock);
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    strata_schema_free(models);
    parse_files_free(&files);
    state_free(&st);
    free(registry);
    free(deps);
    return rc;
}

/* ---- reading the history ---- */

/* Alembic's markers: " (head)", " (branchpoint)", " (mergepoint)". */
static void markers(char *out, size_t size, const struct revlist *l, size_t i)
{
    size_t j, k, children = 0;

    for (j = 0; j < l->count; j++) {
        for (k = 0; k < l->items[j].nparents; k++)
            children += strcmp(l->items[j].parent_ids[k], l->items[i].id) == 0;
    }
    snprintf(out, size, "%s%s%s", children == 0 ? " (head)" : "",
             children > 1 ? " (branchpoint)" : "",
             l->items[i].nparents > 1 ? " (mergepoint)" : "");
}

/* The parents as `a, b`, or `<base>`. */
static void parents_text(char *out, size_t size, const struct revfile *r)
{
    size_t i, n = 0;

    snprintf(out, size, "%s", r->nparents == 0 ? "<base>" : "");
    for (i = 0; i < r->nparents && n < size; i++) {
        snprintf(out + n, size - n, "%s%s", i ? ", " : "", r->parent_ids[i]);
        n = strlen(out);
    }
}

int cmd_history(const struct cli_options *o)
{
    struct state st;
    struct diag d;
    size_t *order = NULL, i;
    char mark[64], parents[256];
    int rc = 1;

    diag_init(&d);
    if (state_load(&st, o, false, &d) != 0 || revlist_check(&st.revs, &d) != 0)
        goto cleanup;
    order = malloc((st.revs.count ? st.revs.count : 1) * sizeof *order);
    if (order == NULL) {
        diag_error(&d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    revlist_order(&st.revs, order);
    for (i = st.revs.count; i-- > 0;) {
        const struct revfile *r = &st.revs.items[order[i]];

        markers(mark, sizeof mark, &st.revs, order[i]);
        parents_text(parents, sizeof parents, r);
        printf("%s -> %s%s, %.*s\n", parents, r->id, mark, (int)strcspn(r->message, "\n"),
               r->message);
    }
    rc = 0;
cleanup:
    free(order);
    state_free(&st);
    return rc;
}

int cmd_heads(const struct cli_options *o)
{
    struct state st;
    struct diag d;
    size_t *heads = NULL, n, i;
    int rc = 1;

    diag_init(&d);
    if (state_load(&st, o, false, &d) != 0 || revlist_check(&st.revs, &d) != 0)
        goto cleanup;
    heads = malloc((st.revs.count ? st.revs.count : 1) * sizeof *heads);
    if (heads == NULL) {
        diag_error(&d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    n = revlist_heads(&st.revs, heads);
    for (i = 0; i < n; i++)
        printf("%s (head)\n", st.revs.items[heads[i]].id);
    rc = 0;
cleanup:
    free(heads);
    state_free(&st);
    return rc;
}

int cmd_show(const struct cli_options *o, const char *rev)
{
    const struct revfile *r = NULL;
    struct state st;
    struct diag d;
    char mark[64], parents[256];
    const char *p;
    size_t i, found = 0, heads = 0;
    int rc = 1;

    diag_init(&d);
    if (state_load(&st, o, false, &d) != 0 || revlist_check(&st.revs, &d) != 0)
        goto cleanup;
    for (i = 0; i < st.revs.count; i++) {
        const struct revfile *c = &st.revs.items[i];
        bool is_head = revlist_is_head(&st.revs, i);

        heads += is_head;
        if (strcmp(rev, "head") == 0 ? is_head
                                     : strncmp(c->id, rev, strlen(rev)) == 0) {
            if (strcmp(c->id, rev) == 0) {
                r = c;
                found = 1;
                break;
            }
            r = c;
            found++;
        }
    }
    if (found == 0) {
        diag_error(&d, NULL, 0, 0, "no revision '%s'", rev);
        goto cleanup;
    }
    if (found > 1) {
        diag_error(&d, NULL, 0, 0, "'%s' names %zu revisions%s", rev, found,
                   heads > 1 && strcmp(rev, "head") == 0 ? " (several heads)" : "");
        goto cleanup;
    }
    markers(mark, sizeof mark, &st.revs, (size_t)(r - st.revs.items));
    parents_text(parents, sizeof parents, r);
    printf("Rev: %s%s\nParent: %s\nPath: %s\n\n    ", r->id, mark, parents, r->path);
    for (p = r->message; *p != '\0'; p++) {
        putchar(*p);
        if (*p == '\n')
            printf("    ");
    }
    printf("\n    \n    Revision ID: %s\n    Revises: %s\n    Create Date: %s\n\n", r->id,
           r->parents ? r->parents : "", r->create_date ? r->create_date : "");
    rc = 0;
cleanup:
    state_free(&st);
    return rc;
}
