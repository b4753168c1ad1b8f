#!/bin/sh
# Compiles revision files on their own as a user's compiler would see them:
# C99, -Wall -Wextra -pedantic -Werror (DESIGN 1.2: every emitted file compiles
# warning-free on gcc and clang).
# Usage: compile_revisions.sh CC INCLUDE_DIR FILE_OR_DIR...
#   a directory stands for every DIR/*/expected.c in it (the golden cases).
set -u
cc=$1
inc=$2
shift 2
status=0
count=0
for arg in "$@"; do
    if [ -d "$arg" ]; then
        files=$(ls "$arg"/*/expected.c 2>/dev/null)
    else
        files=$arg
    fi
    for f in $files; do
        count=$((count + 1))
        if ! "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -I"$inc" -c "$f" -o /dev/null; then
            echo "FAIL: $f" >&2
            status=1
        fi
    done
done
echo "$count revision file(s) compiled with $cc"
[ "$count" -gt 0 ] || { echo "no revision files found" >&2; exit 1; }
exit $status
