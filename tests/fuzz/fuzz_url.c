/*
 * Fuzz target: the runtime's database URL parser (strata_url_parse). Whatever the
 * bytes, it returns a dialect and a path or a usage error, never crashes or leaks.
 */
#include <stdlib.h>
#include <string.h>

#include <strata/strata.h>

#include "dialect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct strata_dialect *dialect = NULL;
    struct strata_error err = { 0 };
    char *url = malloc(size + 1);
    char *path = NULL;

    if (url == NULL)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    if (strata_url_parse(&dialect, &path, url, &err) == 0) {
        if (dialect == NULL || path == NULL)
            abort();
    } else if (path != NULL || err.message[0] == '\0') {
        abort();
    }
    free(path);
    free(url);
    return 0;
}
