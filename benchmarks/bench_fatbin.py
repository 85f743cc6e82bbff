"""How long envcheck.fatbin takes to list the GPU architectures of real CUDA libraries, and whether it agrees with
cuobjdump on the same files.

    PYTHONPATH=. python3 benchmarks/bench_fatbin.py [--cuobjdump] [--budget 200] PATH_OR_DIR ...
    # e.g. on the device machine:
    PYTHONPATH=. /opt/torch/.venv/bin/python benchmarks/bench_fatbin.py --cuobjdump \
        /opt/torch/.venv/lib/python3.12/site-packages/torch/lib /opt/torch/.venv/lib/python3.12/site-packages/nvidia

For each file: size, the time of a cold read (the file's pages dropped from the page cache with
posix_fadvise(DONTNEED) first, which needs no privilege but is only advice) and the best of 5 warm reads, the number
of read() calls, and the result. With --cuobjdump, ``cuobjdump -lelf -lptx FILE`` is run on the files (the largest
first, then the smallest, within --budget seconds) and its lists compared with ours: same arch sets and the same
number of ELF and PTX entries. Writes the whole result to $OUT/bench_fatbin.json when $OUT is set. Timings never
gate CI; the figures of a run go in docs/fatbin.md.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from envcheck import fatbin  # noqa: E402


class CountingFile:
    """A binary file that counts read() calls and bytes (to show that payloads are skipped, not read)."""

    def __init__(self, fh):
        self.fh = fh
        self.reads = 0
        self.bytes = 0

    def seek(self, *a):
        return self.fh.seek(*a)

    def tell(self):
        return self.fh.tell()

    def read(self, n=-1):
        out = self.fh.read(n)
        self.reads += 1
        self.bytes += len(out)
        return out


def drop_cache(path):
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        return True
    except (OSError, AttributeError):
        return False


def header_stats(path):
    """Per-kind entry counts and the distinct (kind, arch, flags, header size) seen: for checking the layout."""
    kinds = collections.Counter()
    combos = collections.Counter()
    with open(path, "rb") as fh:
        for en in fatbin.entries(fh):
            kinds[en.kind] += 1
            combos[(en.kind, en.arch, hex(en.flags), en.header_size)] += 1
    return dict(kinds), sorted([list(k) + [v] for k, v in combos.items()], key=str)


CUOBJ_RE = re.compile(r"^(ELF|PTX) file\s+\d+:\s+(\S+)$")
ARCH_RE = re.compile(r"\.(sm_\d+[a-z]?)\.(cubin|ptx)$")


def run_cuobjdump(cuobjdump, path, timeout):
    t0 = time.perf_counter()
    try:
        p = subprocess.run([cuobjdump, "-lelf", "-lptx", path], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout}s"}
    dt = time.perf_counter() - t0
    elf, ptx, unparsed = [], [], []
    for line in p.stdout.splitlines():
        m = CUOBJ_RE.match(line.strip())
        if not m:
            continue
        a = ARCH_RE.search(m.group(2))
        if not a:
            unparsed.append(m.group(2))
            continue
        (elf if m.group(1) == "ELF" else ptx).append(a.group(1))
    return {"seconds": round(dt, 3), "rc": p.returncode, "stderr": p.stderr.strip()[-300:],
            "elf_entries": len(elf), "ptx_entries": len(ptx),
            "sass": sorted(set(elf), key=_key), "ptx": sorted({"compute_" + x[3:] for x in ptx}, key=_key),
            "unparsed": unparsed[:5]}


def _key(name):
    m = re.match(r"^(?:sm|compute)_(\d+)([a-z]?)$", name)
    return (int(m.group(1)), m.group(2)) if m else (0, name)


def files_under(paths):
    out = []
    for p in paths:
        if os.path.isfile(p):
            out.append(p)
            continue
        for dirpath, _, names in os.walk(p):
            for n in names:
                full = os.path.join(dirpath, n)
                if (".so" in n or n.endswith(".o")) and os.path.isfile(full) and not os.path.islink(full):
                    out.append(full)
    return sorted(set(out))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--cuobjdump", action="store_true", help="compare with cuobjdump -lelf -lptx")
    ap.add_argument("--budget", type=float, default=200.0, help="seconds for all cuobjdump runs together")
    ap.add_argument("--stats", action="store_true", help="per-kind counts and distinct header combinations")
    args = ap.parse_args(argv)

    rows = []
    t_all = time.perf_counter()
    for path in files_under(args.paths):
        size = os.path.getsize(path)
        dropped = drop_cache(path)
        with open(path, "rb") as raw:
            fh = CountingFile(raw)
            t0 = time.perf_counter()
            a = fatbin.read_archs(fh)
            cold = time.perf_counter() - t0
        warm = []
        for _ in range(5):
            with open(path, "rb") as raw:
                t0 = time.perf_counter()
                fatbin.read_archs(raw)
                warm.append(time.perf_counter() - t0)
        row = {"path": path, "size_mb": round(size / 1e6, 1), "cold_s": round(cold, 4), "cache_dropped": dropped,
               "warm_best_s": round(min(warm), 4), "reads": fh.reads, "bytes_read": fh.bytes, **a.to_dict()}
        if args.stats and a.entries:
            row["kinds"], row["header_combos"] = header_stats(path)
        rows.append(row)
    total_read = time.perf_counter() - t_all

    cuobj = shutil.which("cuobjdump") or next(
        (p for p in ("/usr/local/cuda/bin/cuobjdump",) if os.path.exists(p)), None)
    if args.cuobjdump and cuobj:
        with_code = [r for r in rows if r["entries"]]
        big = max(with_code, key=lambda r: r["size_mb"], default=None)
        order = ([big] if big else []) + sorted((r for r in with_code if r is not big), key=lambda r: r["size_mb"])
        deadline = time.perf_counter() + args.budget
        for r in order:
            left = deadline - time.perf_counter()
            if left < 5:
                r["cuobjdump"] = {"skipped": "budget spent"}
                continue
            c = run_cuobjdump(cuobj, r["path"], timeout=left)
            r["cuobjdump"] = c
            if "error" not in c:
                kinds = r.get("kinds") or header_stats(r["path"])[0]
                # cuobjdump's file names keep the "a" of sm_90a but drop the "f" of sm_100f
                nof = sorted({x.rstrip("f") for x in r["sass"]}, key=_key)
                r["agree"] = (c["sass"] == nof and c["ptx"] == sorted({x.rstrip("f") for x in r["ptx"]}, key=_key)
                              and c["elf_entries"] == kinds.get(fatbin.KIND_ELF, 0)
                              and c["ptx_entries"] == kinds.get(fatbin.KIND_PTX, 0))

    summary = {"files": len(rows), "with_device_code": sum(1 for r in rows if r["entries"]),
               "errors": [(r["path"], r["error"]) for r in rows if r.get("error")],
               "total_read_s": round(total_read, 2), "cuobjdump": cuobj,
               "compared": sum(1 for r in rows if "agree" in r),
               "disagree": [r["path"] for r in rows if r.get("agree") is False]}
    for r in sorted(rows, key=lambda r: -r["size_mb"]):
        if not r["entries"] and not r.get("error"):
            continue
        c = r.get("cuobjdump", {})
        print(f"{os.path.basename(r['path'])[:34]:34} {r['size_mb']:8.1f}MB cold {r['cold_s']:.3f}s "
              f"warm {r['warm_best_s']:.3f}s reads {r['reads']:6} ents {r['entries']:6} comp {r['compressed']:6} "
              f"sass {','.join(s[3:] for s in r['sass'])} ptx {','.join(p[8:] for p in r['ptx'])}"
              + (f" | cuobjdump {c.get('seconds')}s agree={r.get('agree')}" if c else "")
              + (f" ERROR {r['error']}" if r.get("error") else ""))
    print(json.dumps(summary, indent=1))
    out = os.environ.get("OUT")
    if out:
        with open(os.path.join(out, "bench_fatbin.json"), "w") as fh:
            json.dump({"summary": summary, "rows": rows}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
