"""Where glibc's dynamic loader would find each needed soname, worked out from files only (we never dlopen).

The search order is glibc's ``_dl_map_object`` (elf/dl-load.c):
  0. a name already loaded into the process (matched by DT_SONAME or the name it was asked by) is reused;
  1. DT_RPATH of the asking object and of the objects that loaded it, then of the executable, but only when the
     asking object has no DT_RUNPATH;
  2. LD_LIBRARY_PATH;
  3. DT_RUNPATH of the asking object (only its own: RUNPATH does not apply to grandchildren);
  4. /etc/ld.so.cache (the entry for this soname whose ABI flags match the object's machine);
  5. the default directories (/lib/<multiarch>, /usr/lib/<multiarch>, /lib64, /usr/lib64, /lib, /usr/lib).
Dependencies are loaded breadth first (``_dl_map_object_deps``), so a NEEDED entry is often satisfied by a library
an earlier object brought in: that is how a vLLM or flash-attn extension finds ``libc10.so`` without any RUNPATH
once ``import torch`` has run. ``$ORIGIN`` expands to the directory of the asking object as it was opened (glibc
does not resolve symlinks there), ``$LIB`` and ``$PLATFORM`` to the machine's values.

A candidate of another machine or ELF class is skipped and the search goes on, as glibc's ``open_verify`` does. A
candidate glibc cannot use at all stops the search with an error, whatever lies further along the path: a file
shorter than an ELF header ("file too short", an empty placeholder, a link to /dev/null), one that is not ELF
("invalid ELF header"), a directory ("cannot read file data"), of the wrong byte order, ELF version or type, an
executable, an object without a dynamic section. A file cut short inside its loaded segments is mapped anyway and the
process dies with SIGBUS; a FIFO blocks the loader's open(). A file that cannot be opened (missing target, no
permission) is skipped. A file whose header passes but whose body this reader cannot follow is skipped too: glibc
may still load it, and a false "cannot load" is worse than a miss. Not modelled: the glibc-hwcaps subdirectories
(glibc-hwcaps/x86-64-v3/ and the like, searched before each directory), an empty LD_LIBRARY_PATH entry (the
working directory), a symlink loop (which ends that one list of directories).

The default directories are the system's own: /lib/<multiarch>, /usr/lib/<multiarch>, /lib, /usr/lib where libc.so.6
lives in a multiarch directory (Debian, Ubuntu), /lib64, /usr/lib64 where it lives there (RHEL, Fedora, SUSE).
"""
from __future__ import annotations

import posixpath
import stat
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from envcheck.elf import ELF_MAGIC, EM_NAMES, ET_DYN, ET_EXEC, ElfInfo, read_elf
from envcheck.ldcache import LdCache, read_cache, read_conf

