"""The human report: sections of facts with a mark each, then the findings with why and fix."""
from __future__ import annotations

from typing import List, Optional

from envcheck.findings import Finding
from envcheck.report.sections import sections
from envcheck.marks import marks
from envcheck.output import sanitized


def header(env, matrix_version: str, source: str) -> str:
    m = env.meta
    when = f" at {m.scanned_at}" if m and m.scanned_at else ""
    took = f" in {m.duration_s:.2f} s" if m and m.duration_s is not None else ""
    return f"envcheck {m.envcheck if m and m.envcheck else ''} · matrix {matrix_version} · {source}{when}{took}".replace("  ", " ")


@sanitized
def render_findings(findings: List[Finding], unicode: bool = True, verbose: bool = True) -> List[str]:
    mk = marks(unicode)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("fail", "warn", "info", "ok")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none"
    lines = [f"Findings ({summary})"]
    for f in findings:
        lines.append(f"  {mk[f.severity]} {f.title}  [{f.code}]")
        if not verbose or f.severity in ("ok",):
            continue
        if f.evidence and f.severity in ("warn", "fail"):
            lines.append("      seen: " + "; ".join(f.evidence))
        if f.why:
            lines.append("      why:  " + f.why)
        for i, cmd in enumerate(f.fix):
            lines.append(("      fix:  " if i == 0 else "            ") + "$ " + cmd)
    return lines


@sanitized
def render_scan(env, findings: List[Finding], matrix_version: str, source: str, unicode: bool = True,
                only: Optional[List[str]] = None, verbose: bool = False, matrix=None) -> str:
    mk = marks(unicode)
    lines = [header(env, matrix_version, source), ""]
    for sec in sections(env, findings, every_library=verbose):
        if only and sec.title not in only:
            continue
        lines.append(sec.title)
        if sec.note:
            lines.append(f"  {mk['unknown'] if sec.note.startswith('unknown') else mk['info']} {sec.note}")
        width = max((len(f.label) for f in sec.facts), default=0)
        width = min(width, 44)
        for f in sec.facts:
            label = f.label if len(f.label) <= width else f.label
            lines.append(f"  {mk[f.mark]} {label.ljust(width)}  {f.value}")
        lines.append("")
    if env.errors:
        lines.append("Probe errors")
        for k, v in env.errors.items():
            if not k.endswith(".trace"):
                lines.append(f"  {mk['unknown']} {k}: {v}")
        lines.append("")
    lines.extend(render_findings(findings, unicode))
    return "\n".join(lines + _footer(env, matrix)).rstrip() + "\n"


def _footer(env, matrix) -> List[str]:
    """The staleness line (envcheck/matrix/staleness.py), when the caller passed the matrix."""
    if matrix is None:
        return []
    from envcheck.matrix.staleness import footer
    line = footer(env, matrix)
    return ["", line] if line else []


@sanitized
def render_check(findings: List[Finding], matrix_version: str, source: str, unicode: bool = True) -> str:
    from envcheck import __version__
    lines = [f"envcheck {__version__} · matrix {matrix_version} · {source}", ""]
    lines.extend(render_findings(findings, unicode))
    return "\n".join(lines) + "\n"
