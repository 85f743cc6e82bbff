"""Rendering a Recommendation (and an explain result): short ranked human text, and Markdown for an issue."""
from __future__ import annotations

import textwrap
from typing import List

from envcheck.output import sanitized
from envcheck.recommend.model import BLOCKED, RISKY

MARK_U = {"ok": "✓", "risky": "!", "blocked": "✗"}
MARK_A = {"ok": "ok", "risky": "!!", "blocked": "XX"}


def _wrap(text: str, indent: str, width: int = 110) -> List[str]:
    """Wrap at spaces only: a command, a file:line citation or a --flag is never split."""
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _item(text: str, mark: str, width: int = 110) -> List[str]:
    """A bullet: the mark on the first line only, the rest indented under the text."""
    return textwrap.wrap(text, width=width, initial_indent=mark, subsequent_indent=" " * len(mark),
                         break_long_words=False, break_on_hyphens=False) or [mark]


def _where(p) -> str:
    if p.kind == "wheel":
        return f"into {p.environment}" if p.environment else (f"fresh venv, {p.python}" if p.python else "fresh venv")
    if p.kind == "image":
        img = next((r.split()[1] for r in p.reasons if r.startswith("image ") and len(r.split()) > 1), "")
        how = f"; {p.judged_from.split(' (')[0]}" if p.judged_from else ""
        return f"as the pod's/machine's own image{', ' + img if img else ''}{how}"
    if p.kind == "source":
        return "built on this machine"
    if p.kind == "driver":
        return "the host (its kernel driver)"
    return ""


def _as_comment(cmd: str) -> str:
    return cmd if cmd.lstrip().startswith("#") else "# " + cmd


def _blocked_lines(p, indent: str) -> List[str]:
    """A blocked path's commands are not to be run here: shown as comments, after a line that says why."""
    out = [f"{indent}blocked, so nothing here is to be run on this machine; what it would take, as comments:"]
    out += [f"{indent}  {_as_comment(c)}" for c in p.commands]
    return out


def _head(p) -> str:
    where = _where(p) if p.kind == "wheel" else ""
    if p.kind == "image" and p.judged_from:
        where = p.judged_from.split(" (")[0]     # read from the image's files | judged from the matrix alone
    disk = f"~{p.disk_gib:g} GiB" if p.disk_gib else ""
    return f"{p.kind:<6} {p.target} {p.version}  {', '.join(x for x in (where, disk) if x)}".rstrip()


@sanitized
def render_recommendation(rec, unicode: bool = True, verify=None, verbose: bool = False) -> str:
    mk = MARK_U if unicode else MARK_A
    out = [f"envcheck recommend {rec.target}{rec.requested or ''} · matrix {rec.matrix_version} · {rec.environment_source}",
           ""]
    if rec.fit:
        out += _wrap("model: " + rec.fit["line"], "  ") + [""]
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
            shown = {first}
            if p.status == RISKY and p.risks and p.risks[0] not in shown:
                # a risky path says why it is risky, even when its first line is what it is (an image, a venv)
                out += _wrap(_cut("risky: " + p.risks[0], 300), "       ")
                shown.add(p.risks[0])
            if p.status != BLOCKED:
                # what the matrix does not know, and what a GPU build would need, are said even in the short view
                for r in p.reasons:
                    if r not in shown and (_unknown_reason(r) or r.startswith(GPU_BUILD_NEEDS)):
                        out += _wrap(_cut(r, 200), "       ")
        if p.status == BLOCKED:
            if verbose and p.commands:
                out += _blocked_lines(p, "       ")
        elif not best_shown or verbose:
            out.append("       run:")
            out += [f"         {c}" for c in p.commands]
            best_shown = True
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
    if not verbose:
        out.append("  -v for every reason and the answers to the usual questions; --markdown for an issue; --json for machines")
    else:
        out.append("  --markdown for an issue; --json for machines")
    return "\n".join(out) + "\n"


DECISIVE = ("needs driver", "forward compatibility", "minor-version compatibility", "natively", "not among",
            "less than", "not in the matrix", "unknown", "Docker")


