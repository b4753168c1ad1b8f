#!/bin/sh
# The `strata` command line end to end, in a temp project: init and its refusal,
# migrate (files written, a second run writes nothing), --rev-id validation, revision,
# check, history and heads output, generate (registry compiles, depfile, unchanged
# mtime, --check), and failures that must write nothing (a corrupted schema.json, an
# interrupted migrate). Speaks TAP.
# usage: test_cli.sh STRATA INCLUDE_DIR
set -u
strata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
include=$2
n=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
proj=$tmp/proj
mkdir -p "$proj" "$tmp/out"
cd "$proj" || exit 1

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    [ -f "$tmp/out/stderr" ] && sed 's/^/#   stderr: /' "$tmp/out/stderr"
    return 0
}

# run EXPECTED_RC ARGS...: runs strata, keeping stdout and stderr in $tmp/out.
run() {
    want=$1
    shift
    "$strata" "$@" > "$tmp/out/stdout" 2> "$tmp/out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then
        ok "strata $* exits $want"
    else
        not_ok "strata $* exits $want (got $got)"
    fi
}

# expect_file NAME TEXT: the file's content is TEXT (plus a final newline).
expect_file() {
    printf '%s\n' "$2" > "$tmp/out/expected"
    if cmp -s "$tmp/out/expected" "$1"; then
        ok "$3"
    else
        not_ok "$3"
        diff -u "$tmp/out/expected" "$1" | sed 's/^/# /'
    fi
}

expect_grep() {
    if grep -q -e "$1" "$2"; then ok "$3"; else not_ok "$3"; sed 's/^/#   /' "$2"; fi
}

expect_no_grep() {
    if grep -q -e "$1" "$2"; then not_ok "$3"; else ok "$3"; fi
}

# Every file under the project with its bytes and mtime.
tree_state() {
    find . | LC_ALL=C sort | while read -r f; do
        if [ -f "$f" ]; then
            printf '%s %s %s\n' "$f" "$(stat -c %y "$f")" "$(cksum < "$f")"
        else
            printf '%s\n' "$f"
        fi
    done
}

save_tree() { tree_state > "$tmp/out/tree.saved"; }

expect_tree_unchanged() {
    tree_state > "$tmp/out/tree.now"
    if cmp -s "$tmp/out/tree.saved" "$tmp/out/tree.now"; then
        ok "$1"
    else
        not_ok "$1"
        diff -u "$tmp/out/tree.saved" "$tmp/out/tree.now" | sed 's/^/# /'
    fi
}

cat > "$tmp/author.h" << 'H'
#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};
H
cat "$tmp/author.h" > "$tmp/book.h"
cat >> "$tmp/book.h" << 'H'

struct STRATA_MODEL() book {
    int64_t id STRATA_FIELD(primary_key);
    char title[201];
    int64_t author_id STRATA_FIELD(references = author.id);
};
H
cat "$tmp/book.h" > "$tmp/tag.h"
cat >> "$tmp/tag.h" << 'H'

struct STRATA_MODEL() tag {
    int64_t id STRATA_FIELD(primary_key);
};
H

# ---- help, version, usage errors ----
run 0 --version
expect_grep '^strata [0-9]' "$tmp/out/stdout" "--version prints the version"
run 0 --help
expect_grep '^usage: strata ' "$tmp/out/stdout" "--help prints the usage"
expect_grep 'merge' "$tmp/out/stdout" "--help offers merge (issue 4)"
run 0 migrate --help
expect_grep '^usage: strata migrate' "$tmp/out/stdout" "migrate --help"
run 2 frobnicate
expect_grep '^usage: ' "$tmp/out/stderr" "unknown command: usage line on stderr"
run 2 --bogus init
expect_grep '^usage: ' "$tmp/out/stderr" "unknown option: usage line on stderr"
run 2 merge
run 2

# ---- init ----
mkdir models
run 0 init
expect_file "$tmp/out/stdout" "Creating directory generated ...  done
Creating directory generated/versions ...  done
Generating generated/schema.json ...  done" "init output"
expect_file generated/schema.json '{
  "format": 1,
  "head": null,
  "tables": []
}' "init writes an empty snapshot"
save_tree
run 1 init
expect_grep 'not empty' "$tmp/out/stderr" "init refuses a non-empty DIR"
expect_tree_unchanged "refused init changes nothing"
run 0 --dir other init
if [ -d other/versions ] && [ -f other/schema.json ]; then ok "--dir names the directory"
else not_ok "--dir names the directory"; fi
rm -rf other

