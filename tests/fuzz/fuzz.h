/*
 * What the fuzz targets share: the libFuzzer entry point each defines, and a sink for
 * the diagnostics they provoke. Built with clang's libFuzzer by tests/fuzz/run.sh, and
 * with replay.c's plain main() by meson, so every build replays the committed corpus.
 */
#ifndef STRATA_TESTS_FUZZ_H
#define STRATA_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* /dev/null opened once: diagnostics are part of the code under test, not output. */
static inline FILE *fuzz_sink(void)
{
    static FILE *sink;

    if (sink == NULL)
        sink = fopen("/dev/null", "w");
    return sink;
}

#endif
