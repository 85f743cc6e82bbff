"""One answer per cause: the cause as the issue threads established it, checked against the Environment in hand.

Each answer returns a title, the cause, the facts it checked, `commands` (lines to paste, each with a comment) and
`actions` (what is not a command: reboot, ask the host's admin, restart the container with --gpus all). Facts the
Environment does not hold are said to be unknown, with the command that learns them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from envcheck import cudalibs
from envcheck.checks.process import step_aside
from envcheck.matrix.compat import min_driver_for_cuda
from envcheck.explain import codes as C
from envcheck.explain import machine_facts as F
from envcheck.explain.owner import owner_of
from envcheck.explain import process as P
from envcheck.explain.patterns import WINDOWS_DRIVER_DLLS, Match, generation
from envcheck.recommend.machine import Machine
from envcheck.versions import parse


@dataclass
class Answer:
    title: str
    cause: str
    facts: List[str] = field(default_factory=list)
    commands: List[str] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)
    confidence: str = "high"           # high | medium | low (docs/explain.md: what each means)


@dataclass
class Ctx:
    m: Machine
    env: object
    matrix: object
    message: str
    target: str = "tensorrt-llm"
    lookups: Optional[dict] = None     # soname -> explain.lookup.LoaderView, when a tree is in hand

    @property
    def sudo(self) -> str:
        return self.m.sudo


def _cmp_cuda(a: str, b) -> int:
    pa, pb = parse(a), parse(str(b))
    if pa is None or pb is None:
        return 0
    return (pa > pb) - (pa < pb)


def _min_driver(ctx: Ctx, cuda: str) -> Optional[str]:
    drv, row = min_driver_for_cuda(ctx.matrix, cuda)
    return f"{drv} ({row.ref()})" if drv is not None and row is not None else None


def _in_container_words(m: Machine) -> str:
    if m.in_container:
        return "this runs in a container"
    if m.in_container is False:
        return "this is not a container"
    return "whether this is a container is not known"


# -- missing libraries ---------------------------------------------------------------------------------------
LIB_KIND = [(r"libcublasLt|libcublas|libcudart|libcufft|libcurand|libcusparse|libcusolver|libnvrtc|libnvJitLink|libcupti",
             "cuda"), (r"libcudnn", "cudnn"), (r"libnvinfer|libnvonnxparser|libnvparsers", "tensorrt"),
            (r"libnccl", "nccl"), (r"libmpi|libopen-rte|libopen-pal", "mpi"), (r"libpython\d", "python"),
            (r"libonnxruntime", "onnxruntime")]


def _kind(stem: str) -> str:
    return next((k for pat, k in LIB_KIND if re.match(pat, stem)), "other")


@dataclass
class _Missing:
    """A library the loader did not find, and what the answer about it collects."""
    soname: str
    stem: str
    major: Optional[int]
    lead: str                  # "X needs libY.so.N and " when the error names who needed it
    facts: List[str]
    cmds: List[str] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)


def _dll_dependency(mo: Match) -> Answer:
    """Windows' LoadLibrary error 126 for a provider DLL that is there: one of the DLLs it needs is not found."""
    dll = mo.get("dll")
    cause = (f"{dll} itself was found, but Windows' error 126 means a DLL it needs was not: for a CUDA provider, the "
             "CUDA and cuDNN DLLs of the major versions it was built for (cudnn64_9.dll, cublas64_12.dll) are missing "
             "from PATH, or another package put DLLs of another major first")
    cmds: List[str] = []
    actions = ["in a Windows prompt, `where cudnn64_*.dll cublas64_*.dll` shows which CUDA/cuDNN DLLs PATH finds",
               "install the CUDA and cuDNN majors the package was built for (its install page lists them) and put "
               "their bin directories on PATH, or install a build of the package for the ones you have"]
    return Answer(f"A DLL that {dll} needs is missing", cause, [], cmds, actions)


def missing_library(mo: Match, ctx: Ctx) -> Answer:
    if mo.get("dependency"):
        return _dll_dependency(mo)
    soname = mo.get("soname")
    parts = cudalibs.split_name(soname) if ".so" in soname else None
    stem = parts[0] if parts else soname
    major = parts[2][0] if parts and parts[2] else None
    lib_facts, meaning = F.library_facts(ctx.env, soname, lookups=ctx.lookups)
    needed_by = mo.get("needed_by")
    lead = f"{needed_by} needs {soname} and " if needed_by else ""
    miss = _Missing(soname, stem, major, lead, lib_facts + F.native_facts(ctx.env, soname))
    own = owner_of(ctx.message, mo.start, mo.line, ctx.env, skip=())
    if _kind(stem) == "cuda" and major is None and ".so" in soname:
        return _unversioned_cuda(miss, own, ctx)
    cause = _missing_cause(_kind(stem), miss, ctx)
    cmds, actions = miss.cmds, miss.actions
    if own is not None and not own.dist.startswith("nvidia-"):
        miss.facts.append(f"needed by: {own.dist} (its file {own.path}, from {own.how})")
        cause += _reinstall_owner(own, miss, ctx)
    if stem == "libcudnn" and mo.get("symbol"):
        cause += ("; 'Cannot load symbol' is CTranslate2's (faster-whisper's) wording, which also follows a cuDNN of "
                  "the other major: CTranslate2 4.5 and later need cuDNN 9, CTranslate2 4.4 and earlier cuDNN 8 "
                  "(pip install ctranslate2==4.4.0 where only cuDNN 8 is there)")
    if stem in ("libcusparse", "libcusolver") and (major is None or major >= 11):
        cause += (f"; in CUDA 12 {stem} loads libnvJitLink.so.12 of at least its own release: an older libnvJitLink "
                  "found first (LD_LIBRARY_PATH with another CUDA, such as the HPC SDK's) makes it fail to load although "
                  "installed (ldd on it shows which one)")
    if meaning:
        cause += ". Here: " + meaning
        if "system loader" in meaning:  # nothing to install here: the failing process looked elsewhere
            cmds = [c for c in cmds if " install " not in c]
            actions = [a for a in actions if "install" not in a]
            cmds.insert(0, "echo \"$LD_LIBRARY_PATH\"    # compare with the environment of the process that failed")
    cmds.append(f"ldconfig -p | grep {stem}    # what the system loader sees")
    cmds.append("envcheck check    # which package's native extension needs it (native-lib-missing)")
    present = meaning is not None
    title = (f"{soname} could not be loaded where the error happened (it is present here)" if present
             else f"{soname} is missing")
    return Answer(title, cause, miss.facts, cmds, actions)


def _reinstall_owner(own, miss: _Missing, ctx: Ctx) -> str:
    """The package whose file needed the library: the one to reinstall, for the CUDA the driver here runs."""
    built = cudalibs.cuda_major(miss.soname) if _kind(miss.stem) == "cuda" else None
    here = ctx.m.cuda.major if ctx.m.cuda is not None else None
    text = f". {own.dist} is the package that needs it"
    if built is not None:
        text += f" (this build of it was made for CUDA {built})"
    if built is not None and here is not None and built != here:
        miss.cmds[:] = [c for c in miss.cmds if " install " not in c]
        miss.actions[:] = [a for a in miss.actions if not a.startswith("install the package's build")]
        text += f"; reinstall {own.dist} built for CUDA {here}, the CUDA the driver here runs"
        miss.cmds += F.for_each(ctx.m, "{py} -m pip install --force-reinstall --no-cache-dir " + own.dist, own.dist,
                                f"a {own.dist} build for CUDA {here} (its install page names the index or version "
                                "tag for each CUDA)")
    elif built is None:
        text += f"; if the library cannot be provided, reinstall {own.dist} built for what is installed"
    else:
        miss.actions.append(f"or reinstall {own.dist} built for the CUDA that environment's torch uses "
                            "(python -c 'import torch; print(torch.version.cuda)'), rather than adding CUDA "
                            f"{built} libraries")
    return text


def _unversioned_cuda(miss: _Missing, own, ctx: Ctx) -> Answer:
    """'libcudart.so: cannot open shared object file': the development name, which no runtime package installs."""
    m = ctx.m
    rows = F.copies(ctx.env, miss.soname)[1]
    majors = sorted({cudalibs.cuda_major(r.soname) for r in rows if cudalibs.cuda_major(r.soname)})
    who = own.dist if own is not None else "the package that loads it"
    cause = (f"{who} asks for {miss.soname} by its unversioned development name: no CUDA runtime package installs "
             "that name (pip's nvidia-* wheels and the driver carry only versioned sonames such as "
             f"{miss.stem}.so.12); it comes with a CUDA toolkit of the major the package was built for. The usual "
             f"cause is a build of {who} for another CUDA major than the CUDA libraries installed")
    facts = [F.driver_fact(m)] + miss.facts
    if majors:
        cause += (f". Here only CUDA {', '.join(str(x) for x in majors)} copies are present "
                  f"({', '.join(sorted({r.soname for r in rows})[:3])})")
    view = (ctx.lookups or {}).get(miss.soname)
    if view is not None and view.system:
        cause += (f"; the system loader here does find {miss.soname} ({view.path}, a toolkit's): where the message "
                  "came from it did not (another machine or image, or an LD_LIBRARY_PATH without that toolkit)")
    if own is not None:
        facts.append(f"needed by: {own.dist} (its file {own.path}, from {own.how})")
    here = m.cuda.major if m.cuda is not None else (majors[-1] if majors else None)
    cmds = [f"ldconfig -p | grep {miss.stem}    # the versioned copies the system loader sees"]
    if own is not None and here is not None:
        cmds += F.for_each(m, "{py} -m pip install --force-reinstall --no-cache-dir " + own.dist, own.dist,
                           f"a {own.dist} build for CUDA {here}")
    actions = [f"reinstall {who} built for CUDA {here if here is not None else 'the major installed here'}, or install "
               "the CUDA toolkit of the major it was built for (it provides the unversioned name)"]
    return Answer(f"{miss.soname} (an unversioned CUDA name) could not be loaded", cause, facts, cmds, actions,
                  "medium")


