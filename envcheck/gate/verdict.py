"""Policy + Environment + matrix -> Verdict: each rule's outcome, waivers applied, pass or fail (pure)."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence

from envcheck.findings import Finding
from envcheck.gate.records import Policy, Waiver
from envcheck.gate.rules import UNKNOWN, WAIVER_EXPIRED, Context, Outcome, Problem
from envcheck.gate.table import evaluate_rule


@dataclass
class WaiverState:
    waiver: Waiver
    expired: bool
    used: int = 0           # problems it waived (or would have, when expired)

    def to_dict(self) -> dict:
        return dict(self.waiver.to_dict(), expired=self.expired, used=self.used)


@dataclass
class Verdict:
    policy: Policy
    matrix_version: str
    environment_source: str
    today: _dt.date
    outcomes: List[Outcome]
    waivers: List[WaiverState]
    envcheck_version: str = ""
    findings: List[Finding] = field(default_factory=list)

    @property
    def expired(self) -> List[WaiverState]:
        return [w for w in self.waivers if w.expired]

    @property
    def passed(self) -> bool:
        return not any(o.status == "fail" for o in self.outcomes) and not self.expired

    @property
    def status(self) -> str:
        return "pass" if self.passed else "fail"

    def counts(self) -> dict:
        c = {s: 0 for s in ("pass", "fail", "warn", "waived", "skipped")}
        for o in self.outcomes:
            c[o.status] += 1
        c["expired_waivers"] = len(self.expired)
        return c

    def reproduce(self) -> str:
        return (f"policy {self.policy.path} sha256:{self.policy.digest} · matrix {self.matrix_version}"
                f" · envcheck {self.envcheck_version} · {self.environment_source} · evaluated {self.today.isoformat()}")

    def to_dict(self) -> dict:
        return {
            "verdict": self.status,
            "passed": self.passed,
            "policy": {"path": self.policy.path, "name": self.policy.name, "sha256": self.policy.digest},
            "matrix_version": self.matrix_version,
            "envcheck_version": self.envcheck_version,
            "environment_source": self.environment_source,
            "evaluated_on": self.today.isoformat(),
            "counts": self.counts(),
            "rules": [o.to_dict() for o in self.outcomes],
            "waivers": [w.to_dict() for w in self.waivers],
        }


def _matches(w: Waiver, outcome: Outcome, p: Problem) -> bool:
    if w.code != p.code:
        return False
    if w.rule is not None and w.rule != outcome.rule.id:
        return False
    if w.subject is not None and w.subject != (p.subject or ""):
        return False
    return True


def evaluate(policy: Policy, env, matrix, findings: Sequence[Finding], environment_source: str = "",
             today: Optional[_dt.date] = None, envcheck_version: str = "",
             recommend: Optional[Callable[[str], object]] = None) -> Verdict:
    """Evaluate every rule, apply the waivers, and decide. Raises PolicyError for a policy that names something
    the environment does not have (exit 2). `recommend` (target -> Recommendation) replaces the call to
    `envcheck recommend` where a caller remembers answers (a fleet of nodes with the same facts)."""
    if today is None:
        today = _dt.datetime.now(_dt.timezone.utc).date()
    ctx = Context(env, matrix, findings, policy, environment_source, recommend)
    states = [WaiverState(w, w.expired(today)) for w in policy.waivers]
    outcomes: List[Outcome] = []
    for rule in policy.rules:
        out = evaluate_rule(ctx, rule)
        if out.unknown and not out.problems:
            if rule.optional:
                out.status = "skipped"
                out.summary = "skipped (optional): unknown " + "; ".join(out.unknown)
                outcomes.append(out)
                continue
            out.problems.append(Problem(UNKNOWN, "cannot be evaluated: unknown " + "; ".join(out.unknown),
                                        tuple(f"unknown: {u}" for u in out.unknown),
                                        ("envcheck scan --json > scan.json    # on the target, then --env scan.json",
                                         "# or mark the rule `optional: true` to skip it when the fact is unknown")))
        new: List[Problem] = []
        for p in out.problems:
            waived_by = None
            for st in states:
                if _matches(st.waiver, out, p):
                    st.used += 1
                    if not st.expired and waived_by is None:
                        waived_by = st.waiver.line
            new.append(dataclasses.replace(p, waived_by=waived_by) if waived_by is not None else p)
        out.problems = new
        if out.open_problems:
            out.status = rule.severity          # fail, or warn for a rule the policy marks severity: warn
            out.summary = out.open_problems[0].message + (
                f" (+{len(out.open_problems) - 1} more)" if len(out.open_problems) > 1 else "")
        elif out.problems:
            out.status = "waived"
            out.summary = "waived: " + "; ".join(sorted({p.code for p in out.problems}))
        else:
            out.status = "pass"
            out.summary = out.summary or "holds"
        outcomes.append(out)
    return Verdict(policy, str(matrix.version), environment_source, today, outcomes, states, envcheck_version,
                   list(findings))


def expired_message(st: WaiverState) -> str:
    w = st.waiver
    return (f"waiver for {w.code} expired on {w.expires.isoformat()} ({st.waiver and w.reason}); renew it with a "
            f"new date and reason or fix what it waived" + (f" — it still covers {st.used} problem(s)" if st.used
                                                              else " — nothing it covers was found; delete it"))


__all__ = ["Verdict", "WaiverState", "evaluate", "expired_message", "WAIVER_EXPIRED"]
