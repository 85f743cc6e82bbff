"""How long resolving every native library of a Python environment takes, and envcheck's ELF reader against
pyelftools on the same files.

    PYTHONPATH=. python3 benchmarks/bench_native.py --site-packages /opt/torch/.venv/lib/python3.12/site-packages
    pip install --target .whl/bench-pyelftools pyelftools==0.33     # only for the comparison (not a dependency)
    PYTHONPATH=. python3 benchmarks/bench_native.py --prefix /opt/torch/.venv --pyelftools .whl/bench-pyelftools

Prints a JSON summary (and writes it to $OUT/bench_native.json when $OUT is set). Figures from a run go in
docs/native.md. Nothing here is a test: timings never gate CI.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from envcheck.elf import read_elf  # noqa: E402
from envcheck.ldcache import read_cache, read_conf  # noqa: E402
from envcheck.loader import Loader  # noqa: E402
from envcheck.model import PythonEnv  # noqa: E402
from envcheck.probes.libraries import PACKAGES, _walk, native_links, wheel_libraries  # noqa: E402
from envcheck.root import Root  # noqa: E402


def pyelftools_read(path):
    """The same facts through pyelftools: NEEDED, SONAME, RPATH/RUNPATH, version needs and definitions."""
    from elftools.elf.elffile import ELFFile
    out = {"needed": [], "soname": None, "runpath": None, "verneed": {}, "verdef": []}
    with open(path, "rb") as fh:
        e = ELFFile(fh)
        dyn = e.get_section_by_name(".dynamic")
        if dyn is not None:
            for tag in dyn.iter_tags():
                t = tag.entry.d_tag
                if t == "DT_NEEDED":
                    out["needed"].append(tag.needed)
                elif t == "DT_SONAME":
                    out["soname"] = tag.soname
                elif t in ("DT_RUNPATH", "DT_RPATH"):
                    out["runpath"] = getattr(tag, "runpath", None) or getattr(tag, "rpath", None)
        vr = e.get_section_by_name(".gnu.version_r")
        if vr is not None:
            for verneed, aux in vr.iter_versions():
                out["verneed"][verneed.name] = [a.name for a in aux]
        vd = e.get_section_by_name(".gnu.version_d")
        if vd is not None:
            for verdef, aux in vd.iter_versions():
                out["verdef"].extend(a.name for a in aux)
    return out


def files_of(root, sps):
    files = []
    for sp in sps:
        for name in sorted(os.listdir(sp)):
            if name in PACKAGES and os.path.isdir(os.path.join(sp, name)):
                files.extend(_walk(root, sp + "/" + name, 20000))
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site-packages", action="append", default=[])
    ap.add_argument("--prefix", default=None)
    ap.add_argument("--pyelftools", default=None, help="a directory to put on sys.path for pyelftools")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--show-torch-preload", action="store_true",
                    help="print the lines of torch/__init__.py that preload CUDA libraries (what we model)")
    args = ap.parse_args()
    sps = list(args.site_packages)
    if args.prefix:
        sps += glob.glob(args.prefix.rstrip("/") + "/lib/python3*/site-packages")
    if not sps:
        sps = glob.glob("/opt/torch/.venv/lib/python3*/site-packages")
    if not sps:
        sys.exit("no site-packages given or found")
    root = Root("/")
    machine = os.uname().machine
    result = {"site_packages": sps, "machine": machine}

    files = files_of(root, sps)
    result["files"] = len(files)
    result["bytes_total_mb"] = round(sum(os.path.getsize(f) for f in files) / 1e6, 1)

    # 1. our reader, every file (first pass reads from disk/page cache, as a scan would)
    best = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        infos = [read_elf(f) for f in files]
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    result["envcheck_reader_s"] = round(best, 4)
    result["unreadable"] = sum(1 for i in infos if not i.ok)

    # 2. pyelftools on the same files
    if args.pyelftools:
        sys.path.insert(0, args.pyelftools)
    try:
        import elftools  # noqa: F401
        best = None
        mismatches = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            outs = []
            for f in files:
                try:
                    outs.append(pyelftools_read(f))
                except Exception as exc:  # pyelftools raises on bad files; we only time it
                    outs.append({"error": str(exc)})
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        for info, o in zip(infos, outs):
            if info.ok and "error" not in o and list(info.needed) != o["needed"]:
                mismatches += 1
        result["pyelftools_s"] = round(best, 4)
        result["pyelftools_version"] = __import__("elftools").__version__
        result["needed_mismatches"] = mismatches
    except ImportError:
        result["pyelftools_s"] = None

    # 3. the whole resolution, as the libraries probe does it for one environment (fresh caches each time)
    best = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        cache = read_cache(root)
        conf, _ = read_conf(root)
        loader = Loader(root, os.environ.get("LD_LIBRARY_PATH"), machine, cache=cache, conf_dirs=conf)
        p = PythonEnv(path=sys.executable, site_packages=tuple(sps), packages={})
        links = native_links(root, loader, sps, {}, p)
        libs = wheel_libraries(root, loader, sps, "bench", {})
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    result["resolve_env_s"] = round(best, 4)
    result["objects_read"] = len(loader._elf)
    result["problem_links"] = [{"file": n.file, "missing": list(n.missing), "kind": n.kind,
                                "versions": list(n.missing_versions or ())[:2], "error": n.error} for n in links][:25]
    result["wheel_libraries"] = len(libs)

    if args.show_torch_preload:
        for sp in sps:
            init = os.path.join(sp, "torch", "__init__.py")
            if os.path.exists(init):
                text = open(init).read()
                lines = text.splitlines()
                keep = [f"{i + 1}: {l}" for i, l in enumerate(lines)
                        if re.search(r"cuda_libs|_preload_cuda|_get_cuda_dep_paths|nvidia|libtorch_global_deps|"
                                     r"\"lib[a-zA-Z]+\.so|cu\{|glob\.glob", l)]
                result["torch_preload_lines"] = keep[:80]
    text = json.dumps(result, indent=1)
    print(text)
    out = os.environ.get("OUT")
    if out:
        with open(os.path.join(out, "bench_native.json"), "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
