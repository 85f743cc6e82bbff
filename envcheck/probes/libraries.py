"""CUDA libraries by soname (the system loader's view, then each Python environment's wheels), and, per Python
environment, the native extensions of torch, tensorrt, tensorrt_llm, vllm, sglang, flash_attn and nvidia-* wheels
resolved the way glibc would (envcheck.loader) — without loading anything.

Import-time preloads are modelled from the packages' own code (read at their tags, see docs/native.md):
- ``import torch`` dlopens ``torch/lib/libtorch_global_deps.so`` (RTLD_GLOBAL); if that fails on a CUDA library it
  first dlopens, by path, the first match of each pattern in its ``cuda_libs`` table from ``sys.path`` entries'
  ``nvidia/<component>/lib`` (and, for CUDA 13 builds, ``nvidia/cu13/lib``), then ``torch/_C``. We read that table
  from the environment's own torch/__init__.py.
- ``import tensorrt`` dlopens libnvinfer*.so.N from the ``tensorrt_libs`` package by path.
- tensorrt_llm, vllm, sglang and flash_attn import torch (and tensorrt_llm tensorrt) first, so their extensions find
  libc10.so / libtorch*.so / libnvinfer.so.N already loaded, by soname.
"""
from __future__ import annotations

import fnmatch
import posixpath
import re
import stat as _stat
from typing import Dict, List, Optional, Sequence, Set, Tuple

from envcheck.cudalibs import CATALOG, catalog_stem, cuda_major, is_soname_like, split_name, version_from_name
from envcheck.ldcache import read_cache, read_conf
from envcheck.loader import Closure, Loader, default_dirs
from envcheck.model import Library, NativeLink, PythonEnv
from envcheck.probes import reason
from envcheck.versions import parse

DRIVER_DIRS = ("/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64",
               "/usr/lib/aarch64-linux-gnu", "/usr/lib/wsl/lib")
# top-level import names whose native code we resolve, and their distribution names
PACKAGES = {"torch": "torch", "tensorrt": "tensorrt", "tensorrt_libs": "tensorrt-libs",
            "tensorrt_bindings": "tensorrt-bindings", "tensorrt_llm": "tensorrt-llm", "vllm": "vllm",
            "vllm_flash_attn": "vllm-flash-attn", "sglang": "sglang", "sgl_kernel": "sgl-kernel",
            "flash_attn": "flash-attn", "flashinfer": "flashinfer-python", "nvidia": "nvidia-*"}
TOP_LEVEL_SO = ("flash_attn_2_cuda", "flash_attn_3_cuda", "flash_attn_interface")
# torch's table when its __init__.py cannot be read (torch 2.11 torch/__init__.py `_preload_cuda_deps`, as read on
# the device machine; 2.4 .. 2.8 had the same folders in a dict without libcublasLt/cusparseLt/cufile)
TORCH_CUDA_LIBS = (("cublas", "libcublasLt.so.*[0-9]"), ("cublas", "libcublas.so.*[0-9]"), ("cudnn", "libcudnn.so.*[0-9]"),
                   ("cuda_nvrtc", "libnvrtc.so.*[0-9]"), ("cuda_runtime", "libcudart.so.*[0-9]"),
                   ("cuda_cupti", "libcupti.so.*[0-9]"), ("cufft", "libcufft.so.*[0-9]"),
                   ("curand", "libcurand.so.*[0-9]"), ("nvjitlink", "libnvJitLink.so.*[0-9]"),
                   ("cusparse", "libcusparse.so.*[0-9]"), ("cusparselt", "libcusparseLt.so.*[0-9]"),
                   ("cusolver", "libcusolver.so.*[0-9]"), ("nccl", "libnccl.so.*[0-9]"),
                   ("nvtx", "libnvToolsExt.so.*[0-9]"), ("nvshmem", "libnvshmem_host.so.*[0-9]"),
                   ("cufile", "libcufile.so.*[0-9]"))
_EXT = re.compile(r"\.(cpython-[^.]+|abi3|pypy[^.]*)\.so$")
MAX_FILES_PER_ENV = 20000
MAX_DEPTH = 10


