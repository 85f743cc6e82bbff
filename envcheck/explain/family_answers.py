"""Answers for wordings whose message says less than the core answer assumes: a Windows DLL's missing dependency,
the linker's 'cannot find -lcuda', a bare 'Failed to Initialize NVML', an extension's undefined symbol with the
symbol cut off, the C++ standard library's own symbols, torch's older 'Cuda extensions are being compiled with a
version of Cuda that does not match', a container without nvidia-smi, a bfloat16 GEMM cuBLAS does not support, and
torch's 'sm_XX is not compatible with the current PyTorch installation' (this build's architecture list). Where the
message has several causes the answer is medium and names what tells them apart."""
from __future__ import annotations

import re
from typing import Callable, Dict, List

from envcheck.explain import answers as A
from envcheck.explain import codes as C
from envcheck.explain import machine_facts as F
from envcheck.explain import wording_answers as W
from envcheck.explain.answers import Answer, Ctx
from envcheck.explain.owner import DISTS
from envcheck.explain.patterns import TORCH_COMPANIONS, Match, generation

# what the DLLs next to torch's own need beyond them (torch 2.4's fbgemm.dll: LLVM's OpenMP runtime)
TORCH_DLL_NEEDS = ("libomp140.x86_64.dll (torch 2.4's fbgemm.dll needs it; torch 2.4.1 and later ship it) and the "
                   "Microsoft Visual C++ 2015-2022 redistributable (vcruntime140.dll, msvcp140.dll)")


# a torch companion's own directory in a module's path (site-packages\torchaudio\lib\libtorchaudio.pyd)
TORCH_COMPANION_DIR = re.compile(r"[\\/](" + TORCH_COMPANIONS + r")[\\/]", re.IGNORECASE)


def dll_dependency(mo: Match, ctx: Ctx) -> Answer:
    """Windows' error 126 for a DLL or an extension module that is there: a DLL it depends on is not found."""
    dll, module = mo.get("dll"), mo.get("module")
    if mo.get("search_path"):
        what = dll
        needs = ("since Python 3.8 Windows looks for an extension's DLLs in its own directory, the system's and those "
                 "added with os.add_dll_directory, never on PATH: a DLL that is only on PATH (a conda environment's "
                 "Library\\bin, a CUDA toolkit's bin) is not found, nor one of another build's release")
    elif module:
        what = f"the extension module {module}"
        needs = ("for mpi4py (TensorRT-LLM's MPI), Microsoft MPI's msmpi.dll (install MS-MPI); for others the DLLs "
                 "its package documents, often the Visual C++ redistributable")
    elif "torch" in mo.line.lower() and "lib" in mo.line.lower():
        what, needs = f"torch's {dll}", TORCH_DLL_NEEDS
    else:
        what, needs = dll, "the DLLs its package documents (often the Visual C++ redistributable)"
    cause = (f"{what} was found, but Windows' error 126 (in any language) means a DLL it depends on was not: "
             f"{needs}")
    if mo.get("no_reason"):
        cause = (f"Windows could not load {what}, and the message ends before Windows' reason: 'The specified module "
                 "could not be found' (error 126) is a DLL it depends on not found (" + needs + "); 'The specified "
                 "procedure could not be found' (error 127) is a DLL of another release than it was built against "
                 "(for a torch extension: a wheel built for another torch or CUDA). The full line says which")
    actions = ["install the Microsoft Visual C++ 2015-2022 redistributable (x64, https://aka.ms/vs/17/release/"
               "vc_redist.x64.exe) and open a new prompt",
               "in a Windows prompt, `where libomp140.x86_64.dll vcruntime140.dll msmpi.dll` shows which of them PATH "
               "finds; Dependencies (lucasg/Dependencies) lists what the DLL needs"]
    companion = TORCH_COMPANION_DIR.search(mo.line) if mo.get("search_path") else None
    if companion:
        pkg = companion.group(1).lower()
        cause += (f"; for {pkg}'s own module, the DLLs it needs are torch's (c10.dll, torch_cpu.dll, torch_cuda.dll): "
                  f"a {pkg} built for another torch release or CUDA than the one installed fails the same way")
        actions.insert(0, f"install {pkg} of the same release and CUDA as torch, both from one index: pip install "
                          f"--force-reinstall torch {pkg} --index-url https://download.pytorch.org/whl/cuXYZ (torch's "
                          "own CUDA: python -c \"import torch; print(torch.__version__)\")")
    if mo.get("no_reason"):
        dist = DISTS.get(module.split(".")[0], module.split(".")[0])
        actions.insert(0, f"error 127, or a torch extension: install the {dist} build made for the torch and CUDA "
                          "installed (its release page names them), or build it here against this torch")
    if module:
        actions.insert(1, "for MPI: install Microsoft MPI (msmpisetup.exe) so that msmpi.dll is on PATH")
    elif "torch" in what:
        actions.insert(1, "upgrade torch (2.4.1 or later ships libomp140), or copy libomp140.x86_64.dll into torch\\lib")
    if mo.get("no_reason"):
        return Answer(f"Windows could not load {module}: a DLL it needs is missing, or it was built for another "
                      "release", cause, [], [], actions, "medium")
    return Answer(f"A DLL that {module or dll} needs is missing", cause, [], [], actions, "medium")


def link_libcuda(mo: Match, ctx: Ctx) -> Answer:
    """'ld: cannot find -lcuda': the build links against libcuda.so, the unversioned link to the driver's library."""
    so = mo.get("soname")
    facts = [F.driver_fact(ctx.m)]
    lib_facts, _ = F.library_facts(ctx.env, so + ".1", lookups=ctx.lookups)
    facts += lib_facts
    cause = (f"a build (Triton compiling its launcher, a CUDA extension) links with -l{so[3:-3]}, which needs {so}: "
             f"the driver installs {so}.1 only, and the unversioned {so} link comes from the driver's development "
             "package (libnvidia-compute's -dev / nvidia-driver's devel) or the CUDA toolkit's stubs directory")
    cmds = [f"ls -l /usr/lib/x86_64-linux-gnu/{so}* /usr/lib64/{so}* /usr/lib/wsl/lib/{so}* 2>/dev/null",
            f"{ctx.sudo}ln -s /usr/lib/x86_64-linux-gnu/{so}.1 /usr/lib/x86_64-linux-gnu/{so}    # the link "
            "the linker needs, to the driver's library",
            "export LIBRARY_PATH=/usr/local/cuda/lib64/stubs:$LIBRARY_PATH    # or: the toolkit's stub, for linking "
            "only (never on LD_LIBRARY_PATH)"]
    actions = ["for Triton: TRITON_LIBCUDA_PATH set to the directory that holds the driver's libcuda.so.1 also works",
               "in a container: the NVIDIA runtime mounts only libcuda.so.1; create the link inside it"]
    return Answer(f"The linker cannot find {so} (only {so}.1 is installed)", cause, facts, cmds, actions)


