"""One layer's tar stream -> the subset a scan needs, as a list of entries plus the kept bytes in `workdir`.

Entries are applied later, in manifest order (rootfs.py), so a `docker save` archive whose layers come in any
order is still read in one pass. Names are checked here: absolute paths and '..' are refused (a hostile layer),
device nodes and FIFOs are recorded and never created."""
from __future__ import annotations

import os
import posixpath
import tarfile
from dataclasses import dataclass, field
from typing import BinaryIO, List, Optional

from envcheck.image import keep
from envcheck.image.elfkeep import ElfKeeper, looks_elf
from envcheck.image.limits import ImageError, Limits

CHUNK = 1 << 20


@dataclass
class Entry:
    op: str                      # dir, file, symlink, link, whiteout, opaque
    path: str                    # in-image, no leading '/', normalised
    mode: int = 0o644
    size: int = 0
    link: str = ""               # symlink target (verbatim) or hard-link target (normalised path)
    data: Optional[str] = None   # file name in the layer's workdir holding the kept bytes; None: a sparse stub


@dataclass
class LayerCapture:
    workdir: str
    entries: List[Entry] = field(default_factory=list)
    kept_bytes: int = 0
    skipped: List[str] = field(default_factory=list)
    partial: List[str] = field(default_factory=list)
    diff_id: str = ""             # sha256 of the uncompressed tar stream (set by the reader)
    unlisted: int = 0             # files and directories not materialised (keep.needs_stub / needs_dir)


def clean(name: str, what: str, limits: Limits) -> str:
    """A tar member name as an in-image path; refuse what could point outside the image."""
    if len(name.encode("utf-8", "surrogateescape")) > limits.max_path or "\0" in name:
        raise ImageError(f"{what}: a path longer than {limits.max_path} bytes or with a NUL byte")
    if name.startswith("/"):
        raise ImageError(f"{what}: tar entry {name!r} has an absolute path (refused: it would escape the image)")
    parts = []
    for p in name.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            raise ImageError(f"{what}: tar entry {name!r} contains '..' (refused: it would escape the image)")
        parts.append(p)
    return "/".join(parts)


def capture_layer(stream: BinaryIO, workdir: str, what: str, limits: Limits) -> LayerCapture:
    """Read the tar stream to its end (the caller drains what follows), keeping what keep.py asks for."""
    os.makedirs(workdir, exist_ok=True)
    cap = LayerCapture(workdir)
    try:
        tf = tarfile.open(fileobj=stream, mode="r|", errorlevel=1, bufsize=CHUNK)
    except tarfile.TarError as exc:
        raise ImageError(f"{what}: not a tar stream ({exc})") from None
    n = 0
    try:
        for m in tf:
            n += 1
            if n > limits.max_entries:
                raise ImageError(f"{what}: more than {limits.max_entries} entries in one layer (the cap)")
            path = clean(m.name, what, limits)
            if not path:
                continue
            base = posixpath.basename(path)
            if base.startswith(".wh."):
                parent = posixpath.dirname(path)
                if base == ".wh..wh..opq":
                    cap.entries.append(Entry("opaque", parent))
                elif not base.startswith(".wh..wh."):
                    target = base[4:]
                    if target in ("", ".", ".."):
                        raise ImageError(f"{what}: bad whiteout {m.name!r}")
                    cap.entries.append(Entry("whiteout", (parent + "/" + target).lstrip("/")))
                continue
            if m.isdir():
                if keep.needs_dir(path):
                    cap.entries.append(Entry("dir", path, m.mode))
                else:
                    cap.unlisted += 1
            elif m.issym():
                if len(m.linkname) > limits.max_path or "\0" in m.linkname:
                    raise ImageError(f"{what}: symlink {m.name!r} has an overlong target")
                cap.entries.append(Entry("symlink", path, m.mode, link=m.linkname))
            elif m.islnk():
                cap.entries.append(Entry("link", path, m.mode, link=clean(m.linkname, what, limits)))
            elif m.isreg():
                entry = _file(tf, m, path, cap, n, what, limits)
                if entry.data is not None or keep.needs_stub(path):
                    cap.entries.append(entry)
                else:
                    cap.unlisted += 1
            else:   # character/block devices, FIFOs, contiguous files: never created
                if len(cap.skipped) < 20:
                    cap.skipped.append("/" + path)
    except tarfile.TarError as exc:
        raise ImageError(f"{what}: broken tar stream ({exc})") from None
    except EOFError:
        raise ImageError(f"{what}: the layer ends in the middle of an entry (truncated blob)") from None
    return cap


def _file(tf, m, path: str, cap: LayerCapture, n: int, what: str, limits: Limits) -> Entry:
    entry = Entry("file", path, m.mode, m.size)
    if m.size == 0 or m.issparse():     # a GNU sparse member may claim terabytes that are not in the stream
        return entry
    mode = keep.whole_or_head(path)
    if mode is None and not keep.elf_candidate(path, m.mode):
        return entry          # a .py, a header, data: never opened (tarfile skips its bytes)
    fh = tf.extractfile(m)
    first = fh.read(min(m.size, CHUNK))
    is_elf = looks_elf(first)
    if mode is None and not is_elf:
        return entry          # the rest is skipped by tarfile without being stored
    name = f"f{n}"
    dest = os.path.join(cap.workdir, name)
    fd = os.open(dest, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, m.size)
        if mode == "whole" and m.size <= limits.max_keep_file:
            os.pwrite(fd, first, 0)
            pos = len(first)
            while pos < m.size:
                chunk = fh.read(min(CHUNK, m.size - pos))
                if not chunk:
                    raise EOFError
                os.pwrite(fd, chunk, pos)
                pos += len(chunk)
            cap.kept_bytes += m.size
        elif is_elf:
            k = ElfKeeper(fd, m.size, first, limits.elf_head, keep.fatbin_wanted(path))
            pos = 0
            chunk = first
            while True:
                k.feed(pos, chunk)
                pos += len(chunk)
                if pos >= m.size:
                    break
                chunk = fh.read(min(CHUNK, m.size - pos))
                if not chunk:
                    raise EOFError
            kept, partial = k.finish("/" + path)
            cap.kept_bytes += kept
            if partial and len(cap.partial) < 20:
                cap.partial.append("/" + path)
        else:   # 'meta' / 'head', or 'whole' but over the cap: the first bytes only
            n = keep.META_BYTES if mode in ("meta", "whole") else keep.HEAD_BYTES
            os.pwrite(fd, first[:n], 0)
            cap.kept_bytes += min(len(first), n)
    finally:
        os.close(fd)
    entry.data = name
    return entry