def probe(ctx, env) -> dict:
    root = ctx.root
    machine = (env.host.arch if env.host and env.host.arch else "x86_64")
    environ = root.environ()
    llp = environ.get("LD_LIBRARY_PATH")
    cache = ctx.cache.get("ld.so.cache") if ctx.cache is not None else None
    if cache is None:
        cache = read_cache(root)
        if ctx.cache is not None:
            ctx.cache["ld.so.cache"] = cache
    conf_dirs, _conf_errors = read_conf(root)
    system = Loader(root, llp, machine, cache=cache, conf_dirs=conf_dirs)
    libraries: List[Library] = list(system_view(root, system, env.cuda_toolkits or ()))
    out: Dict[str, object] = {}
    if env.pythons is not None:
        pythons = []
        for p in env.pythons:
            try:
                libs, links = python_env(root, p, llp, machine, cache, conf_dirs)
            except Exception as exc:  # one odd environment must not cost the others
                libs, links = [], [NativeLink(package="?", file=p.prefix or p.path, error=f"not analysed: {reason(exc)}")]
            libraries.extend(libs)
            pythons.append(p if links is None else _replace(p, links))
        out["pythons"] = tuple(pythons)
    out["libraries"] = tuple(libraries)
    return out


def _replace(p: PythonEnv, links) -> PythonEnv:
    import dataclasses
    return dataclasses.replace(p, native=tuple(links))


# -- the system loader's view ---------------------------------------------------------------------------------
def system_view(root, loader: Loader, toolkits: Sequence = ()) -> List[Library]:
    """One row per CUDA-catalog soname that a program without RPATH/RUNPATH would load, and where from; then the
    driver's and toolkits' copies the loader would not find."""
    sonames: Set[str] = set()
    for e in loader.cache.entries:
        if catalog_stem(e.soname) and is_soname_like(e.soname):
            sonames.add(e.soname)
    extra_dirs: List[Tuple[str, str]] = [(d, "driver-dir") for d in DRIVER_DIRS]
    for tk in toolkits:
        for sub in ("lib64", "lib", "targets/x86_64-linux/lib", "targets/sbsa-linux/lib"):
            extra_dirs.append((tk.path.rstrip("/") + "/" + sub, "toolkit"))
    search_dirs = list(loader.llp) + list(loader.conf_dirs) + list(default_dirs(loader.machine)) + [d for d, _ in extra_dirs]
    for d in search_dirs:
        for n in loader.names_in(d):
            if catalog_stem(n) and is_soname_like(n):
                sonames.add(n)
    rows: List[Library] = []
    for soname in sorted(sonames, key=_sort_key):
        hit, via = loader.resolve_system(soname)
        if hit:
            rows.append(_row(loader, soname, hit, via))
            continue
        for d, kind in extra_dirs:
            if soname in loader.names_in(d):
                cand = d.rstrip("/") + "/" + soname
                if loader.elf(cand).ok:
                    rows.append(_row(loader, soname, cand, f"{kind} (not on the loader's path)"))
                    break
    return rows


def _sort_key(soname: str):
    parts = split_name(soname) or (soname, None, ())
    return (parts[0].lower(), parts[2], soname)   # the name last: no ties, so set order never shows


def _row(loader: Loader, soname: str, path: str, via: str, environment: Optional[str] = None,
         package: Optional[str] = None, package_version=None) -> Library:
    real = loader.realpath(path) or path
    version = version_from_name(posixpath.basename(real)) or version_from_name(posixpath.basename(path))
    if version is None and package_version is not None:
        version = str(package_version)
    return Library(soname=soname, path=real, via=via, version=parse(version),
                   cuda_major=cuda_major(soname, path, package, str(package_version) if package_version else None),
                   environment=environment, package=package)


# -- one Python environment -----------------------------------------------------------------------------------
def python_env(root, p: PythonEnv, llp, machine, cache, conf_dirs) -> Tuple[List[Library], Optional[List[NativeLink]]]:
    sps = [s for s in (p.site_packages or ()) if root.is_dir(s)]
    if not sps:
        return [], None
    packages = {k.lower().replace("_", "-"): v for k, v in (p.packages or {}).items()}
    exe = p.path if p.path and root.exists(p.path) else None
    loader = Loader(root, llp, machine, cache=cache, conf_dirs=conf_dirs, exe=exe)
    where = p.prefix or p.path
    libs = wheel_libraries(root, loader, sps, where, packages)
    links = native_links(root, loader, sps, packages, p)
    return libs, links