def _missing_cause(kind: str, miss: _Missing, ctx: Ctx) -> str:
    """Why the library is missing, by the kind of library; the commands and actions go into `miss`."""
    soname, major, lead = miss.soname, miss.major, miss.lead
    if kind == "cuda" and major is not None:
        return _missing_cuda(miss, ctx)
    if kind == "cudnn":
        return _missing_cudnn(miss, ctx)
    if kind == "tensorrt":
        miss.cmds.append("envcheck recommend --target tensorrt    # a TensorRT wheel for this driver")
        return f"{lead}the package needs TensorRT {major if major is not None else ''} ({soname}) and the loader finds none".replace("TensorRT  (", "TensorRT (")
    if kind == "nccl":
        cuda_major = ctx.m.cuda.major if ctx.m.cuda is not None else 12
        miss.cmds += F.for_each(ctx.m, "{py} -m pip install " + str(cudalibs.wheel_dist("libnccl", cuda_major)),
                                why=f"NCCL for CUDA {cuda_major}")
        return f"{lead}the package needs NCCL {major if major is not None else ''} ({soname}) and the loader finds none".replace("NCCL  (", "NCCL (")
    if kind == "mpi":
        return _missing_mpi(miss, ctx)
    if kind == "python":
        miss.cmds += F.for_each(ctx.m, "{py} -c \"import sysconfig as s; print(s.get_config_var('Py_ENABLE_SHARED'), "
                                       "s.get_config_var('LIBDIR'))\"", why="0: a static interpreter")
        miss.actions.append("use an interpreter built with --enable-shared (Debian/Ubuntu's python3 with its "
                            "libpython3.X package, or conda's python), or add its LIBDIR to LD_LIBRARY_PATH")
        return (f"{lead}{soname} is the shared Python library; the interpreter in use was built without it "
                "(Py_ENABLE_SHARED = 0) or its lib directory is not on the loader path")
    if not soname.startswith("lib"):
        miss.actions.append("reinstall the package that ships it, or build the op (e.g. DeepSpeed: "
                            "DS_BUILD_FUSED_ADAM=1 pip install deepspeed), in the environment that failed")
        return (f"{lead}{soname} is a package's own native module (or a JIT-built op) and it is not there: a partial "
                "install, an op that was never built (DeepSpeed's DS_BUILD_* ops), or a build for another platform")
    if soname.startswith("libbitsandbytes_"):
        cuda = re.search(r"cuda(\d{2,3})", soname)
        miss.cmds += F.for_each(ctx.m, "{py} -m pip install -U bitsandbytes", "bitsandbytes",
                                why="a release with a native library for this CUDA")
        miss.actions.append("or set BNB_CUDA_VERSION to a CUDA whose library the installed release ships "
                            "(ls the bitsandbytes folder for libbitsandbytes_cuda*.so)")
        return (f"{lead}bitsandbytes ships one native library per CUDA version, and the installed release has none for "
                + (f"CUDA {cuda.group(1)[:-1]}.{cuda.group(1)[-1]}" if cuda else "this CUDA")
                + ", the version it detected (an older bitsandbytes than that CUDA, or a CUDA it was never built for)")
    if kind == "onnxruntime":
        miss.cmds += F.for_each(ctx.m, "{py} -m pip install --force-reinstall onnxruntime-gpu", "onnxruntime-gpu",
                                why="one ONNX Runtime package, complete")
        return (f"{lead}ONNX Runtime's own {soname} was not found next to it: a partial or mixed install of "
                "onnxruntime and onnxruntime-gpu")
    return f"{lead}the loader finds no {soname}"


JETSON_CUDA = ("; in a container on a Jetson (L4T), the CUDA libraries come from the host through the NVIDIA runtime: "
               "a container, or a docker build, run without it has none (for builds: \"default-runtime\": \"nvidia\" in "
               "/etc/docker/daemon.json)")


def _missing_cuda(miss: _Missing, ctx: Ctx) -> str:
    """A CUDA library of a known major: the driver decides between installing the libraries and another build."""
    m, soname, stem = ctx.m, miss.soname, miss.stem
    cmaj = cudalibs.cuda_major(soname) or miss.major
    cause = f"{miss.lead}the package was built for CUDA {cmaj} ({soname} is CUDA {cmaj}'s) and the loader finds no {soname}"
    if cudalibs.cuda_major(soname) is None and cudalibs.catalog_stem(soname):
        cause = (f"{miss.lead}the loader finds no {soname}, a CUDA library whose number is its own version, not the "
                 f"CUDA release ({soname} ships with several CUDA releases): install it for the CUDA the package was "
                 "built for")
        if m.cuda is None and m.in_container is not False:
            cause += JETSON_CUDA
        return cause
    miss.facts.insert(0, F.driver_fact(m))
    if m.cuda is not None and cmaj > m.cuda.major:
        cause += (f"; this driver runs CUDA <= {m.cuda}, so even with the CUDA {cmaj} libraries installed it would fail "
                  f"next with 'CUDA driver version is insufficient': install a build for CUDA {m.cuda.major} instead, "
                  f"or move to a host with a newer driver")
        miss.actions.append(f"install the package's build for CUDA {m.cuda.major} (the driver here runs CUDA <= {m.cuda}), "
                            "or have the host's driver updated")
        return cause
    if m.cuda is not None:
        cause += (f"; the driver runs CUDA <= {m.cuda}, so installing the CUDA {cmaj} libraries into the same "
                  "environment fixes it")
    else:
        cause += (f"; whether this driver runs CUDA {cmaj} is not known from these facts (nvidia-smi shows the "
                  "newest CUDA it runs)")
        miss.cmds.append(F.LEARN_DRIVER)
        if m.in_container is not False:
            cause += JETSON_CUDA
    comp_stem = cudalibs.catalog_stem(stem + ".so") or stem
    dist = cudalibs.wheel_dist(comp_stem, cmaj)
    if dist:
        same = comp_stem in cudalibs.BY_STEM and cudalibs.BY_STEM[comp_stem].soname_is_cuda
        spec = f"'{dist}=={cmaj}.*'" if same and not re.search(r"-cu\d+$", dist) else dist
        miss.cmds += F.for_each(m, "{py} -m pip install " + spec, why="in the environment that failed")
    return cause


def _missing_cudnn(miss: _Missing, ctx: Ctx) -> str:
    m, major = ctx.m, miss.major
    if major is not None:
        cause = f"{miss.lead}the package needs cuDNN {major} and the loader finds no {miss.soname}"
        if major < 9 and m.cuda is not None and m.cuda.major >= 13:
            cause += f"; cuDNN {major} has no build for CUDA {m.cuda.major}: a build of the package for cuDNN 9 is the fix"
    else:
        cause = ("cuDNN could not be loaded (the framework looks for libcudnn.so by name): no cuDNN where the loader "
                 "looks, or one of another major than the framework's build")
    cuda_major = m.cuda.major if m.cuda is not None else 12
    if major is None or major >= 9:
        spec = str(cudalibs.wheel_dist("libcudnn", cuda_major))
    elif major == 8:  # nvidia-cudnn-cu12 and -cu11 have 8.x releases on PyPI
        spec = "'" + ("nvidia-cudnn-cu12" if cuda_major >= 12 else "nvidia-cudnn-cu11") + "==8.*'"
    else:
        spec = None
        miss.actions.append(f"cuDNN {major} has no pip wheel: install it from NVIDIA's cuDNN archive for the CUDA the "
                            "package was built for, or use a newer build of the package")
    if spec:
        miss.cmds += F.for_each(m, "{py} -m pip install " + spec,
                                why=f"cuDNN {major or 9} for CUDA {cuda_major}" + ("" if m.cuda is not None else " (driver not known: CUDA 12 assumed)"))
    miss.actions.append("a pip-installed cuDNN is found by packages that load it from site-packages/nvidia/cudnn/lib "
                        "themselves (torch does); for others (ONNX Runtime, TensorRT, Paddle) put that directory on "
                        "LD_LIBRARY_PATH, or install the package's build for the cuDNN that is here")
    return cause


def _missing_mpi(miss: _Missing, ctx: Ctx) -> str:
    flavour = {40: "Open MPI 3.x-5.x", 12: "MPICH (or Open MPI 1.x)"}.get(miss.major or 0, "an MPI")
    miss.cmds.append("ls /usr/local/mpi/lib /opt/hpcx/ompi/lib 2>/dev/null | grep libmpi    # NVIDIA images keep MPI here")
    if miss.major == 12:
        miss.cmds.append(f"{ctx.sudo}apt-get install -y libmpich-dev    # Debian/Ubuntu: MPICH (libmpi.so.12)")
    else:
        miss.cmds.append(f"{ctx.sudo}apt-get install -y libopenmpi-dev    # Debian/Ubuntu: Open MPI (libmpi.so.40)")
    return (f"{miss.lead}{miss.soname} is {flavour}'s library, which mpi4py or TensorRT-LLM was built against; MPI is a "
            "system library that pip does not ship. In NVIDIA's images it lives under /usr/local/mpi/lib or "
            "/opt/hpcx/ompi/lib and must be on LD_LIBRARY_PATH")


TEGRA_LIB = re.compile(r"libnv(?:dla_|rm|os|socsys|cucompat)")


def libcuda(mo: Match, ctx: Ctx) -> Answer:
    m, env = ctx.m, ctx.env
    soname = mo.get("soname")
    facts = [F.driver_fact(m), f"container: {_in_container_words(m)}"]
    lib_facts, _meaning = F.library_facts(env, soname if soname.endswith(".1") else "libcuda.so.1", lookups=ctx.lookups)
    facts += lib_facts
    cmds = ["ls -l /usr/lib/x86_64-linux-gnu/libcuda.so* /usr/local/nvidia/lib64/libcuda.so* /usr/lib/wsl/lib/libcuda.so* 2>/dev/null",
            "ldconfig -p | grep libcuda    # what the system loader sees"]
    actions: List[str] = []
    if soname.lower() in WINDOWS_DRIVER_DLLS:
        cause = (f"{soname} is the NVIDIA display driver's own library (Windows' libcuda.so.1): the driver installs it "
                 "into C:\\Windows\\System32, and no CUDA toolkit, pip wheel or conda package provides it. Not found "
                 "means no NVIDIA driver is installed on this Windows (or its install is broken), or the machine has "
                 "no NVIDIA GPU")
        cmds = ["where nvcuda.dll    # in a Windows prompt: C:\\Windows\\System32\\nvcuda.dll when the driver is installed",
                "nvidia-smi    # the driver and the GPU it sees"]
        actions = ["install (or reinstall) the NVIDIA driver for the GPU from nvidia.com/drivers, then reboot; "
                   "without an NVIDIA GPU, run the program on the CPU"]
        return Answer(f"{soname}: the NVIDIA driver is not installed on this Windows", cause, [F.driver_fact(m)], cmds,
                      actions)
    if "nvidia-container-cli" in mo.line:
        cause = (f"nvidia-container-cli on the host could not load the host's own {soname}: the host's NVIDIA "
                 "driver installation is broken or incomplete, or driver libraries inside the image conflict with "
                 "the host's (the threads: a missing libcuda package; an image that carried its own driver files)")
        actions.append(f"on the host: reinstall the NVIDIA driver so that {soname} is installed (e.g. the "
                       "cuda-drivers or libnvidia-compute package), then reboot; and use an image without driver files")
        return Answer(f"{soname}: the host's driver library is missing", cause, facts, cmds, actions)
    cause = (f"{soname} is the NVIDIA driver's user-space library: it comes from the installed driver (into a "
             "container, the NVIDIA runtime mounts the host's copy), never from pip or the image. The usual cause is a "
             "container started without the NVIDIA runtime (no --gpus all / --runtime=nvidia), or a machine without "
             "the driver")
    rows = F.copies(env, "libcuda.so.1")[1]
    on_path = [r for r in rows if (r.via or "") in F.SYSTEM_VIA]
    off_path = [r for r in rows if r not in on_path and "compat" not in (r.path or "")]
    if on_path:
        cause += (f". Here the loader finds it ({on_path[0].path}, {on_path[0].via}): the error came from another "
                  "container or process, or one started with another LD_LIBRARY_PATH")
    elif off_path:
        cause += (f". Here it is at {off_path[0].path} but not on the loader's path: add that directory to the "
                  "loader's configuration")
        d = (off_path[0].path or "").rsplit("/", 1)[0]
        cmds.append(f"echo {d} | {ctx.sudo}tee /etc/ld.so.conf.d/nvidia-driver.conf && {ctx.sudo}ldconfig")
    elif m.no_driver and m.in_container:
        cause += ". Here: a container with no NVIDIA driver visible, which is exactly that case"
    elif m.no_driver:
        cause += ". Here: no NVIDIA driver is installed"
    if soname.startswith("libcuda.so"):
        hidden = _unusable_libcuda(ctx)
        if hidden is not None:
            return hidden
    if soname == "libcuda.so":
        return _wsl_libcuda(mo, ctx, facts, cmds)
    if TEGRA_LIB.match(soname):
        cause = (f"{soname} is one of Jetson's driver libraries (L4T keeps them in /usr/lib/aarch64-linux-gnu/tegra); "
                 "the NVIDIA runtime mounts them into a container, so a container (or a docker build step) run without "
                 "it has none")
        cmds = ["ls /usr/lib/aarch64-linux-gnu/tegra/ | head    # on the Jetson: the driver's libraries",
                "docker info | grep -i runtime    # is nvidia the default runtime (docker build uses the default)"]
        return Answer(f"{soname}: Jetson's driver library is not visible to the process", cause, facts[:2], cmds,
                      ["run the container with --runtime nvidia (or --gpus all)",
                       "for docker build: set \"default-runtime\": \"nvidia\" in /etc/docker/daemon.json and restart "
                       "docker, since a RUN step gets no --gpus"])
    if m.in_container is not False:
        actions.append("restart the container with the NVIDIA runtime (docker run --gpus all ..., or "
                       "--runtime=nvidia; on Kubernetes request nvidia.com/gpu): nothing installed inside the container "
                       "can provide the host's driver library")
    if m.in_container is not True:
        actions.append("on a host: install the NVIDIA driver (it provides libcuda.so.1), then reboot")
    return Answer(f"{soname}: the NVIDIA driver's library is not visible to the process", cause, facts, cmds, actions)


