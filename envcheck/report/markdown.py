"""The same report as Markdown, to paste into an issue."""
from __future__ import annotations

from typing import List

from envcheck.findings import Finding
from envcheck.report.sections import sections
from envcheck.report.human import header
from envcheck.marks import UNICODE
from envcheck.output import sanitized


def _cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


@sanitized
def render_findings_md(findings: List[Finding]) -> List[str]:
    lines = ["## Findings", ""]
    if not findings:
        lines.append("None.")
    for f in findings:
        lines.append(f"- {UNICODE[f.severity]} **{_cell(f.title)}** `{f.code}` ({f.severity})")
        if f.evidence:
            lines.append(f"  - seen: {'; '.join('`' + e + '`' for e in f.evidence)}")
        if f.why:
            lines.append(f"  - why: {f.why}")
        if f.fix:
            lines.append("  - fix:")
            lines.append("    ```sh")
            lines.extend("    " + c for c in f.fix)
            lines.append("    ```")
    return lines


@sanitized
def render_scan_md(env, findings: List[Finding], matrix_version: str, source: str, matrix=None) -> str:
    lines = [f"# envcheck report", "", f"_{header(env, matrix_version, source)}_", ""]
    for sec in sections(env, findings):
        lines.append(f"## {sec.title}")
        lines.append("")
        if sec.note:
            lines.append(f"_{sec.note}_")
            lines.append("")
        if sec.facts:
            lines.append("| | fact | value |")
            lines.append("|---|---|---|")
            for f in sec.facts:
                lines.append(f"| {UNICODE[f.mark]} | {_cell(f.label)} | {_cell(f.value)} |")
            lines.append("")
    lines.extend(render_findings_md(findings))
    if matrix is not None:
        from envcheck.matrix.staleness import footer
        line = footer(env, matrix)
        if line:
            lines.extend(["", f"_{line}_"])
    return "\n".join(lines) + "\n"
