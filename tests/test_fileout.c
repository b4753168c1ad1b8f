/*
 * Unit tests of the generator's file output (fileout.c): atomic replace, unchanged
 * bytes keep the file (and its mtime) untouched, no `.tmp` left behind, and the
 * exclusive lock on a directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include <strata/strata.h>

#include "diag.h"
#include "fileout.h"

struct fixture {
    char dir[64];
    char path[128];
    struct diag d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    strcpy(f->dir, "/tmp/test_fileout.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/out.c", f->dir);
    diag_init(&f->d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void test_fileout__writes_and_reads_back(void **state)
{
    struct fixture *f = *state;
    char *text = NULL, tmp[160];
    size_t len = 0;
    bool changed = false;

    assert_int_equal(fileout_write(f->path, "hello\n", 6, &changed, &f->d), 0);
    assert_true(changed);
    assert_int_equal(fileout_read(&text, &len, f->path, &f->d), 0);
    assert_int_equal(len, 6);
    assert_string_equal(text, "hello\n");
    free(text);
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_equal(fileout_read(&text, NULL, "/nonexistent/x", &f->d), STRATA_ENOTFOUND);
    assert_int_equal(f->d.errors, 0);
}

static void test_fileout__unchanged_bytes_keep_mtime(void **state)
{
    struct fixture *f = *state;
    struct timeval old[2] = { { 1000000, 0 }, { 1000000, 0 } };
    struct stat st;
    bool changed = true;
    char *text = NULL;

    assert_int_equal(fileout_write(f->path, "same", 4, NULL, &f->d), 0);
    assert_int_equal(utimes(f->path, old), 0);
    assert_int_equal(fileout_write(f->path, "same", 4, &changed, &f->d), 0);
    assert_false(changed);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mtime, 1000000);
    /* A prefix is a change, and so is an extension. */
    assert_int_equal(fileout_write(f->path, "sam", 3, &changed, &f->d), 0);
    assert_true(changed);
    assert_int_equal(fileout_write(f->path, "samex", 5, &changed, &f->d), 0);
    assert_true(changed);
    assert_int_equal(fileout_read(&text, NULL, f->path, &f->d), 0);
    assert_string_equal(text, "samex");
    free(text);
}

static void test_fileout__failure_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    char path[160];

    f->d.out = fopen("/dev/null", "w");
    snprintf(path, sizeof path, "%s/missing/out.c", f->dir);
    assert_int_equal(fileout_write(path, "x", 1, NULL, &f->d), STRATA_ERROR);
    assert_int_equal(f->d.errors, 1);
    fclose(f->d.out);
}

static void test_fileout__lock_is_exclusive(void **state)
{
    struct fixture *f = *state;
    int fd = fileout_lock(f->dir, &f->d), other;

    assert_true(fd >= 0);
    other = open(f->dir, O_RDONLY | O_DIRECTORY);
    assert_true(other >= 0);
    assert_int_not_equal(flock(other, LOCK_EX | LOCK_NB), 0);
    fileout_unlock(fd);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
    close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fileout__writes_and_reads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fileout__unchanged_bytes_keep_mtime, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fileout__failure_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fileout__lock_is_exclusive, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
