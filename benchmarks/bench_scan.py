"""Time `envcheck scan --json` beside `python -m torch.utils.collect_env` and `python -m pip list --format=json`.

Each command runs as a fresh process (as a user runs it), a warm-up run first, then N timed runs; prints the
median and the spread, and the speed-up over collect_env. Commands whose module is missing are skipped.

    python benchmarks/bench_scan.py [--runs 5] [--python PYTHON_WITH_TORCH] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def time_cmd(args, runs, env):
    def once():
        t = time.perf_counter()
        p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=600)
        return time.perf_counter() - t, p.returncode, p.stderr.decode(errors="replace")[-300:]
    _, rc, err = once()  # warm-up (page cache, .pyc)
    if rc != 0:
        return None, f"exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}"
    times = [once()[0] for _ in range(runs)]
    return times, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--python", default=sys.executable, help="interpreter for collect_env and pip list")
    ap.add_argument("--json", default=None)
    ap.add_argument("--pycache", default=None, help="PYTHONPYCACHEPREFIX for every command (default: a fresh temp dir; 'none': as the machine is)")
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # Byte-code as an installed package has it: pip compiles .pyc at install time, but a checkout on a read-only
    # or PYTHONDONTWRITEBYTECODE machine (and a uv venv, which does not compile by default) recompiles every module
    # on every run. A private pycache prefix, filled by each command's warm-up run, gives all three commands the
    # same footing.
    # `--pycache none` leaves the machine as it is.
    if a.pycache != "none":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = a.pycache or tempfile.mkdtemp(prefix="envcheck-bench-pyc-")
    cmds = {
        "envcheck scan --json": [sys.executable, "-m", "envcheck", "scan", "--json"],
        "python -m torch.utils.collect_env": [a.python, "-m", "torch.utils.collect_env"],
        "python -m pip list --format=json": [a.python, "-m", "pip", "list", "--format=json"],
    }
    results = {}
    for name, args in cmds.items():
        times, err = time_cmd(args, a.runs, env)
        if times is None:
            print(f"{name:<38} skipped ({err})")
            continue
        med = statistics.median(times)
        results[name] = {"median_s": med, "min_s": min(times), "max_s": max(times), "runs": len(times)}
        print(f"{name:<38} median {med:7.3f} s  (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})")
    base = results.get("envcheck scan --json")
    for other in ("python -m torch.utils.collect_env", "python -m pip list --format=json"):
        if base and other in results:
            print(f"envcheck scan is {results[other]['median_s'] / base['median_s']:.1f}x faster than {other}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
