"""The gate's policy file: loading it with the line of every key, and validating it (``file:line: message``).

Schema ``envcheck.policy/1`` (docs/gate.md)::

    schema: envcheck.policy/1
    name: trtllm-serving                     # optional, names the JUnit suite
    rules:                                   # each: rule, then its parameters; id, severity, optional
      - rule: installable
        target: "tensorrt-llm>=0.19,<1.1"
      - {rule: driver, min_version: "570", min_cuda: "12.8"}
    waivers:
      - {code: dind-impossible, reason: "we deploy with the RunPod template", expires: 2026-12-31}

Validation is complete before anything is evaluated: unknown keys and rule names, wrong types, impossible version
ranges and malformed waivers are all exit-2 errors that name the file, the line and the fix.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion
from packaging.version import Version as _PV

from envcheck.documents import BoundedLoader, DocumentError
from envcheck.errors import InputError
from envcheck.recommend.model import KINDS
from envcheck.recommend.targets import ALIASES, TARGETS

SCHEMA_NAME = "envcheck.policy"
SCHEMA_MAJOR = 1
SCHEMA = f"{SCHEMA_NAME}/{SCHEMA_MAJOR}"
SEVERITIES = ("fail", "warn")
TOP_KEYS = ("schema", "name", "description", "rules", "waivers")
COMMON_KEYS = ("rule", "id", "severity", "optional", "description")
POLICY_LIMIT = 1 << 20   # a policy is written by hand; a few KiB in practice
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PolicyError(InputError):
    """A malformed policy: ``file:line: message``, exit 2."""

    def __init__(self, file: str, line: Optional[int], message: str):
        self.file, self.line, self.message = file, line or 1, message
        super().__init__(f"{file}:{line or 1}: {message}")


# ---------------------------------------------------------------------------------------------- YAML with lines
class _Node(dict):
    """A mapping from the policy file that remembers its line and the line of each key."""
    line: int = 1
    key_lines: Dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _PolicyLoader(BoundedLoader):
    """The bounded loader (envcheck.documents: depth, counts, 64-bit integers), plus: the line of every mapping and of every key, and duplicate keys refused.

    The same idea as envcheck.matrix.load.load_yaml_with_lines, which records only a mapping's first line; a policy
    error should point at the key that is wrong. Aliases (`*name`) are refused: nested ones let a few lines
    expand into a tree too large to print (docs/bounds.md)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            raise PolicyError(self.name, self.peek_event().start_mark.line + 1,
                              "YAML aliases (*name) are not accepted in a policy; write the values out")
        return super().compose_node(parent, index)


def _construct(loader, node):
    out = _Node()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in out:
            raise PolicyError(loader.name, line, f"duplicate key {key!r} (first on line {out.key_lines[key]}); "
                                                 "keep one")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


class _Seq(list):
    """A list from the policy file that remembers the line of each item."""
    line: int = 1
    item_lines: List[int]

    def line_at(self, i: int) -> int:
        return self.item_lines[i] if i < len(self.item_lines) else self.line


