#!/usr/bin/env bash
# shellcheck disable=SC2016 # transcript lines show `$(...)` and `$PATH` literally
# The README's first command: the seed tutorial's loop, in C, as a newcomer runs it.
#
# Run it as root on a fresh Debian 12 from the repository root (bash examples/demo.sh).
# It installs the Debian packages strata needs when they are missing, builds the
# repository into build/ (reused when present), installs strata into a temporary
# prefix, then, in a temporary folder, annotates a struct, runs `strata init`,
# `strata migrate`, `strata generate`, builds an app against the installed libstrata
# and upgrades its database; adds a second model and does it again; and finally runs
# the repository's bookshelf example (built from the committed history in generated/)
# on a temporary SQLite file. Every step is printed as a transcript line (`$ ...`)
# before it runs. Any failure stops the demo with a non-zero exit status. The
# repository's tracked files are never modified: the build uses --check, so a model
# change without a committed migration fails instead of writing one.
set -euo pipefail

PACKAGES=(meson ninja-build gcc pkg-config libclang-dev libjansson-dev libsqlite3-dev
          sqlite3 libcmocka-dev)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=
prefix=

cleanup() {
    if [[ -n $work ]]; then rm -rf "$work"; fi
    if [[ -n $prefix ]]; then rm -rf "$prefix"; fi
}
trap cleanup EXIT

die() {
    printf 'demo: error: %s\n' "$*" >&2
    exit 1
}

# Quotes one word for the transcript only when the shell would need it.
shell_word() {
    if [[ $1 =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

# show NAME ARGS...: prints `$ NAME ARGS...`, then runs ARGS with NAME's program.
# `run CMD ARGS...` is the common case where the displayed name is the command itself.
show() {
    local name=$1 word line
    shift
    line="\$ $name"
    for word in "${@:2}"; do line+=" $(shell_word "$word")"; done
    printf '%s\n' "$line"
    "$@"
}
run() { show "$1" "$@"; }

# Prints a section heading between transcript parts.
section() { printf '\n### %s\n\n' "$*"; }

# Installs the Debian packages that are missing (all of them on a fresh system).
install_packages() {
    local missing=() p
    if ! command -v dpkg-query >/dev/null; then
        echo "demo: not a Debian system; assuming the build tools are installed" >&2
        return
    fi
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then return; fi
    if [[ $(id -u) -ne 0 ]]; then
        die "missing packages: ${missing[*]} (run as root, or install them first)"
    fi
    section "Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    run apt-get update
    run apt-get install -y "${PACKAGES[@]}"
}

install_packages

section "Building strata into build/ and installing it into a temporary prefix"
prefix=$(mktemp -d /tmp/strata-prefix.XXXXXX)
cd "$repo"
if [[ -f build/build.ninja ]]; then
    run meson configure build -Dprefix="$prefix" -Dstrata_check=true
else
    run meson setup build --prefix="$prefix" -Dstrata_check=true
fi
run ninja -C build
run meson install -C build --quiet

pcfile=$(find "$prefix" -name strata.pc -print -quit)
[[ -n $pcfile ]] || die "meson install did not install strata.pc"
libdir=$(dirname "$(dirname "$pcfile")")
export PATH="$prefix/bin:$PATH"
export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# A system prefix would need `ldconfig` instead; a temporary one needs the loader told.
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
unset STRATA_DATABASE_URL
printf '$ export PATH=%s/bin:$PATH\n' "$prefix"
printf '$ export PKG_CONFIG_PATH=%s\n' "$PKG_CONFIG_PATH"
printf '$ export LD_LIBRARY_PATH=%s\n' "$LD_LIBRARY_PATH"
command -v strata >/dev/null || die "strata was not installed into $prefix/bin"

work=$(mktemp -d /tmp/strata-demo.XXXXXX)
cd "$work"
section "A new project in $work: annotate a struct"
mkdir models
cat >models/author.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name; /* TEXT, nullable */
};
EOF
run cat models/author.h

section "Create the migration folder and the first revision"
run strata init
run strata migrate -m "create author"
revisions=(generated/versions/*.c)
run cat "${revisions[@]}"

section "Build the app: compile the history, link libstrata"
run strata generate -o migrations.c
cat >app.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include <strata/strata.h>
extern const struct strata_migrations strata_migrations; /* from `strata generate` */

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///app.db", &strata_migrations, argc - 2, argv + 2);
    puts("usage: ./app db COMMAND (try ./app db --help)");
    return 2;
}
EOF
run cat app.c
printf '%s\n' '$ cc app.c migrations.c $(pkg-config --cflags --libs strata) -o app'
# shellcheck disable=SC2046 # pkg-config's output is meant to be split into words
cc app.c migrations.c $(pkg-config --cflags --libs strata) -o app

section "Upgrade the database"
run ./app db upgrade
run sqlite3 app.db .schema
run ./app db current

section "Add a model, migrate, rebuild, upgrade"
cat >models/book.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201] STRATA_FIELD(index);
    int64_t author_id STRATA_FIELD(references = author.id, on_delete = cascade);
};
EOF
run cat models/book.h
run strata migrate -m "add book"
run strata history
run strata generate -o migrations.c
printf '%s\n' '$ cc app.c migrations.c $(pkg-config --cflags --libs strata) -o app'
# shellcheck disable=SC2046
cc app.c migrations.c $(pkg-config --cflags --libs strata) -o app
run ./app db upgrade
run sqlite3 app.db .schema
run ./app db history
run ./app db current

section "The repository's example: bookshelf, on a temporary SQLite file"
bookshelf="$repo/build/examples/bookshelf"
[[ -x $bookshelf ]] ||
    die "build/examples/bookshelf was not built (does $repo/generated/schema.json exist?)"
mkdir shelf
cd shelf
bs() { show bookshelf "$bookshelf" "$@"; }
bs db upgrade
bs author add "Ursula K. Le Guin"
bs author add "Terry Pratchett"
bs book add "A Wizard of Earthsea" 1 9.50
bs book add "The Left Hand of Darkness" 1 12
bs book add "Small Gods" 2 8.99
bs tag add fantasy
bs tag add classic
bs book tag 1 1
bs book tag 1 2
bs book tag 3 1
bs author list
bs book list
bs tag list
bs book tags 1
bs author rename 2 "Sir Terry Pratchett"
bs book delete 2
bs book list
bs db current
bs db downgrade
bs db history
bs db current
bs author list
printf '$ bookshelf tag list   # the tag tables are gone after the downgrade\n'
if "$bookshelf" tag list; then die "tag list worked after downgrading the tag revision"; fi
bs db upgrade
bs db current

section "Done"
echo "The demo ran in $work (removed on exit)."
