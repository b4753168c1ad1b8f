#!/usr/bin/env bash
# The build step as a user's project runs it (DESIGN 1.5, issue 6): tests/meson_consumer/
# built by meson and ninja against an installed strata.
#
# Usage: test_build_step.sh STRATA INCLUDE_DIR LIBSTRATA_SO STRATA_PC CONSUMER [SANITIZE]
#   STRATA        the built generator
#   INCLUDE_DIR   the runtime's public headers (the folder holding strata/)
#   LIBSTRATA_SO  the built shared libstrata (libstrata.so.X.Y.Z)
#   STRATA_PC     the strata.pc this build would install (meson-private/strata.pc)
#   CONSUMER      tests/meson_consumer
#   SANITIZE      this build's b_sanitize value ('none' or e.g. 'address,undefined'),
#                 which the consumer must use too to link the instrumented libstrata
#
# It "installs" strata into a temporary prefix (strata on PATH, headers, libstrata and a
# strata.pc whose prefix points there), copies the consumer into a temporary folder,
# creates its history with `strata init` + `strata migrate`, and proves, one TAP line
# each: a second ninja does no work; touching a header a model includes reruns the
# generator, which keeps its output's mtime (nothing recompiled from it, nothing
# written in generated/); a model change writes a revision and relinks the app; a hand
# revision (`strata revision -m`) is picked up; generate and migrate wait for DIR's lock; two build
# directories running generate at once write one revision, not two; with
# -Dstrata_check=true a pending model change fails the build naming the command to run,
# which works. The repository is never written to.
set -uo pipefail

