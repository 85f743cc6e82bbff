"""Rules about native code: extensions whose shared libraries would not load, glibc/libstdc++ too old for them,
CUDA 12 and 13 libraries pulled into one process. They read ``pythons[*].native`` (filled by the libraries probe)
and never touch the OS."""
from __future__ import annotations

import posixpath
from typing import Dict, List, Optional

from envcheck.compat import driver_max_cuda, min_driver_for_cuda
from envcheck.cudalibs import catalog_stem, cuda_major, wheel_dist
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


def native_lib_missing(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        groups: Dict[str, List[int]] = {}
        for j, n in enumerate(p.native or ()):
            if n.missing:
                groups.setdefault(n.package, []).append(j)
        where, subj = env_name(p), (p.prefix or p.path)
        for dist, idx in groups.items():
            links = [p.native[j] for j in idx]
            ext = [n for n in links if n.kind != "library"]
            first = (ext or links)[0]
            sev = "fail" if ext else "warn"
            ver = _pkg_version(p, dist)
            so = first.missing[0]
            major = cuda_major(so)
            so_txt = f"{so} (CUDA {major})" if major else so
            who = (first.needed_by or {}).get(so)
            needs = f"{_rel(first.file, p)} needs {so_txt}" if not who else \
                f"{_rel(first.file, p)} needs (through {posixpath.basename(who)}) {so_txt}"
            more = sorted({m for n in links for m in n.missing} - {so})
            if more:
                needs += f" and {', '.join(more)}"
            searched = ", ".join(first.searched or ()) or "the loader's path"
            title = f"{dist}{' ' + ver if ver else ''} in {where} cannot load: {needs}, not found in: {searched}"
            if not ext:
                title = f"{dist}{' ' + ver if ver else ''} in {where}: a library loaded on demand would fail: " \
                        f"{needs}, not found in: {searched}"
            drv_line = _driver_line(env, matrix, major) if major else None
            if drv_line:
                title += f". {drv_line[0].upper() + drv_line[1:]}"
            evidence = [fact(f"pythons[{i}].native[{j}].missing", ", ".join(p.native[j].missing)) for j in idx[:6]]
            if len(idx) > 6:
                evidence.append(f"... and {len(idx) - 6} more files of {dist}")
            if env.driver is not None and env.driver.version is not None and drv_line:
                evidence.append(fact("driver.version", env.driver.version))
            fix = []
            target = TARGETS.get(dist)
            if target:
                fix.append(f"envcheck recommend --target {target}")
            py = p.path or "python"
            for s in [so] + more:
                stem = catalog_stem(s)
                m = cuda_major(s)
                wd = wheel_dist(stem, m) if stem else None
                if wd and not (m and drv_line and "also needs" in drv_line):
                    fix.append(f"{py} -m pip install '{wd}{'>=' + str(m) + ',<' + str(m + 1) if m and m >= 13 else ''}'"
                               f"    # provides {s}")
            if not fix:
                fix.append(f"{py} -m pip install --force-reinstall {dist}    # a build matching this environment")
            why = ("The import fails with 'ImportError: " + so + ": cannot open shared object file'."
                   + (" The wheel was built for CUDA " + str(major) + " but this environment's CUDA libraries are "
                      "another major." if major else ""))
            yield Finding(LIB_MISSING, sev, title, evidence=tuple(evidence), why=why, fix=tuple(dict.fromkeys(fix)),
                          subject=subj)


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
                yield Finding(GLIBC_OLD, "fail", f"{n.package} in {where}: {rel} needs glibc >= {want}; {have} is older",
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
                yield Finding(VERSION_MISSING, "fail",
                              f"{n.package} in {where}: {rel} needs {ver} from {lib}, which the library found lacks",
                              evidence=(fact(f"pythons[{i}].native[{j}].missing_versions", "; ".join(other[:3])),),
                              why="The import fails with \"version `" + ver + "' not found\".", fix=fix, subject=subj)


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


RULES = [native_lib_missing, glibc_and_versions, cuda_major_mixed, unreadable, native_ok]
