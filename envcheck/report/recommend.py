"""Rendering a Recommendation (and an explain result): short ranked human text, and Markdown for an issue."""
from __future__ import annotations

import textwrap
from typing import List

MARK_U = {"ok": "✓", "risky": "!", "blocked": "✗"}
MARK_A = {"ok": "ok", "risky": "!!", "blocked": "XX"}


def _wrap(text: str, indent: str, width: int = 110) -> List[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def _head(p) -> str:
    where = ""
    if p.kind == "wheel":
        where = f"into {p.environment}" if p.environment else (f"fresh venv, {p.python}" if p.python else "fresh venv")
    disk = f"~{p.disk_gib:g} GiB" if p.disk_gib else ""
    return f"{p.kind:<6} {p.target} {p.version}  {', '.join(x for x in (where, disk) if x)}".rstrip()


def render_recommendation(rec, unicode: bool = True, verify=None, verbose: bool = False) -> str:
    mk = MARK_U if unicode else MARK_A
    out = [f"envcheck recommend {rec.target}{rec.requested or ''} · matrix {rec.matrix_version} · {rec.environment_source}",
           ""]
    if not rec.paths:
        out.append("  no install path in the matrix")
    best_shown = False
    for p in rec.paths:
        out.append(f"{p.rank:>2}. {mk[p.status]} {p.status:<7} {_head(p)}")
        if verbose:
            for b in p.blockers:
                out += _wrap("blocked: " + b, "       ")
            for r in p.reasons:
                out += _wrap(r, "       ")
        else:
            first = ("blocked: " + p.blockers[0]) if p.blockers else next((r for r in p.reasons if _key_reason(r)), "")
            if first:
                out += _wrap(_cut(first, 300), "       ")
        if p.status != "blocked" and not best_shown or verbose:
            out.append("       run:")
            out += [f"         {c}" for c in p.commands]
            best_shown = best_shown or p.status != "blocked"
    if verify is not None:
        out += ["", "verify (pip's resolver):"] + _wrap(verify.summary(), "  ")
    if rec.missing_facts:
        out += ["", "not known, so not judged:"] + [l for m in rec.missing_facts for l in _wrap(m, "  - ")]
    if rec.answers and verbose:
        out.append("")
        for q, a in rec.answers:
            out += _wrap(q, "  ")
            out += _wrap(a, "    ")
    out.append("")
    out.append("  -v for every reason and the answers to the usual questions; --markdown for an issue; --json for machines")
    return "\n".join(out) + "\n"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def _key_reason(r: str) -> bool:
    return any(k in r for k in ("built with", "a fresh venv", "into the existing", "not into", "image ", "build time",
                                "needs a CUDA", "no Python", "natively that needs"))


def render_recommendation_md(rec, verify=None) -> str:
    out = [f"## envcheck recommend `{rec.target}{rec.requested or ''}`", "",
           f"Matrix {rec.matrix_version}; environment {rec.environment_source}.", "",
           "| rank | kind | version | status | disk (GiB) | where |", "|---|---|---|---|---|---|"]
    for p in rec.paths:
        where = p.environment or (p.python or "")
        out.append(f"| {p.rank} | {p.kind} | {p.version} | **{p.status}** | {p.disk_gib if p.disk_gib is not None else '?'} | {where} |")
    for p in rec.paths:
        out += ["", f"### {p.rank}. {p.kind} {p.target} {p.version}: {p.status}", ""]
        if p.blockers:
            out.append("**Blockers**")
            out += [f"- {b}" for b in p.blockers]
            out.append("")
        if p.reasons:
            out.append("**Reasons**")
            out += [f"- {r}" for r in p.reasons]
            out.append("")
        out += ["**Commands**", "", "```bash"] + list(p.commands) + ["```", ""]
        out.append("**Affects**")
        out += [f"- {a}" for a in p.affects]
    if verify is not None:
        out += ["", "### Verify (pip's resolver)", "", verify.summary()]
    if rec.missing_facts:
        out += ["", "### Not known, so not judged", ""] + [f"- {m}" for m in rec.missing_facts]
    if rec.answers:
        out += ["", "### Answers", ""]
        for q, a in rec.answers:
            out += [f"**{q}**", "", a, ""]
    return "\n".join(out).rstrip() + "\n"


def render_explanation(ex, unicode: bool = True) -> str:
    out = [f"{ex.title}  [{ex.code}]", ""]
    out += _wrap("cause: " + ex.cause, "  ")
    for f in ex.facts:
        out += _wrap(f, "  · " if unicode else "  - ")
    if ex.advice:
        out += ["", "  what to do here:"] + [f"    {c}" for c in ex.advice]
    if ex.best is not None:
        p = ex.best
        out += ["", f"  envcheck recommend --target {p.target}: best path #{p.rank} {p.kind} {p.version} ({p.status})"]
        out += [f"    {c}" for c in p.commands]
    return "\n".join(out) + "\n"
