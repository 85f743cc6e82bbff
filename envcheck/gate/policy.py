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

import hashlib
import math
import re
from typing import Any, Dict, List, Optional

import yaml

from envcheck.documents import BoundedLoader, DocumentError, LinedDict
from envcheck.gate.records import Policy, PolicyError, Rule, Waiver
from envcheck.gate.table import RULES
from envcheck.gate.values import date

SCHEMA_NAME = "envcheck.policy"
SCHEMA_MAJOR = 1
SCHEMA = f"{SCHEMA_NAME}/{SCHEMA_MAJOR}"
SEVERITIES = ("fail", "warn")
TOP_KEYS = ("schema", "name", "description", "rules", "waivers")
COMMON_KEYS = ("rule", "id", "severity", "optional", "description")
POLICY_LIMIT = 1 << 20   # a policy is written by hand; a few KiB in practice


# ---------------------------------------------------------------------------------------------- YAML with lines
class _PolicyLoader(BoundedLoader):
    """The bounded loader (envcheck.documents: depth, counts, 64-bit integers; mappings as LinedDict, with the line
    of every key, and duplicate keys refused), plus: the line of every list item, and dates checked.

    The same idea as envcheck.matrix.load.load_yaml_with_lines, which records only a mapping's first line; a policy
    error should point at the key that is wrong. Aliases (`*name`) are refused: nested ones let a few lines
    expand into a tree too large to print (docs/bounds.md)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            raise PolicyError(self.name, self.peek_event().start_mark.line + 1,
                              "YAML aliases (*name) are not accepted in a policy; write the values out")
        return super().compose_node(parent, index)


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


# ---------------------------------------------------------------------------------------------- validating
def _did_you_mean(word: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(str(word), list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _rule(path: str, item: Any, index: int, seen_ids: Dict[str, int], item_line: Optional[int] = None) -> Rule:
    if not isinstance(item, LinedDict):
        raise PolicyError(path, item_line,
                          f"rules[{index}] must be a mapping such as {{rule: driver, min_version: \"570\"}}, "
                          f"got {item!r}")
    line = item.line
    kind = item.get("rule")
    if kind is None:
        raise PolicyError(path, line, f"rules[{index}] has no 'rule:' key; one of: {', '.join(RULES)}")
    if not isinstance(kind, str):
        got = "a mapping" if isinstance(kind, dict) else "a list" if isinstance(kind, list) else repr(kind)
        raise PolicyError(path, item.line_of("rule"), f"rules[{index}]: 'rule:' must be a name, one of: "
                                                      f"{', '.join(RULES)}; got {got}")
    if kind not in RULES:
        raise PolicyError(path, item.line_of("rule"), f"unknown rule {kind!r}{_did_you_mean(kind, RULES)}; "
                                                      f"rules are: {', '.join(RULES)}")
    spec = RULES[kind]
    params: Dict[str, Any] = {}
    for key in item:
        if key in COMMON_KEYS:
            continue
        if key not in spec.keys:
            allowed = list(spec.keys) + list(COMMON_KEYS)
            raise PolicyError(path, item.line_of(key),
                              f"rule {kind!r}: unknown key {key!r}{_did_you_mean(key, allowed)}; "
                              f"it takes: {', '.join(allowed)}")
        check = spec.required.get(key) or spec.optional[key]
        try:
            params[key] = check(item[key], None)
        except ValueError as exc:
            raise PolicyError(path, item.line_of(key), f"rule {kind!r}: {key} {exc}") from None
    for key in spec.required:
        if key not in params:
            raise PolicyError(path, line, f"rule {kind!r} needs {key!r}"
                                          + (" (such as \"tensorrt-llm>=0.19,<1.1\")" if key == "target" else ""))
    if spec.at_least_one and not params:
        raise PolicyError(path, line, f"rule {kind!r} checks nothing: give at least one of {', '.join(spec.optional)}")
    clash = spec.clash(params) if spec.clash else None
    if clash:
        raise PolicyError(path, item.line_of(clash[0]), clash[1])
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


def _default_id(kind: str, params: Dict[str, Any]) -> str:
    if kind in ("installable", "loadable"):
        base = f"{kind}:{params['target'].text.replace(' ', '')}"
        return base + (f"@{params['environment']}" if kind == "loadable" else "")
    if kind == "disk":
        return f"disk:{params['path']}"
    return kind


def _waiver(path: str, item: Any, index: int, known_codes, item_line: Optional[int] = None) -> Waiver:
    if not isinstance(item, LinedDict):
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
        expires = date(item["expires"], None)
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
    if not isinstance(doc, LinedDict):
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
                                                      f"(each `- rule: NAME`; rules are: {', '.join(RULES)})")
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
    if name is not None and (not isinstance(name, (str, int, float)) or isinstance(name, bool) or
                             (isinstance(name, float) and not math.isfinite(name))):
        raise PolicyError(path, doc.line_of("name"), f"name must be a string, got {name!r}")
    desc = doc.get("description")
    if desc is not None and not isinstance(desc, str):
        raise PolicyError(path, doc.line_of("description"), f"description must be a string, got {desc!r}")
    return Policy(path, digest, str(name) if name is not None else _stem(path), rules, waivers,
                  str(desc) if desc is not None else None)


def _item_line(seq, i: int) -> Optional[int]:
    return seq.line_at(i) if isinstance(seq, _Seq) else None


def _stem(path: str) -> str:
    import os

    return os.path.basename(path).rsplit(".", 1)[0] or "policy"