def bare_nvml(mo: Match, ctx: Ctx) -> Answer:
    """'Failed to Initialize NVML' with no reason: NVML's two common failures print this line first."""
    m = ctx.m
    facts = [f"container: {A._in_container_words(m)}", F.driver_fact(m)]
    cause = ("NVML could not start and the message does not say why: in a container that worked before, it lost "
             "access to the GPU device nodes (a systemd reload on the host rewrote its device cgroup: 'Unknown "
             "Error'); else the driver's kernel module and user-space libraries differ in version (an upgrade "
             "without a reboot: 'Driver/library version mismatch'). nvidia-smi prints the reason after the colon")
    cmds = ["nvidia-smi    # the full line: ': Unknown Error' or ': Driver/library version mismatch'",
            "cat /proc/driver/nvidia/version    # the kernel module's version, to compare with the libraries'",
            "ls -l /dev/nvidia*    # in a container: the device nodes it should be able to open"]
    actions = ["Unknown Error in a container: recreate the container (docker rm, docker run)",
               "version mismatch: reboot the host (or reinstall the driver so that module and libraries match)"]
    return Answer("NVML could not start (lost device access, or a driver version mismatch)", cause, facts, cmds,
                  actions, "medium")


def ext_no_symbol(mo: Match, ctx: Ctx) -> Answer:
    """An extension's 'undefined symbol' with the symbol cut off: most often torch's, not shown."""
    a = A.extension_abi(mo, ctx)
    what = mo.get("subject")
    a.cause = (f"{what} needs a symbol the libraries loaded do not define, and the message cut the symbol off: for a "
               "torch extension it is most often torch's (the extension was built against another torch or C++ ABI); "
               "the full line names it: _ZN3c10/_ZN2at is torch's, a cuda/cublas name a CUDA library's")
    a.title = f"{what} has an undefined symbol (most likely built against another torch)"
    a.confidence = "medium"
    return a


def link_torch(mo: Match, ctx: Ctx) -> Answer:
    """The linker's 'undefined reference to `c10::...'': code written for one libtorch linked against another."""
    sym = mo.get("symbol")
    cxx11 = "__cxx11" in mo.line
    cause = (f"the linker found no {sym[:80]} in the libraries it was given: libtorch's libraries are not on the link "
             "line (no -ltorch -ltorch_cpu -lc10, or --as-needed dropped libtorch_cuda), or the code being linked (a "
             "language binding such as tch-rs' torch-sys, a C++ program) was written for another libtorch release or "
             "the other C++ ABI" + (" (the symbol names std::__cxx11, the new ABI: a libtorch built with "
                                    "_GLIBCXX_USE_CXX11_ABI=0 lacks it)" if cxx11 else ""))
    cmds = ["cat $LIBTORCH/build-version    # the libtorch release on the link line (LIBTORCH: where it was unpacked)",
            "nm -DC $LIBTORCH/lib/libc10.so | grep -c __cxx11    # 0: the pre-cxx11 ABI build"]
    actions = ["link libtorch's libraries (CMake: find_package(Torch) and target_link_libraries(app \"${TORCH_LIBRARIES}\"); "
               "by hand: -ltorch -ltorch_cpu -lc10, and -Wl,--no-as-needed -ltorch_cuda for CUDA)",
               "link against the libtorch release the binding or program names (tch-rs: its README's release, or let "
               "torch-sys download it, or LIBTORCH_USE_PYTORCH=1 with the matching torch installed)",
               "take libtorch's cxx11-ABI download (libtorch-cxx11-abi-shared-with-deps) when the symbols name "
               "std::__cxx11"]
    return Answer("A torch symbol is missing at link time (libtorch not linked, or another libtorch)", cause,
                  [f"the symbol: {sym[:100]} (torch's)"], cmds, actions, "medium")


def std_symbol(mo: Match, ctx: Ctx) -> Answer:
    """An undefined std:: symbol (_ZNSt..., _ZSt...): the libstdc++ loaded is older than the binary's build."""
    sym = mo.get("std_symbol")
    obj = mo.get("object")
    facts = [f"the symbol: {sym[:80]} (the C++ standard library's)"] + ([f"needed by: {obj}"] if obj else [])
    cause = (f"{obj or 'a binary'} needs {sym[:60]} from the C++ standard library and the libstdc++/libgcc runtime "
             "loaded does not define it: most often an older runtime than the binary was built with (a conda "
             "environment's own libstdc++, an old system), else a binary built with the other C++ ABI "
             "(_GLIBCXX_USE_CXX11_ABI) than its neighbours")
    cmds = [f"ldd {obj} | grep -E 'libstdc|libgcc'    # the runtime the loader picks" if obj and obj.startswith("/")
            else "python -c \"import sys; print(sys.prefix)\"    # a conda prefix: its lib/libstdc++.so.6 is found first",
            "strings /usr/lib/x86_64-linux-gnu/libstdc++.so.6 | grep -E '^GLIBCXX_' | sort -V | tail -1    # the system's"]
    actions = ["in a conda environment: conda install -c conda-forge libstdcxx-ng libgcc-ng (a newer runtime); else "
               "install a build of the package made for this system's GCC"]
    return Answer(f"The C++ runtime lacks {sym[:40]}", cause, facts, cmds, actions, "medium")


def _toolkit_facts(ctx: Ctx):
    """The CUDA toolkits the scan found (with a version) and, as facts, them and each environment's torch."""
    tks = [t for t in ctx.env.cuda_toolkits or () if t.version is not None]
    facts = [f"cuda_toolkits: {t.path} CUDA {t.version}{' (default)' if t.default else ''}" for t in tks] or \
            ["cuda_toolkits: not known from these facts"]
    facts += F.torch_facts(ctx.m)
    return tks, facts


