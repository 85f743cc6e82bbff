"""Rules about the GPU code in each Python environment's kernel libraries (pythons[i].gpu_archs, read from the
.nv_fatbin section by probes/kernels.py) against each GPU's compute capability: the scan-time form of "CUDA error:
no kernel image is available for execution on the device"."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from envcheck.checks.pythons import _cuda_of_build, _q, _subject
from envcheck.matrix.compat import driver_max_cuda, gpu_row
from envcheck.matrix.rows import GpuRow, TargetRow
from envcheck.fatbin import FatbinArchs, parse_cc, runs_on
from envcheck.findings import Finding, env_name, fact, register

NO_KERNEL = register("no-kernel-image", "fail", "A package has no GPU code for this GPU's compute capability",
    """The package's kernel library (torch/lib/libtorch_cuda.so, vllm/_C.abi3.so, tensorrt_llm/libs/libtensorrt_llm.so,
    flash_attn_2_cuda*.so, xformers/_C.so) carries neither SASS that this GPU can run (a cubin for the same major
    compute capability and a lower or equal minor, or exactly this one for sm_XYa) nor PTX the driver could
    JIT-compile for it (compute_XY at or below the GPU's). The first kernel launch fails with 'CUDA error: no
    kernel image is available for execution on the device' (torch warns 'not compatible with the current PyTorch
    installation' at import). Typical: a torch built before Blackwell (CUDA < 12.8) on an RTX 5090 (12.0), or a
    source build with a TORCH_CUDA_ARCH_LIST that leaves this GPU out. Read from the file with envcheck.fatbin.""")
PTX_ONLY = register("kernel-image-ptx-only", "warn", "A package runs on this GPU only by JIT-compiling PTX",
    """The kernel library has no SASS for this GPU, only PTX at or below its compute capability. The driver
    JIT-compiles every kernel at first use: the first start takes minutes for a large library such as
    libtorch_cuda.so (the result is cached in ~/.nv/ComputeCache, whose default size limit a large library can
    exceed, so it may recompile on every start), and the code may run slower than SASS tuned for this GPU.
    The driver must also be at least as new as the CUDA that wrote the PTX, or JIT fails
    (CUDA_ERROR_UNSUPPORTED_PTX_VERSION) and it becomes 'no kernel image': that case, known for torch from
    torch_cuda, is reported as fail.""")
KERNEL_OK = register("kernel-image-ok", "ok", "The kernel libraries carry code for every GPU",
    """Each kernel library read (pythons[i].gpu_archs) has SASS that every GPU of the machine can run.""")


def _span(names) -> str:
    names = list(names)
    if not names:
        return "none"
    if len(names) <= 4:
        return " ".join(names)
    return f"{names[0]}..{names[-1]} ({len(names)})"


def _gpus_by_cc(env, matrix) -> Dict[str, List[Tuple[int, object, str]]]:
    """Compute capability -> [(index in env.gpus, Gpu, where the capability came from)]. A GPU without one (a
    --root scan reads /proc/driver/nvidia, which has names only) gets it from its matrix/gpus.yaml row by name."""
    out: Dict[str, List[Tuple[int, object, str]]] = {}
    for i, g in enumerate(env.gpus or ()):
        cc, src = (str(g.compute_capability), "") if g.compute_capability is not None else (None, "")
        if cc is None and matrix is not None:
            row = gpu_row(matrix, g.name)
            known = GpuRow.of(row).compute_capability if row is not None else None
            if known:
                cc, src = str(known), f" from {row.ref()}"
        if cc is None or parse_cc(cc) is None:
            continue
        out.setdefault(cc, []).append((i, g, src))
    return out


def _cuda_tag(v) -> str:
    return f"cu{v.major}{v.minor}"


def _torch_fix(p, env, matrix, cc: str) -> Tuple[str, ...]:
    """The torch build (matrix/torch.yaml) with the newest CUDA the driver runs, newest torch among those: a newer
    CUDA is what adds architectures (sm_100/sm_120 came with CUDA 12.8). The matrix does not say which build
    first covers which architecture, so the fix ends with the command that verifies it."""
    dc = driver_max_cuda(env, matrix).cuda if matrix is not None else None
    verify = (f"{p.path} -c 'import torch; print(torch.cuda.get_arch_list())'    "
              f"# must list sm_{cc.replace('.', '')} (or a compute_XY at or below it)")
    best = None
    for r in (matrix.sorted_rows("torch") if matrix is not None else []):
        for b in TargetRow.of(r).cuda or ():
            cv = _cuda_of_build(b)
            if cv is None or (dc is not None and cv > dc):
                continue
            if best is None or cv > best[0]:
                best = (cv, b, r)     # rows come newest first: the first one at a CUDA level is the newest torch
    if best is not None:
        return (f"{p.path} -m pip install --upgrade {_q('torch==' + best[2].version)} "
                f"--index-url https://download.pytorch.org/whl/{best[1]}    # newest CUDA build the driver runs: "
                f"{best[2].ref()}", verify)
    tag = _cuda_tag(dc) if dc is not None else "cu128"
    return (f"{p.path} -m pip install --upgrade torch --index-url https://download.pytorch.org/whl/{tag}",
            verify)


def _other_fix(p, dist: str, cc: str) -> Tuple[str, ...]:
    return (f"{p.path} -m pip install --upgrade --force-reinstall {dist}    # a release whose wheel is built for sm_{cc.replace('.', '')}",
            f"TORCH_CUDA_ARCH_LIST={cc} {p.path} -m pip install --no-build-isolation --no-binary {dist} --force-reinstall {dist}"
            "    # or build it for this GPU (needs nvcc)")


def _driver_too_old_for_ptx(p, dist: str, env, matrix) -> Optional[str]:
    """For torch, whose build CUDA is known: the driver's CUDA is older than the CUDA that wrote the PTX."""
    if dist != "torch" or p.torch_cuda is None or matrix is None:
        return None
    dc = driver_max_cuda(env, matrix)
    if dc.cuda is None:
        return None
    if (p.torch_cuda.major, p.torch_cuda.minor) > (dc.cuda.major, dc.cuda.minor):
        return (f"torch's PTX was written by CUDA {p.torch_cuda}; the driver runs CUDA {dc.cuda} at most and cannot "
                "JIT-compile it (CUDA_ERROR_UNSUPPORTED_PTX_VERSION)")
    return None


def no_kernel_image(env, matrix):
    by_cc = _gpus_by_cc(env, matrix)
    if not by_cc:
        return
    for i, p in enumerate(env.pythons or ()):
        pk = p.packages or {}
        fine: List[str] = []
        for dist, ga in sorted((p.gpu_archs or {}).items()):
            if ga.sass is None and ga.ptx is None:
                continue   # unknown (a hand-written document may name the library only)
            archs = FatbinArchs(sass=tuple(ga.sass or ()), ptx=tuple(ga.ptx or ()), entries=0, compressed=0,
                                error=ga.error)
            sass_everywhere = True
            for cc, gpus in sorted(by_cc.items()):
                ok, how = runs_on(archs, cc)
                if ok and not how.startswith("PTX"):
                    continue
                sass_everywhere = False
                if not ok and ga.error:
                    continue   # read only in part: the missing code may be in the unread rest (the error is in errors)
                gi, g, src = gpus[0]
                name = g.name or f"GPU {g.index if g.index is not None else gi}"
                count = f"{len(gpus)}x " if len(gpus) > 1 else ""
                ver = pk.get(dist)
                who = f"{dist} {ver}" if ver is not None else dist
                have = f"SASS {_span(archs.sass)}, PTX {_span(archs.ptx)}"
                ev = (fact(f"pythons[{i}].gpu_archs.{dist}.sass", " ".join(archs.sass) or "none"),
                      fact(f"pythons[{i}].gpu_archs.{dist}.ptx", " ".join(archs.ptx) or "none"),
                      fact(f"gpus[{gi}].compute_capability", cc) + (f" ({g.name})" if g.name else "") + src)
                if ga.library:
                    ev += (fact(f"pythons[{i}].gpu_archs.{dist}.library", ga.library),)
                fix = _torch_fix(p, env, matrix, cc) if dist == "torch" else _other_fix(p, dist, cc)
                old = None if not ok else _driver_too_old_for_ptx(p, dist, env, matrix)
                if not ok:
                    code, sev = NO_KERNEL, "fail"
                    title = (f"{who} in {env_name(p)} has no kernels for this GPU ({count}{name}, compute "
                             f"capability {cc}): {have}")
                    why = (f"{how} (JIT of PTX only goes to the same or a newer compute capability, and SASS runs "
                           "only within its major). The first kernel launch fails with 'CUDA error: no kernel "
                           "image is available for execution on the device'.")
                elif old:
                    ev += (fact(f"pythons[{i}].torch_cuda", p.torch_cuda),)
                    code, sev = PTX_ONLY, "fail"
                    title = (f"{who} in {env_name(p)} has only PTX for this GPU ({count}{name}, compute "
                             f"capability {cc}) and the driver cannot JIT it: {have}")
                    why = f"{how}, but {old}: 'no kernel image is available for execution on the device'."
                else:
                    code, sev = PTX_ONLY, "warn"
                    title = (f"{who} in {env_name(p)} runs on {count}{name} (compute capability {cc}) only "
                             f"through PTX JIT: {have}")
                    why = (f"{how}: no SASS for sm_{cc.replace('.', '')}, so the driver compiles every kernel at "
                           "first use (minutes for libtorch_cuda.so; cached in ~/.nv/ComputeCache) and the code "
                           "is not tuned for this GPU.")
                yield Finding(code, sev, title, evidence=ev, why=why, fix=fix, subject=_subject(p))
            if sass_everywhere and archs.has_device_code:
                fine.append(dist)
        if fine:
            yield Finding(KERNEL_OK, "ok",
                          f"{env_name(p)}: {', '.join(fine)} carr{'y' if len(fine) > 1 else 'ies'} SASS for "
                          + ", ".join(f"sm_{cc.replace('.', '')}" for cc in sorted(by_cc)),
                          evidence=tuple(fact(f"pythons[{i}].gpu_archs.{d}.sass", " ".join(p.gpu_archs[d].sass or ()))
                                         for d in fine),
                          subject=_subject(p))


RULES = [no_kernel_image]
