"""A small, bounded ELF reader for what the dynamic loader looks at: DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH
and the symbol-version needs/definitions (GLIBC_2.x, GLIBCXX_3.4.x, libcublasLt.so.12, ...).

Why hand-written and not pyelftools: benchmarks/bench_native.py reads the same files both ways (see
docs/native.md for the figures). This reader only follows the program headers to the PT_DYNAMIC segment and reads
the few strings it needs with seek+read, so a 600 MB libcublasLt costs a handful of small reads.

Robustness contract: ``read_elf`` never raises. A truncated, corrupt, non-ELF, unreadable or special file comes back
as ``ElfInfo(error=reason)``. Every loop is bounded, every offset is checked against the file size.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from typing import BinaryIO, Dict, List, Optional, Tuple

from envcheck.root import open_regular

# d_tag values
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_SONAME, DT_RPATH, DT_RUNPATH = 0, 1, 5, 10, 14, 15, 29
DT_VERDEF, DT_VERDEFNUM, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFC, 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
DT_FLAGS_1, DF_1_PIE = 0x6FFFFFFB, 0x08000000
PT_LOAD, PT_DYNAMIC = 1, 2
ELF_MAGIC = b"\x7fELF"
ET_EXEC, ET_DYN = 2, 3

EM_NAMES = {3: "i386", 62: "x86_64", 183: "aarch64", 40: "arm", 21: "ppc64", 22: "s390x", 243: "riscv"}

MAX_DYN_ENTRIES = 1 << 16      # a real .dynamic has < 100 entries
MAX_PHDRS = 1 << 12
MAX_STRING = 1 << 16           # a runpath or a version name is never longer than this
MAX_VERSION_ITEMS = 1 << 14    # verneed/verdef entries + aux entries, all together


class ElfError(Exception):
    """Why a file is not a readable ELF object (always caught inside this module)."""


@dataclass(frozen=True)
class ElfInfo:
    """What the loader needs to know about one ELF object. ``error`` set means the rest is not to be trusted."""
    path: str
    soname: Optional[str] = None
    needed: Tuple[str, ...] = ()
    rpath: Tuple[str, ...] = ()          # DT_RPATH, split on ':' (unexpanded: $ORIGIN stays)
    runpath: Tuple[str, ...] = ()        # DT_RUNPATH, split on ':'
    has_rpath: bool = False
    has_runpath: bool = False
    version_needs: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # soname -> (GLIBC_2.34, ...)
    version_defs: Tuple[str, ...] = ()   # versions this object defines (GLIBC_2.35, libcublasLt.so.12, ...)
    machine: Optional[str] = None        # x86_64, aarch64, ...
    elf_class: Optional[int] = None      # 32 or 64
    elf_type: Optional[int] = None       # ET_EXEC, ET_DYN
    dynamic: bool = False                # has a PT_DYNAMIC segment
    pie: bool = False                    # DF_1_PIE: a position-independent executable (glibc will not load it as a library)
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Reader:
    def __init__(self, fh: BinaryIO, size: int):
        self.fh = fh
        self.size = size

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ElfError(f"truncated: wants bytes {offset}..{offset + length} of a {self.size}-byte file")
        self.fh.seek(offset)
        data = self.fh.read(length)
        if len(data) != length:
            raise ElfError(f"short read at {offset}")
        return data

    def cstring(self, offset: int) -> str:
        if offset < 0 or offset >= self.size:
            raise ElfError(f"string offset {offset} outside the file")
        out = b""
        pos = offset
        while len(out) < MAX_STRING:
            self.fh.seek(pos)
            chunk = self.fh.read(min(256, self.size - pos))
            if not chunk:
                raise ElfError("unterminated string")
            nul = chunk.find(b"\0")
            if nul >= 0:
                return (out + chunk[:nul]).decode("utf-8", "replace")
            out += chunk
            pos += len(chunk)
        raise ElfError("string too long")


def read_elf(path: str, host_path: Optional[str] = None) -> ElfInfo:
    """Read one file's dynamic section. ``path`` is how it is reported; ``host_path`` where to open it (defaults
    to ``path``). Never raises."""
    where = host_path or path
    try:
        with open_regular(where) as fh:
            return _parse(path, _Reader(fh, os.fstat(fh.fileno()).st_size))
    except ElfError as exc:
        return ElfInfo(path, error=str(exc))
    except OSError as exc:
        return ElfInfo(path, error=f"{exc.strerror or type(exc).__name__}")
    except Exception as exc:  # the contract: nothing escapes (struct.error, MemoryError on a crafted size...)
        return ElfInfo(path, error=f"{type(exc).__name__}: {exc}")


def read_elf_bytes(path: str, data: bytes) -> ElfInfo:
    """The same, from bytes in memory (tests, fuzzing)."""
    import io
    try:
        return _parse(path, _Reader(io.BytesIO(data), len(data)))
    except ElfError as exc:
        return ElfInfo(path, error=str(exc))
    except Exception as exc:
        return ElfInfo(path, error=f"{type(exc).__name__}: {exc}")


def _segments(r: _Reader, e: str, is64: bool, e_phoff: int, e_phentsize: int, e_phnum: int, want: int):
    """The program headers: [(vaddr, offset, filesz)] of the PT_LOAD segments and the first PT_DYNAMIC's
    (offset, filesz), or None."""
    table = r.read(e_phoff, e_phentsize * e_phnum)
    loads: List[Tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dyn: Optional[Tuple[int, int]] = None
    for i in range(e_phnum):
        raw = table[i * e_phentsize:i * e_phentsize + want]
        if is64:
            p_type, _pf, p_offset, p_vaddr, _pa, p_filesz, _memsz, _al = struct.unpack(e + "IIQQQQQQ", raw)
        else:
            p_type, p_offset, p_vaddr, _pa, p_filesz, _memsz, _pf, _al = struct.unpack(e + "IIIIIIII", raw)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC and dyn is None:
            dyn = (p_offset, p_filesz)
    return loads, dyn


def _dynamic_tags(r: _Reader, e: str, is64: bool, dyn: Tuple[int, int]):
    """The dynamic section up to DT_NULL: {tag: first value} and the DT_NEEDED string offsets, in order."""
    entsize = 16 if is64 else 8
    count = min(dyn[1] // entsize, MAX_DYN_ENTRIES)
    if dyn[0] + count * entsize > r.size:
        raise ElfError("truncated: the dynamic section runs past the end of the file")
    raw = r.read(dyn[0], count * entsize)
    fmt = e + ("qQ" if is64 else "iI")
    tags: Dict[int, int] = {}
    needed_off: List[int] = []
    for i in range(count):
        tag, val = struct.unpack_from(fmt, raw, i * entsize)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            needed_off.append(val)
        elif tag not in tags:
            tags[tag] = val
    return tags, needed_off


def _parse(path: str, r: _Reader) -> ElfInfo:
    ident = r.read(0, 16) if r.size >= 16 else b""
    if ident[:4] != ELF_MAGIC:
        raise ElfError("not an ELF file (bad magic)")
    cls, data_enc = ident[4], ident[5]
    if cls not in (1, 2):
        raise ElfError(f"bad ELF class {cls}")
    if data_enc not in (1, 2):
        raise ElfError(f"bad ELF data encoding {data_enc}")
    e = "<" if data_enc == 1 else ">"
    is64 = cls == 2
    if is64:
        hdr = r.read(16, 48)
        e_type, e_machine, _ver, _entry, e_phoff, _shoff, _flags, _ehsize, e_phentsize, e_phnum = \
            struct.unpack(e + "HHIQQQIHHH", hdr[:42])
    else:
        hdr = r.read(16, 36)
        e_type, e_machine, _ver, _entry, e_phoff, _shoff, _flags, _ehsize, e_phentsize, e_phnum = \
            struct.unpack(e + "HHIIIIIHHH", hdr[:30])
    machine = EM_NAMES.get(e_machine, f"em{e_machine}")
    base = dict(path=path, machine=machine, elf_class=64 if is64 else 32, elf_type=e_type)
    if e_phnum == 0:
        return ElfInfo(**base)  # a relocatable object or a stripped oddity: no dynamic info at all
    if e_phnum > MAX_PHDRS:
        raise ElfError(f"implausible program header count {e_phnum}")
    want = 56 if is64 else 32
    if e_phentsize < want:
        raise ElfError(f"bad program header size {e_phentsize}")
    loads, dyn = _segments(r, e, is64, e_phoff, e_phentsize, e_phnum, want)
    if dyn is None:
        return ElfInfo(**base)  # statically linked
    tags, needed_off = _dynamic_tags(r, e, is64, dyn)

    def to_off(vaddr: int) -> int:
        for v, off, sz in loads:
            if v <= vaddr < v + sz:
                return vaddr - v + off
        if not loads and 0 <= vaddr < r.size:  # no PT_LOAD: treat addresses as offsets
            return vaddr
        raise ElfError(f"address {vaddr:#x} is not in any loaded segment")

    if DT_STRTAB not in tags:
        if needed_off or DT_SONAME in tags:
            raise ElfError("dynamic section has names but no DT_STRTAB")
        return ElfInfo(dynamic=True, pie=bool(tags.get(DT_FLAGS_1, 0) & DF_1_PIE), **base)
    strtab = to_off(tags[DT_STRTAB])
    strsz = tags.get(DT_STRSZ, r.size - strtab)

    def name(idx: int) -> str:
        if idx < 0 or idx >= max(strsz, 1):
            raise ElfError(f"string index {idx} outside DT_STRSZ {strsz}")
        return r.cstring(strtab + idx)

    needed = tuple(name(o) for o in needed_off)
    soname = name(tags[DT_SONAME]) if DT_SONAME in tags else None
    rpath = _split(name(tags[DT_RPATH])) if DT_RPATH in tags else ()
    runpath = _split(name(tags[DT_RUNPATH])) if DT_RUNPATH in tags else ()

    budget = [MAX_VERSION_ITEMS]
    version_needs: Dict[str, Tuple[str, ...]] = {}
    if DT_VERNEED in tags:
        version_needs = _verneed(r, e, to_off(tags[DT_VERNEED]), tags.get(DT_VERNEEDNUM, 0), name, budget)
    version_defs: Tuple[str, ...] = ()
    if DT_VERDEF in tags:
        version_defs = _verdef(r, e, to_off(tags[DT_VERDEF]), tags.get(DT_VERDEFNUM, 0), name, budget)
    return ElfInfo(soname=soname, needed=needed, rpath=rpath, runpath=runpath, has_rpath=DT_RPATH in tags,
                   has_runpath=DT_RUNPATH in tags, version_needs=version_needs, version_defs=version_defs,
                   dynamic=True, pie=bool(tags.get(DT_FLAGS_1, 0) & DF_1_PIE), **base)


def _split(value: str) -> Tuple[str, ...]:
    return tuple(p for p in value.split(":") if p)


def _verneed(r: _Reader, e: str, off: int, num: int, name, budget) -> Dict[str, Tuple[str, ...]]:
    out: Dict[str, List[str]] = {}
    seen = set()
    for _ in range(min(num, MAX_VERSION_ITEMS) if num else MAX_VERSION_ITEMS):
        if off in seen:
            raise ElfError("verneed chain loops")
        seen.add(off)
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack(e + "HHIII", r.read(off, 16))
        if vn_version != 1:
            raise ElfError(f"unknown verneed version {vn_version}")
        lib = name(vn_file)
        vers = out.setdefault(lib, [])
        aoff = off + vn_aux
        for _j in range(vn_cnt):
            budget[0] -= 1
            if budget[0] < 0:
                raise ElfError("too many version entries")
            _hash, _flags, _other, vna_name, vna_next = struct.unpack(e + "IHHII", r.read(aoff, 16))
            vers.append(name(vna_name))
            if vna_next == 0:
                break
            aoff += vna_next
        if vn_next == 0:
            break
        off += vn_next
    return {k: tuple(v) for k, v in out.items()}


def _verdef(r: _Reader, e: str, off: int, num: int, name, budget) -> Tuple[str, ...]:
    out: List[str] = []
    seen = set()
    for _ in range(min(num, MAX_VERSION_ITEMS) if num else MAX_VERSION_ITEMS):
        if off in seen:
            raise ElfError("verdef chain loops")
        seen.add(off)
        vd_version, vd_flags, _ndx, vd_cnt, _hash, vd_aux, vd_next = struct.unpack(e + "HHHHIII", r.read(off, 20))
        if vd_version != 1:
            raise ElfError(f"unknown verdef version {vd_version}")
        budget[0] -= 1
        if budget[0] < 0:
            raise ElfError("too many version entries")
        if vd_cnt:
            vda_name, _vda_next = struct.unpack(e + "II", r.read(off + vd_aux, 8))
            if not vd_flags & 1:  # VER_FLG_BASE names the file itself, not a version
                out.append(name(vda_name))
        if vd_next == 0:
            break
        off += vd_next
    return tuple(out)


def glibc_needed(info: ElfInfo) -> Optional[str]:
    """The highest GLIBC_x.y this object asks of libc.so.6/libm/libpthread/ld-linux (None if none)."""
    best: Optional[Tuple[int, ...]] = None
    text = None
    for lib, vers in info.version_needs.items():
        for v in vers:
            if v.startswith("GLIBC_") and v[6:7].isdigit():
                key = _num_key(v[6:])
                if key and (best is None or key > best):
                    best, text = key, v[6:]
    return text


def highest(versions, prefix: str) -> Optional[str]:
    best: Optional[Tuple[int, ...]] = None
    text = None
    for v in versions:
        if v.startswith(prefix) and v[len(prefix):len(prefix) + 1].isdigit():
            key = _num_key(v[len(prefix):])
            if key and (best is None or key > best):
                best, text = key, v[len(prefix):]
    return text


def _num_key(s: str) -> Tuple[int, ...]:
    out = []
    for part in s.split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)
