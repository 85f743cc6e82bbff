"""Faults the truth suite injects into a real environment, each undone afterwards.

A fault is a context manager: entering it changes the environment's files (or the process environment the import
runs with) and yields the extra environment variables for both judges; leaving it restores every file. Faults
pick their target from what the environment really holds (a library its wheels ship, an extension module), so
the same classes apply to every environment. Reality decides whether a fault breaks anything; the suite only
asks that envcheck's prediction agrees.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional

SUFFIX = ".truth-removed"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from envcheck.symbols import sysv_hash  # noqa: E402  (the ELF hash the loader checks)


@dataclass(frozen=True)
class Fault:
    cls: str          # the fault class (a column of the confusion matrix)
    name: str         # what exactly was done, e.g. "removed nvidia/cu13/lib/libcublasLt.so.13"
    apply: Callable[[], "contextlib.AbstractContextManager[Dict[str, str]]"] = field(compare=False, repr=False)
    imports: tuple = ()   # what reality imports besides the environment's own (the swapped distribution)


def _rel(path: str, prefix: str) -> str:
    return os.path.relpath(path, prefix)


@contextlib.contextmanager
def removed(paths: List[str]) -> Iterator[Dict[str, str]]:
    done = []
    try:
        for p in paths:
            os.rename(p, p + SUFFIX)
            done.append(p)
        yield {}
    finally:
        for p in done:
            os.rename(p + SUFFIX, p)


def restore_all(prefix: str) -> None:
    """Undo what an interrupted run left behind (files renamed away, replaced files kept aside)."""
    for p in glob.glob(os.path.join(prefix, "**", "*" + SUFFIX), recursive=True):
        os.replace(p, p[: -len(SUFFIX)])


@contextlib.contextmanager
def replaced(path: str, new_bytes: bytes) -> Iterator[Dict[str, str]]:
    os.rename(path, path + SUFFIX)
    try:
        with open(path, "wb") as fh:
            fh.write(new_bytes)
        os.chmod(path, 0o755)
        yield {}
    finally:
        os.replace(path + SUFFIX, path)


@contextlib.contextmanager
def on_ld_library_path(files: Dict[str, bytes], *, copy_from: Optional[Dict[str, str]] = None) -> Iterator[Dict[str, str]]:
    """A temp directory first on LD_LIBRARY_PATH holding the given files (name -> bytes, or copies of real files)."""
    d = tempfile.mkdtemp(prefix="truth-llp-")
    try:
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as fh:
                fh.write(data)
        for name, src in (copy_from or {}).items():
            shutil.copy2(src, os.path.join(d, name))
        yield {"LD_LIBRARY_PATH": d}
    finally:
        shutil.rmtree(d, ignore_errors=True)


# -- files the faults are made of -----------------------------------------------------------------------------
def impostor(soname: str, workdir: str) -> bytes:
    """A real shared object named ``soname`` that defines no symbols and no symbol versions (a stub, a truncated
    rebuild, another vendor's copy): the loader accepts the file, then the version or symbol lookups fail."""
    src = os.path.join(workdir, "impostor.c")
    out = os.path.join(workdir, soname)
    with open(src, "w") as fh:
        fh.write("int envcheck_truth_impostor(void) { return 0; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", f"-Wl,-soname,{soname}", "-o", out, src], check=True,
                   capture_output=True, timeout=60)
    with open(out, "rb") as fh:
        return fh.read()


def glibc_raised(path: str) -> Optional[bytes]:
    """The bytes of ``path`` with its highest GLIBC_2.x requirement raised to GLIBC_9.x (same length, hash fixed):
    what a wheel built on a newer distribution than this host looks like to the loader."""
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, _shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    best = None
    for s in secs:
        if s[1] != 0x6FFFFFFE:  # SHT_GNU_verneed
            continue
        strtab = secs[s[6]]
        str_off = strtab[4]
        off = s[4]
        for _ in range(s[7] or 64):
            _ver, _cnt, _file, aux, nxt = struct.unpack_from("<HHIII", data, off)
            a = off + aux
            for _ in range(_cnt):
                _h, _flags, _other, name, anext = struct.unpack_from("<IHHII", data, a)
                start = str_off + name
                end = data.index(0, start)
                text = bytes(data[start:end])
                if text.startswith(b"GLIBC_2.") and (best is None or len(text) >= len(best[1])):
                    best = (a, text, start)
                if not anext:
                    break
                a += anext
            if not nxt:
                break
            off += nxt
    if best is None:
        return None
    a, text, start = best
    new = b"GLIBC_9." + text[len(b"GLIBC_2."):]
    data[start:start + len(new)] = new
    struct.pack_into("<I", data, a, sysv_hash(new))
    return bytes(data)


