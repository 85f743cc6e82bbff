"""Disk: free and total space where installs land: /, the home directory, the pip and Hugging Face caches,
the working directory and /workspace (RunPod's volume); and the size of /dev/shm (shared memory, a tmpfs)."""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Dict, List, NamedTuple, Optional, Tuple

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


class Mount(NamedTuple):
    point: str
    fstype: str
    options: str   # the super options, e.g. 'rw,size=65536k' for a tmpfs


def parse_mountinfo(text: str) -> List[Mount]:
    """The mounts of /proc/self/mountinfo, in its order."""
    out = []
    for line in text.splitlines():
        parts = line.split(" - ", 1)
        left = parts[0].split()
        if len(left) < 5 or len(parts) < 2:
            continue
        right = parts[1].split()
        mount = left[4].replace("\\040", " ")
        out.append(Mount(mount, right[0] if right else "?", right[2] if len(right) > 2 else ""))
    return out


def tmpfs_size_gib(mount: Mount) -> Optional[float]:
    """The size= super option of a tmpfs ('rw,size=65536k'), in GiB."""
    for opt in mount.options.split(","):
        if opt.startswith("size="):
            v = opt[5:]
            mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(v[-1:].lower(), 1)
            try:
                return round(int(v.rstrip("kKmMgG")) * mult / GIB, 4)
            except ValueError:
                return None
    return None


def mount_of(path: str, mounts: List[Mount]) -> Optional[Mount]:
    """The mount that holds `path`: the longest mount point above it, the last one mounted there."""
    best = None
    for m in mounts:
        prefix = m.point.rstrip("/") + "/"
        if path == m.point or path.startswith(prefix) or m.point == "/":
            if best is None or len(m.point) >= len(best.point):
                best = m
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
        mounts = parse_mountinfo(root.read_text("/proc/self/mountinfo"))
    except OSError:
        mounts = []
    seen_fs = {}
    out: List[Disk] = []
    for role, path in wanted_paths(environ, root.live):
        target = _existing_parent(root, path)
        if target is None:
            continue
        if role in ("workspace", "shm") and target != path:
            continue  # no /workspace (or /dev/shm) here
        m = mount_of(path, mounts)
        where = {"mount": m.point, "fstype": m.fstype} if m else {}      # the mount that holds the path, if known
        if role == "shm" and not root.live:
            # statvfs under --root would measure this machine's directory: the image's own mountinfo tells the size
            size = tmpfs_size_gib(m) if m and m.point == path else None
            if size is not None:
                out.append(Disk(path=path, role=role, total_gib=size, **where))
            continue
        if not root.own_filesystem(target):
            # under --root, a directory of this machine (an unpacked image, a copied tree): its free space is this
            # machine's, not the target's
            fsid = "not measured"   # one row for them all
            disk = Disk(path=path, role=role, error="not measured: the --root tree is a directory on this machine, "
                                                    "not the target's disk mounted there", **where)
        else:
            try:
                st = root.statvfs(target)
                free, total = st.f_bavail * st.f_frsize / GIB, st.f_blocks * st.f_frsize / GIB
                if role == "shm":  # memory, not disk: keep its own row, with the precision a 64 MiB tmpfs needs
                    out.append(Disk(path=path, role=role, free_gib=round(free, 4), total_gib=round(total, 4), **where))
                    continue
                fsid = (st.f_fsid, st.f_blocks) if st.f_fsid else (m, st.f_blocks, st.f_bfree)
                if not root.live and m:  # the tree's own mountinfo says which paths share a filesystem, not this host
                    fsid = ("mount", m.point)
                disk = Disk(path=path, role=role, free_gib=round(free, 1), total_gib=round(total, 1), **where)
            except OSError as exc:
                fsid = None
                disk = Disk(path=path, role=role, error=reason(exc))
        if fsid is not None and fsid in seen_fs:
            # same filesystem as an earlier path: keep one row, name every role
            i = seen_fs[fsid]
            out[i] = replace(out[i], role=f"{out[i].role},{role}")
            continue
        if fsid is not None:
            seen_fs[fsid] = len(out)
        out.append(disk)
    return {"disk": tuple(out)}
