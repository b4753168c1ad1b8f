#!/usr/bin/env bash
# End-to-end test: awkward names and strings, from the model to the database and back.
#
# Usage: e2e_names.sh STRATA INCLUDE_DIR LIBSTRATA_A [CFLAGS]
#   STRATA       the built generator
#   INCLUDE_DIR  the runtime's public headers (the folder holding strata/)
#   LIBSTRATA_A  the built static libstrata
#   CFLAGS       extra flags for compiling and linking the app (the build's sanitizers)
#
# In a temporary project, models whose table and column names (`table =` / `name =`) are
# SQL keywords or hold quotes, spaces, `%`, backslashes, newlines, `*/` and non-ASCII, with
# such strings in `default`, `check` and the `-m` message, go through `strata init`,
# `migrate`, `generate`, an app compiled with -std=c99 -Wall -Wextra -pedantic -Werror
# (valid C), `db upgrade` (valid SQL), then rows inserted with the sqlite3 CLI are read back
# byte for byte (hex()). A second revision renames awkward columns, alters a default and a
# check (a rebuild); then downgrade -1 and base. `db check` is clean at each revision and
# the offline script (`upgrade --sql`) runs in sqlite3. The first mismatch fails the test.
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 STRATA INCLUDE_DIR LIBSTRATA_A [CFLAGS]" >&2
    exit 2
fi
strata=$(realpath "$1")
include_dir=$(realpath "$2")
libstrata=$(realpath "$3")
read -r -a extra_cflags <<<"${4:-}"
libstrata_libs=(-lsqlite3)
if pkg-config --exists libpq 2>/dev/null; then
    libstrata_libs+=(-lpq)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-names.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8
unset STRATA_DATABASE_URL

fail() {
    printf 'e2e_names: FAIL: %s\n' "$*" >&2
    exit 1
}

expect() {
    if [[ "$2" != "$3" ]]; then
        printf 'e2e_names: FAIL: %s\n--- expected\n%s\n--- actual\n%s\n---\n' "$1" "$3" "$2" >&2
        exit 1
    fi
    printf 'ok - %s\n' "$1"
}

out=
ok() {
    local desc=$1 err
    shift
    err=$(mktemp)
    if ! out=$("$@" 2>"$err"); then
        printf 'e2e_names: FAIL: %s: command failed: %s\n' "$desc" "$*" >&2
        cat "$err" >&2
        rm -f "$err"
        exit 1
    fi
    rm -f "$err"
    printf 'ok - %s\n' "$desc"
}

sql() {
    sqlite3 -batch -bail -cmd 'PRAGMA foreign_keys = ON' "${db:-app.db}" "$1"
}

# The bytes of a shell string as SQLite's hex() prints them.
hex() {
    printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F
}

revision_id() {
    sed -n 's/^ \* Revision ID: \([0-9a-z_]*\)$/\1/p' "$1"
}

build_app() {
    ok "strata generate writes migrations.c" "$strata" generate -o migrations.c
    ok "the app compiles warning-free with -std=c99 -Wall -Wextra -pedantic -Werror" \
        cc -std=c99 -Wall -Wextra -pedantic -Werror "${extra_cflags[@]}" -I"$include_dir" \
        -o app app.c migrations.c "$libstrata" "${libstrata_libs[@]}" "${extra_cflags[@]}"
}

db_check_clean() {
    ok "app db check ($1)" ./app db check
    [[ $out == "No problems found"* ]] || fail "db check ($1) is not clean: $out"
}

# The expected values, as the C string literals in the models below decode them.
select_v1=$'it\'s "q" \\ back\nline */ end 100%s'
select_v2=$'new "default"\n*/ \'two\' \\\\ %n'
its_default=$'l\'\xc3\xa9t\xc3\xa9 "x"'
pct_default=$'50%d \\'
lines_default=$'\t\r\001 /* c */'
msg1=$'it\'s a "quoted" */ \\ message\nsecond line ??/ 100%s'
msg2=$'rename */ "columns" \\ it\'s'
# A 2-byte character 28 times: ix_group_<col> is over 63 bytes and byte 55 is inside one.
long_col=$(printf '\xc3\xa9%.0s' {1..28})

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

# ---- revision 1 ----

mkdir models
cat >models/order.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(table = "order") order_row {
    int64_t id STRATA_FIELD(primary_key);
    char *select_ STRATA_FIELD(name = "select",
                               default = "it's \"q\" \\ back\nline */ end 100%s");
    int64_t group_ STRATA_FIELD(name = "group", default = 3,
                                check = "\"group\" <> 42 AND '*/' <> 'it''s \\'");
};
EOF
cat >models/naive.h <<'EOF'
#include <stdint.h>
#include <strata/model.h>
#include "order.h"