if [[ $# -lt 5 ]]; then
    echo "usage: $0 STRATA INCLUDE_DIR LIBSTRATA_SO STRATA_PC CONSUMER [SANITIZE]" >&2
    exit 2
fi
# meson passes build-tree paths relative to the build folder: pin them before cd.
strata=$(realpath "$1")
include_dir=$(realpath "$2")
libstrata_so=$(realpath "$3")
strata_pc=$(realpath "$4")
consumer=$(realpath "$5")
sanitize=${6:-none}
[[ -n $sanitize ]] || sanitize=none

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-build-step.XXXXXX")
lock_pid=
cleanup() {
    if [[ -n $lock_pid ]]; then kill "$lock_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    printf 'not ok %d - %s\n' "$n" "$1"
    if [[ $# -gt 1 && -f $2 ]]; then sed 's/^/# /' "$2"; fi
}
# check DESCRIPTION LOG CMD...: one TAP line for whether CMD succeeds; LOG is shown on
# failure.
check() {
    local desc=$1 log=$2
    shift 2
    if "$@"; then ok "$desc"; else not_ok "$desc" "$log"; fi
}
# quiet LOG CMD...: runs CMD with its output in LOG.
quiet() {
    local log=$1
    shift
    "$@" >"$log" 2>&1
}
# bail REASON: the rest cannot run; ends the plan here.
bail() {
    printf 'Bail out! %s\n' "$1"
    exit 1
}

# ---- an installed strata in a temporary prefix ----
prefix=$work/prefix
mkdir -p "$prefix/bin" "$prefix/include/strata" "$prefix/lib/pkgconfig" || bail "mkdir"
ln -s "$strata" "$prefix/bin/strata"
cp "$include_dir"/strata/*.h "$prefix/include/strata/"
so_name=$(basename "$libstrata_so")
cp "$libstrata_so" "$prefix/lib/"
ln -s "$so_name" "$prefix/lib/${so_name%.*.*}" # libstrata.so.0
ln -s "$so_name" "$prefix/lib/libstrata.so"
# shellcheck disable=SC2016 # ${prefix} is pkg-config's variable, not the shell's
sed -e "s|^prefix=.*|prefix=$prefix|" -e 's|^libdir=.*|libdir=${prefix}/lib|' \
    "$strata_pc" >"$prefix/lib/pkgconfig/strata.pc"
export PATH="$prefix/bin:$PATH"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export SOURCE_DATE_EPOCH=1700000000
unset STRATA_DATABASE_URL MESON_TEST_ITERATION

proj=$work/notes
cp -r "$consumer" "$proj" || bail "cannot copy $consumer"
cd "$proj" || bail "cannot enter $proj"
versions=$proj/generated/versions

setup_opts=()
if [[ $sanitize != none ]]; then setup_opts=("-Db_sanitize=$sanitize" -Db_lundef=false); fi

# revisions: how many revision files generated/ holds.
revisions() { find "$versions" -name '*.c' | wc -l; }
# mtime FILE: nanosecond modification time.
mtime() { stat -c %y "$1"; }
# nothing_to_do BUILD: `ninja -n` plans no command.
nothing_to_do() { ninja -C "$1" -n >"$work/n.log" 2>&1 && grep -q 'no work to do' "$work/n.log"; }
# The filesystem's mtime granularity is fine, but be sure an edit is strictly newer.
tick() { sleep 0.05; }

if ! { strata init && strata -I include migrate -m "create note"; } >"$work/init.log" 2>&1; then
    not_ok "strata init and migrate create the consumer's history" "$work/init.log"
    bail "no history"
fi
ok "strata init and migrate create the consumer's history"

# ---- 1. the first build, then a no-op ----
if ! meson setup "${setup_opts[@]}" build >"$work/setup.log" 2>&1; then
    not_ok "meson setup finds strata (PATH) and libstrata (pkg-config)" "$work/setup.log"
    bail "no build"
fi
ok "meson setup finds strata (PATH) and libstrata (pkg-config)"
check "the first ninja builds the app" "$work/build.log" \
    quiet "$work/build.log" ninja -C build
check "the app upgrades its database" "$work/app.log" \
    quiet "$work/app.log" build/notes db upgrade
check "a second ninja with no change does no work (ninja -n)" "$work/n.log" \
    nothing_to_do build

# ---- 2. touching a header that a model includes ----
gen_before=$(mtime build/migrations.c)
snap_before=$(mtime generated/schema.json)
obj=$(find build -name '*migrations.c.o' | head -n 1)
obj_before=$(mtime "$obj")
tick
touch include/notes/limits.h
ninja -C build >"$work/touch.log" 2>&1
check "touching a header a model includes reruns the generator" "$work/touch.log" \
    grep -q 'Generating migrations' "$work/touch.log"
check "an output whose bytes did not change keeps its mtime" "$work/touch.log" \
    test "$(mtime build/migrations.c)" = "$gen_before"
check "so the generated file is not recompiled" "$work/touch.log" \
    test "$(mtime "$obj")" = "$obj_before"
check "and generate writes nothing in generated/" "$work/touch.log" \
    test "$(mtime generated/schema.json)" = "$snap_before"
check "the next ninja does no work" "$work/n.log" nothing_to_do build

# ---- 3. a model change, --check off ----
app_before=$(mtime build/notes)
tick
sed -i 's|^    char \*body;|    char *body;\n    char *author;|' models/note.h
ninja -C build >"$work/model.log" 2>&1
status=$?
check "a model change builds (the check is off)" "$work/model.log" test "$status" -eq 0
check "it writes one new revision" "$work/model.log" test "$(revisions)" -eq 2
check "and relinks the app" "$work/model.log" test "$(mtime build/notes)" != "$app_before"
build/notes db upgrade >"$work/app.log" 2>&1
check "the relinked app applies the new revision" "$work/app.log" \
    grep -q "Running upgrade .*add column note.author" "$work/app.log"
check "the next ninja does no work" "$work/n.log" nothing_to_do build

# ---- 4. a revision added by hand ----
strata revision -m "fill authors" >"$work/rev.log" 2>&1 || not_ok "strata revision -m" "$work/rev.log"
app_before=$(mtime build/notes)
ninja -C build >"$work/hand.log" 2>&1
check "a revision added by hand reruns the generator and relinks the app" "$work/hand.log" \
    test "$(mtime build/notes)" != "$app_before"
build/notes db upgrade >"$work/app.log" 2>&1
check "the app applies the hand-written revision" "$work/app.log" \
    grep -q "Running upgrade .*fill authors" "$work/app.log"
check "the next ninja does no work" "$work/n.log" nothing_to_do build

# ---- 5. generate waits for DIR's lock ----
# flock(1) holds the lock generate takes (an exclusive flock on DIR) for a moment.
flock generated -c "touch '$work/locked'; sleep 1.5" &
lock_pid=$!
for _ in $(seq 500); do [[ -f $work/locked ]] && break; sleep 0.02; done
strata -I include generate -o "$work/locked.c" >"$work/lock.log" 2>&1 &
gen_pid=$!
strata -I include migrate -m "nothing" >"$work/lock-migrate.log" 2>&1 &
migrate_pid=$!
sleep 0.7
if kill -0 "$gen_pid" 2>/dev/null && [[ ! -e $work/locked.c ]]; then
    ok "generate waits while another process holds DIR's lock"
else
    not_ok "generate waits while another process holds DIR's lock" "$work/lock.log"
fi
check "so does migrate" "$work/lock-migrate.log" kill -0 "$migrate_pid"
wait "$gen_pid"
check "and runs once the lock is released" "$work/lock.log" test -s "$work/locked.c"
wait "$migrate_pid"
check "migrate then finds no change" "$work/lock-migrate.log" \
    grep -q 'No changes in schema detected' "$work/lock-migrate.log"
wait "$lock_pid"
lock_pid=

# ---- 6. two build directories running generate at once ----
meson setup "${setup_opts[@]}" build2 >"$work/setup2.log" 2>&1 &&
    ninja -C build2 >"$work/build2.log" 2>&1
check "a second build directory builds" "$work/build2.log" nothing_to_do build2
tick
sed -i 's|^    char \*author;|    char *author;\n    char *tags;|' models/note.h
# Both generates start while the lock is held, so they are sure to overlap; the one
# that gets the lock second must read the new snapshot and find nothing to do.
rm -f "$work/locked"
flock generated -c "touch '$work/locked'; sleep 1" &
lock_pid=$!
for _ in $(seq 500); do [[ -f $work/locked ]] && break; sleep 0.02; done
ninja -C build >"$work/race1.log" 2>&1 &
pid1=$!
ninja -C build2 >"$work/race2.log" 2>&1 &
pid2=$!
wait "$pid1"
status1=$?
wait "$pid2"
status2=$?
wait "$lock_pid"
lock_pid=
cat "$work/race1.log" "$work/race2.log" >"$work/race.log"
check "both builds succeed" "$work/race.log" test "$status1" -eq 0 -a "$status2" -eq 0
check "they write one revision, not two" "$work/race.log" test "$(revisions)" -eq 4
check "one of them autogenerated it" "$work/race.log" \
    test "$(grep -c "Detected added column 'note.tags'" "$work/race.log")" -eq 1
check "both compiled the same history" "$work/race.log" cmp -s build/migrations.c build2/migrations.c
check "then neither build has work to do" "$work/n.log" \
    eval 'nothing_to_do build && nothing_to_do build2'

# ---- 7. -Dstrata_check=true ----
meson configure build -Dstrata_check=true >"$work/conf.log" 2>&1 ||
    not_ok "meson configure -Dstrata_check=true" "$work/conf.log"
ninja -C build >"$work/conf.log" 2>&1
check "with the check on and no pending change, the build passes" "$work/conf.log" \
    nothing_to_do build
tick
sed -i 's|^    char \*tags;|    char *tags;\n    char *source;|' models/note.h
ninja -C build >"$work/check.log" 2>&1
status=$?
check "a pending model change fails the build" "$work/check.log" test "$status" -ne 0
check "and writes no revision" "$work/check.log" test "$(revisions)" -eq 4
fix=$(sed -n 's/.*models changed since the last revision; run: \(strata .*migrate -m .*\)$/\1/p' \
    "$work/check.log")
check "the failure names the command to run" "$work/check.log" test -n "$fix"
(cd "$work" && eval "$fix") >"$work/fix.log" 2>&1
check "that command, run from anywhere, writes the revision" "$work/fix.log" \
    test "$(revisions)" -eq 5
ninja -C build >"$work/fixed.log" 2>&1
check "then the build passes" "$work/fixed.log" test $? -eq 0
check "and the next ninja does no work" "$work/n.log" nothing_to_do build

echo "1..$n"
[[ $failed -eq 0 ]]
