"""`envcheck fleet report` at fleet scale: wall time and peak memory for 1,000 .. 10,000+ node documents.

Documents are variants of tests/fixtures/envs/*.yaml (and, with --live, this machine's own scan, a full-size
document): each node gets its own hostname, machine id, scan time and free disk, a driver from a few branches and,
on some nodes, a drifted torch. They are written one JSON file a node (as `fleet scan` and the Slurm/ssh
recipes write them), then the report runs as a fresh process, as a user runs it, over the directory and over the
same documents as JSON lines on stdin. Peak RSS is the child's own (os.wait4), so it is the report's alone.

    python benchmarks/bench_fleet.py [--nodes 1000 10000] [--targets tensorrt-llm==1.1.0 vllm] [--live] [--json OUT]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

DRIVERS = (("535.183.01", "12.2"), ("570.195.03", "12.8"), ("580.95.05", "13.0"))


def base_documents(live: bool):
    from envcheck.documents import load_env_file

    docs = [load_env_file(f).to_dict() for f in sorted(glob.glob(os.path.join(REPO, "tests/fixtures/envs/*.yaml")))]
    if live:
        out = subprocess.run([sys.executable, "-m", "envcheck", "scan", "--json"], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=REPO), timeout=300, check=True).stdout
        docs.append(json.loads(out))
    return docs


def variant(base: dict, i: int, rng: random.Random) -> dict:
    d = json.loads(json.dumps(base))
    host = d.setdefault("host", {})
    host["hostname"] = f"gpu-{i:05d}"
    host["machine_id"] = f"{rng.getrandbits(128):032x}"
    d["meta"] = {"envcheck": "0.1.0", "scanned_at": f"2026-11-30T10:{i % 60:02d}:00Z", "duration_s": rng.uniform(0.5, 2)}
    free = round(rng.uniform(1, 900), 1)      # the paths a scan lists mostly share one filesystem
    for disk in d.get("disk") or ():
        disk["free_gib"] = free
    drv = d.get("driver")
    if isinstance(drv, dict) and drv.get("version"):
        drv["version"], drv["cuda"] = DRIVERS[rng.randrange(len(DRIVERS))]
    if rng.random() < 0.1:
        for p in d.get("pythons") or ():
            if "torch" in (p.get("packages") or {}):
                p["packages"]["torch"] = "2.5.1"
    return d


def write_fleet(directory: str, n: int, bases, seed: int = 7) -> int:
    rng = random.Random(seed)
    size = 0
    with open(os.path.join(directory, "..", "fleet.jsonl"), "w") as jl:
        for i in range(n):
            text = json.dumps(variant(bases[i % len(bases)], i, rng))
            size += len(text)
            with open(os.path.join(directory, f"node-{i:05d}.json"), "w") as fh:
                fh.write(text)
            jl.write(text + "\n")
    return size


_SUMMARY = ("import json, sys; r = json.load(open(sys.argv[1])); print(json.dumps({'groups': len(r['groups']), "
            "'verdicts': {t: {k: v[k] for k in ('ok', 'risky', 'blocked')} for t, v in r['verdicts'].items()}}))")


def summary(path: str) -> dict:
    """The report's figures, read in a child process (see generate())."""
    p = subprocess.run([sys.executable, "-c", _SUMMARY, path], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def measure(args, stdin_path=None, stdout_path=None):
    """Run the report as a child and read its own CPU time and peak RSS (os.wait4; ru_maxrss is KiB on Linux).
    Wall time on a shared machine includes waiting for a CPU; CPU time is what the report itself costs."""
    env = dict(os.environ, PYTHONPATH=REPO)
    stdin = os.open(stdin_path, os.O_RDONLY) if stdin_path else os.open(os.devnull, os.O_RDONLY)
    devnull = os.open(stdout_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    t = time.perf_counter()
    pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "envcheck", "fleet", "report", *args], env,
                         file_actions=[(os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    os.close(stdin)
    os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"report failed: {status}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def generate(directory: str, n: int, live: bool) -> int:
    """In a child process: a child's peak RSS includes the RSS its parent had when it forked (Linux keeps the
    high-water mark across fork and exec), so this process must stay small while it spawns the reports."""
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--generate", directory, str(n)] +
                       (["--live"] if live else []), capture_output=True, text=True, check=True)
    return int(p.stdout.strip())


def main():
    if sys.argv[1:2] == ["--generate"]:
        print(write_fleet(sys.argv[2], int(sys.argv[3]), base_documents("--live" in sys.argv)))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--targets", nargs="*", default=["tensorrt-llm==1.1.0", "vllm"])
    ap.add_argument("--live", action="store_true", help="add this machine's own scan to the variants")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {7 + a.live} base documents; targets "
          f"{' '.join(a.targets)}", flush=True)
    rows = []
    tflags = [x for t in a.targets for x in ("--target", t)]
    for n in a.nodes:
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, "scans")
            os.makedirs(d)
            size = generate(d, n, a.live)
            wall_dir, cpu_dir, rss_dir = measure([d, "--json", *tflags], stdout_path=os.path.join(tmp, "report.json"))
            wall_jl, cpu_jl, rss_jl = measure(["-", "--json", *tflags], os.path.join(tmp, "fleet.jsonl"))
            rep = summary(os.path.join(tmp, "report.json"))
            row = {"nodes": n, "documents_mib": round(size / 2**20, 1), "dir_wall_s": round(wall_dir, 2),
                   "dir_cpu_s": round(cpu_dir, 2), "dir_peak_rss_mib": round(rss_dir, 1),
                   "stdin_wall_s": round(wall_jl, 2), "stdin_cpu_s": round(cpu_jl, 2),
                   "stdin_peak_rss_mib": round(rss_jl, 1), "groups": rep["groups"], "verdicts": rep["verdicts"]}
            rows.append(row)
            print(f"{n:>6} nodes ({row['documents_mib']} MiB of JSON, {row['groups']} stacks): directory "
                  f"{row['dir_wall_s']} s wall, {row['dir_cpu_s']} s CPU, peak RSS {row['dir_peak_rss_mib']} MiB; "
                  f"JSON lines on stdin {row['stdin_wall_s']} s wall, {row['stdin_cpu_s']} s CPU, "
                  f"{row['stdin_peak_rss_mib']} MiB", flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"python": sys.version.split()[0], "cpus": os.cpu_count(), "rows": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
