/*
 * Failure atomicity (issue 5 §1, §2): a revision that fails part-way leaves the database
 * exactly as it was before it, and an I/O error at any point of an upgrade leaves a
 * database at exactly one revision with every row.
 *
 * The history is tests/safety/history.c (14 revisions, rebuilds, data migrations) with
 * `big` cut to a few hundred rows. Four failing revisions on top of it (a UNIQUE index
 * over duplicates, a foreign key check that fails after a rebuild, bad SQL in
 * strata_execute, a hook returning an error) must each fail naming the revision, the
 * operation and SQLite's message, and leave every byte of schema, rows, version and
 * history as it was; the 14 revisions before them in the same run stay applied.
 *
 * The fault injection registers a test VFS as SQLite's default inside this process: it
 * forwards to the "unix" VFS and makes the N-th I/O call (open, delete, access, read,
 * write, truncate, sync, file size, lock, unlock) fail. For every N up to the number of
 * calls a full upgrade makes, an upgrade from base runs with that fault; the database is
 * then checked through the plain "unix" VFS with the safety checker (integrity, version,
 * schema by introspection against replay, history, every row, nothing left over), and a
 * rerun without faults must reach head. A second pass makes every call from the N-th on
 * fail (a disk that went away). The runtime has no test hooks: it goes through the C API
 * (strata_open, strata_upgrade) as an app does. Syncs are counted but not forwarded, to
 * keep the loop fast (a sync matters for power loss, not for these failures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <strata/strata.h>

#include "safety/check.h"
#include "safety/history.h"

#define BIG_ROWS "300"

/* ===== The fault VFS ===== */

static sqlite3_vfs *real_vfs;
static long fault_calls; /* I/O calls made since the counter was reset */
static long fault_at;    /* the call that fails (0: none) */
static int fault_sticky; /* every call after fault_at fails too */
static long faults_injected;

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real; /* right after this struct, real_vfs->szOsFile bytes */
};

/* Counts one I/O call; true when it must fail. */
static int fault_hit(void)
{
    fault_calls++;
    if (fault_at > 0 && (fault_calls == fault_at || (fault_sticky && fault_calls > fault_at))) {
        faults_injected++;
        return 1;
    }
    return 0;
}

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((struct fault_file *)f)->real;
}

static int ff_close(sqlite3_file *f)
{
    sqlite3_file *real = real_of(f);

    return real->pMethods != NULL ? real->pMethods->xClose(real) : SQLITE_OK;
}

static int ff_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    if (fault_hit())
        return SQLITE_IOERR_READ;
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int ff_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    if (fault_hit())
        return SQLITE_IOERR_WRITE;
    return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (fault_hit())
        return SQLITE_IOERR_TRUNCATE;
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int ff_sync(sqlite3_file *f, int flags)
{
    (void)f;
    (void)flags;
    return fault_hit() ? SQLITE_IOERR_FSYNC : SQLITE_OK;
}