def _nvcc_and_torch_cuda(ctx: Ctx, why: str) -> List[str]:
    """The nvcc that CUDA_HOME or PATH finds, and each environment's torch CUDA: the two a toolkit answer compares."""
    return (["which nvcc; nvcc --version | tail -1; echo \"CUDA_HOME=$CUDA_HOME\""]
            + F.for_each(ctx.m, "{py} -c \"import torch; print(torch.version.cuda)\"", "torch", why))


def toolkit_unnamed(mo: Match, ctx: Ctx) -> Answer:
    """torch.utils.cpp_extension's older warning: only torch's CUDA is named."""
    torch_cuda = mo.get("torch")
    facts = _toolkit_facts(ctx)[1]
    built = f"CUDA {torch_cuda}" if torch_cuda else "another CUDA"
    cause = (f"an extension (apex, DeepSpeed, a cpp_extension build) is being compiled with the nvcc that CUDA_HOME "
             f"or PATH finds, whose CUDA differs from the one torch was built with ({built}): the build may fail or "
             "load with undefined symbols")
    cmds = _nvcc_and_torch_cuda(ctx, "the CUDA to match")
    actions = [f"install the toolkit of torch's CUDA ({torch_cuda or 'torch.version.cuda'}) and point CUDA_HOME and "
               "PATH at it, or install a torch build for the toolkit you have"]
    return Answer(f"nvcc's CUDA is not the one torch was built with{' (' + torch_cuda + ')' if torch_cuda else ''}",
                  cause, facts, cmds, actions)


def toolkit_nvcc_stub(mo: Match, ctx: Ctx) -> Answer:
    """An undefined __cudaPopCallConfiguration (or another entry point nvcc writes into every binary): the binary was
    compiled by an nvcc newer than the CUDA runtime it loaded; an extension built with another CUDA than torch's."""
    sym, obj = mo.get("nvcc_stub"), mo.get("object") or "the binary"
    facts = _toolkit_facts(ctx)[1] + [f"{sym}: written by nvcc >= "
                                      f"{'10.1' if 'FatBinary' in sym else '9.2'} into every kernel launch or module"]
    cause = (f"{obj} was compiled by an nvcc that emits calls to {sym}, and the CUDA runtime it loaded is older and "
             "lacks it: the extension was built with the local CUDA toolkit (CUDA_HOME or PATH) while the torch it is "
             "loaded into was built for an older CUDA (or an old libcudart was found first)")
    cmds = _nvcc_and_torch_cuda(ctx, "the CUDA to match")
    actions = ["install the torch build for the local toolkit's CUDA (or a toolkit of torch's CUDA, with CUDA_HOME and "
               "PATH pointing at it), then rebuild the extension from clean (delete its build/ directory and the "
               "compiled .so first)"]
    return Answer(f"{obj.rsplit('/', 1)[-1]} was compiled by a newer nvcc than the CUDA runtime it loads", cause, facts,
                  cmds, actions)


def toolkit_too_old(mo: Match, ctx: Ctx) -> Answer:
    """flash-attn's 'FlashAttention is only supported on CUDA 11.6 and above': its setup checks the nvcc that builds
    it (CUDA_HOME or PATH), not torch's CUDA."""
    pkg, need = mo.get("package") or "the extension", mo.get("min_cuda")
    tks, facts = _toolkit_facts(ctx)
    cause = (f"{pkg}'s build checks the CUDA of the nvcc that compiles it (CUDA_HOME, else PATH), not torch's: that "
             f"nvcc is older than CUDA {need}, whatever CUDA torch was built for (a system toolkit from the distribution, "
             "or an old /usr/local/cuda, found first)")
    cmds = _nvcc_and_torch_cuda(ctx, "the CUDA to build with")
    newer = [t for t in tks if A._cmp_cuda(str(t.version), need) >= 0]
    if newer:
        cmds.append(f"export CUDA_HOME={newer[0].path} PATH={newer[0].path}/bin:$PATH    # CUDA {newer[0].version} is here")
    actions = [f"install a CUDA toolkit >= {need} of torch's CUDA major and point CUDA_HOME and PATH at it before "
               "building, or install a prebuilt wheel that needs no nvcc"]
    return Answer(f"The nvcc building {pkg} is older than CUDA {need}", cause, facts, cmds, actions)


def no_nvidia_smi(mo: Match, ctx: Ctx) -> Answer:
    """A container where nvidia-smi is not in PATH: the GPU hook that mounts it from the host did not run."""
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m)]
    cause = ("nvidia-smi, like the driver's libraries, is mounted into the container from the host by the NVIDIA "
             "runtime hook; it is not there, so the container was started without the GPU hook (podman/crun without "
             "--device nvidia.com/gpu=all or the OCI hook, docker without --gpus), or with NVIDIA_DRIVER_CAPABILITIES "
             "leaving out 'utility'")
    cmds = ["nvidia-ctk cdi list    # podman: the CDI device names to pass with --device (none: generate the spec)",
            f"{ctx.sudo}nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml    # on the host, with the toolkit"]
    actions = ["start the container with the GPU: podman run --device nvidia.com/gpu=all ..., docker run --gpus all "
               "...; keep 'utility' in NVIDIA_DRIVER_CAPABILITIES"]
    return Answer("The container was started without the NVIDIA runtime's GPU hook", cause, facts, cmds, actions,
                  "medium")


def bf16_gemm(mo: Match, ctx: Ctx) -> Answer:
    """cuBLAS' NOT_SUPPORTED on a bfloat16 GEMM: bf16 needs sm_80; high only where the facts show an older GPU."""
    m = ctx.m
    facts = [F.gpu_fact(m)]
    cause = ("cuBLAS refused a bfloat16 (CUDA_R_16BF) matrix multiply: bf16 GEMMs need a GPU of compute capability "
             ">= 8.0 (Ampere or newer); run the model in float16 or float32 on an older GPU")
    confidence = "medium"
    cmds: List[str] = []
    if m.sm and int(m.sm) < 80:
        cause += f". The GPU here is sm_{m.sm}: that is the cause"
        confidence = "high"
    elif m.sm:
        cause += (f". The GPU here is sm_{m.sm}, which has bf16: the message came from another machine, or cuBLAS "
                  "rejects this call for another reason (its release, the matrix layout)")
    else:
        cause += "; whether this GPU is older is not known from these facts"
        cmds.append(F.LEARN_GPU)
    actions = ["load the model with torch_dtype=torch.float16 (or float32), or the program's own dtype option, on a "
               "GPU older than Ampere"]
    return Answer("cuBLAS does not support bfloat16 on this GPU", cause, facts, cmds, actions, confidence)


