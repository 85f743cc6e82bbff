"""The parsed policy's records: the policy, its rules and waivers, a target range, and the policy error.

Lowest module of the gate: the value checkers, the rule table, the loader and the evaluators all read these.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from packaging.specifiers import SpecifierSet

from envcheck.errors import InputError


class PolicyError(InputError):
    """A malformed policy: ``file:line: message``, exit 2."""

    def __init__(self, file: str, line: Optional[int], message: str):
        self.file, self.line, self.message = file, line or 1, message
        super().__init__(f"{file}:{line or 1}: {message}")


@dataclass(frozen=True)
class TargetSpec:
    name: str                       # normalized distribution/target name: "tensorrt-llm"
    spec: Optional[SpecifierSet]
    text: str                       # as written: "tensorrt-llm>=0.19,<1.1"

    def contains(self, version: str) -> bool:
        if self.spec is None:
            return True
        return self.spec.contains(str(version), prereleases=True)


@dataclass(frozen=True)
class Rule:
    kind: str
    id: str
    severity: str
    optional: bool
    line: int
    params: Dict[str, Any]
    lines: Dict[str, int] = field(default_factory=dict, compare=False)
    description: Optional[str] = None

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(frozen=True)
class Waiver:
    code: str
    reason: str
    expires: _dt.date
    line: int
    subject: Optional[str] = None
    rule: Optional[str] = None

    def expired(self, today: _dt.date) -> bool:
        return today > self.expires

    def to_dict(self) -> dict:
        d = {"code": self.code, "reason": self.reason, "expires": self.expires.isoformat(), "line": self.line}
        if self.subject:
            d["subject"] = self.subject
        if self.rule:
            d["rule"] = self.rule
        return d


@dataclass(frozen=True)
class Policy:
    path: str
    digest: str                     # sha256 of the file's bytes
    name: str
    rules: Tuple[Rule, ...]
    waivers: Tuple[Waiver, ...]
    description: Optional[str] = None

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"