@contextlib.contextmanager
def base_gone(prefix: str) -> Iterator[Dict[str, str]]:
    """The venv's interpreter links point at a base Python that no longer exists (pyenv uninstall, an upgraded
    system Python, a venv copied to another machine)."""
    bindir = os.path.join(prefix, "bin")
    links = [os.path.join(bindir, n) for n in os.listdir(bindir)
             if n.startswith("python") and os.path.islink(os.path.join(bindir, n))]
    old = {p: os.readlink(p) for p in links}
    try:
        for p in links:
            os.unlink(p)
            os.symlink("/nonexistent/truth-suite/bin/" + os.path.basename(old[p]), p)
        yield {}
    finally:
        for p, target in old.items():
            if os.path.islink(p) or os.path.exists(p):
                os.unlink(p)
            os.symlink(target, p)


@contextlib.contextmanager
def fatbin_retargeted(path: str, arch: int = 120) -> Iterator[Dict[str, str]]:
    """Every SASS and PTX entry of ``path``'s fatbin relabelled for sm_``arch``: a kernel library built for other
    GPUs than this one ('no kernel image is available for execution on the device')."""
    backup = path + SUFFIX
    shutil.copy2(path, backup)
    try:
        from envcheck.fatbin import entries
        with open(path, "rb") as fh:
            offsets = [en.offset for en in entries(fh)]
        with open(path, "r+b") as fh:
            for off in offsets:
                fh.seek(off + 28)     # the entry header's arch field
                fh.write(struct.pack("<I", arch))
        yield {}
    finally:
        os.replace(backup, path)


@contextlib.contextmanager
def wheel_added(prefix: str, wheel: str, find_links: List[str] = ()) -> Iterator[Dict[str, str]]:
    """A wheel pip-installed into the environment with what it requires (offline, from ``find_links``), and
    everything that install added uninstalled afterwards."""
    py = os.path.join(prefix, "bin", "python")

    def dists():
        out = subprocess.run([py, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, timeout=300)
        return {ln.split("==")[0].lower() for ln in out.stdout.splitlines() if "==" in ln}

    before = dists()
    cmd = [py, "-m", "pip", "install", "-q", "--no-index"]
    for d in find_links:
        cmd += ["--find-links", d]
    subprocess.run(cmd + [wheel], check=True, capture_output=True, timeout=600)
    added = sorted(dists() - before)
    try:
        yield {}
    finally:
        if added:
            subprocess.run([py, "-m", "pip", "uninstall", "-q", "-y", *added], check=False, capture_output=True,
                           timeout=600)


@contextlib.contextmanager
def swapped(prefix: str, new: str, old: str, find_links: List[str] = ()) -> Iterator[Dict[str, str]]:
    """Another release of one distribution put in place (pip --no-deps), the old one put back afterwards: what a
    later `pip install -U torch` does to an extension built against the first (vllm, flash-attn)."""
    py = os.path.join(prefix, "bin", "python")
    cmd = [py, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    for d in find_links:
        cmd += ["--find-links", d]
    subprocess.run(cmd + [new], check=True, capture_output=True, timeout=1800)
    try:
        yield {}
    finally:
        subprocess.run(cmd + [old], check=False, capture_output=True, timeout=1800)


def driver_stub(sp: str, workdir: str) -> str:
    """A directory holding a libcuda.so.1 that defines every driver function (cu*) the environment's extension
    modules link against, each returning CUDA_SUCCESS: what CUDA's own stubs/libcuda.so is, for a machine without
    a driver, so that a package linked against the driver can be imported at all."""
    from envcheck.symbols import Symbols
    names = set()
    for f in glob.glob(os.path.join(sp, "**", "*.so"), recursive=True):
        t = Symbols(f)
        if t.ok:
            names.update(n.decode() for n, _v in t.undefined() if n.startswith(b"cu") and n[2:3].isupper())
            t.close()
    d = os.path.join(workdir, "driver-stub")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "stub.c")
    with open(src, "w") as fh:
        fh.write("".join(f"int {n}(void) {{ return 0; }}\n" for n in sorted(names)))
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o", os.path.join(d, "libcuda.so.1"), src],
                   check=True, capture_output=True, timeout=60)
    return d