def _wsl(ctx: Ctx) -> Optional[bool]:
    """True: the message or the kernel says WSL; False: a kernel known not to be WSL's; None: not known."""
    if re.search(r"\bwsl\d?\b|/usr/lib/wsl|microsoft-standard", ctx.message, re.IGNORECASE):
        return True
    kernel = getattr(getattr(ctx.env, "host", None), "kernel", None)
    if not kernel:
        return None
    return "microsoft" in kernel.lower() or "wsl" in kernel.lower()


def _wsl_libcuda(mo: Match, ctx: Ctx, facts: List[str], cmds: List[str]) -> Answer:
    """The unversioned libcuda.so, opened with dlopen (cuda-python, cuDNN 8, Triton): on WSL the driver's libraries
    live in /usr/lib/wsl/lib, which the loader's cache lists only as libcuda.so.1."""
    wsl = _wsl(ctx)
    wsl_cause = ("on WSL the driver's libraries are in /usr/lib/wsl/lib, and the loader's cache (ld.wsl.conf) lists "
                 "libcuda.so.1 but not the unversioned libcuda.so that the program opens with dlopen: /usr/lib/wsl/lib "
                 "is not on the library path (NVIDIA/cuda-python#17)")
    other = ("the driver's development symlink libcuda.so -> libcuda.so.1 is missing (a driver installed without "
             "its -dev files), or no driver is visible (a container without the NVIDIA runtime)")
    if wsl is True:
        cause, confidence = wsl_cause, "high"
    elif wsl is False:
        cause = (other[0].upper() + other[1:] + "; on WSL it would be /usr/lib/wsl/lib missing from the library path "
                 "(the kernel here is not WSL's, so that fits only a message from another machine)")
        confidence = "medium"
    else:
        cause, confidence = f"most likely (WSL) {wsl_cause}; else {other}", "medium"
    facts.append("WSL: " + {True: "yes", False: "no (the kernel is not WSL's)", None: "not known from these facts"}[wsl])
    if wsl is not False:
        cmds.insert(0, "export LD_LIBRARY_PATH=/usr/lib/wsl/lib:$LD_LIBRARY_PATH    # WSL: the driver's libraries "
                       "(add it to ~/.bashrc)")
    actions = [] if wsl else ["link the driver's library under the unversioned name: ln -s libcuda.so.1 libcuda.so "
                              "in its directory, then ldconfig (as root); in a container: restart it with --gpus all"]
    return Answer("libcuda.so (the unversioned driver library) could not be opened", cause, facts, cmds, actions,
                  confidence)


# -- driver, container, GPU ----------------------------------------------------------------------------------
def driver_old(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.driver_fact(m)]
    there = mo.get("driver_cuda")
    cause = "the program's CUDA runtime needs a newer driver than the one it ran with"
    if mo.get("driver_api"):
        cause = (f"{mo.get('symbol')} is a CUDA driver API function, which libcuda (installed by the NVIDIA driver) "
                 "provides: this driver is older than the CUDA the code was built for")
    elif mo.get("advice"):
        cause += " (the program's own advice after its CUDA build did not start)"
    elif mo.get("toolkit_cuda"):
        cause = (f"the CUDA toolkit in use is {mo.get('toolkit_cuda')} and the driver runs CUDA {there}: numba (and cuDF "
                 "on it) does not use CUDA 12's minor version compatibility, so the toolkit must not be newer than the "
                 "driver")
    elif mo.get("need_cuda"):
        mind = _min_driver(ctx, mo.get("need_cuda"))
        cause = (f"the program needs CUDA {mo.get('need_cuda')} and read CUDA {there} from nvidia-smi, the newest CUDA "
                 "the driver runs: the driver is older than it needs (a CUDA toolkit installed does not change it)"
                 + (f"; CUDA {mo.get('need_cuda')} needs a driver >= {mind}" if mind else ""))
    elif mo.get("ngc_driver"):
        cause = (f"the image (an NGC container) was built for NVIDIA driver {mo.get('min_driver')} or newer and the "
                 f"host's driver is {mo.get('have_driver')}: its CUDA forward-compatibility libraries (data-center GPUs "
                 "only) could not start CUDA either, so CUDA fails in this container")
    elif mo.get("zero_driver"):
        cause = (f"{mo.get('zero_driver')} compares the driver's CUDA version with the CUDA it was compiled with and "
                 "found the driver older. A driver that is not loaded at all reads as version 0 and gives the same "
                 "message (a kernel module that Secure Boot kept out, or no driver): nvidia-smi tells which")
    elif mo.get("min_driver"):
        cause = (f"the program requires NVIDIA driver {mo.get('min_driver')} or newer"
                 + (f" and the driver it ran with is {mo.get('have_driver')}" if mo.get("have_driver") else "")
                 + ": its CUDA runtime is newer than this driver runs")
    elif there and not mo.get("driver_int"):
        cause = (f"the driver runs CUDA {there} and the program's CUDA runtime is newer: the driver is older than the "
                 "CUDA the program was built with (a CUDA toolkit installed does not change it)")
    if there and mo.get("driver_int"):
        cause += f" (PyTorch prints the driver's CUDA as an integer: {mo.get('driver_int')} = CUDA {there})"
    cmds = [F.LEARN_DRIVER]
    actions = []
    if m.cuda is not None:
        if there and _cmp_cuda(there, m.cuda) != 0:
            cause += (f"; the driver here runs CUDA <= {m.cuda}, not {there}: the message came from another machine, or "
                      "the driver was changed since")
        cause += f"; a build for CUDA <= {m.cuda} runs here"
        cmds = []
    elif m.no_driver and m.in_container and not mo.get("ngc_driver"):
        cause += ("; here no NVIDIA driver is visible in this container: a container started without GPUs reports this "
                  "same error (the CUDA runtime finds no usable driver)")
        actions.append("restart the container with --gpus all (or --runtime=nvidia)")
    elif m.no_driver:
        cause += "; here no NVIDIA driver is installed"
    else:
        cause += "; the driver here is not known from these facts"
    cmds += F.for_each(m, "{py} -c \"import torch; print(torch.version.cuda)\"", "torch", "the CUDA its torch build needs")
    actions.append("update the NVIDIA driver (on a cloud pod or in a container: the host's admin), or "
                   + ("use an older release of the image, built for the host's driver (NGC's support matrix lists each "
                      "release's driver)" if mo.get("ngc_driver") else "install a build for the CUDA the driver runs"))
    return Answer("The CUDA runtime is newer than the driver", cause, facts, cmds, actions)


def nvenc_driver(mo: Match, ctx: Ctx) -> Answer:
    """FFmpeg's 'Driver does not support the required nvenc API version. Required: 12.0 Found: 11.1': the driver
    answered, with an older NVENC API than FFmpeg was built against."""
    need = f"driver {mo.get('min_driver')} or newer" if mo.get("min_driver") else \
        f"a driver that supports NVENC API {mo.get('nvenc_api')}"
    cause = (f"the NVENC encoder (FFmpeg's, or OBS's, which took FFmpeg's check) was built against a newer NVENC API "
             f"than this driver provides: it needs {need}. The encoder API comes with the driver "
             "(libnvidia-encode), so the driver must be updated, or a release built against the older Video Codec "
             "SDK headers (nv-codec-headers) used")
    cmds = ["nvidia-smi --query-gpu=driver_version --format=csv,noheader    # the driver the encoder found",
            "ffmpeg -hide_banner -encoders | grep nvenc    # the NVENC encoders this FFmpeg has"]
    actions = ["update the NVIDIA driver (on a NAS, a cloud pod or in a container: the host's)",
               "or use an FFmpeg release built for the older NVENC API (an older jellyfin-ffmpeg or static build)"]
    what = f"NVENC API {mo.get('nvenc_api')} needs" if mo.get("nvenc_api") else \
        f"NVENC needs ({mo.get('min_driver')} or newer)"
    return Answer(f"The driver is older than the encoder's {what}", cause,
                  [F.driver_fact(ctx.m)], cmds, actions)


def container_requirement(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    need = mo.get("need")
    what = mo.get("what")
    facts = [F.driver_fact(m)]
    if what == "cuda":
        mind = _min_driver(ctx, need)
        cause = (f"the image requires CUDA >= {need} (its NVIDIA_REQUIRE_CUDA) and the host's driver runs an older "
                 f"CUDA" + (f"; CUDA {need} needs a driver >= {mind}" if mind else ""))
    else:
        cause = f"the image requires a driver >= {need} and the host's driver is older"
    if mo.get("host_cuda"):
        cause += f"; the message says the host's driver runs CUDA {mo.get('host_cuda')}"
    cmds = ["nvidia-smi    # on the host: 'CUDA Version' is the newest CUDA its driver runs"]
    if m.cuda is not None and what == "cuda":
        if _cmp_cuda(need, m.cuda) > 0:
            cause += f"; the driver here runs CUDA <= {m.cuda}: consistent"
        else:
            cause += (f"; the driver here runs CUDA <= {m.cuda}, which satisfies it: the message came from another "
                      "host")
        alt = f"an image built for CUDA <= {m.cuda}"
    else:
        alt = "an image built for an older CUDA"
    actions = [f"update the host's NVIDIA driver (the host's admin), or use {alt}"]
    return Answer(f"The image needs CUDA >= {need}; the host driver runs less" if what == "cuda"
                  else f"The image needs driver >= {need}", cause, facts, cmds, actions)


def _cdi_no_spec(mo: Match, ctx: Ctx) -> Answer:
    """podman / CRI-O's 'unresolvable CDI devices nvidia.com/gpu=all': no CDI spec describes the NVIDIA devices."""
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m)]
    cause = ("the container engine (podman, CRI-O, Docker with CDI) resolves GPU requests through CDI specs, and no spec "
             "names these devices: the NVIDIA Container Toolkit's CDI spec was never generated (or is stale after a "
             "driver update)")
    if mo.get("stat"):
        cause = ("the engine took the CDI name " + mo.get("cdi") + " for a device path: podman reads CDI names from "
                 "4.1.0 on (NVIDIA/nvidia-container-toolkit#63; Ubuntu 22.04 ships 3.4.4), and a compose front end "
                 "that passes --device through to an engine without CDI does the same; upgrade podman, and generate "
                 "the NVIDIA Container Toolkit's CDI spec")
    if m.no_driver:
        cause += "; here no NVIDIA driver is found at all: no CDI spec can be generated until one is installed"
    cmds = ["podman --version    # CDI names need podman >= 4.1.0"] if mo.get("stat") else []
    cmds += [f"{ctx.sudo}nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml    # on the host, with the toolkit installed",
            "nvidia-ctk cdi list    # the device names the spec now offers (nvidia.com/gpu=all, =0, ...)"]
    actions = ["install the NVIDIA Container Toolkit on the host if nvidia-ctk is missing (the host's admin); "
               "regenerate the spec after each driver update"]
    title = ("The container engine does not read CDI device names (podman < 4.1.0)" if mo.get("stat")
             else "The container engine has no CDI spec for the GPU")
    return Answer(title, cause, facts, cmds, actions)


