"""The torch build a machine runs natively: the newest CUDA build whose CUDA the driver runs without minor-version
compatibility AND whose GPU code (matrix/torch.yaml `arch`) covers the GPU, else the CPU build.

uv's `--torch-backend=auto` weighs the driver alone; a GPU whose architecture a build dropped (Pascal in cu128) or
does not have yet (Blackwell before cu128) gets a build that cannot run its kernels. Pure: Machine in, TorchBuild out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from envcheck.fatbin import parse_cc, ptx_runs_on, sass_runs_on
from envcheck.matrix.load import Row
from envcheck.matrix.compat import min_driver_for_cuda
from envcheck.matrix.rows import TargetRow, TorchArch
from envcheck.recommend.machine import Machine
from envcheck.recommend.targets import cu_version, path_facts
from envcheck.versions import Version

CPU = "cpu"
DEFAULT_INDEX = "https://download.pytorch.org/whl/{cuda}"


@dataclass(frozen=True)
class TorchBuild:
    """The answer: `backend` ("cu128" or "cpu"), the torch release whose build was weighed (None for cpu), the
    index that serves it, whether its GPU code was checked against the GPU, and the facts that led to it."""
    backend: str
    torch: Optional[str]
    cuda: Optional[Version]
    default_build: bool             # the plain PyPI wheel of `torch` is this build
    index_url: str
    arch_checked: bool
    known: bool                     # False: a fact was missing, and cpu is the safe answer
    why: Tuple[str, ...]
    torch_ref: Optional[str] = None  # the matrix row it came from


def covers(code: Sequence[str], cc: str) -> bool:
    """Whether a device of compute capability `cc` ("8.9") runs code for `code` (["sm_86", "compute_120"]):
    SASS for X.y runs on X.z (z >= y), PTX for X.y is JIT-compiled on anything >= X.y."""
    parsed = parse_cc(cc)
    if parsed is None:
        return False
    major, minor = parsed
    return any(ptx_runs_on(c, major, minor) if c.startswith("compute_") else sass_runs_on(c, major, minor)
               for c in code)


def _too_new(code: Sequence[str], cc: str) -> bool:
    """The GPU is newer than every architecture `code` carries (so older builds lack it too)."""
    parsed = parse_cc(cc)
    if parsed is None or covers(code, cc):
        return False
    archs = [int(c.split("_", 1)[1].rstrip("af")) for c in code if c.split("_", 1)[-1].rstrip("af").isdigit()]
    return bool(archs) and parsed[0] * 10 + parsed[1] > max(archs)


@dataclass(frozen=True)
class _Build:
    row: Row
    tag: str
    cuda: Version
    code: Optional[List[str]]       # None: the matrix has no arch list for this build
    arch_ref: Optional[str]         # the torch-arch.yaml row that lists it


def _builds(m: Machine) -> List[_Build]:
    """Every (torch release, cuXXX build) in the matrix, newest release first, newest build first."""
    out = []
    arch = TorchArch.of(m.matrix.rows("torch-arch"))
    for row in m.matrix.sorted_rows("torch"):
        tags = [t for t in TargetRow.of(row).cuda or () if re.fullmatch(r"cu\d{2,4}", str(t))]
        for tag in sorted(tags, key=cu_version, reverse=True):
            out.append(_Build(row, str(tag), cu_version(tag), arch.of_build(row.version, str(tag)),
                              arch.refs.get(row.version)))
    return out


def _native(b: _Build, drv: Version) -> bool:
    """The driver runs the build without minor-version compatibility (an older major always runs)."""
    return b.cuda.major < drv.major or (b.cuda.major == drv.major and b.cuda.minor <= drv.minor)


def _index(m: Machine, row: Optional[Row], tag: str) -> str:
    facts, _ = path_facts(m.matrix, "torch", row.version if row is not None else None)
    pattern = facts.get("index_url_pattern") or DEFAULT_INDEX
    return str(pattern).replace("{cuda}", tag)


def _cpu(m: Machine, known: bool, *why: str) -> TorchBuild:
    return TorchBuild(CPU, None, None, False, _index(m, None, CPU), False, known, tuple(why))


def _gpu(m: Machine, b: _Build, checked: bool, *why: str) -> TorchBuild:
    default = TargetRow.of(b.row).default_cuda == b.tag
    return TorchBuild(b.tag, b.row.version, b.cuda, default, _index(m, b.row, b.tag), checked, True, tuple(why),
                      b.row.ref())


def torch_build(m: Machine) -> TorchBuild:
    """The torch build for this machine, with the facts (paths in the Environment, matrix rows) that led to it."""
    drv = m.driver_fact()
    if m.driver_version is None:
        if m.no_driver:
            return _cpu(m, True, f"{drv}: no CUDA build runs here, the CPU build does")
        return _cpu(m, False, f"{drv} (the scan has no driver section): the CPU build is the safe answer; run "
                              f"`envcheck scan --json` on the GPU host and export from that")
    if m.cuda is None:
        return _cpu(m, m.driver.older_than is not None, f"{drv}: no torch CUDA build in the matrix is known to run")
    if m.env.gpus is not None and not m.env.gpus:
        return _cpu(m, True, f"{drv}, but gpus = [] (no GPU seen): the CPU build")
    native = [b for b in _builds(m) if _native(b, m.cuda)]
    if not native:
        return _cpu(m, True, f"{drv}: no torch CUDA build in the matrix runs on it natively")
    if m.sm is None:
        b = native[0]
        return _gpu(m, b, False, f"{drv}: {b.tag} is the newest build it runs natively ({b.row.ref()})",
                    f"{m.gpu_fact()}: its compute capability is unknown, so the build's GPU code was not checked "
                    f"(chosen on the driver alone)")
    return _for_gpu(m, native)


def _for_gpu(m: Machine, native: List[_Build]) -> TorchBuild:
    cc, drv, gpu = m.gpu_cc, m.driver_fact(), m.gpu_fact()
    checked = [b for b in native if b.code is not None and covers(b.code, cc)]
    if checked:
        b = checked[0]
        why = [f"{drv}: {b.tag} runs natively ({b.row.ref()})",
               f"{gpu} runs the GPU code of torch {b.row.version} {b.tag} ({', '.join(b.code)}; {b.arch_ref})"]
        skipped = [x for x in native if x.code is not None and not covers(x.code, cc) and x.cuda > b.cuda]
        if skipped:
            x = skipped[0]
            why.append(f"not {x.tag}: torch {x.row.version} {x.tag} has no code for sm_{m.sm} ({', '.join(x.code)})")
        return _gpu(m, b, True, *why)
    known = [b for b in _builds(m) if b.code is not None]
    for b in native:
        if b.code is None and not any(_too_new(k.code, cc) for k in known if k.cuda >= b.cuda):
            return _gpu(m, b, False, f"{drv}: {b.tag} runs natively ({b.row.ref()})",
                        f"{gpu}: the matrix has no GPU code list for torch {b.row.version} {b.tag}, so it was not "
                        f"checked; no build this old is known to lack sm_{m.sm}")
    fits = [b for b in known if covers(b.code, cc)]
    need = min(fits, key=lambda b: b.cuda) if fits else None
    hint = ""
    if need is not None:
        floor, row = min_driver_for_cuda(m.matrix, str(need.cuda))
        at = f" (driver >= {floor}, {row.ref()})" if floor is not None and row is not None else ""
        hint = f"; {need.tag} builds have code for it (torch {need.row.version}) and need CUDA {need.cuda}{at}"
    return _cpu(m, True, f"{drv}: no torch build it runs natively has GPU code for {gpu}{hint}; the CPU build runs")
