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

import dataclasses
import fnmatch
import posixpath
import re
import stat as _stat
from typing import Dict, List, Optional, Sequence, Set, Tuple

from envcheck.cudalibs import (BY_STEM, DIST_OF_FOLDER, catalog_stem, cuda_major, is_soname_like, split_name,
                               version_from_name)
from envcheck.ldcache import read_cache, read_conf
from envcheck.loader import Closure, Loader, Missing, default_dirs
from envcheck.model import Library, NativeLink, PythonEnv
from envcheck.probes import reason
from envcheck.symbols import SymbolCache, demangle, lacking, nccl_symbol, torch_abi_symbol, unresolved
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
                libs, links = python_env(root, p, llp, machine, cache, conf_dirs, dict(ctx.native_extra))
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
def python_env(root, p: PythonEnv, llp, machine, cache, conf_dirs, extra: Optional[Dict[str, str]] = None
               ) -> Tuple[List[Library], Optional[List[NativeLink]]]:
    sps = [s for s in (p.site_packages or ()) if root.is_dir(s)]
    if not sps:
        return [], None
    packages = {k.lower().replace("_", "-"): v for k, v in (p.packages or {}).items()}
    exe = p.path if p.path and root.exists(p.path) else None
    loader = Loader(root, llp, machine, cache=cache, conf_dirs=conf_dirs, exe=exe)
    where = p.prefix or p.path
    libs = wheel_libraries(root, loader, sps, where, packages)
    links = native_links(root, loader, sps, packages, p, extra)
    return libs, links


def _dist_for(path: str, stem: str, packages: Dict[str, object]) -> Tuple[Optional[str], Optional[object]]:
    """Which installed distribution ships a wheel library (nvidia-cublas-cu12, nvidia-cublas, tensorrt-cu12-libs)."""
    m = re.search(r"/nvidia/([^/]+)/lib/", path)
    comp = m.group(1) if m else None
    if comp and re.fullmatch(r"cu1[0-9]", comp):
        comp = BY_STEM[stem].folder if stem in BY_STEM else None
    if comp:
        base = DIST_OF_FOLDER.get(comp, "nvidia-" + comp.replace("_", "-"))
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


def _preload(loader: Loader, sps: Sequence[str], table, cu_dirs: bool) -> Tuple[List[Tuple[str, str]], List[str]]:
    """What torch's _preload_cuda_deps would dlopen by path, in its order: ([(soname, path)], [patterns not found])."""
    found: List[Tuple[str, str]] = []
    not_found: List[str] = []
    for folder, pattern in table:
        hit = None
        for sp in sps:
            dirs = [sp + "/nvidia/" + folder + "/lib"]
            if cu_dirs:
                dirs += [sp + "/nvidia/" + c + "/lib" for c in sorted(loader.names_in(sp + "/nvidia"))
                         if re.fullmatch(r"cu1[0-9]", c)]
            dirs.append(sp + "/" + folder + "/lib")
            for d in dirs:
                names = sorted(n for n in loader.names_in(d) if fnmatch.fnmatch(n, pattern))
                if names:
                    hit = d + "/" + names[0]
                    break
            if hit:
                break
        if hit and loader.elf(hit).ok:
            found.append((loader.elf(hit).soname or posixpath.basename(hit), hit))
        elif pattern != "libnvToolsExt.so.*[0-9]":
            not_found.append(pattern)
    return found, not_found


def _merge(base: Dict[str, str], closure: Closure) -> Dict[str, str]:
    merged = dict(base)
    merged.update(closure.loaded)
    return merged


def _broken(c: Closure) -> bool:
    return bool(c.missing or c.version_missing or c.unreadable)


def _absent(path: str, needer: str, searched: Tuple[str, ...]) -> Closure:
    """A closure for an object the package opens by path that is not there (dlopen fails on the path itself)."""
    return Closure(path, missing=[Missing(posixpath.basename(path), needer, searched)])