# ---- migrate ----
cp "$tmp/author.h" models/model.h
save_tree
run 2 migrate -m x --rev-id Bad
expect_grep '^usage: strata migrate' "$tmp/out/stderr" "--rev-id Bad: usage line"
run 2 migrate -m x --rev-id abcdefghijklmnopqrstuvwxyz0123456
run 2 migrate -m
expect_tree_unchanged "usage errors write nothing"
# An empty versions/ may be missing (git drops empty folders).
rmdir generated/versions
SOURCE_DATE_EPOCH=0 run 0 migrate -m "Create author!" --rev-id rev1
expect_file "$tmp/out/stdout" "Generating generated/versions/0001_create_author.c ...  done" \
    "migrate output"
expect_grep "Detected added table 'author'" "$tmp/out/stderr" "migrate logs the change"
expect_grep '^ \* Create Date: 1970-01-01 00:00:00 UTC$' generated/versions/0001_create_author.c \
    "Create Date from SOURCE_DATE_EPOCH"
expect_grep 'STRATA_REVISION("rev1", NULL, "Create author!"' \
    generated/versions/0001_create_author.c "revision registers itself"
expect_grep '"head": "rev1"' generated/schema.json "snapshot head follows"
expect_grep '"name": "author"' generated/schema.json "snapshot holds the table"

save_tree
run 0 migrate -m noop
expect_file "$tmp/out/stderr" "INFO  [strata.autogenerate] No changes in schema detected." \
    "no change: one INFO line"
if [ -s "$tmp/out/stdout" ]; then not_ok "no change: nothing on stdout"
else ok "no change: nothing on stdout"; fi
expect_tree_unchanged "no change: nothing written"

run 0 check
expect_tree_unchanged "check writes nothing"

# ---- a second revision ----
cp "$tmp/book.h" models/model.h
save_tree
run 1 check
expect_grep "Detected added table 'book'" "$tmp/out/stderr" "check lists the difference"
expect_grep 'run: strata migrate -m "' "$tmp/out/stderr" "check names the command to run"
expect_tree_unchanged "failed check writes nothing"
run 0 migrate -m "add book" --rev-id rev2
expect_file "$tmp/out/stdout" "Generating generated/versions/0002_add_book.c ...  done" \
    "second migrate numbers 0002"
expect_grep 'STRATA_REVISION("rev2", "rev1", "add book"' generated/versions/0002_add_book.c \
    "second revision revises the first"
run 0 history
expect_file "$tmp/out/stdout" "rev1 -> rev2 (head), add book
<base> -> rev1, Create author!" "history, newest first"
run 0 heads
expect_file "$tmp/out/stdout" "rev2 (head)" "heads"
run 0 show rev2
expect_grep '^Rev: rev2 (head)$' "$tmp/out/stdout" "show"

# ---- revision ----
run 2 revision
save_tree
run 1 revision -m "dup" --rev-id rev1
expect_grep "rev1" "$tmp/out/stderr" "a used --rev-id is refused"
expect_tree_unchanged "refused revision writes nothing"
run 0 revision -m "Backfill data" --rev-id rev3
expect_file "$tmp/out/stdout" "Generating generated/versions/0003_backfill_data.c ...  done" \
    "revision writes an empty revision"
run 0 check
run 0 heads
expect_file "$tmp/out/stdout" "rev3 (head)" "revision moves the head"

# ---- generate ----
mkdir build
run 0 generate -o build/registry.c --depfile build/registry.d
for f in generated/versions/*.c; do
    expect_grep "#include \"$proj/$f\"" build/registry.c "registry includes $f"
done
if cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$include" -c build/registry.c \
        -o "$tmp/out/registry.o" 2> "$tmp/out/cc.err"; then
    ok "registry compiles warning-free"
else
    not_ok "registry compiles warning-free"
    sed 's/^/#   /' "$tmp/out/cc.err"
fi
expect_grep '^build/registry.c: \\$' build/registry.d "depfile target"
expect_grep "^  \(.*/\)\{0,1\}models/model.h \\\\$" build/registry.d \
    "depfile lists the model header"
for dep in generated/schema.json generated/versions/0001_create_author.c \
        generated/versions/0003_backfill_data.c generated/versions models; do
    expect_grep "^  $dep\( \\\\\)\{0,1\}\$" build/registry.d "depfile lists $dep"
done
expect_grep 'stdint.h' build/registry.d "depfile lists system headers read"
touch -d '2001-01-01 00:00:00' build/registry.c build/registry.d
save_tree
run 0 generate -o build/registry.c --depfile build/registry.d
expect_tree_unchanged "second generate writes nothing"
run 0 generate -o build/registry.c --symbol my_migrations
expect_grep '^const struct strata_migrations my_migrations = {$' build/registry.c "--symbol"
run 2 generate
run 2 generate -o build/x.c --symbol 1bad