def _containerd_runtime(mo: Match, ctx: Ctx) -> Answer:
    """containerd's 'no runtime for "nvidia" is configured': a pod's RuntimeClass (or the GPU addon) names a handler
    containerd does not have."""
    cause = ("the pod asks containerd for the runtime handler 'nvidia' (its RuntimeClass, or a GPU add-on's default) "
             "and containerd has none configured: the NVIDIA Container Toolkit did not write it into this containerd's "
             "config (k3s and microk8s keep theirs at non-default paths, in their own templates), or containerd was not "
             "restarted after it did")
    cmds = [f"{ctx.sudo}nvidia-ctk runtime configure --runtime=containerd    # on the node; k3s/microk8s: their own "
            "config template instead",
            f"{ctx.sudo}systemctl restart containerd",
            "kubectl get runtimeclass    # the handler names pods may ask for"]
    actions = ["with the GPU Operator: set its toolkit's CONTAINERD_CONFIG / CONTAINERD_SOCKET to the distribution's "
               "paths (k3s: /var/lib/rancher/k3s/agent/etc/containerd/config.toml)"]
    return Answer("containerd has no 'nvidia' runtime for the pod", cause, [F.driver_fact(ctx.m)], cmds, actions)


def container_no_gpu(mo: Match, ctx: Ctx) -> Answer:
    if mo.get("cdi"):
        return _cdi_no_spec(mo, ctx)
    if mo.get("containerd"):
        return _containerd_runtime(mo, ctx)
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m)]
    cause = ("the Docker daemon has no device driver for GPU requests (--gpus, compose 'capabilities: [gpu]'): the "
             "NVIDIA Container Toolkit is not installed on the host, or Docker was not configured for it and restarted")
    if m.no_driver:
        cause += "; here no NVIDIA driver is found at all: --gpus cannot work on this machine until one is installed"
    cmds = ["docker info --format '{{json .Runtimes}}'    # on the host: is 'nvidia' among the runtimes?",
            f"{ctx.sudo}nvidia-ctk runtime configure --runtime=docker    # on the host, with the toolkit installed",
            f"{ctx.sudo}systemctl restart docker"]
    actions = ["install the NVIDIA Container Toolkit on the host if nvidia-ctk is missing (the host's admin)",
               "on a machine without an NVIDIA GPU: run without --gpus (CPU)"]
    return Answer("Docker cannot hand a GPU to the container", cause, facts, cmds, actions)


ARCH_MIN_CUDA = {"86": "11.1", "87": "11.4", "89": "11.8", "90": "11.8", "100": "12.8", "101": "12.8", "120": "12.8"}
# the CUDA release that first compiles for each architecture (CUDA toolkit release notes, "new features")


def no_kernel(mo: Match, ctx: Ctx) -> Answer:
    own = owner_of(ctx.message, mo.start, mo.line, ctx.env, compiled_only=True)
    if own is not None:
        return _extension_kernels(own, ctx)
    m = ctx.m
    facts = [F.gpu_fact(m), F.driver_fact(m)]
    if m.sm:
        cause = (f"the binary has no SASS for sm_{m.sm} and no PTX the driver could JIT (the GPU here: {m.gpu_name}): it was built "
                 "for other architectures (a prebuilt package, or an extension built on another machine)")
        need = ARCH_MIN_CUDA.get(m.sm)
        if need:
            cause += f"; sm_{m.sm} needs a build with CUDA >= {need}"
        actions = [f"install a build whose architecture list has sm_{m.sm}, or rebuild the extension here with "
                   f"TORCH_CUDA_ARCH_LIST=\"{m.gpu_cc}\""]
        cmds = []
    else:
        cause = ("the binary was built for other GPU architectures than this GPU's (which is not known from these "
                 "facts) and carries no PTX the driver could JIT; or the GPU is older than any build of the program "
                 "supports (current releases dropped Kepler and Maxwell, some Pascal; quantized and fused-attention "
                 "kernels often start at Turing or Ampere), and then no build has its kernels")
        actions = ["install a build that lists this GPU's architecture, or rebuild the extension on this machine",
                   "a GPU below the program's minimum: a release that still supports it, or a newer GPU"]
        cmds = [F.LEARN_GPU]
    cmds += F.for_each(m, "{py} -c \"import torch; print(torch.cuda.get_arch_list())\"", "torch",
                       "the architectures its torch build has")
    return Answer("No kernels for this GPU in the build", cause, facts, cmds, actions)


def _extension_kernels(own, ctx: Ctx) -> Answer:
    """'no kernel image' raised from an extension's own code (its file in the traceback): that extension lacks this
    GPU's kernels, whatever torch's architecture list says."""
    m = ctx.m
    sm = f"sm_{m.sm}" if m.sm else "this GPU's architecture"
    facts = [F.gpu_fact(m), f"raised by: {own.dist} (its file {own.path}, from {own.how})"]
    cause = (f"{own.dist}'s own compiled kernels have no code for {sm}: it was built (or its wheel was made) for other "
             "architectures; torch itself is not the one to change")
    cmds = [f"export TORCH_CUDA_ARCH_LIST=\"{m.gpu_cc}\"    # build for this GPU only"] if m.gpu_cc else []
    cmds += F.for_each(m, "{py} -m pip install --force-reinstall --no-cache-dir --no-build-isolation "
                      "--no-binary " + own.dist + " " + own.dist, own.dist, f"{own.dist} built here for {sm}")
    if not m.sm:
        cmds.insert(0, F.LEARN_GPU)
    actions = [f"or install a {own.dist} wheel whose architecture list has {sm} (its release notes list them)"]
    return Answer(f"{own.dist} has no kernels for {sm}", cause, facts, cmds, actions, "high" if m.sm else "medium")


def _dtype_arch(mo: Match, ctx: Ctx) -> Answer:
    """A data type the GPU's architecture lacks (vLLM: 'Bfloat16 is only supported on GPUs with compute capability of
    at least 8.0'): not a build to change, another dtype that this GPU runs."""
    m = ctx.m
    dtype, need, sm = mo.get("dtype"), mo.get("need_cc"), mo.get("sm")
    facts = [F.gpu_fact(m)]
    if mo.get("gpu"):
        facts.append(f"the message names the GPU: {mo.get('gpu')} ({sm})")
    fp8 = dtype.startswith("fp8")
    instead = ("use a checkpoint (or KV cache) that is not fp8, in float16 or bfloat16" if fp8 else
               "run it in float32 (CTranslate2, faster-whisper: compute_type=\"float32\"), which this GPU supports"
               if dtype in ("float16", "int8") or dtype.startswith("int8") else
               "run the model in float16 (or float32) instead, which this GPU supports")
    cause = (f"{dtype} needs a GPU of compute capability >= {need} ({generation(need)} or newer) and this GPU is older: "
             "no build changes that; " + instead)
    if mo.get("setup"):
        cause += "; the same check also fails with a torch older than 1.10 or a CUDA older than 11 (the message lists both)"
    if mo.get("ct2"):
        cause += ("; CTranslate2 says the same on a CPU device (device=\"cpu\"), where float16 is not offered at all: "
                  "there, compute_type=\"int8\" or \"float32\"")
    cmds = [] if m.sm else [F.LEARN_GPU]
    actions = ["load a non-fp8 version of the model (vLLM: --kv-cache-dtype auto and no --quantization fp8)" if fp8 else
               "ask for compute_type=\"float32\" (CTranslate2, faster-whisper, WhisperX: --compute_type float32) "
               "instead" if dtype == "float16" or dtype.startswith("int8") else
               "start it with float16: vLLM's --dtype half (vllm serve <model> --dtype half, or LLM(..., "
               "dtype=\"half\")), the model's torch_dtype=float16 elsewhere",
               f"or run on a GPU of compute capability >= {need} to keep {dtype}"]
    return Answer(f"This GPU does not support {dtype}", cause, facts, cmds, actions,
                  "medium" if mo.get("ct2") else "high")


def gpu_arch(mo: Match, ctx: Ctx) -> Answer:
    if mo.get("dtype"):
        return _dtype_arch(mo, ctx)
    m = ctx.m
    sm = mo.get("sm")
    num = sm.split("_", 1)[1]
    facts = [F.gpu_fact(m), F.driver_fact(m)]
    built = mo.get("build_archs")
    if built:
        facts.append(f"the message: this torch build has {built}")
    if mo.get("gpu"):
        facts.append(f"the message names the GPU: {mo.get('gpu')}")
    cmds: List[str] = []
    actions: List[str] = []
    if mo.get("ptxas"):
        cause = (f"the ptxas that compiles the kernels (Triton's bundled copy, or the build's CUDA) predates {sm}: it "
                 f"cannot generate code for this GPU; a newer Triton, or a newer CUDA's ptxas, knows it")
        cmds += F.for_each(m, "{py} -c \"import triton; print(triton.__version__)\"", "triton", "the Triton in use")
        cmds.append("export TRITON_PTXAS_PATH=/usr/local/cuda/bin/ptxas    # a toolkit's ptxas, if that CUDA knows "
                    + sm)
        actions.append("upgrade Triton (with the torch release that pins it), or use a CUDA toolkit whose ptxas "
                       f"knows {sm}")
    elif mo.get("nvcc"):
        cause = (f"the CUDA toolkit whose nvcc compiles the build predates {sm}: it cannot generate code for this "
                 f"GPU; a newer CUDA toolkit knows it (or leave {sm} out of the architecture list)")
        cmds.append("nvcc --version    # the toolkit that compiles; which nvcc: the one first on PATH")
        need = ARCH_MIN_CUDA.get(num)
        actions.append(f"install a CUDA toolkit{f' >= {need}' if need else ''} and point CUDA_HOME and PATH at it, or "
                       f"drop {sm} from TORCH_CUDA_ARCH_LIST / the build's -gencode list")
    elif mo.get("cmake"):
        cause = (f"the build's CMake architecture selection (FindCUDA's select_compute_arch.cmake, or the copy a package "
                 f"or torch's share/cmake carries) predates {sm} ({mo.get('cc')}): it cannot name this GPU's "
                 "architecture, so configuring the build fails before anything compiles; a newer release of the "
                 "package knows it, or the architecture list can be given by hand")
        cmds.append("nvcc --version; nvcc --list-gpu-arch | tail -3    # whether the toolkit itself knows " + sm)
        actions.append(f"upgrade the package (or build its current source), or pass the architecture list yourself "
                       f"(-DCMAKE_CUDA_ARCHITECTURES={num} / TORCH_CUDA_ARCH_LIST=\"{mo.get('cc')}\") with a CUDA "
                       f"toolkit that knows {sm}")
    elif mo.get("too_old"):
        cause = (f"the torch build dropped {sm}: this GPU is too old for it; an older torch release that still lists "
                 f"{sm} is the fix")
    else:
        need = ARCH_MIN_CUDA.get(num)
        cause = f"the torch build has no kernels for {sm}" + (f"; {sm} needs a torch built with CUDA >= {need}" if need else "")
        if need:
            tag = "cu" + need.replace(".", "")
            mind = _min_driver(ctx, need)
            if m.cuda is not None and _cmp_cuda(need, m.cuda) > 0:
                cause += f"; this driver runs CUDA <= {m.cuda}, so the driver must be updated first" + (f" (>= {mind})" if mind else "")
                actions.append("have the driver updated (the host's admin on a pod), then install a torch build for "
                               f"CUDA >= {need}")
            else:
                if m.cuda is None:
                    cause += "; whether the driver here runs it is not known from these facts"
                    cmds.append(F.LEARN_DRIVER)
                cmds += F.for_each(m, "{py} -m pip install --upgrade torch --index-url https://download.pytorch.org/whl/" + tag,
                                   "torch", f"a torch build with {sm}")
    if m.sm and m.sm != num:
        cause += f". The GPU here is sm_{m.sm}: the message came from another machine"
    elif not m.sm:
        cmds.append(F.LEARN_GPU)
    if not mo.get("cmake"):
        cmds += F.for_each(m, "{py} -c \"import torch; print(torch.cuda.get_arch_list())\"", "torch",
                           "the architectures its torch build has")
    title = (f"The compiler in use (ptxas) does not know {sm}" if mo.get("ptxas")
             else f"The CUDA toolkit in use (nvcc) does not know {sm}" if mo.get("nvcc")
             else f"The build's CMake does not know {sm}" if mo.get("cmake")
             else f"This torch build does not support {sm}")
    return Answer(title, cause, facts, cmds, actions)


