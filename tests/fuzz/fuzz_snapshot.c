/*
 * Fuzz target: the snapshot loader (snapshot_load) on arbitrary bytes as schema.json,
 * then, for what it accepts, snapshot_format: a loaded snapshot must format and load
 * back to the same bytes. The loader reads a path, so each input goes through one
 * temporary file of this process.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "schema.h"
#include "snapshot.h"

/* The temporary file, created once per process and removed at exit. */
static char path[64];

static void remove_file(void)
{
    unlink(path);
}

/* Writes `size` bytes to `path`; 0 or -1. */
static int put(const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    int rc = 0;

    if (f == NULL)
        return -1;
    if (size > 0 && fwrite(data, 1, size, f) != size)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strata_schema *s = NULL, *again = NULL;
    char *head = NULL, *head2 = NULL, *json = NULL, *json2 = NULL;
    struct diag d;

    if (path[0] == '\0') {
        int fd;

        snprintf(path, sizeof(path), "/tmp/strata-fuzz-snapshot.XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_file);
    }
    if (put(data, size) != 0)
        abort();
    diag_init(&d);
    d.out = fuzz_sink();
    if (snapshot_load(&s, &head, path, &d) != 0)
        return 0;
    /* Accepted: it formats, and the formatted text loads back to the same bytes. */
    if (snapshot_format(&json, s, head) == 0) {
        if (put(json, strlen(json)) != 0)
            abort();
        if (snapshot_load(&again, &head2, path, &d) != 0 ||
            snapshot_format(&json2, again, head2) != 0 || strcmp(json, json2) != 0)
            abort();
    }
    strata_schema_free(s);
    strata_schema_free(again);
    free(head);
    free(head2);
    free(json);
    free(json2);
    return 0;
}
