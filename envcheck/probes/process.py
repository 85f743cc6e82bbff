"""The process view: what a CUDA program started here meets before its first kernel, read from files and the
environment variables (nothing is loaded, no CUDA call is made).

- ``libcuda.so.1``: the CUDA runtime (libcudart) dlopens it by soname, so the loader searches LD_LIBRARY_PATH,
  libcudart's RUNPATH, ld.so.cache and the default directories (envcheck.loader). Whether the file is the CUDA
  toolkit's link-time stub (``stubs/libcuda.so``: every entry point returns CUDA_ERROR_STUB_LIBRARY, 34) is read
  from the file itself: it exports ``cuInit`` like the driver, but it is small and never opens a device node,
  while the driver's libcuda is tens of MiB and carries the ``/dev/nvidia`` paths it opens.
- ``CUDA_VISIBLE_DEVICES``: as the CUDA runtime parses it (CUDA C Programming Guide, "CUDA Environment
  Variables"): a comma-separated list of indexes, ``GPU-`` UUIDs (a unique prefix is enough) or ``MIG-``
  instances; the first invalid entry ends the list, so an empty value or an invalid first entry leaves none.
- ``/dev/nvidiactl``, ``/dev/nvidia-uvm``, ``/dev/nvidiaN``: present, a character device, openable read-write.
- the user-space driver libraries' versions (their file names) against the kernel module's
  (/proc/driver/nvidia/version): NVML's "Driver/library version mismatch".
"""
from __future__ import annotations

import os
import posixpath
import re
import stat
from typing import Dict, List, Optional, Sequence, Tuple

from envcheck.cudalibs import version_from_name
from envcheck.elf import ElfInfo
from envcheck.ldcache import read_cache, read_conf
from envcheck.loader import Loader
from envcheck.model import DeviceNode, DriverLibrary, ProcessView, VisibleDevices
from envcheck.probes.context import reason
from envcheck.probes.nvidia import parse_information, parse_module_version
from envcheck.symbols import Symbols
from envcheck.versions import parse

LIBCUDA = "libcuda.so.1"
LIBNVML = "libnvidia-ml.so.1"
STUB_MAX_BYTES = 4 << 20        # the toolkit's stubs are tens of KiB; the driver's libcuda is tens of MiB
DRIVER_MARK = b"/dev/nvidia"   # the driver opens /dev/nvidiactl and /dev/nvidia%d; the stub opens nothing
DRIVER_DIRS = ("/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/aarch64-linux-gnu",
               "/usr/lib/wsl/lib")


