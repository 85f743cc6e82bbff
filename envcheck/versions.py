"""Version values: the original text kept exactly, compared the way packaging (or a driver) orders them."""
from __future__ import annotations

import re
from functools import lru_cache, total_ordering
from typing import Optional, Tuple

from packaging.version import InvalidVersion
from packaging.version import Version as _PV

_NUMS = re.compile(r"\d+")
MAX_DIGITS, MAX_VERSION = 12, 128


def sane_version(text: str) -> bool:
    """A version as files and documents may carry it: digits first (a "v" before them is allowed), at most
    MAX_VERSION characters, no part longer than MAX_DIGITS digits (before any +local label). What fails this is
    never read as a version, so 99999999999999999999.1 or -570 from a hostile file never reaches a command."""
    text = text.strip()
    if not text or len(text) > MAX_VERSION or not (text[0].isdigit() or (text[0] in "vV" and text[1:2].isdigit())):
        return False
    return all(len(d) <= MAX_DIGITS for d in _NUMS.findall(text.split("+")[0]))


@total_ordering
class Version:
    """A version as written (``"570.195.03"``, ``"2.4.0+cu121"``), ordered numerically.

    ``str(v)`` gives back exactly the text it was made from, so a document round-trips without loss
    (packaging would turn ``570.195.03`` into ``570.195.3``).
    """

    __slots__ = ("text", "_key", "_pv")

    def __init__(self, text: str):
        if isinstance(text, Version):
            text = text.text
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"not a version: {text!r}")
        self.text = text.strip()
        try:
            self._pv: Optional[_PV] = _PV(self.text)
        except InvalidVersion:
            self._pv = None
        nums = tuple(int(n) for n in _NUMS.findall(self.text.split("+")[0]))
        if not nums:
            raise ValueError(f"not a version: {text!r}")
        self._key = nums

    @property
    def parsed(self) -> Optional[_PV]:
        """packaging's Version, or None where packaging cannot parse it (a driver version always can)."""
        return self._pv

    @property
    def release(self) -> Tuple[int, ...]:
        return self._pv.release if self._pv is not None else self._key

    @property
    def major(self) -> int:
        return self.release[0]

    @property
    def minor(self) -> int:
        return self.release[1] if len(self.release) > 1 else 0

    @property
    def local(self) -> Optional[str]:
        return self._pv.local if self._pv is not None else None

    @property
    def public(self) -> str:
        return self.text.split("+")[0]

    def major_minor(self) -> str:
        return f"{self.major}.{self.minor}"

    def _cmp_key(self):
        return self._pv if self._pv is not None else _PV(".".join(map(str, self._key)))

    def __eq__(self, other):
        if isinstance(other, Version):
            return self.text == other.text
        if isinstance(other, str):
            return self.text == other
        return NotImplemented

    def __lt__(self, other):
        other = other if isinstance(other, Version) else Version(str(other))
        return self._cmp_key() < other._cmp_key()

    def __hash__(self):
        return hash(self.text)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Version({self.text!r})"


def parse(text) -> Optional[Version]:
    """A Version, or None for an empty or unparseable value."""
    return None if text is None else _parse_text(str(text))


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> Optional[Version]:
    """Versions are immutable, so one parse serves every caller: judging a fleet parses the matrix's few hundred
    versions millions of times."""
    if not sane_version(text):
        return None
    try:
        return Version(text)
    except ValueError:
        return None
