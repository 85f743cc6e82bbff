"""The facts of the Environment in hand that an explanation checks a message against: the driver and the CUDA it
runs, the GPU's architecture, the copies of a library the loader would pick (and why), the environments. A fact
the Environment does not hold is said to be unknown, with the command that would learn it: never a placeholder."""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from envcheck import cudalibs
from envcheck.recommend.machine import Machine

LEARN_DRIVER = "nvidia-smi    # on the machine that failed: the driver version and the newest CUDA it runs"
LEARN_GPU = "nvidia-smi --query-gpu=name,compute_cap --format=csv    # the GPU and its architecture"
SYSTEM_VIA = ("ld.so.cache", "LD_LIBRARY_PATH", "default-dir")


# every cuDNN copy the loader sees and the directories that could put another first
CUDNN_COPIES_CMDS = ["ldconfig -p | grep libcudnn    # every cuDNN copy the loader sees, with its version",
                     "echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a directory with another cuDNN"]


def nvcc_toolkits(env) -> list:
    """The CUDA toolkits of the scan that have nvcc (those a build can compile with)."""
    return [t for t in env.cuda_toolkits or () if t.nvcc]


def toolkit_facts(env, tks) -> List[str]:
    return [f"cuda_toolkits: {t.path} CUDA {t.version}" for t in tks] or \
        ["cuda_toolkits: no toolkit with nvcc found by the scan" if env.cuda_toolkits is not None
         else "cuda_toolkits: not known from these facts"]


def driver_fact(m: Machine) -> str:
    if m.driver_version is None and not m.no_driver:
        return "driver: not known from these facts (nvidia-smi on the machine that failed tells it)"
    return m.driver_fact()


def gpu_fact(m: Machine) -> str:
    if not m.gpu_name:
        return "GPU: not known from these facts (nvidia-smi --query-gpu=name,compute_cap on the machine tells it)"
    if not m.sm:
        return f"gpus[0].name = {m.gpu_name}; its architecture (sm) is not known from these facts"
    return m.gpu_fact()


def _via(lib) -> str:
    via = lib.via or "unknown"
    if via == "ld.so.cache":
        return "what a program without RPATH/RUNPATH loads: /etc/ld.so.cache"
    if via == "LD_LIBRARY_PATH":
        return "first on LD_LIBRARY_PATH as scanned, ahead of ld.so.cache"
    if via == "default-dir":
        return "found in a default directory of the loader"
    if via == "wheel":
        where = f"{lib.environment}'s" if lib.environment else "an environment's"
        pkg = f" {lib.package}" if lib.package else ""
        return (f"in {where} wheel{pkg}: reached through the importing package's RUNPATH (or torch's preload), "
                "not by the system loader")
    return via


def copies(env, soname: str) -> Tuple[Optional[bool], list]:
    """(known?, the Library rows for `soname`): exact soname, or every major of a bare stem ('libcudnn'). Known is
    False when the scan did not look (no libraries facts) or the soname is not one the scan tracks (CUDA's, cuDNN's,
    NCCL's, TensorRT's)."""
    if env.libraries is None:
        return False, []
    stem = (cudalibs.split_name(soname) or (soname,))[0] if ".so" in soname else soname
    tracked = cudalibs.catalog_stem(stem + ".so") is not None
    if ".so" in soname and cudalibs.split_name(soname) and cudalibs.split_name(soname)[2]:
        rows = [lib for lib in env.libraries if lib.soname == soname]
    else:
        rows = [lib for lib in env.libraries if (cudalibs.split_name(lib.soname) or ("",))[0] == stem
                or (stem == "libcudnn" and lib.soname.startswith("libcudnn"))]
    return (True if tracked or rows else False), sorted(rows, key=lambda lib: (lib.soname, lib.path or ""))


