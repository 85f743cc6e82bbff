"""Root: the one door to the filesystem (and, on the live machine, to subprocesses and the environment).

Every probe reads through a Root, so `/`, `--root DIR` (an image's rootfs) and a fixture tree behave the same.
Paths given to and returned by a Root are paths *inside* it ("/usr/local/cuda"); absolute symlink targets are
resolved inside the root too, as they would be after a chroot.
"""
from __future__ import annotations

import errno
import fnmatch
import os
import stat as _stat
import subprocess
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence

from envcheck.documents import file_kind

MAX_SYMLINKS = 40
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def open_regular(host_path: str, extra_flags: int = 0):
    """Open a host path for binary reading if, and only if, it is a regular file.

    Opened with O_NONBLOCK, so a FIFO (or a device) in a hostile tree cannot block the open, and then checked
    with fstat on the opened descriptor (no window between the check and the read). Anything but a regular
    file raises OSError(EINVAL, "not a regular file"). /proc files are regular files too."""
    fd = os.open(host_path, _OPEN_FLAGS | extra_flags)
    try:
        mode = os.fstat(fd).st_mode
        if not _stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"not a regular file ({file_kind(mode)})", host_path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@dataclass(frozen=True)
class CommandResult:
    args: tuple
    returncode: int
    stdout: str
    stderr: str


class NotLive(RuntimeError):
    """A subprocess, NVML or the process environment was asked of a root that is not the live machine."""