MULTIARCH = {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu", "i386": "i386-linux-gnu",
             "ppc64": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu"}
LIB_TOKEN = {"x86_64": "lib64", "aarch64": "lib64", "i386": "lib"}
MAX_OBJECTS = 4000  # one process never loads more; a cap keeps a crafted tree from running away


def default_dirs(machine: Optional[str]) -> Tuple[str, ...]:
    """Every directory some distribution's glibc searches by default (for an inventory of what is there)."""
    ma = MULTIARCH.get(machine or "x86_64", "x86_64-linux-gnu")
    return (f"/lib/{ma}", f"/usr/lib/{ma}", "/lib64", "/usr/lib64", "/lib", "/usr/lib")


def system_dirs(root, machine: Optional[str]) -> Tuple[str, ...]:
    """The directories this root's glibc searches last, told by where its libc.so.6 lives (glibc's built-in path
    follows its own libdir: Debian's multiarch directories and /lib, /usr/lib; RHEL's /lib64, /usr/lib64); every
    candidate where that is not known."""
    ma = MULTIARCH.get(machine or "x86_64", "x86_64-linux-gnu")
    try:
        if any(root.exists(f"{d}/libc.so.6") for d in (f"/lib/{ma}", f"/usr/lib/{ma}")):
            return (f"/lib/{ma}", f"/usr/lib/{ma}", "/lib", "/usr/lib")
        if LIB_TOKEN.get(machine or "x86_64") == "lib64" and any(root.exists(f"{d}/libc.so.6")
                                                                for d in ("/lib64", "/usr/lib64")):
            return ("/lib64", "/usr/lib64")
    except (OSError, ValueError):
        pass
    return default_dirs(machine)


@dataclass(frozen=True)
class Missing:
    soname: str
    needer: str                       # the object whose DT_NEEDED names it
    searched: Tuple[str, ...]         # "RUNPATH $ORIGIN/../nvidia/cu13/lib", "LD_LIBRARY_PATH", "ld.so.cache", ...
    stop: Optional[Tuple[str, str]] = None  # (path, glibc's error) where the search stopped at an unusable file


class Found(NamedTuple):
    """One DT_NEEDED looked up: the file (None: not found), how (the step that found it, or that reached the file the
    search stopped at), where the search went, and, when it ended at a file glibc cannot use, that file and glibc's
    error."""
    path: Optional[str]
    via: str
    searched: Tuple[str, ...]
    stop: Optional[Tuple[str, str]] = None


class _Stop(Exception):
    """The search ends at ``path`` with glibc's error; ``via`` is the step that reached it (set by _take)."""
    def __init__(self, path: str, reason: str):
        super().__init__(path, reason)
        self.path, self.reason, self.via = path, reason, ""


# what the loader does at files it neither loads nor refuses with an error
HANGS = "a FIFO: the loader's open() blocks, and the process hangs"
CRASHES = "cut short inside a loaded segment: the loader maps it and the process dies with SIGBUS"


@dataclass(frozen=True)
class VersionMissing:
    needer: str
    soname: str
    provider: str
    version: str


@dataclass
class Closure:
    """What loading one object would bring into the process, and what would fail."""
    root: str
    objects: List[str] = field(default_factory=list)            # newly loaded paths, load order
    found: Dict[str, Tuple[str, str]] = field(default_factory=dict)  # soname -> (path, via) for this closure
    missing: List[Missing] = field(default_factory=list)
    unreadable: List[Tuple[str, str]] = field(default_factory=list)  # (path, reason)
    version_missing: List[VersionMissing] = field(default_factory=list)
    glibc_required: Optional[str] = None
    loaded: Dict[str, str] = field(default_factory=dict)        # every name -> path visible after loading
    # (needer, soname, provider, reference): LD_LIBRARY_PATH put ``provider`` ahead of ``reference``, the copy the
    # needer finds without it (its RUNPATH, the cache): a different file, so its symbols may differ
    shadowed: List[Tuple[str, str, str, str]] = field(default_factory=list)


class Loader:
    """One process's view: a root filesystem, an LD_LIBRARY_PATH, an ld.so.cache, and caches of what was read."""

    def __init__(self, root, ld_library_path: Optional[str] = None, machine: str = "x86_64",
                 cache: Optional[LdCache] = None, conf_dirs: Optional[Sequence[str]] = None,
                 exe: Optional[str] = None):
        self.root = root
        self.machine = machine
        self.llp_text = ld_library_path
        self.llp = tuple(d for d in (ld_library_path or "").replace(";", ":").split(":") if d)
        self.cache = cache if cache is not None else read_cache(root)
        if conf_dirs is None:
            conf_dirs, _errs = read_conf(root)
        self.conf_dirs = tuple(conf_dirs)
        self.defaults = system_dirs(root, machine)
        self._elf: Dict[str, ElfInfo] = {}
        self._real: Dict[str, Optional[str]] = {}
        self._dir: Dict[str, frozenset] = {}
        self._head: Dict[str, Optional[str]] = {}
        self.exe = exe
        self.exe_rpath: Tuple[str, ...] = ()
        if exe:
            info = self.elf(exe)
            if info.ok and not info.has_runpath:
                origin = posixpath.dirname(self.realpath(exe) or exe)
                self.exe_rpath = tuple(self.expand(d, origin) for d in info.rpath)

    # -- reading, cached ------------------------------------------------------------------------------------
    def realpath(self, path: str) -> Optional[str]:
        if path not in self._real:
            try:
                self._real[path] = self.root.realpath(path)
            except OSError:
                self._real[path] = None
        return self._real[path]

    def elf(self, path: str) -> ElfInfo:
        real = self.realpath(path)
        if real is None:
            return ElfInfo(path, error="symlink loop or unreadable path")
        info = self._elf.get(real)
        if info is None:
            info = read_elf(path, self.root.host(real))
            self._elf[real] = info
        return info

    def names_in(self, directory: str) -> frozenset:
        names = self._dir.get(directory)
        if names is None:
            try:
                names = frozenset(self.root.listdir(directory))
            except (OSError, ValueError):
                names = frozenset()
            self._dir[directory] = names
        return names

    # -- search ---------------------------------------------------------------------------------------------
    def expand(self, entry: str, origin: str) -> str:
        out = entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
        lib = LIB_TOKEN.get(self.machine, "lib")
        out = out.replace("${LIB}", lib).replace("$LIB", lib)
        out = out.replace("${PLATFORM}", self.machine).replace("$PLATFORM", self.machine)
        if not out.startswith("/"):
            return out  # relative entries are relative to the process's cwd: unknowable, kept as written
        return posixpath.normpath(out)

    def _usable(self, path: str, machine: Optional[str]) -> bool:
        """The loader takes this file; raises _Stop where glibc would give up the whole search at it."""
        reason = self._fatal(path, machine)
        if reason:
            raise _Stop(path, reason)
        info = self.elf(path)
        if not info.ok or (info.elf_class is not None and info.elf_class != _class(machine)):
            return False
        if machine is not None and info.machine is not None and info.machine != machine:
            return False
        if info.elf_type == ET_DYN and not info.dynamic:
            raise _Stop(path, "object file has no dynamic section")
        if info.pie:
            raise _Stop(path, "cannot dynamically load position-independent executable")
        return True

    def _fatal(self, path: str, machine: Optional[str]) -> Optional[str]:
        """glibc's error for a file it opens but refuses (open_verify's 'lose' branch); None where it skips the
        file (cannot open it, another class or machine) or takes it."""
        real = self.realpath(path)
        if real is None:
            return None
        if real not in self._head:
            try:
                st = self.root.stat(real)
                mode = st.st_mode
                if stat.S_ISDIR(mode):
                    self._head[real] = "cannot read file data"
                elif stat.S_ISFIFO(mode):
                    self._head[real] = HANGS
                elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):   # /dev/null reads nothing, a device no ELF
                    self._head[real] = "file too short" if real == "/dev/null" else "invalid ELF header"
                else:
                    data = self.root.read_bytes(real, 4096)
                    self._head[real] = _header_error(data, st.st_size, _class(machine), machine)
            except (OSError, ValueError):
                self._head[real] = None
        return self._head[real]

    def _take(self, path: str, machine: Optional[str], via: str) -> bool:
        """_usable, with the step that reached the file named on a stop."""
        try:
            return self._usable(path, machine)
        except _Stop as stop:
            stop.via = via
            raise

    def _in_dirs(self, soname: str, dirs: Iterable[str], machine: Optional[str], via: str) -> Optional[str]:
        for d in dirs:
            if not d.startswith("/"):
                continue
            if soname in self.names_in(d):
                cand = d.rstrip("/") + "/" + soname
                if self._take(cand, machine, via):
                    return cand
        return None

    def find(self, soname: str, needer: str, needer_info: ElfInfo, chain: Sequence[Tuple[str, ElfInfo]] = (),
             llp: Optional[Tuple[str, ...]] = None) -> Found:
        """Where one DT_NEEDED of ``needer`` is found; ``llp`` replaces the process's LD_LIBRARY_PATH (() for
        none)."""
        searched: List[str] = []
        try:
            path, via = self._search(soname, needer, needer_info, chain, self.llp if llp is None else llp, searched)
        except _Stop as stop:
            searched.append(f"stopped at {stop.path} ({stop.reason})")
            return Found(None, stop.via, tuple(searched), (stop.path, stop.reason))
        return Found(path, via, tuple(searched))

    def _search(self, soname: str, needer: str, needer_info: ElfInfo, chain: Sequence[Tuple[str, ElfInfo]],
                llp: Tuple[str, ...], searched: List[str]) -> Tuple[Optional[str], str]:
        machine = needer_info.machine
        if "/" in soname:  # a path, used as is (relative paths: relative to the cwd, unknowable)
            if soname.startswith("/") and self._take(soname, machine, "path"):
                searched.append("path")
                return soname, "path"
            searched.append("path " + soname)
            return None, "path"
        origin = posixpath.dirname(needer)
        if not needer_info.has_runpath:
            for obj, info in [(needer, needer_info)] + list(chain):
                if info.rpath:
                    o = posixpath.dirname(obj)
                    dirs = [self.expand(d, o) for d in info.rpath]
                    searched.append("RPATH " + ":".join(info.rpath) + ("" if obj == needer else f" (of {posixpath.basename(obj)})"))
                    hit = self._in_dirs(soname, dirs, machine, "RPATH")
                    if hit:
                        return hit, "RPATH"
            if self.exe_rpath:
                searched.append("RPATH of the interpreter")
                hit = self._in_dirs(soname, self.exe_rpath, machine, "RPATH")
                if hit:
                    return hit, "RPATH"
        searched.append("LD_LIBRARY_PATH" if llp else "LD_LIBRARY_PATH (unset)")
        hit = self._in_dirs(soname, llp, machine, "LD_LIBRARY_PATH")
        if hit:
            return hit, "LD_LIBRARY_PATH"
        if needer_info.has_runpath:
            searched.append("RUNPATH " + ":".join(needer_info.runpath))
            hit = self._in_dirs(soname, [self.expand(d, origin) for d in needer_info.runpath], machine, "RUNPATH")
            if hit:
                return hit, "RUNPATH"
        if self.cache.format is not None:
            searched.append("ld.so.cache")
            entry = self.cache.lookup(soname, machine)
            if entry is not None and self._take(entry.path, machine, "ld.so.cache"):
                return entry.path, "ld.so.cache"
        else:
            searched.append(f"ld.so.cache ({self.cache.error or 'absent'})")
        searched.append("default dirs")
        hit = self._in_dirs(soname, self.defaults, machine, "default-dir")
        if hit:
            return hit, "default-dir"
        return None, ""

    # -- loading a whole tree -------------------------------------------------------------------------------
    def load(self, path: str, preloaded: Optional[Dict[str, str]] = None) -> Closure:
        """Breadth-first, as _dl_map_object_deps: every object ``path`` pulls in, what is missing, the symbol
        versions that no provider defines, and the highest GLIBC_ version asked for."""
        loaded: Dict[str, str] = dict(preloaded or {})
        closure = Closure(path)
        info = self.elf(path)
        if not info.ok:
            closure.unreadable.append((path, info.error or "unreadable"))
            closure.loaded = loaded
            return closure
        if info.soname:
            loaded.setdefault(info.soname, path)
        closure.objects.append(path)
        parent: Dict[str, Optional[str]] = {path: None}
        providers: Dict[Tuple[str, str], str] = {}
        queue = [path]
        seen_paths = {self.realpath(path)}
        glibc = None
        i = 0
        while i < len(queue) and len(queue) < MAX_OBJECTS:
            obj = queue[i]
            i += 1
            oinfo = self.elf(obj)
            chain: List[Tuple[str, ElfInfo]] = []
            p = parent.get(obj)
            while p is not None and len(chain) < 64:
                chain.append((p, self.elf(p)))
                p = parent.get(p)
            for name in oinfo.needed:
                if name in loaded:
                    providers[(obj, name)] = loaded[name]
                    continue
                hit, via, searched, stop = self.find(name, obj, oinfo, chain)
                if hit is None:
                    closure.missing.append(Missing(name, obj, searched, stop))
                    continue
                hinfo = self.elf(hit)
                real = self.realpath(hit)
                loaded[name] = hit
                if hinfo.soname:
                    loaded.setdefault(hinfo.soname, hit)
                providers[(obj, name)] = hit
                closure.found[name] = (hit, via)
                if via == "LD_LIBRARY_PATH":
                    ref = self.without_llp(name, obj, oinfo, chain)
                    if ref and self.realpath(ref) != real:
                        closure.shadowed.append((obj, name, hit, ref))
                if real in seen_paths:
                    continue
                seen_paths.add(real)
                parent[hit] = obj
                closure.objects.append(hit)
                queue.append(hit)
        for obj in closure.objects:
            oinfo = self.elf(obj)
            g = None if _is_glibc(oinfo.soname or posixpath.basename(obj)) else _glibc(oinfo)
            if g and (glibc is None or _key(g) > _key(glibc)):
                glibc = g
            for lib, versions in oinfo.version_needs.items():
                prov = providers.get((obj, lib)) or loaded.get(lib)
                if prov is None:
                    continue
                pinfo = self.elf(prov)
                if not pinfo.ok:
                    continue
                defs = set(pinfo.version_defs)
                for v in versions:
                    if v not in defs and v != "GLIBC_PRIVATE":
                        closure.version_missing.append(VersionMissing(obj, lib, prov, v))
        closure.glibc_required = glibc
        closure.loaded = loaded
        return closure

    def without_llp(self, soname: str, needer: str, needer_info: ElfInfo, chain=()) -> Optional[str]:
        """Where ``soname`` would come from if LD_LIBRARY_PATH were unset."""
        return self.find(soname, needer, needer_info, chain, llp=()).path

    def resolve_system(self, soname: str) -> Tuple[Optional[str], str]:
        """Where a program with no RPATH/RUNPATH would find ``soname`` (the system loader view)."""
        found = self.find(soname, "/", ElfInfo("/", machine=self.machine))
        return found.path, found.via


