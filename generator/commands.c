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
#include "drift.h"
#include "emit.h"
#include "fileout.h"
#include "models_job.h"
#include "ops.h"
#include "parse.h"
#include "registry.h"
#include "replay_c.h"
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
        char ids[512] = "";

        for (i = 0; i < nheads; i++) {
            size_t n = strlen(ids);

            snprintf(ids + n, sizeof ids - n, " %s", l->items[heads[i]].id);
        }
        diag_error(d, NULL, 0, 0,
                   "the revision files have %zu heads: %s; merge them: strata%s%s merge -m "
                   "\"merge heads\"%s",
                   nheads, list, strcmp(o->dir, "generated") != 0 ? " --dir " : "",
                   strcmp(o->dir, "generated") != 0 ? o->dir : "", ids);
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

/*
 * Finishes a migrate (or revision, merge, generate) that was killed between writing its
 * revision file and writing the snapshot: the revision files have one head H whose only
 * parent is the snapshot's head (or H is the first revision and the snapshot is at
 * base), and replaying H gives the hash H records. The snapshot then becomes the schema
 * at H: the models' own schema when they still hash to H (the bytes the complete run
 * would have written, declaration order kept), else the replayed one. Anything else is
 * left to check_head to report. Returns 0 (repaired or nothing to do), or STRATA_ERROR
 * (reported).
 */

static int repair_interrupted(struct state *st, const struct cli_options *o, struct diag *d)
{
    struct replay_history h = { 0 };
    struct strata_schema *models = NULL;
    struct parse_files files = { NULL, 0 };
    const struct revfile *r = NULL;
    const struct strata_schema *at = NULL;
    char *json = NULL, hash[65];
    size_t i, head = 0, nheads = 0;
    int rc = 0;

    if (st->revs.count == 0 || revlist_check(&st->revs, &(struct diag){ .quiet = 1 }) != 0)
        return 0;
    for (i = 0; i < st->revs.count; i++)
        if (revlist_is_head(&st->revs, i)) {
            head = i;
            nheads++;
        }
    if (nheads != 1)
        return 0;
    r = &st->revs.items[head];
    if (st->head != NULL && strcmp(st->head, r->id) == 0)
        return 0;
    if (st->head == NULL ? r->nparents != 0
                         : r->nparents != 1 || strcmp(r->parent_ids[0], st->head) != 0)
        return 0;
    /* Only a snapshot that still equals the parent's schema is one this run left behind. */
    if (replay_history(&h, &st->revs, d) != 0)
        return STRATA_ERROR;
    if (h.mismatch[head] || h.after[head] == NULL)
        goto cleanup;
    if (st->head != NULL) {
        long parent = revlist_find(&st->revs, st->head);
        char what[256];

        if (parent < 0 || h.after[parent] == NULL ||
            strata_schema_diff_first(h.after[parent], st->snap, what, sizeof what) != 0)
            goto cleanup;
    } else if (st->snap->ntables != 0) {
        goto cleanup;
    }
    at = h.after[head];
    if (models_parse(&models, &files, o, &(struct diag){ .quiet = 1 }) == 0 &&
        strata_schema_hash(models, hash) == 0 && strcmp(hash, r->schema_hash) == 0)
        at = models;
    if (snapshot_format(&json, at, r->id) != 0 ||
        fileout_write(st->snap_path, json, strlen(json), NULL, d) != 0) {
        rc = STRATA_ERROR;
        goto cleanup;
    }
    diag_info(d, "autogenerate", "Completed the interrupted revision %s: %s is now at '%s'",
              r->name, st->snap_path, r->id);
    free(st->head);
    st->head = strdup(r->id);
    strata_schema_free(st->snap);
    st->snap = strata_schema_copy(at);
    if (st->head == NULL || st->snap == NULL) {
        diag_error(d, NULL, 0, 0, "out of memory");
        rc = STRATA_ERROR;
    }
cleanup:
    free(json);
    strata_schema_free(models);
    parse_files_free(&files);
    replay_history_free(&h);
    return rc;
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
                          const char *message, const char *rev_id, const char *parents,
                          struct diag *d)
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
    info.parents = parents;
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
    rc = write_revision(st, &up, &down, models, message, rev_id, head_id(st), d);
cleanup:
    strata_oplist_clear(&up);
    strata_oplist_clear(&down);
    return rc;
}

