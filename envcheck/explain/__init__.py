"""`envcheck explain "<error message>"` (or a whole log): recognise the known failures in it, lead with the root
cause, say each cause the way public issue threads established it, check it against the Environment in hand, and
give the advice as commands to paste (and what is not a command, in words). Pure: (text, Environment, Matrix) ->
[Explanation].

- patterns.py: recognition, on the structure of the messages (tests/data/explain/corpus.yaml holds the real ones)
- answers.py: one answer per cause, from the facts (facts.py)
- codes.py: the stable finding codes (docs/codes.md)
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from envcheck.errors import InputError
from envcheck.explain import codes as C
from envcheck.explain.answers import ANSWERS as _CORE, Answer, Ctx, with_specials
from envcheck.explain.runtime_answers import ANSWERS as _RUNTIME
from envcheck.explain.cuda_error_answers import ANSWERS as _CUDA_ERRORS, SPECIAL as _CUDA_ERROR_WORDINGS
from envcheck.explain.family_answers import SPECIAL as _FAMILY_WORDINGS
from envcheck.explain.patterns import recognise
from envcheck.recommend.machine import machine
from envcheck.recommend.model import InstallPath

ANSWERS = with_specials({**_CORE, **_RUNTIME, **_CUDA_ERRORS}, _FAMILY_WORDINGS, _CUDA_ERROR_WORDINGS)

# the first version's names, kept importable
MISSING_LIB, DRIVER_OLD, NO_KERNEL, NVML_MISMATCH = C.MISSING_LIB, C.DRIVER_OLD, C.NO_KERNEL, C.NVML_MISMATCH
DIND_OVERLAY, DIND_IPTABLES, GLIBC, FWD_COMPAT = C.DIND_OVERLAY, C.DIND_IPTABLES, C.GLIBC, C.FWD_COMPAT


@dataclass(frozen=True)
class Explanation:
    code: str
    title: str
    cause: str
    facts: Tuple[str, ...]
    advice: Tuple[str, ...]             # commands to paste, each with a comment
    best: Optional[InstallPath] = None
    matched: str = ""
    actions: Tuple[str, ...] = ()       # what is not a command: reboot, ask the host's admin, restart with --gpus all
    subject: str = ""                   # what the message named: the soname, GLIBC_2.34, sm_120, the symbol
    root: bool = False                  # the first cause in the log: what the others follow from
    confidence: str = "high"            # high: the message names the cause; medium: the likeliest of several;
                                        # low: evidence thin or facts contradict it (docs/explain.md)

    def to_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "cause": self.cause, "facts": list(self.facts),
                "advice": list(self.advice), "actions": list(self.actions), "matched": self.matched,
                "subject": self.subject, "root": self.root, "confidence": self.confidence,
                "best_path": self.best.to_dict() if self.best else None}


HINTS = [(r"tensorrt_llm|tensorrt-llm|trtllm", "tensorrt-llm"), (r"\bvllm\b", "vllm"), (r"\bsglang\b", "sglang"),
         (r"\btorch\b|pytorch", "torch"), (r"libnvinfer|\btensorrt\b", "tensorrt")]
# causes an install target can fix (a different build); the others are fixed by the driver, the container, the loader
TARGET_CODES = {C.MISSING_LIB, C.DRIVER_OLD, C.NO_KERNEL, C.GPU_ARCH, C.GLIBC, C.EXT_ABI}


def fitting_target(message: str, code: str) -> Optional[str]:
    """The target whose recommendation fits the message: named in it, else tensorrt-llm only for a CUDA-major
    mismatch (a CUDA library or runtime too new for the driver); None when no install target fits."""
    if code not in TARGET_CODES:
        return None
    for pat, name in HINTS:
        if re.search(pat, message or "", re.IGNORECASE):
            return name
    if code == C.DRIVER_OLD or (code == C.MISSING_LIB and re.search(
            r"libcublas|libcudart|libnvrtc|libnvJitLink", message or "")):
        return "tensorrt-llm"
    return None


def _recommend(env, matrix, target) -> Optional[InstallPath]:
    from envcheck.recommend import installable, recommend

    try:
        rec = recommend(env, matrix, target)
    except InputError:
        return None
    return installable(rec, allow_risky=True) or (rec.paths[0] if rec.paths else None)


def sonames_named(message: str) -> List[str]:
    """The sonames the recognised failures name (for explain.lookup on a tree in hand)."""
    out = []
    for mo in recognise(message or ""):
        for key in ("soname", "library"):
            if mo.get(key):
                out.append(mo.get(key))
        if mo.code == C.LIBCUDA:
            out.append("libcuda.so.1")
        if mo.code == C.LIBSTDCXX:
            out.append("libstdc++.so.6")
    return sorted(set(out))


def explain(message: str, env, matrix, target: Optional[str] = None, lookups: Optional[dict] = None,
            python: Optional[str] = None) -> List[Explanation]:
    """Every known failure in the message (a log may hold several), the root cause first. `target`: the install
    target whose best path is attached; None picks the one that fits the message (or none). `lookups`: soname ->
    explain.lookup.LoaderView, the loader's answer on the tree in hand (None with --env). `python`: the
    interpreter (or environment prefix) the message came from, named by the user: the advice is for it only."""
    matches = recognise(message or "")
    if not matches:
        return []
    m = machine(env, matrix)
    m, env_fact = _named_environment(python, m) if python else _traceback_environment(message or "", env, m)
    out = []
    for i, mo in enumerate(matches):
        ctx = Ctx(m, env, matrix, message or "", target or "tensorrt-llm", lookups)
        a = _answer(mo, ctx)
        t = target or fitting_target(mo.line if len(matches) > 1 else message, mo.code)
        best = _recommend(env, matrix, t) if t and (i == 0 or target) else None
        facts = tuple(a.facts) + ((env_fact,) if env_fact else ())
        out.append(Explanation(mo.code, a.title, a.cause, facts, tuple(a.commands), best, mo.matched,
                               tuple(a.actions), mo.get("subject") or "", i == 0, a.confidence))
    return out


# the words an answer falls back on when filling it in failed (a wording's parameters the answer did not expect):
# the cause's own summary and explanation, never a traceback in place of the other findings
FILL_FAILED = "envcheck could not fill in this answer's details from the message"


def _answer(mo, ctx):
    try:
        return ANSWERS[mo.code](mo, ctx)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError, ZeroDivisionError) as exc:
        from envcheck.findings import REGISTRY
        info = REGISTRY[mo.code]
        return Answer(info.summary, info.explanation, [f"{FILL_FAILED} ({type(exc).__name__})"], [], [], "medium")


SITE = re.compile(r"(/[^\s'\"`:()<>]{0,300}?/lib(?:64)?/python3\.\d+/(?:site|dist)-packages)")


def _traceback_environment(message: str, env, m):
    """The environment a traceback ran in, from the site-packages paths it prints: the advice is then for that
    environment only. Paths of no environment found here mean another machine or container (or a tree not
    scanned)."""
    seen = sorted(set(SITE.findall(message)))[:8]
    if not seen or env.pythons is None:
        return m, None
    hits = []
    for i, p in enumerate(env.pythons):
        sps = tuple(p.site_packages or ())
        if any(os.path.normpath(s) in sps for s in seen):
            hits.append((i, p))
    if not hits:
        there = _traceback_interpreter(seen[-1])
        return (dataclasses.replace(m, interpreters=[there]) if there else m), (
            f"pythons: the traceback's {', '.join(seen[:2])} is not in any environment found here: the message came "
            "from another machine or container, or from an environment not scanned (--search DIR); the commands are "
            "for the traceback's interpreter")
    where = {f"pythons[{i}]" for i, _ in hits}
    keep = [it for it in m.interpreters if it.where in where]
    i, p = hits[0]
    fact = f"pythons: the traceback ran in {p.prefix or p.path} (pythons[{i}], Python {p.version}): the advice is for it"
    return dataclasses.replace(m, interpreters=keep or m.interpreters), fact


def _traceback_interpreter(site: str):
    """The interpreter of a site-packages path the scan does not know: /usr/local/lib/python3.10/dist-packages ->
    python3.10, /home/u/venv/lib/python3.11/site-packages -> /home/u/venv/bin/python."""
    from envcheck.recommend.machine import Interpreter
    from envcheck.versions import parse

    mo = re.match(r"(.*)/lib(?:64)?/python(3\.\d+)/(?:site|dist)-packages$", site)
    if not mo or parse(mo.group(2)) is None:
        return None
    prefix, minor = mo.group(1), mo.group(2)
    system = prefix in ("/usr", "/usr/local", "")
    path = f"{prefix or '/usr'}/bin/python{minor}" if system else f"{prefix}/bin/python"
    return Interpreter(path, parse(minor), "system" if system else "venv", "the traceback",
                       None if system else prefix)


def _named_environment(python: str, m):
    """The environment the user named (--python PATH: an interpreter or an environment's prefix)."""
    want = os.path.normpath(python)
    keep = [it for it in m.interpreters if want in (os.path.normpath(it.path), os.path.normpath(it.prefix or "/-"),
                                                    os.path.normpath(f"{it.prefix}/bin/python"))]
    if not keep:
        return m, (f"pythons: {python} is not an environment found here: the advice is for the candidates found "
                   "(--search DIR scans more)")
    it = keep[0]
    return (dataclasses.replace(m, interpreters=keep),
            f"pythons: the advice is for {it.prefix or it.path} ({it.where}, Python {it.version}), as named")


KNOWN = ["a missing library at import: CUDA, cuDNN, TensorRT, NCCL, MPI, libpython (and ONNX Runtime's, TensorRT's, "
         "cuDNN's, Paddle's wrappers around the loader error)",
         "libcuda.so.1 not found (a container without the NVIDIA runtime)",
         "the driver too old for the runtime (CUDA driver version is insufficient; PyTorch's 'found version 11040'; "
         "nvidia-container-cli's unsatisfied condition: cuda>=X)",
         "Docker's could not select device driver with capabilities [[gpu]]",
         "a GPU the build has no kernels for (no kernel image; invalid device function; PyTorch's sm_XX is not "
         "compatible; JAX's DNN library initialization failed)",
         "GLIBC_2.xx / GLIBCXX_3.4.xx / CXXABI not found; undefined symbol (an extension built for another torch, "
         "mixed CUDA libraries such as __nvJitLinkAddData_12_1)",
         "version mismatches (cuDNN compiled against/found; the detected CUDA version mismatches PyTorch's; "
         "CUDA_HOME does not exist)",
         "NVML: Driver/library version mismatch, Unknown Error; Found no NVIDIA driver; no CUDA-capable device; "
         "CUDA errors 802, 803, 804; PTX compiled with an unsupported toolchain",
         "Docker-in-Docker: failed to mount overlay, iptables Permission denied",
         "NCCL's unhandled system error / shm_open / posix_fallocate failed (a container's small /dev/shm)",
         "a companion built for another torch (operator torchvision::nms does not exist; xFormers was built for ... "
         "(you have ...)); a CPU-only torch (Torch not compiled with CUDA enabled)",
         "CUDA out of memory; NumPy 1.x vs 2 (compiled using NumPy 1.x; numpy.dtype size changed); Triton's device "
         "kernel image is invalid; Failed to dlopen libcuda.so (WSL)"]
