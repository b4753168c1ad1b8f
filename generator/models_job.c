/*
 * The models' parse as a job (see models_job.h).
 */
#include "models_job.h"

#include <stdlib.h>
#include <string.h>

int models_parse(struct strata_schema **out, struct parse_files *files,
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

static void *run(void *arg)
{
    struct models_job *j = arg;

    j->rc = models_parse(&j->models, &j->files, j->o, &j->d);
    return NULL;
}

void models_job_start(struct models_job *j, const struct cli_options *o,
                      const struct diag *like)
{
    memset(j, 0, sizeof *j);
    j->o = o;
    diag_init(&j->d);
    j->d.quiet = like->quiet;
    j->d.out = open_memstream(&j->text, &j->len);
    if (j->d.out == NULL)
        return;
    if (pthread_create(&j->thread, NULL, run, j) != 0) {
        fclose(j->d.out);
        free(j->text);
        j->text = NULL;
        return;
    }
    j->started = true;
}

/* Joins the thread and closes the job's diag, whose text is then in j->text. */
static void join(struct models_job *j)
{
    pthread_join(j->thread, NULL);
    fclose(j->d.out);
    j->started = false;
}

int models_job_finish(struct models_job *j, struct strata_schema **out,
                      struct parse_files *files, struct diag *d)
{
    if (!j->started)
        return models_parse(out, files, j->o, d);
    join(j);
    if (j->len > 0)
        fwrite(j->text, 1, j->len, d->out ? d->out : stderr);
    free(j->text);
    j->text = NULL;
    d->errors += j->d.errors;
    *out = j->models;
    *files = j->files;
    return j->rc;
}

void models_job_cancel(struct models_job *j)
{
    if (!j->started)
        return;
    join(j);
    free(j->text);
    j->text = NULL;
    strata_schema_free(j->models);
    j->models = NULL;
    parse_files_free(&j->files);
}