def aten_cuda_not_loaded(mo: Match, ctx: Ctx) -> Answer:
    """libtorch's 'Cannot initialize CUDA without ATen_cuda library': its CPU library is loaded, its CUDA library
    (libtorch_cuda.so) is not; CUDA_HELP names the linker's --as-needed, the threads a CPU-only libtorch."""
    facts = [F.driver_fact(ctx.m)]
    cause = ("libtorch's CPU library is loaded and its CUDA library (libtorch_cuda.so) is not. The threads: a CPU-only "
             "libtorch (tch-rs downloads the CPU build unless TORCH_CUDA_VERSION is set or LIBTORCH points at a CUDA "
             "one); else the linker dropped libtorch_cuda.so (--as-needed: link with -Wl,--no-as-needed), or it was "
             "loaded after torch")
    cmds = ["ls \"$LIBTORCH/lib\" | grep -i cuda    # none: a CPU-only libtorch",
            "echo \"LIBTORCH=$LIBTORCH TORCH_CUDA_VERSION=$TORCH_CUDA_VERSION\""]
    actions = ["use a CUDA build of libtorch (set LIBTORCH to it, or TORCH_CUDA_VERSION for tch-rs' download) and "
               "rebuild; if it has libtorch_cuda.so, `ldd` on the program should list it, else link with "
               "-Wl,--no-as-needed"]
    return Answer("libtorch's CUDA library is not loaded", cause, facts, cmds, actions, "medium")


TEI_IMAGES = ("text-embeddings-inference publishes one image per compute capability: turing-* for 7.5, the plain "
              "tag for 8.0, 86-* for 8.6, 89-* for 8.9, hopper-* for 9.0")


def compile_cc_build(mo: Match, ctx: Ctx) -> Answer:
    """text-embeddings-inference's (candle's) 'Runtime compute cap 75 is not compatible with compile time compute cap
    80': the build's kernels are for one compute capability (its CUDA_COMPUTE_CAP), the GPU has another."""
    have, built = (f"{n[:-1]}.{n[-1]}" for n in (mo.get("runtime_cc"), mo.get("compile_cc")))
    if have == built:
        cause = (f"the binary was compiled for compute capability {built} and its own check still refuses this GPU "
                 f"({have}): this release does not support that compute capability at all; a newer release does")
        actions = ["use a newer release of the program (its image or build for this GPU's compute capability)"]
    else:
        cause = (f"the binary was compiled for compute capability {built} and this GPU is {have}: its kernels are built "
                 f"for one GPU architecture (CUDA_COMPUTE_CAP at build time) and refuse the others. {TEI_IMAGES}")
        actions = [f"use the image or build made for compute capability {have} (text-embeddings-inference: the tag "
                   f"above for {have}), or build it with CUDA_COMPUTE_CAP={mo.get('runtime_cc')}"]
    if ctx.m.sm and ctx.m.sm != mo.get("runtime_cc"):
        cause += f". The GPU here is sm_{ctx.m.sm}: the message came from another machine"
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    return Answer(f"A build for compute capability {built} on a GPU of {have}", cause, [F.gpu_fact(ctx.m)], cmds,
                  actions)


def hook_needs_runtime(mo: Match, ctx: Ctx) -> Answer:
    """nvidia-container-runtime-hook outside its 'legacy' mode refusing docker's --gpus: the NVIDIA Container Runtime
    must be asked for by name (--runtime=nvidia)."""
    csv = mo.get("runtime_hook") == "csv"
    cause = ("the NVIDIA Container Toolkit here runs in " + ("CSV mode (Jetson/Tegra boards)" if csv else
             "a mode other than 'legacy' (CSV mode on Jetson/Tegra boards, or CDI)")
             + ", where docker's --gpus (and compose's GPU device reservation) invokes the runtime hook directly, "
             "which it refuses: the container must be started with the NVIDIA Container Runtime, --runtime=nvidia")
    cmds = ["docker run --runtime=nvidia IMAGE    # instead of --gpus all; compose: runtime: nvidia in the service",
            "docker info --format '{{json .Runtimes}}'    # 'nvidia' must be listed"]
    actions = ["start the container with --runtime=nvidia instead of --gpus (compose: 'runtime: nvidia' instead of a "
               "GPU device reservation; a script that adds --gpus: change it to --runtime=nvidia)"]
    if not csv:
        actions.append("in CDI mode: --device nvidia.com/gpu=all instead of --gpus")
    return Answer("The NVIDIA hook refuses --gpus here: use --runtime=nvidia", cause, [F.driver_fact(ctx.m)], cmds,
                  actions)


def shm_sigbus(mo: Match, ctx: Ctx) -> Answer:
    """text-generation-inference's 'Download/Shard process was signaled to shutdown with signal 7': SIGBUS, in a
    container most often a write to a /dev/shm too small for it."""
    cause = ("the process was killed by SIGBUS (signal 7): it wrote to memory-mapped memory that has no room behind "
             "it. In a container that is most often /dev/shm (64 MiB unless the container was started with --shm-size "
             "or --ipc=host), which NCCL's shared-memory segments (sharded runs, --num-shard > 1) and shared-memory "
             "tensors fill (the threads: text-generation-inference#405, #446); else a memory-mapped file on a full disk")
    cmds = ["df -h /dev/shm    # in the container that failed: 64M is Docker's default"]
    actions = ["restart the container with --shm-size 1g (or --ipc=host); on Kubernetes mount an emptyDir {medium: "
               "Memory} at /dev/shm", "if it stays: df -h for the disk the model is downloaded to"]
    return Answer("A process died of SIGBUS: likely the container's /dev/shm", cause, [], cmds, actions, "medium")