def import_torch(root, loader: Loader, sps: Sequence[str], tsp: str) -> Tuple[Dict[str, str], List[Tuple[str, Closure]]]:
    """What `import torch` loads, step by step, as its __init__.py does (torch 2.x, Linux):
      1. dlopen torch/lib/libtorch_global_deps.so (RTLD_GLOBAL). If that fails on one of the CUDA libraries of
         its table, dlopen each table entry by path from nvidia/<folder>/lib (nvidia/cuNN/lib for CUDA 13 builds;
         a pattern found nowhere raises ValueError), then dlopen it again; any other failure is re-raised.
      2. When it loaded and brought libcudart in, dlopen the table's libraries that exist, best effort (the first
         failure ends that loop silently).
      3. import torch._C: its DT_NEEDED closure (libtorch_python, libtorch, libtorch_cuda, cuBLAS, cuDNN, ...).
    Returns the sonames loaded afterwards and each step's closure: a step's problems are import failures."""
    steps: List[Tuple[str, Closure]] = []
    gd = tsp + "/torch/lib/libtorch_global_deps.so"
    base: Dict[str, str] = {}
    table, cu_dirs = _torch_table(root, tsp)
    if root.exists(gd):
        c = loader.load(gd)
        pre: Dict[str, str] = {}
        found, not_found = _preload(loader, sps, table, cu_dirs)   # both preloads below dlopen the same files
        # torch retries only when dlopen's error names a library of its table (`lib.split(".", 1)[0] in err`)
        if c.missing and any(pat.split(".", 1)[0] in c.missing[0].soname for _f, pat in table):
            if not_found:
                steps.append((gd, Closure(gd, missing=[Missing(pat.replace(".*[0-9]", ".N"), gd, (
                    "torch's preload: nvidia/<folder>/lib and nvidia/cuNN/lib on sys.path",)) for pat in not_found])))
            for _so, path in found:
                pc = loader.load(path, pre)
                if _broken(pc):
                    steps.append((path, pc))
                    break
                pre = _merge(pre, pc)
            c = loader.load(gd, pre)
        steps.append((gd, c))
        base = _merge(pre, c) if not _broken(c) else pre
        if not _broken(c) and any(s.startswith("libcudart.so") for s in base):
            for _so, path in found:   # best effort: a failure stops the loop and is not an import failure
                pc = loader.load(path, base)
                if _broken(pc):
                    break
                base = _merge(base, pc)
    else:
        try:
            init = root.read_text(tsp + "/torch/__init__.py", limit=1 << 20)
        except OSError:
            init = ""
        if "libtorch_global_deps" in init:
            steps.append((gd, _absent(gd, tsp + "/torch/__init__.py", ("path (torch/__init__.py opens it by path)",))))
    for cfile in sorted(loader.names_in(tsp + "/torch")):
        if cfile.startswith("_C.") and cfile.endswith(".so"):
            cl = loader.load(tsp + "/torch/" + cfile, base)
            steps.append((tsp + "/torch/" + cfile, cl))
            base = _merge(base, cl)
    return base, steps


# extension modules that `import <package>` itself loads (others load when their submodule is imported)
IMPORT_MODULES = {"torch": ("torch/_C.*.so",)}
# what a library nothing loads at import is for, by file name: the feature a missing dependency takes away
FEATURES = ((r"nvshmem_bootstrap_mpi", "NVSHMEM's MPI bootstrap (multi-node NVSHMEM started by mpirun)"),
            (r"nvshmem_bootstrap_pmi", "NVSHMEM's PMI/PMIx bootstrap (jobs started by Slurm/PMIx)"),
            (r"nvshmem_bootstrap_shmem", "NVSHMEM's OpenSHMEM bootstrap"),
            (r"nvshmem_transport_(ibrc|ibgda|ibdevx)", "NVSHMEM over InfiniBand"),
            (r"nvshmem_transport_ucx", "NVSHMEM over UCX"),
            (r"nvshmem_transport_libfabric", "NVSHMEM over libfabric (EFA, Slingshot)"),
            (r"libcufile_rdma", "GPUDirect Storage over RDMA (cuFile)"),
            (r"libcaffe2_nvrtc", "kernels compiled at run time (NVRTC: torch.cuda.jiterator and fused ops)"),
            (r"libnccl_net|nccl-net", "an NCCL network plugin"),
            (r"libnvinfer_vc_plugin|libnvinfer_plugin", "TensorRT's plugin library"),
            (r"libnvinfer_builder_resource", "TensorRT's builder resources"))


