"""Rules about native code: extensions whose shared libraries would not load, glibc/libstdc++ too old for them,
CUDA 12 and 13 libraries pulled into one process. They read ``pythons[*].native`` (filled by the libraries probe)
and never touch the OS."""
from __future__ import annotations

import posixpath
import shlex
import re
from typing import Dict, List, Optional

from envcheck.matrix.compat import driver_max_cuda, min_driver_for_cuda
from envcheck.cudalibs import catalog_stem, cuda_major, wheel_dist
from envcheck.checks.process import step_aside
from envcheck.loader import CRASHES, HANGS
from envcheck.findings import Finding, fact, register, env_name
from envcheck.versions import parse

LIB_MISSING = register("native-lib-missing", "fail", "A package's native extension needs libraries that do not resolve",
    """The dynamic loader, searching as glibc does (RPATH, LD_LIBRARY_PATH, RUNPATH, ld.so.cache, default dirs, and
    what the package's own imports load first), would not find a soname one of the package's shared objects names
    in DT_NEEDED: importing it fails with 'cannot open shared object file'. A soname with a CUDA major that the
    environment's wheels do not have (libcublasLt.so.13 beside only cu12 wheels) means the package was built for
    another CUDA; the driver must also support that CUDA.""")
GLIBC_OLD = register("glibc-too-old", "fail", "A native extension needs a newer glibc than the system has",
    """The object asks for a GLIBC_2.x symbol version that this system's libc.so.6 does not define ('version
    GLIBC_2.38 not found'). Wheels built on a newer manylinux base need a newer OS image.""")
VERSION_MISSING = register("native-version-missing", "fail", "A library lacks a symbol version a native extension needs",
    """A DT_VERNEED entry (GLIBCXX_3.4.x from libstdc++, CXXABI_, or a CUDA library's own version such as
    libcublasLt.so.12) is not defined by the library the loader would pick: the import fails with 'version ... not
    found'. Usually an older libstdc++ found first (a conda or system one) or a CUDA library of another release.""")
SYMBOL_MISSING = register("native-symbol-missing", "fail", "A library the loader picks lacks symbols a native extension needs",
    """Every file resolves, but an undefined symbol of one object is defined by none of the libraries that would be
    loaded: 'undefined symbol: ...'. Seen when LD_LIBRARY_PATH puts another copy of a library ahead of the one
    the package was built with (an older nvJitLink under a newer cuSPARSE, a toolkit's or a stub's copy), and
    when an extension (vllm, flash-attn, sgl-kernel, tensorrt_llm) was built against another torch.""")
MIXED = register("cuda-major-mixed", "warn", "CUDA libraries of two majors would load into one process",
    """Loading the extension would bring CUDA 12 and CUDA 13 runtime/cuBLAS libraries into one process (different
    sonames, so both load). Handles and memory do not cross between them; it typically crashes or fails at the
    first call that mixes them.""")
UNREADABLE = register("native-unreadable", "info", "A native library could not be read",
    """A shared object in a package could not be parsed as ELF (truncated download, a Git LFS pointer, a file
    of another architecture). The loader would refuse it too.""")
NATIVE_OK = register("native-ok", "ok", "Every native extension's libraries resolve",
    """Every DT_NEEDED of the native extensions of torch, tensorrt, tensorrt_llm, vllm, sglang, flash_attn and the
    nvidia-* wheels resolves, with the symbol versions they ask for.""")

TARGETS = {"tensorrt-llm": "tensorrt-llm", "vllm": "vllm", "sglang": "sglang", "sgl-kernel": "sglang",
           "torch": "torch", "tensorrt": "tensorrt", "tensorrt-libs": "tensorrt", "tensorrt-bindings": "tensorrt"}
WATCHED = ("torch", "tensorrt", "tensorrt-llm", "vllm", "sglang", "flash-attn")


def _rel(path: str, p) -> str:
    for sp in p.site_packages or ():
        if path.startswith(sp.rstrip("/") + "/"):
            return path[len(sp.rstrip("/")) + 1:]
    return path


def _pkg_version(p, dist: str) -> Optional[str]:
    pk = {k.lower().replace("_", "-"): v for k, v in (p.packages or {}).items()}
    v = pk.get(dist.lower())
    return str(v) if v is not None else None


