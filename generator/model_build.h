/*
 * Raw models -> schema: the last stage of the front end (parse.c), after the libclang
 * traversal has copied every annotated struct into a raw model.
 */
#ifndef STRATA_MODEL_BUILD_H
#define STRATA_MODEL_BUILD_H

#include "parse_internal.h"

/*
 * Sorts c->models into model order (files in path order, structs in declaration order)
 * and builds c->s from them: tables, then every model's columns, then every model's keys,
 * indexes, foreign keys and checks. Every user error is reported through c->d at the
 * token that caused it, and the build goes on to find the next; the caller discards the
 * schema when any was. Sets c->oom when out of memory.
 */
void model_build_schema(struct ctx *c);

#endif
