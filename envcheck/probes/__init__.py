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
from datetime import datetime, timezone
from typing import Tuple

from envcheck import __version__
from envcheck.model import Environment, Meta
from envcheck.probes.context import ProbeContext, reason  # noqa: F401 (re-exported)

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
    ("abi", "envcheck.probes.abi:probe"),
    ("process", "envcheck.probes.process:probe"),
)


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
