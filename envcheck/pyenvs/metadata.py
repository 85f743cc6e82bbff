"""Installed distributions of a site-packages directory, from ``*.dist-info`` / ``*.egg-info`` files.

Only the METADATA header is read (up to the first blank line), and only the requirement lines that apply to
the environment (no ``extra ==`` marker; other markers evaluated for the environment's Python) are parsed.
Parsing results are cached by text across environments: 50 venvs with the same 300 packages parse each
requirement once.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion
from packaging.version import Version as _PV

from envcheck.root import open_regular
from envcheck.versions import Version, sane_version

# distributions whose details the report and the checks use (normalized names)
MATTER = frozenset({
    "torch", "torchvision", "torchaudio", "tensorrt", "tensorrt-cu12", "tensorrt-cu13", "tensorrt-llm",
    "tensorrt-cu12-libs", "tensorrt-cu13-libs", "tensorrt-cu12-bindings", "tensorrt-cu13-bindings",
    "vllm", "sglang", "transformers", "flash-attn", "flashinfer-python", "triton", "xformers",
    "cuda-python", "cuda-bindings", "cuda-toolkit", "onnxruntime-gpu", "jax", "jaxlib", "nvidia-modelopt",
})
HEAD_LIMIT = 256 << 10  # a METADATA header is never larger; the long description after it is not read
RECORD_LIMIT = 64 << 20  # a RECORD is read line by line for its nvidia/cuXX/ paths; torch 2.13+cpu's is 1.4 MiB
MAX_REQUIRES = 256      # requirements that apply, per distribution (torch has ~30; extras are not counted)
_EXTRA = re.compile(r"""extra\s*==|==\s*['"]?extra""")
_CUDA_SUFFIX = re.compile(r"-cu(\d+)(?:-libs|-bindings)?$")
_CU_DIR = re.compile(r"^nvidia/cu(\d+)/")


@dataclass
class Dist:
    name: str                       # normalized
    version: Optional[Version]
    path: str                       # the .dist-info / .egg-info path (in-root)
    requires: List[str] = field(default_factory=list)  # requirement texts that apply (markers already evaluated)
    tags: Tuple[str, ...] = ()      # wheel tags from WHEEL
    errors: List[str] = field(default_factory=list)


def norm(name: str) -> str:
    return _canon(name)


@lru_cache(maxsize=65536)
def _canon(name: str) -> str:
    return canonicalize_name(name)


_SIMPLE_REQ = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*"
                         r"(\(?\s*(?:(?:===|~=|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*,?\s*)*\)?)\s*(?:;\s*(.+?))?\s*$")
_SPEC_ITEM = re.compile(r"(===|~=|==|!=|<=|>=|<|>)\s*([A-Za-z0-9.*+!_-]+)")


@lru_cache(maxsize=65536)
def parse_requirement(text: str) -> Optional[Tuple[str, str, Optional[str]]]:
    """(normalized name, specifier text, marker text) or None if it is not a valid requirement.

    The usual forms (``name[extra] (>=1,<2) ; marker``) are read with a regex; anything else (URLs, odd
    spacing) goes to packaging, which is exact but slow (~90 us a line)."""
    m = _SIMPLE_REQ.match(text)
    if m and "@" not in text:
        spec = ",".join(op + v for op, v in _SPEC_ITEM.findall(m.group(2) or ""))
        return _canon(m.group(1)), spec, (m.group(3) or None)
    try:
        r = Requirement(text)
    except InvalidRequirement:
        return None
    return _canon(r.name), str(r.specifier), (str(r.marker) if r.marker else None)


@lru_cache(maxsize=65536)
def marker_applies(marker: str, python: str) -> Optional[bool]:
    """Whether a marker holds on Linux x86_64 CPython `python` (X.Y or X.Y.Z), outside any extra; None when it
    cannot be evaluated (invalid, or comparing what cannot be compared)."""
    parts = python.split(".")
    mm = ".".join(parts[:2])
    full = python if len(parts) >= 3 else mm + ".0"
    env = {"python_version": mm, "python_full_version": full, "sys_platform": "linux", "platform_system": "Linux",
           "os_name": "posix", "platform_machine": "x86_64", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "implementation_version": full, "extra": ""}
    try:
        return Marker(marker).evaluate(env)
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError):
        return None   # unknown: the caller counts the requirement as not applying, and says so


