"""Finding a GPU's row in the matrix's gpus subject by the name a driver, a user or a datasheet gives it."""
from __future__ import annotations

from typing import List, Optional


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("nvidia", " ").replace("geforce", " ").split())


def find_gpu(name: str, rows: List[dict]) -> Optional[dict]:
    """Exact name or alias first (case and 'NVIDIA'/'GeForce' insensitive), then a unique substring match."""
    want = _norm(name)
    for row in rows:
        names = [row.get("name", "")] + list(row.get("aliases") or [])
        if any(_norm(n) == want for n in names if n):
            return row
    hits = [r for r in rows if want and (want in _norm(r.get("name", "")) or _norm(r.get("name", "")) in want)]
    return hits[0] if len(hits) == 1 else None
