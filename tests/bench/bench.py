#!/usr/bin/env python3
"""The benchmarks of issue 6, driven by tests/bench/run.sh (read its header first).

Each benchmark times strata against a floor measured in the same run, on the same input,
and reports the median of --runs runs (at least 5) and the ratio strata/floor. The
results go to stdout as a Markdown table and, with --write FILE, replace the part of
FILE between the `<!-- bench:begin -->` and `<!-- bench:end -->` markers.

B1 parse        `strata check` on 1000 structs x 20 fields and its one revision
                vs `clang -fsyntax-only -DSTRATA_GENERATOR` on the same two files
B2 no-op        `strata generate` with nothing changed vs B1's floor; writes no file
B3 seed model   `strata migrate` on the seed's one-struct model vs a minimal libclang
                program that parses the same header (tests/bench/parse_floor.c)
B4 upgrade      `app db upgrade` of 500 revisions on a fresh file vs the sqlite3 CLI
                running the same write statements, one transaction per revision
B5 rebuild      a type change on a 1M-row table with 2 indexes and a 1M-row child vs
                hand-written 12-step SQL in the sqlite3 CLI (wall time, peak memory)
B6 footprint    bytes libstrata adds to a stripped static app; `app db current` vs
                `sqlite3 app.db 'select 1'`
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RESULTS = []  # (id, what, strata, floor, ratio, target, verdict)
NOTES = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, cwd=None, env=None, check=True, stdin=None, capture=True):
    """Runs cmd; returns the CompletedProcess; raises with its output when check fails."""
    p = subprocess.run(cmd, cwd=cwd, env=env, stdin=stdin, text=True,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE if capture else subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(map(str, cmd)), p.returncode,
                                                      p.stdout or "", p.stderr or ""))
    return p


def measure(cmd, runs, cwd=None, setup=None, stdin_path=None, expect=0):
    """Runs cmd `runs` times (setup() untimed before each); returns (median wall seconds,
    median peak RSS in KiB, median CPU seconds: user + system). A run whose status is not
    `expect` is an error."""
    walls, rss, cpu = [], [], []
    for _ in range(runs):
        if setup is not None:
            setup()
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        if stdin_path:
            stdin.close()
        if p.returncode != expect:
            raise RuntimeError("%s exited %d (expected %d):\n%s" % (
                " ".join(map(str, cmd)), p.returncode, expect, err[-2000:]))
        walls.append(wall)
        rss.append(usage.ru_maxrss)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(rss), statistics.median(cpu)


def record(bid, what, mine, floor, target, unit="s"):
    """Adds a result row; target is the highest acceptable ratio (None: report only)."""
    ratio = mine / floor if floor else float("inf")
    verdict = "" if target is None else ("met" if ratio <= target else "missed")
    fmt = (lambda v: "%.4f s" % v) if unit == "s" else (lambda v: "%d %s" % (v, unit))
    RESULTS.append((bid, what, fmt(mine), fmt(floor), "%.2fx" % ratio,
                    "" if target is None else "<= %.1fx" % target, verdict))
    log("%s %s: %s vs %s = %.2fx %s" % (bid, what, fmt(mine), fmt(floor), ratio, verdict))


def tree_state(root):
    """(path, size, mtime_ns) of every file and folder under root."""
    out = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.stat(p)
            out.append((p, st.st_size, st.st_mtime_ns))
    return sorted(out)


class Tools:
    def __init__(self, args):
        self.repo = os.path.abspath(args.repo)
        self.build = os.path.abspath(args.build)
        self.strata = os.path.join(self.build, "generator", "strata")
        self.libstrata = os.path.join(self.build, "runtime", "libstrata.a")
        self.include = os.path.join(self.repo, "runtime", "include")
        self.internal = os.path.join(self.repo, "runtime")
        self.bench = os.path.join(self.repo, "tests", "bench")
        self.runs = args.runs
        self.cc = os.environ.get("CC", "cc")
        self.llvm = None
        for v in range(19, 13, -1):
            p = "/usr/lib/llvm-%d" % v
            if os.path.isfile(p + "/include/clang-c/Index.h") and \
                    os.path.isfile(p + "/lib/libclang.so"):
                self.llvm = p
                break
        # The clang whose libclang strata links: same parser, same version.
        self.clang = self.llvm + "/bin/clang" if self.llvm and \
            os.path.isfile(self.llvm + "/bin/clang") else shutil.which("clang")
        if self.clang is None:
            raise RuntimeError("no clang binary: install clang (run.sh does)")

    def strata_cmd(self, *args):
        return [self.strata] + list(args)

    def compile(self, out, sources, extra=(), static=False):
        """Builds an app against the release libstrata.a."""
        cmd = [self.cc, "-O2", "-std=c11", "-I" + self.include] + list(extra) + \
            ["-o", out] + list(sources) + [self.libstrata, "-lsqlite3"]
        if static:
            cmd += ["-static", "-lm", "-lpthread", "-ldl"]
        run(cmd)


# ---- model and history writers ----

def big_header(nstructs, nfields):
    """A model header of nstructs annotated structs of nfields fields each."""
    lines = ["#include <stdbool.h>", "#include <stdint.h>", "#include <strata/model.h>", ""]
    for s in range(nstructs):
        ann = "index(f2, f3)" if s % 4 == 0 else ""
        lines.append("struct STRATA_MODEL(%s) s%04d {" % (ann, s))
        lines.append("    int64_t id STRATA_FIELD(primary_key);")
        for f in range(1, nfields):
            k = f % 6
            if f == 1 and s > 0:
                lines.append("    int64_t f1 STRATA_FIELD(references = s%04d.id, "
                             "on_delete = cascade);" % (s - 1))
            elif k == 0:
                lines.append("    int64_t f%d;" % f)
            elif k == 1:
                lines.append("    char *f%d;" % f)
            elif k == 2:
                lines.append("    char f%d[33];" % f)
            elif k == 3:
                lines.append("    double f%d STRATA_FIELD(default = 0, check = \"f%d >= 0\");"
                             % (f, f))
            elif k == 4:
                lines.append("    int32_t f%d STRATA_FIELD(index);" % f)
            else:
                lines.append("    bool f%d STRATA_FIELD(default = false);" % f)
        lines.append("};")
        lines.append("")
    return "\n".join(lines)


REVISION = """/*
 * %(message)s
 *
 * Revision ID: %(id)s
 * Revises: %(revises)s
 * Create Date: 2026-01-01 00:00:00 UTC
 */