def _construct_seq(loader, node):
    out = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _timestamp(loader, node):
    """An unquoted date; an impossible one (2027-02-30) is a policy error at its line, not a crash."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise PolicyError(loader.name, node.start_mark.line + 1, f"{node.value!r} is not a date: {exc}") from None


_PolicyLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
# a non-finite number is refused by the rule that reads it, with its key
_PolicyLoader.add_constructor("tag:yaml.org,2002:float", yaml.SafeLoader.construct_yaml_float)
_PolicyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct)
_PolicyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def parse_yaml(text: str, path: str) -> Any:
    try:
        loader = _PolicyLoader(text)
        loader.name = path
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except RecursionError:
        raise PolicyError(path, None, "nested too deeply to be a policy") from None
    except DocumentError as exc:
        deep = exc.message.startswith("nested deeper")
        raise PolicyError(path, 1 if deep else exc.line, "nested too deeply to be a policy" if deep else
                          exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(path, mark.line + 1 if mark else None,
                          f"not valid YAML: {problem} (check indentation and quoting: version ranges such as "
                          f"\">=0.19,<1.1\" need quotes)") from None


# ---------------------------------------------------------------------------------------------- the parsed policy
@dataclass(frozen=True)
class TargetSpec:
    name: str                       # normalized distribution/target name: "tensorrt-llm"
    spec: Optional[SpecifierSet]
    text: str                       # as written: "tensorrt-llm>=0.19,<1.1"

    def contains(self, version: str) -> bool:
        if self.spec is None:
            return True
        return self.spec.contains(str(version), prereleases=True)


@dataclass(frozen=True)
class Rule:
    kind: str
    id: str
    severity: str
    optional: bool
    line: int
    params: Dict[str, Any]
    lines: Dict[str, int] = field(default_factory=dict, compare=False)
    description: Optional[str] = None

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(frozen=True)
class Waiver:
    code: str
    reason: str
    expires: _dt.date
    line: int
    subject: Optional[str] = None
    rule: Optional[str] = None

    def expired(self, today: _dt.date) -> bool:
        return today > self.expires

    def to_dict(self) -> dict:
        d = {"code": self.code, "reason": self.reason, "expires": self.expires.isoformat(), "line": self.line}
        if self.subject:
            d["subject"] = self.subject
        if self.rule:
            d["rule"] = self.rule
        return d


@dataclass(frozen=True)
class Policy:
    path: str
    digest: str                     # sha256 of the file's bytes
    name: str
    rules: Tuple[Rule, ...]
    waivers: Tuple[Waiver, ...]
    description: Optional[str] = None

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"


# ---------------------------------------------------------------------------------------------- value checkers
# Each checker takes (value, where) and returns the normalized value or raises ValueError with the expected shape.
def _bool(v, _ctx):
    if not isinstance(v, bool):
        raise ValueError(f"must be true or false, got {v!r}")
    return v


def _number(v, _ctx):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"must be a number, got {v!r}")
    if not math.isfinite(v):
        raise ValueError(f"must be a finite number, got {v!r}")
    if v < 0:
        raise ValueError(f"must not be negative, got {v!r}")
    return float(v)


def _count(v, _ctx):
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"must be a whole number >= 1, got {v!r}")
    return v


def _text(v, _ctx):
    if isinstance(v, bool) or not isinstance(v, (str, int, float)) or not str(v).strip():
        raise ValueError(f"must be a non-empty string, got {v!r}")
    return str(v).strip()


def _version(v, _ctx):
    if isinstance(v, float):
        raise ValueError(f"must be a quoted string: YAML reads {v!r} as a number (12.10 would become 12.1); "
                         f"write \"{v}\"")
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise ValueError(f"must be a version string such as \"570.133.20\" (quote it), got {v!r}")
    s = str(v).strip()
    if not re.fullmatch(r"\d+(\.\d+)*", s):
        raise ValueError(f"must be a version such as \"12.8\" (digits and dots; quote it), got {v!r}")
    return s


def _date(v, _ctx):
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


def _list_of(check: Callable) -> Callable:
    def inner(v, ctx):
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            v = [v]
        if not isinstance(v, list) or not v:
            raise ValueError(f"must be a non-empty list, got {v!r}")
        return tuple(check(x, ctx) for x in v)
    return inner


def _choice(*choices) -> Callable:
    def inner(v, _ctx):
        if v not in choices:
            raise ValueError(f"must be one of {', '.join(map(str, choices))}; got {v!r}")
        return v
    return inner


def _environments(v, ctx):
    if v == "all":
        return "all"
    return _list_of(_text)(v, ctx)


def _matrix_date(v, ctx):
    s = _text(v, ctx)
    if not DATE.match(s.split("+")[0]):
        raise ValueError(f"must be a matrix version (a date YYYY-MM-DD, quoted), got {v!r}; "
                         "`envcheck matrix show` prints the current one")
    return s


def _cap(v, ctx):
    s = _text(v, ctx).upper()
    return s if s.startswith("CAP_") else "CAP_" + s


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


def _target(v, ctx):
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"must be a string such as \"tensorrt-llm>=0.19,<1.1\" (quote it), got {v!r}")
    name, spec = parse_target_text(v)
    return TargetSpec(name, spec, v.strip())


def _recommend_target(v, ctx):
    t = _target(v, ctx)
    name = ALIASES.get(t.name, t.name)
    if name not in TARGETS:
        raise ValueError(f"{t.text!r}: envcheck can judge installing {', '.join(TARGETS)}; "
                         f"for another package use rule: loadable with an environment")
    return TargetSpec(name, t.spec, t.text)


# rule name -> (required params, optional params, doc); one more check per rule in _post
RULE_SPECS: Dict[str, Tuple[Dict[str, Callable], Dict[str, Callable], str]] = {
    "installable": ({"target": _recommend_target},
                    {"allow_risky": _bool, "kinds": _list_of(_choice(*KINDS)), "or_loadable_in": _text},
                    "the target (a version range) can be installed here, by the same logic as `envcheck recommend`"),
    "loadable": ({"target": _target, "environment": _text}, {"check_native": _bool},
                 "the package is installed in the named environment, in range, and its native libraries resolve"),
    "driver": ({}, {"min_version": _version, "min_cuda": _version},
               "the NVIDIA driver is at least this version / runs at least this CUDA"),
    "gpu": ({}, {"min_compute_capability": _version, "max_compute_capability": _version, "min_memory_gib": _number,
                 "min_count": _count, "names": _list_of(_text)},
            "at least min_count GPUs (default 1) meet every given bound"),
    "disk": ({"path": _text, "min_free_gib": _number}, {},
             "the filesystem holding path has at least min_free_gib free"),
    "native-libs": ({}, {"environments": _environments, "features": _list_of(_text)},
                    "no broken native libraries (native-* and cuda-major-mixed findings) in these environments; "
                    "a library loaded only on demand (an MPI or RDMA bootstrap, NVRTC) counts only when `features` "
                    "names its feature (a word of it: mpi, rdma, nvrtc, ucx, infiniband, gpudirect, ...)"),
    "container": ({}, {"in_container": _bool, "privileged": _bool, "runtime": _list_of(_text),
                       "docker_socket": _bool, "run_as_root": _bool, "seccomp": _list_of(_text),
                       "capabilities_required": _list_of(_cap), "capabilities_forbidden": _list_of(_cap)},
                  "container facts; privileged: false = the stack must work without a privileged container"),
    "matrix": ({}, {"version": _matrix_date, "min_version": _matrix_date},
               "the knowledge the verdict used: pinned to a version, or at least a version"),
    "findings": ({}, {"fail_on": _choice("fail", "warn")},
                 "no finding of `envcheck check` at fail_on or worse (default fail), unless waived"),
    "image-runs": ({}, {"fail_on": _choice("fail", "warn")},
                   "the image given with --image runs on the host (--host FILE): its CUDA vs the driver, "
                   "NVIDIA_REQUIRE_CUDA, forward compatibility"),
}
AT_LEAST_ONE = {"driver", "gpu", "container", "matrix"}


def _did_you_mean(word: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(str(word), list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _rule(path: str, item: Any, index: int, seen_ids: Dict[str, int], item_line: Optional[int] = None) -> Rule:
    if not isinstance(item, _Node):
        raise PolicyError(path, item_line,
                          f"rules[{index}] must be a mapping such as {{rule: driver, min_version: \"570\"}}, "
                          f"got {item!r}")
    line = item.line
    kind = item.get("rule")
    if kind is None:
        raise PolicyError(path, line, f"rules[{index}] has no 'rule:' key; one of: {', '.join(RULE_SPECS)}")
    if kind not in RULE_SPECS:
        raise PolicyError(path, item.line_of("rule"), f"unknown rule {kind!r}{_did_you_mean(kind, RULE_SPECS)}; "
                                                      f"rules are: {', '.join(RULE_SPECS)}")
    required, optional, _doc = RULE_SPECS[kind]
    params: Dict[str, Any] = {}
    for key in item:
        if key in COMMON_KEYS:
            continue
        if key not in required and key not in optional:
            allowed = list(required) + list(optional) + list(COMMON_KEYS)
            raise PolicyError(path, item.line_of(key),
                              f"rule {kind!r}: unknown key {key!r}{_did_you_mean(key, allowed)}; "
                              f"it takes: {', '.join(allowed)}")
        check = required.get(key) or optional[key]
        try:
            params[key] = check(item[key], None)
        except ValueError as exc:
            raise PolicyError(path, item.line_of(key), f"rule {kind!r}: {key} {exc}") from None
    for key in required:
        if key not in params:
            raise PolicyError(path, line, f"rule {kind!r} needs {key!r}"
                                          + (" (such as \"tensorrt-llm>=0.19,<1.1\")" if key == "target" else ""))
    if kind in AT_LEAST_ONE and not params:
        raise PolicyError(path, line, f"rule {kind!r} checks nothing: give at least one of {', '.join(optional)}")
    _post(path, kind, params, item)
    severity = item.get("severity", "fail")
    if severity not in SEVERITIES:
        raise PolicyError(path, item.line_of("severity"), f"severity must be fail or warn, got {severity!r}")
    opt = item.get("optional", False)
    if not isinstance(opt, bool):
        raise PolicyError(path, item.line_of("optional"), f"optional must be true or false, got {opt!r}")
    rid = item.get("id")
    if rid is None:
        rid = _default_id(kind, params)
    elif not isinstance(rid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/-]*", rid):
        raise PolicyError(path, item.line_of("id"), f"id must be a word (letters, digits, . _ - : /), got {rid!r}")
    if rid in seen_ids:
        if "id" in item:
            raise PolicyError(path, item.line_of("id"), f"id {rid!r} is also used on line {seen_ids[rid]}; ids must "
                                                        "be unique")
        n = 2
        while f"{rid}#{n}" in seen_ids:
            n += 1
        rid = f"{rid}#{n}"
    seen_ids[rid] = line
    desc = item.get("description")
    return Rule(kind, rid, severity, opt, line, params, dict(item.key_lines),
                str(desc) if desc is not None else None)


def _post(path: str, kind: str, params: Dict[str, Any], item: _Node) -> None:
    if kind == "matrix" and "version" in params and "min_version" in params:
        raise PolicyError(path, item.line_of("min_version"),
                          "rule 'matrix': give version (a pin) or min_version, not both")
    if kind == "gpu":
        lo, hi = params.get("min_compute_capability"), params.get("max_compute_capability")
        if lo and hi and _PV(lo) > _PV(hi):
            raise PolicyError(path, item.line_of("max_compute_capability"),
                              f"rule 'gpu': max_compute_capability {hi} is below min_compute_capability {lo}")


def _default_id(kind: str, params: Dict[str, Any]) -> str:
    if kind in ("installable", "loadable"):
        base = f"{kind}:{params['target'].text.replace(' ', '')}"
        return base + (f"@{params['environment']}" if kind == "loadable" else "")
    if kind == "disk":
        return f"disk:{params['path']}"
    return kind


def _waiver(path: str, item: Any, index: int, known_codes, item_line: Optional[int] = None) -> Waiver:
    if not isinstance(item, _Node):
        raise PolicyError(path, item_line, f"waivers[{index}] must be a mapping {{code, reason, expires}}, got {item!r}")
    allowed = ("code", "reason", "expires", "subject", "rule")
    for key in item:
        if key not in allowed:
            raise PolicyError(path, item.line_of(key), f"waiver: unknown key {key!r}{_did_you_mean(key, allowed)}; "
                                                       f"a waiver takes: {', '.join(allowed)}")
    for key in ("code", "reason", "expires"):
        if key not in item:
            fix = {"code": "the finding code it waives (`envcheck codes` lists them)",
                   "reason": "why it is acceptable, for the next reader",
                   "expires": "a date YYYY-MM-DD after which the gate fails again"}[key]
            raise PolicyError(path, item.line, f"waiver needs {key!r}: {fix}")
    code = item["code"]
    if not isinstance(code, str) or not code.strip():
        raise PolicyError(path, item.line_of("code"), f"waiver code must be a finding code string, got {code!r}")
    if known_codes is not None and code not in known_codes:
        raise PolicyError(path, item.line_of("code"), f"waiver names unknown finding code {code!r}"
                                                      f"{_did_you_mean(code, known_codes)}; `envcheck codes` lists them")
    reason = item["reason"]
    if not isinstance(reason, str) or len(reason.strip()) < 3:
        raise PolicyError(path, item.line_of("reason"), "waiver reason must say why (a sentence), got "
                                                        f"{reason!r}")
    try:
        expires = _date(item["expires"], None)
    except ValueError as exc:
        raise PolicyError(path, item.line_of("expires"), f"waiver expires {exc}") from None
    subject = item.get("subject")
    rule = item.get("rule")
    for key, val in (("subject", subject), ("rule", rule)):
        if val is not None and (not isinstance(val, str) or not val.strip()):
            raise PolicyError(path, item.line_of(key), f"waiver {key} must be a string, got {val!r}")
    return Waiver(code.strip(), reason.strip(), expires, item.line, subject, rule)


def known_codes() -> Optional[set]:
    """Every registered finding code (findings.CODE_MODULES)."""
    from envcheck.findings import registered_codes

    return set(registered_codes())


def load_policy(path: str, codes: Optional[set] = None) -> Policy:
    """Read and validate a policy file. Raises PolicyError (exit 2, file:line: message)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(POLICY_LIMIT + 1)
    except OSError as exc:
        raise PolicyError(path, None, f"cannot read the policy: {exc.strerror or exc}; "
                                      "`envcheck init-policy` writes a starter one") from None
    if len(raw) > POLICY_LIMIT:
        raise PolicyError(path, None, f"larger than {POLICY_LIMIT >> 20} MiB, the limit for a policy (docs/bounds.md)")
    return parse_policy(raw, path, known_codes() if codes is None else codes)


