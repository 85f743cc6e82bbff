"""Benchmark: `envcheck apply` end to end on a local wheel, and the MCP server's answers to the SDK's client.

    python benchmarks/bench_apply_mcp.py            # 3 applies, 3 server sessions; medians

apply: a pure wheel in a temp wheelhouse, into a temp venv made once (`python -m venv`, not timed), with
`--find-links DIR --no-index --path 1 --yes --json`: the whole command (recommend's scan, the two steps, the
proof's re-scan, import and native check) and the steps alone (from the JSON). mcp: spawn `python -m envcheck mcp`,
initialize and list the tools; then each tool on the seed's saved scan.
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO, os.path.join(REPO, "tests")]

from test_apply import make_wheel  # noqa: E402

SEED = os.path.join(REPO, "tests", "fixtures", "envs", "seed-runpod-4090.yaml")
ENV = dict(os.environ, PYTHONPATH=REPO, PIP_DISABLE_PIP_VERSION_CHECK="1")


def bench_apply(runs: int = 3):
    with tempfile.TemporaryDirectory() as tmp:
        venv, wheels = os.path.join(tmp, "venv"), os.path.join(tmp, "wheels")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        total, steps = [], []
        for i in range(runs):
            make_wheel(wheels, f"benchpkg{i}", "1.0", {f"benchpkg{i}/__init__.py": "__version__ = '1.0'\n"})
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-m", "envcheck", "apply", "--target", f"benchpkg{i}==1.0", "--venv",
                                venv, "--find-links", wheels, "--no-index", "--path", "1", "--yes", "--json"],
                               capture_output=True, text=True, env=ENV, stdin=subprocess.DEVNULL)
            total.append(time.perf_counter() - t0)
            d = json.loads(p.stdout)
            assert d["verified"], p.stderr
            steps.append(sum(s["seconds"] for s in d["steps"]))
    return statistics.median(total), statistics.median(steps)


async def _session():
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    t0 = time.perf_counter()
    params = StdioServerParameters(command=sys.executable, args=["-m", "envcheck", "mcp"], env=ENV, cwd=REPO)
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            await s.list_tools()
            ready = time.perf_counter() - t0
            calls = {}
            for name, args in (("scan", {"env": SEED}), ("check", {"env": SEED}),
                               ("recommend", {"target": "tensorrt-llm", "env": SEED}),
                               ("explain", {"message": "libcublasLt.so.13: cannot open shared object file",
                                            "env": SEED})):
                t1 = time.perf_counter()
                res = await s.call_tool(name, args)
                assert not res.is_error
                calls[name] = time.perf_counter() - t1
    return ready, calls


def bench_mcp(runs: int = 3):
    ready, calls = [], {}
    for _ in range(runs):
        r, c = asyncio.run(_session())
        ready.append(r)
        for k, v in c.items():
            calls.setdefault(k, []).append(v)
    return statistics.median(ready), {k: statistics.median(v) for k, v in calls.items()}


if __name__ == "__main__":
    tot, st = bench_apply()
    print(f"apply (local wheel, existing venv): {tot:.2f} s whole command, {st:.2f} s the two steps (median of 3)")
    ready, calls = bench_mcp()
    print(f"mcp: server ready (spawn + initialize + list_tools) {ready:.2f} s; per call "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in calls.items()) + " (median of 3)")
