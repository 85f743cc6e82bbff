"""Which GPU architectures a CUDA binary carries, read from the file alone (no dlopen, no cuobjdump, no torch).

"no kernel image is available for execution on the device" means a library has neither SASS (a cubin) that the
GPU can run nor PTX the driver can JIT-compile for it. This module answers that question from the bytes of the
ELF file: it finds the ``.nv_fatbin`` section (and ``__nv_relfatbin`` in a relocatable .o) through the section
headers and walks the fatbin containers in it, reading only the small headers and seeking over every payload.
A 456 MB libtorch_cuda.so costs ~3,200 small reads (see docs/fatbin.md for the layout, its sources and the measured times).

Layout (little-endian; see docs/fatbin.md for where each field comes from)::

    container header, 16 bytes:  u32 magic 0xBA55ED50 | u16 version (1) | u16 header size (16) | u64 fat size
    entry header, >= 64 bytes:   u16 kind (1 PTX, 2 ELF) | u16 ? | u32 header size | u64 payload size |
                                 u32 compressed size | u32 ? | u16 minor | u16 major | u32 arch (80, 90, 120) |
                                 u32 name offset | u32 name length | u64 flags | u64 0 | u64 decompressed size
    flags: 0x1 64-bit, 0x2 debug, 0x10 Linux, 0x1000/0x2000 NVIDIA LZ compression, 0x8000 zstd compression,
           0x100000 arch-specific (sm_90a), 0x200000 family-specific (sm_100f)

Robustness contract: ``read_archs`` never raises. A truncated, bit-flipped or foreign file comes back with
``error`` set (and whatever was read before the damage). Every loop is bounded and every offset is checked
against the section and the file size.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import BinaryIO, Iterator, List, Optional, Set, Tuple

# distribution name -> the one file (first match, in order) that holds its CUDA kernels, relative to
# site-packages (probes/kernels reads them; an image read keeps them)
KERNEL_LIBRARIES: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    # torch 2.x: all of ATen's CUDA kernels; torch 1.x CUDA 11 builds split it into _cu (kernels) and _cpp
    ("torch", ("torch/lib/libtorch_cuda.so", "torch/lib/libtorch_cuda_cu.so")),
    # the TensorRT-LLM runtime and its kernels (plugins are in libnvinfer_plugin_tensorrt_llm.so beside it)
    ("tensorrt-llm", ("tensorrt_llm/libs/libtensorrt_llm.so",)),
    # vllm's custom ops (attention, quantization, activations); _moe_C and vllm_flash_attn are separate objects
    ("vllm", ("vllm/_C.abi3.so", "vllm/_C.cpython-*.so")),
    # flash-attn 2 installs its extension at the top level of site-packages
    ("flash-attn", ("flash_attn_2_cuda.cpython-*.so", "flash_attn_2_cuda*.so")),
    ("xformers", ("xformers/_C.so", "xformers/_C.abi3.so", "xformers/_C.cpython-*.so")),
)

FATBIN_MAGIC = 0xBA55ED50
FATBIN_SECTIONS = (".nv_fatbin", "__nv_relfatbin")

KIND_PTX = 1
KIND_ELF = 2

FLAG_64BIT = 0x1
FLAG_DEBUG = 0x2
FLAG_LINUX = 0x10
FLAG_COMPRESS_LZ = 0x1000
FLAG_COMPRESS_LZ2 = 0x2000      # nvcc -compress-mode=speed
FLAG_COMPRESS_ZSTD = 0x8000     # nvcc default (CUDA 12.8+), -compress-mode=balance|size
FLAG_COMPRESSED = FLAG_COMPRESS_LZ | FLAG_COMPRESS_LZ2 | FLAG_COMPRESS_ZSTD
FLAG_ARCH_SPECIFIC = 0x100000   # sm_90a / compute_120a: runs only on exactly that compute capability
FLAG_FAMILY = 0x200000          # sm_100f / compute_100f: runs on the family (same major, same or higher minor)

SHT_NOBITS = 8
ET_REL = 1
SHN_XINDEX = 0xFFFF

MAX_SECTIONS = 1 << 20          # a real shared object has < 100
MAX_SECTION_TABLE = 64 << 20    # bytes of section headers we agree to read
MAX_SHSTRTAB = 16 << 20
MAX_ENTRIES = 1 << 22           # libcublasLt has ~10^4 entries; a corrupt file must not spin for ever
PAD_CHUNK = 1 << 16


@dataclass(frozen=True)
class FatbinArchs:
    """The device code a file carries. ``error`` set means the reading stopped early: what is listed was read
    before the damage, and there may be more."""
    sass: Tuple[str, ...]      # ("sm_80", "sm_86", "sm_90a", "sm_100f")
    ptx: Tuple[str, ...]       # ("compute_90",)
    entries: int               # all entries of all containers (PTX, ELF and any other kind)
    compressed: int            # how many of them are compressed (their arch is in the header, so still known)
    error: Optional[str] = None
    containers: int = 0
    other_kinds: Tuple[int, ...] = ()   # entry kinds other than PTX/ELF that were seen (counted, not listed)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def has_device_code(self) -> bool:
        return bool(self.sass or self.ptx)

    def to_dict(self) -> dict:
        d = {"sass": list(self.sass), "ptx": list(self.ptx), "entries": self.entries,
             "compressed": self.compressed, "containers": self.containers}
        if self.other_kinds:
            d["other_kinds"] = list(self.other_kinds)
        if self.error is not None:
            d["error"] = self.error
        return d


class _Bad(Exception):
    """Why the file cannot be read further (always caught inside this module)."""


class _Acc:
    def __init__(self):
        self.sass: Set[Tuple[int, str]] = set()
        self.ptx: Set[Tuple[int, str]] = set()
        self.entries = 0
        self.compressed = 0
        self.containers = 0
        self.other: Set[int] = set()

    def result(self, error: Optional[str] = None) -> FatbinArchs:
        return FatbinArchs(
            sass=tuple(f"sm_{n}{s}" for n, s in sorted(self.sass)),
            ptx=tuple(f"compute_{n}{s}" for n, s in sorted(self.ptx)),
            entries=self.entries, compressed=self.compressed, error=error,
            containers=self.containers, other_kinds=tuple(sorted(self.other)))


class _File:
    def __init__(self, fh: BinaryIO):
        self.fh = fh
        fh.seek(0, 2)
        self.size = fh.tell()

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise _Bad(f"truncated: wanted {length} bytes at {offset:#x}, the file has {self.size:#x}")
        self.fh.seek(offset)
        data = self.fh.read(length)
        if len(data) != length:
            raise _Bad(f"short read at {offset:#x}")
        return data


def read_archs(fh: BinaryIO) -> FatbinArchs:
    """Read the fatbin entry headers of an ELF64 little-endian object (or of a bare .fatbin file). Never raises."""
    acc = _Acc()
    try:
        f = _File(fh)
        head = f.read(0, min(64, f.size))
        if len(head) >= 4 and struct.unpack_from("<I", head, 0)[0] == FATBIN_MAGIC:
            _walk(f, 0, f.size, "fatbin", acc)          # a bare .fatbin (nvcc -fatbin, cuobjdump -xelf all)
            return acc.result()
        for name, offset, size in _sections_read(f, head):
            _walk(f, offset, size, name, acc)
        return acc.result()
    except _Bad as exc:
        return acc.result(str(exc))
    except (OSError, ValueError, struct.error, OverflowError, MemoryError) as exc:
        return acc.result(f"{type(exc).__name__}: {exc}")


def _sections_read(f: "_File", head: bytes) -> List[Tuple[str, int, int]]:
    """The fatbin sections of an ELF64 little-endian object that its loader would register."""
    if head[:4] != b"\x7fELF":
        raise _Bad("not an ELF file")
    if len(head) < 64 or head[4] != 2 or head[5] != 1:
        raise _Bad("unsupported ELF (only 64-bit little-endian is read)")
    sections = _fatbin_sections(f, head)
    if struct.unpack_from("<H", head, 0x10)[0] != ET_REL:
        # A linked object runs what is in .nv_fatbin (the image .nvFatBinSegment registers); its
        # __nv_relfatbin only keeps the relocatable inputs of the device link and is never loaded
        # (cuobjdump does not list it either). Only a relocatable .o is read from __nv_relfatbin.
        sections = [s for s in sections if s[0] == ".nv_fatbin"]
    return sections


@dataclass(frozen=True)
class Entry:
    """One fatbin entry header: where it is in the file and what it says."""
    offset: int          # file offset of the entry header (its arch field is at offset + 28)
    kind: int            # KIND_PTX, KIND_ELF
    arch: int            # 80, 90, 120
    flags: int
    header_size: int


def entries(fh: BinaryIO) -> Iterator[Entry]:
    """Every entry header of the fatbin sections ``read_archs`` reads, for tools that look at the layout itself
    (benchmarks/bench_fatbin.py, the truth suite's kernel-arch fault). Raises ValueError on a damaged file."""
    f = _File(fh)
    try:
        for name, offset, size in _sections_read(f, f.read(0, min(64, f.size))):
            yield from _entries(f, offset, size, name)
    except _Bad as exc:
        raise ValueError(str(exc)) from None


def read_archs_path(root, path: str) -> FatbinArchs:
    """``read_archs`` on a path inside an ``envcheck.root.Root``. Never raises."""
    try:
        if not root.exists(path):
            return _Acc().result(f"{path}: no such file")
        if not root.is_regular_file(path):
            return _Acc().result(f"{path}: not a regular file")
        with root.open_binary(path) as fh:
            return read_archs(fh)
    except OSError as exc:
        return _Acc().result(f"{path}: {exc.strerror or exc}")


def _fatbin_sections(f: _File, head: bytes) -> List[Tuple[str, int, int]]:
    shoff, = struct.unpack_from("<Q", head, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3A)
    if shoff == 0:
        raise _Bad("no section headers (stripped with sstrip?)")
    if shentsize < 64:
        raise _Bad(f"bad section header size {shentsize}")
    if shnum == 0 or shstrndx == SHN_XINDEX:     # > 0xff00 sections: the real values live in section 0
        sh0 = f.read(shoff, 64)
        if shnum == 0:
            shnum = struct.unpack_from("<Q", sh0, 0x20)[0]
        if shstrndx == SHN_XINDEX:
            shstrndx = struct.unpack_from("<I", sh0, 0x28)[0]
    if shnum == 0:
        return []
    if shnum > MAX_SECTIONS or shnum * shentsize > MAX_SECTION_TABLE:
        raise _Bad(f"implausible section count {shnum}")
    table = f.read(shoff, shnum * shentsize)
    if shstrndx >= shnum:
        raise _Bad(f"section name table index {shstrndx} out of range ({shnum} sections)")
    _, _, _, _, str_off, str_size = struct.unpack_from("<IIQQQQ", table, shstrndx * shentsize)
    if str_size > MAX_SHSTRTAB:
        raise _Bad("implausible section name table size")
    names = f.read(str_off, str_size)
    found = []
    for i in range(shnum):
        sh_name, sh_type, _, _, sh_offset, sh_size = struct.unpack_from("<IIQQQQ", table, i * shentsize)
        if sh_name >= len(names):
            continue
        end = names.find(b"\0", sh_name)
        name = names[sh_name:end if end >= 0 else len(names)].decode("ascii", "replace")
        if name not in FATBIN_SECTIONS or sh_type == SHT_NOBITS or sh_size == 0:
            continue
        if sh_offset + sh_size > f.size:
            raise _Bad(f"truncated: section {name} runs past the end of the file")
        found.append((name, sh_offset, sh_size))
    return found


def _entries(f: _File, base: int, size: int, name: str, acc: Optional[_Acc] = None) -> Iterator[Entry]:
    """The entry headers of the containers laid one after another in [base, base+size), skipping zero padding
    between them; every header and payload checked against its container."""
    pos = 0
    while pos + 16 <= size:
        magic, version, hsize, fsize = struct.unpack("<IHHQ", f.read(base + pos, 16))
        if magic != FATBIN_MAGIC:
            nxt = _skip_zeros(f, base, pos, size)
            if nxt is None:
                return
            if nxt == pos:
                raise _Bad(f"{name}+{pos:#x}: no fatbin container here (magic {magic:#010x})")
            pos = nxt
            continue
        if version != 1 or hsize < 16:
            raise _Bad(f"{name}+{pos:#x}: unknown fatbin container version {version} / header size {hsize}")
        end = pos + hsize + fsize
        if end > size:
            raise _Bad(f"{name}+{pos:#x}: fatbin container runs past the end of the section")
        if acc is not None:
            acc.containers += 1
        e = pos + hsize
        while e < end:
            if e + 32 > end:
                raise _Bad(f"{name}+{e:#x}: fatbin entry header cut short")
            h = f.read(base + e, min(64, end - e))
            kind, _, ehsize, psize = struct.unpack_from("<HHIQ", h, 0)
            if ehsize < 32 or e + ehsize > end:
                raise _Bad(f"{name}+{e:#x}: bad fatbin entry header size {ehsize}")
            arch, = struct.unpack_from("<I", h, 28)
            flags = struct.unpack_from("<Q", h, 40)[0] if len(h) >= 48 and ehsize >= 48 else 0
            nxt = e + ehsize + psize
            if nxt > end:
                raise _Bad(f"{name}+{e:#x}: fatbin entry payload runs past the end of its container")
            yield Entry(base + e, kind, arch, flags, ehsize)
            e = nxt
        pos = end


def _walk(f: _File, base: int, size: int, name: str, acc: _Acc) -> None:
    """Read every entry of the containers in [base, base+size) into ``acc``."""
    for en in _entries(f, base, size, name, acc):
        acc.entries += 1
        if acc.entries > MAX_ENTRIES:
            raise _Bad("implausible number of fatbin entries")
        if en.flags & FLAG_COMPRESSED:
            acc.compressed += 1
        suffix = "a" if en.flags & FLAG_ARCH_SPECIFIC else ("f" if en.flags & FLAG_FAMILY else "")
        if en.kind == KIND_ELF:
            acc.sass.add((en.arch, suffix))
        elif en.kind == KIND_PTX:
            acc.ptx.add((en.arch, suffix))
        else:
            acc.other.add(en.kind)


def _skip_zeros(f: _File, base: int, pos: int, size: int) -> Optional[int]:
    """The offset of the first non-zero byte at or after pos, or None if the rest of the section is zeros."""
    while pos < size:
        chunk = f.read(base + pos, min(PAD_CHUNK, size - pos))
        stripped = chunk.lstrip(b"\0")
        if stripped:
            return pos + len(chunk) - len(stripped)
        pos += len(chunk)
    return None


# -- can this device run it? ------------------------------------------------------------------------------------
_ARCH_RE = re.compile(r"^(?:sm|compute)_(\d+)([af]?)$")
_CC_RE = re.compile(r"^\s*(?:sm_)?(\d+)\.(\d)\s*$")


def parse_cc(cc: str) -> Optional[Tuple[int, int]]:
    """"8.9" -> (8, 9); "12.0" -> (12, 0). None if it is not a compute capability."""
    m = _CC_RE.match(str(cc))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _arch(name: str) -> Optional[Tuple[int, int, str]]:
    m = _ARCH_RE.match(name)
    if not m:
        return None
    n = int(m.group(1))
    return n // 10, n % 10, m.group(2)


def sass_runs_on(name: str, major: int, minor: int) -> bool:
    """A cubin for X.y runs on X.z with z >= y; an arch-specific one (sm_90a) only on exactly X.y; a family one
    (sm_100f) on the family: same major, same or higher minor."""
    a = _arch(name)
    if a is None:
        return False
    amaj, amin, suffix = a
    if suffix == "a":
        return (amaj, amin) == (major, minor)
    return amaj == major and amin <= minor


def ptx_runs_on(name: str, major: int, minor: int) -> bool:
    """Plain PTX for X.y can be JIT-compiled for any device >= X.y; compute_XYa only for X.y; compute_XYf only
    for the family (same major, same or higher minor)."""
    a = _arch(name)
    if a is None:
        return False
    amaj, amin, suffix = a
    if suffix == "a":
        return (amaj, amin) == (major, minor)
    if suffix == "f":
        return amaj == major and amin <= minor
    return (amaj, amin) <= (major, minor)


def runs_on(archs: FatbinArchs, cc: str) -> Tuple[bool, str]:
    """Whether a device of compute capability ``cc`` ("8.9") finds code it can run in ``archs``, and how."""
    parsed = parse_cc(cc)
    if parsed is None:
        return False, f"not a compute capability: {cc!r} (expected e.g. '8.9')"
    major, minor = parsed
    sm = f"sm_{major}{minor}"
    incomplete = f" (the file was read only in part: {archs.error})" if archs.error else ""
    if not archs.has_device_code:
        if archs.error:
            return False, f"cannot tell: {archs.error}"
        return True, "no CUDA device code in the file (nothing to run on the GPU)"
    sass = [s for s in archs.sass if sass_runs_on(s, major, minor)]
    if sass:
        exact = [s for s in sass if _arch(s)[:2] == (major, minor)]
        if exact:
            return True, f"SASS {exact[-1]}"
        best = max(sass, key=_arch)
        return True, f"SASS {best} (binary-compatible with {major}.{minor})"
    ptx = [p for p in archs.ptx if ptx_runs_on(p, major, minor)]
    if ptx:
        best = max(ptx, key=_arch)
        return True, f"PTX {best} JIT-compiled by the driver (slow first start)"
    return False, f"no SASS for {sm} and no PTX <= {major}.{minor}{incomplete}"