def ptx_files_arch(mo: Match, ctx: Ctx) -> Answer:
    """cuDF's 'This cuDF installation is missing the necessary PTX files that are <=50.': the package ships PTX for
    GPUs of one compute capability and up, and this GPU is older than all of them."""
    pkg, sm = mo.get("ptx_files"), mo.get("sm")
    cc = f"{sm[3:-1]}.{sm[-1]}" if sm else ""
    cause = (f"{pkg} ships PTX only for GPUs of newer compute capabilities than this one{f' ({cc})' if cc else ''}: the "
             "GPU is too old for this release (RAPIDS needs compute capability 6.0 or newer, its recent releases 7.0 "
             "or newer; their system requirements give the minimum)")
    if ctx.m.sm and sm and ctx.m.sm != sm[3:]:
        cause += f". The GPU here is sm_{ctx.m.sm}: the message came from another machine"
    actions = [f"run {pkg} on a GPU of compute capability 7.0 or newer (Volta, Turing, Ampere and later), or an older "
               f"{pkg} release whose requirements still list this GPU"]
    return Answer(f"This GPU is too old for {pkg}", cause, [F.gpu_fact(ctx.m)], [] if ctx.m.sm else [F.LEARN_GPU],
                  actions)


def toolkit_header(mo: Match, ctx: Ctx) -> Answer:
    """'fatal error: cusparse.h: No such file or directory' while compiling: the CUDA toolkit's headers are missing."""
    header = mo.get("header")
    tks = F.nvcc_toolkits(ctx.env)
    facts = F.toolkit_facts(ctx.env, tks)
    cause = (f"the compiler found no {header}, a header of the CUDA toolkit: the build (a JIT-compiled op such as "
             "DeepSpeed's fused_adam, a CUDA extension) runs where the CUDA runtime libraries are (torch uses the GPU) "
             "but not the CUDA development toolkit with its include/ folder (pip's nvidia-* runtime wheels and "
             "-runtime container images have no headers), or CUDA_HOME points at a toolkit without them")
    cmds = ["echo \"CUDA_HOME=$CUDA_HOME\"; ls \"${CUDA_HOME:-/usr/local/cuda}/include/" + header + "\""]
    if tks:
        cause += f"; a toolkit is here ({tks[0].path}): CUDA_HOME is not set to it"
        cmds.append(f"export CUDA_HOME={tks[0].path}")
    cmds += F.for_each(ctx.m, "{py} -c \"import torch; print(torch.version.cuda)\"", "torch",
                       "the toolkit version to install")
    actions = ["install the CUDA toolkit of torch's CUDA version with its headers (NVIDIA's apt repository: "
               "cuda-toolkit-X-Y; conda: cuda-toolkit from nvidia's channel; a -devel container image instead of "
               "-runtime) and set CUDA_HOME to it before the build runs",
               "or, for one library's headers, its pip development package of that CUDA (nvidia-cusparse-cu12, "
               "nvidia-cublas-cu12 ... ship include/ under site-packages/nvidia/<lib>/) added to CPATH"]
    return Answer(f"No CUDA toolkit headers to compile the ops ({header} not found)", cause, facts, cmds, actions)


def cpm_library(mo: Match, ctx: Ctx) -> Answer:
    """cpm_kernels' 'Library cublasLt is not initialized': it looked the library up with ctypes.util.find_library
    and found none."""
    name, so = mo.get("cpm"), mo.get("soname")
    cause = (f"cpm_kernels (the quantized kernels of ChatGLM-style models) loads CUDA's {name} library by name with "
             "ctypes.util.find_library, which searches the system loader's cache (ldconfig) on Linux and PATH on "
             f"Windows, and found none: no CUDA toolkit (or conda cudatoolkit) providing {so} there, or one of another "
             "CUDA than torch's. The libraries in pip's nvidia-* wheels are not found this way")
    cmds = [f"ldconfig -p | grep {so}    # what find_library sees on Linux",
            f"python3 -c \"import ctypes.util; print(ctypes.util.find_library('{name}'))\"    # no file name printed: not found"]
    actions = [f"install the CUDA toolkit (or conda's cudatoolkit) of torch's CUDA version so that {so} is in the "
               "loader's cache (sudo ldconfig after adding its lib64 to /etc/ld.so.conf.d), or on Windows add the "
               "folder with its DLL (the toolkit's bin) to PATH",
               "or load the model unquantized (no cpm_kernels) where the GPU has the memory for it"]
    return Answer(f"cpm_kernels found no {so}", cause, [F.driver_fact(ctx.m)], cmds, actions, "medium")


def driver_for_cuda(mo: Match, ctx: Ctx) -> Answer:
    """'NVIDIA driver version is insufficient for CUDA 12.2': the driver is older than the CUDA the program (or the
    image it runs in) was built with."""
    a = A.driver_old(mo, ctx)
    need = mo.get("runtime_cuda")
    mind = A._min_driver(ctx, need)
    a.cause = a.cause.replace(
        "the program's CUDA runtime needs a newer driver than the one it ran with",
        f"the program's CUDA {need} runtime needs a newer driver than the one it ran with"
        + (f" (CUDA {need} needs a driver >= {mind})" if mind else "")
        + f"; in a container, the image's CUDA (an NGC image of CUDA {need}, a cuda:{need} base) is what needs it, "
        "whatever the host's own CUDA", 1)
    if mo.get("driver_cuda"):
        a.cause += f"; the message gives the driver's as CUDA {mo.get('driver_cuda')}"
    a.title = f"The driver is older than CUDA {need} needs"
    return a


