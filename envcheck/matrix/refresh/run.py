"""`envcheck matrix refresh`: versions to look at, derivation, comparison, and the output directory."""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from envcheck.matrix.load import INDEX, Matrix, load_matrix
from envcheck.matrix.refresh.compare import compare, hand_row, summary
from envcheck.matrix.refresh.derive import Candidate, Deriver
from envcheck.matrix.refresh.http import Http
from envcheck.matrix.refresh.index import Index
from envcheck.output import write_bytes, write_text
from envcheck.versions import parse


@dataclass
class Result:
    candidates: List[Candidate] = field(default_factory=list)   # new versions (written as rows)
    checked: List[Candidate] = field(default_factory=list)      # versions the matrix holds (--existing)
    facts: list = field(default_factory=list)
    seconds: float = 0.0
    bytes_total: int = 0
    bytes_by_kind: Dict[str, int] = field(default_factory=dict)
    requests: int = 0
    no_range_urls: List[str] = field(default_factory=list)


def newest(matrix: Matrix, subject: str) -> Optional[str]:
    rows = matrix.sorted_rows(subject)
    return rows[0].version if rows else None


def refresh(subjects: List[str], index_url: str, since: Optional[str] = None, existing: bool = False,
            only_versions: Optional[List[str]] = None, matrix: Optional[Matrix] = None,
            http: Optional[Http] = None, full_cap: Optional[int] = None, progress=None) -> Result:
    t0 = time.monotonic()
    matrix = matrix or load_matrix(include_user=False)
    http = http or Http(**({"full_cap": full_cap} if full_cap else {}))
    d = Deriver(http, Index(http, index_url))
    res = Result()
    for subject in subjects:
        on_index = d.versions(subject, since)
        top = parse(newest(matrix, subject) or "0")
        for v in on_index:
            if only_versions and v not in only_versions:
                continue
            held = hand_row(matrix, subject, v) is not None
            if held and not existing:
                continue
            if not held and d.yanked(subject, v):
                continue
            if not held and not only_versions and top is not None and parse(v) is not None and parse(v) <= top and not since:
                continue  # an old version the matrix chose not to list (it keeps e.g. the newest patch per minor)
            if progress:
                progress(f"{subject} {v}")
            c = d.derive(subject, v)
            if held:
                res.checked.append(c)
                res.facts.extend(compare(matrix, subject, v, c.row))
            else:
                res.candidates.append(c)
    res.seconds = time.monotonic() - t0
    res.bytes_total = http.counter.total
    res.bytes_by_kind = dict(sorted(http.counter.by_kind.items()))
    res.requests = http.counter.requests
    res.no_range_urls = sorted(http.no_range_urls)
    return res


# -- output -----------------------------------------------------------------------------------------------------
def write(res: Result, base_dir: str, out_dir: str, today: str) -> List[str]:
    """out_dir = a copy of the base matrix + the candidate rows (derived_by: refresh) + report.json; index.yaml's
    version becomes `today` when a row was added. Returns the files written."""
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(base_dir)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(base_dir, name), "rb") as fh:
                write_bytes(os.path.join(out_dir, name), fh.read(), "matrix refresh")
    written = []
    by_subject: Dict[str, List[Candidate]] = {}
    for c in res.candidates:
        if c.error is None and (c.row or c.sources):
            by_subject.setdefault(c.subject, []).append(c)
    for subject, cands in sorted(by_subject.items()):
        path = os.path.join(out_dir, f"{subject}.yaml")
        text = open(path, encoding="utf-8").read() if os.path.isfile(path) else f"schema: envcheck.matrix.{subject}/1\nrows:\n"
        indent = _item_indent(text)
        block = "".join(_row_yaml(c.as_row(), indent) for c in cands)
        if not text.endswith("\n"):
            text += "\n"
        write_text(path, text + block, "matrix refresh")
        written.append(path)
    if by_subject:
        idx = os.path.join(out_dir, INDEX)
        text = open(idx, encoding="utf-8").read()
        text = re.sub(r'(?m)^version:\s*"?[^"\n#]*"?', f'version: "{today}"', text, count=1)
        write_text(idx, text, "matrix refresh")
        written.append(idx)
    rep = os.path.join(out_dir, "refresh-report.json")
    write_text(rep, json.dumps(report(res), indent=2, sort_keys=True) + "\n", "matrix refresh")
    written.append(rep)
    return written


def _item_indent(text: str) -> str:
    m = re.search(r"(?m)^( *)- version:", text)
    return m.group(1) if m else "  "


def _row_yaml(row: dict, indent: str) -> str:
    """One row as the hand-written files write it: plain keys, every string double-quoted ("0.99.0", never a bare
    0.99.0), lists and mappings in flow style, `sources` one per line. JSON scalars are valid YAML."""
    def flow(v):
        return json.dumps(v, ensure_ascii=False, sort_keys=False)
    lines = []
    for i, (k, v) in enumerate(row.items()):
        lead = indent + ("- " if i == 0 else "  ")
        if k == "sources" and isinstance(v, list):
            lines.append(f"{lead}sources:")
            lines.extend(f"{indent}    - {flow(x)}" for x in v)
        else:
            lines.append(f"{lead}{k}: {flow(v)}")
    return "\n".join(lines) + "\n"


def report(res: Result) -> dict:
    agree, total, per = summary(res.facts)

    def cand(c: Candidate) -> dict:
        size = sum(c.touched.values())
        return {"subject": c.subject, "version": c.version, "row": c.row, "error": c.error, "sources": c.sources,
                "bytes_fetched": c.fetched, "files_read": c.touched, "bytes_of_files_read": size,
                "fraction": (c.fetched / size) if size else None, "notes": c.notes}

    return {
        "agreement": {"agree": agree, "facts": total, "rate": (agree / total) if total else None,
                      "per_subject": {k: {"agree": a, "facts": n} for k, (a, n) in sorted(per.items())}},
        "disagreements": [{"subject": f.subject, "version": f.version, "key": f.key, "hand": f.hand,
                           "derived": f.derived, "row": f.ref} for f in res.facts if not f.agree],
        "new": [cand(c) for c in res.candidates],
        "checked": [cand(c) for c in res.checked],
        "seconds": round(res.seconds, 2), "bytes_total": res.bytes_total, "bytes_by_kind": res.bytes_by_kind,
        "requests": res.requests, "servers_without_ranges": res.no_range_urls,
    }


def today_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
