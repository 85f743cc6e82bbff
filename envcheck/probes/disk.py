"""Disk: free and total space where installs land: /, the home directory, the pip and Hugging Face caches,
the working directory and /workspace (RunPod's volume); and the size of /dev/shm (shared memory, a tmpfs)."""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

from envcheck.model import Disk
from envcheck.probes import ProbeContext, reason

GIB = float(1 << 30)


def wanted_paths(environ: Dict[str, str], live: bool) -> List[Tuple[str, str]]:
    home = environ.get("HOME") or "/root"
    cache = environ.get("XDG_CACHE_HOME") or home.rstrip("/") + "/.cache"
    hf_home = environ.get("HF_HOME") or cache + "/huggingface"
    paths = [("root", "/"), ("home", home),
             ("pip-cache", environ.get("PIP_CACHE_DIR") or cache + "/pip"),
             ("hf-cache", environ.get("HF_HUB_CACHE") or hf_home + "/hub"),
             ("workspace", "/workspace"), ("shm", "/dev/shm")]
    if live:
        paths.append(("cwd", os.getcwd()))
    return paths


def parse_mountinfo(text: str) -> List[Tuple[str, str]]:
    """(mount point, fstype) pairs from /proc/self/mountinfo."""
    out = []
    for line in text.splitlines():
        parts = line.split(" - ", 1)
        left = parts[0].split()
        if len(left) < 5 or len(parts) < 2:
            continue
        right = parts[1].split()
        mount = left[4].replace("\\040", " ")
        out.append((mount, right[0] if right else "?"))
    return out


def tmpfs_size_gib(text: str, mount: str) -> Optional[float]:
    """The size= option of a tmpfs mounted at `mount` (mountinfo's super options: 'rw,size=65536k'), in GiB."""
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        f = left.split()
        if len(f) >= 5 and f[4] == mount:
            for opt in (right.split()[2] if len(right.split()) > 2 else "").split(","):
                if opt.startswith("size="):
                    v = opt[5:]
                    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(v[-1:].lower(), 1)
                    try:
                        return round(int(v.rstrip("kKmMgG")) * mult / GIB, 4)
                    except ValueError:
                        return None
    return None


def mount_of(path: str, mounts: List[Tuple[str, str]]) -> Optional[Tuple[str, str]]:
    best = None
    for mount, fstype in mounts:
        prefix = mount.rstrip("/") + "/"
        if path == mount or path.startswith(prefix) or mount == "/":
            if best is None or len(mount) >= len(best[0]):
                best = (mount, fstype)
    return best


def _existing_parent(root, path: str) -> Optional[str]:
    p = path
    while True:
        if root.exists(p):
            return p
        if p in ("/", ""):
            return None
        p = os.path.dirname(p.rstrip("/")) or "/"


def probe(ctx: ProbeContext, env) -> dict:
    root = ctx.root
    environ = root.environ()
    try:
        mountinfo = root.read_text("/proc/self/mountinfo")
    except OSError:
        mountinfo = ""
    mounts = parse_mountinfo(mountinfo)
    seen_fs = {}
    out: List[Disk] = []
    for role, path in wanted_paths(environ, root.live):
        target = _existing_parent(root, path)
        if target is None:
            continue
        if role in ("workspace", "shm") and target != path:
            continue  # no /workspace (or /dev/shm) here
        m = mount_of(path, mounts)
        if role == "shm" and not root.live:
            # statvfs under --root would measure this machine's directory: the image's own mountinfo tells the size
            size = tmpfs_size_gib(mountinfo, "/dev/shm")
            if size is not None:
                out.append(Disk(path=path, role=role, total_gib=size, mount=m[0] if m else None,
                                fstype=m[1] if m else None))
            continue
        try:
            st = root.statvfs(target)
            free, total = st.f_bavail * st.f_frsize / GIB, st.f_blocks * st.f_frsize / GIB
            if role == "shm":  # memory, not disk: keep its own row, with the precision a 64 MiB tmpfs needs
                out.append(Disk(path=path, role=role, free_gib=round(free, 4), total_gib=round(total, 4),
                                mount=m[0] if m else None, fstype=m[1] if m else None))
                continue
            fsid = (st.f_fsid, st.f_blocks) if st.f_fsid else (m, st.f_blocks, st.f_bfree)
            if not root.live and m:  # the tree's own mountinfo says which paths share a filesystem, not this host
                fsid = ("mount", m[0])
            disk = Disk(path=path, role=role, free_gib=round(free, 1), total_gib=round(total, 1),
                        mount=m[0] if m else None, fstype=m[1] if m else None)
        except OSError as exc:
            fsid = None
            disk = Disk(path=path, role=role, error=reason(exc))
        if fsid is not None and fsid in seen_fs:
            # same filesystem as an earlier path: keep one row, name every role
            i = seen_fs[fsid]
            prev = out[i]
            out[i] = Disk(path=prev.path, role=f"{prev.role},{role}", free_gib=prev.free_gib,
                          total_gib=prev.total_gib, mount=prev.mount, fstype=prev.fstype)
            continue
        if fsid is not None:
            seen_fs[fsid] = len(out)
        out.append(disk)
    return {"disk": tuple(out)}