def _cublas_init(ctx: Ctx) -> Answer:
    """CUBLAS_STATUS_NOT_INITIALIZED: cublasCreate failed, like cuDNN's handle: the CUDA stack under it did not start."""
    cause = ("cuBLAS could not create its handle: its CUDA stack did not start. The threads found: a cuBLAS/CUDA "
             "install of another version than the framework was built for (a mixed stack), a driver too old for that "
             "CUDA, or a GPU already full when the handle was made")
    cmds = ["nvidia-smi    # the driver, the CUDA it runs, and how full the GPU is",
            "echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a system CUDA here shadows the framework's own"]
    actions = ["install the framework build for the CUDA/cuDNN/driver you have (or that stack for the build)"]
    return Answer("cuBLAS could not initialise", cause, [F.driver_fact(ctx.m)], cmds, actions)


def dnn_init(mo: Match, ctx: Ctx) -> Answer:
    if mo.get("cublas"):
        return _cublas_init(ctx)
    m, msg = ctx.m, ctx.message
    facts = [F.driver_fact(m)]
    for where, ver in F.packages_with(m, "jaxlib"):
        facts.append(f"pythons: jaxlib {ver} in {where}")
    for where, ver in F.packages_with(m, "nvidia-cudnn-cu12"):
        facts.append(f"pythons: nvidia-cudnn-cu12 {ver} in {where}")
    cause = ("cuDNN could not create a handle for XLA. The threads found: a cuDNN older than jaxlib was built with (an "
             "older copy first on LD_LIBRARY_PATH or a system install), a jaxlib for another CUDA major (cuda11 builds on "
             "a CUDA 12 stack), or a driver too old for jaxlib's CUDA")
    drv = re.search(r"Possibly insufficient driver version:\s*([\d.]+)", msg)
    if drv:
        cause += f"; this log says 'Possibly insufficient driver version: {drv.group(1)}'"
    mem = re.search(r"Memory usage:\s*(\d+) bytes free,\s*(\d+) bytes total", msg)
    if mem and int(mem.group(2)) and int(mem.group(1)) / int(mem.group(2)) < 0.1:
        cause += ("; and the GPU was almost full when cuDNN started (JAX preallocates 75 % of it): set "
                  "XLA_PYTHON_CLIENT_PREALLOCATE=false or free the GPU")
    cmds = F.for_each(m, "{py} -c \"import jax; jax.print_environment_info()\"", "jaxlib", "jaxlib, its CUDA and cuDNN")
    cmds.append("echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # an older cuDNN here shadows the pip one")
    if m.cuda is None or m.cuda.major >= 12:
        cmds += F.for_each(m, "{py} -m pip install -U 'jax[cuda12]'", "jaxlib", "jax with its own CUDA 12 and cuDNN wheels")
    return Answer("JAX/XLA could not initialise cuDNN", cause, facts, cmds, [])


# -- symbols and ABI -----------------------------------------------------------------------------------------
def glibc(mo: Match, ctx: Ctx) -> Answer:
    need = mo.get("need")
    have = ctx.env.host.glibc if ctx.env.host is not None else None
    facts = [f"host.glibc = {have}" if have else "host.glibc: not known from these facts (ldd --version tells it)",
             f"needed: GLIBC_{need}" + (f" by {mo.get('required_by')}" if mo.get("required_by") else "")]
    cause = (f"a binary was built against glibc {need}: a wheel or library built on a newer Linux than the one it ran "
             f"on")
    if have is not None and _cmp_cuda(str(have), need) >= 0:
        cause += (f". This system has glibc {have}, which has GLIBC_{need}: the message came from another machine or "
                  "image (an older base OS)")
        title = f"GLIBC_{need} was missing where it ran (this system's glibc {have} has it)"
    else:
        cause += (f"; this system has {'glibc ' + str(have) if have else 'a glibc not known from these facts'}. Use an "
                  "older release of the package (an older manylinux tag) or a newer base OS image (Ubuntu 22.04 has "
                  "2.35, 24.04 has 2.39)")
        title = f"glibc {have} is older than GLIBC_{need}" if have else f"a binary needs GLIBC_{need}, newer than where it ran"
    cmds = ["ldd --version | head -1"] + F.for_each(ctx.m, "{py} -m pip debug --verbose | grep manylinux",
                                                     why="the wheel tags pip accepts")
    return Answer(title, cause, facts, cmds, [])


GLIBCXX_GCC = {"3.4.28": "GCC 10", "3.4.29": "GCC 11", "3.4.30": "GCC 12", "3.4.31": "GCC 13.1", "3.4.32": "GCC 13.2",
               "3.4.33": "GCC 14"}  # libstdc++ ABI policy (gcc.gnu.org/onlinedocs/libstdc++/manual/abi.html)


def libstdcxx(mo: Match, ctx: Ctx) -> Answer:
    need = mo.get("need")
    prov = mo.get("provider")
    view = (ctx.lookups or {}).get("libstdc++.so.6")
    gcc = GLIBCXX_GCC.get(need.split("_", 1)[1]) if need.startswith("GLIBCXX_") else None
    facts = [f"needed: {need}" + (f" ({gcc}'s libstdc++ or newer)" if gcc else "")
             + (f" by {mo.get('required_by')}" if mo.get("required_by") else "")]
    if prov:
        facts.append(f"the loader picked {prov}")
    if view is not None:
        facts.append(view.fact())
    cause = f"a binary was built with a newer GCC than the libstdc++ that was loaded{' (' + prov + ')' if prov else ''}"
    cmds: List[str] = []
    actions: List[str] = []
    conda = bool(prov and re.search(r"conda|mamba|/envs/|/bin/\.\./lib/", prov))
    if conda:
        cause += ("; that is a conda environment's own libstdc++, found before the system's: the environment's "
                  "libstdc++ is older than the package needs")
        cmds.append(f"conda install -c conda-forge 'libstdcxx-ng>={(gcc or 'GCC 12').split()[1].split('.')[0]}'    # in the active environment")
    else:
        actions.append("run on a base OS whose GCC is at least " + (gcc or "the one the package was built with")
                       + ", or install a build of the package made for this system")
    if prov:
        cmds.append(f"strings {prov} | grep -E '^GLIBCXX_' | sort -V | tail -1    # the newest it has")
    cmds.append("strings /usr/lib/x86_64-linux-gnu/libstdc++.so.6 | grep -E '^GLIBCXX_' | sort -V | tail -1    # the system's")
    return Answer(f"libstdc++ lacks {need}", cause, facts, cmds, actions)


PKG_OF = [(r"flash_attn", "flash-attn"), (r"vllm", "vllm"), (r"sgl_kernel", "sgl-kernel"), (r"sglang", "sglang"),
          (r"tensorrt_llm", "tensorrt-llm"), (r"xformers", "xformers"), (r"transformer_engine", "transformer-engine"),
          (r"deepspeed", "deepspeed"), (r"torchvision", "torchvision"), (r"torchaudio", "torchaudio"),
          (r"bitsandbytes", "bitsandbytes"), (r"apex", "apex"), (r"mmcv", "mmcv")]


