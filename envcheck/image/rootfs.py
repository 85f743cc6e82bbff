"""Layers applied in order to a temporary tree, the way a container runtime's overlay shows them.

Whiteouts (`.wh.NAME`) and opaque markers (`.wh..wh..opq`) remove what lower layers put there (never what the same
layer adds). Every parent directory is resolved inside the image (symlinks followed with absolute targets
re-rooted and '..' clamped at the image's root, as after a chroot), so no entry, link or whiteout can write or
delete outside the tree. Regular files that were not kept become sparse stubs of their real size."""
from __future__ import annotations

import os
import shutil
import stat

from envcheck.image import keep
from envcheck.image.capture import Entry, LayerCapture
from envcheck.image.limits import ImageError
from envcheck.root import Root


class RootfsBuilder:
    def __init__(self, base: str):
        os.makedirs(base, exist_ok=True)
        self.base = os.path.realpath(base)
        self.root = Root(self.base, live=False)
        self._dirs: dict = {}

    def _host(self, inside: str) -> str:
        h = os.path.normpath(self.base + "/" + inside.lstrip("/"))
        if h != self.base and not h.startswith(self.base + "/"):
            raise ImageError(f"path {inside!r} resolves outside the image")
        return h

    def _parent(self, path: str, what: str) -> str:
        """The host path of `path`'s parent directory, resolved inside the image and created if missing."""
        parent = os.path.dirname(path)
        hit = self._dirs.get(parent)
        if hit is not None:
            return hit
        try:
            resolved = self.root.realpath("/" + parent) if parent else "/"
        except OSError:
            raise ImageError(f"{what}: {parent!r}: too many levels of symbolic links inside the image") from None
        cur = self.base
        for part in [p for p in resolved.split("/") if p]:
            cur = cur + "/" + part
            if os.path.islink(cur):   # realpath resolved links; one here means a loop we were told to ignore
                raise ImageError(f"{what}: cannot resolve {parent!r} inside the image")
            if not os.path.isdir(cur):
                if os.path.lexists(cur):
                    os.unlink(cur)
                os.mkdir(cur, 0o755)
        host = self._host(resolved)
        self._dirs[parent] = host
        return host

    def _clear(self, host: str) -> None:
        if os.path.isdir(host) and not os.path.islink(host):
            shutil.rmtree(host)
            self._dirs.clear()
        elif os.path.lexists(host):
            if os.path.islink(host):
                self._dirs.clear()
            os.unlink(host)

    def apply(self, cap: LayerCapture, what: str) -> None:
        self._dirs.clear()
        for e in cap.entries:   # whiteouts first: they hide lower layers only
            if e.op == "whiteout":
                host = self._parent(e.path, what) + "/" + os.path.basename(e.path)
                self._clear(host)
            elif e.op == "opaque":
                try:
                    d = self._host(self.root.realpath("/" + e.path))
                except OSError:
                    continue
                if os.path.isdir(d) and not os.path.islink(d):
                    for name in os.listdir(d):
                        self._clear(d + "/" + name)
        for e in cap.entries:
            if e.op in ("whiteout", "opaque"):
                continue
            self._create(e, cap, what)
        self._dirs.clear()

    def _create(self, e: Entry, cap: LayerCapture, what: str) -> None:
        host = self._parent(e.path, what) + "/" + os.path.basename(e.path)
        if e.op == "dir":
            if os.path.isdir(host) and not os.path.islink(host):
                os.chmod(host, (e.mode & 0o777) | 0o700)
                return
            self._clear(host)
            os.mkdir(host, (e.mode & 0o777) | 0o700)
            os.chmod(host, (e.mode & 0o777) | 0o700)
            return
        self._clear(host)
        if e.op == "symlink":
            os.symlink(e.link, host)
            self._dirs.clear()
        elif e.op == "link":
            src = self._parent(e.link, what) + "/" + os.path.basename(e.link)
            try:
                st = os.lstat(src)
            except OSError:
                if not keep.needs_stub(e.link) and not keep.needs_stub(e.path):
                    return        # a link to a file that was not materialised, itself not needed either
                raise ImageError(f"{what}: hard link /{e.path} -> /{e.link}: the target is not in the image") from None
            if stat.S_ISDIR(st.st_mode):
                raise ImageError(f"{what}: hard link /{e.path} -> /{e.link}: the target is a directory")
            os.link(src, host, follow_symlinks=False)
        else:
            mode = (e.mode & 0o777) | 0o600
            if e.data is not None:
                os.rename(os.path.join(cap.workdir, e.data), host)
                os.chmod(host, mode)
            else:
                fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
                try:
                    os.ftruncate(fd, e.size)    # a sparse stub: it exists, its size is right, no blocks used
                finally:
                    os.close(fd)
                os.chmod(host, mode)
