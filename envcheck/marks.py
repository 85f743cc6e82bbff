"""The marks a report puts before a fact or a finding, in Unicode or plain ASCII (shared by every renderer)."""
from __future__ import annotations

import sys

UNICODE = {"ok": "✓", "info": "·", "warn": "!", "fail": "✗", "unknown": "?"}
ASCII = {"ok": "ok", "info": "--", "warn": "!!", "fail": "XX", "unknown": "??"}


def can_unicode(stream=None) -> bool:
    stream = stream or sys.stdout
    enc = getattr(stream, "encoding", None) or "ascii"
    try:
        "✓✗·".encode(enc)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def marks(unicode: bool):
    return UNICODE if unicode else ASCII