def extension_abi(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    obj = mo.get("object") or ""
    text = obj + " " + mo.line
    pkg = next((name for pat, name in PKG_OF if re.search(pat, text)), None)
    facts = F.torch_facts(m, absent=True)
    if pkg:
        facts += [f"pythons: {pkg} {ver} in {where}" for where, ver in F.packages_with(m, pkg)]
    what = obj.rsplit("/", 1)[-1] if obj else (pkg or "an extension")
    cause = (f"{what} was compiled against another torch (or C++ ABI) than the one installed: the symbol "
             f"{mo.get('symbol')[:60]} is torch's and this torch does not define it")
    cmds = F.for_each(m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda, "
                         "torch.compiled_with_cxx11_abi())\"", "torch", "the torch, CUDA and C++ ABI it must match")
    cmds += F.for_each(m, "{py} -m pip check", "torch", "packages that require another torch")
    actions = [f"install the build of {pkg or 'the extension'} made for this torch (flash-attn publishes one wheel per "
               "torch version, CUDA major and C++ ABI: ...torch2.4cxx11abiFALSE...), or the torch version it was built "
               "for; an extension built from source must be rebuilt after torch changes"]
    return Answer(f"{what} was built against another torch", cause, facts, cmds, actions)


def _jax_mixed(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    name, found, built = mo.get("library"), mo.get("found"), mo.get("built")
    facts = [F.driver_fact(m)]
    for where, ver in F.packages_with(m, "jaxlib"):
        facts.append(f"pythons: jaxlib {ver} in {where}")
    cause = (f"jaxlib was built against {name} {built} and found {found}, older: the environment mixes CUDA library "
             "releases (the threads: another package, or a notebook's preinstalled CUDA, brought older CUDA libraries "
             "than jax's own wheels)")
    cmds = F.for_each(m, "{py} -m pip list 2>/dev/null | grep -i -E '^(jax|nvidia-)'", "jaxlib",
                      "which CUDA wheels are mixed")
    cmds += F.for_each(m, "{py} -m pip install -U 'jax[cuda12]'", "jaxlib", "jax with matching CUDA wheels")
    cmds.append("echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # an older CUDA here shadows the pip wheels")
    return Answer(f"{name} {found} found, jaxlib needs {built}", cause, facts, cmds, [])


def cuda_symbol(mo: Match, ctx: Ctx) -> Answer:
    m, env = ctx.m, ctx.env
    if mo.get("built"):
        return _jax_mixed(mo, ctx)
    lib = mo.get("library") or "libnvJitLink.so.12"
    obj = mo.get("object")
    facts, meaning = F.library_facts(env, lib, lookups=ctx.lookups)
    llp = [f for f in facts if "first on LD_LIBRARY_PATH" in f or "found by LD_LIBRARY_PATH" in f]
    what = f"{mo.get('symbol')} from {lib}" if mo.get("symbol") else f"{lib}'s version node (its release's symbols)"
    cause = (f"{(obj.rsplit('/', 1)[-1] if obj else 'a CUDA library')} needs {what}, and the "
             f"copy the loader picked is another release (the threads: LD_LIBRARY_PATH, a system install or another package put an "
             f"older {lib} before the one in the wheels)")
    if llp:
        cause += "; here LD_LIBRARY_PATH puts a copy first too"
    cmds = ["echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a toolkit or conda lib directory here shadows the wheels"]
    if obj and obj.startswith("/"):
        cmds.append(f"ldd {obj} | grep {lib.split('.so')[0]}    # the copy the loader picks for it")
    cmds.append("unset LD_LIBRARY_PATH    # then run again; or remove the toolkit/conda directory from it")
    parts = cudalibs.split_name(lib)
    here = m.cuda.major if m.cuda is not None else 12
    if parts and parts[2] and cudalibs.cuda_major(lib):
        dist = cudalibs.wheel_dist(cudalibs.catalog_stem(lib) or parts[0], cudalibs.cuda_major(lib))
    elif parts and parts[2]:   # a library numbered by its own release (libcudnn.so.8): its wheel for this CUDA, that major
        dist = cudalibs.wheel_dist(cudalibs.catalog_stem(lib) or parts[0], here)
        dist = f"'{dist}=={parts[2][0]}.*'" if dist else None
    else:  # only the stem is known (libnccl): the wheel for the driver's CUDA major
        dist = cudalibs.wheel_dist(lib, here)
    if dist:
        cmds += F.for_each(m, "{py} -m pip install --upgrade " + dist, "torch", f"a {lib} at least as new as its users")
    if not mo.get("version_node"):
        cause += ("; for an extension you built yourself, an unversioned reference can also mean it was never linked "
                  f"against {lib}")
    return Answer(f"{lib} is older than the CUDA library that uses it", cause, facts, cmds, [])


def undefined_symbol(mo: Match, ctx: Ctx) -> Answer:
    obj = mo.get("object")
    unlinked = mo.get("unlinked")
    if unlinked:
        cause = (f"{obj or 'an object'} needs {mo.get('symbol')[:60]} unversioned: it was not linked against lib{unlinked} "
                 "(a CUDA library's symbols carry its version node when an object links it), so no loaded library "
                 f"provides it: a build without -l{unlinked}; rebuild it linked, or install a build that is")
    elif mo.get("ctypes"):
        cause = (f"Python (ctypes) asked a native library for {mo.get('symbol')[:60]} and the copy loaded does not have "
                 "it: an older release, or a build without those functions (a CPU-only or other-platform build of the "
                 "package's library); upgrading the package that ships it brings a build that has it")
    else:
        cause = (f"{obj or 'an object'} needs {mo.get('symbol')[:60]}, which the library the loader picked does not define: it "
                 "was built against another version of that library (an older copy found first, or a partial build)")
    cmds = []
    if obj and obj.startswith("/"):
        cmds.append(f"ldd {obj}    # the copies the loader picks for it")
    cmds.append("echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'")
    if mo.get("ctypes"):
        cmds.append("python -m pip list    # the package that loads it (bitsandbytes, ...): upgrade it with pip")
    return Answer("A library lacks a symbol its user needs", cause, [], cmds, [])


def _cudnn_symbol(mo: Match, ctx: Ctx) -> Answer:
    """An undefined cudnnXxx: the cuDNN the loader found is another release than the one the module was built with."""
    obj = mo.get("object")
    facts, _ = F.library_facts(ctx.env, "libcudnn.so")
    cause = (f"{obj.rsplit('/', 1)[-1] if obj else 'the module'} calls cuDNN's {mo.get('symbol')}, which the cuDNN the "
             "loader found does not export: a cuDNN of another major than the one it was built against was found first "
             "(cuDNN removes and renames functions between majors: the _v3 to _v7 variants, cudnnGetConvolution*_v7)")
    cmds = ["echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a directory with another cuDNN found first"]
    if obj and obj.startswith("/"):
        cmds.append(f"ldd {obj} | grep cudnn    # the cuDNN the loader picks for it")
    actions = ["install the package build made for the cuDNN installed, or put the cuDNN it was built with first"]
    return Answer("The cuDNN found is another release than the module was built with", cause, facts, cmds, actions)


def cudnn_mismatch(mo: Match, ctx: Ctx) -> Answer:
    m, env = ctx.m, ctx.env
    if mo.get("bare"):
        return _cudnn_not_initialized(ctx)
    if mo.get("cudnn_symbol"):
        return _cudnn_symbol(mo, ctx)
    built, found = mo.get("built"), mo.get("found")
    major = found.split(".")[0]
    facts, _ = F.library_facts(env, f"libcudnn.so.{major}")
    for name in ("nvidia-cudnn-cu12", "nvidia-cudnn-cu11", "nvidia-cudnn-cu13"):
        for where, ver in F.packages_with(m, name):
            ok = _cmp_cuda(str(ver), built) >= 0 if built else None
            facts.append(f"pythons: {name} {ver} in {where}" + ("" if ok is None else
                         f" ({'>=' if ok else '<'} {built}: {'new enough' if ok else 'too old'})"))
    cause = (f"cuDNN {found} was loaded, the framework was built with {built}: an older cuDNN was found first (the "
             "threads: LD_LIBRARY_PATH or a system/conda cuDNN shadowing the one the framework ships or needs)")
    if not built:       # TensorFlow/XLA's line without its tail ('but source was compiled with: X')
        cause = (f"cuDNN {found} was loaded, and TensorFlow/XLA logs 'Loaded runtime CuDNN library' only when it does "
                 "not suit the cuDNN it was built with (the rest of the line, 'but source was compiled with: X', names "
                 "that one): an older cuDNN was found first (the threads: LD_LIBRARY_PATH with a system cuDNN before "
                 "the environment's own, a system/conda cuDNN shadowing the pip one)")
    if any("LD_LIBRARY_PATH" in f for f in facts):
        cause += "; here LD_LIBRARY_PATH puts a cuDNN first too"
    cmds = ["echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a directory with the older cuDNN",
            "ldconfig -p | grep libcudnn    # the system's cuDNN"]
    if re.search(r"jax|xla|cuda_dnn\.cc", ctx.message, re.IGNORECASE):
        cmds += F.for_each(m, "{py} -c \"import jax; jax.print_environment_info()\"", "jaxlib", "jaxlib and the cuDNN it finds")
    else:
        cmds += F.for_each(m, "{py} -c \"import torch; print(torch.backends.cudnn.version())\"", "torch", "the cuDNN torch loads")
    actions = [f"remove the directory with cuDNN {found} from LD_LIBRARY_PATH, or install cuDNN >= {built} where it is loaded from"]
    if not mo.get("built"):
        actions = [f"remove the directory with cuDNN {found} from LD_LIBRARY_PATH or put the environment's own first "
                   "(export LD_LIBRARY_PATH=$CONDA_PREFIX/lib:$LD_LIBRARY_PATH), or install the cuDNN it was built "
                   "with where it is loaded from"]
    title = f"cuDNN {found} loaded, {built} needed" if mo.get("built") else f"cuDNN {found} loaded, another needed"
    return Answer(title, cause, facts, cmds, actions)


def _cudnn_not_initialized(ctx: Ctx) -> Answer:
    """A bare CUDNN_STATUS_NOT_INITIALIZED from a binding: cudnnCreate failed, and cuDNN says that is a CUDA call
    failing inside it. With no versions in the message the answer names the causes the threads found, in order."""
    facts, _ = F.library_facts(ctx.env, "libcudnn.so")
    facts.insert(0, F.driver_fact(ctx.m))
    cause = ("cuDNN could not initialise (cudnnCreate failed on a CUDA call inside it). The threads: the cuDNN installed "
             "is not the version the framework or its cuDNN bindings were built for (or not the one for this CUDA); "
             "else the GPU was already full when cuDNN started, or the driver is too old for this CUDA")
    cmds = ["ldconfig -p | grep libcudnn    # the cuDNN versions the loader finds",
            "echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a directory with another cuDNN", "nvidia-smi"]
    cmds += F.for_each(ctx.m, "{py} -c \"import torch; print(torch.backends.cudnn.version())\"", "torch",
                       "the cuDNN torch loads")
    actions = ["install the cuDNN release the framework (or its bindings) names for this CUDA, or free the GPU if it "
               "was full"]
    return Answer("cuDNN could not initialise (a cuDNN version mismatch, or a full GPU)", cause, facts, cmds, actions,
                  "medium")


def toolkit_mismatch(mo: Match, ctx: Ctx) -> Answer:
    m, env = ctx.m, ctx.env
    nvcc, torch_cuda = mo.get("nvcc"), mo.get("torch")
    tks = [t for t in env.cuda_toolkits or () if t.version is not None]
    facts = [f"cuda_toolkits: {t.path} CUDA {t.version}{' (default)' if t.default else ''}" for t in tks] or \
            ["cuda_toolkits: none found by the scan" if env.cuda_toolkits is not None else "cuda_toolkits: not known from these facts"]
    facts += F.torch_facts(m)
    cause = (f"an extension is being compiled with nvcc from CUDA {nvcc} (CUDA_HOME or PATH) against a torch built for "
             f"CUDA {torch_cuda}: torch refuses a different CUDA major (DeepSpeed any difference)")
    if mo.get("exact"):
        cause = (f"k2's build compares the CUDA of the nvcc on PATH ({nvcc}) with the CUDA torch was built for "
                 f"({torch_cuda}) and stops unless major and minor are the same")
    cmds = ["which nvcc; nvcc --version | tail -1; echo \"CUDA_HOME=$CUDA_HOME\""]
    match = [t for t in tks if str(t.version).startswith(torch_cuda.split(".")[0] + ".")]
    exact = [t for t in match if str(t.version).startswith(torch_cuda)]
    pick = (exact or match)[:1]
    if pick:
        cmds.append(f"export CUDA_HOME={pick[0].path} PATH={pick[0].path}/bin:$PATH    # CUDA {pick[0].version} is here")
    actions = [f"install the CUDA {torch_cuda} toolkit (the one torch was built with) and point CUDA_HOME at it, or "
               f"install a torch build for CUDA {nvcc}"]
    return Answer(f"nvcc is CUDA {nvcc}, torch was built with CUDA {torch_cuda}", cause, facts, cmds, actions)


def cuda_home(mo: Match, ctx: Ctx) -> Answer:
    m, env = ctx.m, ctx.env
    tks = F.nvcc_toolkits(env)
    facts = F.toolkit_facts(env, tks)
    cause = ("the package compiles CUDA ops at install or first use (DeepSpeed, torch.utils.cpp_extension) and finds no "
             "CUDA toolkit: pip's nvidia-* wheels bring the runtime libraries, never nvcc")
    confidence = "high"
    if mo.get("ext_not_built"):
        pkg = mo.get("ext_not_built") if mo.get("ext_not_built") != "yes" else "the package"
        cause = (f"{pkg}'s compiled extension (_C) is not there: it was installed without building it, which its "
                 "setup.py does when it finds no CUDA toolkit (CUDA_HOME unset, no nvcc) at install time (the threads: "
                 "GroundingDINO's ms_deform_attn); reinstall it with the toolkit found")
        confidence = "medium"
    if mo.get("make_var"):
        cause = ("the build's Makefile (Legion/Realm's runtime.mk) reads the CUDA toolkit's root from the variable CUDA "
                 "(some versions try the nvcc on PATH first) and it was not set: the build found no toolkit")
    if mo.get("nvcc_path"):
        cause += (f"; it ran {mo.get('nvcc_path')} and there is none (CUDA_HOME, default /usr/local/cuda, or PATH "
                  "points where no toolkit is installed)")
    cmds = []
    if re.search(r"(?:^|[\s$#])sudo\s", ctx.message):
        cause += ("; the command ran under sudo, which resets PATH (its secure_path) and drops CUDA_HOME: a toolkit on "
                  "your own PATH is not on root's")
        cmds.append("sudo env PATH=\"$PATH\" CUDA_HOME=\"$CUDA_HOME\" COMMAND    # or run it without sudo")
    if tks:
        cause += f"; a toolkit is here ({tks[0].path}): CUDA_HOME is not set to it"
        cmds.append(f"export CUDA_HOME={tks[0].path}" + (f" CUDA={tks[0].path}" if mo.get("make_var") else ""))
    elif mo.get("make_var"):
        cmds.append("export CUDA_HOME=/usr/local/cuda CUDA=/usr/local/cuda    # the toolkit's root, where nvcc is in bin/")
    cmds += F.for_each(m, "{py} -c \"import torch; print(torch.version.cuda)\"", "torch", "the toolkit version to install")
    actions = [] if tks else ["install the CUDA toolkit of torch's CUDA version (NVIDIA's apt repository: "
                              "cuda-toolkit-X-Y) and set CUDA_HOME to it; or use the package's prebuilt ops"]
    if mo.get("ext_not_built"):
        actions.append("then reinstall the package from its source folder so its extension is built: pip install "
                       "--no-build-isolation --force-reinstall -e . (setup.py prints whether it found CUDA)")
        return Answer("The package's compiled extension was never built (no CUDA toolkit at install)", cause, facts,
                      cmds, actions, confidence)
    return Answer("No CUDA toolkit to compile the ops", cause, facts, cmds, actions, confidence)


def nvml_mismatch(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.driver_fact(m)]
    lib = mo.get("nvml_library")
    cause = ("the kernel module and the user-space NVIDIA libraries are different versions: the driver was upgraded "
             "(often by unattended-upgrades) without a reboot, or the container carries libraries of another driver")
    if mo.get("error_803"):
        cause += ("; CUDA's error 803 is also seen where the installed driver is too old for the program's CUDA build "
                  "(a current driver, after a reboot, fixes both)")
    if lib and mo.get("kernel_module"):
        cause += f"; there the kernel module is {mo.get('kernel_module')} and libcuda (the user-space driver) {lib}"
    elif lib:
        cause += f"; the user-space NVML there is {lib}"
        if m.driver_version is not None and not str(m.driver_version).startswith(lib):
            cause += f", the driver here is {m.driver_version}: the message came from another machine"
    cmds = ["cat /proc/driver/nvidia/version    # the kernel module",
            "ls /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.* /usr/lib64/libnvidia-ml.so.* 2>/dev/null    # the user-space library"]
    if m.in_container:
        actions = ["restart the container (the NVIDIA runtime mounts the host's current libraries); if it persists, "
                   "the host must be rebooted (the host's admin)"]
    else:
        actions = ["reboot the host so that the new kernel module loads (or reinstall the driver so that module and "
                   "libraries match)"] + ([] if m.in_container is False else
                                          ["in a container: restart it; the host's admin reboots the host"])
    return Answer("NVML driver/library version mismatch", cause, facts, cmds, actions)


def ptx_too_new(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.driver_fact(m)]
    tks = [t for t in ctx.env.cuda_toolkits or () if t.version is not None]
    facts += [f"cuda_toolkits: {t.path} CUDA {t.version}" for t in tks]
    cause = ("the code carries PTX made by a newer CUDA compiler than this driver can JIT: the binary (or the extension "
             "built here) was compiled with a newer toolkit than the driver runs (the threads: a container's CUDA newer "
             "than the host driver, a local nvcc newer than the driver)")
    if mo.get("ptxas"):
        cause = (f"the PTX is version {mo.get('ptx')} and the ptxas assembling it only knows {mo.get('ptxas')}: a ptxas "
                 "(a CUDA toolkit's, found on PATH or CUDA_HOME) older than the compiler that wrote the PTX (Triton, "
                 "a newer nvcc)")
    confidence = "high"
    triton = bool(mo.get("invalid_image")) and re.search(r"triton", ctx.message, re.IGNORECASE) is not None
    if triton:
        cause += ("; with Triton: Triton 2.2 and later compile with the CUDA 12 ptxas they bundle, whose code a "
                  "driver for CUDA 11 cannot load (a newer driver, or an older Triton); or a kernel cache "
                  "(~/.triton/cache, TRITON_CACHE_DIR) compiled for another GPU or CUDA and loaded here")
        confidence = "medium"
    elif mo.get("invalid_image"):
        cause += ("; 'device kernel image is invalid' (error 200) also comes where the binary holds no code this GPU "
                  "can load: a GPU newer than the CUDA the build used (an Ampere GPU under a CUDA 10 build) or older "
                  "than the program supports. The driver's CUDA against the build's, and the GPU against the build's "
                  "architectures, tell which")
        confidence = "medium"
    newer = [t for t in tks if m.cuda is not None and _cmp_cuda(str(t.version), m.cuda) > 0]
    if newer:
        cause += f"; here the toolkit {newer[0].path} (CUDA {newer[0].version}) is newer than the driver's CUDA {m.cuda}"
    cmds = [] if m.cuda is not None else [F.LEARN_DRIVER]
    cmds.append("nvcc --version | tail -1    # the toolkit that made the PTX, if it was built here")
    actions = ["update the driver to one that runs the toolkit's CUDA (the host's admin on a pod), or build with a "
               f"toolkit no newer than the driver's CUDA{' (' + str(m.cuda) + ')' if m.cuda is not None else ''}"]
    if mo.get("invalid_image") and not triton:
        cmds = ["nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv    # the GPU and driver"] + \
            [c for c in cmds if c != F.LEARN_DRIVER]
        actions.append("if the driver is new enough: install a build of the program for this GPU's generation")
    elif confidence == "medium":
        actions.insert(0, "with Triton: delete its kernel cache (~/.triton/cache, or TRITON_CACHE_DIR) and run again; "
                          "if the error stays, it is the PTX and the driver")
    if mo.get("ptxas"):
        cmds.append("which ptxas; ptxas --version | tail -1    # the ptxas that refused the PTX")
        actions = ["use a ptxas from a CUDA toolkit new enough for the PTX (for Triton: the ptxas its wheel ships, "
                   "or TRITON_PTXAS_PATH pointing at a newer one)"]
    return Answer("PTX from a newer CUDA than the driver" if not mo.get("ptxas") else "ptxas older than the PTX",
                  cause, facts, cmds, actions, confidence)


def _bad_ordinal(mo: Match, ctx: Ctx) -> Answer:
    """'invalid device ordinal': the program asked for a GPU index that the process does not see."""
    m = ctx.m
    facts = [F.gpu_fact(m)] + P.visible_facts(ctx.env)
    cause = ("the program asked for a GPU by an index that does not exist among the GPUs visible to the process (cuda:1, "
             "--gpu_ids 1 or a multi-GPU default on a machine with one GPU, or CUDA_VISIBLE_DEVICES leaving fewer GPUs, "
             "renumbered from 0)")
    if m.gpu_name:
        cause += f". Here the scan sees {m.gpu_name}"
    cmds = ["echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\"    # the visible GPUs are renumbered 0..N-1",
            "nvidia-smi -L    # the GPUs there are"]
    cmds += F.for_each(m, "{py} -c \"import torch; print(torch.cuda.device_count())\"", "torch",
                       "the indexes valid here are 0..count-1")
    actions = ["pass a device index below that count (cuda:0 on a one-GPU machine) in the program's options or "
               "config, or fix CUDA_VISIBLE_DEVICES"]
    return Answer("No GPU with that index", cause, facts, cmds, actions)


def no_device(mo: Match, ctx: Ctx) -> Answer:
    if mo.get("ordinal"):
        return _bad_ordinal(mo, ctx)
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m), f"container: {_in_container_words(m)}"]
    threads = ("CUDA_VISIBLE_DEVICES naming GPUs that do not exist (or set to an empty or wrong value), /dev/nvidia* "
               "missing in a container, a VM without a passed-through GPU, a kernel or driver update without a reboot, "
               "under WSL2 a Linux driver's libcuda installed inside WSL loaded instead of Windows' own in "
               "/usr/lib/wsl/lib; in a container, a host driver older than the image's CUDA (some releases report no "
               "device rather than an insufficient driver: compare nvidia-smi's CUDA version with the image's)")
    cause = "the driver answered but no GPU is visible to the process. The threads: " + threads
    if mo.get("cuda_torch"):
        cause = ("torch asked for a GPU and saw none, and the log names a CUDA build of torch, so it is not a CPU-only "
                 "torch: no NVIDIA driver answered (nvidia-smi tells), or " + threads)
    unknown = re.search(r"unknown error", mo.line, re.IGNORECASE) or mo.get("unknown_999")
    if unknown:
        cause += ("; for CUDA's 'unknown error' (999) the threads also fixed it by reloading the nvidia_uvm kernel "
                  "module (after a suspend or many runs) or by a reboot")
    if m.gpu_name:
        cause += f". Here the scan sees {m.gpu_name}: check CUDA_VISIBLE_DEVICES and /dev/nvidia* of the failing process"
    cmds = ["echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\"    # must be unset or list existing GPU indexes",
            "nvidia-smi -L", "ls -l /dev/nvidia*"]
    if unknown and m.in_container is False:
        cmds.append(f"{ctx.sudo}modprobe -r nvidia_uvm && {ctx.sudo}modprobe nvidia_uvm    # with no CUDA process running")
    actions = ["in a container without /dev/nvidia*: restart it with --gpus all",
               "after a driver or kernel update: reboot"]
    if unknown and m.in_container is not False:
        actions.append("on the host (no CUDA process running): reload the nvidia_uvm module (modprobe -r nvidia_uvm; "
                       "modprobe nvidia_uvm), or reboot")
    if mo.get("nvidia_smi"):
        cause += ("; nvidia-smi's bare 'No devices were found' also follows a driver too old for a GPU newer than it "
                  "(an RTX 40 series needs a driver >= 520) or a GPU fallen off the bus (an Xid 79 in dmesg)")
        cmds.append("cat /proc/driver/nvidia/version    # the driver's version, against the GPU's minimum")
    facts += P.visible_facts(ctx.env)
    sure = "medium" if mo.get("unknown_999") or mo.get("nvidia_smi") else "high"
    return Answer("CUDA sees no GPU", cause, facts, cmds, actions, sure)


