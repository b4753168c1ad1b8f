#!/bin/sh
# Generator atomicity (issue 5 §4): `strata migrate` and `strata generate` killed with
# SIGKILL at each of their file-system effects (tests/gen_kill_shim.c, preloaded: every
# write, fsync, link, rename, unlink, mkdir and rmdir under the project; a write also
# killed half-way) leave the project either exactly as before, exactly as a complete run
# leaves it, or in a state `strata check` names (exit 1) and a rerun of the same command
# repairs (exit 0, then `strata check` exits 0). For `generate`, whose revision id is
# random, "complete" is a state the rerun does not change, and its own output (out.c,
# out.d) may also be left out of date without `check` noticing: the build reruns it, as
# the depfile lists schema.json. Never a partial file; a temporary `X.tmp` only when a
# kill fell between naming it and renaming it over X, holding X's final bytes, and gone
# after the rerun.
# usage: test_gen_atomic.sh STRATA SHIM.so
set -u
strata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shim=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-gen-atomic.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The shim is preloaded into a sanitized generator too.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0"
export SOURCE_DATE_EPOCH=0
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}

# Every file under the project but the test's own logs, with its checksum.
tree_state() {
    (cd "$1" && find . -path ./log -prune -o -type f -print | LC_ALL=C sort |
        while read -r f; do printf '%s %s\n' "$f" "$(cksum < "$f")"; done)
}

# The project before the command: one revision, models changed since.
template=$tmp/template
mkdir -p "$template/models" "$template/log"
cd "$template" || exit 1
cat > models/model.h <<'H'
#include <stdint.h>
#include <strata/model.h>
struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};
H
"$strata" init > /dev/null && "$strata" migrate -m one --rev-id rev1 > /dev/null 2>&1 &&
    "$strata" generate -o out.c --depfile out.d > /dev/null 2>&1 || {
    echo "FAIL: cannot set up the project"; exit 1; }
cat > models/model.h <<'H'
#include <stdint.h>
#include <strata/model.h>
struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
    int born STRATA_FIELD(default = 0);
};
struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    int64_t author_id STRATA_FIELD(references = author.id);
};
H
old=$(tree_state "$template")

# check_killed WHERE NEW COMMAND...: classifies the project in the current folder after
# a kill (NEW: the complete run's state, or "" when it is not deterministic).
check_killed() {
    where=$1
    want=$2
    shift 2
    state=$(tree_state .)
    if [ "$state" = "$old" ]; then
        n_old=$((n_old + 1))
        return
    fi
    "$strata" check > log/check.out 2> log/check.err
    check_rc=$?
    find . -name '*.tmp' -type f > log/tmps
    i=0
    while read -r t; do
        i=$((i + 1))
        cp "$t" "log/tmp.$i"
    done < log/tmps
    if ! "$@" > log/rerun.out 2> log/rerun.err; then
        fail "$where: the rerun does not repair it:"
        sed 's/^/    /' log/check.err log/rerun.err
        return
    fi
    if ! "$strata" check > log/check2.out 2> log/check2.err; then
        fail "$where: check fails after the rerun:"
        sed 's/^/    /' log/check2.err
        return
    fi
    after=$(tree_state .)
    if printf '%s\n' "$after" | grep -q '\.tmp '; then
        fail "$where: a temporary file outlives the rerun"
    fi
    i=0
    while read -r t; do
        i=$((i + 1))
        cmp -s "log/tmp.$i" "${t%.tmp}" ||
            fail "$where: $t was left without the final bytes of ${t%.tmp}"
    done < log/tmps
    if [ "$state" = "$after" ] && [ -s log/tmps ]; then
        fail "$where: a temporary file was left"
    elif [ "$state" = "$after" ]; then
        [ -z "$want" ] || [ "$state" = "$want" ] ||
            fail "$where: a complete state that differs from the uninterrupted run's"
        n_new=$((n_new + 1))
    elif [ "$check_rc" -eq 1 ]; then
        n_repaired=$((n_repaired + 1))
    elif [ "$(printf '%s\n' "$state" | grep -v -e '^\./out\.[cd] ' -e '\.tmp ')" = \
           "$(printf '%s\n' "$after" | grep -v -e '^\./out\.[cd] ')" ] && [ -z "$want" ]; then
        n_stale=$((n_stale + 1))
    else
        fail "$where: check passes on a state the rerun changes:"
        printf '%s\n' "$state" | sed 's/^/    /'
    fi
}

# scenario NAME DETERMINISTIC COMMAND...: kills COMMAND at each counted call, both ways.
scenario() {
    name=$1
    deterministic=$2
    shift 2
    rm -rf "$tmp/new" && cp -a "$template" "$tmp/new" && cd "$tmp/new" || exit 1
    "$@" > log/out 2> log/err || { fail "$name: the uninterrupted run failed"; cat log/err; }
    new=
    [ "$deterministic" = 1 ] && new=$(tree_state "$tmp/new")
    rm -rf "$tmp/count" && cp -a "$template" "$tmp/count" && cd "$tmp/count" || exit 1
    STRATA_KILL_DIR=$tmp/count STRATA_KILL_COUNT=$tmp/calls LD_PRELOAD=$shim "$@" \
        > log/out 2> log/err
    total=$(cat "$tmp/calls")
    [ "$total" -ge 3 ] || fail "$name: only $total counted calls"
    n_old=0 n_new=0 n_repaired=0 n_stale=0
    k=1
    while [ "$k" -le "$total" ]; do
        for partial in 0 1; do
            work=$tmp/work
            rm -rf "$work" && cp -a "$template" "$work" && cd "$work" || exit 1
            STRATA_KILL_DIR=$work STRATA_KILL_AT=$k STRATA_KILL_PARTIAL=$partial \
                LD_PRELOAD=$shim "$@" > log/out 2> log/err
            rc=$?
            where="$name killed at call $k/$total (partial write: $partial)"
            if [ "$rc" -ne 137 ]; then
                fail "$where: exit $rc, not killed"
            else
                check_killed "$where" "$new" "$@"
            fi
        done
        k=$((k + 1))
    done
    echo "# $name: $total calls x 2 kills: $n_old old state, $n_new complete," \
         "$n_repaired named by check and repaired by a rerun, $n_stale with only the" \
         "build output out of date"
}

scenario migrate 1 "$strata" migrate -m two --rev-id rev2
scenario generate 0 "$strata" generate -o out.c --depfile out.d
[ "$failed" -eq 0 ]