def _driver_line(env, matrix, major: int) -> Optional[str]:
    drv = env.driver
    if drv is None or drv.version is None:
        return f"whether this machine's driver runs CUDA {major} is unknown (no driver in the scan)"
    dc = driver_max_cuda(env, matrix)
    need, _row = min_driver_for_cuda(matrix, f"{major}.0")
    if dc.cuda is None:
        return (f"CUDA {major} needs driver >= {need}; this host has {drv.version}" if need else
                f"whether driver {drv.version} runs CUDA {major} is unknown ({dc.how})")
    if dc.cuda.major < major:
        return f"CUDA {major} also needs driver >= {need or '(unknown: not in the matrix)'}; this host has {drv.version}"
    return None


# system libraries that no pip package provides: the OS package that does (Debian/Ubuntu name; RHEL/Fedora name)
SYSTEM_LIBS = {
    "libmpi.so.40": ("openmpi-bin", "openmpi", "Open MPI"),
    "libmpi.so.12": ("mpich", "mpich", "MPICH"),
    "liboshmem.so.40": ("openmpi-bin", "openmpi", "Open MPI's OpenSHMEM"),
    "libmlx5.so.1": ("ibverbs-providers", "rdma-core", "the Mellanox/NVIDIA InfiniBand verbs provider"),
    "libibverbs.so.1": ("libibverbs1", "rdma-core", "InfiniBand verbs"),
    "librdmacm.so.1": ("librdmacm1", "rdma-core", "RDMA connection manager"),
    "libucp.so.0": ("libucx0", "ucx", "UCX"),
    "libucs.so.0": ("libucx0", "ucx", "UCX"),
    "libfabric.so.1": ("libfabric1", "libfabric", "libfabric"),
    "libpmix.so.2": ("libpmix2", "pmix", "PMIx"),
    "libnuma.so.1": ("libnuma1", "numactl-libs", "libnuma"),
    "libgomp.so.1": ("libgomp1", "libgomp", "GNU OpenMP"),
    "libstdc++.so.6": ("libstdc++6", "libstdc++", "the C++ runtime"),
}
DRIVER_LIBS = ("libcuda.so.1", "libnvidia-ml.so.1", "libnvidia-ptxjitcompiler.so.1", "libnvidia-nvvm.so.4")


def _provider_fix(py: str, so: str) -> Optional[str]:
    """A command that would bring ``so`` (not a SYSTEM_LIBS one: those share one apt-get line): the pip wheel that
    ships it, else where to find the OS package; nothing for the driver's own libraries."""
    if so in DRIVER_LIBS:
        return None
    stem = catalog_stem(so)
    m = cuda_major(so)
    wd = wheel_dist(stem, m) if stem else None
    if wd:
        return f"{py} -m pip install '{wd}{'>=' + str(m) + ',<' + str(m + 1) if m and m >= 13 else ''}'    # provides {so}"
    if not stem:
        return f"apt-file search {so}    # which OS package ships it (apt-get install -y apt-file && apt-file update)"
    return None


def _no_driver(env) -> bool:
    return env.driver is not None and env.driver.version is None and not (env.gpus or ())


def _missing_fix(dist: str, ver, so: str, more: List[str], major, drv_line, py: str, sev: str,
                 driver_lib: bool) -> List[str]:
    """The commands that put a missing library back: recommend's target, the OS packages, the provider's wheel,
    a reinstall of the distribution, or the driver."""
    fix = []
    target = TARGETS.get(dist)
    if target and sev == "fail":
        fix.append(f"envcheck recommend --target {target}")
    apt, dnf, whats = [], [], []
    for s_ in [so] + more:
        if major and drv_line and "also needs" in drv_line and cuda_major(s_):
            continue
        if s_ in SYSTEM_LIBS:   # one command for all the OS packages
            deb, rpm, _what = SYSTEM_LIBS[s_]
            apt.append(deb)
            dnf.append(rpm)
            whats.append(s_)
            continue
        cmd = _provider_fix(py, s_)
        if cmd:
            fix.append(cmd)
    if apt:
        fix.insert(0, f"apt-get install -y {' '.join(dict.fromkeys(apt))}    # provides {', '.join(whats)}; "
                      f"RHEL/Fedora: dnf install -y {' '.join(dict.fromkeys(dnf))}")
    if not fix and sev != "info" and not driver_lib:
        fix.append(f"{py} -m pip install --force-reinstall --no-deps '{dist}{'==' + ver if ver else ''}'"
                   "    # restores the files of this distribution")
    if driver_lib and sev == "fail":
        fix.append("nvidia-smi    # no driver answers: install it on the host, or start the container "
                   "with the NVIDIA runtime (docker run --gpus all)")
    return fix


