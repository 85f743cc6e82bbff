"""Keeping just enough of an ELF file while it streams past once.

While the bytes go by: the head (ELF header, program headers and the read-only segment before the first
executable one, where .dynsym/.dynstr/.gnu.version_r live; at most Limits.elf_head) is held in memory, never on
disk: which of its bytes matter is known only when .dynamic (usually after .text) has
passed. On disk go the PT_DYNAMIC segment, the string and version tables it points to when they lie after it
(patchelf'd objects), and for kernel libraries the section header table with the bytes just before it
(.shstrtab) plus every fatbin container and entry header (found by their magic and followed header to header,
skipping the payloads). When the file has passed, envcheck's own readers (elf.py, fatbin.py) run on the sparse
copy and the held head together, through a recorder, and only the byte ranges they touched are written: the rest
becomes holes. Peak disk is therefore what is kept plus what lies after the head and is wanted, not the head."""
from __future__ import annotations

import heapq
import os
import struct
from typing import List, Optional, Tuple

from envcheck import elf as _elf
from envcheck import fatbin as _fatbin

FATBIN_MAGIC = struct.pack("<I", 0xBA55ED50)
PF_X = 1
BLOCK = 4096
MAX_WANTS = 1 << 20


def _merge(ranges: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    out: List[Tuple[int, int]] = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


class _Layout:
    def __init__(self, size: int, head_cap: int):
        self.head_end = min(size, head_cap)
        self.fixed: List[Tuple[int, int]] = []
        self.sh: Optional[Tuple[int, int]] = None        # (section header table offset, its length)
        self.loads: List[Tuple[int, int, int]] = []      # PT_LOAD (vaddr, offset, filesz)
        self.dyn: Optional[Tuple[int, int]] = None       # PT_DYNAMIC (offset, filesz)
        self.wide = True
        self.endian = "<"

    def offset(self, vaddr: int) -> Optional[int]:
        """The file offset of a virtual address, through the PT_LOAD segments (as elf.py maps it)."""
        for va, off, filesz in self.loads:
            if va <= vaddr < va + filesz:
                return off + (vaddr - va)
        return None


def _layout(head: bytes, size: int, head_cap: int) -> _Layout:
    """Where the bytes elf.py will want lie, from the ELF and program headers in the file's first bytes."""
    lay = _Layout(size, head_cap)
    try:
        cls, data = head[4], head[5]
        e = lay.endian = "<" if data == 1 else ">"
        lay.wide = cls == 2
        if cls == 2:
            phoff, shoff = struct.unpack_from(e + "QQ", head, 0x20)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", head, 0x36)[0:4]
            fmt, i_off, i_va, i_filesz, i_flags = e + "IIQQQQQQ", 2, 3, 5, 1
        else:
            phoff, shoff = struct.unpack_from(e + "II", head, 0x1C)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", head, 0x2A)[0:4]
            fmt, i_off, i_va, i_filesz, i_flags = e + "IIIIIIII", 1, 2, 4, 6
        if shoff and shentsize and shoff < size:
            lay.sh = (shoff, max(1, shnum) * shentsize)
        if phoff + phnum * phentsize > len(head) or phentsize < struct.calcsize(fmt) or phnum > 4096:
            return lay
        first_exec = None
        for i in range(phnum):
            ph = struct.unpack_from(fmt, head, phoff + i * phentsize)
            p_type, p_flags, off, filesz = ph[0], ph[i_flags], ph[i_off], ph[i_filesz]
            if p_type == _elf.PT_DYNAMIC:
                lay.fixed.append((off, min(size, off + filesz)))
                lay.dyn = (off, min(filesz, size - off, 1 << 20))
            elif p_type == _elf.PT_LOAD:
                lay.loads.append((ph[i_va], off, filesz))
                if p_flags & PF_X and off >= BLOCK:
                    first_exec = off if first_exec is None else min(first_exec, off)
        if first_exec is not None:
            lay.head_end = min(lay.head_end, first_exec)
    except (struct.error, IndexError):
        pass
    return lay


class ElfKeeper:
    """Feed it the file's bytes in order; it writes the wanted ones into `fd` (already truncated to `size`)."""

    def __init__(self, fd: int, size: int, first: bytes, head_cap: int, fatbin: bool):
        self.fd = fd
        self.size = size
        self.fatbin = fatbin
        self.lay = lay = _layout(first, size, head_cap)
        self.head_end = lay.head_end
        self.held = _Held(self.head_end)       # the head, in memory, until the readers have run
        self.fixed = list(lay.fixed)
        if fatbin and lay.sh is not None:
            shoff, n = lay.sh
            self.fixed.append((max(0, shoff - (64 << 10)), min(size, shoff + n)))
        self.fixed = _merge(self.fixed)
        self.captured: List[Tuple[int, int]] = []
        self.wants: list = []          # heap of (start, length, kind, container_end)
        self.partial: dict = {}        # start -> bytearray being filled
        self.nwants = 0
        self.tail = b""                # last 3 bytes, for a magic split across chunks
        if lay.dyn is not None and lay.dyn[1] > 0:
            # the dynamic section names where .dynstr and the version tables are; patchelf'd objects (every
            # auditwheel-repaired wheel) keep them after .dynamic, so they are wanted when it has passed
            self._want(lay.dyn[0], lay.dyn[1], "dyn", 0)

    def feed(self, pos: int, chunk: bytes) -> None:
        end = pos + len(chunk)
        if pos < self.head_end:
            self.held.add(pos, chunk[:self.head_end - pos])
        for s, e in self.fixed:
            a, b = max(s, pos), min(e, end)
            if a < b:
                os.pwrite(self.fd, chunk[a - pos:b - pos], a)
                self.captured.append((a, b))
        if self.fatbin:
            hay = self.tail + chunk
            base = pos - len(self.tail)
            i = hay.find(FATBIN_MAGIC)
            while i >= 0:
                o = base + i
                if o >= self.head_end:
                    self._want(o, 16, "hdr", 0)
                i = hay.find(FATBIN_MAGIC, i + 1)
            self.tail = chunk[-3:]
        while self.wants and self.wants[0][0] < end:
            start, length, kind, cend = heapq.heappop(self.wants)
            if start < pos and start not in self.partial:
                continue                          # behind us (should not happen): the reader will see a hole
            buf = self.partial.pop(start, bytearray())
            have = start + len(buf)
            take_to = min(start + length, end)
            if have < take_to:
                buf += chunk[have - pos:take_to - pos]
            if len(buf) < length:
                self.partial[start] = buf
                heapq.heappush(self.wants, (start, length, kind, cend))
                break
            data = bytes(buf)
            os.pwrite(self.fd, data, start)
            self.captured.append((start, start + length))
            self._follow(start, data, kind, cend)

    def _want(self, start: int, length: int, kind: str, cend: int) -> None:
        if self.nwants >= MAX_WANTS or length <= 0 or start + length > self.size:
            return
        self.nwants += 1
        heapq.heappush(self.wants, (start, length, kind, cend))

    def _follow(self, start: int, data: bytes, kind: str, cend: int) -> None:
        if kind == "dyn":
            self._dynamic(data)
        elif kind == "hdr":
            magic, version, hsize, fsize = struct.unpack_from("<IHHQ", data, 0)
            end = start + hsize + fsize
            if version == 1 and hsize >= 16 and end <= self.size and start + hsize < end:
                e = start + hsize
                self._want(e, min(64, end - e), "ent", end)
        elif len(data) >= 16:
            _, _, ehsize, psize = struct.unpack_from("<HHIQ", data, 0)
            nxt = start + ehsize + psize
            if ehsize >= 32 and nxt < cend:
                self._want(nxt, min(64, cend - nxt), "ent", cend)

    def _dynamic(self, data: bytes) -> None:
        """Want the string table and the version tables the dynamic section points to (ahead of the stream)."""
        lay = self.lay
        fmt = lay.endian + ("qQ" if lay.wide else "iI")
        step = struct.calcsize(fmt)
        tags = {}
        for i in range(0, len(data) - step + 1, step):
            tag, val = struct.unpack_from(fmt, data, i)
            if tag == _elf.DT_NULL:
                break
            if tag in (_elf.DT_STRTAB, _elf.DT_STRSZ, _elf.DT_VERNEED, _elf.DT_VERDEF):
                tags.setdefault(tag, val)
        strtab = lay.offset(tags[_elf.DT_STRTAB]) if _elf.DT_STRTAB in tags else None
        if strtab is not None:
            n = min(tags.get(_elf.DT_STRSZ, 64 << 10), 64 << 20, self.size - strtab)
            self._want(strtab, n, "raw", 0)
        for tag in (_elf.DT_VERNEED, _elf.DT_VERDEF):
            off = lay.offset(tags[tag]) if tag in tags else None
            if off is not None:
                self._want(off, min(64 << 10, self.size - off), "raw", 0)

    def finish(self, path: str) -> Tuple[int, bool]:
        """Trim to what the readers touch. (bytes kept, read-in-part) -- read-in-part when elf.py needed bytes
        that were not kept (the head cap was too small for this file)."""
        captured = _merge(self.captured + ([(0, self.held.end)] if self.held.end else []))
        with os.fdopen(os.dup(self.fd), "rb") as fh:
            src = _HeldFile(fh, self.held, self.size)
            rec = _Recorder(src)
            try:
                _elf._parse(path, _elf._Reader(rec, self.size))
            except Exception:
                pass
            starts = [s for s, _ in rec.ranges]
            elf_ranges = _merge(rec.ranges)
            if self.fatbin:
                rec.ranges = []
                _fatbin.read_archs(rec)
                fat_ranges = rec.ranges
            else:
                fat_ranges = []
            keep = _merge([(s // BLOCK * BLOCK, min(self.size, -(-e // BLOCK) * BLOCK))
                           for s, e in elf_ranges + fat_ranges + [(0, min(self.size, BLOCK))]])
            keep = [(s, e) for s, e in _intersect(keep, captured)]
            blobs = [(s, src.pread(s, e - s)) for s, e in keep]
        self.held.clear()
        partial = any(not _covered(s, captured) for s in starts)
        os.ftruncate(self.fd, 0)
        os.ftruncate(self.fd, self.size)
        kept = 0
        for s, data in blobs:
            os.pwrite(self.fd, data, s)
            kept += len(data)
        return kept, partial


class _Held:
    """The file's first bytes, up to `cap`, in memory (fed in order). Raw, not compressed: zlib at level 1 saved
    ~19 MiB of peak RSS on the real image of docs/image.md but cost ~3 s of CPU (13.1 -> 16.2 s)."""

    def __init__(self, cap: int):
        self.cap = cap
        self.buf = bytearray()

    @property
    def end(self) -> int:
        return len(self.buf)

    def add(self, pos: int, data: bytes) -> None:
        if pos == len(self.buf) and data:
            self.buf += data[:max(0, self.cap - pos)]

    def read(self, off: int, n: int) -> bytes:
        return bytes(self.buf[off:off + n])

    def clear(self) -> None:
        self.buf = bytearray()


class _HeldFile:
    """The sparse copy on disk with the held head laid over its first bytes: a read-only file object."""

    def __init__(self, fh, held: _Held, size: int):
        self.fh, self.held, self.size, self.pos = fh, held, size, 0

    def seek(self, off: int, whence: int = 0) -> int:
        self.pos = off if whence == 0 else (self.pos + off if whence == 1 else self.size + off)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def pread(self, off: int, n: int) -> bytes:
        n = max(0, min(n, self.size - off))
        h = self.held.end
        if off >= h:
            return os.pread(self.fh.fileno(), n, off)
        first = self.held.read(off, min(n, h - off))
        rest = os.pread(self.fh.fileno(), n - len(first), off + len(first)) if n > len(first) else b""
        return first + rest

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.pos if n is None or n < 0 else n
        data = self.pread(self.pos, n)
        self.pos += len(data)
        return data


def _intersect(a: List[Tuple[int, int]], b: List[Tuple[int, int]]):
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            yield s, e
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1


def _covered(at: int, captured: List[Tuple[int, int]]) -> bool:
    """Was the byte at `at` kept? (A reader's 256-byte string read may run past a kept range harmlessly.)"""
    return any(s <= at < e for s, e in captured)


class _Recorder:
    """A file object that notes every byte range read through it."""

    def __init__(self, fh):
        self.fh = fh
        self.ranges: List[Tuple[int, int]] = []

    def seek(self, off: int, whence: int = 0) -> int:
        return self.fh.seek(off, whence)

    def tell(self) -> int:
        return self.fh.tell()

    def read(self, n: int = -1) -> bytes:
        pos = self.fh.tell()
        data = self.fh.read(n)
        self.ranges.append((pos, pos + len(data)))
        return data


def looks_elf(first: bytes) -> bool:
    return len(first) >= 52 and first[:4] == b"\x7fELF" and first[4] in (1, 2) and first[5] in (1, 2)

