/*
 * bookshelf: the example app, CRUD on authors, books and tags over SQLite.
 *
 * It is what the seed tutorial's `app.py` becomes in C. Its schema lives in the
 * annotated structs of the headers in models/; `strata generate` (run by the meson
 * build) compiles the committed history in generated/ into `strata_migrations`, and
 * `bookshelf db ...` hands the command line to libstrata (`bookshelf db upgrade`,
 * `downgrade`, `current`, `history`, ...). The other commands talk to SQLite directly
 * with prepared statements and use the model structs to hold rows. The database is
 * `sqlite:///bookshelf.db` unless STRATA_DATABASE_URL or `--url URL` names another one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <strata/strata.h>

#include "author.h"
#include "book.h"
#include "tag.h"

extern const struct strata_migrations strata_migrations; /* from `strata generate` */

#define DEFAULT_URL "sqlite:///bookshelf.db"

/* Exit statuses, as strata_cli's: 0 success, 1 failure, 2 usage error. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: bookshelf [--url URL] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  db SUBCOMMAND ...              schema migrations (try `bookshelf db --help`)\n"
    "  author add NAME                add an author\n"
    "  author list                    list authors\n"
    "  author rename ID NAME          rename an author\n"
    "  author delete ID               delete an author and their books\n"
    "  book add TITLE AUTHOR_ID [PRICE]\n"
    "                                 add a book (price defaults to 0)\n"
    "  book list                      list books with their authors\n"
    "  book delete ID                 delete a book\n"
    "  book tag BOOK_ID TAG_ID        tag a book\n"
    "  book tags BOOK_ID              list a book's tags\n"
    "  tag add NAME                   add a tag\n"
    "  tag list                       list tags\n"
    "\n"
    "The database is " DEFAULT_URL " unless STRATA_DATABASE_URL or --url names\n"
    "another one (sqlite:///relative.db or sqlite:////absolute.db).\n"
    "Create or update its tables with `bookshelf db upgrade`.\n";

/* An open database, and its path for messages. */
struct app {
    sqlite3 *db;
    const char *path;
};

/* Prints `bookshelf: error: ...` on stderr. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    va_list ap;

    fputs("bookshelf: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int usage(const char *why)
{
    if (why != NULL)
        fprintf(stderr, "bookshelf: %s\n\n", why);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/*
 * Reports the last SQLite error of `app` while doing `what`. A missing table or
 * column means the database is behind the app's schema, which only `db upgrade` fixes,
 * so that case says so. Returns EXIT_FAIL.
 */
static int sql_fail(struct app *app, const char *what)
{
    const char *msg = sqlite3_errmsg(app->db);

    if (strncmp(msg, "no such table", 13) == 0 || strncmp(msg, "no such column", 14) == 0)
        fail("%s: %s in %s: run `bookshelf db upgrade` first", what, msg, app->path);
    else
        fail("%s: %s", what, msg);
    return EXIT_FAIL;
}

/*
 * Resolves the database path of a `sqlite:///...` URL into `out`: `sqlite:///x.db` is
 * x.db relative to the working directory, `sqlite:////abs/x.db` is /abs/x.db. Returns
 * 0, or -1 after reporting a URL bookshelf cannot use.
 */
static int url_to_path(const char *url, const char **out)
{
    static const char prefix[] = "sqlite:///";
    const char *rest;

    if (strncmp(url, prefix, sizeof(prefix) - 1) != 0) {
        fail("unsupported database URL '%s': bookshelf uses sqlite:///relative.db or "
             "sqlite:////absolute.db",
             url);
        return -1;
    }
    rest = url + sizeof(prefix) - 1;
    if (rest[0] == '\0' || strcmp(rest, ":memory:") == 0) {
        fail("database URL '%s' is an in-memory database, which does not outlive one "
             "command: name a file",
             url);
        return -1;
    }
    *out = rest;
    return 0;
}

/*
 * Opens the existing database at `path` with foreign keys enforced. A missing file
 * is reported with the command that creates it. Returns 0 or EXIT_FAIL; on failure
 * app->db is NULL.
 */
