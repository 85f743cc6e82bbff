"""Agreement of derived rows with the hand-written matrix: fact by fact, with every disagreement listed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from envcheck.matrix.load import Matrix, Row
from envcheck.versions import parse

# the keys refresh can derive, per subject (pypi of tensorrt-llm is compared key by key)
COMPARED = {
    "torch": ("default_cuda", "python"),
    "vllm": ("torch", "cuda", "python", "released"),
    "sglang": ("torch", "cuda", "python", "released"),
    "tensorrt": ("cuda", "python", "pypi"),
    "tensorrt-llm": ("tensorrt", "torch", "python", "index", "index_url", "released", "pypi.sdist", "pypi.bytes",
                     "pypi.build_backend", "pypi.stub_only"),
}


@dataclass(frozen=True)
class Fact:
    subject: str
    version: str
    key: str
    hand: object
    derived: object
    agree: bool
    ref: str


def hand_row(matrix: Matrix, subject: str, version: str) -> Optional[Row]:
    r = matrix.row(subject, version)
    if r is not None or subject != "tensorrt":
        return r
    pv = parse(version)  # tensorrt rows name '10.0.1' for the PyPI '10.0.1.6'
    for row in matrix.rows(subject):
        rv = parse(row.version)
        if pv and rv and pv.release[:len(rv.release)] == rv.release and len(rv.release) >= 3:
            return row
    return None


def _get(data: dict, key: str):
    cur = data
    for part in key.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def same(key: str, a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if key == "torch":
        try:
            return SpecifierSet(str(a)) == SpecifierSet(str(b))
        except InvalidSpecifier:
            return False
    if key == "tensorrt":
        pa, pb = parse(str(a)), parse(str(b))
        return bool(pa and pb and pa.release[:3] == pb.release[:3])
    if key == "cuda" and isinstance(b, str) and b.isdigit():     # refresh read only the major (libcudart.so.N)
        pa = parse(str(a))
        return bool(pa) and str(pa.major) == b
    if key in ("index_url",):
        return str(a).rstrip("/") == str(b).rstrip("/")
    return str(a) == str(b)


def compare(matrix: Matrix, subject: str, version: str, derived: Dict) -> List[Fact]:
    row = hand_row(matrix, subject, version)
    if row is None:
        return []
    out = []
    for key in COMPARED.get(subject, ()):
        h, d = _get(row.data, key), _get(derived, key)
        if h is None or d is None:
            continue
        out.append(Fact(subject, version, key, h, d, same(key.split(".")[-1], h, d), row.ref()))
    return out


def summary(facts: List[Fact]) -> Tuple[int, int, Dict[str, Tuple[int, int]]]:
    per: Dict[str, Tuple[int, int]] = {}
    for f in facts:
        a, n = per.get(f.subject, (0, 0))
        per[f.subject] = (a + f.agree, n + 1)
    return sum(f.agree for f in facts), len(facts), per
