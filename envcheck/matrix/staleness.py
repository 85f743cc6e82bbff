"""How old the matrix is, seen from one scan: "matrix 2026-11-25, N days old; newer releases exist: ...".

Pure: the age is counted to the scan's own timestamp (meta.scanned_at), not to the clock, so a saved
environment document renders the same footer forever; "newer" means an installed distribution of a subject the
matrix tracks whose version is above the newest row of that subject.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import List, Optional, Tuple

from envcheck.matrix.load import Matrix
from envcheck.versions import parse

TRACKED = {"torch": "torch", "vllm": "vllm", "sglang": "sglang", "tensorrt-llm": "tensorrt-llm",
           "tensorrt": "tensorrt", "tensorrt-cu12": "tensorrt", "tensorrt-cu13": "tensorrt"}
STALE_DAYS = 30


def _date(text) -> Optional[_dt.date]:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(text or ""))
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def newer_installed(env, matrix: Matrix) -> List[Tuple[str, str, str, str]]:
    """(distribution, installed version, newest the matrix knows, where installed), sorted, one per distribution."""
    out = {}
    for py in env.pythons or ():
        for name, ver in sorted((py.packages or {}).items()):
            subject = TRACKED.get(name)
            if subject is None:
                continue
            rows = matrix.sorted_rows(subject)
            if not rows:
                continue
            top = parse(rows[0].version)
            text = str(ver)
            if not re.fullmatch(r"[0-9A-Za-z.+!_-]{1,64}", text):  # never echo junk from the environment
                continue
            iv = parse(text.split("+")[0])
            if top is not None and iv is not None and iv > top and name not in out:
                out[name] = (name, str(ver), str(top), py.path)
    return [out[k] for k in sorted(out)]


def footer(env, matrix: Matrix) -> Optional[str]:
    """The staleness line, or None when the scan time or the matrix date is unknown and nothing newer is seen."""
    made = _date(matrix.version)
    seen = _date(env.meta.scanned_at) if getattr(env, "meta", None) else None
    newer = newer_installed(env, matrix)
    if made is None or (seen is None and not newer):
        return None
    text = f"matrix {matrix.version.split('+')[0]}"
    if seen is not None:
        days = (seen - made).days
        text += f", {days} days old" if days >= 0 else f", newer than the scan ({seen.isoformat()})"
    if newer:
        text += "; newer releases exist: " + ", ".join(f"{n} {v} (matrix knows up to {t})" for n, v, t, _ in newer)
        text += "; envcheck matrix update"
    elif seen is not None and (seen - made).days > STALE_DAYS:
        text += "; envcheck matrix update"
    return text
