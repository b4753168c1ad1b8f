/*
 * Parsing the models, on the calling thread or on a second one.
 *
 * The commands that both read the history back and parse the models (`check`,
 * `generate`, `migrate`) start the models' parse on a second thread, go on reading the
 * snapshot and replaying the revision files (each a libclang parse of its own), and
 * collect the models when they need them: on a machine with two cores the two parses
 * overlap. The job reports to a diag of its own whose text is held back and written to
 * the command's diag when the job is collected, so the messages come out in the order a
 * single thread would print them. libclang supports one CXIndex per thread, and the job
 * shares no other state with the command. When no thread can be started, the parse runs
 * when the job is collected.
 */
#ifndef STRATA_MODELS_JOB_H
#define STRATA_MODELS_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "commands.h"
#include "diag.h"
#include "parse.h"
#include "schema.h"

/*
 * Parses the models of `o` into *out (NULL on failure). Returns 0, or STRATA_ERROR with
 * every problem reported to `d` ("cannot parse the models" when libclang gave up without
 * saying why).
 */
int models_parse(struct strata_schema **out, struct parse_files *files,
                 const struct cli_options *o, struct diag *d);

struct models_job {
    const struct cli_options *o;
    pthread_t thread;
    bool started;
    struct diag d;   /* writes into `text` */
    char *text;      /* what the parse reported */
    size_t len;
    struct strata_schema *models;
    struct parse_files files;
    int rc;
};

/* Starts parsing the models of `o`; `like` gives the job's diag its quiet setting. */
void models_job_start(struct models_job *j, const struct cli_options *o,
                      const struct diag *like);

/*
 * Waits for the job and hands over what models_parse would have: its result, *out and
 * *files, with its messages written to `d` and its errors counted there.
 */
int models_job_finish(struct models_job *j, struct strata_schema **out,
                      struct parse_files *files, struct diag *d);

/* Waits for the job and drops its result and messages (the command failed before). */
void models_job_cancel(struct models_job *j);

#endif
