"""/etc/ld.so.cache (both formats) and /etc/ld.so.conf(.d), read the way glibc's loader and ldconfig read them.

Formats (glibc sysdeps/generic/dl-cache.h):
- old, magic ``ld.so-1.7.0``: header {magic[11]+pad, nlibs u32}, then nlibs × {flags i32, key u32, value u32};
  string offsets count from the end of that entry table.
- new, magic ``glibc-ld.so.cache1.1``: header {magic[20], nlibs u32, len_strings u32, flags u8, pad[3],
  extension_offset u32, unused[3] u32} (48 bytes), then nlibs × {flags i32, key u32, value u32, osversion u32,
  hwcap u64} (24 bytes); string offsets count from the start of the new header. A "compat" file is an old table
  followed (8-aligned) by a new one; the loader uses the new one when present (dl-cache.c), and so do we.
Entry flags: low byte = type (1 ELF, 3 ELF_LIBC6), high byte = the ABI (0x03 x86-64, 0x0a aarch64, 0 i386 ...).
"""
from __future__ import annotations

import fnmatch
import posixpath
import struct
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

OLD_MAGIC = b"ld.so-1.7.0"
NEW_MAGIC = b"glibc-ld.so.cache1.1"
NEW_MAGIC_PREFIX = b"glibc-ld.so.cache"

FLAG_TYPE_MASK = 0x00FF
FLAG_REQUIRED_MASK = 0xFF00
# the ABI byte ldconfig writes for each machine (sysdeps/generic/ldconfig.h)
ARCH_FLAGS = {"x86_64": 0x0300, "aarch64": 0x0A00, "i386": 0x0000, "ppc64": 0x0500, "s390x": 0x0400,
              "riscv": 0x1000, "arm": 0x0000}

MAX_ENTRIES = 1 << 20


@dataclass(frozen=True)
class CacheEntry:
    soname: str
    path: str
    flags: int
    hwcap: int = 0


@dataclass(frozen=True)
class LdCache:
    format: Optional[str]              # "new", "old", "compat" (old + new) or None when unreadable
    entries: Tuple[CacheEntry, ...] = ()
    error: Optional[str] = None

    def lookup(self, soname: str, machine: Optional[str] = None) -> Optional[CacheEntry]:
        """The entry the loader would take: the first for this soname whose ABI matches ``machine``; entries for
        a glibc-hwcaps subdirectory (hwcap bit 62) only when no plain one exists."""
        want = ARCH_FLAGS.get(machine or "", None)
        fallback = None
        for e in self.by_name().get(soname, ()):
            if e.flags & FLAG_TYPE_MASK not in (1, 3):
                continue
            if want is not None and (e.flags & FLAG_REQUIRED_MASK) != want:
                continue
            if e.hwcap:
                fallback = fallback or e
                continue
            return e
        return fallback

    def by_name(self) -> Dict[str, List[CacheEntry]]:
        cached = getattr(self, "_by_name", None)
        if cached is None:
            cached = {}
            for e in self.entries:
                cached.setdefault(e.soname, []).append(e)
            object.__setattr__(self, "_by_name", cached)
        return cached


def parse_cache(data: bytes) -> LdCache:
    """Parse the bytes of an ld.so.cache. Never raises: a bad file gives LdCache(None, error=...)."""
    try:
        if data.startswith(OLD_MAGIC):
            nlibs = struct.unpack_from("<I", data, 12)[0]
            if nlibs > MAX_ENTRIES:
                return LdCache(None, error=f"implausible entry count {nlibs}")
            table_end = 16 + nlibs * 12
            new_at = (table_end + 7) & ~7
            if len(data) >= new_at + 48 and data[new_at:new_at + 20] == NEW_MAGIC:
                return LdCache("compat", _parse_new(data, new_at))
            entries = []
            for i in range(nlibs):
                flags, key, value = struct.unpack_from("<iII", data, 16 + i * 12)
                entries.append(CacheEntry(_cstr(data, table_end + key), _cstr(data, table_end + value), flags))
            return LdCache("old", tuple(entries))
        if data.startswith(NEW_MAGIC_PREFIX):
            if not data.startswith(NEW_MAGIC):
                return LdCache(None, error=f"unknown cache version {data[:20]!r}")
            if len(data) < 48:
                return LdCache(None, error="corrupt ld.so.cache: truncated header")
            return LdCache("new", _parse_new(data, 0))
        return LdCache(None, error="not an ld.so.cache (bad magic)")
    except (struct.error, ValueError, IndexError) as exc:
        return LdCache(None, error=f"corrupt ld.so.cache: {exc}")


def _parse_new(data: bytes, base: int) -> Tuple[CacheEntry, ...]:
    nlibs = struct.unpack_from("<I", data, base + 20)[0]
    if nlibs > MAX_ENTRIES:
        raise ValueError(f"implausible entry count {nlibs}")
    out = []
    for i in range(nlibs):
        flags, key, value, _osv, hwcap = struct.unpack_from("<iIIIQ", data, base + 48 + i * 24)
        out.append(CacheEntry(_cstr(data, base + key), _cstr(data, base + value), flags, hwcap))
    return tuple(out)


def _cstr(data: bytes, off: int) -> str:
    if off < 0 or off >= len(data):
        raise ValueError(f"string offset {off} outside the file")
    end = data.find(b"\0", off, off + 4096)
    if end < 0:
        raise ValueError("unterminated string")
    return data[off:end].decode("utf-8", "replace")


def read_cache(root, path: str = "/etc/ld.so.cache") -> LdCache:
    try:
        data = root.read_bytes(path, limit=64 << 20)
    except OSError as exc:
        return LdCache(None, error=f"{exc.strerror or type(exc).__name__}: {path}")
    return parse_cache(data)


def read_conf(root, path: str = "/etc/ld.so.conf", _depth: int = 0, _seen=None) -> Tuple[List[str], List[str]]:
    """Directories named by ld.so.conf and its includes, in order: (dirs, errors). Globs in ``include`` are
    matched inside the root; relative include patterns are relative to the including file's directory."""
    seen = _seen if _seen is not None else set()
    dirs: List[str] = []
    errors: List[str] = []
    if _depth > 8 or path in seen:
        return dirs, errors
    seen.add(path)
    try:
        text = root.read_text(path, limit=1 << 20)
    except OSError as exc:
        if _depth == 0:
            errors.append(f"{exc.strerror or type(exc).__name__}: {path}")
        return dirs, errors
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include") and line[7:8] in (" ", "\t"):
            for pattern in line[8:].split():
                if not pattern.startswith("/"):
                    pattern = posixpath.join(posixpath.dirname(path), pattern)
                directory, pat = posixpath.split(pattern)
                try:
                    names = root.listdir(directory)
                except OSError:
                    continue
                for n in names:
                    if fnmatch.fnmatch(n, pat):
                        d, e = read_conf(root, posixpath.join(directory, n), _depth + 1, seen)
                        dirs.extend(d)
                        errors.extend(e)
            continue
        if line.startswith("hwcap") and line[5:6] in (" ", "\t"):
            continue
        for d in line.replace(",", " ").split():
            d = d.split("=", 1)[0]  # old "dir=TYPE" syntax
            if d.startswith("/") and d not in dirs:
                dirs.append(d.rstrip("/") or "/")
    return dirs, errors
