"""What can be installed: the targets, their releases as the matrix describes them, and the target string.

Every version fact comes from the matrix rows (matrix/<subject>.yaml) and, for what the release rows do not
carry (disk and time estimates, index URLs of packages whose rows have none), from matrix/paths.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from envcheck.errors import InputError
from envcheck.matrix.load import Matrix, Row
from envcheck.matrix.rows import PathsRow
from envcheck.versions import Version, parse

# target name -> (matrix subject, pip distribution, import name)
TARGETS: Dict[str, Tuple[str, str, str]] = {
    "tensorrt-llm": ("tensorrt-llm", "tensorrt-llm", "tensorrt_llm"),
    "vllm": ("vllm", "vllm", "vllm"),
    "sglang": ("sglang", "sglang", "sglang"),
    "tensorrt": ("tensorrt", "tensorrt", "tensorrt"),
    "torch": ("torch", "torch", "torch"),
}
ALIASES = {"tensorrt_llm": "tensorrt-llm", "trtllm": "tensorrt-llm", "trt-llm": "tensorrt-llm",
           "pytorch": "torch", "trt": "tensorrt"}


@dataclass(frozen=True)
class Target:
    name: str
    subject: str
    dist: str
    module: str
    spec: Optional[SpecifierSet]
    text: Optional[str]             # the specifier as given (">=0.15,<1.1", "==1.1.0") or None

    @property
    def in_matrix(self) -> bool:
        """False for any other pip package pinned to one version: the matrix has no rows for it."""
        return self.name in TARGETS


def parse_target(text: str) -> Target:
    raw = (text or "").strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", raw)
    if not m:
        raise InputError(f"--target {text!r}: expected a name such as tensorrt-llm, optionally with a version "
                         f"(tensorrt-llm==0.19.0, 'tensorrt-llm>=0.15,<1.1')")
    name = m.group(1).lower()
    name = ALIASES.get(name, name)
    rest = m.group(2).strip()
    if name not in TARGETS:
        return package_target(text, name, rest)
    spec = None
    if rest:
        try:
            spec = SpecifierSet(rest.replace(" ", ""))
        except InvalidSpecifier:
            if parse(rest) is not None and re.match(r"^\d", rest):
                spec, rest = SpecifierSet(f"=={rest}"), f"=={rest}"
            else:
                raise InputError(f"--target {text!r}: {rest!r} is not a version specifier "
                                 f"(write {name}==1.0.0 or '{name}>=0.15,<1.1')") from None
    subject, dist, module = TARGETS[name]
    return Target(name, subject, dist, module, spec, rest or None)


def package_target(text: str, name: str, rest: str) -> Target:
    """Any other pip package, pinned to one version (NAME==VERSION): the matrix has no rows for it, so only where
    it would go is judged (and `envcheck apply` proves it after installing). Unpinned, or a near-miss of a known
    target's name, it is refused: a typo must not turn into a judgement of nothing."""
    import difflib

    known = ", ".join(TARGETS)
    near = difflib.get_close_matches(name, list(TARGETS) + list(ALIASES), n=1, cutoff=0.75)
    if near:
        right = ALIASES.get(near[0], near[0])
        raise InputError(f"unknown target {name!r}: did you mean {right}? (envcheck recommends {known})")
    pin = re.fullmatch(r"==\s*([0-9A-Za-z.+!_-]+)", rest or "")
    if not pin or parse(pin.group(1)) is None:
        raise InputError(f"unknown target {text.strip()!r}: envcheck recommends one of {known}; any other pip package "
                         f"must be pinned to one version ({name}==1.2.3), and is then judged only on where it goes")
    version = pin.group(1)
    dist = re.sub(r"[-_.]+", "-", name)
    return Target(dist, "", dist, dist.replace("-", "_"), SpecifierSet(f"=={version}"), f"=={version}")


def release_rows(matrix: Matrix, target: Target) -> List[Row]:
    """The target's rows the specifier admits, newest first; InputError naming the versions that exist."""
    rows = matrix.sorted_rows(target.subject)
    if not rows:
        raise InputError(f"the matrix ({matrix.version}) has no rows for {target.name} "
                         f"(matrix/{target.subject}.yaml is missing or empty); add rows with --matrix DIR")
    if target.spec is None:
        return rows
    chosen = [r for r in rows if _admits(target.spec, r.version)]
    if not chosen:
        have = ", ".join(r.version for r in reversed(rows))
        what = "never existed or is not in the matrix" if str(target.spec).startswith("==") else "matches no release"
        raise InputError(f"{target.name}{target.text} {what}; the matrix ({matrix.version}) knows {target.name} "
                         f"{have}")
    return chosen


def _admits(spec: SpecifierSet, version: str) -> bool:
    try:
        return spec.contains(version, prereleases=True)
    except Exception:  # noqa: BLE001 - an unparseable row version is simply not admitted
        return False


def _remembered(matrix, key: tuple, compute):
    """compute(), once per key where the matrix remembers answers (a fleet's, fleet.verdict.fleet_matrix: its rows
    do not change while thousands of nodes are judged); computed each time otherwise."""
    memo = getattr(matrix, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def path_facts(matrix: Matrix, target: str, version: Optional[str] = None) -> Tuple[dict, List[Row]]:
    """Facts from matrix/paths.yaml for a target at a version: every row of that target whose version is <= the
    release (rows apply from their version on), later rows overriding earlier ones."""
    merged, used = _remembered(matrix, ("path_facts", target, version), lambda: _path_facts(matrix, target, version))
    return dict(merged), list(used)


def _path_facts(matrix: Matrix, target: str, version: Optional[str]) -> Tuple[dict, List[Row]]:
    rows = [r for r in matrix.rows("paths") if PathsRow.of(r).target == target]
    rows.sort(key=lambda r: parse(r.version) or Version("0"))
    want = parse(version) if version else None
    merged: dict = {}
    used: List[Row] = []
    for r in rows:
        rv = parse(r.version)
        if want is not None and rv is not None and rv > want:
            continue
        for k, v in r.data.items():
            if k in ("version", "target", "sources", "notes"):
                continue
            if isinstance(v, dict) and isinstance(merged.get(k), dict):
                merged[k] = dict(merged[k], **v)
            else:
                merged[k] = v
        used.append(r)
    return merged, used


def spec_of(value) -> Optional[SpecifierSet]:
    if not value or not isinstance(value, str):
        return None
    try:
        return SpecifierSet(value.replace(" ", ""))
    except InvalidSpecifier:
        return None


def newest_torch_for(matrix: Matrix, spec: Optional[SpecifierSet]) -> Optional[Row]:
    """The torch row pip would pick for a pin (the newest release the specifier admits)."""
    if spec is None:
        return None
    return _remembered(matrix, ("newest_torch_for", str(spec)),
                       lambda: next((r for r in matrix.sorted_rows("torch") if _admits(spec, r.version)), None))


def cu_version(tag) -> Optional[Version]:
    """'cu128' -> 12.8, 'cu130' -> 13.0, '12.8' -> 12.8."""
    if tag is None:
        return None
    s = str(tag).strip().lower()
    m = re.fullmatch(r"cu(\d+)(\d)", s)
    if m:
        return Version(f"{m.group(1)}.{m.group(2)}")
    return parse(s)