def cc_unsupported(mo: Match, ctx: Ctx) -> Answer:
    """text-generation-inference's 'GPU with CUDA capability 7 0 is not supported': the GPU is below what its
    (flash-attention) kernels support."""
    sm, cc = mo.get("sm"), mo.get("have_cc")
    cause = (f"the program's GPU kernels (text-generation-inference's flash-attention models) do not support compute "
             f"capability {cc} ({sm}): this GPU is older than they need (flash-attention needs Turing 7.5 or Ampere "
             "8.0 and newer; a V100 is 7.0); no build changes that. Models without those kernels still run, slower")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["run the model without flash attention (text-generation-inference falls back to its non-flash model "
               "code where one exists; other programs: attn_implementation=\"sdpa\" or \"eager\")",
               "or run on a GPU of compute capability 8.0 or newer (A10, A100, L4, RTX 30xx/40xx, H100)"]
    return Answer(f"The program's kernels do not support this GPU ({sm})", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def arch_one_of(mo: Match, ctx: Ctx) -> Answer:
    """CuTe DSL's 'expects arch to be one of ['sm_100a', 'sm_100f'], but got sm_121a': an op written for other
    architectures' instructions."""
    want, got = mo.get("arch_list"), mo.get("arch_got")
    cause = (f"the kernel uses an operation (an MMA or copy atom) that exists only on {want} and the architecture it "
             f"is compiled for is {got}: these are instructions of that GPU family (data-center Blackwell's tcgen05 on "
             "sm_100; a consumer Blackwell sm_120/sm_121 GPU such as the RTX 50xx or DGX Spark lacks them), so no build "
             "or version changes it; the example or kernel written for this GPU's family runs")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = [f"use the kernel's (or the example's) variant for {got}'s family (for sm_120/sm_121: the SM120 "
               "examples with warp-level MMA), or run it on a GPU of the listed architectures",
               "if this GPU is one of them: the target architecture was set to another (CUTE_DSL_ARCH or the "
               "compile option names it)"]
    return Answer(f"The kernel's operation does not exist on {got}", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def ptxas_toolkit(mo: Match, ctx: Ctx) -> Answer:
    """TensorFlow/XLA's 'ptxas does not support CC 8.6': the CUDA toolkit's ptxas in use predates the GPU."""
    sm = mo.get("sm")
    need = A.ARCH_MIN_CUDA.get(sm[3:])
    cause = (f"the ptxas that TensorFlow/XLA compiles its kernels with belongs to a CUDA toolkit older than {sm} "
             f"(compute capability {sm[3:-1]}.{sm[-1]})"
             + (f": {sm} needs CUDA >= {need}" if need else "")
             + "; it falls back to the driver's compiler, and kernels the driver cannot provide then fail ('named "
             "symbol not found', 'Could not find the corresponding function'). In a container it is the image's CUDA")
    cmds = ["which ptxas; ptxas --version    # the toolkit TensorFlow/XLA finds (PATH, then its own nvidia wheels)"]
    if not ctx.m.sm:
        cmds.append(F.LEARN_GPU)
    actions = [f"use a CUDA toolkit{f' >= {need}' if need else ''} for it: an image built on a newer CUDA base (the "
               "Dockerfile's CUDA version), or jax/tensorflow wheels with their CUDA (pip install 'jax[cuda12]', "
               "tensorflow[and-cuda]) whose ptxas knows this GPU"]
    return Answer(f"The CUDA toolkit's ptxas in use does not know {sm}", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def dtype_kernel(mo: Match, ctx: Ctx) -> Answer:
    """'named symbol not found when loading cast_f32_bf16': a bfloat16/fp8 kernel missing from the module."""
    kernel, dtype, need = mo.get("dtype_kernel"), mo.get("dtype"), mo.get("need_cc")
    cause = (f"the module loaded for this GPU has no kernel {kernel}: libraries compile their {dtype} kernels only for "
             f"GPUs that have {dtype} (compute capability >= {need}, {generation(need)} or newer; candle's "
             "kernels are guarded by __CUDA_ARCH__), so on an older GPU they are absent; else the module is of another "
             "build than the code that calls it" + W._sm_here(ctx, need))
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = [f"run the model in float16 or float32 instead of {dtype} (candle: --dtype f16; the program's dtype "
               "option)", f"or run on a GPU of compute capability >= {need}"]
    return Answer(f"A {dtype} kernel is missing: likely a GPU without {dtype}", cause, [F.gpu_fact(ctx.m)], cmds,
                  actions, "medium")


def prebuilt_ops(mo: Match, ctx: Ctx) -> Answer:
    """DeepSpeed's 'PyTorch version mismatch! DeepSpeed ops were compiled and installed with a different version ...
    Install torch version=2.1, Runtime torch version=2.2': ops prebuilt for another torch (or CUDA)."""
    pkg, what = mo.get("package"), mo.get("what") or mo.get("prebuilt_ops")
    built, have = mo.get("built"), mo.get("have")
    pair = f" ({what} {built} at install, {what} {have} now)" if built and have else ""
    cause = (f"{pkg}'s ops were compiled when it was installed (DS_BUILD_OPS / a prebuilt wheel) against another "
             f"{what} than the one running{pair}: torch (or its CUDA) changed after {pkg} was installed, and compiled "
             f"ops must match it; reinstall {pkg} so that they are built for this {what}, or go back to the {what} "
             "they were built for")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda)\"", "torch",
                      "the torch and CUDA the ops must match")
    cmds += F.for_each(ctx.m, "{py} -m pip install --force-reinstall --no-cache-dir " + pkg.lower(), "torch",
                       f"{pkg} rebuilt for this torch (DS_BUILD_OPS=1 before it prebuilds its ops)")
    actions = [f"or go back to {what} {built}" if built else f"or go back to the {what} its ops were built for"]
    return Answer(f"{pkg}'s compiled ops were built for another {what}", cause, [], cmds, actions)


def dso_newer(mo: Match, ctx: Ctx) -> Answer:
    """XLA's 'kernel version 535.183.6 does not match DSO version 560.28.3': a libcuda newer than the kernel module."""
    a = A.driver_old(mo, ctx)
    kernel, dso = mo.get("kernel_module"), mo.get("nvml_library")
    a.cause = (f"the host's kernel module is driver {kernel} and the libcuda loaded (the DSO) is of driver {dso}, newer: "
               "a container image (or CUDA's compat package) that carries a newer libcuda than the host's driver, for "
               "a CUDA the host's driver is too old to run; the host's driver must be at least what the image needs "
               "(a toolkit installed does not change it; nvidia-smi on the host shows the driver)")
    a.title = "The host's driver is older than the image's CUDA needs (libcuda newer than the kernel module)"
    a.actions = ["update the host's NVIDIA driver to one that runs the image's CUDA (the host's admin), or use an "
                 "image built on an older CUDA", "if the newer libcuda is not from the image: remove the cuda-compat "
                 "package or the LD_LIBRARY_PATH entry that puts it first"]
    a.confidence = "medium"
    return a


def any_library(mo: Match, ctx: Ctx) -> Answer:
    """sgl_kernel's 'Could not load any common_ops library!': none of its builds loaded."""
    name = mo.get("any_library")
    cause = (f"the package tried each of its {name} builds and none loaded; the reasons printed after it (the "
             "ImportError of each attempt) say which. The threads: the CUDA runtime the build links (libcudart.so.12, "
             "libnvrtc.so.13) not found, such as a wheel built for CUDA 12 on a CUDA 13 system or the reverse; else "
             "no build for this GPU's architecture in the wheel, or a torch of another version than the wheel's")
    cmds = ["ldconfig -p | grep -E 'libcudart|libnvrtc'    # the CUDA runtimes the loader finds, with majors"]
    cmds += F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda)\"", "torch",
                       "the CUDA major the kernel wheel must be built for")
    actions = ["install the kernel wheel built for torch's CUDA major (sgl-kernel: the cu130 or cu128 index of its "
               "release page), or put the CUDA runtime it needs on the loader's path"]
    return Answer(f"No build of {name} could be loaded (likely its CUDA runtime missing)", cause,
                  [F.driver_fact(ctx.m)], cmds, actions, "medium")


