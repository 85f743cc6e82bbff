"""Reading the pieces of a distribution refresh needs: a wheel's METADATA, a stub sdist's PKG-INFO and
pyproject.toml, and the CUDA facts of a wheel's smallest extension modules. Each result names what was read."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email.parser import HeaderParser
from typing import List, Optional, Tuple

from envcheck.archives import sdist_files
from envcheck.documents import DocumentError
from envcheck.elf import read_elf_bytes
from envcheck.matrix.refresh.http import FetchError, Http
from envcheck.matrix.refresh.index import IndexFile
from envcheck.matrix.refresh.remotezip import RemoteWheel, ZipError, dist_info_member

MAX_METADATA = 4 << 20          # a METADATA file (compressed or as .metadata)
MAX_SDIST = 4 << 20             # a stub sdist is 1-20 kB; refuse anything near a real one
MAX_SDIST_MEMBER = 1 << 20
NVCC = re.compile(rb"Cuda compilation tools, release (\d+)\.(\d+)")
CUDART = re.compile(r"^libcudart\.so\.(\d+)$")


@dataclass(frozen=True)
class Metadata:
    requires_dist: Tuple[str, ...]
    requires_python: Optional[str]
    classifiers: Tuple[str, ...]
    source: str          # what was read: "<file> (sha256 ...) <member> via ..." or "<file>.metadata (PEP 658 ...)"


def _parse_metadata(text: str, source: str) -> Metadata:
    msg = HeaderParser().parsestr(text)
    return Metadata(tuple(msg.get_all("Requires-Dist") or ()), msg.get("Requires-Python"),
                    tuple(msg.get_all("Classifier") or ()), source)


def wheel_metadata(http: Http, f: IndexFile) -> Metadata:
    """METADATA of wheel `f`: the PEP 658 file when the index serves it (hash checked), else range requests."""
    if f.has_metadata:
        body, _ = http.get(f.url + ".metadata", "metadata", cap=MAX_METADATA)
        got = hashlib.sha256(body).hexdigest()
        if f.metadata_sha256 and got != f.metadata_sha256:
            raise FetchError(f"{f.filename}.metadata: sha256 {got} does not match the index's {f.metadata_sha256}")
        return _parse_metadata(body.decode("utf-8", "replace"),
                               f"{f.filename}.metadata (PEP 658; sha256 {got}; wheel sha256 {f.sha256})")
    wheel = RemoteWheel(http, f.url, f.size)
    member = dist_info_member(list(wheel.members()))
    if member is None:
        raise ZipError(f"{f.filename}: no .dist-info/METADATA")
    data = wheel.read(member, MAX_METADATA)
    return _parse_metadata(data.decode("utf-8", "replace"),
                           f"{f.filename} (sha256 {f.sha256}) {member} (HTTP range requests: ZIP directory + that member)")


@dataclass(frozen=True)
class Sdist:
    pkg_info: Metadata
    pyproject: Optional[dict]
    source: str


def stub_sdist(http: Http, f: IndexFile) -> Sdist:
    """PKG-INFO and pyproject.toml of a small (stub) sdist, downloaded whole (it is kB) with a cap."""
    body, _ = http.get(f.url, "sdist", cap=MAX_SDIST)
    got = hashlib.sha256(body).hexdigest()
    if f.sha256 and got != f.sha256:
        raise FetchError(f"{f.filename}: sha256 {got} does not match the index's {f.sha256}")
    pkg, pyproject = None, None
    try:
        files = sdist_files(body, f.filename, lambda n: n.count("/") <= 1, MAX_SDIST_MEMBER)
    except DocumentError as exc:
        raise FetchError(str(exc)) from None
    for member, raw in files.items():
        base = member.rsplit("/", 1)[-1]  # 'pkg-1.0/PKG-INFO', or 'PKG-INFO' at the top (nvidia-stub sdists)
        if base == "PKG-INFO":
            pkg = raw.decode("utf-8", "replace")
        elif base == "pyproject.toml":
            pyproject = _toml(raw.decode("utf-8", "replace"))
    if pkg is None:
        raise FetchError(f"{f.filename}: no top-level PKG-INFO")
    src = f"{f.filename} (sha256 {got}, {len(body)} bytes) PKG-INFO" + (" + pyproject.toml" if pyproject else "")
    return Sdist(_parse_metadata(pkg, src), pyproject, src)


def _toml(text: str) -> Optional[dict]:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python < 3.11
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return _toml_lines(text, "no TOML parser on this Python (< 3.11 without tomli)")
    try:
        return tomllib.loads(text)
    except Exception as exc:  # e.g. 0.17.0's stub defines [tool.wheel_stub] twice: read the few keys line by line
        return _toml_lines(text, f"{type(exc).__name__}: {exc}")


def _toml_lines(text: str, why: str) -> dict:
    """The keys refresh uses, from `key = value` lines of an invalid pyproject.toml (said so under '_invalid')."""
    def val(key):
        m = re.search(rf'(?m)^\s*{re.escape(key)}\s*=\s*(?:"([^"]*)"|(true|false))\s*$', text)
        return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2) == "true")
    stub = {k: v for k, v in (("index_url", val("index_url")),) if v is not None}
    extra = {"stub_only": val("stub_only")} if val("stub_only") is not None else {}
    if extra:
        stub["extra"] = extra
    return {"_invalid": why, "build-system": {"build-backend": val("build-backend")}, "tool": {"wheel_stub": stub}}


@dataclass
class CudaBuild:
    """What a wheel's extension modules say about the CUDA they were built with."""
    cudart_major: Optional[int] = None
    nvcc: Optional[str] = None           # "12.8"
    read: List[str] = field(default_factory=list)      # members read, with their byte counts
    error: Optional[str] = None
    source: str = ""

    @property
    def cuda(self) -> Optional[str]:
        if self.nvcc and (self.cudart_major is None or self.nvcc.split(".")[0] == str(self.cudart_major)):
            return self.nvcc
        return None