#include <strata/migration.h>

static void upgrade(struct strata_op *op)
{
%(up)s
}

static void downgrade(struct strata_op *op)
{
%(down)s
}

STRATA_REVISION("%(id)s", %(parent)s, "%(message)s",
                %(hash)s,
                upgrade, downgrade);
"""


def write_history(proj, t, revisions, models_text):
    """Writes a project whose history is `revisions` (dicts: id, message, up, down,
    lines of C) and whose models are `models_text`, with correct schema hashes: the
    revisions are written with NULL hashes, compiled by `strata generate`, replayed by
    hashes.c, and rewritten; `strata check` then proves the snapshot, the models and
    the recorded hashes agree."""
    os.makedirs(os.path.join(proj, "models"))
    with open(os.path.join(proj, "models", "model.h"), "w") as f:
        f.write(models_text)
    # The snapshot of the final models, from a scratch migrate.
    scratch = os.path.join(proj, "scratch")
    os.makedirs(scratch)
    shutil.copytree(os.path.join(proj, "models"), os.path.join(scratch, "models"))
    run(t.strata_cmd("init"), cwd=scratch)
    run(t.strata_cmd("migrate", "--rev-id", "scratch"), cwd=scratch)
    with open(os.path.join(scratch, "generated", "schema.json")) as f:
        snap = json.load(f)
    shutil.rmtree(scratch)
    snap["head"] = revisions[-1]["id"]
    gen = os.path.join(proj, "generated")
    os.makedirs(os.path.join(gen, "versions"))
    with open(os.path.join(gen, "schema.json"), "w") as f:
        f.write(json.dumps(snap, indent=2, sort_keys=True) + "\n")

    def write(hashes):
        parent = None
        for n, r in enumerate(revisions, 1):
            h = hashes.get(r["id"])
            text = REVISION % {
                "message": r["message"], "id": r["id"], "revises": parent or "",
                "parent": '"%s"' % parent if parent else "NULL",
                "hash": '"%s"' % h if h else "NULL",
                "up": "\n".join("    " + x for x in r["up"]),
                "down": "\n".join("    " + x for x in r["down"])}
            name = "%04d_%s.c" % (n, re.sub(r"[^a-z0-9]+", "_", r["message"].lower()))
            with open(os.path.join(gen, "versions", name), "w") as f:
                f.write(text)
            parent = r["id"]

    write({})
    reg = os.path.join(proj, "registry.c")
    run(t.strata_cmd("generate", "-o", reg), cwd=proj)
    exe = os.path.join(proj, "hashes")
    t.compile(exe, [os.path.join(t.bench, "hashes.c"), reg], ["-I" + t.internal])
    out = run([exe]).stdout
    hashes = dict(line.split() for line in out.splitlines())
    write(hashes)
    os.unlink(exe)
    run(t.strata_cmd("check"), cwd=proj)


def build_app(t, proj, name="app", static=False, source=None):
    """Generates the registry of proj and links the benchmark app against it."""
    reg = os.path.join(proj, "migrations.c")
    run(t.strata_cmd("generate", "-o", reg), cwd=proj)
    exe = os.path.join(proj, name)
    t.compile(exe, [source or os.path.join(t.bench, "app.c"), reg], static=static)
    return exe


# ---- the benchmarks ----

def b1_b2(t, work):
    proj = os.path.join(work, "b1")
    os.makedirs(os.path.join(proj, "models"))
    with open(os.path.join(proj, "models", "big.h"), "w") as f:
        f.write(big_header(1000, 20))
    run(t.strata_cmd("init"), cwd=proj)
    t0 = time.perf_counter()
    run(t.strata_cmd("migrate", "-m", "create all"), cwd=proj)
    NOTES.append("B1 setup: the first `strata migrate` of the 1000-struct header took "
                 "%.2f s (one run)." % (time.perf_counter() - t0))
    versions = os.path.join(proj, "generated", "versions")
    revs = sorted(os.path.join(versions, n) for n in os.listdir(versions))
    floor_cmd = [t.clang, "-fsyntax-only", "-DSTRATA_GENERATOR", "-I" + t.include,
                 os.path.join(proj, "models", "big.h")] + revs
    floor, _, floor_cpu = measure(floor_cmd, t.runs, cwd=proj)
    mine, _, mine_cpu = measure(t.strata_cmd("check"), t.runs, cwd=proj)
    record("B1", "`strata check`, 1000 structs x 20 fields + 1 revision", mine, floor, 1.5)
    record("B1", "the same, CPU time (user + system): strata parses the models on a second "
           "thread meanwhile", mine_cpu, floor_cpu, None)

    out = os.path.join(proj, "build")
    os.makedirs(out)
    gen = t.strata_cmd("generate", "-o", "build/migrations.c", "--depfile",
                       "build/migrations.c.d")
    run(gen, cwd=proj)
    before = tree_state(proj)
    mine, _, _ = measure(gen, t.runs, cwd=proj)
    after = tree_state(proj)
    record("B2", "no-op `strata generate` (same input) vs B1's floor", mine, floor, 1.5)
    changed = [a[0] for a, b in zip(after, before) if a != b] if len(after) == len(before) \
        else ["(files added or removed)"]
    NOTES.append("B2: files written by %d no-op `strata generate` runs: %s." % (
        t.runs, ", ".join(changed) if changed else "none (sizes and mtimes unchanged)"))
    if changed:
        RESULTS.append(("B2", "no-op generate writes no file", "wrote", "", "", "0 files",
                        "missed"))


SEED = """#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() author {
    int64_t id STRATA_FIELD(primary_key);
    char *name;
};
"""


def b3(t, work):
    proj = os.path.join(work, "b3")
    os.makedirs(os.path.join(proj, "models"))
    header = os.path.join(proj, "models", "author.h")
    with open(header, "w") as f:
        f.write(SEED)
    run(t.strata_cmd("init"), cwd=proj)
    pristine = os.path.join(work, "b3-generated")
    shutil.copytree(os.path.join(proj, "generated"), pristine)

    def reset():
        shutil.rmtree(os.path.join(proj, "generated"))
        shutil.copytree(pristine, os.path.join(proj, "generated"))

    exe = os.path.join(work, "parse_floor")
    run([t.cc, "-O2", "-isystem", t.llvm + "/include", "-o", exe,
         os.path.join(t.bench, "parse_floor.c"), "-L" + t.llvm + "/lib", "-lclang",
         "-Wl,-rpath," + t.llvm + "/lib"])
    floor, _, _ = measure([exe, header, t.include], t.runs)
    mine, _, _ = measure(t.strata_cmd("migrate", "-m", "create author"), t.runs, cwd=proj,
                      setup=reset)
    record("B3", "`strata migrate`, seed model (Flask-Migrate: 0.42 s)", mine, floor, 1.5)
    return proj


def b4_history(n, seed=6):
    """n revisions, mixed: create table, add column, create index."""
    rng = random.Random(seed)
    tables = {}  # name -> [columns]; indexed columns in `indexed`
    indexed = set()
    revisions = []
    for i in range(1, n + 1):
        rid = "r%04d" % i
        kind = "create" if not tables or i % 3 == 1 else ("add" if i % 3 == 2 else "index")
        if kind == "index":
            cands = [(tb, c) for tb, cols in tables.items() for c in cols
                     if (tb, c) not in indexed]
            if not cands:
                kind = "add"
        if kind == "create":
            tb = "t%04d" % i
            tables[tb] = ["a"]
            up = ['strata_create_table(op, "%s",' % tb,
                  '    STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, '
                  '.autoincrement = true),',
                  '    STRATA_COLUMN("a", STRATA_TEXT, .nullable = true));']
            down = ['strata_drop_table(op, "%s");' % tb]
            msg = "create table %s" % tb
        elif kind == "add":
            tb = rng.choice(sorted(tables))
            col = "c%04d" % i
            tables[tb].append(col)
            up = ['strata_add_column(op, "%s", STRATA_COLUMN("%s", STRATA_TEXT, '
                  '.nullable = true));' % (tb, col)]
            down = ['strata_drop_column(op, "%s", "%s");' % (tb, col)]
            msg = "add column %s.%s" % (tb, col)
        else:
            tb, col = rng.choice(cands)
            indexed.add((tb, col))
            name = "ix_%s_%s" % (tb, col)
            up = ['strata_create_index(op, "%s", "%s", "%s");' % (name, tb, col)]
            down = ['strata_drop_index(op, "%s", "%s");' % (name, tb)]
            msg = "add index %s" % name
        revisions.append({"id": rid, "message": msg, "up": up, "down": down})
    lines = ["#include <stdint.h>", "#include <strata/model.h>", ""]
    for tb, cols in tables.items():
        lines.append("struct STRATA_MODEL() %s {" % tb)
        lines.append("    int64_t id STRATA_FIELD(primary_key);")
        for c in cols:
            lines.append("    char *%s%s;" % (c, " STRATA_FIELD(index)" if (tb, c) in indexed
                                              else ""))
        lines.append("};")
        lines.append("")
    return revisions, "\n".join(lines)


WRITES = re.compile(r"^(BEGIN|COMMIT|END|ROLLBACK|CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|"
                    r"REPLACE|SAVEPOINT|RELEASE)\b|^PRAGMA [a-z_]+ *=", re.I)


def b4(t, work):
    proj = os.path.join(work, "b4")
    revisions, models = b4_history(500)
    write_history(proj, t, revisions, models)
    app = build_app(t, proj)
    # The statements the runtime runs, read back through sqlite3_trace_v2.
    trace_db = os.path.join(proj, "trace.db")
    traced = run([app, "trace", trace_db]).stdout.splitlines()
    writes, reads, dropped, txn, seen = [], 0, 0, [], set()
    for s in traced:
        if not WRITES.match(s):
            reads += 1
            continue
        # `CREATE ... IF NOT EXISTS` of strata's own tables: needed once, not per revision.
        if re.match(r"CREATE TABLE IF NOT EXISTS", s, re.I):
            if s in seen:
                dropped += 1
                continue
            seen.add(s)
        txn.append(s)
        if re.match(r"(COMMIT|END)\b", s, re.I):
            writes += txn
            txn = []
        elif re.match(r"ROLLBACK\b", s, re.I):
            dropped += len(txn)  # a transaction that found nothing to do
            txn = []
    writes += txn
    begins = sum(1 for s in writes if re.match(r"BEGIN", s, re.I))
    per_rev = os.path.join(proj, "floor.sql")
    with open(per_rev, "w") as f:
        f.write("\n".join(writes) + "\n")
    one = os.path.join(proj, "floor-one.sql")
    with open(one, "w") as f:
        f.write("BEGIN;\n" + "\n".join(s for s in writes
                                      if not re.match(r"(BEGIN|COMMIT|END)\b", s, re.I))
                + "\nCOMMIT;\n")
    db = os.path.join(proj, "app.db")
    floor_db = os.path.join(proj, "floor.db")

    def fresh():
        for p in (db, floor_db, db + "-journal", floor_db + "-journal"):
            if os.path.exists(p):
                os.unlink(p)

    floor, _, floor_cpu = measure(["sqlite3", "-bail", floor_db], t.runs, setup=fresh,
                                  stdin_path=per_rev)
    # The trace puts each statement on one line: compare the schemas' words only.
    floor_schema = " ".join(run(["sqlite3", floor_db, ".schema"]).stdout.split())
    mine, _, mine_cpu = measure([app, "db", "upgrade"], t.runs, cwd=proj, setup=fresh)
    app_schema = " ".join(run(["sqlite3", db, ".schema"]).stdout.split())
    if app_schema != floor_schema:
        NOTES.append("B4: WARNING: the floor's schema differs from the app's.")
    record("B4", "`app db upgrade`, 500 revisions, a transaction each", mine, floor, 1.3)
    record("B4", "the same, CPU time (user + system): wall time is mostly fsync",
           mine_cpu, floor_cpu, None)
    NOTES.append("B4: the runtime ran %d statements (read back with sqlite3_trace_v2): "
                 "%d writes in %d transactions, which the floor runs through `sqlite3 "
                 "-bail`; %d reads (version and schema queries) and %d redundant writes "
                 "(strata's own tables created `IF NOT EXISTS` again in every revision, a "
                 "last transaction rolled back), which the floor leaves out. Both databases "
                 "end with the same schema%s." % (
                     len(traced), len(writes), begins, reads, dropped,
                     "" if app_schema == floor_schema else " (NOT: see above)"))
    help_text = run([app, "db", "upgrade", "--help"], cwd=proj, check=False)
    has_single = "--single-transaction" in (help_text.stdout + help_text.stderr)
    floor1, _, _ = measure(["sqlite3", "-bail", floor_db], t.runs, setup=fresh, stdin_path=one)
    if has_single:
        mine1, _, _ = measure([app, "db", "upgrade", "--single-transaction"], t.runs, cwd=proj,
                           setup=fresh)
        record("B4", "`app db upgrade --single-transaction`, 500 revisions", mine1, floor1,
               1.3)
    else:
        RESULTS.append(("B4", "`app db upgrade --single-transaction`, 500 revisions",
                        "not available", "%.4f s" % floor1, "", "<= 1.3x",
                        "missing in the runtime"))
        NOTES.append("B4: the runtime has no `upgrade --single-transaction` yet; the floor "
                     "for it (the same writes in one transaction) is reported alone.")


B5_REVS = [
    {"id": "b5base", "message": "create parent and child",
     "up": ['strata_create_table(op, "parent",',
            '    STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, '
            '.autoincrement = true),',
            '    STRATA_COLUMN("val", STRATA_INTEGER),',
            '    STRATA_COLUMN("a", STRATA_TEXT, .nullable = true),',
            '    STRATA_COLUMN("b", STRATA_TEXT, .nullable = true));',
            'strata_create_index(op, "ix_parent_a", "parent", "a");',
            'strata_create_index(op, "ix_parent_b", "parent", "b");',
            'strata_create_table(op, "child",',
            '    STRATA_COLUMN("id", STRATA_BIGINT, .primary_key = true, '
            '.autoincrement = true),',
            '    STRATA_COLUMN("parent_id", STRATA_BIGINT, .references = "parent.id", '
            '.on_delete = STRATA_CASCADE),',
            '    STRATA_COLUMN("x", STRATA_TEXT, .nullable = true));'],
     "down": ['strata_drop_table(op, "child");', 'strata_drop_table(op, "parent");']},
    {"id": "b5alter", "message": "parent val becomes double",
     "up": ['strata_alter_column(op, "parent", STRATA_COLUMN("val", STRATA_DOUBLE));'],
     "down": ['strata_alter_column(op, "parent", STRATA_COLUMN("val", STRATA_INTEGER));']},
]

B5_MODELS = """#include <stdint.h>
#include <strata/model.h>

