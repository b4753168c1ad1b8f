#!/usr/bin/env bash
# End-to-end test of the example app: bookshelf built from the committed history.
#
# Usage: e2e_bookshelf.sh BOOKSHELF
#
# On a temporary SQLite file it upgrades to head, exercises each CRUD command and the
# errors a user meets (no tables yet, a missing author, a duplicate tag, a title that
# does not fit), checks that deleting an author cascades to books and tags, then
# downgrades one revision and checks that authors and books survive while the tag
# tables are gone. The first mismatch fails the test with what was expected.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BOOKSHELF" >&2; exit 2; }
bookshelf=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-bookshelf.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
unset STRATA_DATABASE_URL

fail() {
    printf 'e2e_bookshelf: FAIL: %s\n' "$*" >&2
    exit 1
}

# expect DESCRIPTION EXPECTED_STATUS EXPECTED_STDOUT ARGS...: runs bookshelf ARGS.
# When EXPECTED_STATUS is not 0, EXPECTED_STDOUT is a text stderr must contain instead.
expect() {
    local desc=$1 status=$2 want=$3 got rc=0
    shift 3
    got=$("$bookshelf" "$@" 2>stderr) || rc=$?
    if [[ $rc -ne $status ]]; then
        fail "$desc: bookshelf $* exited $rc, expected $status; stderr: $(cat stderr)"
    fi
    if [[ $status -eq 0 && $got != "$want" ]]; then
        printf 'e2e_bookshelf: FAIL: %s\n--- expected\n%s\n--- actual\n%s\n---\n' \
            "$desc" "$want" "$got" >&2
        exit 1
    fi
    if [[ $status -ne 0 ]] && ! grep -qF -- "$want" stderr; then
        fail "$desc: stderr lacks '$want': $(cat stderr)"
    fi
    printf 'ok - %s\n' "$desc"
}

expect "author list before any upgrade" 1 "run \`bookshelf db upgrade\` first" author list
[[ ! -e bookshelf.db ]] || fail "author list created bookshelf.db"
expect "db upgrade" 0 "" db upgrade
expect "author add" 0 "added author 1: Ursula K. Le Guin" author add "Ursula K. Le Guin"
expect "second author" 0 "added author 2: Terry Pratchett" author add "Terry Pratchett"
expect "book add with a price" 0 "added book 1: A Wizard of Earthsea" \
    book add "A Wizard of Earthsea" 1 9.5
expect "book add without a price" 0 "added book 2: Small Gods" book add "Small Gods" 2
expect "book add for a missing author" 1 "no author with id 9" book add "Nobody's" 9
expect "book add with a negative price" 1 "adding book" book add "Cheap" 1 -1
expect "book add with a 201-byte title" 2 "at most 200 fit" \
    book add "$(printf 'x%.0s' {1..201})" 1
expect "tag add" 0 "added tag 1: fantasy" tag add fantasy
expect "tag add again" 1 "tag 'fantasy' already exists" tag add fantasy
expect "tag add classic" 0 "added tag 2: classic" tag add classic
expect "book tag" 0 "tagged book 1 with tag 1" book tag 1 1
expect "book tag twice" 1 "book 1 already has tag 1" book tag 1 1
expect "book tag with a missing tag" 1 "no tag with id 7" book tag 1 7
expect "book tag classic" 0 "tagged book 1 with tag 2" book tag 1 2
expect "book tag small gods" 0 "tagged book 2 with tag 1" book tag 2 1
expect "book tags, by name" 0 "2	classic
1	fantasy" book tags 1
expect "author rename" 0 "renamed author 2: Sir Terry Pratchett" \
    author rename 2 "Sir Terry Pratchett"
expect "author rename of a missing author" 1 "no author with id 5" author rename 5 x
expect "book list" 0 "1	A Wizard of Earthsea	by Ursula K. Le Guin	9.50
2	Small Gods	by Sir Terry Pratchett	0.00" book list
expect "author delete cascades" 0 "deleted author 2 and their books" author delete 2
expect "the author's book is gone" 0 "1	A Wizard of Earthsea	by Ursula K. Le Guin	9.50" \
    book list
expect "the tags stay" 0 "1	fantasy
2	classic" tag list
pairs=$(sqlite3 bookshelf.db 'SELECT book_id, tag_id FROM book_tag ORDER BY 1, 2')
[[ $pairs == $'1|1\n1|2' ]] || fail "book_tag after the cascade: expected 1|1 and 1|2, got: $pairs"
printf 'ok - the deleted book lost its tag pairing\n'
expect "db downgrade" 0 "" db downgrade
expect "tag list after the downgrade" 1 "no such table: tag" tag list
expect "authors survive the downgrade" 0 "1	Ursula K. Le Guin" author list
expect "books survive the downgrade" 0 "1	A Wizard of Earthsea	by Ursula K. Le Guin	9.50" \
    book list
STRATA_DATABASE_URL=sqlite:///other.db \
    expect "STRATA_DATABASE_URL names another database" 1 "other.db" author list
expect "--url names another database" 1 "other.db" author list --url sqlite:///other.db
expect "unknown command" 2 "unknown command" author frobnicate
echo "e2e_bookshelf: all checks passed"