def _dist_for(path: str, stem: str, packages: Dict[str, object]) -> Tuple[Optional[str], Optional[object]]:
    """Which installed distribution ships a wheel library (nvidia-cublas-cu12, nvidia-cublas, tensorrt-cu12-libs)."""
    from envcheck.cudalibs import WHEEL_DIST
    m = re.search(r"/nvidia/([^/]+)/lib/", path)
    comp = m.group(1) if m else None
    if comp and re.fullmatch(r"cu1[0-9]", comp):
        comp = CATALOG.get(stem, (None, None))[0]
    if comp:
        base = WHEEL_DIST.get(comp, "nvidia-" + comp.replace("_", "-"))
        for cand in (base + "-cu12", base + "-cu13", base + "-cu11", base):
            if cand in packages:
                return cand, packages[cand]
        return base, None
    if "/tensorrt_libs/" in path:
        for cand in ("tensorrt-cu13-libs", "tensorrt-cu12-libs", "tensorrt-libs"):
            if cand in packages:
                return cand, packages[cand]
        return "tensorrt-libs", None
    if "/torch/lib/" in path:
        return "torch", packages.get("torch")
    return None, None


def wheel_libraries(root, loader: Loader, sps: Sequence[str], where: str, packages) -> List[Library]:
    rows: List[Library] = []
    seen: Set[Tuple[str, str]] = set()
    for sp in sps:
        dirs = [sp + "/nvidia/" + c + "/lib" for c in sorted(loader.names_in(sp + "/nvidia"))]
        dirs += [sp + "/tensorrt_libs", sp + "/torch/lib"]
        for d in dirs:
            for n in sorted(loader.names_in(d), key=_sort_key):
                stem = catalog_stem(n)
                if not stem or not is_soname_like(n):
                    continue
                path = d + "/" + n
                info = loader.elf(path)
                soname = info.soname or n
                if (soname, d) in seen:
                    continue
                seen.add((soname, d))
                dist, ver = _dist_for(path, stem, packages)
                rows.append(_row(loader, soname, path, "wheel", where, dist, ver))
    return rows


