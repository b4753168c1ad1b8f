#!/usr/bin/env bash
# The benchmarks of issue 6 (B1-B6): strata against a floor measured in the same run.
#
#   bash tests/bench/run.sh [--runs N] [--only B1,B4,...] [--no-write]
#
# Needs the packages .ci/run installs (meson ninja-build gcc pkg-config libclang-dev
# libjansson-dev libsqlite3-dev sqlite3 libcmocka-dev) plus `clang` (the B1/B2 floor,
# the same version as libclang) and `binutils` (strip); as root on Debian it installs
# whatever of these is missing. It configures a release build of this repository in
# build-bench/ (-Dbuildtype=release; STRATA_BENCH_BUILD overrides the folder), builds
# it, and runs tests/bench/bench.py, which works in a temporary folder, prints a
# Markdown table and updates tests/bench/RESULTS.md between its markers (unless
# --no-write). Not part of `meson test`: it takes a few minutes and wants a quiet
# machine. Exit status 1 when a target was missed.
set -euo pipefail

PACKAGES=(meson ninja-build gcc pkg-config libclang-dev libjansson-dev libsqlite3-dev
          sqlite3 libcmocka-dev clang binutils)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${STRATA_BENCH_BUILD:-$repo/build-bench}
write=(--write "$repo/tests/bench/RESULTS.md")
args=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --no-write) write=() ;;
    --runs | --only) args+=("$1" "$2"); shift ;;
    *) echo "usage: $0 [--runs N] [--only B1,B2,...] [--no-write]" >&2; exit 2 ;;
    esac
    shift
done

install_packages() {
    local missing=() p
    command -v dpkg-query >/dev/null || return 0
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "bench: error: missing packages: ${missing[*]} (run as root, or install them)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
}

install_packages
# The benchmarks measure the SQLite app: a libstrata without the PostgreSQL dialect, so
# the apps link with -lsqlite3 alone and B6 counts only what a SQLite app carries.
if [[ -f $build/build.ninja ]]; then
    meson configure "$build" -Dbuildtype=release -Db_sanitize=none -Dpostgresql=disabled \
        >/dev/null
else
    meson setup "$build" "$repo" -Dbuildtype=release -Dpostgresql=disabled >/dev/null
fi
ninja -C "$build" generator/strata runtime/libstrata.a >/dev/null
exec python3 "$repo/tests/bench/bench.py" --repo "$repo" --build "$build" "${args[@]}" \
    "${write[@]}"