def probe(ctx, env) -> dict:
    root = ctx.root
    environ = root.environ()
    errors: Dict[str, str] = {}
    machine = env.host.arch if env.host and env.host.arch else "x86_64"
    cache = ctx.cache.get("ld.so.cache") if ctx.cache is not None else None
    if cache is None:
        cache = read_cache(root)
    conf_dirs, _ = read_conf(root)
    system = Loader(root, environ.get("LD_LIBRARY_PATH"), machine, cache=cache, conf_dirs=conf_dirs)
    libcuda = [driver_library(root, system, None, None)]
    for p in env.pythons or ():
        cudart = _cudart_of(env, p.prefix)
        if cudart is None:
            continue
        loader = Loader(root, environ.get("LD_LIBRARY_PATH"), machine, cache=cache, conf_dirs=conf_dirs,
                        exe=p.path if p.path and root.exists(p.path) else None)
        libcuda.append(driver_library(root, loader, p.prefix, cudart))
    kernel = kernel_module(root, errors)
    nvml, _via = system.resolve_system(LIBNVML)
    nvml_real = (system.realpath(nvml) or nvml) if nvml else None
    return {"process": ProcessView(
        libcuda=tuple(libcuda), devices=visible_devices(environ, env.gpus), device_nodes=device_nodes(root, errors),
        kernel_module=parse(kernel), nvml_library=nvml_real,
        nvml_library_version=parse(version_from_name(posixpath.basename(nvml_real))) if nvml_real else None,
        ld_library_path=environ.get("LD_LIBRARY_PATH"),
        nvidia_modprobe=any(root.exists(d + "/nvidia-modprobe") for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin")),
        errors=errors or None)}


def _cudart_of(env, prefix: Optional[str]) -> Optional[str]:
    """The environment's own libcudart (a wheel's), which is what dlopens libcuda.so.1 in that process."""
    for lib in env.libraries or ():
        if lib.environment == prefix and lib.soname.startswith("libcudart.so") and lib.path:
            return lib.path
    return None


# -- libcuda.so.1 ---------------------------------------------------------------------------------------------
def driver_library(root, loader: Loader, environment: Optional[str], cudart: Optional[str]) -> DriverLibrary:
    if cudart is not None and loader.elf(cudart).ok:
        needer, info = cudart, loader.elf(cudart)
    else:
        needer, info = "/", ElfInfo("/", machine=loader.machine)
    hit, via, _searched, stop = loader.find(LIBCUDA, needer, info)
    if stop is not None:
        return DriverLibrary(environment=environment, via=via, unusable=f"{stop[0]}: {stop[1]}",
                             driver_copy=_driver_copy(root, loader, needer, info, loader.realpath(stop[0]) or stop[0]),
                             error=f"the loader stops at {stop[0]} ({stop[1]}) and finds no driver")
    if hit is None:
        return DriverLibrary(environment=environment, error=f"not found: no {LIBCUDA} on the loader's path")
    real = loader.realpath(hit) or hit
    stub, evidence = stub_marks(root, hit, real)
    copy = None
    if stub:
        copy = _driver_copy(root, loader, needer, info, real)
    return DriverLibrary(environment=environment, path=real, via=via + (f" ({posixpath.dirname(hit)})"
                                                                        if via == "LD_LIBRARY_PATH" else ""),
                         stub=stub, stub_evidence=evidence,
                         version=parse(version_from_name(posixpath.basename(real))), driver_copy=copy)


def stub_marks(root, path: str, real: str) -> Tuple[Optional[bool], str]:
    """(is a stub, why we think so), from the file: exports cuInit, under STUB_MAX_BYTES, no /dev/nvidia path."""
    try:
        host = root.host(real)
        size = os.stat(host).st_size
    except (OSError, ValueError) as exc:
        return None, f"unreadable: {reason(exc)}"
    in_stubs = "stubs" in path.split("/") or "stubs" in real.split("/")
    syms = Symbols(host)
    try:
        exports = syms.ok and syms.defines(b"cuInit")
    finally:
        syms.close()
    if not exports:
        return False, "does not export cuInit (not a CUDA driver API library)"
    if size > STUB_MAX_BYTES:
        return False, f"exports cuInit, {size >> 20} MiB: the driver"
    try:
        marked = DRIVER_MARK in root.read_bytes(real, STUB_MAX_BYTES + 1)
    except OSError as exc:
        return None, f"unreadable: {reason(exc)}"
    if marked:
        return False, f"exports cuInit and names /dev/nvidia*: the driver ({size} bytes)"
    where = ", in a stubs/ directory" if in_stubs else ""
    return True, f"exports cuInit but {size} bytes and never names /dev/nvidia*{where}: the CUDA toolkit's stub"


def _driver_copy(root, loader: Loader, needer: str, info: ElfInfo, stub_real: str) -> Optional[str]:
    """Where the real driver's libcuda.so.1 is: the loader's pick without LD_LIBRARY_PATH, else a driver dir."""
    cands = [loader.find(LIBCUDA, needer, info, llp=()).path]
    cands += [d + "/" + LIBCUDA for d in DRIVER_DIRS if LIBCUDA in loader.names_in(d)]
    for cand in cands:
        if cand is None:
            continue
        real = loader.realpath(cand) or cand
        stub, evidence = stub_marks(root, cand, real)
        if real != stub_real and stub is False and evidence.startswith("exports cuInit"):
            return cand
    return None


# -- the kernel module ----------------------------------------------------------------------------------------
def kernel_module(root, errors: Dict[str, str]) -> Optional[str]:
    try:
        text = root.read_text("/proc/driver/nvidia/version")
    except OSError:
        return None   # no module loaded (no GPU): a normal answer
    version = parse_module_version(text)
    if not version:
        errors["kernel_module"] = "/proc/driver/nvidia/version has no driver version line"
    return version


# -- CUDA_VISIBLE_DEVICES ---------------------------------------------------------------------------------------
def visible_devices(environ: Dict[str, str], gpus) -> VisibleDevices:
    value = environ.get("CUDA_VISIBLE_DEVICES")
    base = dict(cuda_visible_devices=value, nvidia_visible_devices=environ.get("NVIDIA_VISIBLE_DEVICES"),
                cuda_device_order=environ.get("CUDA_DEVICE_ORDER"))
    gpus = list(gpus or ())
    if not gpus:
        return VisibleDevices(**base)   # no GPU known: nothing to leave visible or hide
    if value is None:
        return VisibleDevices(**base, visible=tuple(_label(g) for g in gpus))
    if any(g.mig for g in gpus):
        return VisibleDevices(**base, reason="MIG is on: CUDA enumerates MIG instances, not GPUs; not judged")
    visible, ignored, why = parse_visible(value, gpus)
    return VisibleDevices(**base, visible=tuple(_label(g) for g in visible), ignored=tuple(ignored) or None,
                          reason=why)


def parse_visible(value: str, gpus: Sequence) -> Tuple[List, List[str], Optional[str]]:
    """(GPUs left visible, entries ignored, why the first ignored one is invalid), as the CUDA runtime reads it."""
    entries = [e.strip() for e in value.split(",")]
    if value.strip() == "":
        return [], [], "the value is empty: CUDA sees no GPU"
    visible: List = []
    for i, entry in enumerate(entries):
        gpu, why = _match(entry, gpus)
        if gpu is not None and gpu in visible:
            gpu, why = None, f"{entry!r} names a GPU already listed"
        if gpu is None:
            return visible, entries[i:], why
        visible.append(gpu)
    return visible, [], None


def _match(entry: str, gpus: Sequence):
    if re.fullmatch(r"\d+", entry):
        n = int(entry)
        if n < len(gpus):
            return gpus[n], None
        return None, f"index {n} does not exist (this machine has {len(gpus)} GPU{'s' if len(gpus) != 1 else ''}: " \
                     f"0..{len(gpus) - 1})"
    if entry.startswith("GPU-") and len(entry) > 4:
        hits = [g for g in gpus if g.uuid and g.uuid.lower().startswith(entry.lower())]
        if len(hits) == 1:
            return hits[0], None
        return None, f"{entry!r} matches {'no' if not hits else 'more than one'} GPU's UUID"
    if entry.startswith("MIG-"):
        return None, f"{entry!r} is a MIG instance, and no GPU here has MIG on"
    return None, f"{entry!r} is neither an index, a GPU- UUID nor a MIG- instance"


def _label(gpu) -> str:
    return f"{gpu.index} ({gpu.uuid})" if gpu.uuid else str(gpu.index)


# -- /dev/nvidia* -----------------------------------------------------------------------------------------------
def device_nodes(root, errors: Dict[str, str]) -> Optional[Tuple[DeviceNode, ...]]:
    """The nodes a CUDA program opens. Under --root only where the tree has a /dev with nvidia entries (an image's
    or a copied tree's /dev says nothing about the machine that will run it)."""
    try:
        present = sorted(n for n in root.listdir("/dev") if n.startswith("nvidia"))
    except (OSError, ValueError):
        present = []
    if not root.live and not present:
        return None
    if root.live and not present and not root.exists("/proc/driver/nvidia/version"):
        return None      # no driver, no GPU: nothing a CUDA program could open
    # a container gets the nodes of its own GPUs only, while /proc/driver/nvidia/gpus lists the host's: the GPU
    # nodes present are judged, and one is asked for only where there is none
    gpu_nodes = [n for n in present if re.fullmatch(r"nvidia\d+", n)]
    if not gpu_nodes:
        gpu_nodes = [f"nvidia{(_minors(root) or [0])[0]}"]
    wanted = ["nvidiactl", "nvidia-uvm"] + sorted(gpu_nodes, key=lambda n: int(n[6:]))
    return tuple(_node(root, "/dev/" + n, errors) for n in wanted)


def _minors(root) -> List[int]:
    out = []
    for d in root.glob("/proc/driver/nvidia/gpus", "*"):
        try:
            minor = parse_information(root.read_text(d + "/information")).get("Device Minor", "")
        except OSError:
            continue
        if minor.isdigit():
            out.append(int(minor))
    return sorted(out)


def _node(root, path: str, errors: Dict[str, str]) -> DeviceNode:
    try:
        st = root.stat(path)
    except FileNotFoundError:
        return DeviceNode(path=path, present=False)
    except (OSError, ValueError) as exc:
        errors[path] = reason(exc) if isinstance(exc, OSError) else str(exc)
        return DeviceNode(path=path, present=False)
    kind = "char" if stat.S_ISCHR(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode) else "file"
    return DeviceNode(path=path, present=True, kind=kind, openable=_openable(root, path, kind),
                      mode=f"{stat.S_IMODE(st.st_mode):04o}")


def _openable(root, path: str, kind: str) -> bool:
    """On the live machine a device node is opened for real (the device cgroup can refuse what the mode allows;
    opening nvidiactl or nvidia-uvm changes nothing); under --root, os.access on the tree's file."""
    host = root.host(path)
    if root.live and kind == "char":
        try:
            os.close(os.open(host, os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK))
            return True
        except OSError:
            return False
    return kind != "dir" and os.access(host, os.R_OK | os.W_OK)