def engine_library(mo: Match, ctx: Ctx) -> Answer:
    """'Could not load library "...engine.dll"' with error 126 (or no reason): a DLL it depends on is missing."""
    path, dll = mo.get("engine"), mo.get("dll")
    cuda = re.search(r"cuda[-_]?(\d{2})[-_.](\d)", path, re.IGNORECASE)
    needs = (f"the CUDA {cuda.group(1)}.{cuda.group(2)} runtime DLLs (cudart64_{cuda.group(1)}.dll, "
             f"cublas64_{cuda.group(1)}.dll ...)" if cuda else
             "for a CUDA engine, the CUDA runtime DLLs (cudart64_12.dll, cublas64_12.dll ...) of the CUDA it was built for")
    reason = ("Windows' error 126: a DLL it depends on was not found" if not mo.get("no_reason") else
              "Windows gave no reason ('FormatMessage failed'); the threads: a DLL it depends on was not found")
    cause = (f"{dll} ({path}) is there, but it could not be loaded: {reason}, {needs}, which the CUDA toolkit or the "
             "application's own CUDA bundle provides")
    cmds = ["where cudart64_12.dll cublas64_12.dll cudart64_110.dll    # in a Windows prompt: which of them PATH finds"]
    actions = ["install the CUDA runtime the engine was built for (the CUDA toolkit, or the application's CUDA "
               "dependencies package) and restart the application, or update the application to a release that "
               "bundles its CUDA libraries"]
    return Answer(f"{dll} could not be loaded: a CUDA DLL it needs is missing", cause, [F.driver_fact(ctx.m)], cmds,
                  actions, "medium" if mo.get("no_reason") else "high")


def rocm_no_binary(mo: Match, ctx: Ctx) -> Answer:
    """HIP's 'hipErrorNoBinaryForGpu: Unable to find code object for all current devices!'."""
    gfx = mo.get("subject")
    cause = ("the ROCm build (of PyTorch, or of a library it loads) has no code object for this AMD GPU's gfx target"
             + (f" ({gfx})" if gfx else "") + ": it was compiled for other gfx targets, as ROCm's official builds list "
             "only the supported GPUs. A GPU close to a supported target (an RX 6600/6700, gfx1032/gfx1031, beside "
             "gfx1030; an RX 7600, gfx1102, beside gfx1100) runs that target's code when ROCm is told to report it")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.cuda.get_device_properties(0).gcnArchName)\"",
                      "torch", "the GPU's gfx target")
    cmds.append("export HSA_OVERRIDE_GFX_VERSION=10.3.0    # an RDNA2 GPU run as gfx1030 (RDNA3: 11.0.0)")
    actions = ["or use a build that has this gfx target (a ROCm release that supports the GPU, or a build from "
               "source with PYTORCH_ROCM_ARCH / AMDGPU_TARGETS set to it)"]
    return Answer("The ROCm build has no code object for this GPU's gfx target", cause, [], cmds, actions)


