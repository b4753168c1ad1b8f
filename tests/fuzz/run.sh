#!/bin/sh
# Runs the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang
# (-fsanitize=fuzzer,address,undefined) for SECONDS each (default 60), starting from the
# committed corpus (tests/fuzz/corpus/<target>/); new inputs that add coverage are
# merged back into it, minimized, for review and commit. Builds strata's libraries with
# clang under ASan and UBSan in BUILD (default build-fuzz/ in the repository). Prints
# each target's executions and coverage; exits 1 when a target crashes (the reproducer
# is left as BUILD/crash-*). Replaying the corpus needs no clang: meson's fuzz_replay_*
# tests do it with any compiler.
# usage: tests/fuzz/run.sh [SECONDS] [TARGET...]   (targets: annotate snapshot url target)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- annotate snapshot url target
build=${STRATA_FUZZ_BUILD:-$src/build-fuzz}
san=address,undefined
if [ ! -f "$build/build.ninja" ]; then
    # fuzzer-no-link: the libraries report coverage to libFuzzer too.
    CC=clang meson setup "$build" "$src" --buildtype=debugoptimized -Db_sanitize=$san \
        -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
        > "$build.setup.log" 2>&1 || { cat "$build.setup.log"; exit 1; }
fi
ninja -C "$build" generator/libstrata_gen.a runtime/libstrata.a > /dev/null
libs="$build/generator/libstrata_gen.a $build/runtime/libstrata.a"
deps="$(pkg-config --libs jansson sqlite3) -ldl -lpthread"
# A libstrata built with the PostgreSQL dialect (meson finds libpq) needs libpq too.
if ar t "$build/runtime/libstrata.a" | grep -q dialect_pg; then
    deps="$deps $(pkg-config --libs libpq)"
fi
status=0
for t in "$@"; do
    exe=$build/fuzz_$t
    clang -g -O1 -fsanitize=fuzzer,$san -fno-sanitize-recover=undefined -std=c11 \
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -I"$src/generator" -I"$src/runtime" -I"$src/runtime/include" -I"$src/tests/fuzz" \
        "$src/tests/fuzz/fuzz_$t.c" $libs $deps -o "$exe"
    corpus=$src/tests/fuzz/corpus/$t
    work=$build/corpus-$t
    mkdir -p "$work"
    echo "== $t: ${secs}s"
    if ! (cd "$build" && UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
          "$exe" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 \
          "$work" "$corpus" > "$build/fuzz_$t.log" 2>&1); then
        echo "$t: CRASH (see $build/fuzz_$t.log)"
        tail -40 "$build/fuzz_$t.log"
        status=1
        continue
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov: " "$build/fuzz_$t.log" |
        tail -3
    "$exe" -merge=1 "$corpus" "$work" > "$build/fuzz_$t.merge.log" 2>&1 || true
    echo "$t: corpus $(ls "$corpus" | wc -l) files"
done
exit $status