def libcuda_stub(mo: Match, ctx: Ctx) -> Answer:
    title, cause, facts, cmds, actions = P.stub_answer(ctx.env)
    if mo.get("stub_lib") == "libnvidia-ml":
        cause = ("the process loaded the CUDA toolkit's stubs/libnvidia-ml.so instead of the driver's libnvidia-ml.so.1: "
                 "the stub exists only to link against and fails nvmlInit. Its directory is on LD_LIBRARY_PATH (a "
                 "build step left it there) or in /etc/ld.so.conf.d, ahead of the driver's copy")
        cmds = [cmds[0], "ldconfig -p | grep 'libnvidia-ml.so.1 '    # the driver's copy the loader should find"]
        return Answer("NVML was loaded from the toolkit's stub, not the driver", cause, facts, cmds,
                      [a.replace("libcuda.so.1", "libnvidia-ml.so.1") for a in actions])
    if not mo.get("null_name"):
        return Answer(title, cause, facts, cmds, actions)
    cause = ("libcuda could not even name the error ('(null)'): the stub libcuda (CUDA_ERROR_STUB_LIBRARY) fails every "
             "call, the one that names errors too; less often a code this driver is too old to know. " + cause)
    return Answer(title, cause, facts, cmds, actions, "medium")


def nvml_unknown(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    cause = ("the container lost access to the GPU device nodes: systemd (a systemctl daemon-reload, e.g. by a package "
             "update on the host) rewrote the container's device cgroup; NVIDIA's notice "
             "(NVIDIA/nvidia-container-toolkit#48) says the container must be recreated")
    facts = [f"container: {_in_container_words(m)}", F.driver_fact(m)]
    cmds = ["ls -l /dev/nvidia*    # the device nodes are still there; access to them is what was lost"]
    actions = ["recreate the container (docker rm, then docker run again); a Kubernetes pod: delete it",
               "to prevent it (the host's admin): the toolkit's workaround, nvidia-ctk system create-dev-char-symlinks "
               "--create-all on the host, or Docker's cgroupfs cgroup driver"]
    return Answer("The container lost its GPUs (NVML: Unknown Error)", cause, facts, cmds, actions)


def _unusable_libcuda(ctx: Ctx) -> Optional[Answer]:
    """The scan found a libcuda.so.1 the loader stops at (empty, not ELF) ahead of the driver's: that is why CUDA
    finds no driver here (checked on an H100: torch says 'Found no NVIDIA driver on your system')."""
    proc = ctx.env.process
    bad = next((d for d in (proc.libcuda or ()) if d.unusable), None) if proc is not None else None
    if bad is None:
        return None
    path, _, err = bad.unusable.partition(": ")
    aside = step_aside(proc.ld_library_path, path) if bad.via == "LD_LIBRARY_PATH" else None
    cmds = [aside] if aside else \
        [f"ls -l {path}    # not a library: remove it (then sudo ldconfig), or start the container with --gpus all"]
    facts = [f"process.libcuda.unusable = {bad.unusable}", F.driver_fact(ctx.m)]
    if bad.driver_copy is None and ctx.m.no_driver:
        cause = (f"the loader meets {path} first ({err}, found by {bad.via}) and stops there; and no NVIDIA driver "
                 "was found here either, so taking that file away is not enough: the driver must be installed (or "
                 "the container started with the NVIDIA runtime) as well")
        return Answer("No NVIDIA driver, and an unusable libcuda.so.1 first on the path", cause, facts, cmds,
                      ["install the NVIDIA driver, or restart the container with --gpus all"])
    cause = (f"the loader meets {path} first ({err}, found by {bad.via}) and stops there: glibc ends the search at a "
             "file of the right name it cannot load, so the driver's own libcuda.so.1"
             + (f" ({bad.driver_copy})" if bad.driver_copy else "") + " is never reached and CUDA reports no driver")
    return Answer("An unusable libcuda.so.1 hides the driver", cause, facts, cmds, [])


def no_driver(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m), f"container: {_in_container_words(m)}"]
    cause = ("the process sees no NVIDIA kernel driver. The threads: a machine or cloud runtime without an NVIDIA GPU "
             "(a CPU runtime), a driver not installed or not loaded, or a container started without GPUs (no --gpus, "
             "or the NVIDIA runtime without NVIDIA_VISIBLE_DEVICES / NVIDIA_DRIVER_CAPABILITIES in its environment, so "
             "no GPU or driver library was mounted in)")
    if re.search(r"CUDA driver initialization failed", mo.line, re.IGNORECASE):
        cause += ("; torch says 'driver initialization failed' also where the driver is there but CUDA cannot start: on "
                  "an NVSwitch machine (A100/H100 SXM, HGX/DGX) NVIDIA Fabric Manager not running (systemctl status "
                  "nvidia-fabricmanager, of the driver's exact version), or nvidia-smi's 'Driver/library version "
                  "mismatch' after a driver update")
    if "nvidia-container-cli" in mo.line:
        cause = ("nvidia-container-cli, on the host, found no loaded NVIDIA kernel driver: the host's driver is not "
                 "installed, or its kernel module is not loaded (a kernel update without a rebuilt module, or no reboot "
                 "after installing)")
    hidden = None if re.search(r"nvidia-container-cli|NVIDIA-SMI|\bNVML\b", mo.line) else _unusable_libcuda(ctx)
    if hidden is not None:
        return hidden
    if m.driver_version is not None:
        cause += (f". Here the driver {m.driver_version} is visible: the message came from another machine, or from a "
                  "process without access to the GPU (a container without --gpus)")
    elif m.no_driver and m.in_container:
        cause += ". Here: a container with no driver visible"
    cmds = ["nvidia-smi", "ls -l /dev/nvidia* 2>/dev/null; lsmod | grep nvidia"]
    actions = []
    if m.in_container is not False:
        actions.append("in a container: restart it with --gpus all (or --runtime=nvidia with "
                       "NVIDIA_VISIBLE_DEVICES=all and NVIDIA_DRIVER_CAPABILITIES=compute,utility in its environment)")
    actions.append("on a machine without an NVIDIA GPU: run on CPU (device='cpu'), or choose a GPU machine/runtime")
    actions.append("in a batch job (Slurm): request a GPU for the job (--gres=gpu:1 or --gpus=1 on a GPU partition); "
                   "a job on a node without one sees no driver")
    if m.in_container is not True:
        actions.append("with a GPU but no driver: install the NVIDIA driver, then reboot")
    return Answer("No NVIDIA driver where the program ran", cause, facts, cmds, actions)


