"""Kubernetes label syntax (pure), from the API's rules for labels ("Labels and Selectors", syntax and character
set; apimachinery validation IsQualifiedName / IsValidLabelValue):

- a key is an optional prefix and a name separated by '/';
- the name: 1-63 characters, [A-Za-z0-9] at both ends, [-_.A-Za-z0-9] between;
- the prefix: a DNS subdomain (RFC 1123): at most 253 characters, dot-separated lower-case labels of [a-z0-9-]
  that begin and end with [a-z0-9];
- a value: empty, or 1-63 characters with the name's character rules.

NFD's local feature files (features.d) take one `<prefix>/<name>[=<value>]` a line, `#` comments, directives such as
`# +expiry-time=<RFC 3339>`, and at most 64 KiB per file (node-feature-discovery docs/usage/customization-guide.md,
"Local feature source").
"""
from __future__ import annotations

import re
from typing import List, Optional

_NAME = re.compile(r"^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
NAME_MAX, PREFIX_MAX, VALUE_MAX = 63, 253, 63
NFD_FILE_MAX = 64 * 1024
NFD_FEATURES_D = "/etc/kubernetes/node-feature-discovery/features.d"
DEFAULT_PREFIX = "feature.node.kubernetes.io/envcheck-"


def key_problems(key: str) -> List[str]:
    prefix, sep, name = key.rpartition("/")
    out = []
    if sep:
        out += prefix_problems(prefix)
    if not name:
        out.append(f"{key!r}: empty name")
    elif len(name) > NAME_MAX:
        out.append(f"{key!r}: name {name!r} is {len(name)} characters (at most {NAME_MAX})")
    elif not _NAME.match(name):
        out.append(f"{key!r}: name {name!r} must begin and end with [A-Za-z0-9] and hold only [-_.A-Za-z0-9]")
    return out


def prefix_problems(prefix: str) -> List[str]:
    if not prefix:
        return ["empty prefix before '/'"]
    if len(prefix) > PREFIX_MAX:
        return [f"prefix {prefix!r} is {len(prefix)} characters (at most {PREFIX_MAX})"]
    bad = [p for p in prefix.split(".") if not _DNS_LABEL.match(p) or len(p) > 63]
    if bad:
        return [f"prefix {prefix!r} is not a DNS subdomain (lower-case [a-z0-9-] labels, no leading/trailing '-'): "
                f"{bad[0]!r}"]
    return []


def value_problems(value: str) -> List[str]:
    if value == "":
        return []
    if len(value) > VALUE_MAX:
        return [f"value {value!r} is {len(value)} characters (at most {VALUE_MAX})"]
    if not _NAME.match(value):
        return [f"value {value!r} must begin and end with [A-Za-z0-9] and hold only [-_.A-Za-z0-9]"]
    return []


def label_problems(key: str, value: str) -> List[str]:
    return key_problems(key) + value_problems(value)


def sanitize_value(text: Optional[str]) -> str:
    """Any text as a valid label value: runs of other characters become '-', trimmed to 63, ends alphanumeric."""
    s = re.sub(r"[^-_.A-Za-z0-9]+", "-", str(text or ""))[:VALUE_MAX]
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", s)


def parse_feature_file(text: str) -> dict:
    """An NFD feature file as {key: value} (comments and directives skipped; a bare key means 'true')."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        k, sep, v = line.partition("=")
        out[k] = v if sep else "true"
    return out