int cmd_migrate(const struct cli_options *o, const char *message, const char *rev_id)
{
    struct strata_schema *models = NULL;
    struct parse_files files = { NULL, 0 };
    struct models_job job = { 0 };
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
    models_job_start(&job, o, &d);
    if (state_load(&st, o, true, &d) != 0 || repair_interrupted(&st, o, &d) != 0 ||
        check_head(&st, o, &d) != 0)
        goto cleanup;
    if (models_job_finish(&job, &models, &files, &d) != 0)
        goto cleanup;
    if (autogenerate(&st, models, message, rev_id, &changed, &d) != 0)
        goto cleanup;
    if (!changed)
        diag_info(&d, "autogenerate", "No changes in schema detected.");
    rc = 0;
cleanup:
    models_job_cancel(&job);
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
    if (state_load(&st, o, true, &d) != 0 || repair_interrupted(&st, o, &d) != 0 ||
        check_head(&st, o, &d) != 0)
        goto cleanup;
    if (write_revision(&st, &up, &down, st.snap, message, rev_id, head_id(&st), &d) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    fileout_unlock(lock);
    state_free(&st);
    return rc;
}

/* Keeps the first difference line (into a char[512]). */
static void first_line(void *ctx, const char *line)
{
    char *what = ctx;

    if (what[0] == '\0')
        snprintf(what, 512, "%s", line);
}

/*
 * Replays every revision read back from its file (replay_c.h) and checks it against the
 * hash it records and, at the head, against the snapshot: each problem is reported, the
 * snapshot's first difference named. Call only when check_head passed. Returns how many
 * problems were found.
 */
static int check_replay(const struct state *st, struct diag *d)
{
    struct replay_history h;
    const char *head = head_id(st);
    char what[512];
    long i;
    int problems = 0;

    if (replay_history(&h, &st->revs, d) != 0)
        return 1;
    for (size_t k = 0; k < h.count; k++)
        problems += h.mismatch[k];
    i = head != NULL ? revlist_find(&st->revs, head) : -1;
    what[0] = '\0';
    if (i >= 0 && st->snap != NULL &&
        strata_schema_diff_all(st->snap, h.after[i], first_line, what) != 0) {
        diag_error(d, NULL, 0, 0,
                   "replaying every revision from base does not give %s (first difference, "
                   "snapshot vs replay: %s)",
                   st->snap_path, what);
        problems++;
    }
    replay_history_free(&h);
    return problems;
}

/* Prints a model-vs-snapshot difference in `db check`'s line format. */
static void print_difference(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

int cmd_check(const struct cli_options *o)
{
    struct strata_schema *models = NULL;
    struct parse_files files = { NULL, 0 };
    struct strata_oplist up, down;
    struct models_job job = { 0 };
    struct state st;
    struct diag d;
    char hash[65];
    int history_problems, rc = 1;
    long h;

    memset(&up, 0, sizeof up);
    memset(&down, 0, sizeof down);
    diag_init(&d);
    models_job_start(&job, o, &d);
    if (state_load(&st, o, true, &d) != 0)
        goto cleanup;
    history_problems = check_head(&st, o, &d);
    if (history_problems == 0)
        history_problems = check_replay(&st, &d);
    h = st.head != NULL ? revlist_find(&st.revs, st.head) : -1;
    if (h >= 0 && st.revs.items[h].schema_hash != NULL &&
        strata_schema_hash(st.snap, hash) == 0 &&
        strcmp(hash, st.revs.items[h].schema_hash) != 0) {
        diag_error(&d, NULL, 0, 0,
                   "%s does not hold the schema revision '%s' (%s) records; restore it from "
                   "version control",
                   st.snap_path, st.head, st.revs.items[h].path);
    }
    if (models_job_finish(&job, &models, &files, &d) != 0)
        goto cleanup;
    if (diff_schemas(&up, &down, st.snap, models, &d) != 0)
        goto cleanup;
    if (up.nops > 0)
        strata_schema_diff_all(models, st.snap, print_difference, NULL);
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
    models_job_cancel(&job);
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
    struct models_job job = { 0 };
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
    models_job_start(&job, o, &d);
    if (state_load(&st, o, true, &d) != 0 || repair_interrupted(&st, o, &d) != 0 ||
        check_head(&st, o, &d) != 0 || check_replay(&st, &d) != 0)
        goto cleanup;
    if (models_job_finish(&job, &models, &files, &d) != 0)
        goto cleanup;
    if (diff_schemas(&up, &down, st.snap, models, &d) != 0)
        goto cleanup;
    if (up.nops > 0) {
        if (check) {
            report_pending(o, &up, &d);
            goto cleanup;
        }
        emit_default_message(msg, sizeof msg, &up);
        if (write_revision(&st, &up, &down, models, msg, NULL, head_id(&st), &d) != 0)
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
    models_job_cancel(&job);
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

/* ---- merge ---- */

/* One named thing of a schema: `table book`, `table book: column isbn`, ... */
struct object {
    char *key;  /* readable: "table book: column isbn" */
    char *text; /* its canonical line */
};

struct objects {
    struct object *items;
    size_t count;
};

static void objects_free(struct objects *o)
{
    for (size_t i = 0; i < o->count; i++) {
        free(o->items[i].key);
        free(o->items[i].text);
    }
    free(o->items);
    memset(o, 0, sizeof *o);
}

/* The value of ` name=N:...` in a canonical line, into `out`. */
static void line_name(const char *line, char *out, size_t size)
{
    const char *p = strstr(line, " name=");
    unsigned long n;
    char *end;

    out[0] = '\0';
    if (p == NULL)
        return;
    n = strtoul(p + 6, &end, 10);
    if (*end != ':')
        return;
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), end + 1);
}

/* Splits every table's canonical text into one object per line. */
static int objects_of(const struct strata_schema *s, struct objects *out)
{
    memset(out, 0, sizeof *out);
    for (size_t t = 0; t < s->ntables; t++) {
        struct strata_buf b = { 0 };
        const char *line;

        strata_table_canonical(&b, &s->tables[t]);
        if (b.failed)
            return STRATA_ENOMEM;
        for (line = b.data; line != NULL && *line != '\0';) {
            size_t len = strcspn(line, "\n"), word = strcspn(line, " \n");
            char name[256], key[512];
            struct object *o;

            line_name(line, name, sizeof name);
            if (strncmp(line, "table", word) == 0 && word == 5)
                snprintf(key, sizeof key, "table %s", s->tables[t].name);
            else if (strncmp(line, "index", word) == 0 && word == 5)
                snprintf(key, sizeof key, "index %s", name);
            else
                snprintf(key, sizeof key, "table %s: %.*s %s", s->tables[t].name, (int)word,
                         line, name);
            if (strncmp(line, "end", word) != 0 || word != 3) {
                o = realloc(out->items, (out->count + 1) * sizeof *o);
                if (o == NULL)
                    return STRATA_ENOMEM;
                out->items = o;
                o = &out->items[out->count++];
                o->key = strdup(key);
                o->text = strndup(line, len);
                if (o->key == NULL || o->text == NULL)
                    return STRATA_ENOMEM;
            }
            line += len + (line[len] == '\n');
        }
        strata_buf_free(&b);
    }
    return 0;
}

static const char *object_text(const struct objects *o, const char *key)
{
    for (size_t i = 0; i < o->count; i++)
        if (strcmp(o->items[i].key, key) == 0)
            return o->items[i].text;
    return NULL;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Reports each thing that two of the merged revisions change differently from their
 * common ancestors' schema `base`. Returns how many.
 */
static int report_conflicts(const struct strata_schema *base,
                            struct strata_schema *const *branches, const char *const *ids,
                            size_t n, struct diag *d)
{
    struct objects ob = { 0 }, *ox = calloc(n, sizeof *ox);
    int conflicts = 0;

    if (ox == NULL || objects_of(base, &ob) != 0) {
        diag_error(d, NULL, 0, 0, "out of memory");
        free(ox);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (objects_of(branches[i], &ox[i]) != 0) {
            diag_error(d, NULL, 0, 0, "out of memory");
            conflicts = 1;
        }
    /* Every key some branch has (a key only the base has: dropped by some branch). */
    for (size_t i = 0; i < n && conflicts == 0; i++) {
        const struct objects *keys = &ox[i];

        for (size_t k = 0; k < keys->count + ob.count; k++) {
            const char *key = k < keys->count ? keys->items[k].key : ob.items[k - keys->count].key;
            const char *was = object_text(&ob, key);
            const char *mine = object_text(&ox[i], key);

            if (same_text(was, mine))
                continue;
            for (size_t j = i + 1; j < n; j++) {
                const char *theirs = object_text(&ox[j], key);

                if (!same_text(was, theirs) && !same_text(mine, theirs)) {
                    diag_error(d, NULL, 0, 0,
                               "cannot merge: revisions '%s' (%s) and '%s' (%s) change %s "
                               "differently",
                               ids[i], !was ? "added" : mine ? "changed" : "removed", ids[j],
                               !was ? "added" : theirs ? "changed" : "removed", key);
                    conflicts++;
                }
            }
        }
    }
    objects_free(&ob);
    for (size_t i = 0; i < n; i++)
        objects_free(&ox[i]);
    free(ox);
    return conflicts;
}

/* Resolves a merge argument (an id, a unique prefix, or `heads`) into `picked`. */
static int pick(const struct revlist *l, const char *rev, bool *picked, struct diag *d)
{
    size_t found = 0, match = 0;

    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(rev, "heads") == 0 ? revlist_is_head(l, i)
                                      : strncmp(l->items[i].id, rev, strlen(rev)) == 0) {
            if (strcmp(l->items[i].id, rev) == 0) {
                picked[i] = true;
                return 0;
            }
            if (strcmp(rev, "heads") == 0)
                picked[i] = true;
            match = i;
            found++;
        }
    }
    if (found == 0) {
        diag_error(d, NULL, 0, 0, "no revision '%s'", rev);
        return STRATA_ERROR;
    }
    if (found > 1 && strcmp(rev, "heads") != 0) {
        diag_error(d, NULL, 0, 0, "'%s' names %zu revisions", rev, found);
        return STRATA_ERROR;
    }
    picked[match] = true;
    return 0;
}

int cmd_merge(const struct cli_options *o, const char *message, const char *rev_id,
              const char *const *revs, size_t nrevs)
{
    struct replay_history h = { 0 };
    struct strata_schema *merged = NULL, *base = NULL, **branches = NULL;
    struct strata_buf parents = { 0 };
    struct state st;
    struct diag d;
    bool *picked = NULL, *common = NULL, *anc = NULL;
    size_t *idx = NULL, *order = NULL, n = 0, i, k;
    const char **ids = NULL;
    int lock = -1, rc = 1;

    memset(&st, 0, sizeof st);
    diag_init(&d);
    lock = lock_dir(o, &d);
    if (lock < 0)
        goto cleanup;
    /* The snapshot is not read: after a git merge it may hold either side, or markers. */
    if (state_load(&st, o, false, &d) != 0 || revlist_check(&st.revs, &d) != 0)
        goto cleanup;
    picked = calloc(st.revs.count + 1, sizeof *picked);
    common = calloc(st.revs.count + 1, sizeof *common);
    anc = calloc(st.revs.count + 1, sizeof *anc);
    idx = calloc(st.revs.count + 1, sizeof *idx);
    order = calloc(st.revs.count + 1, sizeof *order);
    ids = calloc(st.revs.count + 1, sizeof *ids);
    branches = calloc(st.revs.count + 1, sizeof *branches);
    if (!picked || !common || !anc || !idx || !order || !ids || !branches) {
        diag_error(&d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < nrevs; i++)
        if (pick(&st.revs, revs[i], picked, &d) != 0)
            goto cleanup;
    for (i = 0; i < st.revs.count; i++)
        if (picked[i]) {
            idx[n] = i;
            ids[n] = st.revs.items[i].id;
            branches[n++] = NULL;
        }
    if (n < 2) {
        diag_error(&d, NULL, 0, 0, "merge needs at least two revisions; the heads are listed "
                                   "by strata heads");
        goto cleanup;
    }
    if (replay_history(&h, &st.revs, &d) != 0)
        goto cleanup;
    for (i = 0; i < n; i++) {
        if (h.mismatch[idx[i]])
            goto cleanup; /* reported */
        branches[i] = h.after[idx[i]];
    }
    /* The common ancestors of every merged revision: their schema is the base. */
    revlist_order(&st.revs, order);
    for (i = 0; i < st.revs.count; i++)
        common[i] = true;
    for (k = 0; k < n; k++) {
        memset(anc, 0, st.revs.count * sizeof *anc);
        anc[idx[k]] = true;
        for (size_t pass = 0; pass < st.revs.count; pass++)
            for (i = 0; i < st.revs.count; i++)
                for (size_t p = 0; anc[i] && p < st.revs.items[i].nparents; p++) {
                    long q = revlist_find(&st.revs, st.revs.items[i].parent_ids[p]);

                    if (q >= 0)
                        anc[q] = true;
                }
        for (i = 0; i < st.revs.count; i++)
            common[i] = common[i] && anc[i];
    }
    base = strata_schema_new();
    if (base == NULL) {
        diag_error(&d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    for (k = 0; k < st.revs.count; k++) {
        struct strata_error err = { 0 };

        for (size_t j = 0; common[order[k]] && j < h.ups[order[k]].nops; j++)
            if (strata_schema_apply(base, &h.ups[order[k]].ops[j], &err) != 0) {
                diag_error(&d, NULL, 0, 0, "cannot replay the common history: %s", err.message);
                goto cleanup;
            }
    }
    if (report_conflicts(base, branches, ids, n, &d) != 0)
        goto cleanup;
    if (replay_merged(&merged, &h, &st.revs, idx, n, &d) != 0) {
        diag_error(&d, NULL, 0, 0, "cannot merge: the revisions' operations conflict");
        goto cleanup;
    }
    for (i = 0; i < n; i++)
        strata_buf_printf(&parents, "%s%s", i > 0 ? " " : "", ids[i]);
    if (parents.failed) {
        diag_error(&d, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    {
        struct strata_oplist none = { 0 };

        if (write_revision(&st, &none, &none, merged, message, rev_id, parents.data, &d) != 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    fileout_unlock(lock);
    strata_schema_free(merged);
    strata_schema_free(base);
    replay_history_free(&h);
    strata_buf_free(&parents);
    free(picked);
    free(common);
    free(anc);
    free(idx);
    free(order);
    free(ids);
    free(branches);
    state_free(&st);
    return rc;
}
