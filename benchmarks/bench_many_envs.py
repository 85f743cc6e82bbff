"""How envcheck's commands grow with the number of Python environments, and how fast it refuses hostile input.

    PYTHONPATH=. python3 benchmarks/bench_many_envs.py [--sizes 1000,10000] [--yaml-mb 50]

For each size N: a generated --root tree with N venvs under /workspace (pyvenv.cfg, bin/python, one torch
dist-info each), then the wall time of `scan --root` (which writes the saved scan), and of `check`, `recommend
--target vllm`, `recommend --target tensorrt-llm`, `gate --policy examples/envcheck-policy.yaml` and `explain` on
that saved scan (--env), each in a fresh process, best of --repeat. Linear means: 10x the environments, ~10x the
time (or less, where start-up dominates). Then the time to refuse a --env YAML of --yaml-mb MB (the limit is
2 MiB). Timings never gate CI; the figures of a run go in the README's Measured table and docs/bounds.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))


def make_many(dst: str, n: int) -> None:
    from hostile_tree import make_tree

    make_tree(dst)
    for i in range(n):
        v = f"{dst}/workspace/v{i:05d}"
        sp = v + "/lib/python3.10/site-packages"
        os.makedirs(v + "/bin")
        os.makedirs(sp + "/torch-2.4.0+cu121.dist-info")
        with open(v + "/pyvenv.cfg", "w") as fh:
            fh.write("home = /usr/bin\nversion = 3.10.12\n")
        os.symlink("/usr/bin/python3.10", v + "/bin/python")
        with open(sp + "/torch-2.4.0+cu121.dist-info/METADATA", "w") as fh:
            fh.write("Metadata-Version: 2.1\nName: torch\nVersion: 2.4.0+cu121\nRequires-Dist: filelock\n\n")


def timed(args, repeat: int, stdout=None) -> float:
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("ENVCHECK_MATRIX_DIR", None)
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        with open(stdout or os.devnull, "w") as out:
            p = subprocess.run([sys.executable, "-m", "envcheck", *args], stdout=out, stderr=subprocess.PIPE,
                               env=env, cwd=REPO, text=True)
        dt = time.perf_counter() - t
        if p.returncode not in (0, 1, 2):
            raise SystemExit(f"{args}: exit {p.returncode}: {p.stderr[-500:]}")
        best = dt if best is None else min(best, dt)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--yaml-mb", type=int, default=50)
    a = ap.parse_args()
    policy = os.path.join(REPO, "examples", "envcheck-policy.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'venvs':>6}  {'scan --root':>11}  {'check':>6}  {'rec vllm':>8}  {'rec trtllm':>10}  {'gate':>6}  {'explain':>7}")
        for n in (int(x) for x in a.sizes.split(",")):
            root = os.path.join(tmp, f"r{n}")
            make_many(root, n)
            scan = os.path.join(tmp, f"scan{n}.json")
            t_scan = timed(["scan", "--root", root, "--json"], a.repeat, stdout=scan)
            env = ["--env", scan]
            row = [timed(["check", *env], a.repeat), timed(["recommend", "--target", "vllm", *env], a.repeat),
                   timed(["recommend", "--target", "tensorrt-llm", *env], a.repeat),
                   timed(["gate", "--policy", policy, *env], a.repeat),
                   timed(["explain", "ImportError: libcublasLt.so.13: cannot open shared object file", *env], a.repeat)]
            print(f"{n:>6}  {t_scan:>10.2f}s  " + "  ".join(f"{x:>{w - 1}.2f}s" for x, w in zip(row, (6, 8, 10, 6, 7))))
            shutil.rmtree(root)
        big = os.path.join(tmp, "big.yaml")
        with open(big, "w") as fh:
            fh.write("schema: envcheck.environment/1\npythons:\n")
            line = "  - {path: /x/bin/python, version: '3.10.12', kind: venv}\n"
            fh.write(line * (a.yaml_mb * (1 << 20) // len(line)))
        print(f"refusing a {a.yaml_mb} MB --env YAML: {timed(['check', '--env', big], a.repeat):.2f}s (exit 2)")


if __name__ == "__main__":
    main()
