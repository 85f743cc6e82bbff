"""ABI facts no metadata declares, read per Python environment from the compiled modules themselves.

numpy's C API: where numpy >= 2 is installed, each distribution that requires numpy has its compiled modules read
(in its RECORD's order) until one names numpy's core module (envcheck.symbols.numpy_headers). One built against
numpy 1.x headers fails to import under numpy 2 ('numpy.dtype size changed, may indicate binary
incompatibility', 'module compiled against ABI version 0x1000009 but this version of numpy is 0x2000000'),
whatever its Requires-Dist says (pandas 1.5.3 declares no numpy upper bound). Only distributions that require
numpy are read, and per distribution at most MODULES_READ extension modules (BYTES_READ bytes), so an environment without numpy 2 costs
nothing and one with it a few memory-mapped reads.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional

from envcheck.model.python import PythonEnv
from envcheck.pyenvs.metadata import norm, parse_head, read_head
from envcheck.symbols import numpy_headers

MODULES_READ = 64
BYTES_READ = 64 << 20
_EXT = re.compile(r"\.(cpython-[^.]+|abi3)\.so$")
RECORD_LIMIT = 4 << 20


def probe(ctx, env) -> dict:
    if env.pythons is None:
        return {}
    out: List[PythonEnv] = []
    for p in env.pythons:
        try:
            out.append(python_env(ctx.root, p))
        except Exception as exc:  # one odd environment must not cost the others
            out.append(dataclasses.replace(p, errors=tuple(p.errors or ()) + (
                f"numpy ABI not read: {type(exc).__name__}: {exc}",)))
    return {"pythons": tuple(out)}


_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requires_numpy(root, sp: str, entry: str) -> bool:
    try:
        _name, _ver, reqs = parse_head(read_head(root, sp + "/" + entry + "/METADATA")[0])
    except (OSError, ValueError):
        return False
    for r in reqs:
        m = _NAME.match(r)
        if m and m.group(1).lower() == "numpy" and "extra" not in r:
            return True
    return False


def python_env(root, p: PythonEnv) -> PythonEnv:
    numpy = (p.packages or {}).get("numpy")
    if numpy is None or not numpy.release or numpy.release[0] < 2:
        return p
    found: Dict[str, str] = {}
    seen = set()
    for sp in p.site_packages or ():
        if not root.is_dir(sp):
            continue
        for entry in sorted(root.listdir(sp)):
            if not entry.endswith(".dist-info"):
                continue
            dist = norm(entry[:-len(".dist-info")].rsplit("-", 1)[0])
            if dist in seen or dist == "numpy":
                continue   # shadowed by an earlier directory on sys.path
            seen.add(dist)
            if _requires_numpy(root, sp, entry):
                module = _numpy1_module(root, sp, entry)
                if module:
                    found[dist] = module
    return dataclasses.replace(p, numpy1_modules=found) if found else p


def _numpy1_module(root, sp: str, entry: str) -> Optional[str]:
    """The first compiled module of the distribution that names numpy's core module, if it is numpy 1.x's.
    Extension modules only (not the libraries they bundle), smallest first (RECORD gives the sizes): a module
    that uses numpy's C API carries the name whatever its size, and small ones cost the least to read."""
    try:
        text = root.read_text(sp + "/" + entry + "/RECORD", limit=RECORD_LIMIT)
    except OSError:
        return None
    modules = []
    for line in text.splitlines():
        parts = line.rsplit(",", 2)
        if len(parts) == 3 and _EXT.search(parts[0]) and not parts[0].startswith(".."):
            modules.append((int(parts[2]) if parts[2].isdigit() else 1 << 40, parts[0]))
    budget = BYTES_READ
    for size, rel in sorted(modules)[:MODULES_READ]:
        budget -= size
        if budget < 0:
            break
        path = sp + "/" + rel
        major = numpy_headers(root.host(path)) if root.exists(path) else None
        if major is not None:
            return rel if major == 1 else None
    return None