WHOLE_MAX = 256 << 10           # members up to this many compressed bytes are read whole (ELF DT_NEEDED)
PREFIX_MAX = 640 << 10          # of a larger member, at most this many compressed bytes are streamed (the nvcc
                                # string, where a module has one, was within the first 512 KiB in every wheel measured)
CUDART_TEXT = re.compile(rb"libcudart\.so\.(\d+)\x00")
CUDA_LINKED = re.compile(rb"lib(cudart|cuda|nvrtc|cublas|cublasLt)\.so")


def _stem(name: str) -> str:
    """'x/_C.cpython-312-x86_64-linux-gnu.so' and '..-313-..' are one library for our purpose."""
    return re.sub(r"\.cpython-\d+[^.]*", "", name)


def cuda_of_wheel(http: Http, f: IndexFile, budget: int, max_members: int = 12) -> CudaBuild:
    """What a wheel's extension modules say about their CUDA, reading as little as possible: the smallest members
    whole (their ELF DT_NEEDED libcudart.so.N), then the first bytes of larger ones (nvcc's 'Cuda compilation
    tools, release X.Y' sits in the first MBs of the data), smallest first, until both are known or `budget`
    compressed bytes are spent."""
    out = CudaBuild()
    try:
        wheel = RemoteWheel(http, f.url, f.size)
        seen, sos = set(), []
        for m in sorted((m for m in wheel.members().values() if re.search(r"\.so(\.\d+)*$", m.name)),
                        key=lambda m: (m.compressed, m.name)):
            if _stem(m.name) not in seen:
                seen.add(_stem(m.name))
                sos.append(m)
        spent = 0
        for m in sos:
            if (out.nvcc and out.cudart_major is not None) or len(out.read) >= max_members or spent >= budget:
                break
            found = []
            if m.compressed <= WHOLE_MAX:
                if spent + m.compressed > budget:
                    continue
                data = wheel.read(m.name, WHOLE_MAX)
                spent += m.compressed
                info = read_elf_bytes(m.name, data)
                majors = {int(mm.group(1)) for n in info.needed for mm in [CUDART.match(n)] if mm}
                if majors and out.cudart_major is None:
                    out.cudart_major = max(majors)
                    found.append(f"DT_NEEDED libcudart.so.{out.cudart_major}")
                hit = NVCC.search(data)
                how = "whole"
            else:
                hit, tail, used = None, b"", 0
                cap = min(PREFIX_MAX, budget - spent)
                for n, part in wheel.stream(m.name, cap):
                    used += n
                    buf = tail + part
                    if out.cudart_major is None:
                        cm = CUDART_TEXT.search(buf)
                        if cm:
                            out.cudart_major = int(cm.group(1))
                            found.append(f"string libcudart.so.{out.cudart_major}")
                    hit = NVCC.search(buf)
                    if hit or out.nvcc:
                        break
                    if used == n and not CUDA_LINKED.search(buf):
                        break  # its dynamic strings (read first) name no CUDA library: not a CUDA module
                    tail = buf[-128:]
                spent += used
                how = f"first {used} compressed bytes"
            if hit and out.nvcc is None:
                out.nvcc = f"{int(hit.group(1))}.{int(hit.group(2))}"
                found.append(f"'Cuda compilation tools, release {out.nvcc}'")
            out.read.append(f"{m.name} ({how}{': ' + ', '.join(found) if found else ''})")
    except (FetchError, ZipError) as exc:
        out.error = str(exc)
    out.source = (f"{f.filename} (sha256 {f.sha256}) extension modules through HTTP range requests: "
                  + "; ".join(out.read))
    return out
