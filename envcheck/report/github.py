"""GitHub Actions workflow commands for the gate: one annotation per failing/warning rule, pointing at the rule's
line in the policy file, plus the Markdown summary for $GITHUB_STEP_SUMMARY.

Format: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
(``::error file=F,line=L,title=T::message``; data escapes % CR LF, properties also ':' and ',').
"""
from __future__ import annotations

import os
from typing import List, Optional

from envcheck.output import append_text, sanitized


def escape_data(s: str) -> str:
    return str(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, file: Optional[str] = None, line: Optional[int] = None,
            title: Optional[str] = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if title:
        props.append(f"title={escape_property(title)}")
    return f"::{kind}{' ' + ','.join(props) if props else ''}::{escape_data(message)}"


@sanitized
def annotations(v) -> List[str]:
    from envcheck.gate.verdict import expired_message

    out = []
    for o in v.outcomes:
        if o.status not in ("fail", "warn"):
            continue
        kind = "error" if o.status == "fail" else "warning"
        body = "\n".join(f"[{p.code}] {p.message}" + "".join(f"\nfix: {c}" for c in p.fix) for p in o.open_problems)
        out.append(command(kind, body, v.policy.path, o.rule.line, f"envcheck gate: {o.rule.id}"))
    for st in v.expired:
        out.append(command("error", expired_message(st), v.policy.path, st.waiver.line,
                           f"envcheck gate: waiver {st.waiver.code} expired"))
    out.append(command("notice", f"envcheck gate {v.status.upper()}: {v.reproduce()}", title="envcheck gate verdict"))
    return out


def append_step_summary(markdown: str, environ=None) -> Optional[str]:
    """Append to $GITHUB_STEP_SUMMARY when it is set; returns the path written, or None."""
    environ = os.environ if environ is None else environ
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return None
    append_text(path, markdown if markdown.endswith("\n") else markdown + "\n", "$GITHUB_STEP_SUMMARY")
    return path
