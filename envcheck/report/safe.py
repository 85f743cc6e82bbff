"""What a report may put on a terminal, in a file or in a CI log: text without control characters.

Strings in a report come from the environment (a path, a package version, an os-release line, a pyvenv.cfg, a
`--env` file someone else wrote). A hostile one can carry terminal control sequences (``ESC ] 0; title BEL`` sets
a terminal's title, ``ESC [ 2 J`` clears it), right-to-left overrides that make text read differently from what
it is (Trojan Source, CVE-2021-42574), or NUL bytes, which XML cannot carry at all (XML 1.0 ``Char``). Every
renderer's output goes through `clean` (the `sanitized` decorator), so each of these shows as a visible escape
(``\\x1b``, ``\\u202e``) instead of acting. Newlines and tabs, which the renderers themselves write, are kept.
"""
from __future__ import annotations

import functools
from typing import Callable, Dict

# C0 controls but TAB and LF; DEL; C1 controls; the Unicode bidirectional controls (Unicode TR9: LRE RLE PDF LRO
# RLO, LRI RLI FSI PDI, LRM RLM ALM) and the line/paragraph separators, which some terminals treat as newlines.
_UNSAFE = ([c for c in range(0x00, 0x20) if c not in (0x09, 0x0A)] + [0x7F] + list(range(0x80, 0xA0))
           + [0x061C, 0x200E, 0x200F] + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) + [0x2028, 0x2029])
_TABLE: Dict[int, str] = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE}


def clean(text: str) -> str:
    """`text` with every control character (but newline and tab) and every bidi control shown as an escape."""
    return text.translate(_TABLE)


def sanitized(render: Callable) -> Callable:
    """A renderer whose result (a string, or a list of lines) is cleaned before anyone prints it."""
    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        out = render(*args, **kwargs)
        if isinstance(out, str):
            return clean(out)
        if isinstance(out, list):
            return [clean(x) if isinstance(x, str) else x for x in out]
        return out
    return wrapper
