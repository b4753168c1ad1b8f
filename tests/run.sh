#!/usr/bin/env bash
# The README's second command: the whole test suite, plain and under AddressSanitizer
# and UBSan.
#
# Run it from anywhere (as root on a fresh Debian 12 it first installs the packages the
# build needs). It configures build-test/ (plain) and build-test-asan/ (sanitizers) in
# the repository root, both with --check on the example's build step (a model change
# without a committed migration is a failure), runs every test in each without stopping
# at the first failure, and ends with one line, `N passed, N failed`, counted from
# meson's testlog.json files. The exit status is non-zero when a test failed or a build
# did not complete.
#
# The PostgreSQL tests need a server: unless STRATA_TEST_PG_URL names one, a throwaway
# cluster is created in a temporary folder (as the `postgres` user when run as root),
# listening only on a Unix socket there, and stopped and removed on exit, whatever
# happened. Without PostgreSQL's binaries the tests are skipped, and the reason printed.
set -uo pipefail

PACKAGES=(meson ninja-build gcc pkg-config libclang-dev libjansson-dev libsqlite3-dev
          sqlite3 libcmocka-dev postgresql libpq-dev)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="build-test"

# Reports a failure before the tests could run, keeping the closing line's shape.
die() {
    printf 'tests/run.sh: error: %s\n' "$*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

# Installs the Debian packages that are missing; does nothing when all are present.
install_packages() {
    local missing=() p
    command -v dpkg-query >/dev/null || return 0
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]} (run as root, or install them)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update || die "apt-get update failed"
    apt-get install -y "${PACKAGES[@]}" || die "apt-get install failed"
}

# The throwaway cluster: its folder, the command prefix that runs as its owner.
pg_dir=""
pg_bin=""
as_owner=()

stop_postgres() {
    [[ -n $pg_dir ]] || return 0
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$pg_dir"
    pg_dir=""
}

# Starts a cluster and exports STRATA_TEST_PG_URL; on failure prints why the PostgreSQL
# tests will be skipped and carries on.
start_postgres() {
    local port=54329 why=""
    if [[ -n ${STRATA_TEST_PG_URL:-} ]]; then
        echo "tests/run.sh: PostgreSQL tests use STRATA_TEST_PG_URL from the environment"
        return 0
    fi
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z $pg_bin || ! -x $pg_bin/initdb ]]; then
        why="no PostgreSQL server found (Debian package postgresql)"
    elif [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        why="running as root and there is no 'postgres' user to own a cluster"
    fi
    if [[ -z $why ]]; then
        pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/strata-pg.XXXXXX")
        trap stop_postgres EXIT
        if [[ $(id -u) -eq 0 ]]; then
            chown postgres "$pg_dir"
            as_owner=(runuser -u postgres --)
        fi
        if ! "${as_owner[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U strata \
                >"$pg_dir/initdb.log" 2>&1; then
            why="initdb failed: $(tail -n 3 "$pg_dir/initdb.log")"
        elif ! "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" \
                -o "-p $port -k $pg_dir -c listen_addresses=''" -w start >/dev/null; then
            why="the server did not start: $(tail -n 3 "$pg_dir/server.log")"
        elif ! "${as_owner[@]}" "$pg_bin/createdb" -h "$pg_dir" -p "$port" -U strata \
                strata_test; then
            why="createdb failed"
        fi
    fi
    if [[ -n $why ]]; then
        stop_postgres
        echo "tests/run.sh: PostgreSQL tests will be SKIPPED: $why"
        return 0
    fi
    export STRATA_TEST_PG_URL="postgresql:///strata_test?host=$pg_dir&port=$port&user=strata"
    echo "tests/run.sh: PostgreSQL cluster at $pg_dir (port $port)"
}

install_packages
cd "$repo" || die "cannot enter $repo"
start_postgres

# run_suite DIR MESON_OPTION...: configures DIR in the repository root (again when it
# exists), builds everything and runs every test without stopping at the first failure.
# Sets `status` non-zero when meson test failed; dies when the build did not complete.
status=0
logs=()
run_suite() {
    local dir=$1
    shift
    if [[ -f $dir/build.ninja ]]; then
        meson configure "$dir" "$@" || die "meson configure $dir failed"
    else
        meson setup "$dir" "$@" || die "meson setup $dir failed"
    fi
    # A stale log from an earlier run must not be counted if this build fails.
    rm -f "$dir/meson-logs/testlog.json"
    # `meson test` builds only what tests need: build everything, so the example app and
    # its `strata generate --check` step are part of the run.
    ninja -C "$dir" || die "the build in $dir failed (see above)"
    meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 || status=1
    [[ -f $dir/meson-logs/testlog.json ]] || die "no test ran in $dir (see above)"
    logs+=("$dir/meson-logs/testlog.json")
}

# The suite twice: a plain build, then a second build directory under AddressSanitizer
# and UndefinedBehaviorSanitizer (leaks included). Both with --check on the build step.
run_suite "$build" -Db_sanitize=none -Dstrata_check=true
run_suite "$build-asan" -Db_sanitize=address,undefined -Db_lundef=false -Dstrata_check=true

python3 - "${logs[@]}" <<'EOF'
import json
import sys

passed = failed = skipped = expected = 0
failures = []
skipped_names = []
for path in sys.argv[1:]:
    build = path.split("/")[0]
    with open(path, encoding="utf-8") as log:
        lines = [line for line in log if line.strip()]
    for line in lines:
        test = json.loads(line)
        result = test.get("result")
        if result == "OK":
            passed += 1
        elif result == "SKIP":
            skipped += 1
            skipped_names.append("%s: %s" % (build, test.get("name")))
        elif result == "EXPECTEDFAIL":
            expected += 1
        else:
            failed += 1
            failures.append("%s: %s (%s)" % (build, test.get("name"), result))
for name in failures:
    print("failed: " + name)
for name in skipped_names:
    print("skipped: " + name)
if skipped or expected:
    print("%d skipped, %d expected failures" % (skipped, expected))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
summary=$?
if [[ $status -ne 0 && $summary -eq 0 ]]; then
    exit "$status"
fi
exit "$summary"
