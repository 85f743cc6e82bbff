"""The one door out: what envcheck may put on a terminal or in a report, and how it writes a file.

Text: strings in a report come from the environment (a path, a package version, an os-release line, a pyvenv.cfg, a
`--env` file someone else wrote). A hostile one can carry terminal control sequences (``ESC ] 0; title BEL`` sets
a terminal's title, ``ESC [ 2 J`` clears it), right-to-left overrides that make text read differently from what
it is (Trojan Source, CVE-2021-42574), or NUL bytes, which XML cannot carry at all (XML 1.0 ``Char``). Every
renderer's output goes through `clean` (the `sanitized` decorator), so each of these shows as a visible escape
(``\\x1b``, ``\\u202e``) instead of acting. Newlines and tabs, which the renderers themselves write, are kept.
"""
from __future__ import annotations

import functools
import os
import stat
import tempfile
from typing import Callable, Dict, Optional

from envcheck.documents import file_kind
from envcheck.errors import InputError

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


# Files: every file envcheck writes goes through `write_text`, `write_bytes` or `append_text`. A target that is a
# symlink, a directory, a FIFO, a socket or a device is refused (exit 2): writing there would follow a link someone
# planted, block on a pipe, or scribble on a device. Whole files are written to a dot file in the same directory and
# renamed over the target, so a reader never sees half a file (and tools that skip dot files never read the temp).
def _refuse_unsafe(path: str, what: str) -> None:
    """Raise InputError when `path` exists and is anything but a regular file."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot write: {exc.strerror or exc}") from None
    kind = file_kind(st.st_mode)
    if kind:
        raise InputError(f"{what} {path}: refusing to write: it is {kind}")


def write_bytes(path: str, data: bytes, what: str = "output", mode: Optional[int] = None) -> None:
    """Write `data` to `path` atomically (temp file in the same directory, then rename); `mode` sets permissions."""
    _refuse_unsafe(path, what)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644 if mode is None else mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)


def write_text(path: str, text: str, what: str = "output", mode: Optional[int] = None) -> None:
    """Write `text` (UTF-8) to `path` atomically; see `write_bytes`."""
    write_bytes(path, text.encode("utf-8"), what, mode)


def append_text(path: str, text: str, what: str = "output") -> None:
    """Append `text` (UTF-8) to the regular file `path` (created when missing); unsafe targets are refused."""
    _refuse_unsafe(path, what)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot write: {exc.strerror or exc}") from None


def switch_link(link: str, target: str, what: str = "output") -> None:
    """Point the symbolic link `link` at `target` in one atomic rename (a new link beside it, renamed over it);
    `link` may be missing or a symlink, anything else (a directory, a file, a device) is refused."""
    try:
        st = os.lstat(link)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"{what} {link}: cannot write: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISLNK(st.st_mode):
        raise InputError(f"{what} {link}: refusing to replace it: it is not a symbolic link")
    tmp = os.path.join(os.path.dirname(link), f".{os.path.basename(link)}-{os.getpid()}")
    try:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(target, tmp)
        os.replace(tmp, link)
    except OSError as exc:
        raise InputError(f"{what} {link}: cannot write: {exc.strerror or exc}") from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
