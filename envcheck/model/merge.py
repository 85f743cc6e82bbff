"""Image on host: one Environment from two, the way the NVIDIA container toolkit runs an image on a node.

Files come from the image (OS, glibc, CUDA toolkits and libraries, Python environments). The machine comes from
the host: the kernel, CPUs and memory, disks, the driver and the CUDA it runs, the GPUs, the container runtime.
The driver's user-space libraries (libcuda.so.1, libnvidia-ml.so.1, ...) are the host's: the toolkit mounts them
into the container, so copies baked into the image's library directories do not count (the image's
cuda-compat libcuda under /usr/local/cuda-X.Y/compat/ stays: that is forward compatibility, judged by
checks/image.py). Every check and recommend then work on the result unchanged."""
from __future__ import annotations

import dataclasses
from typing import Optional

from envcheck.model.environment import Environment

DRIVER_SONAMES = ("libcuda.so", "libnvidia-ml.so", "libnvidia-ptxjitcompiler.so", "libcudadebugger.so",
                  "libnvidia-nvvm.so", "libnvidia-opencl.so")


def is_driver_lib(soname: str) -> bool:
    return soname.startswith(DRIVER_SONAMES)


def image_on_host(image: Environment, host: Environment, host_label: str) -> Environment:
    ih, hh = image.host, host.host
    merged_host = None
    if ih is not None or hh is not None:
        base = ih or hh
        pick = {}
        for f in ("kernel", "cpus", "memory_gib"):
            pick[f] = getattr(hh, f) if hh is not None else None
        if hh is not None and hh.arch:
            pick["arch"] = hh.arch
        merged_host = dataclasses.replace(base, **pick)
    libs = None
    if image.libraries is not None or host.libraries is not None:
        own = tuple(l for l in image.libraries or () if not is_driver_lib(l.soname))
        mounted = tuple(dataclasses.replace(l, via="host (mounted by the NVIDIA container toolkit)")
                        for l in host.libraries or () if is_driver_lib(l.soname))
        libs = tuple(sorted(own + mounted, key=lambda l: (l.soname, l.path or "")))
    img = dataclasses.replace(image.image, on_host=host_label) if image.image is not None else None
    meta = image.meta
    if meta is not None:
        meta = dataclasses.replace(meta, root=f"{meta.root} on {host_label}", live=None)   # files read, machine from a scan
    errors = dict(image.errors or {})
    errors.update({f"host.{k}": v for k, v in (host.errors or {}).items()})
    return image.replace(meta=meta, host=merged_host, disk=host.disk, driver=host.driver, gpus=host.gpus,
                         container=host.container, libraries=libs, image=img, errors=errors or None)


def label(path: Optional[str]) -> str:
    return f"host {path}" if path else "this machine"
