"""The result types of recommend (the API the gate builds on)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Tuple

KINDS = ("wheel", "image", "source", "driver")

Status = Literal["ok", "risky", "blocked"]
OK: Status = "ok"
RISKY: Status = "risky"
BLOCKED: Status = "blocked"
STATUSES: Tuple[Status, ...] = (OK, RISKY, BLOCKED)     # best first
ORDER = {s: i for i, s in enumerate(STATUSES)}


def worse(a: Status, b: Status) -> Status:
    """The worse of two statuses (blocked over risky over ok)."""
    return a if ORDER[a] >= ORDER[b] else b


def usable(status: Status, allow_risky: bool = True) -> bool:
    """ok, or risky where risky is allowed."""
    return status == OK or (allow_risky and status == RISKY)


@dataclass(frozen=True)
class InstallPath:
    rank: int
    kind: str                       # "wheel" | "image" | "source" | "driver"
    target: str
    version: str
    status: Status
    reasons: Tuple[str, ...]        # each cites the fact (env path) and the matrix row (Row.ref())
    blockers: Tuple[str, ...]
    commands: Tuple[str, ...]       # paste-able, complete
    disk_gib: Optional[float]
    affects: Tuple[str, ...]        # other environments and whether they keep working
    python: Optional[str] = None    # interpreter to use (wheel paths)
    environment: Optional[str] = None  # existing env prefix to install into, or None for a fresh venv
    venv: Optional[str] = None      # the fresh venv a wheel path creates (its prefix), when it creates one
    risks: Tuple[str, ...] = ()     # the reasons (among `reasons`) that make it risky, first the deciding one
    judged_from: Optional[str] = None   # image paths: "read from the image's files (digest ...)" or "the matrix alone"
    # facts some lines state, for readers that need them (fleet verdicts, answers); not in to_dict: the
    # document carries them in the lines' text
    stated_drivers: Tuple[Tuple[str, str], ...] = ()   # (line, the driver minimum it states)
    cuda_build: Optional[str] = None    # the CUDA a "... is built with CUDA X" line states (X)
    missing_arch: Optional[str] = None  # the GPU's sm (e.g. "120") a "not among the architectures" blocker names

    def driver_stated(self, line: str) -> Optional[str]:
        """The driver minimum `line` (one of reasons/blockers) states, or None."""
        return next((d for text, d in self.stated_drivers if text == line), None)

    def to_dict(self) -> dict:
        return {"rank": self.rank, "kind": self.kind, "target": self.target, "version": self.version,
                "status": self.status, "reasons": list(self.reasons), "blockers": list(self.blockers),
                "commands": list(self.commands), "disk_gib": self.disk_gib, "affects": list(self.affects),
                "python": self.python, "environment": self.environment, "venv": self.venv,
                "risks": list(self.risks), "judged_from": self.judged_from}


@dataclass(frozen=True)
class Recommendation:
    target: str
    requested: Optional[str]
    matrix_version: str
    environment_source: str
    paths: Tuple[InstallPath, ...]          # ranked, best first
    missing_facts: Tuple[str, ...]
    answers: Tuple[Tuple[str, str], ...]
    fit: Optional[dict] = None              # recommend --model: envcheck fit's answer (fit/advice.py)

    def to_dict(self) -> dict:
        d = {"target": self.target, "requested": self.requested, "matrix_version": self.matrix_version,
             "environment_source": self.environment_source, "paths": [p.to_dict() for p in self.paths],
             "missing_facts": list(self.missing_facts),
             "answers": [{"question": q, "answer": a} for q, a in self.answers]}
        if self.fit is not None:
            d["fit"] = self.fit
        return d