def _walk(root, top: str, limit: int) -> List[str]:
    """Regular files named *.so or *.so.N under ``top``: no symlinked directories followed, bounded depth and
    count, unreadable directories skipped (the loader could not read them either)."""
    out: List[str] = []
    stack = [(top, 0)]
    while stack and len(out) < limit:
        d, depth = stack.pop()
        try:
            entries = sorted(root.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_symlink():
                    continue
                if e.is_dir(follow_symlinks=False):
                    if depth < MAX_DEPTH and e.name != "__pycache__":
                        stack.append((d + "/" + e.name, depth + 1))
                    continue
                if not (e.name.endswith(".so") or ".so." in e.name):
                    continue
                if _stat.S_ISREG(e.stat(follow_symlinks=False).st_mode):
                    out.append(d + "/" + e.name)
            except OSError:
                continue
    return out


def _torch_table(root, sp: str) -> Tuple[Tuple[Tuple[str, str], ...], bool]:
    """torch's own preload table and whether it also looks in nvidia/cuNN/lib (CUDA 13 builds)."""
    try:
        text = root.read_text(sp + "/torch/__init__.py", limit=1 << 20)
    except OSError:
        return TORCH_CUDA_LIBS, True
    # torch <= 2.8: a dict {"cublas": "libcublas.so.*[0-9]", ...}; 2.9+: a list of ("cublas", "libcublasLt.so.*[0-9]")
    pat = r'["\']([a-z_]+)["\'](?::|,)\s*["\'](lib[A-Za-z_]+\.so\.\*\[0-9\])["\']'
    pairs = tuple(re.findall(pat, text))
    cu_dirs = 'f"cu{' in text or "'cu' +" in text or '"cu13"' in text
    return (pairs or TORCH_CUDA_LIBS), cu_dirs


def _preload(loader: Loader, sps: Sequence[str], table, cu_dirs: bool) -> Dict[str, str]:
    """What torch's _preload_cuda_deps would dlopen by path: {soname: path}."""
    out: Dict[str, str] = {}
    for folder, pattern in table:
        for sp in sps:
            dirs = [sp + "/nvidia/" + folder + "/lib"]
            if cu_dirs:
                dirs += [sp + "/nvidia/" + c + "/lib" for c in sorted(loader.names_in(sp + "/nvidia"))
                         if re.fullmatch(r"cu1[0-9]", c)]
            hit = None
            for d in dirs:
                names = sorted(n for n in loader.names_in(d) if fnmatch.fnmatch(n, pattern))
                if names:
                    hit = d + "/" + names[0]
                    break
            if hit:
                info = loader.elf(hit)
                if info.ok:
                    out[info.soname or posixpath.basename(hit)] = hit
                break
    return out


def _merge(base: Dict[str, str], closure: Closure) -> Dict[str, str]:
    merged = dict(base)
    merged.update(closure.loaded)
    return merged


def native_links(root, loader: Loader, sps: Sequence[str], packages, p: PythonEnv) -> List[NativeLink]:
    files: List[Tuple[str, str, str]] = []  # (import name, dist, path)
    budget = MAX_FILES_PER_ENV
    for sp in sps:
        for name in sorted(loader.names_in(sp)):   # a frozenset: its order changes with PYTHONHASHSEED
            top = name
            if name in PACKAGES and root.is_dir(sp + "/" + name):
                found = _walk(root, sp + "/" + name, budget)
                budget -= len(found)
                files.extend((top, PACKAGES[name], f) for f in found)
            elif name.endswith(".so") and name.split(".")[0] in TOP_LEVEL_SO:
                files.append((name.split(".")[0], "flash-attn", sp + "/" + name))
    if not files:
        return []

    # what `import torch` (and `import tensorrt`) leave loaded
    torch_base: Dict[str, str] = {}
    torch_sp = next((sp for sp in sps if root.is_dir(sp + "/torch")), None)
    if torch_sp:
        gd = torch_sp + "/torch/lib/libtorch_global_deps.so"
        pre: Dict[str, str] = {}
        if root.exists(gd):
            c = loader.load(gd)
            if c.missing:
                table, cu_dirs = _torch_table(root, torch_sp)
                pre = _preload(loader, sps, table, cu_dirs)
                for so, path in list(pre.items()):
                    pre = _merge(pre, loader.load(path, pre))
                c = loader.load(gd, pre)
            torch_base = _merge(pre, c)
        for cfile in sorted(loader.names_in(torch_sp + "/torch")):
            if cfile.startswith("_C.") and cfile.endswith(".so"):
                torch_base = _merge(torch_base, loader.load(torch_sp + "/torch/" + cfile, torch_base))
    trt_base = dict(torch_base)
    for sp in sps:
        d = sp + "/tensorrt_libs"
        for n in sorted(loader.names_in(d)):
            if re.fullmatch(r"libnv(infer|onnxparser)[a-z_]*\.so\.\d+", n) and "builder_resource" not in n:
                trt_base = _merge(trt_base, loader.load(d + "/" + n, trt_base))

    def base_for(top: str) -> Dict[str, str]:
        if top in ("tensorrt", "tensorrt_libs", "tensorrt_bindings", "tensorrt_llm"):
            return trt_base
        return torch_base

    results: List[Tuple[str, str, str, Closure, bool]] = []
    reached: Set[str] = set()
    for top, dist, f in files:
        is_ext = bool(_EXT.search(f)) or top in TOP_LEVEL_SO
        closure = loader.load(f, base_for(top))
        if is_ext:
            reached.update(loader.realpath(o) or o for o in closure.objects[1:])
        results.append((top, dist, f, closure, is_ext))

    links: List[NativeLink] = []
    for top, dist, f, c, is_ext in results:
        real = loader.realpath(f) or f
        if not is_ext and real in reached:
            continue  # its problems show on the extension that loads it
        majors = _majors(loader, c)
        problems = c.missing or c.version_missing or c.unreadable or len(majors) > 1
        if not problems:
            continue
        if dist == "nvidia-*":
            m = re.search(r"/nvidia/([^/]+)/", f)
            stem = catalog_stem(posixpath.basename(f)) or ""
            dist = _dist_for(f, stem, packages)[0] or ("nvidia-" + (m.group(1) if m else "?"))
        missing = tuple(dict.fromkeys(m.soname for m in c.missing))
        needed_by = {m.soname: m.needer for m in c.missing if m.needer != f}
        searched = c.missing[0].searched if c.missing else None
        err = "; ".join(f"{path}: {why}" for path, why in c.unreadable) or None
        mv = tuple(f"{v.soname} {v.version} (needed by {v.needer}, provider {v.provider})" for v in c.version_missing)
        links.append(NativeLink(package=dist, file=f, missing=missing, searched=searched,
                                glibc_required=parse(c.glibc_required), error=err,
                                kind="extension" if is_ext else "library", needed_by=needed_by or None,
                                missing_versions=mv or None, cuda_majors=tuple(sorted(majors)) or None))
    return links


def _majors(loader: Loader, c: Closure) -> Set[int]:
    out: Set[int] = set()
    for o in c.objects:
        info = loader.elf(o)
        name = info.soname or posixpath.basename(o)
        if catalog_stem(name) in ("libcudart", "libcublas", "libcublasLt", "libnvrtc", "libnvJitLink"):
            m = cuda_major(name, o)
            if m:
                out.add(m)
    for m in c.missing:
        if catalog_stem(m.soname) in ("libcudart", "libcublas", "libcublasLt", "libnvrtc", "libnvJitLink"):
            mj = cuda_major(m.soname)
            if mj:
                out.add(mj)
    return out