def _stop_words(stop: str) -> str:
    """What the import does at a file the loader cannot load: fail with glibc's error, crash, or hang."""
    path, _, err = stop.partition(": ")
    if err == CRASHES:
        return f"Importing it crashes the process (SIGBUS, no Python error): {path} is {err.split(':')[0]}."
    if err == HANGS:
        return f"Importing it hangs: {path} is a FIFO, and the loader's open() blocks."
    return f"The import fails with 'ImportError: {stop}'."


def _unusable_fix(path: str, env) -> str:
    """Take an unloadable file out of the loader's way: its directory off LD_LIBRARY_PATH, else the file itself."""
    aside = step_aside(env.process.ld_library_path if env.process else None, path, posixpath.basename(path))
    if aside:
        return aside
    return f"ls -l {path}    # not a library (empty, cut short or text): remove it or restore it from its package"


def native_lib_missing(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        groups: Dict[tuple, List[int]] = {}
        for j, n in enumerate(p.native or ()):
            if n.missing:
                tier = "import" if n.at_import else (n.stage or "on-demand")
                groups.setdefault((n.package, tier), []).append(j)
        where, subj = env_name(p), (p.prefix or p.path)
        py = shlex.quote(p.path or "python")
        for (dist, tier), idx in sorted(groups.items(), key=lambda kv: ({"import": 0, "submodule": 1}.get(kv[0][1], 2), kv[0][0])):
            links = [p.native[j] for j in idx]
            first = links[0]
            ver = _pkg_version(p, dist)
            so = first.missing[0]
            major = cuda_major(so)
            so_txt = f"{so} (CUDA {major})" if major else so
            who = (first.needed_by or {}).get(so)
            needs = f"{_rel(first.file, p)} needs {so_txt}" if not who else \
                f"{_rel(first.file, p)} needs (through {posixpath.basename(who)}) {so_txt}"
            more = sorted({m for n in links for m in n.missing} - {so})
            if more:
                needs += f" and {', '.join(more[:6])}" + (f" (+{len(more) - 6} more)" if len(more) > 6 else "")
            searched = ", ".join(first.searched or ()) or "the loader's path"
            name = f"{dist}{' ' + ver if ver else ''}"
            drv_line = _driver_line(env, matrix, major) if major else None
            driver_lib = all(m in DRIVER_LIBS for n in links for m in n.missing)
            stop = (first.unusable or {}).get(so)
            if stop:
                searched = "the loader stops at " + stop.replace(": ", " (", 1) + ")"
            if tier == "import":
                sev = "fail"
                title = f"{name} in {where} cannot load: {needs}, " + (searched if stop else f"not found in: {searched}")
                why = (_stop_words(stop) + " glibc stops at the first file of that name it can open; one it cannot "
                       "load ends the search, whatever copy lies further along." if stop else
                       "The import fails with 'ImportError: " + so + ": cannot open shared object file'."
                       + (" The wheel was built for CUDA " + str(major) + " but this environment's CUDA libraries are "
                          "another major." if major and drv_line else ""))
                if driver_lib:
                    why += (" libcuda.so.1 is the NVIDIA driver's own library: on a GPU machine the driver installs it, "
                            "in a container the NVIDIA runtime mounts it from the host (never pip).")
            elif tier == "submodule":
                sev = "warn"
                title = (f"{name} in {where}: an extension module loaded by one of its submodules would fail: "
                         f"{needs}, not found in: {searched}")
                why = ("`import " + dist.replace("-", "_") + "` works; importing the submodule that loads "
                       + _rel(first.file, p) + " fails with 'cannot open shared object file'.")
            else:
                sev = "info"
                feats = list(dict.fromkeys(n.feature or "its feature" for n in links))
                title = (f"{name} in {where}: {', '.join(feats[:3])}{f' (+{len(feats) - 3} more)' if len(feats) > 3 else ''}"
                         f" would not load: {needs}" + (f"; {len(links)} on-demand libraries in all" if len(links) > 1 else ""))
                why = ("No import loads these files (envcheck follows what importing the environment's packages "
                       "loads); only the feature named does, and only then would it fail.")
                if driver_lib and _no_driver(env):
                    why += " libcuda.so.1 comes with the NVIDIA driver, which this machine lacks (reported once, above)."
            if drv_line and sev != "info":
                title += f". {drv_line[0].upper() + drv_line[1:]}"
            evidence = [fact(f"pythons[{i}].native[{j}].missing", ", ".join(p.native[j].missing)) for j in idx[:6]]
            if len(idx) > 6:
                evidence.append(f"... and {len(idx) - 6} more files of {dist}")
            if tier != "import":
                evidence.append(fact(f"pythons[{i}].native[{idx[0]}].stage", first.stage or first.kind))
            if env.driver is not None and env.driver.version is not None and drv_line:
                evidence.append(fact("driver.version", env.driver.version))
            fix = _missing_fix(dist, ver, so, more, major, drv_line, py, sev, driver_lib)
            if stop:
                fix.insert(0, _unusable_fix(stop.partition(": ")[0], env))
            yield Finding(LIB_MISSING, sev, title, evidence=tuple(evidence), why=why, fix=tuple(dict.fromkeys(fix)),
                          subject=subj)


def _sev(n) -> str:
    """A problem's severity by when the object loads: at import fail, with a submodule warn, on demand info."""
    return "fail" if n.at_import else ("warn" if n.stage == "submodule" else "info")


def _when(n) -> str:
    if n.at_import:
        return ""
    if n.stage == "submodule":
        return " (an extension module loaded by one of its submodules)"
    return f" (loaded only on demand: {n.feature or 'a feature of the package'})"


def glibc_and_versions(env, matrix):
    host_glibc = env.host.glibc if env.host is not None else None
    for i, p in enumerate(env.pythons or ()):
        where, subj = env_name(p), (p.prefix or p.path)
        for j, n in enumerate(p.native or ()):
            glibc_missing = [m for m in (n.missing_versions or ()) if m.split(" ", 2)[1].startswith("GLIBC_")]
            other = [m for m in (n.missing_versions or ()) if m not in glibc_missing]
            rel = _rel(n.file, p)
            if glibc_missing or (n.glibc_required and host_glibc and n.glibc_required > host_glibc):
                want = n.glibc_required or parse(glibc_missing[0].split(" ", 2)[1][6:])
                have = f"glibc {host_glibc}" if host_glibc else "this system's libc.so.6"
                yield Finding(GLIBC_OLD, _sev(n), f"{n.package} in {where}: {rel} needs glibc >= {want}; {have} is older"
                              + _when(n),
                              evidence=(fact(f"pythons[{i}].native[{j}].glibc_required", n.glibc_required),) +
                              ((fact("host.glibc", host_glibc),) if host_glibc else ()) + tuple(glibc_missing[:3]),
                              why="The loader refuses it: 'version `GLIBC_" + str(want) + "' not found'.",
                              fix=("ldd --version    # the glibc this image has",
                                   f"{p.path or 'python'} -m pip install --force-reinstall --only-binary=:all: {n.package}"
                                   "    # a wheel built for an older manylinux, if one exists",
                                   "# or use a newer base image (Ubuntu 22.04 has glibc 2.35, 24.04 has 2.39)"),
                              subject=subj)
            if other:
                first = other[0]
                lib, ver = first.split(" ", 2)[:2]
                fix = []
                if lib.startswith("libstdc++"):
                    fix = ("strings $(ldconfig -p | awk '/libstdc\\+\\+.so.6 /{print $NF; exit}') | grep -c " + ver,
                           "conda install -c conda-forge 'libstdcxx-ng>=12'    # in a conda env; else a newer base image")
                else:
                    stem = catalog_stem(lib)
                    m = cuda_major(lib)
                    wd = wheel_dist(stem, m) if stem else None
                    fix = (f"{p.path or 'python'} -m pip install --upgrade '{wd}'",) if wd else \
                        (f"{p.path or 'python'} -m pip install --force-reinstall {n.package}",)
                m = re.search(r"needed by (\S+?),", first)
                who = posixpath.basename(m.group(1)) if m else ""
                via = f"{who} (loaded by {rel})" if who and who != posixpath.basename(rel) else rel
                yield Finding(VERSION_MISSING, _sev(n),
                              f"{n.package} in {where}: {via} needs {ver} from {lib}, which the library found lacks"
                              + _when(n),
                              evidence=(fact(f"pythons[{i}].native[{j}].missing_versions", "; ".join(other[:3])),),
                              why="The import fails with \"version `" + ver + "' not found\".", fix=fix, subject=subj)


def symbols_missing(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        where, subj = env_name(p), (p.prefix or p.path)
        for j, n in enumerate(p.native or ()):
            if not n.missing_symbols or n.missing:
                continue
            sev = "fail" if n.at_import else ("warn" if n.stage == "submodule" else "info")
            first = n.missing_symbols[0]
            sym = first.split(" (", 1)[0]
            shadow = "found by LD_LIBRARY_PATH" in first
            ver = _pkg_version(p, n.package)
            fix = []
            abi = _torch_abi_fix(p, n.package, first) if not shadow else None
            if shadow:
                fix.append("unset LD_LIBRARY_PATH    # or drop the directory that holds the other copy from it")
                fix.append(f"env -u LD_LIBRARY_PATH {p.path or 'python'} -c 'import {_import_name(n.package)}'"
                           "    # confirms the import works without it")
            elif abi:
                fix.extend(abi[1])
            else:
                target = TARGETS.get(n.package)
                fix.append(f"{p.path or 'python'} -m pip install --force-reinstall --no-deps "
                           f"'{n.package}{'==' + ver if ver else ''}'    # a build made for the torch installed here, "
                           "if the index has one")
                if target:
                    fix.append(f"envcheck recommend --target {target}")
            rest = first.split(" (", 1)[1].rstrip(")") if " (" in first else ""
            m = re.match(r"needed by ([^;]+); ", rest)
            who = m.group(1) if m else ""
            rel = _rel(n.file, p)
            obj = f"{who} (loaded by {rel})" if who and who != posixpath.basename(rel) else rel
            yield Finding(SYMBOL_MISSING, sev,
                          f"{n.package}{' ' + ver if ver else ''} in {where}: {obj} would fail with "
                          f"'undefined symbol: {sym}': {rest[m.end():] if m else rest}" + (abi[0] if abi else ""),
                          evidence=(fact(f"pythons[{i}].native[{j}].missing_symbols", "; ".join(n.missing_symbols[:3])),),
                          why="The import fails with 'undefined symbol: " + sym + "'." + (
                              " The other copy comes first only because of LD_LIBRARY_PATH." if shadow else ""),
                          fix=tuple(fix), subject=subj)


def _pin_of(p, dist: str, name: str) -> Optional[str]:
    """The version ``dist`` pins ``name`` to (Requires-Dist name==X), from its stored METADATA."""
    spec = _spec_of(p, dist, name)
    m = re.fullmatch(r"==\s*([0-9][0-9A-Za-z.+!]*)", spec or "")
    return m.group(1) if m else None


def _spec_of(p, dist: str, name: str) -> Optional[str]:
    """What ``dist`` requires of ``name`` ('==2.4.1', '>=2.11'), from its stored METADATA."""
    for req in (p.requires or {}).get(dist, ()):
        m = re.match(r"\s*" + re.escape(name) + r"\s*\(?\s*([<>=!~][^;)]*)", req, re.I)
        if m:
            return m.group(1).replace(" ", "")
    return None


def _companion(dist: str, torch) -> Optional[str]:
    """The torchaudio / torchvision release made for a torch release (their METADATA pins it: torchaudio 2.5.1
    Requires-Dist torch==2.5.1, torchvision 0.20.1 torch==2.5.1): the same version, or 0.(minor + 15).patch."""
    rel = torch.release if torch is not None else ()
    if len(rel) < 3 or rel[0] != 2:
        return None
    if dist == "torchaudio":
        return ".".join(str(x) for x in rel[:3])
    if dist == "torchvision":
        return f"0.{rel[1] + 15}.{rel[2]}"
    return None


def _torch_abi_fix(p, dist: str, first: str):
    """For an extension built on another torch (or torch under an older NCCL): (what the title adds, the fix)."""
    py = p.path or "python"
    pk = p.packages or {}
    torch = pk.get("torch")
    if "the NCCL found is older" in first:
        pin = _pin_of(p, "torch", "nvidia-nccl-cu12") or _pin_of(p, "torch", "nvidia-nccl-cu13")
        wheel = "nvidia-nccl-cu13" if _pin_of(p, "torch", "nvidia-nccl-cu13") else "nvidia-nccl-cu12"
        have = pk.get(wheel)
        return ((f" ({wheel} {have} installed; torch {torch} was built with {pin})" if pin and have else ""),
                (f"{py} -m pip install {_q_pin(wheel, pin)}    # the NCCL torch {torch} was built with",))
    if "built against another torch" not in first:
        return None
    needs = _pin_of(p, dist, "torch")
    spec = _spec_of(p, dist, "torch")
    title = f" ({dist} requires torch{spec}; torch {torch} is installed)" if spec else f" (torch {torch} is installed)"
    fix = []
    same = _companion(dist, torch)
    if same:
        fix.append(f"{py} -m pip install {_q_pin(dist, same)}    # the {dist} release made for torch {torch}")
    if needs:
        fix.append(f"{py} -m pip install {_q_pin('torch', needs)}    # or the torch {dist} was built against")
    if not fix:
        fix.append(f"{py} -m pip install --upgrade {dist}    # a release built against torch {torch}, if there is one")
    return title, fix


def _q_pin(name: str, version: Optional[str]) -> str:
    return f"'{name}=={version}'" if version else name


def _import_name(dist: str) -> str:
    return {"tensorrt-llm": "tensorrt_llm", "flash-attn": "flash_attn", "sgl-kernel": "sgl_kernel"}.get(
        dist, dist.replace("-", "_"))


def cuda_major_mixed(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        where, subj = env_name(p), (p.prefix or p.path)
        for j, n in enumerate(p.native or ()):
            if n.missing or not n.cuda_majors or len(n.cuda_majors) < 2:
                continue
            majors = " and ".join(str(m) for m in n.cuda_majors)
            yield Finding(MIXED, "warn", f"{n.package} in {where}: loading {_rel(n.file, p)} brings CUDA {majors} "
                          "libraries into one process",
                          evidence=(fact(f"pythons[{i}].native[{j}].cuda_majors", list(n.cuda_majors)),),
                          why="Two CUDA runtimes in one process do not share contexts, handles or memory.",
                          fix=(f"{p.path or 'python'} -m pip list 2>/dev/null | grep -i -E '^nvidia-|^torch|^tensorrt'",
                               f"envcheck recommend --target {TARGETS.get(n.package, 'torch')}"), subject=subj)


def unreadable(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        for j, n in enumerate(p.native or ()):
            if n.error and not n.missing:
                yield Finding(UNREADABLE, "info", f"{n.package}: {_rel(n.file, p)} could not be read: {n.error}",
                              evidence=(fact(f"pythons[{i}].native[{j}].error", n.error),),
                              why="The loader would refuse this file as well.",
                              fix=(f"{p.path or 'python'} -m pip install --force-reinstall --no-deps {n.package}",),
                              subject=p.prefix or p.path)


def native_ok(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        if p.native is None or p.native:
            continue
        pk = {k.lower().replace("_", "-") for k in (p.packages or {})}
        have = [w for w in WATCHED if w in pk]
        if have:
            yield Finding(NATIVE_OK, "ok", f"{env_name(p)}: the native libraries of {', '.join(have)} resolve",
                          evidence=(fact(f"pythons[{i}].native", "[]"),), subject=p.prefix or p.path)


RULES = [native_lib_missing, glibc_and_versions, symbols_missing, cuda_major_mixed, unreadable, native_ok]