def _clauses(text: str, sep: str) -> List[str]:
    """Split at `sep` outside parentheses."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(sep, i):
            out.append(text[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    out.append(text[start:])
    return [c for c in out if c]


def _cut(text: str, n: int) -> str:
    """Shorten to about n characters at clause boundaries ('; ', then ', '), never inside a clause, and never
    dropping the first clause or one that carries the deciding fact (a driver need, a compatibility route, ...)."""
    if len(text) <= n:
        return text
    if "; limits: " in text:        # the limits of a compatibility route are detail: -v shows them
        return _cut(text.split("; limits: ", 1)[0], n).replace(" (-v: all)", "") + "; limits: [...] (-v: all)"
    for sep in ("; ", ", "):
        parts = _clauses(text, sep)
        if len(parts) < 2:
            continue
        keep = [0] + [i for i, c in enumerate(parts) if i and any(k in c for k in DECISIVE)]
        size = sum(len(parts[i]) + len(sep) for i in keep)
        for i in range(1, len(parts)):
            if i not in keep and size + len(parts[i]) + len(sep) <= n:
                keep.append(i)
                size += len(parts[i]) + len(sep)
        keep.sort()
        if len(keep) == len(parts):
            return text
        out = ""
        for j, i in enumerate(keep):
            if j:
                out += sep if i == keep[j - 1] + 1 else sep + "[...]" + sep
            out += parts[i]
        if keep[-1] != len(parts) - 1:
            out += sep + "[...]"
        return out + " (-v: all)"
    return text


GPU_BUILD_NEEDS = "a GPU build "     # recommend/cpu.py: the CPU build's line saying what a GPU build needs


def _unknown_reason(r: str) -> bool:
    return "not in the matrix" in r or "is unknown" in r or "minor version is not" in r


def _key_reason(r: str) -> bool:
    return any(k in r for k in ("built with", "a fresh venv", "into the existing", "not into", "image ", "build time",
                                "needs a CUDA", "no Python", "natively that needs", "CPU build"))


@sanitized
def render_recommendation_md(rec, verify=None) -> str:
    out = [f"## envcheck recommend `{rec.target}{rec.requested or ''}`", "",
           f"Matrix {rec.matrix_version}; environment {rec.environment_source}.", "",
           *([f"Model: {rec.fit['line']}", ""] if rec.fit else []),
           "| rank | kind | version | status | disk (GiB) | where |", "|---|---|---|---|---|---|"]
    for p in rec.paths:
        where = _where(p)
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
        if p.status == BLOCKED:
            out += ["**What it would take** (blocked: not to run here, shown as comments)", "", "```bash"]
            out += [_as_comment(c) for c in p.commands] + ["```", ""]
        else:
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


CONFIDENCE_WORDS = {"medium": "the likeliest of the causes this message has; the commands below tell them apart",
                    "low": "the message and the facts here say little or disagree: check before acting"}


@sanitized
def render_explanation(ex, unicode: bool = True, lead: str = "") -> str:
    out = [f"{lead}{ex.title}  [{ex.code}]", ""]
    out += _wrap("cause: " + ex.cause, "  ")
    conf = getattr(ex, "confidence", "high")
    if conf != "high":
        out += _wrap(f"confidence: {conf} ({CONFIDENCE_WORDS.get(conf, '')})", "  ")
    for f in ex.facts:
        out += _item(f, "  · " if unicode else "  - ")
    if ex.advice:
        out += ["", "  what to do here (commands):"] + [f"    {c}" for c in ex.advice]
    if getattr(ex, "actions", ()):
        out += ["", "  and (not commands):"]
        for a in ex.actions:
            out += _item(a, "    - ")
    if ex.best is not None:
        p = ex.best
        if p.status == BLOCKED:
            out += ["", f"  envcheck recommend --target {p.target}: no install path works here"]
            for b in p.blockers:
                out += textwrap.wrap(b, width=110, initial_indent="    - ", subsequent_indent="      ",
                                     break_long_words=False, break_on_hyphens=False)
        else:
            out += ["", f"  envcheck recommend --target {p.target}: best path #{p.rank} {p.kind} {p.version} ({p.status})"]
            out += [f"    {c}" for c in p.commands]
    return "\n".join(out) + "\n"