static int app_open(struct app *app, const char *path)
{
    int rc;

    app->path = path;
    app->db = NULL;
    rc = sqlite3_open_v2(path, &app->db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_CANTOPEN)
            fail("cannot open database %s: run `bookshelf db upgrade` first", path);
        else
            fail("cannot open database %s: %s", path,
                 app->db != NULL ? sqlite3_errmsg(app->db) : sqlite3_errstr(rc));
        sqlite3_close(app->db);
        app->db = NULL;
        return EXIT_FAIL;
    }
    sqlite3_busy_timeout(app->db, 5000);
    if (sqlite3_exec(app->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        sql_fail(app, "enabling foreign keys");
        sqlite3_close(app->db);
        app->db = NULL;
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* Parses a positive row id; reports and returns -1 when `text` is not one. */
static int parse_id(const char *text, const char *what, int64_t *out)
{
    char *end = NULL;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v <= 0) {
        fail("%s must be a positive integer, not '%s'", what, text);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

/*
 * Copies `text` into the fixed-size field `dst` (size `size`), refusing text that does
 * not fit: the column's length check would refuse it too. Returns 0 or -1.
 */
static int copy_field(char *dst, size_t size, const char *text, const char *what)
{
    size_t len = strlen(text);

    if (len >= size) {
        fail("%s is %zu bytes long; at most %zu fit", what, len, size - 1);
        return -1;
    }
    memcpy(dst, text, len + 1);
    return 0;
}

/*
 * Prepares `sql` into *out. Returns 0, or EXIT_FAIL after reporting (a missing table
 * shows up here, as the statement is compiled against the live schema).
 */
static int prepare(struct app *app, sqlite3_stmt **out, const char *sql, const char *what)
{
    if (sqlite3_prepare_v2(app->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return sql_fail(app, what);
    }
    return EXIT_OK;
}

/*
 * Runs a statement that returns no rows. On a constraint failure the message names the
 * violated rule in the user's terms when the caller gave one for it (`fk_msg` for a
 * foreign key, `unique_msg` for a unique or primary key); otherwise SQLite's message.
 * Returns 0 or EXIT_FAIL. Finalizes `stmt` in every case.
 */
static int run(struct app *app, sqlite3_stmt *stmt, const char *what, const char *fk_msg,
               const char *unique_msg)
{
    int rc = sqlite3_step(stmt);
    int ext = sqlite3_extended_errcode(app->db);
    int status = EXIT_OK;

    if (rc != SQLITE_DONE) {
        if (ext == SQLITE_CONSTRAINT_FOREIGNKEY && fk_msg != NULL) {
            fail("%s: %s", what, fk_msg);
            status = EXIT_FAIL;
        } else if ((ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) &&
                   unique_msg != NULL) {
            fail("%s: %s", what, unique_msg);
            status = EXIT_FAIL;
        } else {
            status = sql_fail(app, what);
        }
    }
    sqlite3_finalize(stmt);
    return status;
}

/* ---- authors ---- */

static int author_add(struct app *app, const char *name)
{
    struct author a = { 0, NULL };
    sqlite3_stmt *stmt = NULL;
    int status;

    a.name = (char *)name;
    status = prepare(app, &stmt, "INSERT INTO author (name) VALUES (?1)", "adding author");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_text(stmt, 1, a.name, -1, SQLITE_STATIC);
    status = run(app, stmt, "adding author", NULL, NULL);
    if (status == EXIT_OK) {
        a.id = sqlite3_last_insert_rowid(app->db);
        printf("added author %" PRId64 ": %s\n", a.id, a.name);
    }
    return status;
}

static int author_list(struct app *app)
{
    sqlite3_stmt *stmt = NULL;
    int status;
    int rc;

    status = prepare(app, &stmt, "SELECT id, name FROM author ORDER BY id", "listing authors");
    if (status != EXIT_OK)
        return status;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct author a;
        const unsigned char *name = sqlite3_column_text(stmt, 1);

        a.id = sqlite3_column_int64(stmt, 0);
        a.name = name != NULL ? strdup((const char *)name) : NULL;
        if (name != NULL && a.name == NULL) {
            fail("out of memory");
            status = EXIT_FAIL;
            break;
        }
        printf("%" PRId64 "\t%s\n", a.id, a.name != NULL ? a.name : "(no name)");
        free(a.name);
    }
    if (status == EXIT_OK && rc != SQLITE_DONE)
        status = sql_fail(app, "listing authors");
    sqlite3_finalize(stmt);
    return status;
}

/*
 * Runs an UPDATE or DELETE on one row by id, reporting `missing` when no row matched.
 * `stmt` is prepared and bound; it is finalized here.
 */
static int change_one(struct app *app, sqlite3_stmt *stmt, const char *what, const char *missing)
{
    int status = run(app, stmt, what, NULL, NULL);

    if (status == EXIT_OK && sqlite3_changes(app->db) == 0) {
        fail("%s: %s", what, missing);
        status = EXIT_FAIL;
    }
    return status;
}

static int author_rename(struct app *app, const char *id_text, const char *name)
{
    struct author a = { 0, NULL };
    sqlite3_stmt *stmt = NULL;
    char missing[64];
    int status;

    if (parse_id(id_text, "author id", &a.id) != 0)
        return EXIT_USAGE;
    a.name = (char *)name;
    status = prepare(app, &stmt, "UPDATE author SET name = ?1 WHERE id = ?2", "renaming author");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_text(stmt, 1, a.name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, a.id);
    snprintf(missing, sizeof(missing), "no author with id %" PRId64, a.id);
    status = change_one(app, stmt, "renaming author", missing);
    if (status == EXIT_OK)
        printf("renamed author %" PRId64 ": %s\n", a.id, a.name);
    return status;
}

static int author_delete(struct app *app, const char *id_text)
{
    sqlite3_stmt *stmt = NULL;
    char missing[64];
    int64_t id;
    int status;

    if (parse_id(id_text, "author id", &id) != 0)
        return EXIT_USAGE;
    status = prepare(app, &stmt, "DELETE FROM author WHERE id = ?1", "deleting author");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_int64(stmt, 1, id);
    snprintf(missing, sizeof(missing), "no author with id %" PRId64, id);
    status = change_one(app, stmt, "deleting author", missing);
    if (status == EXIT_OK)
        printf("deleted author %" PRId64 " and their books\n", id);
    return status;
}

/* ---- books ---- */

static int book_add(struct app *app, const char *title, const char *author_text,
                    const char *price_text)
{
    struct book b;
    sqlite3_stmt *stmt = NULL;
    char fk_msg[64];
    int status;

    memset(&b, 0, sizeof(b));
    if (copy_field(b.title, sizeof(b.title), title, "title") != 0)
        return EXIT_USAGE;
    if (parse_id(author_text, "author id", &b.author_id) != 0)
        return EXIT_USAGE;
    if (price_text != NULL) {
        char *end = NULL;

        errno = 0;
        b.price = strtod(price_text, &end);
        if (errno != 0 || end == price_text || *end != '\0') {
            fail("price must be a number, not '%s'", price_text);
            return EXIT_USAGE;
        }
    }
    status = prepare(app, &stmt, "INSERT INTO book (title, author_id, price) VALUES (?1, ?2, ?3)",
                     "adding book");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_text(stmt, 1, b.title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, b.author_id);
    sqlite3_bind_double(stmt, 3, b.price);
    snprintf(fk_msg, sizeof(fk_msg), "no author with id %" PRId64, b.author_id);
    status = run(app, stmt, "adding book", fk_msg, NULL);
    if (status == EXIT_OK) {
        b.id = sqlite3_last_insert_rowid(app->db);
        printf("added book %" PRId64 ": %s\n", b.id, b.title);
    }
    return status;
}

static int book_list(struct app *app)
{
    sqlite3_stmt *stmt = NULL;
    int status;
    int rc;

    status = prepare(app, &stmt,
                     "SELECT book.id, book.title, book.author_id, book.price, author.name"
                     " FROM book JOIN author ON author.id = book.author_id ORDER BY book.id",
                     "listing books");
    if (status != EXIT_OK)
        return status;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct book b;
        const unsigned char *title = sqlite3_column_text(stmt, 1);
        const unsigned char *author = sqlite3_column_text(stmt, 4);

        memset(&b, 0, sizeof(b));
        b.id = sqlite3_column_int64(stmt, 0);
        /* The length check keeps titles within the struct; truncate rather than trust. */
        snprintf(b.title, sizeof(b.title), "%s", title != NULL ? (const char *)title : "");
        b.author_id = sqlite3_column_int64(stmt, 2);
        b.price = sqlite3_column_double(stmt, 3);
        printf("%" PRId64 "\t%s\tby %s\t%.2f\n", b.id, b.title,
               author != NULL ? (const char *)author : "(no name)", b.price);
    }
    if (rc != SQLITE_DONE)
        status = sql_fail(app, "listing books");
    sqlite3_finalize(stmt);
    return status;
}

static int book_delete(struct app *app, const char *id_text)
{
    sqlite3_stmt *stmt = NULL;
    char missing[64];
    int64_t id;
    int status;

    if (parse_id(id_text, "book id", &id) != 0)
        return EXIT_USAGE;
    status = prepare(app, &stmt, "DELETE FROM book WHERE id = ?1", "deleting book");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_int64(stmt, 1, id);
    snprintf(missing, sizeof(missing), "no book with id %" PRId64, id);
    status = change_one(app, stmt, "deleting book", missing);
    if (status == EXIT_OK)
        printf("deleted book %" PRId64 "\n", id);
    return status;
}

static int book_tag(struct app *app, const char *book_text, const char *tag_text)
{
    struct book_tag bt;
    sqlite3_stmt *stmt = NULL;
    char fk_msg[96];
    char unique_msg[96];
    int status;

    if (parse_id(book_text, "book id", &bt.book_id) != 0 ||
        parse_id(tag_text, "tag id", &bt.tag_id) != 0)
        return EXIT_USAGE;
    status = prepare(app, &stmt, "INSERT INTO book_tag (book_id, tag_id) VALUES (?1, ?2)",
                     "tagging book");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_int64(stmt, 1, bt.book_id);
    sqlite3_bind_int64(stmt, 2, bt.tag_id);
    snprintf(fk_msg, sizeof(fk_msg), "no book with id %" PRId64 " or no tag with id %" PRId64,
             bt.book_id, bt.tag_id);
    snprintf(unique_msg, sizeof(unique_msg), "book %" PRId64 " already has tag %" PRId64,
             bt.book_id, bt.tag_id);
    status = run(app, stmt, "tagging book", fk_msg, unique_msg);
    if (status == EXIT_OK)
        printf("tagged book %" PRId64 " with tag %" PRId64 "\n", bt.book_id, bt.tag_id);
    return status;
}

static int book_tags(struct app *app, const char *book_text)
{
    sqlite3_stmt *stmt = NULL;
    int64_t book_id;
    int status;
    int rc;

    if (parse_id(book_text, "book id", &book_id) != 0)
        return EXIT_USAGE;
    status = prepare(app, &stmt, "SELECT count(*) FROM book WHERE id = ?1", "listing tags");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_int64(stmt, 1, book_id);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        status = sql_fail(app, "listing tags");
    } else if (sqlite3_column_int64(stmt, 0) == 0) {
        fail("listing tags: no book with id %" PRId64, book_id);
        status = EXIT_FAIL;
    }
    sqlite3_finalize(stmt);
    if (status != EXIT_OK)
        return status;

    status = prepare(app, &stmt,
                     "SELECT tag.id, tag.name FROM tag JOIN book_tag ON book_tag.tag_id = tag.id"
                     " WHERE book_tag.book_id = ?1 ORDER BY tag.name",
                     "listing tags");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_int64(stmt, 1, book_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct tag t;
        const unsigned char *name = sqlite3_column_text(stmt, 1);

        t.id = sqlite3_column_int64(stmt, 0);
        snprintf(t.name, sizeof(t.name), "%s", name != NULL ? (const char *)name : "");
        printf("%" PRId64 "\t%s\n", t.id, t.name);
    }
    if (rc != SQLITE_DONE)
        status = sql_fail(app, "listing tags");
    sqlite3_finalize(stmt);
    return status;
}

/* ---- tags ---- */

static int tag_add(struct app *app, const char *name)
{
    struct tag t;
    sqlite3_stmt *stmt = NULL;
    char unique_msg[96];
    int status;

    memset(&t, 0, sizeof(t));
    if (copy_field(t.name, sizeof(t.name), name, "tag name") != 0)
        return EXIT_USAGE;
    status = prepare(app, &stmt, "INSERT INTO tag (name) VALUES (?1)", "adding tag");
    if (status != EXIT_OK)
        return status;
    sqlite3_bind_text(stmt, 1, t.name, -1, SQLITE_STATIC);
    snprintf(unique_msg, sizeof(unique_msg), "tag '%s' already exists", t.name);
    status = run(app, stmt, "adding tag", NULL, unique_msg);
    if (status == EXIT_OK) {
        t.id = sqlite3_last_insert_rowid(app->db);
        printf("added tag %" PRId64 ": %s\n", t.id, t.name);
    }
    return status;
}

static int tag_list(struct app *app)
{
    sqlite3_stmt *stmt = NULL;
    int status;
    int rc;

    status = prepare(app, &stmt, "SELECT id, name FROM tag ORDER BY id", "listing tags");
    if (status != EXIT_OK)
        return status;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct tag t;
        const unsigned char *name = sqlite3_column_text(stmt, 1);

        t.id = sqlite3_column_int64(stmt, 0);
        snprintf(t.name, sizeof(t.name), "%s", name != NULL ? (const char *)name : "");
        printf("%" PRId64 "\t%s\n", t.id, t.name);
    }
    if (rc != SQLITE_DONE)
        status = sql_fail(app, "listing tags");
    sqlite3_finalize(stmt);
    return status;
}

