"""Benchmark: the pythons probe over N generated venvs of 300 packages each (file reads only, nothing executed).

    python benchmarks/bench_pythons.py            # 10, 25, 50, 100 venvs; same and distinct package sets
    python benchmarks/bench_pythons.py --envs 50 --packages 300

Each package is a dist-info with a METADATA (header with 5 Requires-Dist lines, 2 of them extras, then a 4 KB
long description that is not read), WHEEL (every 10th a cp312 binary wheel) and RECORD (20 lines); every env has
torch with torch/version.py and 6 nvidia-* wheels. "same": every venv holds the same 300 distributions (a team's
stack copied around); "distinct": every venv's names and requirement texts differ (no cache hits across envs).
The files are in the page cache (second run); the figure is the probe only (discovery + reading).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from envcheck.model import Environment  # noqa: E402
from envcheck.probes import ProbeContext  # noqa: E402
from envcheck.probes.pythons import probe  # noqa: E402
from envcheck.root import Root  # noqa: E402

DESC = ("Lorem ipsum dolor sit amet. " * 150)[:4096]


def make_env(top: str, i: int, packages: int, distinct: bool):
    v = os.path.join(top, "opt", "venvs", f"v{i:03d}")
    sp = os.path.join(v, "lib", "python3.12", "site-packages")
    os.makedirs(os.path.join(v, "bin"))
    os.makedirs(sp)
    with open(os.path.join(v, "pyvenv.cfg"), "w") as fh:
        fh.write("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.3\n")
    os.symlink("/usr/bin/python3.12", os.path.join(v, "bin", "python"))
    tag = f"e{i}" if distinct else ""
    names = [f"pkg{tag}-{k:03d}" for k in range(packages - 7)] + ["torch"] + \
        [f"nvidia-{n}-cu12" for n in ("cublas", "cuda-runtime", "cudnn", "nccl", "cufft", "curand")]
    for k, name in enumerate(names):
        ver = "2.5.1+cu124" if name == "torch" else f"1.{k}.0"
        d = os.path.join(sp, f"{name.replace('-', '_')}-{ver}.dist-info")
        os.makedirs(d)
        reqs = [f"{names[(k + j) % len(names)]}>=0.{j}" for j in (1, 2, 3)] + \
            [f'pytest>=7; extra == "test{tag}"', f'sphinx; extra == "docs{tag}"']
        with open(os.path.join(d, "METADATA"), "w") as fh:
            fh.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\nSummary: generated\n")
            fh.write("".join(f"Requires-Dist: {r}\n" for r in reqs))
            fh.write("\n" + DESC)
        wtag = "cp312-cp312-manylinux_2_17_x86_64" if k % 10 == 0 else "py3-none-any"
        with open(os.path.join(d, "WHEEL"), "w") as fh:
            fh.write(f"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: {wtag}\n")
        with open(os.path.join(d, "RECORD"), "w") as fh:
            top_dir = f"nvidia/{name.split('-')[1]}/lib" if name.startswith("nvidia-") else name.replace("-", "_")
            fh.write("".join(f"{top_dir}/f{j}.py,sha256=x,10\n" for j in range(20)))
    os.makedirs(os.path.join(sp, "torch"))
    with open(os.path.join(sp, "torch", "version.py"), "w") as fh:
        fh.write("__version__ = '2.5.1+cu124'\ncuda = '12.4'\ngit_version = 'abc'\nhip = None\n")


def build(envs: int, packages: int, distinct: bool) -> str:
    top = tempfile.mkdtemp(prefix="bench-pythons-")
    os.makedirs(os.path.join(top, "usr", "bin"))
    with open(os.path.join(top, "usr", "bin", "python3.12"), "wb") as fh:
        fh.write(b"\x7fELF")
    for i in range(envs):
        make_env(top, i, packages, distinct)
    return top


def measure(top: str, repeat: int = 3):
    times, n = [], 0
    for _ in range(repeat + 1):
        from envcheck.pyenvs import metadata
        for f in (metadata.parse_requirement, metadata.marker_applies, metadata._canon, metadata._spec,
                  metadata._valid_version, metadata._unmet_spec, metadata._public):
            f.cache_clear()   # every run starts cold in-process (a CLI run is a new process)
        t = time.perf_counter()
        out = probe(ProbeContext(Root(top, live=False)), Environment())["pythons"]
        times.append(time.perf_counter() - t)
        n = sum(len(p.packages or {}) for p in out)
    return statistics.median(times[1:]), len(out), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--envs", type=int, nargs="*", default=[10, 25, 50, 100])
    ap.add_argument("--packages", type=int, default=300)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'set':9} {'envs':>5} {'dists':>7} {'seconds':>8} {'ms/env':>7}")
    for distinct in (False, True):
        for n in args.envs:
            top = build(n, args.packages, distinct)
            try:
                secs, found, dists = measure(top)
            finally:
                shutil.rmtree(top)
            print(f"{'distinct' if distinct else 'same':9} {found:>5} {dists:>7} {secs:8.3f} {1000 * secs / max(found, 1):7.1f}")


if __name__ == "__main__":
    main()
