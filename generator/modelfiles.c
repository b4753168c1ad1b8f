/*
 * --models paths -> model files: the first stage of the front end (see modelfiles.h).
 *
 * Paths are made absolute and normalized lexically, so `models/a.h` and `./models//a.h`
 * count once; dirs are walked recursively for *.h; the list is sorted by absolute path,
 * which fixes the model order. Each file also keeps its realpath() (what libclang
 * reports) and its display path (relative to the working directory when under it). The
 * libclang traversal (parse.c) reads the files in this order; at the end the depfile list
 * is exported from here.
 */
#include "modelfiles.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* See modelfiles.h. */
char *modelfiles_absolute(struct ctx *c, const char *p)
{
    size_t n = strlen(c->cwd) + strlen(p) + 2;
    char *buf = strata_arena_alloc(&c->a, n), *out;
    const char *q;

    if (buf == NULL)
        return NULL;
    char *joined = strata_arena_alloc(&c->a, n);
    if (joined == NULL)
        return NULL;
    if (p[0] == '/')
        strcpy(joined, p);
    else
        snprintf(joined, n, "%s/%s", c->cwd, p);
    out = buf;
    q = joined;
    while (*q) {
        while (*q == '/')
            q++;
        if (*q == '\0')
            break;
        size_t len = strcspn(q, "/");
        if (len == 1 && q[0] == '.') {
            /* skip */
        } else if (len == 2 && q[0] == '.' && q[1] == '.') {
            while (out > buf && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memcpy(out, q, len);
            out += len;
        }
        q += len;
    }
    if (out == buf)
        *out++ = '/';
    *out = '\0';
    return buf;
}

/* See modelfiles.h. */
const char *modelfiles_display(struct ctx *c, const char *abs)
{
    size_t n = strlen(c->cwd);

    if (strncmp(abs, c->cwd, n) == 0 && abs[n] == '/' && abs[n + 1] != '\0')
        return abs + n + 1;
    if (strcmp(c->cwd, "/") == 0 && abs[0] == '/' && abs[1] != '\0')
        return abs + 1;
    return abs;
}
static bool ends_with_h(const char *name)
{
    size_t n = strlen(name);

    return n > 2 && strcmp(name + n - 2, ".h") == 0;
}

static int add_model_file(struct ctx *c, const char *abs)
{
    struct model_file *f = strata_arena_push(&c->a, &c->files, &c->nfiles, sizeof *f);
    char *real = realpath(abs, NULL);

    if (f == NULL) {
        free(real);
        return -1;
    }
    f->abs = strata_arena_strdup(&c->a, abs);
    f->real = strata_arena_strdup(&c->a, real ? real : abs);
    f->display = (char *)modelfiles_display(c, f->abs);
    free(real);
    return f->abs && f->real ? 0 : -1;
}

/* Adds every *.h under the directory `abs`, recursively. -1 when out of memory. */
static int walk(struct ctx *c, const char *abs)
{
    DIR *dir = opendir(abs);
    struct dirent *e;
    int rc = 0;

    if (dir == NULL) {
        diag_error(c->d, NULL, 0, 0, "cannot read models directory '%s': %s",
                   modelfiles_display(c, abs), strerror(errno));
        return 0;
    }
    if (!parse_push_str(c, &c->dirs, &c->ndirs, abs)) {
        closedir(dir);
        return -1;
    }
    while (rc == 0 && (e = readdir(dir)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(abs) + strlen(e->d_name) + 2;
        char *path = strata_arena_alloc(&c->a, n);
        if (path == NULL) {
            rc = -1;
            break;
        }
        snprintf(path, n, "%s/%s", strcmp(abs, "/") == 0 ? "" : abs, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(c, path);
        else if (S_ISREG(st.st_mode) && ends_with_h(e->d_name))
            rc = add_model_file(c, path);
    }
    closedir(dir);
    return rc;
}

static int cmp_file(const void *x, const void *y)
{
    return strcmp(((const struct model_file *)x)->abs, ((const struct model_file *)y)->abs);
}

/* See modelfiles.h. */
int modelfiles_collect(struct ctx *c, const struct parse_options *opts)
{
    c->files = strata_arena_array(&c->a, 0, sizeof *c->files);
    c->dirs = strata_arena_array(&c->a, 0, sizeof *c->dirs);
    if (c->files == NULL || c->dirs == NULL)
        return -1;
    for (size_t i = 0; i < opts->nmodels; i++) {
        struct stat st;
        char *abs = modelfiles_absolute(c, opts->models[i]);
        if (abs == NULL)
            return -1;
        if (stat(abs, &st) != 0) {
            diag_error(c->d, NULL, 0, 0, "cannot read models path '%s': %s", opts->models[i],
                       strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            size_t before = c->nfiles;
            if (walk(c, abs) < 0)
                return -1;
            /* An empty folder is a wrong path or a lost checkout, never "drop every table". */
            if (c->nfiles == before)
                diag_error(c->d, NULL, 0, 0, "models path '%s' holds no header files",
                           opts->models[i]);
        } else if (add_model_file(c, abs) < 0) {
            return -1;
        }
    }
    qsort(c->files, c->nfiles, sizeof *c->files, cmp_file);
    size_t k = 0;
    for (size_t i = 0; i < c->nfiles; i++)
        if (k == 0 || strcmp(c->files[k - 1].abs, c->files[i].abs) != 0)
            c->files[k++] = c->files[i];
    c->nfiles = k;
    return 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* See modelfiles.h. */
int modelfiles_export(struct ctx *c, struct parse_files *out)
{
    size_t n = c->nread + c->ndirs, k = 0;
    char **all = calloc(n + 1, sizeof *all);

    if (all == NULL)
        return -1;
    for (size_t i = 0; i < c->nread; i++)
        all[k++] = c->read[i];
    for (size_t i = 0; i < c->ndirs; i++)
        all[k++] = c->dirs[i];
    qsort(all, k, sizeof *all, cmp_str);
    out->paths = all;
    out->count = 0;
    for (size_t i = 0; i < k; i++) {
        if (out->count > 0 && strcmp(out->paths[out->count - 1], all[i]) == 0)
            continue;
        char *copy = strdup(all[i]);
        if (copy == NULL) {
            parse_files_free(out);
            return -1;
        }
        out->paths[out->count++] = copy;
    }
    return 0;
}
