#!/usr/bin/env python3
"""`check` against `ruff check --select DJ`, in alternating pairs (a benchmark, not a test).

    python3 tests/corpus/vs_ruff.py --bin target/release/pattern-language [--pairs 7] DIR...

For each DIR: cold (`check --no-cache` against `ruff --no-cache`) and warm (both with their
cache, after one run to fill it). Each pair runs the two commands one after the other, in
turns (ours first in even pairs, ruff first in odd ones), so that a load that comes and goes
falls on both. Prints, per DIR and mode, the median wall time of each, the median of the
pairwise ratios ours/ruff, and the peak resident memory of each (from wait4).

Nothing here is run on the user's code: both tools only read the files.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, cwd, env=None):
    """Wall seconds and peak RSS (MB) of one run; output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code > 1:
        sys.exit(f"{' '.join(cmd)} failed in {cwd} with exit code {code}")
    return wall, usage.ru_maxrss / 1024


def pairs(ours, ruff, cwd, n, env):
    rows = []
    for i in range(n):
        order = [("ours", ours), ("ruff", ruff)]
        if i % 2:
            order.reverse()
        got = {}
        for name, cmd in order:
            got[name] = run(cmd, cwd, env)
        rows.append(got)
    return rows


def summary(label, rows):
    ours = [r["ours"][0] for r in rows]
    ruff = [r["ruff"][0] for r in rows]
    ratio = statistics.median(o / r for o, r in zip(ours, ruff))
    mem_o = max(r["ours"][1] for r in rows)
    mem_r = max(r["ruff"][1] for r in rows)
    print(
        f"{label:<28} ours {statistics.median(ours) * 1e3:7.0f} ms  ruff "
        f"{statistics.median(ruff) * 1e3:7.0f} ms  ratio {ratio:5.2f}x  "
        f"peak RSS {mem_o:5.1f} / {mem_r:5.1f} MB ({mem_o / mem_r:4.2f}x)"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--ruff", default=shutil.which("ruff") or "ruff")
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    print(f"{args.pairs} alternating pairs; load average {os.getloadavg()[0]:.2f} at start")
    for d in args.dirs:
        name = os.path.basename(os.path.normpath(d))
        # Both caches live in a scratch folder: the corpus is not written to.
        with tempfile.TemporaryDirectory() as scratch:
            env = dict(os.environ, RUFF_CACHE_DIR=os.path.join(scratch, "ruff"))
            ruff = [args.ruff, "check", "--isolated", "--select", "DJ", "--exit-zero", "."]
            ours = [binary, "check", "--format", "json", "."]
            cold = pairs(ours + ["--no-cache"], ruff + ["--no-cache"], d, args.pairs, env)
            summary(f"{name}: cold", cold)
            run(ours, d, env)
            run(ruff, d, env)
            warm = pairs(ours, ruff, d, args.pairs, env)
            summary(f"{name}: warm (cache)", warm)
        # Our cache is written beside the project (`.pattern-language-cache/`): remove it.
        shutil.rmtree(os.path.join(d, ".pattern-language-cache"), ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
