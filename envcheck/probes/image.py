"""An image read -> an Environment: the ordinary probes on the kept tree, plus the image section from the config."""
from __future__ import annotations

import dataclasses
from typing import Callable, Optional, Tuple

from envcheck.image import oci
from envcheck.image.limits import Limits
from envcheck.image.read import ImageRead, read_image, safe_env, safe_labels
from envcheck.model import Environment, Image

# probes that describe the running machine, not files: an image has no driver, disk or container of its own
MACHINE_PROBES = ("disk", "nvidia", "container")
DRIVER_LIB_GLOBS = ("libcuda.so*", "libnvidia-ml.so*", "libnvidia-ptxjitcompiler.so*", "libcudadebugger.so*")
LIB_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64",
            "/lib/x86_64-linux-gnu")


def _tuple(v) -> Optional[Tuple[str, ...]]:
    if isinstance(v, list):
        return tuple(str(x) for x in v)
    if isinstance(v, str):
        return (v,)
    return None


def _compat_and_driver_libs(root) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    compat = []
    for d in root.glob("/usr/local", "cuda*"):
        if not root.is_symlink(d):
            compat += [p for p in root.glob(d + "/compat", "libcuda.so*") if root.is_file(p) and not root.is_symlink(p)]
    drv = []
    for d in LIB_DIRS:
        for g in DRIVER_LIB_GLOBS:
            drv += [p for p in root.glob(d, g) if root.exists(p) and not root.is_symlink(p)]
    return tuple(sorted(set(compat))), tuple(sorted(set(drv)))


def image_section(r: ImageRead, root) -> Image:
    cfg = r.resolved.config
    c = cfg.get("config") or {}
    compat, drv = _compat_and_driver_libs(root)
    return Image(
        ref=r.ref, digest=r.resolved.digest, config_digest=r.resolved.config_digest or None,
        platform=r.resolved.platform, source=r.source, created=cfg.get("created") if isinstance(cfg.get("created"), str) else None,
        layers=r.layers, compressed_bytes=r.compressed, uncompressed_bytes=r.uncompressed, kept_bytes=r.kept,
        env=safe_env(oci.config_env(cfg)) or None, entrypoint=_tuple(c.get("Entrypoint")), cmd=_tuple(c.get("Cmd")),
        user=c.get("User") if isinstance(c.get("User"), str) else None,
        workdir=c.get("WorkingDir") or None if isinstance(c.get("WorkingDir"), str) else None,
        labels=safe_labels(c.get("Labels")) or None, cuda_compat=compat or None, driver_libs=drv or None,
        skipped=r.skipped or None, partial=r.partial or None)


def scan_image(ref: str, platform: str = "linux/amd64", limits: Optional[Limits] = None,
               draw: Optional[Callable[[int, int], None]] = None, search=(), debug: bool = False,
               progress: Optional[Callable[[str], None]] = None) -> Environment:
    from envcheck.probes import ProbeContext, scan
    from envcheck.root import Root

    r = read_image(ref, platform, limits or Limits(), draw)
    try:
        root = Root(r.rootfs, live=False, environ=oci.config_env(r.resolved.config))
        ctx = ProbeContext(root=root, search=tuple(search), debug=debug, skip=MACHINE_PROBES, progress=progress)
        env = scan(ctx)
        img = image_section(r, root)
    finally:
        r.cleanup()
    meta = dataclasses.replace(env.meta, root=f"image {ref}") if env.meta else None
    host = env.host
    if host is not None and host.errors:   # an image has no /proc: kernel, CPUs and memory are the host's
        errors = {k: v for k, v in host.errors.items() if k not in ("kernel", "cpus", "memory")}
        host = dataclasses.replace(host, errors=errors or None)
    return env.replace(image=img, meta=meta, host=host)