cp "$tmp/tag.h" models/model.h
save_tree
run 1 generate --check -o build/registry.c
expect_grep 'run: strata migrate -m "' "$tmp/out/stderr" "generate --check names the command"
expect_tree_unchanged "generate --check writes nothing"
run 0 generate -o build/registry.c
expect_grep '^Generating generated/versions/0004_' "$tmp/out/stdout" \
    "generate autogenerates a revision"
expect_grep '0004_' build/registry.c "registry includes the new revision"
run 0 check

# ---- failures write nothing ----
cp generated/schema.json "$tmp/out/schema.good"
printf '{\n  "format": 1,\n  "head": \n' > generated/schema.json
cp "$tmp/book.h" models/model.h
save_tree
run 1 migrate -m broken
expect_grep '^generated/schema.json:[0-9][0-9]*:\([0-9]*:\)\{0,1\} error: ' "$tmp/out/stderr" \
    "corrupted snapshot: located error"
expect_tree_unchanged "corrupted snapshot: migrate writes nothing"
run 1 check
run 1 generate -o build/registry.c
expect_tree_unchanged "corrupted snapshot: check and generate write nothing"
cp "$tmp/out/schema.good" generated/schema.json

# An interrupted migrate: the revision is written, the snapshot is not. `check` names
# it and changes nothing; the next migrate completes it (issue 5: "a state strata check
# names and strata migrate repairs") with the bytes the uninterrupted run wrote.
cp generated/schema.json "$tmp/out/schema.before"
run 0 migrate -m "drop tag" --rev-id rev5
cp generated/schema.json "$tmp/out/schema.after"
cp "$tmp/out/schema.before" generated/schema.json
save_tree
run 1 check
expect_grep "rev5" "$tmp/out/stderr" "interrupted migrate: check names the newer revision"
expect_tree_unchanged "interrupted migrate: check writes nothing"
run 0 migrate -m again
expect_grep "Completed the interrupted revision 0005_drop_tag.c" "$tmp/out/stderr" \
    "interrupted migrate: the rerun says it completed the revision"
if cmp -s generated/schema.json "$tmp/out/schema.after"; then
    ok "interrupted migrate: the snapshot equals the uninterrupted run's"
else
    not_ok "interrupted migrate: the snapshot equals the uninterrupted run's"
fi
run 0 check

# A model error.
rm generated/versions/0005_drop_tag.c
cp "$tmp/out/schema.before" generated/schema.json
printf 'struct STRATA_MODEL(nonsense_key) x { int id STRATA_FIELD(primary_key); };\n' \
    > models/model.h
save_tree
run 1 migrate -m bad
expect_grep '^models/model.h:1:[0-9]*: error: ' "$tmp/out/stderr" "model error is located"
expect_tree_unchanged "model error: nothing written"

# ---- history: fork, merge, check of the history (issue 4) ----
# Two branches from the same revision, as two git branches that each ran migrate.
rm -rf "$tmp/fork"
mkdir -p "$tmp/fork/models"
cd "$tmp/fork" || exit 1
cp "$tmp/author.h" models/model.h
run 0 init
run 0 migrate -m "create author" --rev-id base1
cp -r generated "$tmp/out/gen.base"
cat "$tmp/author.h" > models/model.h
printf 'struct STRATA_MODEL() pen { int64_t id STRATA_FIELD(primary_key); };\n' >> models/model.h
run 0 migrate -m "add pen" --rev-id left1
cp generated/versions/0002_add_pen.c "$tmp/out/"
rm -rf generated
cp -r "$tmp/out/gen.base" generated
cat "$tmp/author.h" > models/model.h
printf 'struct STRATA_MODEL() ink { int64_t id STRATA_FIELD(primary_key); };\n' >> models/model.h
run 0 migrate -m "add ink" --rev-id right1
cp "$tmp/out/0002_add_pen.c" generated/versions/0003_add_pen.c
printf 'struct STRATA_MODEL() pen { int64_t id STRATA_FIELD(primary_key); };\n' >> models/model.h
run 0 heads
expect_file "$tmp/out/stdout" "right1 (head)
left1 (head)" "heads lists both branches"
run 1 check
expect_grep 'the revision files have 2 heads: right1 (0002_add_ink.c), left1 (0003_add_pen.c); merge them: strata merge -m "merge heads" right1 left1' \
    "$tmp/out/stderr" "check names the heads and the merge command"