GLIBC_LIBS = ("libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
              "libutil.so.1", "libanl.so.1", "libmvec.so.1", "libBrokenLocale.so.1", "libnsl.so.1")


def _is_glibc(name: str) -> bool:
    return name in GLIBC_LIBS or name.startswith("ld-linux") or name.startswith("ld64.so")


def _glibc(info: ElfInfo) -> Optional[str]:
    best = None
    for vers in info.version_needs.values():
        for v in vers:
            if v.startswith("GLIBC_") and v[6:7].isdigit():
                s = v[6:]
                if best is None or _key(s) > _key(best):
                    best = s
    return best


def _class(machine: Optional[str]) -> int:
    return 32 if machine in ("i386", "arm") else 64


EM_CODES = {name: code for code, name in EM_NAMES.items()}


def _header_error(data: bytes, size: int, elf_class: int, machine: Optional[str]) -> Optional[str]:
    """glibc's fatal verdict on a file from its first bytes and its size (elf/dl-load.c open_verify, in the order
    of glibc 2.35 and later), None where it would skip the file or load it. Little-endian machines only, as
    envcheck models."""
    is64 = elf_class == 64
    if len(data) < (64 if is64 else 52):
        return "file too short"
    if data[:4] != ELF_MAGIC:
        return "invalid ELF header"
    em = int.from_bytes(data[18:20], "little")
    want = EM_CODES.get(machine or "x86_64")
    other_machine = want is not None and em != want
    osabi, abiversion = data[7], data[8]
    ident_ok = (data[4] == (2 if is64 else 1) and data[5] == 1 and data[6] == 1 and osabi in (0, 3)
                and (abiversion == 0 or (osabi == 3 and abiversion < 4)) and not any(data[9:16]))
    if not ident_ok:                    # the 'something is wrong' branch: skips first, then the first error
        if data[4] != (2 if is64 else 1) or other_machine:
            return None                 # another ELF class or machine: skipped, the search goes on
        if data[5] != 1:
            return "ELF file data encoding not little-endian"
        if data[6] != 1:
            return "ELF file version ident does not match current one"
        if osabi not in (0, 3):         # ELFOSABI_SYSV, ELFOSABI_GNU
            return "ELF file OS ABI invalid"
        if abiversion != 0 and not (osabi == 3 and abiversion < 4):
            return "ELF file ABI version invalid"
        return "nonzero padding in e_ident"
    if int.from_bytes(data[20:24], "little") != 1:
        return "ELF file version does not match current one"
    if other_machine:
        return None
    e_type = int.from_bytes(data[16:18], "little")
    if e_type not in (ET_EXEC, ET_DYN):
        return "only ET_DYN and ET_EXEC can be loaded"
    at = 54 if is64 else 42
    phentsize = int.from_bytes(data[at:at + 2], "little")
    if phentsize != (56 if is64 else 32):
        return "ELF file's phentsize not the expected size"
    phoff = int.from_bytes(data[32:40], "little") if is64 else int.from_bytes(data[28:32], "little")
    phnum = int.from_bytes(data[at + 2:at + 4], "little")
    if phoff + phnum * phentsize > size:
        return "cannot read file data"
    if e_type == ET_EXEC:
        return "cannot dynamically load executable"
    if phoff + phnum * phentsize <= len(data):   # the program headers are in hand: a PT_LOAD past the end?
        for i in range(phnum):
            ph = data[phoff + i * phentsize: phoff + (i + 1) * phentsize]
            if int.from_bytes(ph[0:4], "little") != 1:
                continue
            off, filesz = ((int.from_bytes(ph[8:16], "little"), int.from_bytes(ph[32:40], "little")) if is64
                           else (int.from_bytes(ph[4:8], "little"), int.from_bytes(ph[16:20], "little")))
            if off + filesz > size:
                return CRASHES
    return None


def _key(s: str) -> Tuple[int, ...]:
    out = []
    for part in s.split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)
