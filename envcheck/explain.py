"""`envcheck explain "<error message>"`: recognise a known failure, say its cause on this machine, and give the
same advice `envcheck recommend` gives. Pure: (message, Environment, Matrix) -> Explanation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from envcheck import cudalibs
from envcheck.errors import InputError
from envcheck.findings import register
from envcheck.recommend.machine import Machine, machine
from envcheck.recommend.model import InstallPath


@dataclass(frozen=True)
class Explanation:
    code: str
    title: str
    cause: str
    facts: Tuple[str, ...]
    advice: Tuple[str, ...]
    best: Optional[InstallPath] = None
    matched: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "cause": self.cause, "facts": list(self.facts),
                "advice": list(self.advice), "matched": self.matched,
                "best_path": self.best.to_dict() if self.best else None}


MISSING_LIB = register("explain-missing-library", "fail", "A CUDA/cuDNN/TensorRT library the package needs is missing",
    """'libX.so.N: cannot open shared object file': the package was built against major N of that library and the
    loader finds none. For libcudart/libcublas(Lt) N is the CUDA major: a CUDA 13 build needs a driver >= 580 whatever
    you install with pip.""")
DRIVER_OLD = register("explain-driver-insufficient", "fail", "The CUDA runtime is newer than the driver",
    """'CUDA driver version is insufficient for CUDA runtime version': the program's CUDA runtime needs a newer driver
    than the host has, and minor-version compatibility did not apply.""")
NO_KERNEL = register("explain-no-kernel-image", "fail", "The build has no kernels for this GPU",
    """'no kernel image is available for execution on the device': the binary was compiled for other GPU architectures
    (sm_XX) and carries no PTX the driver could compile for this one.""")
NVML_MISMATCH = register("explain-nvml-mismatch", "fail", "NVML: driver/library version mismatch",
    """The kernel module and the user-space driver libraries differ: the driver was upgraded without a reboot, or the
    container mounts libraries of another driver version.""")
DIND_OVERLAY = register("explain-dind-overlay", "fail", "Docker-in-Docker: overlay mount refused",
    """dockerd inside an unprivileged container cannot mount overlayfs: that needs CAP_SYS_ADMIN.""")
DIND_IPTABLES = register("explain-dind-iptables", "fail", "Docker-in-Docker: iptables refused",
    """dockerd inside an unprivileged container cannot set up its NAT rules: that needs CAP_NET_ADMIN.""")
GLIBC = register("explain-glibc-too-old", "fail", "The system glibc is older than a binary needs",
    """'version GLIBC_2.xx not found': a wheel or library was built on a newer Linux than this one.""")
FWD_COMPAT = register("explain-forward-compat-unsupported", "fail", "Forward compatibility on an unsupported GPU",
    """'forward compatibility was attempted on non supported HW' (CUDA error 804): cuda-compat works on data-center
    GPUs only.""")

LIB_KIND = [(r"libcublasLt|libcublas|libcudart|libcufft|libcurand|libcusparse|libcusolver|libnvrtc|libnvJitLink", "cuda"),
            (r"libcudnn", "cudnn"), (r"libnvinfer|libnvonnxparser", "tensorrt"), (r"libnccl", "nccl")]


def _pythons(m: Machine, package: Optional[str] = None) -> List[Tuple[str, str]]:
    """The interpreters the advice is for, from the facts: environments that have `package` (or every
    environment), each as (python path, where): Ubuntu has no bare `python`, and a pod may hold several."""
    envs = [it for it in m.interpreters if it.is_env]
    if package:
        have = [it for it in envs if package in (it.packages or {})]
        envs = have or envs
    out = []
    for it in envs:
        py = f"{it.prefix}/bin/python" if it.prefix and it.kind in ("venv", "conda", "uv") else it.path
        label = f"{it.prefix or it.path} ({it.where}, Python {it.version}"
        if package and package in (it.packages or {}):
            label += f", {package} {(it.packages or {})[package]}"
        out.append((py, label + ")"))
    return out or [("python3", "pythons unknown: the interpreter that failed")]


FOR_EACH_LIMIT = 10  # commands listed one per environment; more are counted


def _for_each(m: Machine, cmd: str, package: Optional[str] = None, why: str = "") -> List[str]:
    """`cmd` (with {py}) once per candidate interpreter."""
    c = _pythons(m, package)
    out = [cmd.format(py=py) + f"    # {why + ', ' if why else ''}{'if it failed in ' if len(c) > 1 else ''}{label}"
           for py, label in c[:FOR_EACH_LIMIT]]
    if len(c) > FOR_EACH_LIMIT:
        out.append(f"# and {len(c) - FOR_EACH_LIMIT:,} more environments (envcheck scan lists them): the same command "
                   f"with their python")
    return out


def _recommend(env, matrix, target) -> Optional[InstallPath]:
    from envcheck.recommend import installable, recommend

    try:
        rec = recommend(env, matrix, target)
    except InputError:
        return None
    return installable(rec, allow_risky=True) or (rec.paths[0] if rec.paths else None)


def _missing_lib(mo, m: Machine, env, matrix, target):
    lib, major = mo.group(1), int(mo.group(2))
    kind = next((k for pat, k in LIB_KIND if re.match(pat, lib)), "other")
    facts = [m.driver_fact()]
    have = [l for l in (env.libraries or ()) if l.soname.startswith(lib + ".so")]
    if have:
        facts += [f"libraries: {l.soname} at {l.path} (via {l.via})" for l in have[:4]]
    elif env.libraries is not None:
        facts.append(f"libraries: no {lib}.so.* found by the scan")
    advice: List[str] = []
    if kind == "cuda":
        # the soname's number is not always the CUDA major: libcufft.so.12 and libcurand.so.10 belong to CUDA 13
        soname = f"{lib}.so.{major}"
        major = cudalibs.cuda_major(soname) or major
        cause = (f"the package was built for CUDA {major} ({soname} is CUDA {major}'s)")
        if m.cuda is not None and major > m.cuda.major:
            cause += (f"; this driver runs CUDA <= {m.cuda}, so even with nvidia-*-cu{major} installed it would fail "
                      f"next with 'CUDA driver version is insufficient': install a build for CUDA {m.cuda.major} instead, "
                      f"or move to a host with a newer driver")
        elif m.cuda is not None:
            cause += f"; the driver runs CUDA <= {m.cuda}, so installing the CUDA {major} libraries into the same environment fixes it"
            stem = cudalibs.catalog_stem(lib + ".so") or lib
            dist = cudalibs.wheel_dist(stem, major)
            if dist:
                # an unsuffixed wheel (CUDA 13+) serves every later major too: pin it where its version is the CUDA major
                same = cudalibs.CATALOG.get(stem, (None, None))[1] == "same"
                spec = f"'{dist}=={major}.*'" if same and not re.search(r"-cu\d+$", dist) else dist
                advice += _for_each(m, "{py} -m pip install " + spec, why="in the environment that failed")
    elif kind == "cudnn":
        cause = f"the package needs cuDNN {major} and the loader finds no {lib}.so.{major}"
        advice += _for_each(m, "{py} -m pip install " + str(cudalibs.wheel_dist('libcudnn', m.cuda.major if m.cuda else 12)),
                            why="cuDNN for this CUDA major")
    elif kind == "tensorrt":
        cause = f"the package needs TensorRT {major} ({lib}.so.{major}) and the loader finds none"
        advice.append("envcheck recommend --target tensorrt    # a TensorRT wheel for this driver")
    else:
        cause = f"the loader finds no {lib}.so.{major}"
    advice.append("ldconfig -p | grep " + lib + "    # what the loader sees")
    advice.append("envcheck check    # which package's native extension needs it (native-lib-missing)")
    return MISSING_LIB, f"{lib}.so.{major} is missing", cause, facts, advice


def _driver_old(mo, m: Machine, env, matrix, target):
    return (DRIVER_OLD, "The CUDA runtime is newer than the driver",
            f"the program's CUDA runtime needs a newer driver than {m.driver_fact()}; a build for CUDA <= "
            f"{m.cuda or '?'} runs here", [m.driver_fact()],
            ["nvidia-smi    # 'CUDA Version' is the newest CUDA the driver runs",
            ] + _for_each(m, "{py} -c \"import torch; print(torch.version.cuda)\"", "torch", "the CUDA its torch build needs"))


def _no_kernel(mo, m: Machine, env, matrix, target):
    return (NO_KERNEL, "No kernels for this GPU in the build",
            f"the binary has no SASS for sm_{m.sm or '?'} and no PTX the driver could JIT ({m.gpu_fact()})",
            [m.gpu_fact(), m.driver_fact()],
            _for_each(m, "{py} -c \"import torch; print(torch.cuda.get_arch_list())\"", "torch",
                      "the architectures its torch build has"))


def _nvml(mo, m: Machine, env, matrix, target):
    where = "restart the container (the runtime mounts the host's current libraries)" if m.in_container else "reboot the host"
    return (NVML_MISMATCH, "NVML driver/library version mismatch",
            "the kernel module and the user-space NVIDIA libraries are different versions (an upgrade without a "
            f"reboot, or libraries of another driver inside the image); {where}", [m.driver_fact()],
            ["cat /proc/driver/nvidia/version    # the kernel module",
             "ls /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.*    # the user-space library", where])


def _dind(code, cap, what):
    def f(mo, m: Machine, env, matrix, target):
        from envcheck.recommend.other import dind_reason

        d = dind_reason(m)
        facts = [f"container.privileged = {m.privileged}", f"container.capabilities lacks {cap}" if m.caps is not None and cap not in m.caps
                 else f"container.capabilities = {'unknown' if m.caps is None else 'has ' + cap}"]
        cause = d or f"dockerd needs {cap} to {what}; this container does not grant it"
        adv = ["use the image as the pod's/machine's own base image (a RunPod template, a Kubernetes pod spec)",
               f"envcheck recommend --target {target}    # wheel paths that need no Docker"]
        return code, f"Docker-in-Docker fails: {what}", cause, facts, adv
    return f


def _glibc(mo, m: Machine, env, matrix, target):
    need = mo.group(1)
    have = env.host.glibc if env.host is not None else None
    facts = [f"host.glibc = {have or 'unknown'}", f"needed: GLIBC_{need}"]
    return (GLIBC, f"glibc {have or '?'} is older than GLIBC_{need}",
            f"a binary was built against glibc {need}; this system has {have or 'an unknown version'}. Use an older "
            f"release of the package (an older manylinux tag) or a newer base OS image (e.g. Ubuntu 22.04 has 2.35, 24.04 has 2.39)",
            facts, ["ldd --version | head -1"] + _for_each(m, "{py} -m pip debug --verbose | grep manylinux", why="the wheel tags pip accepts"))


def _fwd(mo, m: Machine, env, matrix, target):
    return (FWD_COMPAT, "Forward compatibility is not supported on this GPU",
            f"cuda-compat libraries were loaded on a GPU that does not support them ({m.gpu_fact()}); they work only on "
            "data-center GPUs", [m.gpu_fact(), m.driver_fact()],
            ["unset LD_LIBRARY_PATH    # or remove /usr/local/cuda-*/compat from it", "ldconfig -p | grep libcuda.so"])


PATTERNS: List[Tuple[str, Callable]] = [
    (r"(lib[A-Za-z_]+?)\.so\.(\d+)(?:\.[\d.]+)?: cannot open shared object file", _missing_lib),
    (r"CUDA driver version is insufficient for CUDA runtime version", _driver_old),
    (r"no kernel image is available for execution on the device", _no_kernel),
    (r"Driver/library version mismatch", _nvml),
    (r"failed to mount overlay:? operation not permitted|mount.*overlay.*operation not permitted",
     _dind(DIND_OVERLAY, "CAP_SYS_ADMIN", "mount overlay")),
    (r"iptables[\s\S]{0,300}?(?:Permission denied|you must be root)", _dind(DIND_IPTABLES, "CAP_NET_ADMIN", "set up iptables")),
    (r"version [`'‘]?GLIBC_(2\.\d+)[`'’]? not found", _glibc),
    (r"forward compatibility was attempted on non supported HW|CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", _fwd),
]


HINTS = [(r"tensorrt_llm|tensorrt-llm|trtllm", "tensorrt-llm"), (r"\bvllm\b", "vllm"), (r"\bsglang\b", "sglang"),
         (r"\btorch\b|pytorch", "torch"), (r"libnvinfer|\btensorrt\b", "tensorrt")]


def fitting_target(message: str, code: str) -> Optional[str]:
    """The target whose recommendation fits the message: named in it, else tensorrt-llm only for a CUDA-major
    mismatch (a CUDA library or runtime too new for the driver); None when no install target fits."""
    for pat, name in HINTS:
        if re.search(pat, message or "", re.IGNORECASE):
            return name
    if code in (DRIVER_OLD,) or (code == MISSING_LIB and re.search(
            r"libcublas|libcudart|libnvrtc|libnvJitLink", message or "")):
        return "tensorrt-llm"
    return None


def explain(message: str, env, matrix, target: Optional[str] = None) -> List[Explanation]:
    """Every known failure in the message (a log may hold several), in the order they appear. `target`: the
    install target whose best path is attached; None picks the one that fits the message (or none)."""
    m = machine(env, matrix)
    found = []
    for pat, fn in PATTERNS:
        for mo in re.finditer(pat, message or "", re.IGNORECASE):
            code, title, cause, facts, advice = fn(mo, m, env, matrix, target or "tensorrt-llm")
            found.append((mo.start(), Explanation(code, title, cause, tuple(facts), tuple(advice), None, mo.group(0))))
            break
    found.sort(key=lambda x: x[0])
    if not found:
        return []
    out = []
    for _, e in found:
        t = target or fitting_target(message, e.code)
        best = _recommend(env, matrix, t) if t else None
        out.append(Explanation(e.code, e.title, e.cause, e.facts, e.advice, best, e.matched))
    return out


KNOWN = ["missing libcublasLt/libcudart/libcudnn*/libnvinfer .so.N", "CUDA driver version is insufficient",
         "no kernel image is available", "NVML Driver/library version mismatch", "failed to mount overlay (DinD)",
         "iptables Permission denied (DinD)", "version GLIBC_2.xx not found", "forward compatibility on non supported HW"]
