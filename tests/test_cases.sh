#!/bin/sh
# Golden cases: every tests/cases/<name>/ holds after.h, optionally before.h, and either
# expected.c (the revision `strata migrate` must write, byte for byte) or expected.err
# (its exact stderr; exit 1 and no file under the project changed). Each case runs in a
# fresh project: init, before.h migrated as rev1, after.h migrated as rev2 with
# SOURCE_DATE_EPOCH=0. An optional setup.sh runs in the project just before rev2 (to
# break what models cannot: schema.json, revision files, the models folder). A mismatch
# prints a unified diff. Speaks TAP.
# Regenerating goldens is a deliberate step: with STRATA_UPDATE_GOLDENS=1 each named case
# gets expected.c (exit 0) or expected.err (exit 1) written from what strata did; review
# the diff before committing it.
# usage: [STRATA_UPDATE_GOLDENS=1] test_cases.sh STRATA CASES_DIR [CASE...]
set -u
strata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cases=$2
shift 2
n=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-cases.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A listing of every file under the project with its checksum and mtime.
tree_state() {
    (cd "$1" && find . -path ./out -prune -o -print | LC_ALL=C sort | while read -r f; do
        if [ -f "$f" ]; then
            printf '%s %s %s\n' "$f" "$(stat -c %y "$f")" "$(cksum < "$f")"
        else
            printf '%s\n' "$f"
        fi
    done)
}

run_case() {
    dir=$1
    proj=$tmp/$(basename "$dir")
    mkdir -p "$proj/models" "$proj/out" || return 1
    cd "$proj" || return 1
    "$strata" init > out/init.out 2> out/init.err || {
        echo "# strata init failed:"; sed 's/^/#   /' out/init.err; return 1; }
    if [ -f "$dir/before.h" ]; then
        cp "$dir/before.h" models/model.h
        if ! SOURCE_DATE_EPOCH=0 "$strata" migrate -m before --rev-id rev1 \
                > out/before.out 2> out/before.err; then
            echo "# migrate of before.h failed:"; sed 's/^/#   /' out/before.err; return 1
        fi
    fi
    cp "$dir/after.h" models/model.h
    if [ -f "$dir/setup.sh" ]; then
        sh "$dir/setup.sh" > out/setup.out 2>&1 || {
            echo "# setup.sh failed:"; sed 's/^/#   /' out/setup.out; return 1; }
    fi
    ls generated/versions > out/versions.before 2> /dev/null
    tree_state . > out/tree.before
    SOURCE_DATE_EPOCH=0 "$strata" migrate -m after --rev-id rev2 > out/after.out 2> out/after.err
    rc=$?
    if [ "${STRATA_UPDATE_GOLDENS:-0}" = 1 ]; then
        rm -f "$dir/expected.c" "$dir/expected.err"
        case $rc in
        0) ls generated/versions > out/versions.after
           new=$(comm -13 out/versions.before out/versions.after)
           cp "generated/versions/$new" "$dir/expected.c" ;;
        1) cp out/after.err "$dir/expected.err" ;;
        *) echo "# migrate exited $rc"; return 1 ;;
        esac
        echo "# regenerated"
        return 0
    fi
    if [ -f "$dir/expected.err" ]; then
        ok=0
        if [ "$rc" -ne 1 ]; then
            echo "# expected exit 1, got $rc"; ok=1
        fi
        if ! diff -u "$dir/expected.err" out/after.err > out/diff; then
            sed 's/^/# /' out/diff
            ok=1
        fi
        tree_state . > out/tree.after
        if ! cmp -s out/tree.before out/tree.after; then
            echo "# files changed although migrate failed:"
            diff -u out/tree.before out/tree.after | sed 's/^/# /'
            ok=1
        fi
        return $ok
    fi
    if [ ! -f "$dir/expected.c" ]; then
        echo "# case has neither expected.c nor expected.err"; return 1
    fi
    if [ "$rc" -ne 0 ]; then
        echo "# migrate exited $rc:"; sed 's/^/#   /' out/after.err; return 1
    fi
    ls generated/versions > out/versions.after
    new=$(comm -13 out/versions.before out/versions.after)
    if [ "$(printf '%s\n' "$new" | grep -c .)" -ne 1 ]; then
        echo "# expected one new revision file, got: $new"; return 1
    fi
    if ! diff -u "$dir/expected.c" "generated/versions/$new" > out/diff; then
        sed 's/^/# /' out/diff; return 1
    fi
    return 0
}

if [ $# -eq 0 ]; then
    set -- "$cases"/*/
fi
for c in "$@"; do
    c=${c%/}
    [ -f "$c/after.h" ] || continue
    c=$(cd "$c" && pwd)
    n=$((n + 1))
    if (run_case "$c"); then
        echo "ok $n - $(basename "$c")"
    else
        echo "not ok $n - $(basename "$c")"
        failed=$((failed + 1))
    fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