/*
 * Handlers taking the arguments after `noun verb`; dispatch has checked their count, so
 * optional ones are NULL when absent.
 */
static int cmd_author_add(struct app *app, char **a) { return author_add(app, a[0]); }
static int cmd_author_list(struct app *app, char **a) { (void)a; return author_list(app); }
static int cmd_author_rename(struct app *app, char **a) { return author_rename(app, a[0], a[1]); }
static int cmd_author_delete(struct app *app, char **a) { return author_delete(app, a[0]); }
static int cmd_book_add(struct app *app, char **a) { return book_add(app, a[0], a[1], a[2]); }
static int cmd_book_list(struct app *app, char **a) { (void)a; return book_list(app); }
static int cmd_book_delete(struct app *app, char **a) { return book_delete(app, a[0]); }
static int cmd_book_tag(struct app *app, char **a) { return book_tag(app, a[0], a[1]); }
static int cmd_book_tags(struct app *app, char **a) { return book_tags(app, a[0]); }
static int cmd_tag_add(struct app *app, char **a) { return tag_add(app, a[0]); }
static int cmd_tag_list(struct app *app, char **a) { (void)a; return tag_list(app); }

/* The app's commands: noun, verb, how many arguments follow them, handler. */
static const struct command {
    const char *noun;
    const char *verb;
    int min_args;
    int max_args;
    int (*run)(struct app *app, char **args);
} commands[] = {
    { "author", "add", 1, 1, cmd_author_add },       /* author add NAME */
    { "author", "list", 0, 0, cmd_author_list },     /* author list */
    { "author", "rename", 2, 2, cmd_author_rename }, /* author rename ID NAME */
    { "author", "delete", 1, 1, cmd_author_delete }, /* author delete ID */
    { "book", "add", 2, 3, cmd_book_add },           /* book add TITLE AUTHOR_ID [PRICE] */
    { "book", "list", 0, 0, cmd_book_list },         /* book list */
    { "book", "delete", 1, 1, cmd_book_delete },     /* book delete ID */
    { "book", "tag", 2, 2, cmd_book_tag },           /* book tag BOOK_ID TAG_ID */
    { "book", "tags", 1, 1, cmd_book_tags },         /* book tags BOOK_ID */
    { "tag", "add", 1, 1, cmd_tag_add },             /* tag add NAME */
    { "tag", "list", 0, 0, cmd_tag_list },           /* tag list */
};

