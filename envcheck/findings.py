"""Findings: every conclusion envcheck draws, with a stable code, the evidence and the fix.

Each rule module registers the codes it can produce (``register``), so ``envcheck codes`` and docs/codes.md list
every code with its explanation, and a CI policy can waive a finding by its code.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

SEVERITIES = ("ok", "info", "warn", "fail")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    summary: str
    explanation: str


@dataclass(frozen=True)
class Finding:
    """One conclusion: what was seen (evidence), why it matters, and the fix as commands."""
    code: str
    severity: str
    title: str
    evidence: Tuple[str, ...] = ()
    why: str = ""
    fix: Tuple[str, ...] = ()
    subject: Optional[str] = None

    def __post_init__(self):
        if self.severity not in _RANK:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.code not in REGISTRY:
            raise ValueError(f"finding code {self.code!r} is not registered")

    @property
    def rank(self) -> int:
        return _RANK[self.severity]

    def to_dict(self) -> dict:
        d = {"code": self.code, "severity": self.severity, "title": self.title,
             "evidence": list(self.evidence), "why": self.why, "fix": list(self.fix)}
        if self.subject:
            d["subject"] = self.subject
        return d


REGISTRY: Dict[str, Code] = {}

# The modules that register finding codes when imported (the rule modules of checks, explain's answers, the gate).
CODE_MODULES = ("envcheck.checks.abi", "envcheck.checks.container", "envcheck.checks.disk", "envcheck.checks.driver",
                "envcheck.checks.image", "envcheck.checks.kernels", "envcheck.checks.native", "envcheck.checks.process",
                "envcheck.checks.pythons", "envcheck.explain.codes", "envcheck.explain.process", "envcheck.gate.rules")


def registered_codes() -> Dict[str, Code]:
    """Every finding code envcheck can produce: imports the code-bearing modules, then reads the registry."""
    for name in CODE_MODULES:
        importlib.import_module(name)
    return dict(REGISTRY)


def register(code: str, severity: str, summary: str, explanation: str) -> str:
    """Declare a finding code (at import time of the rule module). Returns the code for use as a constant."""
    if severity not in _RANK:
        raise ValueError(severity)
    existing = REGISTRY.get(code)
    if existing and existing.summary != summary:
        raise ValueError(f"finding code {code!r} registered twice")
    REGISTRY[code] = Code(code, severity, summary, " ".join(explanation.split()))
    return code


def worst(findings: Iterable[Finding]) -> str:
    ranks = [f.rank for f in findings]
    return SEVERITIES[max(ranks)] if ranks else "ok"


def sort_findings(findings: Iterable[Finding]) -> List[Finding]:
    # title and evidence last: two findings of one code on one subject keep one order, whatever produced them
    return sorted(findings, key=lambda f: (-f.rank, f.code, f.subject or "", f.title, tuple(f.evidence)))


def fact(path: str, value) -> str:
    """Evidence line: a path into the Environment and the value seen there, in the document's own spelling
    (true/false as in the JSON, 'unknown' for a fact the document lacks)."""
    return f"{path} = {show(value)}"


def show(value) -> str:
    """A fact's value as every report prints it: true/false, unknown, lists joined with ', '."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v) for v in value) if value else "none"
    return str(value)


register("internal-error", "fail", "A rule of envcheck itself failed",
         "A check raised an exception. The other findings stand; rerun with --debug and report the traceback.")


def env_name(p) -> str:
    """How a report names a Python environment: its prefix for a venv/conda env, its interpreter for a system
    Python (whose prefix, /usr, names nothing a reader would recognise)."""
    if p.kind == "system" or (p.prefix or "") in ("/usr", "/usr/local", "/"):
        return p.path or p.prefix
    return p.prefix or p.path
