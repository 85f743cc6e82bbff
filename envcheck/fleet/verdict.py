"""A target's verdict on one node, as `envcheck labels` and `envcheck fleet report` state it (pure).

The verdict is whether the target runs on the node *as it stands*: the best status `recommend` gives among the
paths that leave the node unchanged (a wheel into a venv, an image). What a driver change or a source build would
take is reported beside it (`needs`), never as the verdict: a scheduler must not send a pod to a node that first
needs a new kernel module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from envcheck.model.base import Plain
from envcheck.recommend import recommend
from envcheck.recommend.model import BLOCKED, OK, ORDER, RISKY
from envcheck.recommend.model import InstallPath, Recommendation

UNCHANGED = ("wheel", "image")          # the paths that leave the node as it is


@dataclass(frozen=True)
class NodeVerdict(Plain):
    target: str                 # the target as given: "tensorrt-llm==1.1.0"
    status: str                 # ok | risky | blocked
    version: Optional[str]      # the release of the best unchanged path (None when there is none)
    kind: Optional[str]         # wheel | image
    reason: str                 # short: why it is not ok ("driver below 580.65.06"); "" when ok
    needs: Optional[str]        # what would make it run: "driver-580.65.06", "source-build"; None when ok
    detail: str                 # the first blocker or risk, in full


class _SortedRowsOnce:
    """A Matrix whose sorted_rows() is computed once per (subject, order): recommend asks for the same sorted
    lists many times per call (every wheel judged asks for the torch rows), and a fleet report asks again per
    distinct node. The rows are the matrix's own; each caller gets its own list. `memo` keeps the answers of
    row() and of recommend's pure functions of the matrix (recommend.targets.path_facts, newest_torch_for) by their
    arguments."""

    def __init__(self, matrix):
        self._m = matrix
        self._sorted: dict = {}
        self.memo: dict = {}

    def __getattr__(self, name):
        return getattr(self._m, name)

    def row(self, subject: str, version):
        key = ("row", subject, str(version))
        if key not in self.memo:
            self.memo[key] = self._m.row(subject, version)
        return self.memo[key]

    def sorted_rows(self, subject: str, newest_first: bool = True):
        key = (subject, newest_first)
        if key not in self._sorted:
            self._sorted[key] = self._m.sorted_rows(subject, newest_first)
        return list(self._sorted[key])


def fleet_matrix(matrix):
    """The matrix for many verdicts in a row (see _SortedRowsOnce)."""
    return matrix if isinstance(matrix, _SortedRowsOnce) else _SortedRowsOnce(matrix)


def node_verdict(env, matrix, target: str) -> NodeVerdict:
    """InputError (from recommend) for an unknown target or a version the matrix does not have."""
    return verdict_of(recommend(env, matrix, target), target)


def verdict_of(rec: Recommendation, target: str) -> NodeVerdict:
    unchanged = [p for p in rec.paths if p.kind in UNCHANGED]
    # the best path as the node stands; among blocked ones, the one with the fewest blockers (the nearest to
    # running), so its blocker is the reason
    best = min(unchanged, key=lambda p: (ORDER[p.status], len(p.blockers), p.rank)) if unchanged else None
    status = best.status if best is not None else BLOCKED
    if status == OK:
        return NodeVerdict(target, OK, best.version, best.kind, "", None, "")
    driver = next((p for p in rec.paths if p.kind == "driver"), None)
    line = ""
    if best is not None:
        line = best.blockers[0] if best.blockers else _first_risk(best)
    detail = " ".join(line.split())
    drv_need = ((best.driver_stated(line) if best is not None else None)
                or (driver.driver_stated(driver.reasons[0]) if driver and driver.reasons else None))
    reason = _short_reason(status, best, drv_need, detail)
    return NodeVerdict(target, status, best.version if best else None, best.kind if best else None, reason,
                       _needs(rec, status, best, driver, drv_need), detail)


def _kind(blocker: str) -> str:
    t = blocker.lower()
    if "no nvidia driver" in t or "no nvidia gpu" in t:
        return "gpu"
    if "not among the architectures" in t:
        return "arch"
    if "less than the" in t and "gib" in t:
        return "disk"
    if "driver" in t:
        return "driver"
    return "other"


def _needs(rec, status, best, driver, drv_need) -> Optional[str]:
    """What would make the target run here (beside the verdict): a driver, a GPU, free disk, a source build."""
    kinds = {_kind(b) for b in best.blockers} if best is not None else {"other"}
    if "arch" in kinds:
        return None                     # no driver brings kernels for this GPU
    if "gpu" in kinds:
        return "gpu"
    if kinds == {"disk"}:
        return "free-disk"
    if (kinds <= {"driver", "disk"}) and drv_need is not None and driver is not None:
        return f"driver-{drv_need}"     # risky paths (no blockers) included: natively it needs that driver
    src = next((p for p in rec.paths if p.kind == "source" and ORDER[p.status] < ORDER[status]), None)
    return "source-build" if src is not None else None


def _first_risk(p: InstallPath) -> str:
    for r in p.reasons:
        if any(w in r for w in ("minor-version compatibility", "forward compatibility", "unknown", "cannot tell")):
            return r
    return p.reasons[0] if p.reasons else ""


def _short_reason(status: str, best: Optional[InstallPath], need_drv: Optional[str], detail: str) -> str:
    """A few words that group nodes: the same cause on two nodes gives the same words."""
    if best is None:
        return "no wheel or image in the matrix"
    text = detail.lower()
    kind = _kind(detail) if status == BLOCKED else ""
    if kind == "gpu":
        return "no NVIDIA driver"
    if kind == "arch":
        return f"GPU sm_{best.missing_arch} not supported" if best.missing_arch else "GPU architecture not supported"
    if kind == "disk":
        return "not enough free disk"
    if "driver is unknown" in text or "cannot tell whether" in text:
        return "driver unknown"
    if status == RISKY and "forward compatibility (cuda-compat" in text and "can bridge it" in text:
        return f"forward compatibility only (native: driver >= {need_drv})" if need_drv else "forward compatibility only"
    if status == RISKY and "minor-version compatibility" in text:
        return f"minor-version compatibility only (native: driver >= {need_drv})" if need_drv else "minor-version compatibility only"
    if kind == "driver" and need_drv is not None:
        return f"driver below {need_drv}"
    return detail if len(detail) <= 60 else detail[:57].rstrip() + "..."
