"""Dynamic symbols, for the one question the loader asks after it has found every file: does each undefined
symbol of an object have a definition? ('undefined symbol: FLAGS_caffe2_log_level', 'undefined symbol:
__nvJitLinkAddData_12_1, version libnvJitLink.so.12', an extension built against another torch.)

Read from the dynamic segment only (DT_SYMTAB, DT_STRTAB, DT_GNU_HASH or DT_HASH, DT_VERSYM, DT_VERNEED), as the
loader does, through a memory map: a lookup is the loader's own hash-table walk (the GNU bloom filter, a bucket,
a chain), so asking whether a 600 MB libcublasLt defines a name costs a few page reads. Never raises: a file that
cannot be read this way answers ``None`` (unknown), and callers then say nothing.
"""
from __future__ import annotations

import mmap
import os
import re
import stat
import struct
from typing import Callable, Dict, List, Optional, Sequence, Tuple

DT_NULL, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ = 0, 4, 5, 6, 10
DT_GNU_HASH, DT_VERSYM, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFEF5, 0x6FFFFFF0, 0x6FFFFFFE, 0x6FFFFFFF
STB_GLOBAL, STB_WEAK = 1, 2
MAX_SYMBOLS = 1 << 21          # libtorch_cpu.so has ~150k; a crafted count cannot run away
MAX_UNDEFINED = 1 << 17


def gnu_hash(name: bytes) -> int:
    h = 5381
    for c in name:
        h = (h * 33 + c) & 0xFFFFFFFF
    return h


def sysv_hash(name: bytes) -> int:
    h = 0
    for c in name:
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