def feature_of(path: str) -> str:
    name = posixpath.basename(path)
    for rx, what in FEATURES:
        if re.search(rx, name):
            return what
    return f"whatever loads {name} on demand"


def _stage(rel: str, top: str, is_ext: bool) -> str:
    if not is_ext:
        return "on-demand"
    pats = IMPORT_MODULES.get(top)
    if pats is None:
        return "import"   # packages whose import we have not modelled: every extension counts as loaded
    return "import" if any(fnmatch.fnmatch(rel, p) for p in pats) else "submodule"


def native_links(root, loader: Loader, sps: Sequence[str], packages, p: PythonEnv,
                 extra: Optional[Dict[str, str]] = None) -> List[NativeLink]:
    """`extra`: more import names (and their distributions) to resolve, e.g. the package `envcheck apply` just
    installed (ProbeContext.native_extra)."""
    files = _watched_files(root, loader, sps, extra)
    if not files:
        return []
    owners = record_owners(root, sps)
    built_on_torch = _built_on_torch(loader, sps, owners, files) if any(t == "torch" for t, _d, _f in files) else []
    files += built_on_torch
    on_torch = {f for _t, _d, f in built_on_torch}
    steps, torch_base, trt_base = _import_steps(root, loader, sps)
    results = _to_check(loader, sps, files, steps, torch_base, trt_base, on_torch)
    links: List[NativeLink] = []
    for dist, f, c, stage, sym in _with_symbol_problems(root, loader, results, owners, torch_base, on_torch):
        if f in on_torch:   # only torch's ABI is judged here: how the package loads its other libraries is not modelled
            if sym:
                links.append(dataclasses.replace(_link(loader, packages, owners, dist, f, c, stage, sym, set()),
                                                 missing=(), needed_by=None, searched=None, missing_versions=None,
                                                 error=None))
            continue
        majors = _majors(loader, c)
        if _broken(c) or len(majors) > 1 or sym:
            links.append(_link(loader, packages, owners, dist, f, c, stage, sym, majors))
    return sorted(links, key=lambda n: ({"import": 0, "submodule": 1, "on-demand": 2}.get(n.stage or "", 3), n.file))


def _watched_files(root, loader: Loader, sps: Sequence[str],
                   extra: Optional[Dict[str, str]]) -> List[Tuple[str, str, str]]:
    """(import name, dist, path) of every native file of the watched packages, within the per-env budget."""
    files: List[Tuple[str, str, str]] = []
    budget = MAX_FILES_PER_ENV
    watched = dict(PACKAGES, **(extra or {}))
    for sp in sps:
        for name in sorted(loader.names_in(sp)):   # a frozenset: its order changes with PYTHONHASHSEED
            top = name
            if name in watched and root.is_dir(sp + "/" + name):
                found = _walk(root, sp + "/" + name, budget)
                budget -= len(found)
                files.extend((top, watched[name], f) for f in found)
            elif name.endswith(".so") and name.split(".")[0] in TOP_LEVEL_SO:
                files.append((name.split(".")[0], "flash-attn", sp + "/" + name))
    return files


def _built_on_torch(loader: Loader, sps: Sequence[str], owners: Dict[str, Tuple[str, Optional[int]]],
                    files) -> List[Tuple[str, str, str]]:
    """(import name, dist, path) of the shared objects of other distributions that link torch (DT_NEEDED libc10.so
    or libtorch*.so): torchvision, torchaudio, xformers, flash-attn, ... built against one torch's C++ ABI."""
    have = {f for _t, _d, f in files}
    out: List[Tuple[str, str, str]] = []
    for path, (dist, _size) in sorted(owners.items()):
        if path in have or dist == "torch" or dist.startswith("nvidia-") or not path.endswith(".so"):
            continue
        needed = loader.elf(path).needed or ()
        if any(n == "libc10.so" or n.startswith("libtorch") for n in needed):
            rel = next((path[len(sp.rstrip("/")) + 1:] for sp in sps if path.startswith(sp.rstrip("/") + "/")), path)
            out.append((rel.split("/")[0].split(".")[0], dist, path))
    return out


