"""The truth suite: real environments, real faults, envcheck's verdict beside reality's.

    python benchmarks/truth/run.py --workdir /work/truthenv --wheels /work/truthcache -o truth-report
    python benchmarks/truth/run.py --existing /opt/torch/.venv --gpu -o OUT      # on a GPU machine

Each environment is judged healthy first, then once per injected fault (faults.py), each undone afterwards.
envcheck predicts from files (`envcheck check --json`, findings about that environment); reality imports the
packages in a subprocess of the environment (with --gpu, then a first CUDA op and a kernel launch). The report is a
confusion matrix per fault class (report.md) and every trial (trials.jsonl).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import tempfile
import time
from typing import Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import envs as envs_mod  # noqa: E402
import faults as F  # noqa: E402
from judge import names_cause, outcome, predict, reality  # noqa: E402

SONAME = re.compile(r"^lib[A-Za-z0-9_+\-]+\.so(\.\d+)*$|^[A-Za-z0-9_\-]+\.so\.\d+$")
IMPOSTOR_STEMS = ("libcublasLt", "libcudart", "libnvJitLink", "libcudnn", "libnvinfer", "libc10", "libgomp")
MAIN_EXTENSIONS = ("torch/_C.cpython-*.so", "tensorrt*/tensorrt.so", "tensorrt_bindings/tensorrt.so",
                   "vllm/_C.abi3.so", "tensorrt_llm/bindings.cpython-*.so")


def site_packages(prefix: str) -> str:
    hits = sorted(glob.glob(os.path.join(prefix, "lib", "python3*", "site-packages")))
    return hits[0] if hits else os.path.join(prefix, "lib", "site-packages")


def wheel_libs(sp: str) -> List[str]:
    out = []
    for pat in ("nvidia/*/lib/*", "torch/lib/*", "torch.libs/*", "tensorrt_libs/*", "tensorrt_libs/lib/*"):
        for p in sorted(glob.glob(os.path.join(sp, pat))):
            name = os.path.basename(p)
            if os.path.isfile(p) and not os.path.islink(p) and ".so" in name and not name.endswith(".py") \
                    and (SONAME.match(name) or name.endswith(".so")):
                out.append(p)
    return out


def faults_for(prefix: str, workdir: str, extra_libs: Dict[str, str], classes, other_major_wheels=(),
               gpu: bool = False, lib_filter: str = "", links=(), swaps=()) -> List[F.Fault]:
    sp = site_packages(prefix)
    libs = wheel_libs(sp)
    out: List[F.Fault] = []

    def want(cls):
        return not classes or cls in classes

    if want("lib-removed"):
        for p in libs:
            if lib_filter and not re.search(lib_filter, os.path.relpath(p, sp)):
                continue
            out.append(F.Fault("lib-removed", f"removed {os.path.relpath(p, sp)}", lambda p=p: F.removed([p])))
    keys = [p for p in libs if any(os.path.basename(p).startswith(s + ".so") or os.path.basename(p).startswith(s + "-")
                                   for s in IMPOSTOR_STEMS)]
    for p in keys:
        name = os.path.basename(p)
        soname = name if SONAME.match(name) else None
        if not soname:
            continue
        if want("impostor-llp"):
            out.append(F.Fault("impostor-llp", f"impostor {soname} first on LD_LIBRARY_PATH",
                               lambda s=soname: F.on_ld_library_path({s: F.impostor(s, workdir)})))
        if want("impostor-file"):
            out.append(F.Fault("impostor-file", f"{os.path.relpath(p, sp)} replaced by an impostor",
                               lambda p=p, s=soname: F.replaced(p, F.impostor(s, workdir))))
        if want("empty-llp"):   # an empty placeholder of the same name: glibc stops at it ('file too short')
            out.append(F.Fault("empty-llp", f"an empty {soname} first on LD_LIBRARY_PATH",
                               lambda s=soname: F.on_ld_library_path({s: b""})))
        if want("llp-shadow-same"):
            out.append(F.Fault("llp-shadow-same", f"the same {soname} also first on LD_LIBRARY_PATH (harmless)",
                               lambda p=p, s=soname: F.on_ld_library_path({}, copy_from={s: p})))
    if want("old-libstdcxx"):   # conda's classic: an older libstdc++ ahead of the system's ('GLIBCXX_3.4.30 not found')
        out.append(F.Fault("old-libstdcxx", "a libstdc++.so.6 without GLIBCXX versions first on LD_LIBRARY_PATH",
                           lambda: F.on_ld_library_path({"libstdc++.so.6": F.impostor("libstdc++.so.6", workdir)})))
    for soname, src in extra_libs.items():
        if want("llp-shadow-old") and any(os.path.basename(p) == soname for p in libs):
            out.append(F.Fault("llp-shadow-old", f"an older {soname} ({os.path.basename(os.path.dirname(src))}) first on LD_LIBRARY_PATH",
                               lambda s=soname, src=src: F.on_ld_library_path({}, copy_from={s: src})))
    if want("glibc-newer"):
        for pat in MAIN_EXTENSIONS:
            for p in sorted(glob.glob(os.path.join(sp, pat)))[:1]:
                data = F.glibc_raised(p)
                if data:
                    out.append(F.Fault("glibc-newer", f"{os.path.relpath(p, sp)} needs GLIBC_9.x",
                                       lambda p=p, d=data: F.replaced(p, d)))
    if want("two-majors"):   # the other CUDA major's cuBLAS wheel beside the environment's own
        have = {os.path.basename(os.path.dirname(os.path.dirname(p))) for p in libs if "/nvidia/" in p}
        for whl in other_major_wheels:
            is13 = "-cu12" not in os.path.basename(whl).replace("_", "-")
            if (is13 and "cu13" not in have) or (not is13 and "cu13" in have):
                out.append(F.Fault("two-majors", f"{os.path.basename(whl).split('-')[0]} {os.path.basename(whl).split('-')[1]} "
                                   "(the other CUDA major) installed beside",
                                   lambda w=whl: F.wheel_added(prefix, w, [os.path.dirname(w)] + list(links))))
    if want("torch-swapped") and glob.glob(os.path.join(sp, "vllm", "_C.abi3.so")):
        have = sorted(glob.glob(os.path.join(sp, "torch-*.dist-info")))
        cur = os.path.basename(have[0])[len("torch-"):-len(".dist-info")].split("+")[0] if have else ""
        other = "2.9.1" if cur == "2.9.0" else None
        if other:
            out.append(F.Fault("torch-swapped", f"torch {cur} replaced by {other} (vllm built against {cur})",
                               lambda: F.swapped(prefix, f"torch=={other}", f"torch=={cur}", list(links))))
    for cls, new, old, judge in swaps:   # a distribution swapped for a release pip lets through, and put back
        if want(cls):
            done = (lambda n=new: F.wheel_added(prefix, n, list(links))) if not old else \
                (lambda n=new, o=old: F.swapped(prefix, n, o, list(links)))
            what = f"{new} installed" + (f" over {old}" if old and old != new else "") + (" (control)" if old == new else "")
            out.append(F.Fault(cls, what, done, imports=(judge,)))
    if want("kernel-arch") and gpu:
        for p in sorted(glob.glob(os.path.join(sp, "torch", "lib", "libtorch_cuda.so")))[:1]:
            out.append(F.Fault("kernel-arch", "torch/lib/libtorch_cuda.so's kernels all built for sm_120 only",
                               lambda p=p: F.fatbin_retargeted(p, 120)))
    out += F.process_faults(workdir, gpu, want)
    # not the suite's own interpreter's environment (the device's python3 is its venv): it would cut the branch
    if want("base-gone") and os.path.exists(os.path.join(prefix, "pyvenv.cfg")) \
            and os.path.realpath(sys.prefix) != os.path.realpath(prefix):
        out.append(F.Fault("base-gone", "the venv's base interpreter is gone", lambda: F.base_gone(prefix)))
    return out


def old_libs(wheels: str, workdir: str) -> Dict[str, str]:
    """Older real libraries to shadow with (from wheels in the cache's extra/ folder), soname -> extracted path."""
    import zipfile
    out: Dict[str, str] = {}
    for whl in sorted(glob.glob(os.path.join(wheels, "extra", "*.whl"))):
        dest = os.path.join(workdir, "old-libs", os.path.basename(whl)[:-4])
        with zipfile.ZipFile(whl) as z:
            for n in z.namelist():
                base = os.path.basename(n)
                if SONAME.match(base) and "/lib/" in n:
                    p = os.path.join(dest, base)
                    if not os.path.exists(p):
                        os.makedirs(dest, exist_ok=True)
                        with z.open(n) as src, open(p, "wb") as dst:
                            dst.write(src.read())
                    out[base] = p
    return out


def other_major(wheels) -> List[str]:
    """One cuBLAS wheel of each CUDA major from the wheel cache (nvidia-cublas-cu12, nvidia-cublas 13)."""
    out = []
    for pat in ("nvidia_cublas_cu12-*.whl", "nvidia_cublas-13*.whl"):
        hits = sorted(glob.glob(os.path.join(wheels or "/nonexistent", "**", pat), recursive=True))
        if hits:
            out.append(hits[-1])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "envcheck-truth"))
    ap.add_argument("--wheels", default=None, help="a folder of downloaded wheels (subfolders are used too)")
    ap.add_argument("--env", action="append", default=[], help="a spec name from envs.py (default: all that build)")
    ap.add_argument("--existing", action="append", default=[], help="judge an existing environment (prefix)")
    ap.add_argument("--imports", default="torch", help="modules --existing environments must import")
    ap.add_argument("--class", dest="classes", action="append", default=[], help="only these fault classes")
    ap.add_argument("--gpu", action="store_true", help="reality also runs a CUDA op and a kernel")
    ap.add_argument("--lib-filter", default="", help="lib-removed: only files whose site-packages path matches")
    ap.add_argument("--offline", action="store_true", help="install from --wheels only")
    ap.add_argument("-o", "--out", default="truth-report")
    args = ap.parse_args(argv)

    os.makedirs(args.workdir, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    wheels = []
    if args.wheels:
        wheels = [args.wheels] + sorted(d for d in glob.glob(os.path.join(args.wheels, "*")) if os.path.isdir(d))
    extra = old_libs(args.wheels, args.workdir) if args.wheels else {}
    specs = [envs_mod.find(n) for n in args.env] if args.env else ([] if args.existing else list(envs_mod.SPECS))
    specs += [envs_mod.existing(p, tuple(args.imports.split(","))) for p in args.existing]
    trials_path = os.path.join(args.out, "trials.jsonl")
    with open(trials_path, "a") as out:
        for spec in specs:
            try:
                prefix = envs_mod.build(spec, args.workdir, wheels, args.offline)
            except Exception as exc:  # an environment the index cannot give here is reported, not fatal
                print(f"{spec.name}: not built: {exc}", flush=True)
                out.write(json.dumps({"env": spec.name, "built": False, "error": str(exc)[-500:]}) + "\n")
                continue
            F.restore_all(prefix)
            base_llp = F.driver_stub(site_packages(prefix), args.workdir) if spec.driver_stub else ""
            trials = [F.Fault("none", "healthy", lambda: _nothing())] + faults_for(prefix, args.workdir, extra, args.classes,
                                                                                   other_major(args.wheels), args.gpu, args.lib_filter, wheels,
                                                                                   spec.swaps)
            print(f"{spec.name}: {len(trials)} trials", flush=True)
            for fault in trials:
                t0 = time.time()
                with fault.apply() as extra_env:
                    if base_llp:   # the fault's directory first, then the machine's (the driver stub)
                        extra_env = dict(extra_env, LD_LIBRARY_PATH=":".join(
                            d for d in (extra_env.get("LD_LIBRARY_PATH"), base_llp) if d))
                    pred = predict(prefix, extra_env)      # first: a CUDA op can repair what it judges (a root
                    real = reality(prefix, spec.imports + fault.imports, extra_env, args.gpu)   # makes missing nodes)
                row = {"env": spec.name, "what": spec.what, "class": fault.cls, "fault": fault.name,
                       "reality_ok": real.ok, "reality_stage": real.stage, "reality": real.message,
                       "predicted": pred.worst, "findings": list(pred.findings), "envcheck_error": pred.error,
                       "outcome": outcome(pred, real), "names_cause": names_cause(pred, real),
                       "seconds": round(time.time() - t0, 2)}
                out.write(json.dumps(row) + "\n")
                out.flush()
                mark = {"silent": ".", "predicted": "+", "false-alarm": "A", "miss": "M"}[row["outcome"]]
                print(f"  {mark} {fault.cls:16} {fault.name[:70]:70} real={'ok' if real.ok else real.stage}"
                      f" envcheck={pred.worst}", flush=True)
    import report
    report.write(trials_path, os.path.join(args.out, "report.md"))
    print(open(os.path.join(args.out, "report.md")).read())
    return 0


class _nothing:
    def __enter__(self):
        return {}

    def __exit__(self, *a):
        return False


if __name__ == "__main__":
    sys.exit(main())