struct STRATA_MODEL() parent {
    int64_t id STRATA_FIELD(primary_key);
    double val;
    char *a STRATA_FIELD(index);
    char *b STRATA_FIELD(index);
};

struct STRATA_MODEL() child {
    int64_t id STRATA_FIELD(primary_key);
    int64_t parent_id STRATA_FIELD(references = parent.id, on_delete = cascade);
    char *x;
};
"""

B5_ROWS = 1000000


def b5(t, work):
    proj = os.path.join(work, "b5")
    try:
        write_history(proj, t, B5_REVS, B5_MODELS)
        app = build_app(t, proj)
    except RuntimeError as e:
        lines = str(e).strip().splitlines()
        reason = next((x for x in lines if "error" in x or "undefined" in x), lines[-1])
        reason = re.sub(r"^\S*/", "", reason.strip())[:200]
        RESULTS.append(("B5", "rebuild: type change, 1M rows + 1M child rows",
                        "not available", "", "", "<= 1.2x", "not available"))
        NOTES.append("B5: not available: %s" % reason)
        return
    template = os.path.join(proj, "template.db")
    run([app, "db", "--url", "sqlite:///" + template, "upgrade", "b5base"], cwd=proj)
    fill = ("PRAGMA journal_mode=DELETE; BEGIN;"
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
            "INSERT INTO parent (id, val, a, b) SELECT i, i %% 1000, printf('a%%08d', i), "
            "printf('b%%08d', (i * 7919) %% %d) FROM n;"
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
            "INSERT INTO child (id, parent_id, x) SELECT i, i, 'x' FROM n;"
            "COMMIT;") % (B5_ROWS, B5_ROWS, B5_ROWS)
    run(["sqlite3", "-bail", template, fill])
    parent_sql = run(["sqlite3", template,
                      "SELECT sql FROM sqlite_schema WHERE name = 'parent'"]).stdout.strip()
    index_sql = run(["sqlite3", template, "SELECT sql || ';' FROM sqlite_schema WHERE "
                     "type = 'index' AND tbl_name = 'parent' AND sql IS NOT NULL"]).stdout
    new_sql = parent_sql.replace('"parent"', '"parent_new"', 1)
    new_sql = re.sub(r'("val"\s+)INTEGER', r"\1DOUBLE", new_sql, count=1)
    floor_sql = os.path.join(proj, "floor.sql")
    with open(floor_sql, "w") as f:
        f.write("PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n%s;\n"
                "INSERT INTO parent_new (id, val, a, b) SELECT id, val, a, b FROM parent;\n"
                "DROP TABLE parent;\nPRAGMA legacy_alter_table = ON;\n"
                "ALTER TABLE parent_new RENAME TO parent;\nPRAGMA legacy_alter_table = OFF;\n"
                "%s"
                "PRAGMA foreign_key_check(parent);\nPRAGMA foreign_key_check(child);\n"
                "UPDATE strata_version SET version_num = 'b5alter';\n"
                "INSERT INTO strata_history (revision, direction, checksum, applied_at, "
                "duration_ms) VALUES ('b5alter', 'upgrade', '%s', "
                "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'), 0);\n"
                "COMMIT;\nPRAGMA foreign_keys = ON;\n" % (new_sql, index_sql, "0" * 64))
    db = os.path.join(proj, "app.db")

    def copy():
        shutil.copyfile(template, db)

    try:
        mine, mine_rss, mine_cpu = measure([app, "db", "upgrade"], t.runs, cwd=proj, setup=copy)
    except RuntimeError as e:
        RESULTS.append(("B5", "rebuild: type change, 1M rows + 1M child rows",
                        "not available", "", "", "<= 1.2x", "not available"))
        NOTES.append("B5: not available: `app db upgrade` failed: %s" %
                     " ".join(str(e).split())[-300:])
        return
    rows = run(["sqlite3", db, "SELECT count(*) FROM parent; SELECT count(*) FROM child; "
                "SELECT typeof(val) FROM parent LIMIT 1"]).stdout.split()
    floor, floor_rss, floor_cpu = measure(["sqlite3", "-bail", db], t.runs, setup=copy,
                               stdin_path=floor_sql)
    record("B5", "rebuild: type change, 1M rows + 1M child rows", mine, floor, 1.2)
    record("B5", "the same, CPU time (user + system)", mine_cpu, floor_cpu, None)
    RESULTS.append(("B5", "rebuild: peak memory", "%.1f MiB" % (mine_rss / 1024),
                    "%.1f MiB" % (floor_rss / 1024), "%+.1f MiB" % ((mine_rss - floor_rss) / 1024),
                    "<= +16 MiB", "met" if mine_rss - floor_rss <= 16 * 1024 else "missed"))
    NOTES.append("B5: after the app's upgrade: %s parent rows, %s child rows, val is %s."
                 % tuple(rows[:3]))


APP_MIN = """#include <sqlite3.h>