def _import_steps(root, loader: Loader, sps: Sequence[str]):
    """What `import torch` (and `import tensorrt`) load, step by step; a step's problem is an import failure.
    Returns the steps as (dist, file, closure), and the libraries torch and TensorRT have loaded by then."""
    steps: List[Tuple[str, str, Closure]] = []
    torch_base: Dict[str, str] = {}
    torch_sp = next((sp for sp in sps if root.is_dir(sp + "/torch")), None)
    if torch_sp:
        torch_base, tsteps = import_torch(root, loader, sps, torch_sp)
        steps += [("torch", f, c) for f, c in tsteps]
    trt_base = dict(torch_base)
    for sp in sps:
        d = sp + "/tensorrt_libs"
        for n in sorted(loader.names_in(d)):
            if re.fullmatch(r"libnv(infer|onnxparser)[a-z_]*\.so\.\d+", n) and "builder_resource" not in n:
                trt_base = _merge(trt_base, loader.load(d + "/" + n, trt_base))
    return steps, torch_base, trt_base


def _to_check(loader: Loader, sps: Sequence[str], files, steps, torch_base: Dict[str, str],
              trt_base: Dict[str, str], on_torch=frozenset()) -> List[Tuple[str, str, Closure, str]]:
    """(dist, file, closure, stage) to check: the import steps, then every other file resolved on top of what its
    package's import loaded; a library an extension already reaches shows its problems on that extension."""
    def base_for(top: str) -> Dict[str, str]:
        if top in ("tensorrt", "tensorrt_libs", "tensorrt_bindings", "tensorrt_llm"):
            return trt_base
        return torch_base

    stepped = {loader.realpath(f) or f for _d, f, _c in steps}
    results: List[Tuple[str, str, Closure, str]] = [(d, f, c, "import") for d, f, c in steps]
    reached: Set[str] = set()
    for _d, _f, c in steps:
        reached.update(loader.realpath(o) or o for o in c.objects)
    later = []
    for top, dist, f in files:
        real = loader.realpath(f) or f
        if real in stepped:
            continue
        is_ext = bool(_EXT.search(f)) or top in TOP_LEVEL_SO or f in on_torch   # torch.ops.load_library loads those
        rel = next((f[len(sp.rstrip("/")) + 1:] for sp in sps if f.startswith(sp.rstrip("/") + "/")), f)
        stage = _stage(rel, top, is_ext)
        closure = loader.load(f, base_for(top))
        if is_ext:
            reached.update(loader.realpath(o) or o for o in closure.objects[1:])
        later.append((dist, f, closure, stage))
    for dist, f, c, stage in later:
        real = loader.realpath(f) or f
        if stage == "on-demand" and real in reached:
            continue  # its problems show on the extension that loads it
        results.append((dist, f, c, stage))
    return results


def _with_symbol_problems(root, loader: Loader, results, owners, torch_base: Dict[str, str],
                          on_torch=frozenset()) -> list:
    """Each (dist, file, closure, stage) with its symbol problems added."""
    syms = SymbolCache(root.host)
    # what every closure's symbols may come from besides its own objects: `import torch`'s libraries, the
    # interpreter and (where it links one) libpython, for the C API
    around = [loader.realpath(o) or o for o in torch_base.values()]
    if loader.exe:
        around += [loader.realpath(o) or o for o in loader.load(loader.exe).objects]
    try:
        return [(dist, f, c, stage, _symbol_problems(loader, syms, c, f, dist, stage, around,
                                                     bool(torch_base) and f not in on_torch)
                 + _torch_abi_problems(loader, syms, c, f, dist, stage, around, f in on_torch)
                 + _modified_problems(root, loader, syms, c, stage, owners, around))
                for dist, f, c, stage in results]
    finally:
        syms.close()


