"""The policy's value checkers: each takes (value, where) and returns the normalized value, or raises ValueError
saying the expected shape (the loader adds the file, the line and the key).
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Callable, List, Optional, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion
from packaging.version import Version as _PV

from envcheck.gate.records import TargetSpec
from envcheck.recommend.targets import ALIASES, TARGETS

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# a driver (580.95.05), a CUDA (12.8) or a compute capability (9.0) has parts of at most 3 digits; 5 leaves room
VERSION_PARTS, VERSION_DIGITS = 4, 5


def boolean(v, _ctx):
    if not isinstance(v, bool):
        raise ValueError(f"must be true or false, got {v!r}")
    return v


def number(v, _ctx):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"must be a number, got {v!r}")
    if not math.isfinite(v):
        raise ValueError(f"must be a finite number, got {v!r}")
    if v < 0:
        raise ValueError(f"must not be negative, got {v!r}")
    return float(v)


def count(v, _ctx):
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"must be a whole number >= 1, got {v!r}")
    return v


def text(v, _ctx):
    if isinstance(v, bool) or not isinstance(v, (str, int, float)) or not str(v).strip():
        raise ValueError(f"must be a non-empty string, got {_short(v)}")
    return str(v).strip()


def word(v, _ctx):
    """A name the scan records as text (a container runtime): a string, not a number YAML read."""
    if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", v.strip()):
        raise ValueError(f"must be a name such as \"docker\" (letters, digits, . _ -), got {_short(v)}")
    return v.strip()


def version(v, _ctx):
    if isinstance(v, float):
        raise ValueError(f"must be a quoted string: YAML reads {v!r} as a number (12.10 would become 12.1); "
                         f"write \"{v}\"")
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise ValueError(f"must be a version string such as \"570.133.20\" (quote it), got {v!r}")
    s = str(v).strip()
    if not re.fullmatch(r"\d+(\.\d+)*", s):
        raise ValueError(f"must be a version such as \"12.8\" (digits and dots; quote it), got {_short(v)}")
    parts = s.split(".")
    if len(parts) > VERSION_PARTS or any(len(p) > VERSION_DIGITS for p in parts):
        raise ValueError(f"must be a plausible version (at most {VERSION_PARTS} parts of at most {VERSION_DIGITS} "
                         f"digits, such as \"570.133.20\"), got {_short(v)}")
    return s


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def date(v, _ctx):
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str) and DATE.match(v.strip()):
        try:
            return _dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise ValueError(f"must be a date YYYY-MM-DD, got {v!r}")


def list_of(check: Callable) -> Callable:
    def inner(v, ctx):
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            v = [v]
        if not isinstance(v, list) or not v:
            raise ValueError(f"must be a non-empty list, got {v!r}")
        return tuple(check(x, ctx) for x in v)
    return inner


def choice(*choices) -> Callable:
    def inner(v, _ctx):
        if isinstance(v, bool) or v not in choices:
            raise ValueError(f"must be one of {', '.join(map(str, choices))}; got {_short(v)}")
        return v
    return inner


def environments(v, ctx):
    if v == "all":
        return "all"
    return list_of(text)(v, ctx)


def matrix_date(v, ctx):
    s = text(v, ctx)
    if not DATE.match(s.split("+")[0]):
        raise ValueError(f"must be a matrix version (a date YYYY-MM-DD, quoted), got {v!r}; "
                         "`envcheck matrix show` prints the current one")
    return s


def capability(v, ctx):
    from envcheck.probes.container import CAPABILITIES

    if not isinstance(v, str):
        raise ValueError(f"must be a capability name such as SYS_ADMIN or CAP_SYS_ADMIN, got {_short(v)}")
    s = v.strip().upper()
    s = s if s.startswith("CAP_") else "CAP_" + s
    if s not in CAPABILITIES:
        raise ValueError(f"{_short(v)} is not a Linux capability (linux/capability.h: CAP_SYS_ADMIN, "
                         "CAP_NET_ADMIN, ...)")
    return s


def parse_target_text(text: str) -> Tuple[str, Optional[SpecifierSet]]:
    """'tensorrt-llm>=0.19,<1.1' -> ('tensorrt-llm', SpecifierSet('<1.1,>=0.19')). ValueError with the fix."""
    m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", text)
    if not m:
        raise ValueError(f"must be a package name with an optional version range, such as "
                         f"\"tensorrt-llm>=0.19,<1.1\" or \"torch==2.7.*\"; got {text!r}")
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    rest = m.group(2).strip()
    if not rest:
        return name, None
    if rest[0] not in "<>=!~":
        raise ValueError(f"{text!r}: after the name comes a version range such as >=0.19,<1.1 or ==2.7.*")
    try:
        spec = SpecifierSet(rest)
    except InvalidSpecifier:
        raise ValueError(f"{text!r}: {rest!r} is not a valid version range (PEP 440: \">=0.19,<1.1\", "
                         f"\"==2.7.*\", \"~=1.0\")") from None
    why = impossible(spec)
    if why:
        raise ValueError(f"{text!r} can never match: {why}")
    return name, spec


def _bounds_key(s: str):
    try:
        return _PV(s)
    except InvalidVersion:
        return None


def impossible(spec: SpecifierSet) -> Optional[str]:
    """Why a specifier set excludes every version (a lower bound above an upper one), or None."""
    lower: Optional[Tuple[_PV, bool, str]] = None     # (version, inclusive, text)
    upper: Optional[Tuple[_PV, bool, str]] = None
    exact: List[Tuple[_PV, str]] = []

    def raise_lower(v, inc, t):
        nonlocal lower
        if lower is None or v > lower[0] or (v == lower[0] and not inc):
            lower = (v, inc, t)

    def lower_upper(v, inc, t):
        nonlocal upper
        if upper is None or v < upper[0] or (v == upper[0] and not inc):
            upper = (v, inc, t)

    for s in spec:
        op, ver = s.operator, s.version
        if ver.endswith(".*"):
            base = _bounds_key(ver[:-2])
            if base is None:
                continue
            if op == "==":
                rel = list(base.release)
                nxt = _PV(".".join(map(str, rel[:-1] + [rel[-1] + 1])))
                raise_lower(base, True, str(s))
                lower_upper(nxt, False, str(s))
            continue
        v = _bounds_key(ver)
        if v is None:
            continue
        if op in (">=",):
            raise_lower(v, True, str(s))
        elif op == ">":
            raise_lower(v, False, str(s))
        elif op == "<=":
            lower_upper(v, True, str(s))
        elif op == "<":
            lower_upper(v, False, str(s))
        elif op in ("==", "==="):
            exact.append((v, str(s)))
            raise_lower(v, True, str(s))
            lower_upper(v, True, str(s))
        elif op == "~=":
            rel = list(v.release)
            raise_lower(v, True, str(s))
            if len(rel) >= 2:
                lower_upper(_PV(".".join(map(str, rel[:-2] + [rel[-2] + 1]))), False, str(s))
    if len({str(v) for v, _ in exact}) > 1:
        return f"{' and '.join(t for _, t in exact)} ask for two different versions"
    if lower and upper:
        if lower[0] > upper[0] or (lower[0] == upper[0] and not (lower[1] and upper[1])):
            return f"{lower[2]} is above {upper[2]}"
    for s in spec:
        if s.operator == "!=" and exact and _bounds_key(s.version) == exact[0][0]:
            return f"{exact[0][1]} and {s} exclude each other"
    return None


def target(v, ctx):
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"must be a string such as \"tensorrt-llm>=0.19,<1.1\" (quote it), got {v!r}")
    name, spec = parse_target_text(v)
    return TargetSpec(name, spec, v.strip())


def recommend_target(v, ctx):
    t = target(v, ctx)
    name = ALIASES.get(t.name, t.name)
    if name not in TARGETS:
        raise ValueError(f"{t.text!r}: envcheck can judge installing {', '.join(TARGETS)}; "
                         f"for another package use rule: loadable with an environment")
    return TargetSpec(name, t.spec, t.text)