static int ff_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    if (fault_hit())
        return SQLITE_IOERR_FSTAT;
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int ff_lock(sqlite3_file *f, int level)
{
    if (fault_hit())
        return SQLITE_IOERR_LOCK;
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int ff_unlock(sqlite3_file *f, int level)
{
    /* The lock is released even when the call reports a failure. */
    int rc = real_of(f)->pMethods->xUnlock(real_of(f), level);

    return fault_hit() ? SQLITE_IOERR_UNLOCK : rc;
}

static int ff_check_reserved(sqlite3_file *f, int *out)
{
    if (fault_hit())
        return SQLITE_IOERR_CHECKRESERVEDLOCK;
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int ff_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int ff_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int ff_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static const sqlite3_io_methods fault_io = {
    1, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_file_size, ff_lock, ff_unlock,
    ff_check_reserved, ff_file_control, ff_sector_size, ff_device_characteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    struct fault_file *ff = (struct fault_file *)f;
    int rc;

    (void)vfs;
    ff->base.pMethods = NULL;
    ff->real = (sqlite3_file *)(ff + 1);
    ff->real->pMethods = NULL;
    if (fault_hit())
        return SQLITE_CANTOPEN;
    rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
    if (ff->real->pMethods != NULL)
        ff->base.pMethods = &fault_io;
    return rc;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    if (fault_hit())
        return SQLITE_IOERR_DELETE;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    if (fault_hit())
        return SQLITE_IOERR_ACCESS;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *fv_dlopen(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void fv_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*fv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void fv_dlclose(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, h);
}

static int fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int fv_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int fv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int fv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs fault_vfs;

/* Registers the fault VFS as the default one (once); faults stay off until armed. */
static void fault_vfs_install(void)
{
    if (real_vfs != NULL)
        return;
    real_vfs = sqlite3_vfs_find("unix");
    assert_non_null(real_vfs);
    fault_vfs.iVersion = 2;
    fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    fault_vfs.zName = "strata-fault";
    fault_vfs.xOpen = fv_open;
    fault_vfs.xDelete = fv_delete;
    fault_vfs.xAccess = fv_access;
    fault_vfs.xFullPathname = fv_full_pathname;
    fault_vfs.xDlOpen = fv_dlopen;
    fault_vfs.xDlError = fv_dlerror;
    fault_vfs.xDlSym = fv_dlsym;
    fault_vfs.xDlClose = fv_dlclose;
    fault_vfs.xRandomness = fv_randomness;
    fault_vfs.xSleep = fv_sleep;
    fault_vfs.xCurrentTime = fv_current_time;
    fault_vfs.xGetLastError = fv_last_error;
    fault_vfs.xCurrentTimeInt64 = fv_current_time64;
    assert_int_equal(sqlite3_vfs_register(&fault_vfs, 1), SQLITE_OK);
}

/* ===== Helpers ===== */

static char db_path[64];
static char db_url[96];

static void remove_db(void)
{
    char journal[80];

    snprintf(journal, sizeof(journal), "%s-journal", db_path);
    unlink(db_path);
    unlink(journal);
}

static int setup(void **state)
{
    int fd;

    (void)state;
    setenv("STRATA_SAFETY_BIG_ROWS", BIG_ROWS, 1);
    snprintf(db_path, sizeof(db_path), "/tmp/strata-faults.XXXXXX");
    fd = mkstemp(db_path);
    if (fd < 0)
        return -1;
    close(fd);
    remove_db();
    snprintf(db_url, sizeof(db_url), "sqlite:///%s", db_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_db();
    return 0;
}

/* Opens the file through the plain "unix" VFS, never the fault one. */
static sqlite3 *open_plain(void)
{
    sqlite3 *c = NULL;

    assert_int_equal(sqlite3_open_v2(db_path, &c, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
    return c;
}

/* Runs safety_check through the plain VFS; returns the version ("" at base). */
static void check_sound(char *version, size_t size, long n)
{
    sqlite3 *c = open_plain();
    char what[1024];

    if (safety_check(c, &safety_migrations, version, size, what, sizeof(what)) != 0)
        fail_msg("after the fault at call %ld: %s", n, what);
    sqlite3_close(c);
}

/* Upgrades `m` on the test file to `target`; returns strata_upgrade's code. */
static int upgrade(const struct strata_migrations *m, const char *target,
                   struct strata_error *err)
{
    struct strata_db *db = NULL;
    int rc = strata_open(&db, db_url, 1, err);

    if (rc == 0)
        rc = strata_upgrade(db, m, target, err);
    strata_close(db);
    return rc;
}

/* Appends `text` to the growing string *s. */
static void append(char **s, size_t *len, const char *text)
{
    size_t n = strlen(text);
    char *p = realloc(*s, *len + n + 1);

    assert_non_null(p);
    memcpy(p + *len, text, n + 1);
    *s = p;
    *len += n;
}

/* Everything a failed revision must leave alone: every schema entry and every row of
 * every table (strata's included), as text. */
static char *dump(void)
{
    sqlite3 *c = open_plain();
    sqlite3_stmt *tables = NULL, *rows = NULL;
    char *out = NULL;
    size_t len = 0;
    char sql[256];
    int i;

    append(&out, &len, "");
    assert_int_equal(sqlite3_prepare_v2(c,
                                        "SELECT type, name, ifnull(sql, '') FROM sqlite_master "
                                        "ORDER BY type, name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(tables, 0);
        const char *name = (const char *)sqlite3_column_text(tables, 1);

        append(&out, &len, (const char *)sqlite3_column_text(tables, 2));
        append(&out, &len, "\n");
        if (strcmp(type, "table") != 0)
            continue;
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY rowid", name);
        assert_int_equal(sqlite3_prepare_v2(c, sql, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (i = 0; i < sqlite3_column_count(rows); i++) {
                const char *v = (const char *)sqlite3_column_text(rows, i);

                append(&out, &len, v != NULL ? v : "NULL");
                append(&out, &len, "|");
            }
            append(&out, &len, "\n");
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(c);
    return out;
}

/* ===== Failing revisions on top of the history ===== */

#define HEAD "5afe0000000e"

/* A UNIQUE index over duplicate values (book.author_id repeats). */
static void up_unique_dups(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("note", STRATA_TEXT, .nullable = true));
    strata_create_unique_index(op, "uq_book_author_id", "book", "author_id");
}

/* Deletes authors with foreign keys off (a rebuild turns them off), then rebuilds
 * book: the children it leaves orphaned are violations the revision introduced. */
static void up_fk_after_rebuild(struct strata_op *op)
{
    strata_execute(op, "DELETE FROM author WHERE id <= 3");
    strata_alter_column(op, "book", STRATA_COLUMN("pages", STRATA_BIGINT, .default_value = "0"));
}

static void up_bad_sql(struct strata_op *op)
{
    strata_add_column(op, "author", STRATA_COLUMN("note", STRATA_TEXT, .nullable = true));
    strata_execute(op, "UPDATE author SET note = 'x'");
    strata_execute(op, "UPDATE nowhere SET x = 1");
}

static int refusing_hook(void *conn, const char *dialect, char *errmsg, size_t errsize)
{
    sqlite3_exec(conn, "UPDATE book SET price = 0", NULL, NULL, NULL);
    (void)dialect;
    snprintf(errmsg, errsize, "the data cannot be migrated");
    return 1;
}

static void up_bad_hook(struct strata_op *op)
{
    strata_alter_column(op, "big", STRATA_COLUMN("v", STRATA_INTEGER));
    strata_run_hook(op, "refuse", refusing_hook);
}

static void down_nothing(struct strata_op *op)
{
    (void)op;
}

struct failing {
    const char *name;
    void (*up)(struct strata_op *op);
    const char *operation; /* err.operation */
    const char *subject;   /* in the message: the operation and what it acts on */
    const char *sqlite;    /* in the message: SQLite's (or the hook's) own words */
};

static const struct failing failings[] = {
    { "unique over duplicates", up_unique_dups, "create_index", "create_index 'uq_book_author_id'",
      "UNIQUE constraint failed: book.author_id" },
    { "foreign key after a rebuild", up_fk_after_rebuild, NULL, "foreign key",
      "book rowid" },
    { "bad SQL", up_bad_sql, "execute", "operation 3, execute", "no such table: nowhere" },
    { "failing hook", up_bad_hook, "run_hook", "run_hook 'refuse'",
      "the data cannot be migrated" },
};

/* The history plus one failing revision `f` as its child. */
static void run_failing(const struct failing *f)
{
    const struct strata_revision bad = { "bad000000001", HEAD, f->name, NULL, f->up,
                                         down_nothing };
    const struct strata_revision *revs[32];
    const struct strata_migrations m = { STRATA_ABI_VERSION, safety_migrations.count + 1, revs };
    struct strata_error err = { 0 };
    char version[64];
    char *before, *after;
    size_t i;

    for (i = 0; i < safety_migrations.count; i++)
        revs[i] = safety_migrations.revisions[i];
    revs[i] = &bad;
    remove_db();
    /* One run from base: the 14 good revisions stay applied, the bad one fails. */
    assert_int_equal(upgrade(&m, "head", &err), STRATA_EMIGRATION);
    assert_string_equal(err.revision, "bad000000001");
    if (f->operation != NULL)
        assert_string_equal(err.operation, f->operation);
    if (strstr(err.message, "bad000000001") == NULL || strstr(err.message, f->subject) == NULL ||
        strstr(err.message, f->sqlite) == NULL)
        fail_msg("%s: the message does not name the revision, '%s' and '%s': %s", f->name,
                 f->subject, f->sqlite, err.message);
    check_sound(version, sizeof(version), 0);
    assert_string_equal(version, HEAD);
    /* Again from head: not a byte of schema, rows, version or history changes. */
    before = dump();
    strata_error_clear(&err);
    assert_int_equal(upgrade(&m, "head", &err), STRATA_EMIGRATION);
    after = dump();
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_faults__failing_revision_rolls_back_exactly_itself(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(failings) / sizeof(failings[0]); i++)
        run_failing(&failings[i]);
}

/* ===== Every I/O fault across a full upgrade ===== */

/*
 * Upgrades from base with the N-th I/O call failing (every call from the N-th on with
 * `sticky`), for N = 1, 2, ... until an upgrade makes fewer than N calls. After each:
 * the safety check through the plain VFS (and head when the upgrade reported success:
 * a fault after the commit, in an unlock, may go unreported), then a rerun without
 * faults reaches head.
 * Returns how many values of N were tried.
 */
static long every_fault(int sticky, long *failed_runs)
{
    struct strata_error err = { 0 };
    char version[64];
    long n;

    fault_vfs_install();
    *failed_runs = 0;
    for (n = 1;; n++) {
        int rc;

        remove_db();
        fault_calls = 0;
        fault_at = n;
        fault_sticky = sticky;
        strata_error_clear(&err);
        rc = upgrade(&safety_migrations, "head", &err);
        fault_at = 0;
        if (fault_calls < n) {
            assert_int_equal(rc, 0);
            return n - 1;
        }
        if (rc != 0) {
            (*failed_runs)++;
            if (strstr(err.message, "database is locked") != NULL)
                fail_msg("fault at call %ld: %s", n, err.message);
        }
        if (access(db_path, F_OK) != 0)
            continue; /* the fault struck before the file was created */
        check_sound(version, sizeof(version), n);
        if (rc == 0 && strcmp(version, HEAD) != 0)
            fail_msg("the upgrade with a fault at call %ld succeeded but left %s", n, version);
        strata_error_clear(&err);
        if (upgrade(&safety_migrations, "head", &err) != 0)
            fail_msg("rerun after the fault at call %ld: %s", n, err.message);
        check_sound(version, sizeof(version), n);
        assert_string_equal(version, HEAD);
    }
}

static void test_faults__every_io_fault_leaves_one_sound_revision(void **state)
{
    long failed, n;

    (void)state;
    faults_injected = 0;
    n = every_fault(0, &failed);
    printf("# one failing call: %ld points of a full upgrade, %ld faults injected, %ld "
           "upgrades failed, all sound, rows lost: 0\n",
           n, faults_injected, failed);
    assert_true(n > 100);
}

static void test_faults__failing_disk_leaves_one_sound_revision(void **state)
{
    long failed, n;

    (void)state;
    faults_injected = 0;
    n = every_fault(1, &failed);
    printf("# every call failing from the N-th on: %ld points, %ld faults injected, %ld "
           "upgrades failed, all sound, rows lost: 0\n",
           n, faults_injected, failed);
    assert_true(n > 100);
    assert_true(failed > n * 9 / 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_faults__failing_revision_rolls_back_exactly_itself,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults__every_io_fault_leaves_one_sound_revision,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults__failing_disk_leaves_one_sound_revision,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
