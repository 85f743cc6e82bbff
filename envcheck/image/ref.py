"""What REF names, from its form: a directory (OCI layout), a file (a save archive), docker://NAME (a local daemon),
anything else a registry reference. `PATH:TAG` picks one image out of a layout or an archive that holds several."""
from __future__ import annotations

import os
from typing import Optional

from envcheck.image.limits import ImageError, Limits
from envcheck.image.progressed import Progressed
from envcheck.image.sources import OciLayout
from envcheck.root import open_regular


class ArchiveFile:
    """A docker save / podman save archive on disk (tar, or tar compressed with gzip)."""
    kind = "docker-archive"

    def __init__(self, path: str, tag: Optional[str]):
        self.path = path
        self.tag = tag
        self.size = os.path.getsize(path)

    def open(self, progress):
        try:
            return Progressed(open_regular(self.path), progress)
        except OSError as exc:
            raise ImageError(f"{self.path}: cannot read: {exc.strerror}") from None

    def close(self):
        pass


def _split_tag(ref: str):
    """'img.tar:v1' -> ('img.tar', 'v1') when img.tar exists and the whole string does not."""
    if os.path.exists(ref):
        return ref, None
    head, sep, tag = ref.rpartition(":")
    if sep and head and "/" not in tag and os.path.exists(head):
        return head, tag
    return ref, None


def open_ref(ref: str, limits: Limits):
    if not ref.strip():
        raise ImageError("--image '': an empty image reference; name an OCI layout directory, a save archive, "
                         "docker://NAME or a registry reference")
    if ref.startswith("docker://") or ref.startswith("docker-daemon:"):
        from envcheck.image.daemon import DaemonSource
        return DaemonSource(ref.split(":", 1)[1].lstrip("/"), limits)
    for prefix, kind in (("oci:", "dir"), ("oci-archive:", "file"), ("docker-archive:", "file")):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    path, tag = _split_tag(ref)
    if os.path.isdir(path):
        if not os.path.exists(os.path.join(path, "oci-layout")) and not os.path.exists(os.path.join(path, "index.json")):
            raise ImageError(f"{path}: a directory but not an OCI image layout (no oci-layout/index.json); "
                             f"for an extracted rootfs use --root {path}")
        return OciLayout(path, limits, tag)
    if os.path.isfile(path):
        return ArchiveFile(path, tag)
    if os.path.exists(path):
        raise ImageError(f"{path}: not a regular file or a directory (a device, FIFO or socket is not read as an "
                         "image)")
    if ref.startswith(("/", "./", "../")) or ref.endswith((".tar", ".tar.gz", ".tgz")):
        raise ImageError(f"{ref}: no such file or directory")
    from envcheck.image.registry import RegistrySource
    return RegistrySource(ref, limits)
