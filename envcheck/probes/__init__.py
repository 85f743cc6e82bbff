"""Probes: the only code that reads the machine. Each fills one part of the Environment and never raises.

A probe is ``probe(ctx: ProbeContext, env: Environment) -> dict`` of Environment fields; it records what it
could not learn inside its section (``error``/``errors``). ``scan`` runs them in order (later probes may use what
earlier ones found, e.g. the library probe uses the Python environments) and, if a probe itself breaks, records
the reason under ``errors`` and goes on.
"""
from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Optional, Tuple

from envcheck import __version__
from envcheck.model import Environment, Meta
from envcheck.root import Root

# (name, "module:function") in the order they run
PROBES: Tuple[Tuple[str, str], ...] = (
    ("host", "envcheck.probes.host:probe"),
    ("disk", "envcheck.probes.disk:probe"),
    ("nvidia", "envcheck.probes.nvidia:probe"),
    ("container", "envcheck.probes.container:probe"),
    ("cuda", "envcheck.probes.cuda:probe"),
    ("pythons", "envcheck.probes.pythons:probe"),
    ("libraries", "envcheck.probes.libraries:probe"),
    ("kernels", "envcheck.probes.kernels:probe"),
)


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


def scan(ctx: ProbeContext) -> Environment:
    started = time.perf_counter()
    env = Environment()
    errors = {}
    took = {}
    if ctx.root.live and "nvidia" not in ctx.skip:  # NVML answers in the background while the files are read
        try:
            from envcheck.probes.nvidia import start_nvml
            start_nvml(ctx)
        except Exception:  # the nvidia probe then asks NVML itself
            pass
    for name, target in PROBES:
        if name in ctx.skip:
            continue
        if ctx.progress:
            ctx.progress(name)
        module_name, func_name = target.split(":")
        t0 = time.perf_counter()
        try:
            func = getattr(importlib.import_module(module_name), func_name)
            found = func(ctx, env)
            env = env.replace(**found)
        except Exception as exc:  # a probe's own bug: the scan goes on
            if ctx.debug:
                raise
            errors[name] = f"probe failed: {type(exc).__name__}: {exc}"
            errors[name + ".trace"] = traceback.format_exc(limit=3).strip().splitlines()[-1]
        took[name] = round(time.perf_counter() - t0, 4)
    meta = Meta(envcheck=__version__, scanned_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                root=ctx.root.base, live=ctx.root.live, duration_s=round(time.perf_counter() - started, 3),
                probe_s=took)
    return env.replace(meta=meta, errors=errors or None)


def reason(exc: BaseException) -> str:
    """A short, human reason for a failed read: 'PermissionError: /proc/1/environ'."""
    if isinstance(exc, OSError):
        where = exc.filename or ""
        return f"{exc.strerror or type(exc).__name__}{': ' + str(where) if where else ''}"
    return f"{type(exc).__name__}: {exc}"