def system_not_ready(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m)]
    cause = ("CUDA error 802 (system not yet initialized): on NVSwitch machines (8-GPU A100/H100/H200/B200 boards) "
             "CUDA needs the NVIDIA Fabric Manager service, of exactly the driver's version, running on the host")
    cmds = ["systemctl status nvidia-fabricmanager --no-pager    # on the host",
            "nvidia-smi -q | grep -i -A2 fabric"]
    branch = str(m.driver_version).split(".")[0] if m.driver_version is not None else None
    if branch and m.in_container is False:
        cmds += [f"{ctx.sudo}apt-get install -y nvidia-fabricmanager-{branch}    # the driver's branch",
                 f"{ctx.sudo}systemctl enable --now nvidia-fabricmanager"]
        actions = []
    else:
        actions = ["on the host (the host's admin): install nvidia-fabricmanager of the driver's exact version and "
                   "start it (systemctl enable --now nvidia-fabricmanager)"]
    return Answer("Fabric Manager is not running (CUDA error 802)", cause, facts, cmds, actions)


def forward_compat(mo: Match, ctx: Ctx) -> Answer:
    """CUDA error 804 has two causes in the threads: cuda-compat libraries loaded on a GPU that does not support
    them (an image's /usr/local/cuda/compat on a GeForce), and a driver left in a bad state (after an update, a
    reboot fixed it). The facts decide between them where they can; otherwise both are said, likeliest first."""
    m = ctx.m
    compat = [r for r in F.copies(ctx.env, "libcuda.so.1")[1] if "compat" in (r.path or "")]
    compat_cause = ("cuda-compat libraries (forward compatibility) were loaded on a GPU that does not support them: "
                    "they work only on data-center GPUs (the threads: an image's /usr/local/cuda/compat on a GeForce card)")
    state_cause = ("the driver was left in a bad state (a driver update without a reboot, a GPU that fell off the "
                   "bus): the threads where no compat library was involved were fixed by a reboot")
    confidence = "medium"
    if m.datacenter is False or compat:
        cause = f"most likely {compat_cause}; else {state_cause}"
        if m.datacenter is False:
            cause += f". Here: {F.gpu_fact(m)}, a consumer GPU"
        if compat:
            cause += f"; a compat libcuda is here ({compat[0].path})"
            confidence = "high" if m.datacenter is False else "medium"
    elif m.datacenter is True:
        cause = (f"most likely {state_cause}. Here: {F.gpu_fact(m)}, a data-center GPU, on which cuda-compat is "
                 "supported, so the compat libraries are not the cause here (unless the message came from another "
                 "machine)")
    else:
        cause = (f"one of two causes, the GPU decides: {compat_cause}; or {state_cause}. Which GPU ran it is not "
                 "known from these facts")
        confidence = "low"
    cmds = ["echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n' | grep compat    # a compat directory first on the path",
            "ldconfig -p | grep libcuda.so    # a compat libcuda among the driver's",
            "nvidia-smi    # the driver answers at all? (after an update without a reboot it may not)"]
    if m.datacenter is not True:
        cmds.insert(1, "unset LD_LIBRARY_PATH    # or remove /usr/local/cuda-*/compat from it")
    actions = ["if no compat directory is in use, or the GPU is a data-center one: reboot the machine (the host's "
               "admin for a container)",
               "if the build needs a newer CUDA than the driver runs on a consumer GPU: update the driver (cuda-compat "
               "cannot help there)"]
    return Answer("CUDA error 804: forward compatibility failed", cause, [F.gpu_fact(m), F.driver_fact(m)], cmds,
                  actions, confidence)


def _dind(cap: str, what: str) -> Callable[[Match, Ctx], Answer]:
    def f(mo: Match, ctx: Ctx) -> Answer:
        from envcheck.recommend.other import dind_reason

        m = ctx.m
        d = dind_reason(m)
        facts = [f"container.privileged = {m.privileged if m.privileged is not None else 'unknown'}",
                 f"container.capabilities lacks {cap}" if m.caps is not None and cap not in m.caps
                 else f"container.capabilities: {'not known from these facts' if m.caps is None else 'has ' + cap}"]
        cause = d or f"dockerd needs {cap} to {what}; this container does not grant it (the threads: an unprivileged container)"
        cmds = [f"envcheck recommend --target {ctx.target}    # wheel paths that need no Docker"]
        actions = ["use the image as the pod's or machine's own base image (a RunPod template, a Kubernetes pod spec)",
                   f"or have the container started with --privileged (or --cap-add={cap.replace('CAP_', '')}): the host's admin"]
        return Answer(f"Docker-in-Docker fails: {what}", cause, facts, cmds, actions)
    return f


ANSWERS: Dict[str, Callable[[Match, Ctx], Answer]] = {
    C.MISSING_LIB: missing_library, C.LIBCUDA: libcuda, C.DRIVER_OLD: driver_old, C.CONTAINER_REQ: container_requirement,
    C.CONTAINER_NO_GPU: container_no_gpu, C.NO_KERNEL: no_kernel, C.GPU_ARCH: gpu_arch, C.DNN_INIT: dnn_init,
    C.GLIBC: glibc, C.LIBSTDCXX: libstdcxx, C.EXT_ABI: extension_abi, C.CUDA_SYMBOL: cuda_symbol,
    C.UNDEFINED: undefined_symbol, C.CUDNN_MISMATCH: cudnn_mismatch, C.TOOLKIT_MISMATCH: toolkit_mismatch,
    C.CUDA_HOME: cuda_home, C.NVML_MISMATCH: nvml_mismatch, C.NVML_UNKNOWN: nvml_unknown, C.NO_DRIVER: no_driver,
    C.SYSTEM_NOT_READY: system_not_ready, C.PTX_TOO_NEW: ptx_too_new, C.NO_DEVICE: no_device, C.FWD_COMPAT: forward_compat,
    P.STUB: libcuda_stub,
    C.DIND_OVERLAY: _dind("CAP_SYS_ADMIN", "mount overlay"), C.DIND_IPTABLES: _dind("CAP_NET_ADMIN", "set up iptables"),
}


def dispatch(special: Dict[str, Callable[[Match, Ctx], Answer]], core: Callable[[Match, Ctx], Answer]):
    """The core answer for a code, unless the match carries one of `special`'s params."""
    def f(mo: Match, ctx: Ctx) -> Answer:
        for key, fn in special.items():
            if mo.get(key):
                return fn(mo, ctx)
        return core(mo, ctx)
    return f


def with_specials(answers: Dict[str, Callable[[Match, Ctx], Answer]],
                  *tables: Dict[str, Dict[str, Callable[[Match, Ctx], Answer]]]) -> Dict[str, Callable[[Match, Ctx], Answer]]:
    """`answers` with each code's answer preceded by the special wordings' answers of `tables`, the first table's
    first (one dispatch per code)."""
    out = {}
    for code, fn in answers.items():
        special: Dict[str, Callable[[Match, Ctx], Answer]] = {}
        for table in tables:
            special.update(table.get(code, {}))
        out[code] = dispatch(special, fn) if special else fn
    return out
