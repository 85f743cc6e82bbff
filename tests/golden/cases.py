"""Golden outputs: what envcheck prints for the fixture environments, byte for byte.

Each case is one command line run in this process (the bundled matrix only); its exit code, stdout, stderr and any
file it writes are kept in ``tests/golden/out/NAME.txt``. Timestamps, timings and temp paths are normalised so the
same code gives the same bytes on any machine.

    python tests/golden/cases.py            # compare (what tests/test_golden.py does)
    python tests/golden/cases.py --update   # rewrite the expected outputs after an intended change
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
from typing import Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "out")
FIX = "tests/fixtures"
ENVS = ("seed-runpod-4090", "host-580-h100", "pod-535-a100", "vm-570-t4-py39", "laptop-nogpu", "partial-gpu-only")
TMP = "@TMP@"


def _cases() -> List[Tuple[str, List[str]]]:
    out: List[Tuple[str, List[str]]] = []
    for e in ENVS:
        env = ["--env", f"{FIX}/envs/{e}.yaml"]
        for fmt, flags in (("human", ["--ascii"]), ("json", ["--json"]), ("md", ["--markdown"])):
            out.append((f"scan-{e}-{fmt}", ["scan", *env, *flags]))
            out.append((f"check-{e}-{fmt}", ["check", *env, *flags]))
        for target in ("tensorrt-llm", "vllm", "tensorrt-llm==1.1.0"):
            t = target.replace("==", "-")
            out.append((f"recommend-{t}-{e}-human", ["recommend", "--target", target, *env, "--ascii", "-v"]))
            out.append((f"recommend-{t}-{e}-json", ["recommend", "--target", target, *env, "--json"]))
        out.append((f"recommend-tensorrt-llm-{e}-md", ["recommend", "--target", "tensorrt-llm", *env, "--markdown"]))
        out.append((f"labels-{e}", ["labels", *env, "--target", "tensorrt-llm==1.1.0", "--target", "vllm"]))
        out.append((f"labels-{e}-json", ["labels", *env, "--target", "tensorrt-llm", "--json"]))
    for r in ("runpod-4090", "privileged-580", "vm-nogpu", "odd-proc"):
        out.append((f"scan-root-{r}-human", ["scan", "--root", f"{FIX}/roots/{r}", "--ascii", "-v"]))
        out.append((f"scan-root-{r}-json", ["scan", "--root", f"{FIX}/roots/{r}", "--json"]))
        out.append((f"check-root-{r}-json", ["check", "--root", f"{FIX}/roots/{r}", "--json"]))
    policies = sorted(p[:-5] for p in os.listdir(os.path.join(REPO, FIX, "policies")) if p.endswith(".yaml"))
    for p in policies:
        for e in ("seed-runpod-4090", "host-580-h100"):
            base = ["gate", "--policy", f"{FIX}/policies/{p}.yaml", "--env", f"{FIX}/envs/{e}.yaml", "--today",
                    "2026-12-01"]
            out.append((f"gate-{p}-{e}-human", [*base, "--ascii"]))
            out.append((f"gate-{p}-{e}-json", [*base, "--json"]))
            out.append((f"gate-{p}-{e}-files", [*base, "-q", "--junit", f"{TMP}/junit.xml",
                                                 "--markdown", f"{TMP}/verdict.md", "--github"]))
    messages = {
        "cublaslt13": "ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory",
        "driver-old": "RuntimeError: The NVIDIA driver on your system is too old (found version 12020).",
        "no-kernel": "RuntimeError: CUDA error: no kernel image is available for execution on the device",
        "glibc": "ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found",
        "unknown": "something nobody has ever seen",
    }
    for name, msg in messages.items():
        for e in ("seed-runpod-4090", "host-580-h100"):
            env = ["--env", f"{FIX}/envs/{e}.yaml"]
            out.append((f"explain-{name}-{e}-human", ["explain", msg, *env, "--ascii"]))
            out.append((f"explain-{name}-{e}-json", ["explain", msg, *env, "--json"]))
    models = sorted(m for m in os.listdir(os.path.join(REPO, FIX, "models"))
                    if os.path.isdir(os.path.join(REPO, FIX, "models", m)))
    for m in models:
        out.append((f"fit-{m}-4090", ["fit", f"{FIX}/models/{m}", "--gpu", "RTX 4090"]))
        out.append((f"fit-{m}-h100-json", ["fit", f"{FIX}/models/{m}", "--env", f"{FIX}/envs/host-580-h100.yaml",
                                           "--json"]))
    out.append(("recommend-model-fit", ["recommend", "--target", "vllm", "--env", f"{FIX}/envs/seed-runpod-4090.yaml",
                                        "--model", f"{FIX}/models/qwen3-8b", "--ascii"]))
    out.append(("fleet-report-human", ["fleet", "report", f"{TMP}/fleet", "--target", "tensorrt-llm==1.1.0",
                                       "--target", "vllm", "--ascii"]))
    out.append(("fleet-report-json", ["fleet", "report", f"{TMP}/fleet", "--target", "tensorrt-llm", "--json"]))
    out.append(("gate-fleet-json", ["gate", "--fleet", f"{TMP}/fleet", "--policy", f"{FIX}/policies/seed-pass.yaml",
                                    "--today", "2026-12-01", "--json"]))
    for e in ("seed-runpod-4090", "desktop-570-gtx1080", "laptop-nogpu"):
        for fmt in ("uv", "conda", "pixi", "pip"):
            out.append((f"export-{fmt}-{e}", ["export", "--for", fmt, "--env", f"{FIX}/envs/{e}.yaml"]))
    out.append(("matrix-show", ["matrix", "show"]))
    out.append(("matrix-validate", ["matrix", "validate"]))
    out.append(("codes", ["codes"]))
    out.append(("bad-env", ["scan", "--env", f"{FIX}/policies/seed-pass.yaml"]))
    out.append(("bad-target", ["recommend", "--target", "no-such-thing==1", "--env", f"{FIX}/envs/laptop-nogpu.yaml"]))
    out.append(("bad-image-host", ["scan", "--host", f"{FIX}/envs/laptop-nogpu.yaml"]))
    return out


CASES = _cases()

_NORMALISE = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?"), "@TIME@"),
    (re.compile(r"\bin \d+\.\d+ s\b"), "in @SECS@ s"),
    (re.compile(r'"(elapsed_s|seconds|duration_s|scan_seconds)": [0-9.e-]+'), r'"\1": @SECS@'),
    (re.compile(r'time="[0-9.]+"'), 'time="@SECS@"'),
    (re.compile(r'("probe_s": \{)[^}]*\}'), r'\1@SECS@}'),
    # a table's last rule is as wide as its longest cell, which may hold the checkout's path: its width says nothing
    (re.compile(r"(?m)^((?:-+ +)*)-{6,}$"), r"\1------"),
)


_LIVE_DISK = (     # and the matrix's age, counted from the live scan's day
    (re.compile(r"[0-9.]+ GiB free of [0-9.]+ GiB"), "@GIB@ GiB free of @GIB@ GiB"),
    (re.compile(r"(matrix \d{4}-\d\d-\d\d), \d+ days old"), r"\1, @DAYS@ days old"),
    (re.compile(r'"(free_gib|total_gib)": [0-9.]+'), r'"\1": @GIB@'),
)


def _fleet(tmp: str) -> None:
    """Fleet documents: the fixture environments as saved scans, a few nodes each."""
    import yaml

    from envcheck.model import Environment

    d = os.path.join(tmp, "fleet")
    os.makedirs(d)
    n = 0
    for e, count in (("host-580-h100", 3), ("seed-runpod-4090", 2), ("pod-535-a100", 1)):
        with open(os.path.join(REPO, FIX, "envs", f"{e}.yaml")) as fh:
            doc = Environment.from_dict(yaml.safe_load(fh)).to_dict()
        for _ in range(count):
            n += 1
            node = dict(doc, host=dict(doc.get("host") or {}, hostname=f"node-{n:02d}"))
            with open(os.path.join(d, f"node-{n:02d}.json"), "w") as fh:
                json.dump(node, fh)


def run_case(argv: List[str], tmp: str) -> str:
    from envcheck.cli import main

    argv = [a.replace(TMP, tmp) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.pop(k, None) for k in ("GITHUB_STEP_SUMMARY", "ENVCHECK_MATRIX_DIR", "COLUMNS",
                                                  "ENVCHECK_HOME")}
    os.environ["ENVCHECK_HOME"] = os.path.join(tmp, "home")   # no matrix a user (or a test) downloaded: the bundled one
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
                rc = 0
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(cwd)
        del os.environ["ENVCHECK_HOME"]
        for k, v in saved.items():
            if v is not None:
                os.environ[k] = v
    text = f"$ envcheck {' '.join(a.replace(tmp, TMP) for a in argv)}\nexit {rc}\n--- stdout\n{out.getvalue()}" \
           f"--- stderr\n{err.getvalue()}"
    for name in ("junit.xml", "verdict.md"):
        p = os.path.join(tmp, name)
        if os.path.exists(p):
            with open(p) as fh:
                text += f"--- file {name}\n{fh.read()}"
            os.unlink(p)
    text = text.replace(tmp, TMP).replace(REPO, "@REPO@")
    for pat, rep in _NORMALISE:
        text = pat.sub(rep, text)
    if "--root" in argv:    # the disk under a --root tree is this machine's, live
        for pat, rep in _LIVE_DISK:
            text = pat.sub(rep, text)
    return text


def outputs() -> Dict[str, str]:
    tmp = tempfile.mkdtemp(prefix="envcheck-golden-")
    try:
        _fleet(tmp)
        return {name: run_case(argv, tmp) for name, argv in CASES}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(update: bool) -> int:
    got = outputs()
    if update:
        shutil.rmtree(OUT, ignore_errors=True)
        os.makedirs(OUT)
        for name, text in got.items():
            with open(os.path.join(OUT, name + ".txt"), "w") as fh:
                fh.write(text)
        print(f"wrote {len(got)} golden outputs to {OUT}")
        return 0
    bad = [n for n, t in got.items() if not os.path.exists(os.path.join(OUT, n + ".txt"))
           or open(os.path.join(OUT, n + ".txt")).read() != t]
    print(f"{len(got) - len(bad)} of {len(got)} golden outputs unchanged" + (": changed " + ", ".join(bad) if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, REPO)
    sys.exit(main("--update" in sys.argv[1:]))
