#!/usr/bin/env python3
"""Crash safety (issue 5 §2): SIGKILL `safety_app db upgrade` at many points of a long
history and check the database after each kill.

The app (tests/safety/app.c) holds a 14-revision history whose table `big` (100000 rows)
is rebuilt twice. A calibration run times each revision from its `Running upgrade` log
line. Then each cycle starts from an empty database and, for every revision in turn,
starts an upgrade, waits for that revision's `Running upgrade` line, sleeps a random
part of the revision's duration and kills the process with SIGKILL; one more kill lands
at a random time since the start (start-up, replay, the lock). After each kill
`safety_app check` must pass: `PRAGMA integrity_check` ok, the version one of the
revisions, the live schema equal to that revision's replayed schema, one history row per
applied revision, every row of every table there, nothing left over. Each cycle ends with
a rerun of `db upgrade` that must exit 0 at head, leaving no journal file behind.

Cycles repeat until at least --kills processes were killed while running (default 100;
STRATA_STRESS=1: 1000). Prints the counts; exits 1 on the first failed check.
usage: test_crash.py SAFETY_APP [--kills N] [--seed S]
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

REVISIONS = ["5afe%08x" % i for i in range(1, 15)]
BIG_REBUILDS = {"5afe00000005", "5afe0000000d"}


def run_upgrade(app, env, on_line=None):
    """Starts `app db upgrade`; calls on_line(proc, line) for each stderr line until it
    returns True (the caller took over) or the process ends. Returns the process."""
    proc = subprocess.Popen([app, "db", "upgrade"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    if on_line is not None:
        for line in proc.stderr:
            if on_line(proc, line):
                break
    return proc


def calibrate(app, env, db):
    """Times each revision of a full upgrade from base: {revision: seconds}."""
    starts = {}

    def on_line(proc, line):
        for rev in REVISIONS:
            if "-> %s," % rev in line:
                starts[rev] = time.monotonic()
        return False

    proc = run_upgrade(app, env, on_line)
    proc.wait()
    end = time.monotonic()
    if proc.returncode != 0:
        sys.exit("calibration upgrade failed with status %d" % proc.returncode)
    times = [starts[r] for r in REVISIONS] + [end]
    os.unlink(db)
    return {r: max(times[i + 1] - times[i], 0.001) for i, r in enumerate(REVISIONS)}


def check(app, db, label):
    """Runs the checker; exits 1 with its message when the database is not sound."""
    res = subprocess.run([app, "check", db], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    if res.returncode != 0:
        print("not sound after %s: %s" % (label, res.stdout.strip()))
        sys.exit(1)
    return res.stdout.split()[1]


def kill_after_line(app, env, rev, delay):
    """Starts an upgrade and kills it `delay` s after the `Running upgrade` line of
    `rev` (or at `delay` s after the start when `rev` is None). True when the process
    was still running when killed."""
    seen = []

    def on_line(proc, line):
        if rev is not None and "-> %s," % rev in line:
            seen.append(True)
            return True
        return False

    if rev is None:
        proc = run_upgrade(app, env)
        time.sleep(delay)
    else:
        proc = run_upgrade(app, env, on_line)
        if not seen:
            proc.wait()
            return False
        time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.stderr.close()
    proc.wait()
    return killed and proc.returncode == -signal.SIGKILL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("app")
    ap.add_argument("--kills", type=int,
                    default=1000 if os.environ.get("STRATA_STRESS") == "1" else 100)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print("# seed %d" % args.seed)
    tmp = tempfile.mkdtemp(prefix="strata-crash.")
    db = os.path.join(tmp, "safety.db")
    env = dict(os.environ, STRATA_DATABASE_URL="sqlite:///" + db)
    env.pop("STRATA_SAFETY_BIG_ROWS", None)
    durations = calibrate(app=args.app, env=env, db=db)
    total = sum(durations.values())
    print("# full upgrade: %.3f s; big rebuilds: %s" % (
        total, ", ".join("%.3f s" % durations[r] for r in sorted(BIG_REBUILDS))))
    kills = attempts = in_big_rebuild = cycles = 0
    versions = {}
    while kills < args.kills:
        cycles += 1
        for path in (db, db + "-journal"):
            if os.path.exists(path):
                os.unlink(path)
        plan = [(r, rng.uniform(0, 1.3 * durations[r])) for r in REVISIONS]
        plan.append((None, rng.uniform(0, 1.1 * total)))
        for rev, delay in plan:
            attempts += 1
            killed = kill_after_line(args.app, env, rev, delay)
            label = "kill %d (cycle %d, %s + %.4f s)" % (attempts, cycles, rev or "start",
                                                          delay)
            version = check(args.app, db, label)
            versions[version] = versions.get(version, 0) + 1
            if killed:
                kills += 1
                prev = REVISIONS[REVISIONS.index(rev) - 1] if rev in BIG_REBUILDS else None
                if prev is not None and version == prev:
                    in_big_rebuild += 1
        proc = run_upgrade(args.app, env)
        err = proc.stderr.read()
        proc.wait()
        if proc.returncode != 0 or "database is locked" in err:
            print("rerun after cycle %d failed (%d): %s" % (cycles, proc.returncode, err))
            sys.exit(1)
        version = check(args.app, db, "the rerun of cycle %d" % cycles)
        if version != REVISIONS[-1]:
            print("the rerun of cycle %d ended at %s, not at head" % (cycles, version))
            sys.exit(1)
        if os.path.exists(db + "-journal"):
            print("cycle %d: a journal file is left after the rerun" % cycles)
            sys.exit(1)
    print("# %d cycles, %d kills of a running upgrade (%d attempts), %d during a rebuild "
          "of the %d-row table; rows lost: 0" % (cycles, kills, attempts, in_big_rebuild,
                                                 100000))
    print("# versions seen after a kill: %s" % " ".join(
        "%s:%d" % (v, n) for v, n in sorted(versions.items())))
    if in_big_rebuild < 3:
        print("only %d kills landed inside a big rebuild" % in_big_rebuild)
        sys.exit(1)
    for path in (db, db + "-journal"):
        if os.path.exists(path):
            os.unlink(path)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
