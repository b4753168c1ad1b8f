#!/usr/bin/env python3
"""Concurrency (issue 5 §3): 8 processes run `safety_app db upgrade` against the same new
SQLite file at the same moment, 20 rounds.

Each round: every process exits 0, no "database is locked" (or any ERROR) reaches a
user, the `Running upgrade` lines of all processes together name each revision exactly
once, and `safety_app check` passes at head (one strata_history upgrade row per
revision, every row there). Every fourth round a ninth process joins and is killed with
SIGKILL once it is applying a revision: the others must still all succeed, and nothing it
held (a lock, a journal file) may be left. Then the wait report: while another connection
holds the lock for 1.5 s, an upgrade logs
`INFO  [strata.runtime] Waiting for another migration to finish...` exactly once and
succeeds; a hold of 0.2 s logs nothing. STRATA_STRESS=1: 200 rounds.
usage: test_concurrency.py SAFETY_APP [--rounds N] [--procs N]
"""
import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

REVISIONS = ["5afe%08x" % i for i in range(1, 15)]
WAITING = "INFO  [strata.runtime] Waiting for another migration to finish..."


def fail(msg):
    print(msg)
    sys.exit(1)


def start(app, env):
    return subprocess.Popen([app, "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def running_revision(proc):
    """Reads `proc`'s stderr up to its first `Running upgrade` line (it holds the lock
    then) and returns that revision, or None when it ends first."""
    for line in proc.stderr:
        if "Running upgrade" in line:
            return line.split("-> ")[1].split(",")[0]
    return None


def clean(db):
    for path in (db, db + "-journal"):
        if os.path.exists(path):
            os.unlink(path)


def round_once(app, env, db, n, procs, with_victim):
    clean(db)
    victim = None
    victim_running = []
    if with_victim:
        # The victim takes the lock first; the others start waiting on it; then it dies.
        victim = start(app, env)
        victim_running.append(running_revision(victim))
    workers = [start(app, env) for _ in range(procs)]
    if victim is not None:
        time.sleep(random.uniform(0, 0.05))
        victim.send_signal(signal.SIGKILL)
        victim_running += [line.split("-> ")[1].split(",")[0]
                           for line in victim.stderr.read().splitlines()
                           if "Running upgrade" in line]
        victim.stderr.close()
        victim.wait()
    applied = []
    for i, p in enumerate(workers):
        out, err = p.communicate(timeout=300)
        if p.returncode != 0:
            fail("round %d: process %d exited %d:\n%s" % (n, i, p.returncode, err))
        if "locked" in err or "ERROR" in err:
            fail("round %d: process %d printed an error:\n%s" % (n, i, err))
        applied += [line.split("-> ")[1].split(",")[0] for line in err.splitlines()
                    if "Running upgrade" in line]
    killed = 0
    if victim is not None:
        killed = 1 if victim.returncode == -signal.SIGKILL else 0
    res = subprocess.run([app, "check", db], stdout=subprocess.PIPE, text=True)
    if res.returncode != 0 or res.stdout.split()[1] != REVISIONS[-1]:
        fail("round %d: check: %s" % (n, res.stdout.strip()))
    missing = [r for r in REVISIONS if r not in applied]
    twice = sorted({r for r in applied if applied.count(r) > 1})
    # The victim's revisions committed before the kill are not run again; the one it was
    # inside is rolled back and run by another process. strata_history (the checker)
    # holds exactly one row per revision.
    if twice or [r for r in missing if r not in victim_running]:
        fail("round %d: applied %s (missing %s, twice %s)" % (n, applied, missing, twice))
    if os.path.exists(db + "-journal"):
        fail("round %d: a journal file is left behind" % n)
    return len(applied), killed


def hold_lock(db, seconds):
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def wait_report(app, env, db, hold):
    """Runs an upgrade while another connection holds the lock for `hold` seconds;
    returns how many times it reported waiting."""
    clean(db)
    sqlite3.connect(db).close()
    holder = threading.Thread(target=hold_lock, args=(db, hold))
    holder.start()
    time.sleep(0.05)
    res = subprocess.run([app, "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    holder.join()
    if res.returncode != 0:
        fail("upgrade behind a %.1f s lock exited %d:\n%s" % (hold, res.returncode,
                                                               res.stderr))
    return res.stderr.splitlines().count(WAITING)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("app")
    ap.add_argument("--rounds", type=int,
                    default=200 if os.environ.get("STRATA_STRESS") == "1" else 20)
    ap.add_argument("--procs", type=int, default=8)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="strata-concurrency.")
    db = os.path.join(tmp, "safety.db")
    env = dict(os.environ, STRATA_DATABASE_URL="sqlite:///" + db)
    env.pop("STRATA_SAFETY_BIG_ROWS", None)
    runs = victims = 0
    for n in range(args.rounds):
        applied, killed = round_once(args.app, env, db, n, args.procs, n % 4 == 3)
        runs += args.procs
        victims += killed
    print("# %d rounds x %d processes: %d runs exited 0, each revision applied once per "
          "round, %d killed lock holders left nothing behind" % (args.rounds, args.procs,
                                                                 runs, victims))
    n = wait_report(args.app, env, db, 1.5)
    if n != 1:
        fail("behind a 1.5 s lock the wait was reported %d times, not once" % n)
    n = wait_report(args.app, env, db, 0.2)
    if n != 0:
        fail("behind a 0.2 s lock the wait was reported %d times, not never" % n)
    print("# the wait is reported once after a second")
    clean(db)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