def read_head(root, path: str) -> Tuple[str, Optional[str]]:
    """The header part of a METADATA/PKG-INFO file, and an error note (bad encoding) or None."""
    data = root.read_start(path, 8192) if hasattr(root, "read_start") else None
    if data is None or (len(data) == 8192 and b"\n\n" not in data):
        with root.open_binary(path) as fh:
            data = fh.read(8192)
            while b"\n\n" not in data and len(data) < HEAD_LIMIT:
                more = fh.read(65536)
                if not more:
                    break
                data += more
    end = data.find(b"\n\n")
    note = None
    if end >= 0:
        data = data[:end]
    elif len(data) >= HEAD_LIMIT:   # no end of header within the limit: keep whole lines only, and say so
        data = data[:HEAD_LIMIT]
        data = data[:data.rfind(b"\n") + 1]
        lines = data.count(b"\n")
        note = f"header larger than {HEAD_LIMIT >> 10} KiB; read its first {lines} lines"
    try:
        return data.decode("utf-8"), note
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", "replace"), f"not UTF-8 ({exc.reason} at byte {exc.start})"


_HEADER = re.compile(r"^(Name|Version|Requires-Dist):[ \t]*(.*?)[ \t\r]*$", re.M)


def parse_head(text: str) -> Tuple[Optional[str], Optional[str], List[str]]:
    name = version = None
    reqs: List[str] = []
    for key, value in _HEADER.findall(text):
        if key == "Requires-Dist":
            reqs.append(value)
        elif key == "Name":
            if name is None:
                name = value
        elif version is None:
            version = value
    return name, version, reqs


def _dir_name_version(entry: str) -> Tuple[str, Optional[str]]:
    stem = entry.rsplit(".", 1)[0]
    name, _, rest = stem.partition("-")
    ver = rest.split("-")[0] if rest else None
    return name, ver or None


def _applicable(reqs: List[str], python: Optional[str]) -> Tuple[List[str], List[str]]:
    """(the requirements that apply, notes): at most MAX_REQUIRES of them; a requirement whose marker cannot be
    evaluated does not apply (a note names the first such)."""
    out: List[str] = []
    notes: List[str] = []
    bad = 0
    for text in reqs:
        if ";" in text and _EXTRA.search(text.split(";", 1)[1]):
            continue
        parsed = parse_requirement(text)
        if parsed is None:
            continue
        if parsed[2] and python:
            holds = marker_applies(parsed[2], python)
            if holds is None:
                bad += 1
                if bad == 1:
                    notes.append(f"Requires-Dist {text[:200]!r}: its marker cannot be evaluated, so it is not counted")
                continue
            if not holds:
                continue
        if len(out) == MAX_REQUIRES:
            notes.append(f"more than {MAX_REQUIRES} requirements apply; only the first {MAX_REQUIRES} are checked")
            break
        out.append(text)
    if bad > 1:
        notes.append(f"{bad} Requires-Dist lines have markers that cannot be evaluated; none of them is counted")
    return out, notes


def _egg_requires(root, path: str) -> List[str]:
    """requires.txt of an egg-info: the lines before any [extra] section; [:marker] sections become markers."""
    out: List[str] = []
    try:
        text = root.read_text(path + "/requires.txt", 1 << 20)
    except OSError:
        return out
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section is None:
            out.append(line)
        elif section.startswith(":"):
            out.append(f"{line}; {section[1:]}")
    return out


@lru_cache(maxsize=65536)
def _valid_version(text: Optional[str]) -> Optional[Version]:
    if not text or not sane_version(text):
        return None
    try:
        return Version(text)
    except ValueError:
        return None