struct STRATA_MODEL(table = "naïve") naive {
    int64_t id STRATA_FIELD(primary_key);
    char its[33] STRATA_FIELD(name = "it's", default = "l'été \"x\"", index);
    char *q STRATA_FIELD(name = "a \"q\" b", unique);
    int64_t words STRATA_FIELD(name = "two words", default = 7, check = "\"two words\" >= 0");
    int64_t order_id STRATA_FIELD(name = "naïve", references = order_row.id, nullable);
};
EOF
cat >models/group.h <<EOF
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL(table = "group", comment = "a */ comment \"q\" 100%s") group_row {
    int64_t id STRATA_FIELD(primary_key);
    char *pct STRATA_FIELD(name = "100%s%n", default = "50%d \\\\",
                           check = "\"100%s%n\" <> '%s'");
    char *lines STRATA_FIELD(name = "back\\\\slash\ntwo lines",
                             default = "\\t\\r\\001 /* c */");
    char e[10] STRATA_FIELD(name = "$long_col", index);
};
EOF

ok "strata init" "$strata" init
ok "strata migrate -m <awkward message>" "$strata" migrate -m "$msg1"
rev1_file=$(ls generated/versions/0001_*.c)
rev1=$(revision_id "$rev1_file")
[[ $rev1 =~ ^[0-9a-f]{12}$ ]] || fail "no revision id in $rev1_file"
ok "strata check is clean" "$strata" check

build_app

ok "app db history shows the message byte for byte" ./app db history
expect "db history after revision 1" "$out" "<base> -> $rev1 (head), $msg1"

ok "app db upgrade" ./app db upgrade
db_check_clean "revision 1"
ok "app db history" ./app db history
expect "db history at revision 1" "$out" "<base> -> $rev1 (head) (current), $msg1"

expect "tables" "$(sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'strata\\_%' ESCAPE '\\' ORDER BY name")" \
    "group
naïve
order"
expect "naïve columns" "$(sql 'SELECT name FROM pragma_table_info('"'naïve'"') ORDER BY cid')" \
    "id
it's
a \"q\" b
two words
naïve"
expect "group columns (hex)" "$(sql "SELECT hex(name) FROM pragma_table_info('group') ORDER BY cid")" \
    "$(hex id)
$(hex '100%s%n')
$(hex $'back\\slash\ntwo lines')
$(hex "$long_col")"
expect "naïve indexes" "$(sql "SELECT name FROM pragma_index_list('naïve') ORDER BY name")" \
    "ix_naïve_it's