# -- the process view: what the first CUDA call meets ----------------------------------------------------------
TOOLKIT_STUBS = ("/usr/local/cuda*/targets/*/lib/stubs/libcuda.so", "/usr/local/cuda*/lib64/stubs/libcuda.so")


def toolkit_stub(workdir: str) -> str:
    """A CUDA toolkit's own stubs/libcuda.so where this machine has one; else one built like it (the driver API's
    entry points, each returning CUDA_ERROR_STUB_LIBRARY = 34, no device node named)."""
    for pat in TOOLKIT_STUBS:
        hits = sorted(glob.glob(pat))
        if hits:
            return hits[-1]
    d = os.path.join(workdir, "built-stubs")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "stub.c")
    with open(src, "w") as fh:
        fh.write("".join(f"int {n}(void) {{ return 34; }}\n" for n in
                         ("cuInit", "cuDriverGetVersion", "cuDeviceGet", "cuDeviceGetCount", "cuGetProcAddress",
                          "cuGetProcAddress_v2", "cuGetErrorString", "cuCtxGetCurrent")))
    out = os.path.join(d, "libcuda.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o", out, src], check=True,
                   capture_output=True, timeout=60)
    return out


@contextlib.contextmanager
def stub_first(stub: str) -> Iterator[Dict[str, str]]:
    """The toolkit's stub as libcuda.so.1 first on LD_LIBRARY_PATH (a Dockerfile's build step left it there)."""
    d = tempfile.mkdtemp(prefix="truth-stubs-")
    try:
        os.symlink(stub, os.path.join(d, "libcuda.so.1"))
        yield {"LD_LIBRARY_PATH": d}
    finally:
        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def variables(values: Dict[str, str]) -> Iterator[Dict[str, str]]:
    """Only the process environment changes (CUDA_VISIBLE_DEVICES=...): both judges get it."""
    yield dict(values)


@contextlib.contextmanager
def node_moved(path: str) -> Iterator[Dict[str, str]]:
    """A /dev/nvidia* node moved away (a container started without it), moved back afterwards."""
    os.rename(path, path + SUFFIX)
    try:
        yield {}
    finally:
        os.rename(path + SUFFIX, path)


def process_faults(workdir: str, gpu: bool, want) -> List[Fault]:
    out: List[Fault] = []
    if want("stub-libcuda"):
        stub = toolkit_stub(workdir)
        out.append(Fault("stub-libcuda", f"{stub} as libcuda.so.1 first on LD_LIBRARY_PATH",
                         lambda s=stub: stub_first(s)))
    if want("empty-libcuda"):   # an image's empty placeholder, or a copy cut short, ahead of the driver's
        out.append(Fault("empty-libcuda", "an empty libcuda.so.1 first on LD_LIBRARY_PATH",
                         lambda: on_ld_library_path({"libcuda.so.1": b""})))
    if want("visible-devices"):
        for value in ("", "7", "0,7"):
            out.append(Fault("visible-devices", f"CUDA_VISIBLE_DEVICES={value!r}",
                             lambda v=value: variables({"CUDA_VISIBLE_DEVICES": v})))
    if want("device-node") and gpu:
        for node in ("/dev/nvidia-uvm", "/dev/nvidiactl"):
            if os.path.exists(node) and os.access(os.path.dirname(node), os.W_OK):
                out.append(Fault("device-node", f"{node} missing", lambda n=node: node_moved(n)))
    return out