def _link(loader: Loader, packages, owners, dist: str, f: str, c: Closure, stage: str, sym, majors) -> NativeLink:
    """The NativeLink of one file with a problem; an NVIDIA library is credited to the distribution that owns it."""
    if dist == "nvidia-*" or dist.startswith("nvidia-") or "/nvidia/" in f:
        real = loader.realpath(f) or f
        own = owners.get(f) or owners.get(real)
        dist = (own[0] if own else None) or _dist_for(f, catalog_stem(posixpath.basename(f)) or "", packages)[0] \
            or dist
    missing = tuple(dict.fromkeys(m.soname for m in c.missing))
    needed_by = {m.soname: m.needer for m in c.missing if m.needer != f}
    searched = c.missing[0].searched if c.missing else None
    unusable = {m.soname: f"{m.stop[0]}: {m.stop[1]}" for m in c.missing if m.stop}
    err = "; ".join(f"{path}: {why}" for path, why in c.unreadable) or None
    late = {o: -i for i, o in enumerate(c.objects)}   # glibc relocates the last-loaded objects first
    mv = tuple(f"{v.soname} {v.version} (needed by {v.needer}, provider {v.provider})"
               for v in sorted(c.version_missing, key=lambda v: late.get(v.needer, 0)))
    return NativeLink(package=dist, file=f, missing=missing, searched=searched,
                      glibc_required=parse(c.glibc_required), error=err,
                      kind="library" if stage == "on-demand" else "extension", needed_by=needed_by or None,
                      missing_versions=mv or None, cuda_majors=tuple(sorted(majors)) or None, unusable=unusable or None,
                      stage=stage, feature=feature_of(f) if stage == "on-demand" else None,
                      missing_symbols=tuple(sym) or None)


def _scope(loader: Loader, syms: SymbolCache, c: Closure, around: List[str]):
    """The symbol tables of everything loaded with closure ``c`` (its objects and ``around``), or None when one
    of them cannot be read: then nothing is said."""
    objs = list(dict.fromkeys([loader.realpath(o) or o for o in c.objects] + around))[:400]
    scope = [t for t in (syms.get(o) for o in objs) if t is not None]
    return scope if len(scope) == len(objs) else None


def _symbol_problems(loader: Loader, syms: SymbolCache, c: Closure, f: str, dist: str, stage: str,
                     around: List[str], with_torch: bool) -> List[str]:
    """Undefined symbols that would stay undefined: where LD_LIBRARY_PATH puts another copy of a library ahead of
    the one the object was built with (a shadow: compared with that copy), and for the extension modules of
    packages built against torch (vllm, flash-attn, sglang, tensorrt_llm ...: 'undefined symbol: _ZN3c10...'
    when built for another torch), checked against everything the process would have loaded."""
    out: List[str] = []
    late = {o: -i for i, o in enumerate(c.objects)}   # glibc relocates the last-loaded objects first
    for needer, soname, prov, ref in sorted(c.shadowed, key=lambda t: late.get(t[0], 0))[:8]:
        n, pv, rf = (syms.get(loader.realpath(x) or x) for x in (needer, prov, ref))
        if n is None or pv is None or rf is None:
            continue
        names, total = lacking(n, pv, rf, limit=3)
        if total:
            out.append(f"{names[0]} (needed by {posixpath.basename(needer)}; {prov}, found by LD_LIBRARY_PATH, lacks "
                       f"it{' and ' + str(total - 1) + ' more' if total > 1 else ''}; {ref} has "
                       f"{'them' if total > 1 else 'it'})")
    if stage != "on-demand" and dist not in ("torch", "nvidia-*") and not dist.startswith("nvidia-") \
            and _EXT.search(f) and with_torch and not c.missing:
        me = syms.get(loader.realpath(f) or f)
        scope = _scope(loader, syms, c, around)
        if me is not None and scope is not None:
            names, total = unresolved(me, scope, limit=3)
            if total:
                out.append(f"{names[0]} (needed by {posixpath.basename(f)}; no loaded library defines it"
                           f"{' nor ' + str(total - 1) + ' more' if total > 1 else ''}: built against another "
                           f"version of what it links to)")
    return out


