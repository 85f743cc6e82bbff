"""The two judges: envcheck (the prediction, from files) and reality (the import, in a subprocess of the
environment itself; on a GPU machine also a first CUDA operation and a kernel launch)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEVERITY = {"ok": 0, "info": 1, "warn": 2, "fail": 3}
# machine-wide findings about the process every environment runs in (envcheck/checks/process.py): they count for
# each environment
PROCESS_CODES = ("libcuda-stub", "libcuda-unusable", "cuda-no-visible-gpu", "cuda-visible-devices-partial", "nvidia-device-node",
                 "driver-library-mismatch", "nvml-library-mismatch")


@dataclass(frozen=True)
class Prediction:
    worst: str                       # ok | info | warn | fail, over the findings about this environment
    findings: Tuple[dict, ...]       # those findings (code, severity, title)
    error: Optional[str] = None      # envcheck itself failed


@dataclass(frozen=True)
class Reality:
    ok: bool
    stage: str                       # "import", "cuda-op", "kernel" or "" when everything ran
    message: str                     # the last line of the error


def _clean_env(extra: Dict[str, str]) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def predict(prefix: str, extra_env: Dict[str, str], timeout: int = 300) -> Prediction:
    """`envcheck check --json` over this machine with the environment's prefix as a search place, run with the
    same LD_LIBRARY_PATH the import gets. Findings whose subject is the environment count."""
    env = _clean_env(extra_env)
    env["PYTHONPATH"] = REPO
    env["NO_COLOR"] = "1"
    cmd = [sys.executable, "-m", "envcheck", "check", "--json", "--fail-on", "never", "--search", prefix]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/", timeout=timeout)
    except subprocess.TimeoutExpired:
        return Prediction("fail", (), error=f"envcheck did not answer in {timeout} s")
    if p.returncode not in (0, 1):
        return Prediction("ok", (), error=f"envcheck exited {p.returncode}: {p.stderr.strip()[-300:]}")
    doc = json.loads(p.stdout)
    real = os.path.realpath(prefix)
    mine = []
    for f in doc.get("findings", []):
        subj = f.get("subject") or ""
        if (not subj and f.get("code") in PROCESS_CODES) or \
                subj and (subj == prefix or os.path.realpath(subj) == real or subj.startswith(prefix.rstrip("/") + "/")):
            mine.append({k: f[k] for k in ("code", "severity", "title")})
    worst = max((f["severity"] for f in mine), key=SEVERITY.get, default="ok")
    return Prediction(worst, tuple(mine))


GPU_CODE = """
import torch
x = torch.ones(1024, device="cuda")
stage = "kernel"
y = (x * 2 + 1).sum().item()
assert y == 3 * 1024, y
torch.cuda.synchronize()
"""


def reality(prefix: str, imports: Sequence[str], extra_env: Dict[str, str], gpu: bool,
            timeout: int = 300) -> Reality:
    """Import each module in a fresh interpreter of the environment; with ``gpu``, then a first CUDA operation
    and a kernel launch. The error's last line is what a user would paste."""
    py = os.path.join(prefix, "bin", "python")
    body = "stage = 'import'\n" + "".join(_import_line(m) for m in imports)
    if gpu:
        body += "stage = 'cuda-op'\n" + GPU_CODE
    code = ("import sys, traceback\nstage = ''\ntry:\n" + "".join("    " + ln + "\n" for ln in body.splitlines() if ln)
            + "except BaseException as e:\n    traceback.print_exc()\n    print('TRUTH-STAGE', stage, file=sys.stderr)\n"
            "    sys.exit(17)\n")
    try:
        p = subprocess.run([py, "-c", code], capture_output=True, text=True, env=_clean_env(extra_env),
                           cwd="/", timeout=timeout)
    except subprocess.TimeoutExpired:
        return Reality(False, "import", f"no answer in {timeout} s")
    except OSError as exc:  # the interpreter itself cannot start (a venv whose base is gone)
        return Reality(False, "start", f"{type(exc).__name__}: {exc.strerror or exc}")
    if p.returncode == 0:
        return Reality(True, "", "")
    err = p.stderr.strip().splitlines()
    stage = "start"
    for ln in err:
        if ln.startswith("TRUTH-STAGE"):
            stage = ln.split(" ", 1)[1].strip() or "import"
    lines = [ln for ln in err if ln.strip() and not ln.startswith("TRUTH-STAGE")]
    msg = next((ln for ln in reversed(lines) if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", ln)),
               lines[-1] if lines else f"exit {p.returncode}")
    if p.returncode < 0:
        msg = f"killed by signal {-p.returncode}; {msg}"
    return Reality(False, stage, msg.strip()[:400])


def _import_line(m: str) -> str:
    """`import m`; for 'ext:pkg/_C.abi3.so' the extension module loaded by path, without running the package's
    __init__ (whose pure-Python dependencies the suite does not install): what its native code needs, only."""
    if m.startswith("code:"):   # a statement that must run: the first use of what the import switched off
        return m[5:] + "\n"
    if not m.startswith("ext:"):
        return f"import {m}\n"
    rel = m[4:]
    name = rel.split(".", 1)[0].replace("/", ".")
    return ("import importlib.util as _u, site, os; "
            f"_p = [os.path.join(d, {rel!r}) for d in site.getsitepackages() if os.path.exists(os.path.join(d, {rel!r}))][0]; "
            f"_s = _u.spec_from_file_location({name!r}, _p); _s.loader.exec_module(_u.module_from_spec(_s))\n")


def outcome(pred: Prediction, real: Reality) -> str:
    """silent (healthy, nothing said) | false-alarm | predicted | miss."""
    if real.ok:
        return "false-alarm" if SEVERITY[pred.worst] >= SEVERITY["warn"] else "silent"
    return "predicted" if pred.worst == "fail" else "miss"


def names_cause(pred: Prediction, real: Reality) -> bool:
    """The fail finding names what the real error names (the soname, the symbol version, the interpreter)."""
    if real.ok:
        return True
    tokens = set(re.findall(r"[A-Za-z0-9_+.\-]+\.so(?:\.[0-9.]+)?|GLIBC(?:XX)?_[0-9.]+|[A-Za-z_][A-Za-z0-9_]+_[0-9]+_[0-9]+",
                            real.message))
    fails = " ".join(f["title"] for f in pred.findings if f["severity"] == "fail")
    if not tokens:
        return bool(fails)
    return any(t.rstrip(".") in fails for t in tokens)
