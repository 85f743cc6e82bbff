"""GPU architectures (SASS sm_XX, PTX compute_XX) in the kernel library of the packages that launch CUDA kernels,
read per Python environment from the ``.nv_fatbin`` section (envcheck.fatbin: headers only, nothing is loaded).

This is what predicts "CUDA error: no kernel image is available for execution on the device" at scan time
(checks/kernels.py compares it with each GPU's compute capability).

When it reads: on a live machine only when at least one GPU was found (without one there is nothing to compare
with, and a cold read of libtorch_cuda.so costs ~0.24 s, docs/fatbin.md); under
``--root DIR`` (an image tree, where no GPU can be probed) always, so that the saved scan can be checked later
with ``check --env`` against the GPU it will run on. One file read by several environments (a venv with system
site-packages) is read once.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

from envcheck.fatbin import KERNEL_LIBRARIES, read_archs_path
from envcheck.model.python import GpuArchs, PythonEnv


def wanted(ctx, env) -> bool:
    """Read only when it can matter: a GPU was found (its compute capability comes from NVML, or from its name
    through matrix/gpus.yaml in the check), or a --root tree (the GPU it will run on is not known yet)."""
    if not ctx.root.live:
        return True
    return bool(env.gpus)


def probe(ctx, env) -> dict:
    if env.pythons is None or not wanted(ctx, env):
        return {}
    cache: Dict[str, GpuArchs] = ctx.cache.setdefault("kernels", {}) if ctx.cache is not None else {}
    out: List[PythonEnv] = []
    for p in env.pythons:
        try:
            out.append(python_env(ctx.root, p, cache))
        except Exception as exc:  # one odd environment must not cost the others
            out.append(dataclasses.replace(p, errors=tuple(p.errors or ()) + (f"gpu archs not read: {type(exc).__name__}: {exc}",)))
    return {"pythons": tuple(out)}


def find_library(root, site_packages, patterns) -> Optional[str]:
    """The first file matching ``patterns`` in the site dirs, in sys.path order."""
    for sp in site_packages:
        for pat in patterns:
            if "*" in pat:
                d, _, name = pat.rpartition("/")
                hits = sorted(root.glob(sp.rstrip("/") + ("/" + d if d else ""), name))
                if hits:
                    return hits[0]
            else:
                path = sp.rstrip("/") + "/" + pat
                if root.exists(path):
                    return path
    return None


def python_env(root, p: PythonEnv, cache: Dict[str, GpuArchs]) -> PythonEnv:
    pk = p.packages or {}
    found: Dict[str, GpuArchs] = {}
    errors: List[str] = []
    for dist, patterns in KERNEL_LIBRARIES:
        if dist not in pk or not p.site_packages:
            continue
        path = find_library(root, p.site_packages, patterns)
        if path is None:
            continue
        try:
            key = root.realpath(path)
        except OSError:
            key = path
        ga = cache.get(key)
        if ga is None:
            a = read_archs_path(root, path)
            ga = GpuArchs(library=path, sass=a.sass, ptx=a.ptx, error=a.error)
            cache[key] = ga
        elif ga.library != path:
            ga = dataclasses.replace(ga, library=path)
        found[dist] = ga
        if ga.error:
            errors.append(f"{path}: GPU architectures read only in part: {ga.error}")
    if not found:
        return p
    return dataclasses.replace(p, gpu_archs=found,
                               errors=(tuple(p.errors or ()) + tuple(errors)) if errors else p.errors)
