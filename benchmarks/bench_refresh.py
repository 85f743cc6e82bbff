"""How many bytes `envcheck matrix refresh` reads per version against the size of the files it reads from, and
how long a full refresh takes.

    python benchmarks/bench_refresh.py                      # real index (PIP_INDEX_URL or pypi.org): network
    python benchmarks/bench_refresh.py --local              # a generated index on 127.0.0.1 (no network)

Part 1 runs `refresh --existing` over every subject (the versions the bundled matrix holds), so the figures are
the reproduction run of the README. Part 2 reads only the METADATA of the largest CUDA wheels of the index (what
a new torch or nvidia-* version costs). Writes benchmarks/bench_refresh.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from envcheck.matrix.refresh.artifacts import wheel_metadata  # noqa: E402
from envcheck.matrix.refresh.derive import SUBJECTS  # noqa: E402
from envcheck.matrix.refresh.http import Http  # noqa: E402
from envcheck.matrix.refresh.index import Index, file_version, linux_x86_64, parse_wheel  # noqa: E402
from envcheck.matrix.refresh.run import refresh, report  # noqa: E402

BIG = ("torch", "nvidia-cudnn-cu13", "nvidia-cublas", "nvidia-nccl-cu13", "nvidia-cusparse", "sglang-kernel")


def big_wheels(index_url: str):
    """METADATA of the newest Linux x86_64 wheel of each BIG project: bytes read vs wheel size."""
    rows = []
    for project in BIG:
        http = Http()
        idx = Index(http, index_url)
        wheels = [f for f in idx.files(project) if f.is_wheel and not f.yanked and parse_wheel(f.filename)
                  and linux_x86_64(parse_wheel(f.filename)) and "+" not in (file_version(f, project) or "+")]
        if not wheels:
            continue
        f = max(wheels, key=lambda w: (w.upload_time or "", w.size or 0))
        before = http.counter.total - http.counter.by_kind.get("index", 0)
        t0 = time.monotonic()
        wheel_metadata(http, f)
        took = time.monotonic() - t0
        got = http.counter.total - http.counter.by_kind.get("index", 0) - before
        rows.append({"wheel": f.filename, "size": f.size, "bytes": got, "fraction": got / f.size if f.size else None,
                     "seconds": round(took, 3), "pep658": f.has_metadata})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-url", default=os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/"))
    ap.add_argument("--local", action="store_true", help="generate an index on 127.0.0.1 (64 MiB wheels)")
    ap.add_argument("--out", default=os.path.join(HERE, "bench_refresh.json"))
    args = ap.parse_args()
    server = None
    if args.local:
        from refresh_index import Index as LocalIndex, populate
        tmp = tempfile.mkdtemp(prefix="bench-refresh-")
        server = LocalIndex(tmp)
        populate(server, os.path.join(tmp, "work"), pad=64 << 20)
        args.index_url = server.start()
    t0 = time.monotonic()
    res = refresh(list(SUBJECTS), args.index_url, existing=True)
    wall = time.monotonic() - t0
    rep = report(res)
    per = {}
    for c in rep["checked"] + rep["new"]:
        per.setdefault(c["subject"], []).append(c)
    table = []
    for subject in SUBJECTS:
        cs = per.get(subject, [])
        if not cs:
            continue
        fr = [c["fraction"] for c in cs if c["fraction"] is not None] or [0.0]
        table.append({"subject": subject, "versions": len(cs), "bytes_fetched": sum(c["bytes_fetched"] for c in cs),
                      "bytes_of_files": sum(c["bytes_of_files_read"] for c in cs),
                      "median_fraction": statistics.median(fr), "max_fraction": max(fr),
                      "median_bytes_per_version": statistics.median(c["bytes_fetched"] for c in cs)})
    big = [] if args.local else big_wheels(args.index_url)
    out = {"index_url": args.index_url, "wall_seconds": round(wall, 2), "bytes_total": rep["bytes_total"],
           "bytes_by_kind": rep["bytes_by_kind"], "requests": rep["requests"], "agreement": rep["agreement"],
           "disagreements": rep["disagreements"], "per_subject": table, "big_wheels_metadata": big}
    if server:
        server.stop()
        out["index_url"] = "local (tests/refresh_index.py, 64 MiB wheels)"
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=2, sort_keys=True)
        fh.write("\n")
    print(f"full refresh of {sum(t['versions'] for t in table)} versions: {wall:.1f} s, {rep['bytes_total']} bytes in "
          f"{rep['requests']} requests; agreement {rep['agreement']['agree']}/{rep['agreement']['facts']}")
    print(f"{'subject':14} {'versions':>8} {'fetched MB':>10} {'of files GB':>11} {'median %':>9} {'max %':>7}"
          "   (tensorrt: index pages only; tensorrt-llm: its 1-10 kB stub sdists read whole)")
    for t in table:
        print(f"{t['subject']:14} {t['versions']:>8} {t['bytes_fetched'] / 1e6:>10.1f} {t['bytes_of_files'] / 1e9:>11.2f} "
              f"{100 * t['median_fraction']:>9.3f} {100 * t['max_fraction']:>7.3f}")
    for b in big:
        print(f"METADATA of {b['wheel']} ({b['size'] / 1e9:.2f} GB): {b['bytes']} bytes = {100 * b['fraction']:.4f} % "
              f"in {b['seconds']} s{' (PEP 658)' if b['pep658'] else ' (range requests)'}")


if __name__ == "__main__":
    main()
