"""How a pasted message arrives, and the message under it. Pure text work, linear in the text's length.

A message reaches `explain` through a terminal, a web page, a log collector or a JSON field: in colour (ANSI
escapes), with HTML entities ('&#39;'), with CRLF or a progress bar's bare CR, JSON-escaped ('\\n', '\\"') as
`docker logs --details`, Loki or a CI API hand it over, or with a prefix on every line (a timestamp, containerd's
'stderr F', docker compose's 'service-1  | ', journald's 'host unit[pid]: ', a quoted reply's '> ').

`plain` undoes what can never be part of a message (colour, entities, CR) and `undressed` what is certain (every
line prefixed, a JSON string with no real line break): both are always applied. `unprefixed` undoes what could be
part of the message (a backslash before 'n' in a Windows path, one line that starts with '>'), so it is read only
where the text as pasted says nothing.
"""
from __future__ import annotations

import html
import re

ANSI = re.compile(r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|quot|amp|lt|gt|apos|nbsp);")
JSON_UNICODE = re.compile(r"\\u[0-9a-fA-F]{4}")
JSON_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')
_ESCAPED = {"n": "\n", "r": "", "t": "\t", "b": "", "f": "", '"': '"', "\\": "\\", "/": "/"}

# one line's prefix, as a log collector or a reply writes it before the message
LINE_PREFIX = re.compile(
    r"^[ \t]{0,8}(?:>[ \t]?){1,8}"                                       # a quoted reply: '> ', '>> '
    r"|^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?\]?"  # ISO time (CI, containerd,
    r"(?:[ \t]{1,4}(?:stdout|stderr)(?:[ \t][FP])?)?:?[ \t]{0,4}"                           # absl's 'time: ')
    r"|^[A-Z][a-z]{2}[ \t]{1,2}\d{1,2}[ \t]\d\d:\d\d:\d\d[ \t][\w.\-]{1,64}[ \t][\w.\-/@]{1,64}(?:\[\d{1,10}\])?:[ \t]"  # journald
    r"|^[\w.\-]{1,64}[ \t]{1,32}\|[ \t]",                                # docker compose: 'service-1  | '
    re.M)


def plain(text: str) -> str:
    """The text without terminal colours, HTML entities and carriage returns (each CR ends a line)."""
    if "\x1b" in text:
        text = ANSI.sub("", text)
    if "&" in text and ENTITY.search(text):
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _unescape(mo: "re.Match[str]") -> str:
    s = mo.group(1)
    if s[0] == "u":
        ch = chr(int(s[1:], 16))
        return "" if ch < " " and ch not in "\n\t\x1b" else ch
    return _ESCAPED[s]


def _unescaped(text: str) -> str:
    """The text of a JSON string's body: its escapes read, then what `plain` drops (an escaped colour, CR)."""
    return plain(JSON_ESCAPE.sub(_unescape, text))


# a Windows path: a backslash before a letter no JSON escape has ('\Users', '\venv'), or a drive ('D:\tools')
WINDOWS_PATH_ESCAPE = re.compile(r"\\[A-Zacdeghijklmopqsvwxyz]|\b[A-Za-z]:\\(?!\\)")


def _windows_path(text: str) -> bool:
    """Whether the text's backslashes are a Windows path's (once a JSON string's doubled backslashes are taken out)."""
    return bool(WINDOWS_PATH_ESCAPE.search(text.replace("\\\\", "")))


def undressed(text: str) -> str:
    """The message under a collector's dress where the dress is certain: a JSON string (two or more escaped line
    breaks and no real one, or two escaped characters such as '\\u627e'; no backslash that only a Windows path has) or
    a prefix on every line (two or more)."""
    escaped = "\n" not in text and text.count("\\n") >= 2 or len(JSON_UNICODE.findall(text)) >= 2
    if escaped and not _windows_path(text):
        text = _unescaped(text)
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) >= 2 and all(LINE_PREFIX.match(ln) and LINE_PREFIX.match(ln).end() for ln in lines):
        text = LINE_PREFIX.sub("", text)
    return text


def unprefixed(text: str) -> str:
    """The message under a JSON string's escapes and under every line's log prefix; `text` itself when it has
    neither. An escaped text is one with at least one escaped line break, quote or character ('\\u2018')."""
    if ("\\n" in text or '\\"' in text or JSON_UNICODE.search(text)) and not _windows_path(text):
        text = _unescaped(text)
    return LINE_PREFIX.sub("", text)


def rejoined(text: str, soft: bool = False) -> str:
    """The text with a wrap undone; `text` where it has none. A terminal breaks at its width, mid-word: each line
    as long as the longest (60 characters or more) goes on in the next, with nothing between. With `soft`, a web
    page or an editor breaks between words: each line within 25 characters of the longest goes on after a space,
    unless it ends a sentence (. : ! ?) or the next line starts a record of its own (the same first word: a log's
    level, its logger, its timestamp)."""
    lines = text.split("\n")
    width = max(len(ln) for ln in lines)
    if width < 60 or len(lines) < 2:
        return text
    reach, glue = (width - 25, " ") if soft else (width, "")
    out = []
    for ln in lines:
        last = out[-1][-1] if out else ""
        if out and len(last) >= reach and ln.strip() and (not soft or _runs_on(last, ln)):
            out[-1].append(ln.lstrip() if soft else ln)
        else:
            out.append([ln])
    return "\n".join(glue.join(parts) for parts in out)


def _runs_on(line: str, nxt: str) -> bool:
    """Whether `nxt` may be the rest of `line` broken between words."""
    if line.rstrip()[-1:] in ".:!?":
        return False
    first, nfirst = line.split(None, 1)[:1], nxt.split(None, 1)[:1]
    return first != nfirst