run 1 migrate -m more
# The git merge kept the other side's snapshot, conflict markers and all.
printf '<<<<<<< HEAD\n' > generated/schema.json
run 2 merge right1 left1
run 1 merge -m "merge" right1 nosuch
run 0 merge -m "merge heads" --rev-id merge1 heads
expect_grep '^Generating generated/versions/0004_merge_heads.c' "$tmp/out/stdout" "merge writes a revision"
expect_grep 'STRATA_REVISION("merge1", "right1 left1", "merge heads",' \
    generated/versions/0004_merge_heads.c "the merge revision has both parents"
expect_grep '"head": "merge1"' generated/schema.json "merge rewrites the snapshot's head"
run 0 check
expect_grep 'No new upgrade operations' "$tmp/out/stdout" "after the merge, check is clean"
run 0 history
expect_file "$tmp/out/stdout" "right1, left1 -> merge1 (head) (mergepoint), merge heads
base1 -> left1, add pen
base1 -> right1, add ink
<base> -> base1 (branchpoint), create author" "history shows the merge"
run 0 generate -o "$tmp/out/fork_registry.c"

# A revision edited after the fact: check and generate name it and the difference.
cp generated/versions/0002_add_ink.c "$tmp/out/ink.saved"
sed 's/STRATA_COLUMN("id", STRATA_BIGINT/STRATA_COLUMN("id", STRATA_INTEGER/' \
    "$tmp/out/ink.saved" > generated/versions/0002_add_ink.c
save_tree
run 1 check
expect_grep "0002_add_ink.c:[0-9]*:[0-9]*: error: revision 'right1' records schema hash" \
    "$tmp/out/stderr" "check names the edited revision"
expect_grep 'first difference, snapshot vs replay: table ink: column id differs: type bigint expected, integer found' \
    "$tmp/out/stderr" "check names the first difference"
run 1 generate -o "$tmp/out/fork_registry.c"
expect_grep "revision 'right1' records schema hash" "$tmp/out/stderr" "generate refuses the edited revision"
expect_tree_unchanged "an edited revision: nothing written"
# An edit that keeps the schema (a comment, raw SQL) is fine.
sed 's|^{$|{\n    strata_execute(op, "SELECT 1");|' "$tmp/out/ink.saved" > generated/versions/0002_add_ink.c
run 0 check
cp "$tmp/out/ink.saved" generated/versions/0002_add_ink.c

# A missing parent and a duplicate id.
sed 's/"left1", "base1"/"left1", "gone77"/' generated/versions/0003_add_pen.c > "$tmp/out/pen.c"
cp generated/versions/0003_add_pen.c "$tmp/out/pen.saved"
cp "$tmp/out/pen.c" generated/versions/0003_add_pen.c
run 1 check
expect_grep "revision 'left1' revises 'gone77', which no revision file defines" "$tmp/out/stderr" \
    "check names a missing parent"
cp "$tmp/out/pen.saved" generated/versions/0003_add_pen.c
cp generated/versions/0003_add_pen.c generated/versions/0005_copy.c
run 1 check
expect_grep "duplicate revision id 'left1'" "$tmp/out/stderr" "check names a duplicate id"
rm generated/versions/0005_copy.c

# Models that differ from the snapshot are listed in db check's line format.
printf 'struct STRATA_MODEL() cap { int64_t id STRATA_FIELD(primary_key); };\n' >> models/model.h
run 1 check
expect_grep '^table cap missing$' "$tmp/out/stdout" "check lists model differences as lines"

# Branches that change the same thing differently cannot merge.
rm -rf "$tmp/conflict"
mkdir -p "$tmp/conflict/models"
cd "$tmp/conflict" || exit 1
cp "$tmp/author.h" models/model.h
run 0 init
run 0 migrate -m "create author" --rev-id c0
cp -r generated "$tmp/out/gen.c0"
sed 's/char \*name;/char *name; char *bio;/' "$tmp/author.h" > models/model.h
run 0 migrate -m "bio text" --rev-id c1
cp generated/versions/0002_bio_text.c "$tmp/out/"
rm -rf generated
cp -r "$tmp/out/gen.c0" generated
sed 's/char \*name;/char *name; int64_t bio STRATA_FIELD(default = 0);/' "$tmp/author.h" > models/model.h
run 0 migrate -m "bio number" --rev-id c2
cp "$tmp/out/0002_bio_text.c" generated/versions/0003_bio_text.c
save_tree
run 1 merge -m "merge" heads
expect_grep "cannot merge: revisions 'c2' (added) and 'c1' (added) change table author: column bio differently" \
    "$tmp/out/stderr" "merge names the conflict"
expect_tree_unchanged "a refused merge writes nothing"

echo "1..$n"
[ "$failed" -eq 0 ]
