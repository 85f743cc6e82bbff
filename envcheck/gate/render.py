"""The gate's verdict as human text and as Markdown (JUnit and GitHub are in envcheck/report/)."""
from __future__ import annotations

import re
from typing import List

from envcheck.gate.verdict import Verdict, expired_message
from envcheck.marks import UNICODE, marks
from envcheck.output import sanitized

STATUS_MARK = {"pass": "ok", "fail": "fail", "warn": "warn", "waived": "info", "skipped": "unknown"}


@sanitized
def render_human(v: Verdict, unicode: bool = True, verbose: bool = True) -> str:
    """verbose=False (`gate -q`): only the rules that did not pass (fail, warn, skipped: a fact unknown), the
    expired waivers and the verdict, one line each."""
    mk = marks(unicode)
    dot = "·" if unicode else "-"
    lines = [f"envcheck gate {dot} policy {v.policy.name} ({v.policy.path}) {dot} {v.environment_source}", ""]
    if not verbose:
        lines = []
    for o in v.outcomes:
        if not verbose and o.status not in ("fail", "warn", "skipped"):
            continue
        lines.append(f"  {mk[STATUS_MARK[o.status]]} {o.rule.id:<34} {o.status.upper():<7} {o.summary}")
        if not verbose:
            continue
        if o.status in ("fail", "warn"):
            open_problems = o.open_problems
            for p in open_problems:
                if len(open_problems) > 1 or p.message != o.summary:
                    lines.append(f"      {p.message}  [{p.code}]")
                else:
                    lines.append(f"      [{p.code}] {o.rule.kind} rule at {v.policy.path}:{o.rule.line}")
                seen = p.evidence_beyond(o.summary)
                for e in seen[:3]:
                    lines.append(f"      seen: {e}")
                if len(seen) > 3:
                    lines.append(f"      (+{len(seen) - 3} more in --json / --markdown)")
                for i, c in enumerate(p.fix):
                    lines.append(("      fix:  " if i == 0 else "            ") + ("" if c.startswith("#") else "$ ") + c)
        for p in o.waived_problems:
            w = next((s.waiver for s in v.waivers if s.waiver.line == p.waived_by), None)
            lines.append(f"      waived [{p.code}] {p.message}" + (
                f" — until {w.expires.isoformat()}: {w.reason}" if w else ""))
    for st in v.expired:
        lines.append(f"  {mk['fail']} {'waiver:' + st.waiver.code:<34} {'FAIL':<7} {expired_message(st)}")
        lines.append(f"      at {v.policy.path}:{st.waiver.line}")
    unused = [s for s in v.waivers if not s.expired and s.used == 0] if verbose else []
    for st in unused:
        lines.append(f"  {mk['info']} {'waiver:' + st.waiver.code:<34} {'UNUSED':<7} nothing it covers was found "
                     f"(expires {st.waiver.expires.isoformat()}); delete it when it is no longer needed")
    c = v.counts()
    parts = [f"{c[k]} {k}" for k in ("pass", "fail", "warn", "waived", "skipped") if c[k]]
    if c["expired_waivers"]:
        parts.append(f"{c['expired_waivers']} expired waiver(s)")
    if lines:
        lines.append("")
    lines += [f"VERDICT: {v.status.upper()} ({', '.join(parts)})", f"  reproduce: {v.reproduce()}"]
    return "\n".join(lines) + "\n"


def _cell(s) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _code(s, in_table: bool = False) -> str:
    """A Markdown code span that survives backticks in its text (CommonMark: a longer run of backticks opens and
    closes it; a space pads text that starts or ends with a backtick). In a GFM table cell '|' is escaped."""
    text = " ".join(str(s).split())
    if in_table:
        text = text.replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs) + 1 if runs else 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (runs and text.startswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _text(s) -> str:
    """Plain text in a list item: one line; '*' escaped so a version range such as ==2.6.* starts no emphasis."""
    return " ".join(str(s).split()).replace("*", "\\*")


@sanitized
def render_markdown(v: Verdict) -> str:
    icon = {"pass": UNICODE["ok"], "fail": UNICODE["fail"], "warn": UNICODE["warn"], "waived": "⤼",
            "skipped": UNICODE["unknown"]}
    head = "✅ PASS" if v.passed else "❌ FAIL"
    lines: List[str] = [f"## envcheck gate: {head} — {_cell(v.policy.name)}", "",
                        f"Policy `{v.policy.path}` (sha256 `{v.policy.digest[:16]}…`) · matrix `{v.matrix_version}` · "
                        f"envcheck {v.envcheck_version} · {_cell(v.environment_source)} · {v.today.isoformat()}", "",
                        "| | rule | status | detail |", "|---|---|---|---|"]
    for o in v.outcomes:
        lines.append(f"| {icon[o.status]} | {_code(o.rule.id, True)} | {o.status} | {_cell(o.summary)} |")
    for st in v.expired:
        lines.append(f"| {UNICODE['fail']} | `waiver:{_cell(st.waiver.code)}` | fail | {_cell(expired_message(st))} |")
    bad = [o for o in v.outcomes if o.status in ("fail", "warn")]
    if bad:
        lines += ["", "### What to fix", ""]
        for o in bad:
            lines.append(f"- **{_code(o.rule.id)}** ({o.rule.kind}, {_code(f'{v.policy.path}:{o.rule.line}')})")
            for p in o.open_problems:
                lines.append(f"  - {_text(p.message)} {_code(p.code)}")
                for e in p.evidence_beyond()[:4]:
                    lines.append(f"    - seen: {_code(e)}")
                if p.fix:
                    fence = "~~~" if any("```" in c for c in p.fix) else "```"
                    lines.append(f"    {fence}sh")
                    lines.extend("    " + c for c in p.fix)
                    lines.append(f"    {fence}")
    waived = [(o, p) for o in v.outcomes for p in o.waived_problems]
    if waived:
        lines += ["", "### Waived", ""]
        for o, p in waived:
            w = next((s.waiver for s in v.waivers if s.waiver.line == p.waived_by), None)
            lines.append(f"- {_code(p.code)} in {_code(o.rule.id)}: {_text(p.message)}" +
                         (f" — until {w.expires.isoformat()}: {_text(w.reason)}" if w else ""))
    lines += ["", f"<sub>reproduce: {_cell(v.reproduce())}</sub>", ""]
    return "\n".join(lines)
