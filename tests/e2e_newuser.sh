#!/usr/bin/env bash
# End-to-end test: a newcomer's first project, from an annotated struct to a database.
#
# Usage: e2e_newuser.sh STRATA INCLUDE_DIR LIBSTRATA_A [CFLAGS]
#   STRATA       the built generator
#   INCLUDE_DIR  the runtime's public headers (the folder holding strata/)
#   LIBSTRATA_A  the built static libstrata
#   CFLAGS       extra flags for compiling and linking the app (the build's sanitizers)
#
# In an empty temporary folder it writes a model header, runs `strata init`, `migrate`
# and `generate`, compiles an app with -std=c99 -Wall -Wextra -pedantic -Werror, and
# checks with the sqlite3 CLI what `app db upgrade` built (columns, indexes, foreign
# keys, the VARCHAR length check, the cascade). It then adds a second revision (a new
# table and a new column), upgrades, and downgrades step by step, checking that rows
# survive and that `db downgrade base` leaves no table behind. Each assertion states
# what it expected; the first mismatch fails the test.
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 STRATA INCLUDE_DIR LIBSTRATA_A [CFLAGS]" >&2
    exit 2
fi
# meson passes build-tree paths relative to the build folder: pin them before cd.
strata=$(realpath "$1")
include_dir=$(realpath "$2")
libstrata=$(realpath "$3")
read -r -a extra_cflags <<<"${4:-}"
# What the static libstrata links against: sqlite3, and libpq when it was built with it.
libstrata_libs=(-lsqlite3)
if pkg-config --exists libpq 2>/dev/null; then
    libstrata_libs+=(-lpq)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export SOURCE_DATE_EPOCH=1700000000
unset STRATA_DATABASE_URL

fail() {
    printf 'e2e_newuser: FAIL: %s\n' "$*" >&2
    exit 1
}

# expect DESCRIPTION ACTUAL EXPECTED: fails showing both when they differ.
expect() {
    if [[ "$2" != "$3" ]]; then
        printf 'e2e_newuser: FAIL: %s\n--- expected\n%s\n--- actual\n%s\n---\n' "$1" "$3" "$2" >&2
        exit 1
    fi
    printf 'ok - %s\n' "$1"
}

# ok DESCRIPTION CMD...: runs CMD, which must succeed; its stdout lands in $out.
out=
ok() {
    local desc=$1 err
    shift
    err=$(mktemp)
    if ! out=$("$@" 2>"$err"); then
        printf 'e2e_newuser: FAIL: %s: command failed: %s\n' "$desc" "$*" >&2
        cat "$err" >&2
        rm -f "$err"
        exit 1
    fi
    rm -f "$err"
    printf 'ok - %s\n' "$desc"
}

# sql QUERY: runs QUERY on app.db with the sqlite3 CLI (foreign keys on), printing rows.
sql() {
    sqlite3 -batch -bail -cmd 'PRAGMA foreign_keys = ON' app.db "$1"
}

# The revision id recorded in a revision file.
revision_id() {
    sed -n 's/^ \* Revision ID: \([0-9a-z_]*\)$/\1/p' "$1"
}

build_app() {
    ok "strata generate writes migrations.c" "$strata" generate -o migrations.c
    [[ -f migrations.c ]] || fail "strata generate did not write migrations.c"
    ok "the app compiles warning-free with -std=c99 -Wall -Wextra -pedantic" \
        cc -std=c99 -Wall -Wextra -pedantic -Werror "${extra_cflags[@]}" -I"$include_dir" \
        -o app app.c migrations.c "$libstrata" "${libstrata_libs[@]}" "${extra_cflags[@]}"
}

# ---- revision 1: author ----

mkdir models
cat >models/author.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};
EOF

cat >app.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include <strata/strata.h>
extern const struct strata_migrations strata_migrations;

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///app.db", &strata_migrations, argc - 2, argv + 2);
    fputs("usage: app db COMMAND\n", stderr);
    return 2;
}
EOF

ok "strata init" "$strata" init
[[ -f generated/schema.json ]] || fail "strata init did not create generated/schema.json"
[[ -d generated/versions ]] || fail "strata init did not create generated/versions/"

ok "strata migrate -m 'create author'" "$strata" migrate -m "create author"
rev1_file=generated/versions/0001_create_author.c
[[ -f $rev1_file ]] || fail "strata migrate did not write $rev1_file (found: $(ls generated/versions))"
rev1=$(revision_id "$rev1_file")
[[ $rev1 =~ ^[0-9a-f]{12}$ ]] || fail "revision id '$rev1' in $rev1_file is not 12 hex digits"

ok "strata migrate with no model change" "$strata" migrate -m "nothing"
expect "no second revision without a model change" "$(ls generated/versions)" "0001_create_author.c"
ok "strata check is clean" "$strata" check

build_app

[[ ! -e app.db ]] || fail "app.db exists before the first upgrade"
ok "app db current on a missing database" ./app db current
expect "db current on a missing database prints nothing" "$out" ""
[[ ! -e app.db ]] || fail "db current created app.db (read-only commands must not)"

