"""What every probe is given (ProbeContext), and the short reason a probe records for a failed read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

from envcheck.root import Root


@dataclass
class ProbeContext:
    root: Root
    search: Tuple[str, ...] = ()          # extra places to look for Python environments (--search)
    exec_pythons: bool = False            # --exec: run each interpreter once to confirm
    debug: bool = False
    skip: Tuple[str, ...] = ()            # probe names not to run
    progress: Optional[Callable[[str], None]] = None
    cache: dict = field(default_factory=dict)  # probes may share parsed files (e.g. ld.so.cache)
    native_extra: Tuple[Tuple[str, str], ...] = ()  # (import name, dist) the libraries probe also resolves


def reason(exc: BaseException) -> str:
    """A short, human reason for a failed read: 'PermissionError: /proc/1/environ'."""
    if isinstance(exc, OSError):
        where = exc.filename or ""
        return f"{exc.strerror or type(exc).__name__}{': ' + str(where) if where else ''}"
    return f"{type(exc).__name__}: {exc}"