def sm_kernel(mo: Match, ctx: Ctx) -> Answer:
    """SageAttention's 'SM89 kernel is not available': its build did not compile the kernels of that path."""
    sm, pkg = mo.get("ext_sm"), mo.get("package")
    cc = f"{sm[3:-1]}.{sm[-1]}"
    cause = (f"{pkg} chose its {sm} kernels (compute capability {cc}) and its build did not compile them: it compiles "
             "the kernels of the GPUs it finds (or TORCH_CUDA_ARCH_LIST names) at build time, so a build made for "
             "another GPU, or one reused from an earlier compilation (a stale build folder or wheel cache), lacks "
             "this GPU's; rebuild it here from a clean state")
    cmds = [f"export TORCH_CUDA_ARCH_LIST=\"{ctx.m.gpu_cc}\"    # build for this GPU" if ctx.m.gpu_cc else F.LEARN_GPU]
    cmds += F.for_each(ctx.m, "{py} -m pip uninstall -y " + pkg, None, "the build without those kernels")
    cmds += F.for_each(ctx.m, "{py} -m pip install --no-cache-dir --no-build-isolation " + pkg, None,
                       "built again (from its source folder: delete build/ first, then pip install .)")
    actions = [f"or install a {pkg} wheel built for this GPU's architecture"]
    return Answer(f"{pkg} was built without its {sm} kernels", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def trt_memory(mo: Match, ctx: Ctx) -> Answer:
    """TensorRT's 'Error Code 2: OutOfMemory' / 'Requested amount of GPU memory (N bytes) could not be allocated'."""
    asked = mo.get("trt_memory")
    cause = ("TensorRT asked the GPU for more memory than was free" + (f" ({asked})" if asked != "yes" else "")
             + ": building an engine, it allocates its workspace (the memory pool limit, DeepStream's workspace-size) "
             "and tries tactics that need more; a workspace larger than the GPU's free memory, or another process "
             "holding it, fails this way")
    actions = ["give the builder a smaller workspace: trtexec --memPoolSize=workspace:2048M, "
               "config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, 2 << 30) in Python, workspace-size=2048 "
               "(MiB) in a DeepStream nvinfer config; less than the GPU's free memory",
               "end other processes holding GPU memory, or build the engine on a GPU with more memory"]
    return Answer("TensorRT ran out of GPU memory (builder workspace)", cause, W._gpu_memory_facts(ctx),
                  list(W.MEMORY_CMDS), actions)


def ort_cuda_path(mo: Match, ctx: Ctx) -> Answer:
    """ONNX Runtime's 'CUDA_PATH is set but CUDA wasn't able to be loaded': its CUDA provider did not load."""
    facts = [f"pythons: {p} {ver} in {where}" for p in ("onnxruntime-gpu", "onnxruntime")
             for where, ver in F.packages_with(ctx.m, p)]
    cause = ("ONNX Runtime's CUDA provider (onnxruntime_providers_cuda) did not load: each onnxruntime-gpu release is "
             "built for one CUDA major and cuDNN major (1.19 and later: CUDA 12 and cuDNN 9 by default; earlier and "
             "the cuda-11 builds: CUDA 11 and cuDNN 8), and the CUDA and cuDNN installed (CUDA_PATH) are of others, "
             "or not on PATH")
    cmds = ["where cudart64_12.dll cublasLt64_12.dll cudnn64_9.dll cudart64_110.dll cudnn64_8.dll    # in a Windows "
            "prompt: the CUDA/cuDNN DLLs PATH finds"]
    cmds += F.for_each(ctx.m, "{py} -c \"import onnxruntime as o; print(o.__version__, o.get_available_providers())\"",
                       "onnxruntime", "the release, whose requirements page names its CUDA and cuDNN")
    actions = ["install the onnxruntime-gpu build of the CUDA major installed (CUDA 12: onnxruntime-gpu 1.19+ from "
               "PyPI; CUDA 11: its cuda-11 package index), or install the CUDA and cuDNN versions its requirements "
               "table names and put their bin folders on PATH"]
    return Answer("ONNX Runtime's CUDA provider could not load the CUDA/cuDNN it was built for", cause, facts, cmds,
                  actions)


# the answers for the families' wordings of known causes, before each code's core answer
SPECIAL: Dict[str, Dict[str, Callable[[Match, Ctx], Answer]]] = {
    C.MISSING_LIB: {"ld_needed": W.ld_needed, "cupti": W.cupti_path, "sublibrary": W.cudnn_sublibrary, "engine": engine_library, "any_library": any_library, "ort_cuda_path": ort_cuda_path,
                    "cpm": cpm_library, "win_dependency": dll_dependency, "corrupt": W.corrupt_library, "plain_dll": W.plain_dll, "jcuda": W.jcuda_native,
                    "dylib": W.dylib_missing, "ort_native": W.ort_native, "win_status": W.dll_not_found_status},
    C.LIBCUDA: {"link": link_libcuda, "corrupt": W.corrupt_driver_library, "ld_needed": W.ld_needed},
    C.NVML_UNKNOWN: {"bare": bare_nvml},
    C.EXT_ABI: {"framework": W.framework_rebuilt, "link_torch": link_torch, "load_crash": W.load_library_crash, "prebuilt_ops": prebuilt_ops, "no_symbol": ext_no_symbol, "win_proc": W.win_proc_not_found, "torch_split": W.torch_split_lib,
                "torch_variant": W.torch_variant_lib, "libtorch_version": W.libtorch_version, "cxx11_abi": W.cxx11_abi},
    C.CUDA_HOME: {"header": toolkit_header, "keops": W.keops_jit, "no_gpu_build": W.no_gpu_build,
                  "jit_fallback": W.jit_kernel_fallback},
    C.UNDEFINED: {"win_proc": W.win_proc_not_found},
    C.LIBSTDCXX: {"std_symbol": std_symbol},
    C.GLIBC: {"conda_virtual": W.conda_virtual},
    C.TOOLKIT_MISMATCH: {"old_wording": toolkit_unnamed, "min_cuda": toolkit_too_old, "nvcc_stub": toolkit_nvcc_stub},
    C.CONTAINER_NO_GPU: {"runtime_hook": hook_needs_runtime, "nvidia_smi": no_nvidia_smi, "device_plugin": W.device_plugin_nvml, "ngc": W.ngc_no_driver,
                         "old_docker": W.old_docker_gpus, "apptainer": W.apptainer_nv},
    C.GPU_ARCH: {"rejected_by": W.gpu_rejected, "torch_arch": W.torch_arch_unknown, "cudnn_version": W.cudnn_min_sm, "cc_unsupported": cc_unsupported, "arch_list": arch_one_of, "ptxas_toolkit": ptxas_toolkit,
                 "dtype_kernel": dtype_kernel, "ptx_files": ptx_files_arch, "cublas_bf16": bf16_gemm, "llvm": W.llvm_arch, "triton_cuda": W.triton_cuda, "feature": W.feature_arch, "ptxas_crash": W.ptxas_crash,
                 "program": W.program_arch, "unsupported_arch": W.unsupported_arch, "ngc_gpu": W.ngc_gpu,
                 "profiler": W.legacy_profiler, "generation_impl": W.implementation_generation,
                 "open_module": W.open_kernel_module},
    C.NO_KERNEL: {"ngc_gpu": W.ngc_gpu, "ggml_kernel": W.ggml_kernel, "kokkos": W.kokkos_arch, "ptx_target": W.ptx_target, "tcnn_dll": W.tcnn_dll, "rocm": rocm_no_binary, "sm_kernel": sm_kernel, "compile_cc": compile_cc_build, "sm": A.gpu_arch, "ext_sm": W.extension_arch, "symbol_not_found": W.symbol_not_found, "spconv": W.spconv_arch},
    C.CUDA_OOM: {"ort_arena": W.ort_arena, "trt_memory": trt_memory, "kv_cache": W.kv_cache, "cublas_create": W.cublas_create_oom, "cudnn_algo": W.cudnn_no_algorithm,
                 "hami": W.hami_oom, "fraction_limit": W.allowed_memory},
    C.CUDA_SYMBOL: {"nccl_stub": W.nccl_stub, "jitify": W.jitify_failed},
    C.DRIVER_OLD: {"cuda_python": W.cuda_python_driver, "conda_virtual": W.conda_virtual, "dso_newer": dso_newer, "runtime_cuda": driver_for_cuda, "entrypoint": W.entrypoint_not_found, "tf_driver": W.tf_driver_old,
                   "vulkan": W.vulkan_driver, "nvenc": A.nvenc_driver,
                   "optix": W.optix_driver},
    C.NO_DEVICE: {"num_gpus": W.num_gpus_assert, "wsl_adapter": W.wsl_no_adapter},
    C.CUDNN_MISMATCH: {"tf_no_dnn": W.tf_no_dnn, "opencv": W.opencv_cudnn},
    C.TORCH_CPU: {"aten_cuda": aten_cuda_not_loaded, "torch_variant": W.torch_variant_lib},
    C.NCCL_SHM: {"sigbus": shm_sigbus, "shm_small": W.shm_small},
    C.NO_DRIVER: {"conda_virtual": W.conda_virtual, "kernel_module": W.kernel_module, "smi_missing": W.smi_missing,
                  "vgpu_guest": W.vgpu_guest, "beagle": W.beagle_driver},
    C.COMPANION: {"torch_variant": W.torch_variant_lib},
}