def library_facts(env, soname: str, limit: int = 4, lookups=None) -> Tuple[List[str], Optional[str]]:
    """Facts about where `soname` is here, and what that means when it is present (a contradiction). `lookups`:
    the loader's answer on the tree in hand (explain.lookup), when there is one."""
    known, rows = copies(env, soname)
    facts: List[str] = []
    meaning = None
    view = (lookups or {}).get(soname)
    if view is not None:
        facts.append(view.fact())
        if view.system and not any((r.via or "") in SYSTEM_VIA for r in rows):
            meaning = (f"the system loader here finds {soname} ({view.path}, {view.via}): the message came from "
                       "another machine, image or environment, or the process that failed ran with another "
                       "LD_LIBRARY_PATH. Run the failing command here again to see")
        if not known:
            return facts, meaning
    if not known:
        if env.libraries is None:
            facts.append(f"libraries: not scanned in these facts, so where {soname} is here is not known "
                         "(envcheck scan on the machine that failed lists every CUDA library and where it resolves)")
        else:
            facts.append(f"libraries: {soname} is not a library the scan tracks (it tracks CUDA, cuDNN, NCCL and "
                         "TensorRT): ldconfig -p shows whether the system loader sees it")
    elif not rows:
        facts.append(f"libraries: no copy of {soname} found here by the scan (ld.so.cache, LD_LIBRARY_PATH, the "
                     "default directories, the driver's and toolkits' directories, every environment's wheels)")
    else:
        for lib in rows[:limit]:
            facts.append(f"libraries: {lib.soname} at {lib.path} ({_via(lib)})")
        if len(rows) > limit:
            facts.append(f"libraries: {len(rows) - limit} more copies of {soname}")
        system = [r for r in rows if (r.via or "") in SYSTEM_VIA]
        if system:
            meaning = (f"{soname} is present here and the system loader would find it ({system[0].via}): the message "
                       "came from another machine, image or environment, or the process that failed ran with "
                       "another LD_LIBRARY_PATH (a service, sudo, a job scheduler, a container without these "
                       "libraries). Run the failing command here again to see")
        else:
            envs = sorted({r.environment for r in rows if r.environment} | {r.via for r in rows if not r.environment})
            meaning = (f"{soname} is here, but only in {', '.join(envs)}: a program that does not run in that "
                       "environment (or does not import the package whose RUNPATH reaches it) cannot load it")
    return facts, meaning


def native_facts(env, soname: str, limit: int = 3) -> List[str]:
    """The environments' native extensions that envcheck finds needing `soname` and not resolving it."""
    out = []
    for p in env.pythons or ():
        for link in p.native or ():
            if any(s == soname or s.startswith(soname + ".") for s in link.missing or ()):
                where = p.prefix or p.path
                out.append(f"pythons: {link.package} in {where}: {link.file} needs {soname} and the loader would not "
                           f"find it (searched: {', '.join(link.searched or ()) or 'not recorded'})")
    return sorted(out)[:limit]


def environments(m: Machine, package: Optional[str] = None) -> List[Tuple[str, str]]:
    """(python path, label) for the environments the advice is for: those that have `package`, else all."""
    envs = [it for it in m.interpreters if it.is_env]
    if package:
        have = [it for it in envs if package in (it.packages or {})]
        envs = have or envs
    out = []
    for it in envs:
        py = f"{it.prefix}/bin/python" if it.prefix and it.kind in ("venv", "conda", "uv") else it.path
        label = f"{it.prefix or it.path} ({it.where}, Python {it.version}"
        if it.where == "the traceback":
            label = f"the traceback's environment ({it.prefix or it.path}"
        if package and package in (it.packages or {}):
            label += f", {package} {(it.packages or {})[package]}"
        out.append((py, label + ")"))
    return out or [("python3", "pythons unknown: the interpreter that failed")]


MIN_PYTHON = (3, 8)  # older interpreters get no wheel of today's CUDA stack: never the one an answer is for


def for_each(m: Machine, cmd: str, package: Optional[str] = None, why: str = "") -> List[str]:
    """`cmd` (with {py}) for the one environment the advice is for: the one the traceback ran in or the user named
    (explain narrows m.interpreters to it), else the best candidate: one that has `package`, of a Python new
    enough for today's wheels, first in discovery order. The others are counted, never given a line each."""
    c = environments(m, package)
    if len(c) > 1:
        recent = [e for e in c if _version_ok(m, e[0])]
        c = (recent or c)[:1] + [e for e in c if e not in (recent or c)[:1]]
    py, label = c[0]
    rest = f"; or another of the {len(c)} environments that could be it: envcheck explain --python PATH" \
        if len(c) > 1 else ""
    return [cmd.format(py=py) + f"    # {why + ', ' if why else ''}{label}{rest}"]


def _version_ok(m: Machine, py: str) -> bool:
    for it in m.interpreters:
        if py in (it.path, f"{it.prefix}/bin/python"):
            return (it.version.major, it.version.minor) >= MIN_PYTHON if it.version is not None else True
    return True


def packages_with(m: Machine, name: str) -> Sequence[Tuple[str, str]]:
    return [(it.prefix or it.path, (it.packages or {})[name]) for it in m.interpreters
            if it.is_env and name in (it.packages or {})]


def torch_facts(m: Machine, limit: int = 0, absent: bool = False) -> List[str]:
    """'pythons: torch X in ENV', one per environment with torch (the first `limit` where given); with `absent`, a
    line that says none was found where there is none."""
    facts = [f"pythons: torch {ver} in {where}" for where, ver in packages_with(m, "torch")]
    if limit:
        facts = facts[:limit]
    return facts or (["pythons: torch not found by the scan"] if absent else [])

