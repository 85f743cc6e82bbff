"""Pure questions about compatibility, answered from facts and the matrix (no I/O).

Shared by the checks, recommend and the gate, so that "what CUDA can this driver run" has one answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from envcheck.matrix.load import Matrix, Row
from envcheck.versions import Version, parse


@dataclass(frozen=True)
class DriverCuda:
    """The highest CUDA a driver runs, and where that answer came from."""
    cuda: Optional[Version]
    how: str  # "reported by nvml", "driver branch 570 in matrix/cuda.yaml:12", "unknown: ..."
    row: Optional[Row] = None
    # set when the driver is older than every CUDA in the matrix: it runs nothing from this CUDA on
    # (cuda is None then, but the answer is known: too old, not unknown)
    older_than: Optional[Version] = None
    older_than_floor: Optional[Version] = None  # the least driver any CUDA `older_than` build accepts


def driver_max_cuda(env, matrix: Matrix) -> DriverCuda:
    drv = env.driver
    if drv is None:
        return DriverCuda(None, "unknown: the scan has no driver section")
    if drv.cuda is not None:
        return DriverCuda(drv.cuda, f"reported by {drv.source or 'the driver'}")
    if drv.version is None:
        return DriverCuda(None, "unknown: no NVIDIA driver")
    cuda, row = cuda_for_driver(matrix, drv.version)
    if cuda is None:
        first = _first_unrunnable(matrix, drv.version)
        if first is not None:
            v, r, floor = first
            return DriverCuda(None, f"driver {drv.version} is below {floor}, the least any CUDA {v} build accepts "
                                    f"({r.ref()}, minor-version compatibility included): no build for CUDA {v} or "
                                    f"newer runs on it", r, older_than=v, older_than_floor=floor)
        return DriverCuda(None, f"unknown: driver {drv.version} is not in the matrix's driver branches")
    return DriverCuda(cuda, f"driver branch of {drv.version} in {row.ref()}", row)


def cuda_for_driver(matrix: Matrix, driver: Version) -> Tuple[Optional[Version], Optional[Row]]:
    """The newest CUDA whose minimum driver (from cuda.yaml) this driver meets. A bare branch ('570') stands for
    its release series: it meets a minimum of its own branch ('570.26')."""
    branch = len(driver.release) == 1
    best: Tuple[Optional[Version], Optional[Row]] = (None, None)
    for row in matrix.rows("cuda"):
        need = parse(row.get("min_driver"))
        v = parse(row.version)
        if need is None or v is None:
            continue
        meets = driver.major >= need.major if branch else driver >= need
        if meets and (best[0] is None or v > best[0]):
            best = (v, row)
    return best


def _first_unrunnable(matrix: Matrix, driver: Version) -> Optional[Tuple[Version, Row, Version]]:
    """The oldest CUDA in the matrix that this driver cannot run even through minor-version compatibility
    (with its row and that least driver), when every newer one is out of reach too; None if it runs them all."""
    rows = sorted(((v, r) for v, r in ((parse(r.version), r) for r in matrix.rows("cuda")) if v is not None),
                  key=lambda x: x[0], reverse=True)
    out = None
    for v, r in rows:
        floors = [x for x in (parse(r.get("min_driver")), parse(_first_version(r.get("min_driver_mvc"))))
                  if x is not None]
        if not floors:
            continue
        floor = min(floors)
        if driver >= floor:
            break
        out = (v, r, floor)
    return out


def min_driver_for_cuda(matrix: Matrix, cuda) -> Tuple[Optional[Version], Optional[Row]]:
    """The minimum driver a CUDA release needs (its own GA requirement), with the row it came from."""
    cv = parse(cuda)
    if cv is None:
        return None, None
    exact = matrix.row("cuda", cuda)
    if exact is None:  # 12.6.3 -> the 12.6 row
        exact = matrix.row("cuda", cv.major_minor())
    if exact is None:
        return None, None
    return update_min_driver(exact, cv), exact


def update_min_driver(row: Row, cv: Version) -> Optional[Version]:
    """The minimum driver of CUDA `cv` from its X.Y row: X.Y.N is "CUDA X.Y Update N" (12.8.1 needs 570.124.06, not
    12.8 GA's 570.26); an update the table does not list takes the newest listed one below it, else the GA's."""
    ga = parse(row.get("min_driver"))
    ups = row.get("updates")
    if len(cv.release) < 3 or cv.release[2] == 0 or not isinstance(ups, dict):
        return ga
    best = None
    for key, drv in ups.items():
        kv, dv = parse(str(key)), parse(str(drv))
        if kv is None or dv is None or len(kv.release) < 3 or kv.release[:2] != cv.release[:2]:
            continue
        if kv.release[2] <= cv.release[2] and (best is None or kv.release[2] > best[0]):
            best = (kv.release[2], dv)
    return best[1] if best else ga


def min_driver_mvc(matrix: Matrix, cuda) -> Tuple[Optional[Version], Optional[Row]]:
    """The lower minimum driver under minor-version compatibility (a 12.x build on any >= 525.60.13)."""
    cv = parse(cuda)
    if cv is None:
        return None, None
    row = matrix.row("cuda", cuda) or matrix.row("cuda", cv.major_minor())
    if row is None:
        return None, None
    return parse(_first_version(row.get("min_driver_mvc"))), row


def _first_version(value) -> Optional[str]:
    if value is None:
        return None
    m = re.search(r"\d+(?:\.\d+)+", str(value))
    return m.group(0) if m else None


def gpu_row(matrix: Matrix, name: Optional[str]) -> Optional[Row]:
    """The matrix row of a GPU, by NVML's name or an alias ('RTX 4090'), case-insensitive."""
    if not name:
        return None
    want = _norm(name)
    rows = matrix.rows("gpus")
    for r in rows:
        if _norm(r.get("name") or r.version) == want:
            return r
    for r in rows:
        for alias in r.get("aliases") or ():
            if _norm(alias) == want:
                return r
    # NVML names carry a memory size or form factor the rows may not ('NVIDIA A100-SXM4-80GB'), and a user may type
    # less ('4090'). Match whole words only, and never across a word that names another product: 'RTX 4090 D' and
    # 'RTX 4090 Laptop GPU' are different chips from the RTX 4090.
    w = want.split()
    for r in sorted(rows, key=lambda r: -len(str(r.get("name") or ""))):
        for cand in [r.get("name") or r.version] + list(r.get("aliases") or ()):
            c = _norm(cand).split()
            if len(" ".join(c)) < 4:
                continue
            at = _find_words(w, c)
            if at is not None and all(_HARMLESS.fullmatch(x) for x in w[:at] + w[at + len(c):]):
                return r
            if _find_words(c, w) is not None and any(ch.isdigit() for ch in want):
                return r
    return None


_HARMLESS = re.compile(r"pcie|sxm\d?|\d+gb|hbm\d?e?|gddr\d?x?")


def _find_words(hay, needle):
    """Index where the word list `needle` occurs contiguously in `hay`, or None."""
    for i in range(len(hay) - len(needle) + 1):
        if hay[i:i + len(needle)] == needle:
            return i
    return None


def _norm(s) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(s).lower().replace("nvidia", "").replace("geforce", "")).strip()


def is_datacenter(row: Optional[Row]) -> Optional[bool]:
    if row is None or not row.get("class"):
        return None
    return row.get("class") == "datacenter"
