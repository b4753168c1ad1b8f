/*
 * The state the front end's three stages share (parse.c): model file collection
 * (modelfiles.c) fills in the files, the libclang traversal (parse.c) the raw models, and
 * the schema build (model_build.c) turns those into the schema. Private to these files;
 * callers use parse.h.
 */
#ifndef STRATA_PARSE_INTERNAL_H
#define STRATA_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "annotate.h"
#include "diag.h"
#include "schema.h"

enum field_map { MAP_OK, MAP_NONE, MAP_UINT64 };

struct raw_enum_const {
    char *name;
    long long value;
};

struct raw_field {
    char *c_name;
    unsigned line, col;
    struct annotate_list ann;
    enum field_map map;
    struct strata_type type;
    bool pointer;        /* nullable by default */
    char *what;          /* MAP_NONE: what the field is, for the message */
    char *spelling;      /* the C type as written */
    bool is_enum;
    char *enum_name;     /* "enum color" */
    struct raw_enum_const *consts;
    size_t nconsts;
    long column;         /* index into the table's columns, -1 when none */
};

struct raw_model {
    char *tag, *tdef; /* struct tag and typedef name; either may be NULL */
    const char *file; /* display path */
    size_t fileno;
    unsigned offset, line, col;
    struct annotate_list ann;
    struct raw_field *fields;
    size_t nfields;
    bool bad;   /* no usable name: no table */
    long table; /* index into the schema's tables, -1 when none */
};

struct model_file {
    char *abs;     /* absolute, lexically normalized */
    char *real;    /* realpath(), to match clang's file names */
    char *display; /* as the user would type it */
};

/* A name handed out, for "already used" errors with a note. */
struct used_name {
    const char *name;
    const char *file;
    unsigned line, col;
};

struct ctx {
    struct strata_arena a;
    struct diag *d;
    char *cwd;
    struct model_file *files;
    size_t nfiles;
    char **dirs; /* model dirs walked, absolute */
    size_t ndirs;
    char **read; /* every file libclang read, absolute */
    size_t nread;
    char **seen; /* clang diagnostics already reported */
    size_t nseen;
    struct raw_model *models;
    size_t nmodels;
    struct used_name *constraints; /* constraint and index names, schema-wide */
    size_t nconstraints;
    struct strata_name_index constraint_index; /* of `constraints`, case-insensitive */
    struct strata_schema *s;
    bool oom;
};

/*
 * Appends a copy of `s` to the arena array *items (of *count). false, with c->oom set,
 * when out of memory.
 */
bool parse_push_str(struct ctx *c, char ***items, size_t *count, const char *s);

#endif