def read_dist(root, sp: str, entry: str, is_dir: bool, python: Optional[str], want_tags: bool = True) -> Dist:
    path = f"{sp}/{entry}"
    egg = entry.endswith(".egg-info")
    meta = (path + "/PKG-INFO" if is_dir else path) if egg else path + "/METADATA"
    dname, dver = _dir_name_version(entry)
    errors: List[str] = []
    name = version = None
    reqs: List[str] = []
    try:
        head, bad = read_head(root, meta)
        if bad:
            errors.append(f"{meta}: {bad}")
        name, version, reqs = parse_head(head)
    except OSError as exc:
        errors.append(f"{meta}: {exc.strerror or type(exc).__name__}")
        version = dver
    if not name:
        if not errors:
            errors.append(f"{meta}: no Name")
        name = dname
    v = _valid_version(version)
    if v is None:
        what = f"Version {version!r} is not a version" if version else "no Version"
        errors.append(f"{meta}: {what}" + (f" (directory name says {dver})" if dver else ""))
        v = _valid_version(dver)
    if egg and is_dir and not reqs:
        reqs = _egg_requires(root, path)
    tags: Tuple[str, ...] = ()
    if want_tags and not egg:
        try:
            wheel = root.read_text(path + "/WHEEL", 1 << 16)
            tags = tuple(line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:"))
        except OSError:
            pass
    applicable, notes = _applicable(reqs, python)
    errors += [f"{meta}: {n}" for n in notes]
    return Dist(norm(name), v, path, applicable, tags, errors)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class SiteFiles:
    """Reads files below one site-packages directory without resolving every path through the Root (that costs
    an lstat per path component): the directory is resolved once, and a file is opened directly unless it, or
    its dist-info directory, is a symlink, which goes through the Root so that absolute targets stay inside it."""

    def __init__(self, root, sp: str):
        self.root = root
        self.sp = sp
        self.host_sp = root.host(root.realpath(sp))
        self.linked: set = set()   # entries that are symlinks

    def _host(self, path: str) -> Optional[str]:
        if not path.startswith(self.sp + "/"):
            return None
        rest = path[len(self.sp) + 1:]
        if rest.split("/", 1)[0] in self.linked:
            return None
        return self.host_sp + "/" + rest

    def open_binary(self, path: str):
        h = self._host(path)
        if h is not None:
            try:
                return open_regular(h, _NOFOLLOW)
            except OSError as exc:
                if exc.errno not in (40, 20):   # ELOOP (the file is a symlink), ENOTDIR: let the Root resolve it
                    raise
        return self.root.open_binary(path)

    def read_start(self, path: str, size: int) -> Optional[bytes]:
        """Up to `size` bytes from the start of a file, with plain os calls (None: use open_binary)."""
        h = self._host(path)
        if h is None:
            return None
        try:
            fh = open_regular(h, _NOFOLLOW)
        except OSError as exc:
            if exc.errno in (40, 20):
                return None
            raise
        with fh:
            return fh.read(size)

    def read_text(self, path: str, limit: int = 4 << 20, errors: str = "replace") -> str:
        if limit <= 65536:
            data = self.read_start(path, limit)
            if data is not None:
                return data.decode("utf-8", errors)
        with self.open_binary(path) as fh:
            return fh.read(limit).decode("utf-8", errors)


def read_site(root, sp: str, python: Optional[str]) -> Tuple[List[Dist], List[str]]:
    """All distributions in one site-packages directory (sorted by entry name) and the errors."""
    dists: List[Dist] = []
    try:
        files = SiteFiles(root, sp)
        entries = []
        with os.scandir(files.host_sp) as it:
            for e in it:
                if e.name.endswith((".dist-info", ".egg-info")):
                    if e.is_symlink():
                        files.linked.add(e.name)
                        entries.append((e.name, root.is_dir(f"{sp}/{e.name}")))
                    else:
                        entries.append((e.name, e.is_dir()))
        entries.sort()
    except OSError as exc:
        return dists, [f"{sp}: {exc.strerror or type(exc).__name__}"]
    for name, is_dir in entries:
        if name.endswith(".dist-info") and not is_dir:
            continue
        dists.append(read_dist(files, sp, name, is_dir, python))
    return dists, []


def cuda_major_of(root, dist: Dist) -> Optional[str]:
    """'cu12' / 'cu13' for an NVIDIA CUDA wheel: the name's -cuXX suffix, else the nvidia/cuXX/ paths in RECORD
    (CUDA 13 wheels are named nvidia-cublas, nvidia-cuda-runtime, ... and install under nvidia/cu13/)."""
    m = _CUDA_SUFFIX.search(dist.name)
    if m:
        return "cu" + m.group(1)
    if dist.path.endswith(".egg-info"):
        return None
    try:
        with root.open_binary(dist.path + "/RECORD") as fh:
            for raw in iter(lambda: fh.readline(4096), b""):   # lines of at most 4 KiB, RECORD_LIMIT bytes in all
                m = _CU_DIR.match(raw.decode("utf-8", "replace"))
                if m:
                    return "cu" + m.group(1)
                if fh.tell() > RECORD_LIMIT:
                    break
    except OSError:
        return None
    return None


def is_pure(tags: Tuple[str, ...]) -> bool:
    """True when no tag ties the wheel to a CPython ABI or to a non-Linux platform (py3-none-any,
    py3-none-manylinux_2_27_x86_64): such wheels cannot mismatch the environment's Python."""
    for t in tags:
        parts = t.split("-")
        if len(parts) != 3:
            return False
        if parts[1] != "none" or not all(pl == "any" or pl.startswith(("linux", "manylinux", "musllinux"))
                                         for pl in parts[2].split(".")):
            return False
    return True


@lru_cache(maxsize=16384)
def _spec(text: str):
    """A specifier set as [(operator, packaging Version or None, text)], or None if it is invalid."""
    try:
        ss = SpecifierSet(text)
    except InvalidSpecifier:
        return None
    out = []
    for sp in ss:
        v = None
        if sp.operator in (">=", "<=", ">", "<", "==", "!=", "~=") and "*" not in sp.version and "+" not in sp.version:
            try:
                v = _PV(sp.version)
            except InvalidVersion:
                v = None
        out.append((sp.operator, v, sp))
    return out


def _satisfies(spec, have) -> bool:
    for op, v, sp in spec:
        if v is None or op in (">", "<"):   # rare or subtle (pre-releases, locals): packaging decides
            if not sp.contains(have, prereleases=True):
                return False
            continue
        h = have if have.local is None else _public(have)
        if op == ">=":
            ok = h >= v
        elif op == "<=":
            ok = h <= v
        elif op == "==":
            ok = h == v
        elif op == "!=":
            ok = h != v
        else:  # ~=
            rel = v.release[:-1]
            ok = h >= v and h.release[:len(rel)] == rel
        if not ok:
            return False
    return True


@lru_cache(maxsize=65536)
def _public(v):
    return _PV(v.public)


def unmet(req: str, packages: Dict[str, Version]) -> Optional[str]:
    """Why an (applicable) requirement is not met by the installed packages (what pip check would say), or None."""
    parsed = parse_requirement(req)
    if parsed is None:
        return None
    name, spec, _ = parsed
    have = packages.get(name)
    if have is None:
        return "not installed"
    if not spec:
        return None
    return _unmet_spec(spec, have)


@lru_cache(maxsize=65536)
def _unmet_spec(spec: str, have: Version) -> Optional[str]:
    s = _spec(spec)
    if s is None or have.parsed is None:
        return None
    if _satisfies(s, have.parsed):
        return None
    return f"{have} installed"


_TAG = re.compile(r"^(?P<py>[a-z0-9.]+)-(?P<abi>[a-z0-9_.]+)-(?P<plat>[a-z0-9_.]+)$")


def tag_fits(tag: str, py: Version) -> Optional[bool]:
    """Whether a wheel tag (cp310-cp310-manylinux_2_17_x86_64) can be installed for CPython `py` on Linux;
    None if the tag cannot be read."""
    m = _TAG.match(tag)
    if not m:
        return None
    pys, abis, plats = m.group("py").split("."), m.group("abi").split("."), m.group("plat").split(".")
    if not any(pl == "any" or pl.startswith(("linux", "manylinux", "musllinux")) for pl in plats):
        return False
    mine = f"{py.major}{py.minor}"
    for t in pys:
        n = re.fullmatch(r"(cp|py|pp)(\d)(\d*)", t)
        if not n:
            continue
        major, minor = int(n.group(2)), n.group(3)
        if major != py.major:
            continue
        if not minor:
            return True
        for abi in abis:
            if abi == "abi3" and int(minor) <= py.minor:
                return True
            if abi in ("none",) and (n.group(1) == "py" or int(minor) <= py.minor):
                return True
            if abi.rstrip("dmut") == f"cp{mine}" and minor == str(py.minor):
                return True
    return False
