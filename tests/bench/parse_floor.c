/*
 * Benchmark floor for B3 (tests/bench/run.sh): the least a libclang-based generator can
 * do for a model header. Loads libclang, parses the header with the flags strata uses
 * (-DSTRATA_GENERATOR, plus the -I that finds <strata/model.h>), walks every cursor of
 * the main file, and exits.
 *
 * Usage: parse_floor HEADER INCLUDE_DIR
 */
#include <stdio.h>
#include <string.h>

#include <clang-c/Index.h>

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    if (!clang_Location_isFromMainFile(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    ++*(unsigned *)data;
    return CXChildVisit_Recurse;
}

int main(int argc, char **argv)
{
    char include[4096];
    const char *args[4];
    CXIndex index;
    CXTranslationUnit tu = NULL;
    unsigned cursors = 0;

    if (argc != 3)
        return 2;
    snprintf(include, sizeof include, "-I%s", argv[2]);
    args[0] = "-xc";
    args[1] = "-std=c11";
    args[2] = "-DSTRATA_GENERATOR";
    args[3] = include;
    index = clang_createIndex(0, 0);
    if (clang_parseTranslationUnit2(index, argv[1], args, 4, NULL, 0,
                                    CXTranslationUnit_SkipFunctionBodies, &tu) != CXError_Success)
        return 1;
    clang_visitChildren(clang_getTranslationUnitCursor(tu), visit, &cursors);
    clang_disposeTranslationUnit(tu);
    clang_disposeIndex(index);
    return cursors == 0;
}