class Symbols:
    """One ELF64 little-endian object's dynamic symbol table (the only kind the wheels we read ship)."""

    def __init__(self, host_path: str):
        self.ok = False
        self._m: Optional[mmap.mmap] = None
        try:
            st = os.stat(host_path)
            if not stat.S_ISREG(st.st_mode) or st.st_size < 64:
                return
            with open(host_path, "rb") as fh:
                self._m = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            self._parse()
            self.ok = True
        except (OSError, ValueError, struct.error, IndexError):
            self.close()

    def close(self) -> None:
        if self._m is not None:
            try:
                self._m.close()
            except (OSError, ValueError):
                pass
            self._m = None
        self.ok = False

    # -- the dynamic segment --------------------------------------------------------------------------------
    def _parse(self) -> None:
        m = self._m
        if m[:4] != b"\x7fELF" or m[4] != 2 or m[5] != 1:
            raise ValueError("not ELF64 little-endian")
        phoff, = struct.unpack_from("<Q", m, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", m, 0x36)
        loads: List[Tuple[int, int, int]] = []
        dyn = None
        for i in range(min(phnum, 4096)):
            p_type, _f, off, vaddr, _pa, filesz, _ms, _al = struct.unpack_from("<IIQQQQQQ", m, phoff + i * phentsize)
            if p_type == 1:
                loads.append((vaddr, off, filesz))
            elif p_type == 2 and dyn is None:
                dyn = (off, filesz)
        if dyn is None:
            raise ValueError("no dynamic segment")
        self._loads = loads
        tags: Dict[int, int] = {}
        for i in range(min(dyn[1] // 16, 1 << 16)):
            tag, val = struct.unpack_from("<qQ", m, dyn[0] + i * 16)
            if tag == DT_NULL:
                break
            tags.setdefault(tag, val)
        if DT_SYMTAB not in tags or DT_STRTAB not in tags:
            raise ValueError("no dynamic symbol table")
        self.symtab = self._off(tags[DT_SYMTAB])
        self.strtab = self._off(tags[DT_STRTAB])
        self.strsz = tags.get(DT_STRSZ, len(m) - self.strtab)
        self.gnu = self._off(tags[DT_GNU_HASH]) if DT_GNU_HASH in tags else None
        self.sysv = self._off(tags[DT_HASH]) if DT_HASH in tags else None
        self.versym = self._off(tags[DT_VERSYM]) if DT_VERSYM in tags else None
        self._vernames = self._verneed(tags) if DT_VERNEED in tags else {}
        self.count = self._count()

    def _off(self, vaddr: int) -> int:
        for v, off, sz in self._loads:
            if v <= vaddr < v + sz:
                return vaddr - v + off
        raise ValueError(f"address {vaddr:#x} outside the loaded segments")

    def _name(self, off: int) -> bytes:
        start = self.strtab + off
        end = self._m.find(b"\0", start, start + 4096)
        if end < 0:
            raise ValueError("unterminated symbol name")
        return self._m[start:end]

    def _verneed(self, tags) -> Dict[int, bytes]:
        """versym index -> the version name an undefined symbol asks for (GLIBC_2.34, libnvJitLink.so.12)."""
        m, out = self._m, {}
        off = self._off(tags[DT_VERNEED])
        for _ in range(min(tags.get(DT_VERNEEDNUM, 0), 4096)):
            _v, cnt, _file, aux, nxt = struct.unpack_from("<HHIII", m, off)
            a = off + aux
            for _ in range(min(cnt, 4096)):
                _h, _fl, other, name, anext = struct.unpack_from("<IHHII", m, a)
                out[other] = self._name(name)
                if not anext:
                    break
                a += anext
            if not nxt:
                break
            off += nxt
        return out

    def _count(self) -> int:
        m = self._m
        if self.sysv is not None:
            _nb, nchain = struct.unpack_from("<II", m, self.sysv)
            return min(nchain, MAX_SYMBOLS)
        if self.gnu is None:
            raise ValueError("no hash table")
        nbuckets, symoffset, bloom_size, _shift = struct.unpack_from("<IIII", m, self.gnu)
        buckets = self.gnu + 16 + bloom_size * 8
        last = 0
        for b in struct.unpack_from(f"<{nbuckets}I", m, buckets) if nbuckets < (1 << 24) else ():
            last = max(last, b)
        if last < symoffset:
            return symoffset
        chain = buckets + nbuckets * 4
        i = last
        while i < MAX_SYMBOLS:
            h, = struct.unpack_from("<I", m, chain + (i - symoffset) * 4)
            if h & 1:
                break
            i += 1
        return i + 1

    # -- questions ------------------------------------------------------------------------------------------
    def undefined(self, unhashed_only: bool = False) -> List[Tuple[bytes, Optional[bytes]]]:
        """Undefined, non-weak symbols that must be found at load time: (name, version asked for or None).
        ``unhashed_only``: read only the symbols before the GNU hash table's first (where GNU ld, gold and lld put
        every undefined one): libtorch_cuda.so's 3,170 imports instead of its 49,278 symbols."""
        m, out = self._m, []
        count = self.count
        if unhashed_only and self.gnu is not None:
            count = min(count, struct.unpack_from("<I", m, self.gnu + 4)[0])
        for i, (st_name, st_info, _other, shndx, _value, _size) in enumerate(
                struct.iter_unpack("<IBBHQQ", m[self.symtab + 24:self.symtab + 24 * count])):
            if shndx != 0 or (st_info >> 4) != STB_GLOBAL or not st_name:
                continue
            ver = None
            if self.versym is not None:
                vi, = struct.unpack_from("<H", m, self.versym + 2 * (i + 1))
                ver = self._vernames.get(vi & 0x7FFF)
            out.append((self._name(st_name), ver))
            if len(out) >= MAX_UNDEFINED:
                break
        return out

    def defines(self, name: bytes, gnu_h: Optional[int] = None) -> bool:
        """Whether this object exports a definition of ``name`` (any version), by its hash table. ``gnu_h``: the
        name's GNU hash, when the caller asks many objects about one name."""
        m = self._m
        if self.gnu is not None:
            nbuckets, symoffset, bloom_size, shift = struct.unpack_from("<IIII", m, self.gnu)
            if not nbuckets or not bloom_size:
                return False
            h = gnu_h if gnu_h is not None else gnu_hash(name)
            word, = struct.unpack_from("<Q", m, self.gnu + 16 + ((h // 64) % bloom_size) * 8)
            mask = (1 << (h % 64)) | (1 << ((h >> shift) % 64))
            if word & mask != mask:
                return False
            buckets = self.gnu + 16 + bloom_size * 8
            i, = struct.unpack_from("<I", m, buckets + (h % nbuckets) * 4)
            if i < symoffset:
                return False
            chain = buckets + nbuckets * 4
            for _ in range(MAX_SYMBOLS):
                h2, = struct.unpack_from("<I", m, chain + (i - symoffset) * 4)
                if (h | 1) == (h2 | 1) and self._defined_as(i, name):
                    return True
                if h2 & 1:
                    return False
                i += 1
            return False
        if self.sysv is not None:
            nbucket, nchain = struct.unpack_from("<II", m, self.sysv)
            if not nbucket:
                return False
            i, = struct.unpack_from("<I", m, self.sysv + 8 + (sysv_hash(name) % nbucket) * 4)
            for _ in range(min(nchain, MAX_SYMBOLS)):
                if i == 0:
                    return False
                if self._defined_as(i, name):
                    return True
                i, = struct.unpack_from("<I", m, self.sysv + 8 + nbucket * 4 + i * 4)
        return False

    def _defined_as(self, i: int, name: bytes) -> bool:
        st_name, _info, _other, shndx = struct.unpack_from("<IBBH", self._m, self.symtab + 24 * i)
        return shndx != 0 and self._name(st_name) == name


class SymbolCache:
    """Symbols of each file read once per scan (keyed by the real path); closed together."""

    def __init__(self, host):
        self._host = host      # in-root path -> host path (Root.host)
        self._tables: Dict[str, Symbols] = {}

    def get(self, real_path: str) -> Optional[Symbols]:
        t = self._tables.get(real_path)
        if t is None:
            try:
                t = Symbols(self._host(real_path))
            except Exception:
                return None
            self._tables[real_path] = t
        return t if t.ok else None

    def close(self) -> None:
        for t in self._tables.values():
            t.close()
        self._tables.clear()


def lacking(needer: Symbols, provider: Symbols, reference: Symbols, limit: int = 5) -> Tuple[List[str], int]:
    """The undefined symbols of ``needer`` that ``reference`` (the copy it was built against: the one its own
    RUNPATH would find) defines and ``provider`` (the copy the loader picks) does not. Returns up to ``limit``
    names (with their version, as the loader prints them) and the total count."""
    names: List[str] = []
    total = 0
    for name, ver in needer.undefined():
        if reference.defines(name) and not provider.defines(name):
            total += 1
            if len(names) < limit:
                names.append(name.decode("utf-8", "replace") + (f", version {ver.decode('utf-8', 'replace')}" if ver else ""))
    return names, total


def unresolved(needer: Symbols, scope: List[Symbols], limit: int = 5,
               wanted: Optional[Callable[[bytes], bool]] = None) -> Tuple[List[str], int]:
    """The undefined symbols of ``needer`` that no object of ``scope`` defines (what 'undefined symbol' would name);
    with ``wanted``, only the names it accepts (torch's own namespaces, NCCL's functions)."""
    names: List[str] = []
    total = 0
    for name, ver in needer.undefined(unhashed_only=wanted is not None):
        if wanted is not None and not wanted(name):
            continue
        h = gnu_hash(name)
        if not any(s.defines(name, h) for s in scope):
            total += 1
            if len(names) < limit:
                names.append(name.decode("utf-8", "replace") + (f", version {ver.decode('utf-8', 'replace')}" if ver else ""))
    return names, total


# torch's C++ ABI: the mangled names of c10::, at::, torch::, caffe2:: (functions, vtables, typeinfo), as an
# extension built on torch imports them from libc10.so / libtorch*.so
_TORCH_NS = re.compile(rb"^_Z(?:T[VIS]|GV)?N?K?(?:3c10|2at|5torch|6caffe2)[0-9A-Z_]")


# torch's stable C ABI (torch/csrc/stable, the AOTInductor shim): aoti_torch_abi_version, torch_library_impl, which
# torchaudio 2.11's libraries import ('undefined symbol: aoti_torch_abi_version' under torch 2.5.1)
_TORCH_C = (b"aoti_torch_", b"torch_")


def torch_abi_symbol(name: bytes) -> bool:
    """A symbol of torch's own C++ API or its stable C ABI (what a torch of another version may lack)."""
    return bool(_TORCH_NS.match(name)) or name.startswith(_TORCH_C)


def nccl_symbol(name: bytes) -> bool:
    """A function of NCCL's C API (ncclCommInitRank, ncclGroupSimulateEnd), which libtorch_cuda.so imports."""
    return name.startswith(b"nccl")


def demangle(names: Sequence[str]) -> Dict[str, str]:
    """C++ names as c++filt prints them (name -> demangled), for the names it changes; {} where c++filt is
    absent or fails. One process for all names."""
    import shutil       # here, not at the top: only a scan that found a missing symbol pays for these imports
    import subprocess
    tool = shutil.which("c++filt")
    mangled = [n for n in names if n.startswith("_Z")]
    if not tool or not mangled:
        return {}
    try:
        out = subprocess.run([tool], input="\n".join(mangled) + "\n", capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {}
    lines = out.stdout.splitlines()
    return {m: d for m, d in zip(mangled, lines) if d and d != m} if len(lines) == len(mangled) else {}


# numpy's C API: a module compiled against numpy's headers imports numpy's core module by name in import_array().
# numpy >= 2.0's headers name numpy._core._multiarray_umath (and numpy.core's as a fallback for numpy 1.x);
# numpy 1.x's headers name only numpy.core._multiarray_umath. Read on real wheels: pandas 1.5.3 and scipy 1.10.1
# (built against numpy 1.x) carry only the old name; pandas 2.2.3 (built against numpy 2) both.
NUMPY2_MARK = b"numpy._core._multiarray_umath"
NUMPY1_MARK = b"numpy.core._multiarray_umath"
NUMPY_SCAN_LIMIT = 256 << 20


def numpy_headers(host_path: str) -> Optional[int]:
    """The major of the numpy headers a compiled module was built with (1 or 2), or None when it uses no numpy
    C API or cannot be read."""
    try:
        st = os.stat(host_path)
        if not stat.S_ISREG(st.st_mode) or st.st_size < 64 or st.st_size > NUMPY_SCAN_LIMIT:
            return None
        with open(host_path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            if m.find(NUMPY2_MARK) >= 0:
                return 2
            return 1 if m.find(NUMPY1_MARK) >= 0 else None
    except (OSError, ValueError):
        return None
