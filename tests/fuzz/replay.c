/*
 * A plain main() for the fuzz targets, so any compiler builds them: runs the target
 * once on each file named on the command line, or on every file of each folder named.
 * meson's fuzz_replay_* tests replay the committed corpus (tests/fuzz/corpus/<target>/)
 * this way, under the build's sanitizers. Exits 1 when a file cannot be read.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Runs the target on the bytes of `path`; 0, or -1 when it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t size = 0, cap = 0, n;

    if (f == NULL)
        return -1;
    for (;;) {
        if (size == cap) {
            unsigned char *p = realloc(data, cap ? cap * 2 : 4096);

            if (p == NULL) {
                free(data);
                fclose(f);
                return -1;
            }
            data = p;
            cap = cap ? cap * 2 : 4096;
        }
        n = fread(data + size, 1, cap - size, f);
        if (n == 0)
            break;
        size += n;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    long files = 0;
    int i;

    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR *dir;
        struct dirent *e;

        if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) != 0) {
                fprintf(stderr, "cannot read %s\n", argv[i]);
                return 1;
            }
            files++;
            continue;
        }
        dir = opendir(argv[i]);
        if (dir == NULL) {
            fprintf(stderr, "cannot read %s\n", argv[i]);
            return 1;
        }
        while ((e = readdir(dir)) != NULL) {
            char path[4096];

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (run_file(path) != 0) {
                fprintf(stderr, "cannot read %s\n", path);
                closedir(dir);
                return 1;
            }
            files++;
        }
        closedir(dir);
    }
    printf("%ld inputs replayed\n", files);
    return 0;
}