ok "app db upgrade" ./app db upgrade
expect "db upgrade prints nothing on stdout" "$out" ""
expect "author columns" "$(sql 'PRAGMA table_info(author)')" "0|id|INTEGER|1||1
1|name|TEXT|0||0"
expect "author has no index" "$(sql 'PRAGMA index_list(author)')" ""
expect "author has no foreign key" "$(sql 'PRAGMA foreign_key_list(author)')" ""
ok "app db current" ./app db current
expect "db current after the first upgrade" "$out" "$rev1 (head)"
expect "strata_version holds the head" "$(sql 'SELECT version_num FROM strata_version')" "$rev1"

ok "app db upgrade at head" ./app db upgrade
expect "db upgrade at head prints nothing on stdout" "$out" ""

sql "INSERT INTO author (name) VALUES ('Ursula K. Le Guin'), (NULL), ('Terry Pratchett')"
authors="1|Ursula K. Le Guin
2|
3|Terry Pratchett"
expect "authors inserted" "$(sql 'SELECT id, name FROM author ORDER BY id')" "$authors"

# ---- revision 2: book, and a new author column ----

cat >models/author.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
    char *bio;
};
EOF
cat >models/book.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201] STRATA_FIELD(index);
    int64_t author_id STRATA_FIELD(references = author.id, on_delete = cascade);
    double price STRATA_FIELD(default = 0);
};
EOF

ok "strata migrate -m 'add book'" "$strata" migrate -m "add book"
rev2_file=generated/versions/0002_add_book.c
[[ -f $rev2_file ]] || fail "strata migrate did not write $rev2_file (found: $(ls generated/versions))"
rev2=$(revision_id "$rev2_file")
[[ -n $rev2 && $rev2 != "$rev1" ]] || fail "second revision id '$rev2' is missing or repeats the first"
grep -q "^ \* Revises: $rev1\$" "$rev2_file" || fail "$rev2_file does not say 'Revises: $rev1'"

build_app

ok "app db upgrade to the second revision" ./app db upgrade
ok "app db current" ./app db current
expect "db current after the second upgrade" "$out" "$rev2 (head)"
expect "author gained bio" "$(sql 'PRAGMA table_info(author)')" "0|id|INTEGER|1||1
1|name|TEXT|0||0
2|bio|TEXT|0||0"
expect "book columns" "$(sql 'PRAGMA table_info(book)')" "0|id|INTEGER|1||1
1|title|VARCHAR(200)|1||0
2|author_id|BIGINT|1||0
3|price|DOUBLE|1|0|0"
expect "book indexes" "$(sql 'PRAGMA index_list(book)')" "0|ix_book_title|0|c|0"
expect "ix_book_title columns" "$(sql 'PRAGMA index_info(ix_book_title)')" "0|1|title"
expect "book foreign keys" "$(sql 'PRAGMA foreign_key_list(book)')" \
    "0|0|author|author_id|id|NO ACTION|CASCADE|NONE"
expect "authors survive the upgrade" "$(sql 'SELECT id, name FROM author ORDER BY id')" "$authors"

ok "app db history" ./app db history
expect "db history, newest first" "$out" "$rev1 -> $rev2 (head) (current), add book
<base> -> $rev1, create author"

sql "INSERT INTO book (title, author_id) VALUES ('A Wizard of Earthsea', 1)"
expect "price defaults to 0" "$(sql 'SELECT title, price FROM book')" "A Wizard of Earthsea|0.0"
if sql "INSERT INTO book (title, author_id) VALUES (substr(hex(zeroblob(201)), 1, 201), 1)" \
    2>/dev/null; then
    fail "a 201-byte title was accepted by a VARCHAR(200) column (no length check)"
fi
printf 'ok - a 201-byte title is refused\n'
if sql "INSERT INTO book (title, author_id) VALUES ('Orphan', 99)" 2>/dev/null; then
    fail "a book with a missing author was accepted (no foreign key)"
fi
printf 'ok - a book with a missing author is refused\n'
expect "deleting an author cascades to their books" \
    "$(sql 'BEGIN; DELETE FROM author WHERE id = 1; SELECT count(*) FROM book; ROLLBACK;')" "0"

# ---- downgrades ----

ok "app db downgrade -1" ./app db downgrade -1
ok "app db current" ./app db current
expect "db current after downgrade -1" "$out" "$rev1"
expect "book is gone after downgrade -1" \
    "$(sql "SELECT name FROM sqlite_master WHERE name = 'book'")" ""
expect "bio is gone after downgrade -1" "$(sql 'PRAGMA table_info(author)')" "0|id|INTEGER|1||1
1|name|TEXT|0||0"
expect "authors survive downgrade -1" "$(sql 'SELECT id, name FROM author ORDER BY id')" "$authors"

ok "app db downgrade base" ./app db downgrade base
ok "app db current" ./app db current
expect "db current at base prints nothing" "$out" ""
expect "no app table is left at base" \
    "$(sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'strata\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")" ""
if ./app db downgrade >/dev/null 2>&1; then
    fail "db downgrade at base succeeded; it must exit 1"
fi
printf 'ok - db downgrade at base fails\n'

ok "app db upgrade from base to head" ./app db upgrade
ok "app db current" ./app db current
expect "db current after upgrading again" "$out" "$rev2 (head)"

echo "e2e_newuser: all checks passed"