/* The command `argv` (argc entries from the noun) names, or NULL. */
static const struct command *find_command(int argc, char **argv)
{
    size_t i;

    if (argc < 2)
        return NULL;
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const struct command *c = &commands[i];

        if (strcmp(argv[0], c->noun) == 0 && strcmp(argv[1], c->verb) == 0 &&
            argc - 2 >= c->min_args && argc - 2 <= c->max_args)
            return c;
    }
    return NULL;
}

/*
 * `bookshelf db ARGS...` with a `--url` given before `db`: strata_cli reads `--url`
 * anywhere after the subcommand, so it is passed on after the other arguments.
 */
static int run_db(const char *url, int argc, char **argv)
{
    char **args;
    int status;
    int i;

    if (url == NULL)
        return strata_cli(DEFAULT_URL, &strata_migrations, argc, argv);
    args = calloc((size_t)argc + 3, sizeof(*args));
    if (args == NULL) {
        fail("out of memory");
        return EXIT_FAIL;
    }
    for (i = 0; i < argc; i++)
        args[i] = argv[i];
    args[argc] = "--url";
    args[argc + 1] = (char *)url;
    status = strata_cli(DEFAULT_URL, &strata_migrations, argc + 2, args);
    free(args);
    return status;
}

int main(int argc, char **argv)
{
    struct app app = { NULL, NULL };
    const struct command *cmd = NULL;
    const char *url = NULL;
    const char *path = NULL;
    char **args = argv + 1;
    int nargs = argc - 1;
    int status;

    /* The migration commands: the seed's `python app.py db ...`. */
    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli(DEFAULT_URL, &strata_migrations, argc - 2, argv + 2);

    /* A leading `--url URL` (or `--url=URL`) names the database for any command. */
    if (nargs > 0 && strcmp(args[0], "--url") == 0) {
        if (nargs < 2)
            return usage("--url needs a value");
        url = args[1];
        args += 2;
        nargs -= 2;
    } else if (nargs > 0 && strncmp(args[0], "--url=", 6) == 0) {
        url = args[0] + 6;
        args += 1;
        nargs -= 1;
    }
    if (nargs > 0 && strcmp(args[0], "db") == 0)
        return run_db(url, nargs - 1, args + 1);
    /* ...or a trailing one, as `db` subcommands accept it after their arguments. */
    if (url == NULL && nargs >= 2 && strcmp(args[nargs - 2], "--url") == 0) {
        url = args[nargs - 1];
        nargs -= 2;
    }

    if (nargs == 0)
        return usage(NULL);
    if (strcmp(args[0], "--help") == 0 || strcmp(args[0], "-h") == 0 ||
        strcmp(args[0], "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    cmd = find_command(nargs, args);
    if (cmd == NULL)
        return usage("unknown command or wrong number of arguments");

    if (url == NULL) {
        url = getenv("STRATA_DATABASE_URL");
        if (url == NULL || url[0] == '\0')
            url = DEFAULT_URL;
    }
    if (url_to_path(url, &path) != 0)
        return EXIT_USAGE;
    status = app_open(&app, path);
    if (status != EXIT_OK)
        return status;
    {
        /* Room for every optional argument, NULL when absent. */
        char *rest[4] = { NULL, NULL, NULL, NULL };
        int i;

        for (i = 2; i < nargs; i++)
            rest[i - 2] = args[i];
        status = cmd->run(&app, rest);
    }
    sqlite3_close(app.db);
    return status;
}