class Root:
    def __init__(self, path: str = "/", live: Optional[bool] = None, environ: Optional[Dict[str, str]] = None):
        self.base = os.path.abspath(path)
        self.live = (self.base == "/") if live is None else live
        self._environ = environ

    def __repr__(self):
        return f"Root({self.base!r}, live={self.live})"

    # -- paths ---------------------------------------------------------------------------------------------
    def host(self, path: str) -> str:
        """The path on this machine's filesystem for a path inside the root."""
        path = "/" + path.lstrip("/")
        if self.base == "/":
            return path
        return self.base + path

    def inside(self, host_path: str) -> str:
        """The in-root path of a host path (inverse of host())."""
        if self.base == "/":
            return host_path
        rel = os.path.relpath(host_path, self.base)
        return "/" if rel == "." else "/" + rel

    def realpath(self, path: str) -> str:
        """Resolve symlinks inside the root (absolute targets are re-rooted). Loops raise OSError(ELOOP)."""
        if self.base == "/":
            return os.path.realpath(path)
        parts = [p for p in path.split("/") if p]
        resolved: List[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = "/" + "/".join(resolved + [part])
            host = self.host(candidate)
            if os.path.islink(host):
                hops += 1
                if hops > MAX_SYMLINKS:
                    raise OSError(40, "Too many levels of symbolic links", candidate)
                target = os.readlink(host)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p] + parts
            else:
                resolved.append(part)
        return "/" + "/".join(resolved)

    # -- reading -------------------------------------------------------------------------------------------
    def read_bytes(self, path: str, limit: int = 16 << 20) -> bytes:
        """At most `limit` bytes of a regular file (anything else raises OSError, never blocks)."""
        chunks, left = [], limit
        with self.open_binary(path) as fh:
            while left > 0:  # small reads: some /proc files refuse a large buffer (ENOMEM)
                chunk = fh.read(min(left, 1 << 16))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        return b"".join(chunks)

    def read_text(self, path: str, limit: int = 4 << 20, errors: str = "replace") -> str:
        return self.read_bytes(path, limit).decode("utf-8", errors)

    def open_binary(self, path: str):
        """A regular file opened for reading (a FIFO, device or directory raises OSError; see open_regular)."""
        return open_regular(self.host(self._follow(path)))

    def _follow(self, path: str) -> str:
        return path if self.base == "/" else self.realpath(path)

    def exists(self, path: str) -> bool:
        try:
            return os.path.exists(self.host(self._follow(path)))
        except OSError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return os.path.isdir(self.host(self._follow(path)))
        except OSError:
            return False

    def is_file(self, path: str) -> bool:
        try:
            return os.path.isfile(self.host(self._follow(path)))
        except OSError:
            return False

    def is_symlink(self, path: str) -> bool:
        return os.path.islink(self.host(path))

    def readlink(self, path: str) -> str:
        return os.readlink(self.host(path))

    def stat(self, path: str) -> os.stat_result:
        return os.stat(self.host(self._follow(path)))

    def lstat(self, path: str) -> os.stat_result:
        return os.lstat(self.host(path))

    def listdir(self, path: str) -> List[str]:
        return sorted(os.listdir(self.host(self._follow(path))))

    def scandir(self, path: str) -> Iterator[os.DirEntry]:
        """Entries of a directory (DirEntry.path is a host path; use inside() to map it back)."""
        with os.scandir(self.host(self._follow(path))) as it:
            for entry in it:
                yield entry

    def glob(self, directory: str, pattern: str) -> List[str]:
        """Names in one directory matching a shell pattern, as in-root paths; [] if it cannot be listed."""
        try:
            names = self.listdir(directory)
        except OSError:
            return []
        return [directory.rstrip("/") + "/" + n for n in names if fnmatch.fnmatch(n, pattern)]

    def statvfs(self, path: str) -> os.statvfs_result:
        return os.statvfs(self.host(self._follow(path)))

    def own_filesystem(self, path: str) -> bool:
        """Whether a path inside the root lies on a filesystem of its own: always on the live machine; under a
        tree, only where a filesystem is mounted at or below the tree (a target's disk mounted at /mnt/target), not
        where the tree is a plain directory of this machine (an unpacked image, a copied sysroot), whose free
        space is this machine's and says nothing of the target's."""
        if self.live:
            return True
        try:
            return os.stat(self.host(self._follow(path))).st_dev != os.stat(os.path.dirname(self.base)).st_dev
        except OSError:
            return False

    def is_regular_file(self, path: str) -> bool:
        try:
            return _stat.S_ISREG(self.stat(path).st_mode)
        except OSError:
            return False

    # -- the live machine only -----------------------------------------------------------------------------
    def environ(self) -> Dict[str, str]:
        """Environment variables: the process's own on the live machine; under --root, a fixture's
        /proc/self/environ if it has one, else none."""
        if self._environ is not None:
            return dict(self._environ)
        if self.live:
            return dict(os.environ)
        try:
            raw = self.read_bytes("/proc/self/environ", 1 << 20)
        except OSError:
            return {}
        out = {}
        for item in raw.split(b"\0"):
            if b"=" in item:
                k, _, v = item.partition(b"=")
                out[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
        return out

    def run(self, args: Sequence[str], timeout: float = 10.0, env: Optional[Dict[str, str]] = None) -> CommandResult:
        """Run a command (argument list, no shell, a timeout, an explicit environment). Live machine only."""
        if not self.live:
            raise NotLive(f"not running {args[0]} under --root {self.base}")
        if env is None:
            env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "LD_LIBRARY_PATH")}
            env.setdefault("LC_ALL", "C")
        proc = subprocess.run(list(args), capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        return CommandResult(tuple(args), proc.returncode, proc.stdout.decode("utf-8", "replace"),
                             proc.stderr.decode("utf-8", "replace"))

    def which(self, name: str, path_var: Optional[str] = None) -> Optional[str]:
        """The first executable `name` on PATH (the root's PATH), as an in-root path."""
        path_var = path_var if path_var is not None else self.environ().get("PATH", "/usr/local/bin:/usr/bin:/bin")
        for d in path_var.split(":"):
            if not d:
                continue
            cand = d.rstrip("/") + "/" + name
            try:
                if self.is_file(cand) and os.access(self.host(self._follow(cand)), os.X_OK):
                    return cand
            except OSError:
                continue
        return None
