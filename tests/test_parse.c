/*
 * Unit tests of the front end (generator/parse.c): small model headers are written to a
 * temporary project, parsed with libclang, and the resulting schema or the exact
 * diagnostics are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "parse.h"

static char project[256];

/* A fresh temporary project with a models/ folder; it becomes the working directory. */
static int setup(void **state)
{
    (void)state;
    snprintf(project, sizeof project, "/tmp/strata-test-parse-XXXXXX");
    if (mkdtemp(project) == NULL || chdir(project) != 0 || mkdir("models", 0777) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    if (chdir("/") != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", project);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char prelude[] =
    "#include <stdbool.h>\n#include <stdint.h>\n#include <strata/model.h>\n";

/* Writes models/model.h = prelude + `body` (so the body starts at line 4). */
static void model(const char *body)
{
    size_t n = strlen(prelude) + strlen(body) + 1;
    char *text = malloc(n);

    assert_non_null(text);
    snprintf(text, n, "%s%s", prelude, body);
    write_file("models/model.h", text);
    free(text);
}

struct result {
    struct strata_schema *s;
    char *err;
    size_t errlen;
    int rc;
    int errors;
};

/* Parses the models/ folder (or `path`) with `args`; diagnostics into r->err. */
static void parse_path(struct result *r, const char *path, const char *const *args,
                       size_t nargs, struct parse_files *files)
{
    const char *models[] = { path };
    struct parse_options o = { models, 1, args, nargs };
    struct diag d;

    diag_init(&d);
    d.out = open_memstream(&r->err, &r->errlen);
    assert_non_null(d.out);
    r->rc = parse_models(&r->s, files, &o, &d);
    fclose(d.out);
    r->errors = d.errors;
}

static void parse(struct result *r)
{
    parse_path(r, "models", NULL, 0, NULL);
}

static void release(struct result *r)
{
    strata_schema_free(r->s);
    free(r->err);
}

/* Parses and expects success; returns the schema (freed by release). */
static struct strata_schema *ok(struct result *r)
{
    parse(r);
    if (r->rc != 0)
        fprintf(stderr, "%s", r->err);
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->err, "");
    assert_non_null(r->s);
    return r->s;
}

/* Parses `body` and expects exactly the diagnostics `err`. */
static void fails(const char *body, const char *err)
{
    struct result r;

    model(body);
    parse(&r);
    assert_int_equal(r.rc, -1);
    assert_null(r.s);
    assert_string_equal(r.err, err);
    release(&r);
}

static const char *type_of(const struct strata_table *t, const char *col, char *buf)
{
    struct strata_column *c = strata_table_find_column(t, col);

    assert_non_null(c);
    return strata_type_format(buf, 64, c->type);
}

static void test_parse__types(void **state)
{
    struct result r;
    char b[64];

    (void)state;
    model("enum color { RED, GREEN = 5, BLUE = 5, BLACK = -2 };\n"
          "struct STRATA_MODEL() t {\n"
          "    int8_t a; uint8_t b; int16_t c; short d;\n"
          "    int e; int32_t f; uint16_t g;\n"
          "    int64_t h; long long i; long j; uint32_t k; unsigned l;\n"
          "    bool m; _Bool n; float o; double p;\n"
          "    char q[201]; char *r; const char *s;\n"
          "    enum color u; struct strata_blob v;\n"
          "    uint64_t w STRATA_FIELD(type = numeric(20,0));\n"
          "    unsigned long long x STRATA_FIELD(type = \"bigint\");\n"
          "    char y[11] STRATA_FIELD(type = date);\n"
          "    char *z1 STRATA_FIELD(type = datetime); char *z2 STRATA_FIELD(type = timestamp);\n"
          "    char *z3 STRATA_FIELD(type = json); char z4[37] STRATA_FIELD(type = uuid);\n"
          "    union { int a; } skipped STRATA_FIELD(skip);\n"
          "};\n");
    const struct strata_table *t = &ok(&r)->tables[0];
    static const char *const expect[][2] = {
        { "a", "smallint" },  { "b", "smallint" }, { "c", "smallint" },
        { "d", "smallint" },  { "e", "integer" },  { "f", "integer" },
        { "g", "integer" },   { "h", "bigint" },   { "i", "bigint" },
        { "j", "bigint" },    { "k", "bigint" },   { "l", "bigint" },
        { "m", "boolean" },   { "n", "boolean" },  { "o", "real" },
        { "p", "double" },    { "q", "varchar(200)" }, { "r", "text" },
        { "s", "text" },      { "u", "integer" },  { "v", "blob" },
        { "w", "numeric(20,0)" }, { "x", "bigint" }, { "y", "date" },
        { "z1", "datetime" }, { "z2", "timestamp" }, { "z3", "json" }, { "z4", "uuid" },
    };
    assert_int_equal(t->ncolumns, sizeof expect / sizeof expect[0]);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        assert_string_equal(t->columns[i].name, expect[i][0]);
        assert_string_equal(type_of(t, expect[i][0], b), expect[i][1]);
    }
    assert_string_equal(strata_table_find_column(t, "u")->enum_values, "-2,0,5");
    assert_null(strata_table_find_column(t, "a")->enum_values);
    assert_null(strata_table_find_column(t, "skipped"));
    assert_int_equal(t->nchecks, 0);
    release(&r);
}

static void test_parse__nullability(void **state)
{
    struct result r;

    (void)state;
    model("struct STRATA_MODEL() t {\n"
          "    int64_t id STRATA_FIELD(primary_key);\n"
          "    int a; char b[5]; struct strata_blob c; bool d;\n"
          "    char *e; int *f; struct strata_blob *g; double *h;\n"
          "    int i STRATA_FIELD(nullable); char *j STRATA_FIELD(not_null);\n"
          "};\n");
    const struct strata_table *t = &ok(&r)->tables[0];
    static const char *const not_null[] = { "id", "a", "b", "c", "d", "j" };
    static const char *const nullable[] = { "e", "f", "g", "h", "i" };
    for (size_t i = 0; i < sizeof not_null / sizeof *not_null; i++)
        assert_false(strata_table_find_column(t, not_null[i])->nullable);
    for (size_t i = 0; i < sizeof nullable / sizeof *nullable; i++)
        assert_true(strata_table_find_column(t, nullable[i])->nullable);
    char b[64];
    assert_string_equal(type_of(t, "f", b), "integer");
    assert_string_equal(type_of(t, "h", b), "double");
    release(&r);
}

static void test_parse__snake_case(void **state)
{
    char b[64];

    (void)state;
    parse_snake_case(b, sizeof b, "HTTPRequest");
    assert_string_equal(b, "http_request");
    parse_snake_case(b, sizeof b, "BookTag");
    assert_string_equal(b, "book_tag");
    parse_snake_case(b, sizeof b, "author");
    assert_string_equal(b, "author");
    parse_snake_case(b, sizeof b, "book_Tag");
    assert_string_equal(b, "book_tag");
    parse_snake_case(b, sizeof b, "Item2Tag");
    assert_string_equal(b, "item2_tag");
    parse_snake_case(b, 5, "BookTag");
    assert_string_equal(b, "book");
}

static void test_parse__table_names_and_forms(void **state)
{
    struct result r;

    (void)state;
    model("struct STRATA_MODEL(comment = \"people\", renamed_from = \"writer\") Author {\n"
          "    int64_t id STRATA_FIELD(primary_key);\n"
          "};\n"
          "struct HTTPRequest { int64_t id; } STRATA_MODEL();\n"
          "typedef struct STRATA_MODEL() { int64_t id; } BookTag;\n"
          "typedef struct STRATA_MODEL(table = \"Renamed Table\") tagged { int64_t id; } Tagged;\n"
          "struct plain { int x; };\n");
    struct strata_schema *s = ok(&r);
    assert_int_equal(s->ntables, 4);
    assert_string_equal(s->tables[0].name, "author");
    assert_string_equal(s->tables[0].c_name, "Author");
    assert_string_equal(s->tables[0].comment, "people");
    assert_string_equal(s->tables[0].renamed_from, "writer");
    assert_string_equal(s->tables[1].name, "http_request");
    assert_string_equal(s->tables[2].name, "book_tag");
    assert_string_equal(s->tables[2].c_name, "BookTag");
    assert_string_equal(s->tables[3].name, "Renamed Table");
    assert_string_equal(s->tables[3].c_name, "tagged");
    assert_true(s->tables[0].columns[0].autoincrement);
    assert_int_equal(s->tables[1].nprimary_key, 0);
    release(&r);
}

static void test_parse__columns_and_literals(void **state)
{
    struct result r;

    (void)state;
    model("enum st { DRAFT, DONE = 7 };\n"
          "struct STRATA_MODEL() t {\n"
          "    int64_t id STRATA_FIELD(primary_key, autoincrement = false);\n"
          "    double price STRATA_FIELD(default = -1.5, check = \"price >= 0\");\n"
          "    int n STRATA_FIELD(default = 0x10, backfill = -3);\n"
          "    char *s STRATA_FIELD(default = \"it's\", name = \"label\", comment = \"c\");\n"
          "    bool b STRATA_FIELD(default = false, renamed_from = \"flag\");\n"
          "    enum st e STRATA_FIELD(default = DONE, backfill = DRAFT);\n"
          "    char *z STRATA_FIELD(default = null, default_sql = \"CURRENT_TIMESTAMP\");\n"
          "};\n");
    const struct strata_table *t = &ok(&r)->tables[0];
    struct strata_column *c;
    assert_false(t->columns[0].autoincrement);
    assert_int_equal(t->nprimary_key, 1);
    assert_string_equal(t->primary_key[0], "id");
    c = strata_table_find_column(t, "price");
    assert_string_equal(c->default_value, "-1.5");
    assert_string_equal(c->check, "price >= 0");
    c = strata_table_find_column(t, "n");
    assert_string_equal(c->default_value, "16");
    assert_string_equal(c->backfill, "-3");
    c = strata_table_find_column(t, "label");
    assert_string_equal(c->c_name, "s");
    assert_string_equal(c->default_value, "'it''s'");
    assert_string_equal(c->comment, "c");
    c = strata_table_find_column(t, "b");
    assert_string_equal(c->default_value, "FALSE");
    assert_string_equal(c->renamed_from, "flag");
    c = strata_table_find_column(t, "e");
    assert_string_equal(c->default_value, "7");
    assert_string_equal(c->backfill, "0");
    assert_string_equal(c->enum_values, "0,7");
    c = strata_table_find_column(t, "z");
    assert_string_equal(c->default_value, "NULL");
    assert_string_equal(c->default_sql, "CURRENT_TIMESTAMP");
    assert_int_equal(t->nchecks, 0);
    release(&r);
}

static void test_parse__constraints(void **state)
{
    struct result r;
    char name[64];

    (void)state;
    model("struct STRATA_MODEL(index(a, b), unique(b, a), check(\"a < b\"), primary_key(a, b))\n"
          "    pair {\n"
          "    int a STRATA_FIELD(index);\n"
          "    int b STRATA_FIELD(unique, name = \"bee\");\n"
          "};\n"
          "struct STRATA_MODEL() a_table_name_that_is_rather_long_for_this {\n"
          "    int64_t id STRATA_FIELD(primary_key);\n"
          "    int64_t column_with_a_long_name_too STRATA_FIELD(index);\n"
          "};\n");
    struct strata_schema *s = ok(&r);
    const struct strata_table *t = &s->tables[0];
    assert_int_equal(t->nprimary_key, 2);
    assert_string_equal(t->primary_key[1], "bee");
    assert_false(t->columns[0].autoincrement);
    assert_int_equal(t->nindexes, 4);
    assert_string_equal(t->indexes[0].name, "ix_pair_a");
    assert_false(t->indexes[0].unique);
    assert_string_equal(t->indexes[1].name, "uq_pair_bee");
    assert_true(t->indexes[1].unique);
    assert_string_equal(t->indexes[2].name, "ix_pair_a_bee");
    assert_int_equal(t->indexes[2].ncolumns, 2);
    assert_string_equal(t->indexes[3].name, "uq_pair_bee_a");
    assert_int_equal(t->nchecks, 1);
    strata_check_name(name, "pair", "a < b");
    assert_string_equal(t->checks[0].name, name);
    assert_string_equal(t->checks[0].expr, "a < b");
    t = &s->tables[1];
    strata_make_name(name, "ix",
                     (const char *const[]){ "a_table_name_that_is_rather_long_for_this",
                                            "column_with_a_long_name_too", NULL });
    assert_int_equal(strlen(name), 63);
    assert_string_equal(t->indexes[0].name, name);
    assert_memory_equal(name, "ix_a_table_name_that_is_rather_long_for_this_column_wi_", 55);
    release(&r);
}

static void test_parse__references_across_files(void **state)
{
    struct result r;

    (void)state;
    write_file("models/a_book.h",
               "#include <stdint.h>\n#include <strata/model.h>\n#include \"b_author.h\"\n"
               "struct STRATA_MODEL() book {\n"
               "    int64_t id STRATA_FIELD(primary_key);\n"
               "    int64_t author_id STRATA_FIELD(references = Writer.id,\n"
               "                                   on_delete = cascade, on_update = set_null);\n"
               "    int64_t tag_id STRATA_FIELD(references = tag.id, on_delete = restrict);\n"
               "};\n");
    write_file("models/b_author.h",
               "#pragma once\n#include <stdint.h>\n#include <strata/model.h>\n"
               "typedef struct STRATA_MODEL(table = \"people\") { int64_t id "
               "STRATA_FIELD(primary_key, name = \"pid\"); } Writer;\n");
    write_file("models/c_tag.h",
               "#include <stdint.h>\n#include <strata/model.h>\n#include \"b_author.h\"\n"
               "struct STRATA_MODEL() tag { int64_t id STRATA_FIELD(primary_key); };\n");
    struct strata_schema *s = ok(&r);
    assert_int_equal(s->ntables, 3); /* people counted once */
    assert_string_equal(s->tables[0].name, "book");
    assert_string_equal(s->tables[1].name, "people");
    assert_string_equal(s->tables[2].name, "tag");
    const struct strata_table *t = &s->tables[0];
    assert_int_equal(t->nforeign_keys, 2);
    assert_string_equal(t->foreign_keys[0].name, "fk_book_author_id_people");
    assert_string_equal(t->foreign_keys[0].column, "author_id");
    assert_string_equal(t->foreign_keys[0].ref_table, "people");
    assert_string_equal(t->foreign_keys[0].ref_column, "pid");
    assert_int_equal(t->foreign_keys[0].on_delete, STRATA_CASCADE);
    assert_int_equal(t->foreign_keys[0].on_update, STRATA_SET_NULL);
    assert_string_equal(t->foreign_keys[1].ref_table, "tag");
    assert_int_equal(t->foreign_keys[1].on_delete, STRATA_RESTRICT);
    assert_int_equal(t->foreign_keys[1].on_update, STRATA_NO_ACTION);
    release(&r);
}

static void test_parse__files_and_paths(void **state)
{
    struct result r;
    struct parse_files files;
    const char *args[] = { "-Iinc", "-DWIDTH=9" };

    (void)state;
    assert_int_equal(mkdir("inc", 0777), 0);
    assert_int_equal(mkdir("models/sub", 0777), 0);
    write_file("inc/extra.h", "#define NAME_LEN WIDTH\n");
    write_file("models/sub/m.h",
               "#include <extra.h>\n#include <strata/model.h>\n"
               "struct STRATA_MODEL() m { char name[NAME_LEN]; };\n");
    write_file("models/notes.txt", "not a header\n");
    parse_path(&r, "models", args, 2, &files);
    assert_int_equal(r.rc, 0);
    char b[64];
    assert_string_equal(type_of(&r.s->tables[0], "name", b), "varchar(8)");
    char expect[4][300];
    snprintf(expect[0], 300, "%s/inc/extra.h", project);
    snprintf(expect[1], 300, "%s/models", project);
    snprintf(expect[2], 300, "%s/models/sub", project);
    snprintf(expect[3], 300, "%s/models/sub/m.h", project);
    size_t found = 0;
    for (size_t i = 0; i < files.count; i++) {
        assert_true(files.paths[i][0] == '/');
        assert_null(strstr(files.paths[i], "__strata__"));
        if (i > 0)
            assert_true(strcmp(files.paths[i - 1], files.paths[i]) < 0);
        for (size_t k = 0; k < 4; k++)
            found += strcmp(files.paths[i], expect[k]) == 0;
    }
    assert_int_equal(found, 4);
    parse_files_free(&files);
    release(&r);

    /* a single file, and an error in it named as the user would type it */
    write_file("models/sub/m.h", "#include <strata/model.h>\nstruct STRATA_MODEL(x) m { int a; };\n");
    parse_path(&r, "models/sub/m.h", NULL, 0, NULL);
    assert_string_equal(r.err, "models/sub/m.h:2:21: error: unknown key 'x'\n");
    release(&r);
}

static void test_parse__empty_and_missing(void **state)
{
    struct result r;

    (void)state;
    /* An empty models folder is refused (issue 5): never read as "drop every table". */
    parse(&r);
    assert_int_equal(r.rc, -1);
    assert_null(r.s);
    assert_string_equal(r.err, "strata: error: models path 'models' holds no header files\n");
    release(&r);
    /* A header without any model is fine: an empty schema. */
    model("struct plain { int a; };\n");
    parse(&r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.s->ntables, 0);
    release(&r);
    parse_path(&r, "nowhere", NULL, 0, NULL);
    assert_int_equal(r.rc, -1);
    assert_null(r.s);
    assert_string_equal(r.err, "strata: error: cannot read models path 'nowhere': No such file "
                               "or directory\n");
    release(&r);
}

static void test_parse__clang_errors(void **state)
{
    (void)state;
    fails("struct STRATA_MODEL() a { int x; }\n",
          "models/model.h:4:35: error: expected ';' after struct\n");
    fails("struct STRATA_MODEL() a { int x\n};\n",
          "models/model.h:4:32: error: expected ';' at end of declaration list\n");
    fails("struct STRATA_MODEL() a { unknown_t x; };\n",
          "models/model.h:4:27: error: unknown type name 'unknown_t'\n");
    fails("STRATA_MODEL() struct a { int x; };\n",
          "models/model.h:4:1: error: attribute 'annotate' is ignored, place it after "
          "\"struct\" to apply attribute to type declaration\n");
}

static void test_parse__stray_annotations(void **state)
{
    (void)state;
    fails("struct plain { int x STRATA_FIELD(index); };\n",
          "models/model.h:4:22: error: STRATA_FIELD on field 'x' of 'plain', which is not a "
          "model (add STRATA_MODEL() to it)\n");
    fails("typedef struct STRATA_MODEL() a { int x; } A STRATA_MODEL();\n",
          "models/model.h:4:46: error: STRATA_MODEL on typedef name 'A': put it after "
          "'struct'\n");
    fails("int v STRATA_FIELD();\n",
          "models/model.h:4:7: error: STRATA_FIELD is not on a model or one of its fields\n");
    fails("struct STRATA_FIELD() s { int y; };\n",
          "models/model.h:4:8: error: STRATA_FIELD on struct 's': a field annotation belongs "
          "on a field of a model\n");
    fails("struct STRATA_MODEL() s { int y STRATA_MODEL(); };\n",
          "models/model.h:4:33: error: STRATA_MODEL on field 'y': a model annotation belongs "
          "after 'struct'\n");
}

static void test_parse__field_errors(void **state)
{
    (void)state;
    fails("struct STRATA_MODEL() m { int a; };\n"
          "struct STRATA_MODEL() s {\n"
          "    int a : 3; struct m b; void (*c)(int); struct m *d; long double e;\n"
          "    int f[2]; uint64_t g; unsigned long long h;\n"
          "};\n",
          "models/model.h:6:9: error: field 'a' (bit-field) has no column type: add "
          "STRATA_FIELD(skip) or STRATA_FIELD(type = ...)\n"
          "models/model.h:6:25: error: field 'b' (nested struct 'struct m') has no column "
          "type: add STRATA_FIELD(skip) or STRATA_FIELD(type = ...)\n"
          "models/model.h:6:35: error: field 'c' (function pointer) has no column type: add "
          "STRATA_FIELD(skip) or STRATA_FIELD(type = ...)\n"
          "models/model.h:6:54: error: field 'd' (pointer to model struct 'struct m') has no "
          "column type: add STRATA_FIELD(skip) or STRATA_FIELD(type = ...)\n"
          "models/model.h:6:69: error: field 'e' (type 'long double') has no column type: add "
          "STRATA_FIELD(skip) or STRATA_FIELD(type = ...)\n"
          "models/model.h:7:9: error: field 'f' (array of 'int') has no column type: add "
          "STRATA_FIELD(skip) or STRATA_FIELD(type = ...)\n"
          "models/model.h:7:24: error: field 'g' has type 'uint64_t', which no SQL integer "
          "type holds: add STRATA_FIELD(type = ...) or STRATA_FIELD(skip)\n"
          "models/model.h:7:46: error: field 'h' has type 'unsigned long long', which no SQL "
          "integer type holds: add STRATA_FIELD(type = ...) or STRATA_FIELD(skip)\n");
    fails("struct STRATA_MODEL() s { int a STRATA_FIELD(type = money); };\n",
          "models/model.h:4:53: error: bad value 'money' for key 'type': not a strata type "
          "(smallint, integer, bigint, boolean, real, double, varchar(n), text, blob, "
          "numeric(p,s), date, datetime, timestamp, json, uuid)\n");
}

static void test_parse__literal_errors(void **state)
{
    (void)state;
    fails("enum e { A };\n"
          "struct STRATA_MODEL() s {\n"
          "    int a STRATA_FIELD(default = 1.5);\n"
          "    bool b STRATA_FIELD(default = 1);\n"
          "    char *c STRATA_FIELD(default = 2);\n"
          "    int d STRATA_FIELD(default = \"x\");\n"
          "    int e STRATA_FIELD(default = null);\n"
          "    enum e f STRATA_FIELD(default = B);\n"
          "    int g STRATA_FIELD(backfill = A);\n"
          "    char h[3] STRATA_FIELD(default = \"abc\");\n"
          "};\n",
          "models/model.h:6:34: error: default 1.5 does not fit column type integer\n"
          "models/model.h:7:35: error: default 1 does not fit column type boolean\n"
          "models/model.h:8:36: error: default 2 does not fit column type text\n"
          "models/model.h:9:34: error: default string does not fit column type integer\n"
          "models/model.h:10:34: error: default null on NOT NULL column 'e'\n"
          "models/model.h:11:37: error: 'B' is not a constant of 'enum e'\n"
          "models/model.h:12:35: error: backfill 'A' does not fit column type integer (only "
          "an enum field takes a constant)\n"
          "models/model.h:13:38: error: default is longer than the column's 2 bytes\n");
}

static void test_parse__key_errors(void **state)
{
    (void)state;
    fails("struct STRATA_MODEL(primary_key(a)) s {\n"
          "    int a STRATA_FIELD(primary_key);\n"
          "};\n",
          "models/model.h:4:21: error: primary key given both on the model and on fields\n"
          "models/model.h:5:24: note: field primary key here\n");
    fails("struct STRATA_MODEL() s {\n"
          "    int64_t a STRATA_FIELD(primary_key, nullable);\n"
          "    int64_t b STRATA_FIELD(autoincrement);\n"
          "    char *c STRATA_FIELD(nullable, not_null);\n"
          "    int64_t d STRATA_FIELD(on_delete = cascade);\n"
          "};\n",
          "models/model.h:7:36: error: 'nullable' and 'not_null' contradict each other\n"
          "models/model.h:5:41: error: primary key column 'a' cannot be nullable\n"
          "models/model.h:6:28: error: 'autoincrement' needs a single integer primary key "
          "column\n"
          "models/model.h:8:28: error: key 'on_delete' needs 'references'\n");
    fails("struct STRATA_MODEL(primary_key(a, b, a), index(zz)) s { int a; int b; };\n",
          "models/model.h:4:39: error: field 'a' is listed twice\n"
          "models/model.h:4:49: error: unknown field 'zz' in 's'\n");
}

static void test_parse__name_errors(void **state)
{
    (void)state;
    fails("struct STRATA_MODEL() a { int x; };\n"
          "struct STRATA_MODEL(table = \"A\") b { int x; };\n"
          "struct STRATA_MODEL(table = \"sqlite_master\") c { int x; };\n"
          "struct STRATA_MODEL(table = \"\") d { int x; };\n",
          "models/model.h:5:29: error: duplicate table name 'A'\n"
          "models/model.h:4:23: note: previously declared here\n"
          "models/model.h:6:29: error: table name 'sqlite_master' is reserved (names beginning "
          "with strata_ or sqlite_)\n"
          "models/model.h:7:29: error: empty table name\n");
    fails("struct STRATA_MODEL() "
          "a_table_name_that_is_far_too_long_to_be_any_sql_identifier_at_all { int x; };\n",
          "models/model.h:4:23: error: table name "
          "'a_table_name_that_is_far_too_long_to_be_any_sql_identifier_at_all' is longer than "
          "63 bytes\n");
    fails("struct STRATA_MODEL() s { int x; int y STRATA_FIELD(name = \"X\"); };\n",
          "models/model.h:4:60: error: duplicate column name 'X'\n"
          "models/model.h:4:31: note: previously declared here\n");
    fails("struct STRATA_MODEL(index(x), check(\"x > 0\"), check(\"x > 0\")) s "
          "{ int x STRATA_FIELD(index); };\n",
          "models/model.h:4:21: error: duplicate index on the same columns\n"
          "models/model.h:4:86: note: previously declared here\n"
          "models/model.h:4:53: error: duplicate check\n"
          "models/model.h:4:37: note: previously declared here\n");
    fails("struct STRATA_MODEL(index(b_c)) a { int b_c; };\n"
          "struct STRATA_MODEL(index(c)) a_b { int c; };\n",
          "models/model.h:5:21: error: generated name 'ix_a_b_c' is already used\n"
          "models/model.h:4:21: note: previously declared here\n");
}

static void test_parse__reference_errors(void **state)
{
    (void)state;
    fails("struct STRATA_MODEL() author { int64_t id STRATA_FIELD(primary_key); };\n"
          "struct STRATA_MODEL() book {\n"
          "    int64_t a STRATA_FIELD(references = nobody.id);\n"
          "    int64_t b STRATA_FIELD(references = author.nope);\n"
          "    int c STRATA_FIELD(references = author.id);\n"
          "};\n",
          "models/model.h:6:41: error: unknown table 'nobody'\n"
          "models/model.h:7:48: error: unknown field 'nope' in 'author'\n"
          "models/model.h:8:37: error: column 'c' (integer) does not match the type of "
          "'author.id' (bigint)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse__types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__nullability, setup, teardown),
        cmocka_unit_test(test_parse__snake_case),
        cmocka_unit_test_setup_teardown(test_parse__table_names_and_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__columns_and_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__references_across_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__files_and_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__empty_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__clang_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__stray_annotations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__field_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__literal_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__key_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__name_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__reference_errors, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