int main(int argc, char **argv)
{
    sqlite3 *db = 0;
    int rc = argc > 1 && sqlite3_open(argv[1], &db) == SQLITE_OK ? 0 : 1;

    sqlite3_close(db);
    return rc;
}
"""

APP_README = """#include <string.h>
#include <strata/strata.h>
extern const struct strata_migrations strata_migrations;

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "db") == 0)
        return strata_cli("sqlite:///app.db", &strata_migrations, argc - 2, argv + 2);
    return 0;
}
"""


def b6(t, work, seed_proj):
    proj = seed_proj  # the seed model and its one revision (B3)
    with open(os.path.join(proj, "app_readme.c"), "w") as f:
        f.write(APP_README)
    with open(os.path.join(proj, "app_min.c"), "w") as f:
        f.write(APP_MIN)
    sizes = {}
    for static in (True, False):
        try:
            full = build_app(t, proj, "app_full", static, os.path.join(proj, "app_readme.c"))
            bare = os.path.join(proj, "app_min")
            cmd = [t.cc, "-O2", "-o", bare, os.path.join(proj, "app_min.c"), "-lsqlite3"]
            run(cmd + (["-static", "-lm", "-lpthread", "-ldl"] if static else []))
        except RuntimeError as e:
            NOTES.append("B6: a fully static link failed (%s); measured with libstrata.a "
                         "linked statically into a dynamic app."
                         % str(e).strip().splitlines()[-1][:120])
            continue
        for exe in (full, bare):
            run(["strip", exe])
        sizes = {"static": static, "full": os.path.getsize(full), "bare": os.path.getsize(bare)}
        break
    kind = "fully static (-static)" if sizes["static"] else "libstrata.a, dynamic libc/sqlite3"
    RESULTS.append(("B6", "bytes libstrata adds to a stripped app, %s" % kind,
                    "%d B" % sizes["full"], "%d B" % sizes["bare"],
                    "+%d B" % (sizes["full"] - sizes["bare"]), "", "report"))
    app = build_app(t, proj, "app_dyn", False, os.path.join(proj, "app_readme.c"))
    run([app, "db", "upgrade"], cwd=proj)
    runs = max(t.runs, 21)
    mine, _, _ = measure([app, "db", "current"], runs, cwd=proj)
    floor, _, _ = measure(["sqlite3", os.path.join(proj, "app.db"), "select 1"], runs)
    record("B6", "startup: `app db current`, up to date (seed)", mine, floor, None)


def write_results(path, table, command):
    with open(path) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    i, j = text.index(begin) + len(begin), text.index(end)
    text = text[:i] + "\n" + table + "\n" + text[j:]
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--build", required=True, help="a -Dbuildtype=release build of --repo")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="B1,B2,B3,B4,B5,B6")
    ap.add_argument("--write", help="RESULTS.md to update between its markers")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error("--runs must be at least 5")
    t = Tools(args)
    only = set(args.only.upper().split(","))
    work = tempfile.mkdtemp(prefix="strata-bench.")
    try:
        if only & {"B1", "B2"}:
            b1_b2(t, work)
        seed = None
        if only & {"B3", "B6"}:
            seed = b3(t, work)
        if "B4" in only:
            b4(t, work)
        if "B6" in only:
            b6(t, work, seed)
        if "B5" in only:
            b5(t, work)
    finally:
        if args.keep:
            log("work folder kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            cpu = m.group(1) if m else cpu
    except OSError:
        pass
    lines = ["Measured %s on %s (%d cores), %s, median of %d runs (21 for B6 startup)." % (
        time.strftime("%Y-%m-%d", time.gmtime()), cpu, os.cpu_count() or 0,
        run([t.clang, "--version"]).stdout.splitlines()[0], args.runs), "",
        "| | measure | strata | floor | ratio | target | |",
        "|---|---|---|---|---|---|---|"]
    for r in RESULTS:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")
    lines += ["- " + n for n in NOTES]
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_results(args.write, table, None)
    return 1 if any(r[6] == "missed" for r in RESULTS) else 0


if __name__ == "__main__":
    sys.exit(main())