uq_naïve_a \"q\" b"
long_ix=$(sql "SELECT name FROM pragma_index_list('group')")
[[ ${#long_ix} -le 63 && $long_ix == ix_group_é*_???????? ]] ||
    fail "the long index name '$long_ix' is not shortened to <= 63 bytes of whole characters"
printf 'ok - the long index name is shortened at a character boundary\n'

# Rows through the defaults, read back byte for byte.
sql 'INSERT INTO "order" DEFAULT VALUES'
sql "INSERT INTO \"naïve\" (\"a \"\"q\"\" b\", \"naïve\") VALUES ('x''\"y\\', 1)"
sql 'INSERT INTO "group" ("'"$long_col"'") VALUES ('"'é'"')'
expect "order defaults" "$(sql 'SELECT id, hex("select"), "group" FROM "order"')" \
    "1|$(hex "$select_v1")|3"
expect "naïve defaults" \
    "$(sql 'SELECT hex("it'"'"'s"), hex("a ""q"" b"), "two words", "naïve" FROM "naïve"')" \
    "$(hex "$its_default")|$(hex "x'\"y\\")|7|1"
expect "group defaults" \
    "$(sql 'SELECT hex("100%s%n"), hex("back\slash
two lines") FROM "group"')" "$(hex "$pct_default")|$(hex "$lines_default")"
if sql 'UPDATE "order" SET "group" = 42' 2>/dev/null; then
    fail "the check on \"order\".\"group\" did not refuse 42"
fi
printf 'ok - the awkward check is enforced\n'
if sql "UPDATE \"naïve\" SET \"naïve\" = 99" 2>/dev/null; then
    fail "the foreign key \"naïve\" -> \"order\" did not refuse a missing row"
fi
printf 'ok - the awkward foreign key is enforced\n'

# ---- revision 2: rename awkward columns, alter a default and a check ----

sed -i -e 's/default = "it'"'"'s \\"q\\" \\\\ back\\nline \*\/ end 100%s"/default = "new \\"default\\"\\n*\/ '"'"'two'"'"' \\\\\\\\ %n"/' \
    -e 's/<> 42 AND/<> 43 AND/' models/order.h
grep -q '<> 43' models/order.h && grep -q 'new \\"default' models/order.h ||
    fail "editing models/order.h failed: $(cat models/order.h)"
sed -i -e 's/name = "a \\"q\\" b"/name = "a \\"q\\" c'"'"'", renamed_from = "a \\"q\\" b"/' \
    -e 's/name = "two words", default = 7, check = "\\"two words\\" >= 0"/name = "three words", renamed_from = "two words", default = 7, check = "\\"three words\\" >= 0"/' \
    models/naive.h
grep -q 'renamed_from = "two words"' models/naive.h && grep -q 'c'"'"'", renamed_from' models/naive.h ||
    fail "editing models/naive.h failed: $(cat models/naive.h)"

ok "strata migrate -m <second awkward message>" "$strata" migrate -m "$msg2"
rev2_file=$(ls generated/versions/0002_*.c)
rev2=$(revision_id "$rev2_file")
[[ -n $rev2 && $rev2 != "$rev1" ]] || fail "no second revision id in $rev2_file"
grep -q 'strata_rename_column(op, "naïve", "two words", "three words");' "$rev2_file" ||
    fail "$rev2_file does not rename \"two words\": $(cat "$rev2_file")"
ok "strata check is clean" "$strata" check

build_app

ok "app db upgrade to revision 2" ./app db upgrade
db_check_clean "revision 2"
ok "app db history" ./app db history
expect "db history at revision 2" "$out" "$rev1 -> $rev2 (head) (current), $msg2
<base> -> $rev1, $msg1"
expect "naïve columns after the renames" \
    "$(sql 'SELECT name FROM pragma_table_info('"'naïve'"') ORDER BY cid')" \
    "id
it's
a \"q\" c'
three words
naïve"
expect "naïve indexes after the renames" \
    "$(sql "SELECT name FROM pragma_index_list('naïve') ORDER BY name")" \
    "ix_naïve_it's
uq_naïve_a \"q\" c'"
expect "order rows survive" "$(sql 'SELECT id, hex("select"), "group" FROM "order"')" \
    "1|$(hex "$select_v1")|3"
expect "naïve rows survive" \
    "$(sql 'SELECT hex("it'"'"'s"), hex("a ""q"" c'"'"'"), "three words", "naïve" FROM "naïve"')" \
    "$(hex "$its_default")|$(hex "x'\"y\\")|7|1"
sql 'INSERT INTO "order" DEFAULT VALUES'
expect "the altered default" "$(sql 'SELECT hex("select") FROM "order" WHERE id = 2')" \
    "$(hex "$select_v2")"
sql 'UPDATE "order" SET "group" = 42 WHERE id = 2'
if sql 'UPDATE "order" SET "group" = 43' 2>/dev/null; then
    fail "the altered check did not refuse 43"
fi
printf 'ok - the altered check is enforced\n'
sql 'UPDATE "order" SET "group" = 3 WHERE id = 2'

# ---- the offline script is valid SQL too ----

ok "app db upgrade --sql" ./app db upgrade --sql
printf '%s\n' "$out" >up.sql
ok "the offline script runs in sqlite3" sqlite3 -bail offline.db ".read up.sql"
expect "offline version" "$(db=offline.db sql 'SELECT version_num FROM strata_version')" "$rev2"
expect "offline schema equals the online one" \
    "$(db=offline.db sql "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'strata%' ORDER BY name")" \
    "$(sql "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'strata%' ORDER BY name")"

# ---- downgrades ----

ok "app db downgrade -1" ./app db downgrade -1
ok "app db current" ./app db current
expect "db current after downgrade -1" "$out" "$rev1"
expect "naïve columns after downgrade -1" \
    "$(sql 'SELECT name FROM pragma_table_info('"'naïve'"') ORDER BY cid')" \
    "id
it's
a \"q\" b
two words
naïve"
expect "order rows after downgrade -1" "$(sql 'SELECT id, hex("select"), "group" FROM "order"')" \
    "1|$(hex "$select_v1")|3
2|$(hex "$select_v2")|3"
expect "naïve rows after downgrade -1" \
    "$(sql 'SELECT hex("a ""q"" b"), "two words", "naïve" FROM "naïve"')" "$(hex "x'\"y\\")|7|1"
# Below head, db check names only the unapplied revision (no drift from revision 1).
if out=$(./app db check 2>/dev/null); then
    fail "db check below head succeeded"
fi
expect "db check after downgrade -1" "$out" "revision $rev2 ($msg2) is not applied"

ok "app db downgrade base" ./app db downgrade base
expect "no app table is left at base" \
    "$(sql "SELECT name FROM sqlite_master WHERE tbl_name NOT LIKE 'strata\\_%' ESCAPE '\\'")" ""
ok "app db upgrade from base to head" ./app db upgrade
db_check_clean "head again"

echo "e2e_names: all checks passed"