def _torch_abi_problems(loader: Loader, syms: SymbolCache, c: Closure, f: str, dist: str, stage: str,
                        around: List[str], on_torch: bool) -> List[str]:
    """torch's C++ ABI: an extension built on torch (torchvision, torchaudio, xformers ...) resolved, for its c10::,
    at::, torch:: symbols, against the libtorch installed beside it; and torch's own libtorch_cuda.so against the
    NCCL it loads (an older nvidia-nccl wheel lacks functions it calls: 'undefined symbol: ncclGroupSimulateEnd')."""
    if stage == "on-demand" or (c.missing and not on_torch) or not (on_torch or (dist == "torch" and _EXT.search(f))):
        return []   # torch: once, on the step that loads torch/_C (and with it libtorch_cuda.so)
    if on_torch:
        targets, wanted = [f], torch_abi_symbol
    else:
        targets = [o for o in c.objects if "libnccl.so.2" in (loader.elf(o).needed or ())]
        wanted = nccl_symbol
    scope = _scope(loader, syms, c, around) if targets else None
    out: List[str] = []
    for t in (targets if scope is not None else ())[:2]:
        me = syms.get(loader.realpath(t) or t)
        names, total = unresolved(me, scope, limit=3, wanted=wanted) if me is not None else ([], 0)
        if total:
            sym = names[0].split(", version ")[0]
            plain = demangle([sym]).get(sym)
            out.append(f"{names[0]} (needed by {posixpath.basename(t)}; "
                       + (f"{plain}, which " if plain else "")
                       + f"no loaded library defines{' nor ' + str(total - 1) + ' more' if total > 1 else ''}: "
                       + ("built against another torch)" if on_torch else "the NCCL found is older than torch's)"))
    return out


def _modified_problems(root, loader: Loader, syms: SymbolCache, c: Closure, stage: str,
                       owners: Dict[str, Tuple[str, Optional[int]]], around: List[str]) -> List[str]:
    """A library of the closure whose size is not what its wheel's RECORD says was installed (replaced by hand, a
    stub, a partial copy): the objects that need it are checked symbol by symbol against what would be loaded."""
    if stage == "on-demand":
        return []
    changed = []
    for o in c.objects:
        own = owners.get(o) or owners.get(loader.realpath(o) or o)
        if not own or own[1] is None:
            continue
        try:
            size = root.stat(o).st_size
        except OSError:
            continue
        if size != own[1]:
            changed.append((o, own, size))
    out: List[str] = []
    scope = _scope(loader, syms, c, around) if changed else None
    if scope is None:
        return out
    for o, (dist, want), size in changed[:4]:
        soname = loader.elf(o).soname or posixpath.basename(o)
        needers = [x for x in reversed(c.objects) if soname in loader.elf(x).needed]
        for nd in needers[:4]:
            me = syms.get(loader.realpath(nd) or nd)
            if me is None:
                continue
            names, total = unresolved(me, scope, limit=3)
            if total:
                out.append(f"{names[0]} (needed by {posixpath.basename(nd)}; {o} is {size} bytes where {dist}'s RECORD "
                           f"says {want}: not the file pip installed, and it lacks "
                           f"{'this symbol' if total == 1 else str(total) + ' symbols'})")
                break
    return out


def record_owners(root, sps: Sequence[str], limit: int = 1 << 22) -> Dict[str, Tuple[str, Optional[int]]]:
    """Which installed distribution owns each shared object, and the size it was installed with, from the RECORD
    of every *.dist-info (the wheel's own list): {absolute path: (distribution, size)}. Bounded: RECORD files
    over 4 MiB are read in part."""
    out: Dict[str, Tuple[str, Optional[int]]] = {}
    for sp in sps:
        for entry in sorted(root.listdir(sp)) if root.is_dir(sp) else ():
            if not entry.endswith(".dist-info"):
                continue
            name = entry[:-len(".dist-info")].rsplit("-", 1)[0].lower().replace("_", "-")
            try:
                text = root.read_text(sp + "/" + entry + "/RECORD", limit=limit)
            except OSError:
                continue
            for line in text.splitlines():
                parts = line.rsplit(",", 2)
                rel = parts[0]
                if len(parts) == 3 and rel and ".so" in rel and not rel.startswith(".."):
                    size = int(parts[2]) if parts[2].isdigit() else None
                    out[posixpath.normpath(sp + "/" + rel)] = (name, size)
    return out


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