def parse_policy(raw: bytes, path: str, codes: Optional[set] = None) -> Policy:
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PolicyError(path, line, "not UTF-8 text; save the policy as UTF-8") from None
    doc = parse_yaml(text, path)
    if doc is None:
        raise PolicyError(path, 1, f"the policy is empty; it starts with `schema: {SCHEMA}` and a `rules:` list "
                                   "(`envcheck init-policy` writes one)")
    if not isinstance(doc, _Node):
        raise PolicyError(path, 1, f"expected a mapping with schema: {SCHEMA} and rules:, got {type(doc).__name__}")
    schema = doc.get("schema")
    if schema is None:
        raise PolicyError(path, doc.line, f"missing `schema: {SCHEMA}` (the first line of every policy)")
    if not isinstance(schema, str) or schema.partition("/")[0] != SCHEMA_NAME:
        raise PolicyError(path, doc.line_of("schema"), f"schema must be {SCHEMA!r}, got {schema!r}")
    if schema.partition("/")[2] not in (str(SCHEMA_MAJOR), f"{SCHEMA_MAJOR}.0"):
        raise PolicyError(path, doc.line_of("schema"), f"schema {schema!r} is not supported by this envcheck (it "
                                                       f"reads {SCHEMA!r}, minor 0); upgrade envcheck")
    for key in doc:
        if key not in TOP_KEYS:
            raise PolicyError(path, doc.line_of(key), f"unknown top-level key {key!r}{_did_you_mean(key, TOP_KEYS)}; "
                                                      f"a policy has: {', '.join(TOP_KEYS)}")
    rules_doc = doc.get("rules")
    if not isinstance(rules_doc, list) or not rules_doc:
        raise PolicyError(path, doc.line_of("rules"), "`rules:` must be a non-empty list of rules "
                                                      f"(each `- rule: NAME`; rules are: {', '.join(RULE_SPECS)})")
    seen: Dict[str, int] = {}
    rules = tuple(_rule(path, item, i, seen, _item_line(rules_doc, i)) for i, item in enumerate(rules_doc))
    waivers_doc = doc.get("waivers") or []
    if not isinstance(waivers_doc, list):
        raise PolicyError(path, doc.line_of("waivers"), "`waivers:` must be a list of {code, reason, expires}")
    waivers = tuple(_waiver(path, item, i, codes, _item_line(waivers_doc, i)) for i, item in enumerate(waivers_doc))
    for w in waivers:
        if w.rule is not None and w.rule not in seen:
            raise PolicyError(path, w.line, f"waiver names rule id {w.rule!r}, which no rule has; ids: "
                                            f"{', '.join(seen)}")
    name = doc.get("name")
    if name is not None and not isinstance(name, (str, int, float)):
        raise PolicyError(path, doc.line_of("name"), f"name must be a string, got {name!r}")
    desc = doc.get("description")
    return Policy(path, digest, str(name) if name is not None else _stem(path), rules, waivers,
                  str(desc) if desc is not None else None)


def _item_line(seq, i: int) -> Optional[int]:
    return seq.line_at(i) if isinstance(seq, _Seq) else None


def _stem(path: str) -> str:
    import os

    return os.path.basename(path).rsplit(".", 1)[0] or "policy"
