"""Answers for wordings whose message names a class of failure more than its cause: Windows' 'The specified procedure
could not be found' (error 127) and exit status 0xc0000139, a library cut short ('ELF load command past end of file'),
a plain Windows DLL not found (cuDNN 8's zlibwapi.dll), the Kubernetes device plugin without NVML, CuPy's Jitify,
LLVM without the GPU's architecture, torch's 'device < num_gpus' assertion, a library that needs a newer GPU
generation ('only supports Ampere GPUs or newer'), Triton's ptxas ending with -1, an extension without a build for the
GPU's compute capability, CUDA's 'named symbol not found', a program's own minimum (TensorFlow, TensorRT, xFormers,
bitsandbytes' int8), macOS' dyld without a CUDA library, docker without --gpus, Apptainer's --nv without driver
libraries. Where the message has several causes the answer is medium and names what tells them apart."""
from __future__ import annotations

import re

from envcheck.explain import answers as A
from envcheck.explain import codes as C
from envcheck.explain import machine_facts as F
from envcheck.explain.answers import Answer, Ctx
from envcheck.explain.patterns import Match, generation

WIN_TOOLS = ("Dependencies (lucasg/Dependencies) opened on the .pyd shows which DLL it resolved and which import is "
             "missing from it")


def win_proc_not_found(mo: Match, ctx: Ctx) -> Answer:
    """Windows' error 127: the module's DLLs were found, one of them lacks a function the module imports."""
    module = mo.get("module") or mo.get("subject")
    torch_ext = mo.code == C.EXT_ABI
    cause = (f"Windows found the DLLs {module} needs but one of them lacks a function {module} imports (error 127, "
             "'procedure not found', in any language; a DLL not found at all is error 126, 'module not found'): "
             f"{module} was built against another release of a DLL it uses")
    if torch_ext:
        cause += (": for a torch extension most often torch's own (c10.dll, torch_cpu.dll), i.e. a wheel built for "
                  "another torch version than the one installed; else a CUDA DLL of another release found first on PATH")
    facts = F.torch_facts(ctx.m)
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda)\"", "torch",
                      "the torch the extension must be built for") if torch_ext else []
    cmds.append("where cudart64_12.dll cublas64_12.dll c10.dll    # in a Windows prompt: an older copy found first on PATH")
    actions = [f"install the build of {module}'s package made for this torch and CUDA (or the torch it was built for); "
               "an extension built from source must be rebuilt after torch changes",
               WIN_TOOLS]
    title = (f"{module} was built against another torch (a DLL lacks a function it imports)" if torch_ext
             else f"A DLL {module} uses lacks a function it imports (another release)")
    return Answer(title, cause, facts, cmds, actions, "medium")


def entrypoint_not_found(mo: Match, ctx: Ctx) -> Answer:
    """Windows' STATUS_ENTRYPOINT_NOT_FOUND (0xc0000139) as a process's exit: a DLL without a function it imports."""
    facts = [F.driver_fact(ctx.m)]
    cause = ("the process exited with 0xc0000139 (STATUS_ENTRYPOINT_NOT_FOUND): Windows loaded a DLL that lacks a "
             "function the program imports. For a GPU runner the threads found an NVIDIA driver too old for the CUDA "
             "the runner was built with (nvcuda.dll without the newer entry points); else DLLs of another release "
             "than the program's (an older CUDA or C++ runtime DLL found first on PATH, a partial upgrade)")
    cmds = ["nvidia-smi    # the driver version and the newest CUDA it runs",
            "where nvcuda.dll cudart64_12.dll cublas64_12.dll msvcp140.dll    # in a Windows prompt: copies on PATH"]
    actions = ["update the NVIDIA driver (a current Game Ready/Studio or data-center driver)",
               "reinstall the program so that its DLLs are of one release; remove older CUDA directories from PATH"]
    return Answer("A DLL lacks a function the program imports (an old driver, or mixed DLLs)", cause, facts, cmds,
                  actions, "medium")


def corrupt_library(mo: Match, ctx: Ctx) -> Answer:
    """'X.so: ELF load command past end of file' / 'file too short' / 'invalid ELF header': X is there, not whole."""
    so, why = mo.get("soname"), mo.get("corrupt")
    cause = (f"{so} was found but the loader could not read it ('{why}'): the file is cut short or is not an ELF "
             "library at all (an interrupted download, copy or extraction, a full disk, a Git LFS pointer, a file of "
             "another platform), not missing")
    cmds = [f"find / -name '{so}' -xdev 2>/dev/null | xargs ls -l    # the copy's size, compared with a good one",
            "file $(find / -name '" + so + "' -xdev 2>/dev/null | head -1)    # 'ELF 64-bit ... shared object' when whole",
            "df -h .    # a full disk cuts files short"]
    actions = [f"reinstall the package that ships {so} (pip install --force-reinstall --no-cache-dir PACKAGE, or the "
               "system package), after freeing disk space if it is full"]
    if why.lower() == "file too short" and "aarch64-linux-gnu" in mo.line:
        cause += ("; on a Jetson, l4t images hold empty placeholders for CUDA, cuDNN and TensorRT that --runtime nvidia "
                  "replaces with the device's own libraries, so an empty one means the container was started without "
                  "the NVIDIA runtime or JetPack on the device lacks that library")
        actions.insert(0, "on a Jetson: start the container with --runtime nvidia, and install the library on the "
                          "device itself (sudo apt install nvidia-jetpack, or SDK Manager) so the runtime can mount it")
    return Answer(f"{so} is damaged or cut short (not missing)", cause, [], cmds, actions, "medium")


def corrupt_driver_library(mo: Match, ctx: Ctx) -> Answer:
    """'libnvidia-ml.so.1: file too short' (or libcuda.so.1): the driver's library is there, empty or cut short. In a
    container, that is a placeholder: an image built while the NVIDIA runtime was Docker's default keeps the empty
    files the runtime mounted over during the build (Jetson l4t images ship them on purpose), and only a container
    started with the NVIDIA runtime gets the host's copies mounted over them."""
    so, why = mo.get("soname"), mo.get("corrupt")
    cause = (f"{so} is the NVIDIA driver's own library, and here it is there but unreadable ('{why}'): in a container "
             "that is an empty placeholder the NVIDIA runtime mounts the host's copy over, so the container was "
             "started without the NVIDIA runtime (no --gpus all / --runtime=nvidia; a Kubernetes node without the "
             "NVIDIA container runtime or device plugin). Images built while the NVIDIA runtime was Docker's "
             "default keep such empty files; Jetson l4t images ship them on purpose. On a host, the driver's "
             "install was cut short")
    cmds = [f"ls -l $(ldconfig -p | awk '/{so.split('.so')[0]}\\.so/ {{print $NF}}')    # 0 bytes: a placeholder",
            "docker run --rm --gpus all IMAGE nvidia-smi    # the same image with the NVIDIA runtime"]
    actions = ["start the container with the NVIDIA runtime (docker run --gpus all, or --runtime=nvidia; on Kubernetes "
               "the NVIDIA device plugin or GPU operator, and a resource limit nvidia.com/gpu)",
               f"or rebuild the image without the empty driver files (rm the 0-byte {so} in the Dockerfile, or build "
               "with Docker's default runtime set back to runc)",
               "on a host (not a container): reinstall the NVIDIA driver"]
    return Answer(f"{so}: the driver's library is an empty placeholder (no NVIDIA runtime)", cause,
                  [f"container: {A._in_container_words(ctx.m)}", F.driver_fact(ctx.m)], cmds, actions, "medium")


def dll_not_found_status(mo: Match, ctx: Ctx) -> Answer:
    """A process that exited with Windows' STATUS_DLL_NOT_FOUND (0xC0000135): a DLL it imports was not found when it
    started, before any of its own code ran, so it printed nothing itself."""
    cause = ("the process exited with 0xC0000135, Windows' STATUS_DLL_NOT_FOUND: a DLL it links against was not on "
             "the DLL search path when it started. For a GPU runner (ollama's or llama.cpp's CUDA backend, a CUDA "
             "build of a program) that is most often the CUDA runtime DLLs (cudart64_12.dll, cublas64_12.dll, "
             "cublasLt64_12.dll) the build expects beside it or on PATH; else the Visual C++ runtime (vcruntime140.dll, "
             "msvcp140.dll)")
    cmds = ["where cudart64_12.dll cublas64_12.dll cublasLt64_12.dll vcruntime140.dll msvcp140.dll    # in a Windows "
            "prompt: which of them PATH finds"]
    actions = ["reinstall the program's full build, the one that ships its CUDA DLLs beside the runner (or install the "
               "CUDA toolkit of the major it was built for and put its bin folder on PATH)",
               "install the latest Microsoft Visual C++ Redistributable (x64)",
               "Dependencies (lucasg/Dependencies) opened on the runner's .exe names the DLL it did not find"]
    return Answer("A DLL the process needs at start was not found (0xC0000135)", cause, [], cmds, actions, "medium")


def torch_arch_unknown(mo: Match, ctx: Ctx) -> Answer:
    """torch's cpp_extension 'Unknown CUDA arch (12.0) or GPU not supported': the architecture to build for (from
    TORCH_CUDA_ARCH_LIST or the GPU seen) is not in this torch release's list."""
    sm = mo.get("sm")
    cc = f"{sm[3:-1]}.{sm[-1]}"
    cause = (f"torch's extension builder (torch.utils.cpp_extension) was asked to build for compute capability {cc} "
             "(TORCH_CUDA_ARCH_LIST, or the GPU it detected) and this torch release does not know that architecture: "
             "a GPU newer than the release (an older torch building for a Blackwell card), or an architecture its CUDA "
             "no longer supports")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.cuda.get_arch_list())\"", "torch",
                      "the architectures this torch knows") + ["echo $TORCH_CUDA_ARCH_LIST    # the list asked for, if set"]
    actions = [f"install a torch release whose CUDA build lists sm_{sm[3:]} (torch.cuda.get_arch_list()), then rebuild "
               "the extension", "or set TORCH_CUDA_ARCH_LIST to architectures this torch lists (the GPU then needs "
               "PTX of a lower one: add +PTX)"]
    return Answer(f"This torch does not know compute capability {cc} (building an extension)", cause,
                  [F.gpu_fact(ctx.m)], cmds, actions)


def cudnn_min_sm(mo: Match, ctx: Ctx) -> Answer:
    """torch's check that the cuDNN loaded supports the GPU: cuDNN 9.11 and later need compute capability 7.5."""
    ver, need = mo.get("cudnn_version"), mo.get("need_cc")
    cause = (f"the cuDNN loaded ({ver}) supports only GPUs of compute capability {need} and newer (cuDNN 9.11 dropped "
             "Pascal and Volta: Tesla P100, V100, GTX 10xx), and this GPU is older; torch stops rather than fail inside "
             "cuDNN")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.backends.cudnn.version())\"", "torch",
                      "the cuDNN torch loads") + ["nvidia-smi --query-gpu=name,compute_cap --format=csv"]
    actions = ["install a torch build that bundles a cuDNN older than 9.11 (an earlier torch release), or pin the "
               "nvidia-cudnn-cu12 wheel below 9.11 in this environment",
               "or turn cuDNN off for this GPU (torch.backends.cudnn.enabled = False; slower convolutions)",
               f"or run on a GPU of compute capability {need} or newer"]
    return Answer(f"cuDNN {ver} does not support this GPU (compute capability below {need})", cause,
                  [F.gpu_fact(ctx.m)], cmds, actions)


def gpu_rejected(mo: Match, ctx: Ctx) -> Answer:
    """'The device Tesla K80 with computed capability 3.7 does not support HOOMD-blue.': a program's own minimum
    compute capability, above this GPU's."""
    prog, cc, gpu = mo.get("rejected_by"), mo.get("have_cc"), mo.get("gpu")
    if mo.get("supported"):
        cause = (f"{prog} runs only on the compute capabilities it lists ({mo.get('supported')}) and this GPU's, {cc} "
                 f"({generation(cc)}), is not among them: its kernels were written or tuned for those GPUs only. No "
                 "driver or CUDA change alters that")
        return Answer(f"{prog[:1].upper()}{prog[1:]} does not support this GPU (compute capability {cc})", cause,
                      [F.gpu_fact(ctx.m)], [] if ctx.m.sm else [F.LEARN_GPU],
                      [f"run {prog} on a GPU of a listed compute capability, or use a release or a build that lists "
                       f"{cc}"])
    newer = generation(cc) in ("Hopper", "Blackwell")       # compute capability 9.0 and up
    cause = (f"{prog} checked the GPU ({gpu}, compute capability {cc}, {generation(cc)}) against the architectures its "
             "release supports and rejected it: " + (
                 "a GPU newer than this release knows (a newer release, or a build for this architecture, supports it)"
                 if newer else "a GPU older than this release supports (it no longer supports, or never supported, that "
                 "generation)") + ". No driver or CUDA change alters that")
    actions = ([f"install a newer {prog} release (its release notes name the architectures it supports), or build it "
                f"from source for compute capability {cc}"] if newer else
               [f"install an older {prog} release whose minimum compute capability is {cc} or lower (its changelog or "
                "install notes name the minimum), or build it from source for that capability where it allows",
                "or run on a newer GPU"])
    return Answer(f"{prog} does not support this GPU (compute capability {cc})", cause, [F.gpu_fact(ctx.m)],
                  [] if ctx.m.sm else [F.LEARN_GPU], actions)


def conda_virtual(mo: Match, ctx: Ctx) -> Answer:
    """An unmet virtual package in conda's, mamba's or pixi's solve: __cuda (the CUDA the driver supports, read from
    libcuda or nvidia-smi where the solver runs) missing or older than the packages need, or __glibc too old."""
    pkg, need, have = mo.get("conda_virtual"), mo.get("need"), mo.get("have") or mo.get("driver_cuda")
    facts = [F.driver_fact(ctx.m)]
    cmds = ["conda info | grep -A8 'virtual packages'    # what the solver sees here (pixi info; micromamba info)"]
    if pkg == "__glibc":
        cause = (f"a package needs glibc {need or 'newer'} and this system's is {have or 'older'} (the solver's __glibc "
                 "virtual package comes from the C library installed, which no conda package replaces)")
        cmds.append("ldd --version | head -1    # the system's glibc")
        return Answer(f"The system's glibc is older than a package needs (__glibc{' ' + need if need else ''})", cause,
                      facts, cmds, ["install a build of the package made for an older glibc (an older release), or "
                                    "run on a newer OS or base image (glibc 2.28+: RHEL 8, Ubuntu 20.04)"], "medium")
    override = (f"where the environment is built without the GPU (docker build, a login node): set CONDA_OVERRIDE_CUDA "
                f"to the CUDA the run machine's driver supports{f' (at least {need})' if need else ''} for the "
                "install (conda, mamba, micromamba and pixi all read it)")
    cmds.append("nvidia-smi | head -4    # the driver here and the CUDA it supports (absent: no driver visible)")
    if have:
        cause = (f"the packages need a driver for CUDA {need or 'newer than ' + have} and the driver where the solver ran "
                 f"supports CUDA {have} (the __cuda virtual package is read from the driver, not from any CUDA toolkit)")
        actions = [f"upgrade the NVIDIA driver to one for CUDA {need}" if need else "upgrade the NVIDIA driver",
                   f"or install the packages' build for CUDA {have} or older (e.g. pytorch-cuda={have})", override]
        return Answer(f"The driver's CUDA ({have}) is older than the packages need"
                      f"{f' (__cuda {need})' if need else ''}", cause, facts, cmds, actions, "medium")
    cause = (f"the packages need the __cuda virtual package{' ' + need if need else ''} and the solver found none: "
             "conda, mamba and pixi set it from the NVIDIA driver (libcuda or nvidia-smi) on the machine where the "
             "solve runs, and there is none there (a docker build, a CPU login node, a container started without the "
             "NVIDIA runtime); a driver older than the requirement can read the same way in mamba's words")
    actions = [override, "on the GPU machine: install the NVIDIA driver, or start the container with --gpus all"]
    return Answer("The solver sees no NVIDIA driver (__cuda virtual package missing)", cause, facts, cmds, actions,
                  "medium")


def framework_rebuilt(mo: Match, ctx: Ctx) -> Answer:
    """Horovod's 'Framework pytorch installed with version A but found version B': Horovod compiles its ops against
    the framework present at install time; the framework changed after."""
    fw, built, found = mo.get("framework"), mo.get("built_with"), mo.get("found")
    flag = {"pytorch": "HOROVOD_WITH_PYTORCH", "tensorflow": "HOROVOD_WITH_TENSORFLOW", "mxnet": "HOROVOD_WITH_MXNET"}[fw]
    cause = (f"Horovod compiled its {fw} ops against {fw} {built} when it was installed, and {found} is installed now: "
             "its compiled ops do not match the framework's C++ ABI (a framework upgraded or reinstalled after Horovod)")
    cmds = [f"pip uninstall -y horovod && {flag}=1 pip install --no-cache-dir horovod    # rebuilt against {fw} {found}"]
    actions = [f"or put {fw} back to {built}, the version Horovod was built against"]
    return Answer(f"Horovod was built against {fw} {built}, not {found}", cause, [], cmds, actions)


def nccl_stub(mo: Match, ctx: Ctx) -> Answer:
    """XGBoost's NCCL stub: "Failed to load NCCL symbol `X` from <libnccl.so.2>": the NCCL it opened lacks a function
    it calls, an older NCCL than the one XGBoost was built against."""
    sym, lib = mo.get("symbol"), mo.get("nccl_stub")
    cause = (f"XGBoost opened {lib} and it does not define {sym}: that NCCL is older than the one XGBoost was built "
             "against (XGBoost 2.1 and later load NCCL at run time, from the nvidia-nccl-cu12 wheel or whichever "
             "libnccl.so.2 it is pointed at)")
    cmds = F.for_each(ctx.m, "{py} -m pip show nvidia-nccl-cu12 xgboost", "xgboost", "the NCCL wheel XGBoost should load")
    cmds.append(f"strings {lib} | grep -m1 'NCCL version'    # the release of the copy it opened" if lib.startswith("/")
                else "ldconfig -p | grep libnccl    # the copies the loader knows")
    actions = ["install (or upgrade) the nvidia-nccl-cu12 wheel in XGBoost's environment and let XGBoost load it, or "
               f"upgrade the NCCL at {lib} to the release XGBoost's notes require"]
    return Answer(f"The NCCL XGBoost loaded is too old (no {sym})", cause, [], cmds, actions)


def cuda_python_driver(mo: Match, ctx: Ctx) -> Answer:
    """CuTe DSL's 'CUDA driver version 12080 is below the minimum required version for the installed cuda-python
    package 13000': the bindings are for a newer CUDA major than the driver runs."""
    drv, need = mo.get("driver_cuda"), mo.get("runtime_cuda")
    major = need.split(".")[0]
    cause = (f"the installed cuda-python bindings are for CUDA {need} and the driver supports CUDA {drv}: bindings of "
             f"CUDA {major} need a driver of that major (CUDA's minor-version compatibility does not cross a major)")
    cmds = F.for_each(ctx.m, "{py} -m pip show cuda-python cuda-bindings", "cuda-python", "the bindings installed")
    cmds.append("nvidia-smi | head -4    # the driver and the CUDA it supports")
    actions = [f"install the bindings of the driver's CUDA major: pip install 'cuda-python<{major}' (and the "
               f"package's CUDA {drv.split('.')[0]} variant where it has one)",
               f"or upgrade the NVIDIA driver to one for CUDA {need}"]
    return Answer(f"cuda-python {need} needs a newer driver than this one (CUDA {drv})", cause, [F.driver_fact(ctx.m)],
                  cmds, actions)


ZLIB = ("cuDNN 8 on Windows needs zlibwapi.dll, which it does not ship: NVIDIA's cuDNN install guide has it downloaded "
        "(the ZLIB DLL) and put in a directory on PATH, e.g. beside cudnn64_8.dll; cuDNN 9 no longer needs it")


def plain_dll(mo: Match, ctx: Ctx) -> Answer:
    """A Windows DLL (not a CUDA library's) that a program could not find on the DLL search path."""
    dll = mo.get("plain_dll")
    if dll.lower() == "zlibwapi.dll":
        cause = ZLIB
    else:
        cause = (f"{dll} is not on the DLL search path (the program's directory, PATH): the package or SDK that ships "
                 "it is not installed, or its directory is not on PATH")
    cmds = [f"where {dll}    # in a Windows prompt: empty when no directory on PATH holds it"]
    if mo.get("bad_arch"):
        return _dll_other_arch(dll, cmds)
    actions = [f"install what ships {dll} and add its directory to PATH, then open a new prompt"]
    return Answer(f"{dll} is not found", cause, [], cmds, actions)


def jcuda_native(mo: Match, ctx: Ctx) -> Answer:
    """JCuda's 'Error while loading native library "JCublas2-0.8.0-windows-x86_64"': the library is in JCuda's jar; the
    CUDA libraries it links against, of the CUDA release its version names, are not found."""
    lib, cuda = mo.get("jcuda"), mo.get("cuda")
    windows = mo.get("os") == "windows"
    cause = (f"JCuda's native library {lib} comes with its jar, and links against the CUDA {cuda} runtime libraries "
             f"(JCuda's version is the CUDA release it was built for): they were not found, because the CUDA "
             f"installed is another release, or its {'bin directory is not on PATH' if windows else 'lib64 directory is not on the loader path'}")
    where = ("where cudart64_*.dll cublas64_*.dll nvrtc64_*.dll    # in a Windows prompt: the CUDA release on PATH"
             if windows else "ldconfig -p | grep -E 'libcudart|libcublas|libnvrtc'    # the CUDA release the loader finds")
    actions = [f"install the CUDA {cuda} toolkit (with its {'bin on PATH' if windows else 'lib64 on the loader path'}), "
               "or use the JCuda release built for the CUDA installed"]
    return Answer(f"JCuda's {lib} needs the CUDA {cuda} libraries", cause, [], [where], actions)


def _dll_other_arch(dll: str, cmds) -> Answer:
    """Windows' error 193 (ERROR_BAD_EXE_FORMAT): the DLL was found, built for another architecture."""
    cause = (f"Windows found {dll} but could not load it: error 193 is 'not a valid Win32 application', a DLL built for "
             "another processor architecture than the process (a 32-bit copy in a 64-bit Python), so the first copy "
             "on PATH is the wrong build, not a missing one")
    if dll.lower() == "zlibwapi.dll":
        cause += "; cuDNN 8 needs the 64-bit zlibwapi.dll (the x64 ZLIB DLL NVIDIA's install guide points to)"
    actions = [f"replace every 32-bit {dll} the prompt's 'where' lists (first on PATH wins) with the 64-bit build, "
               "then open a new prompt"]
    return Answer(f"{dll} is a build for another architecture (32/64-bit)", cause, [], cmds, actions)


def device_plugin_nvml(mo: Match, ctx: Ctx) -> Answer:
    """NVIDIA's Kubernetes device plugin that cannot load NVML: its container got no NVIDIA runtime."""
    facts = [F.driver_fact(ctx.m)]
    cause = ("the NVIDIA device plugin runs in a container and loads NVML (libnvidia-ml.so.1) from the driver, which "
             "only the NVIDIA container runtime injects: on this node the plugin's pod ran with the default runc "
             "(containerd's or CRI-O's default runtime is not nvidia, and the plugin's DaemonSet sets no "
             "runtimeClassName: nvidia); less often the node has no NVIDIA driver at all")
    cmds = ["nvidia-smi    # on the node: the driver is installed and works",
            "grep -n -A3 'default_runtime_name\\|runtimes.nvidia' /etc/containerd/config.toml    # containerd: is "
            "nvidia the default runtime?",
            "ls /etc/crio/crio.conf.d/    # CRI-O: a drop-in that makes nvidia the default runtime",
            "kubectl get runtimeclass    # a RuntimeClass 'nvidia' to name in the plugin's pod spec"]
    actions = ["on the node: sudo nvidia-ctk runtime configure --runtime=containerd --set-as-default (or "
               "--runtime=crio), restart containerd/CRI-O, then restart the device plugin pod; or set "
               "runtimeClassName: nvidia in its DaemonSet (the GPU Operator does both)"]
    return Answer("The device plugin's container has no NVIDIA runtime", cause, facts, cmds, actions, "medium")


def jitify_failed(mo: Match, ctx: Ctx) -> Answer:
    """CuPy's 'JitifyException: Runtime compilation failed': NVRTC could not compile CuPy's kernels at all."""
    cause = ("CuPy compiles its kernels with NVRTC at run time and the compilation failed as a whole: the threads found "
             "libnvrtc picking up libnvrtc-builtins or CUDA headers of another CUDA release (a system CUDA on "
             "LD_LIBRARY_PATH or CUDA_PATH beside CuPy's own), or a cupy package for another CUDA major than the "
             "driver's; the lines above the exception name the header or builtin that failed")
    cmds = ["echo \"$LD_LIBRARY_PATH $CUDA_PATH\"    # another CUDA's lib64 or headers here is picked first",
            "python3 -c \"import cupy; cupy.show_config()\"    # CuPy's CUDA, its NVRTC and the paths it uses"]
    actions = ["remove the other CUDA from LD_LIBRARY_PATH/CUDA_PATH, or install the cupy-cudaXXx package and "
               "nvidia-cuda-nvrtc wheel of one CUDA release"]
    return Answer("NVRTC (CuPy's runtime compiler) failed: likely CUDA libraries of mixed releases", cause, [], cmds,
                  actions, "medium")


def llvm_arch(mo: Match, ctx: Ctx) -> Answer:
    """LLVM's ''sm_120' is not a recognized processor for this target': the compiler (Triton's) predates the GPU."""
    sm = mo.get("sm")
    facts = [F.gpu_fact(ctx.m)]
    cause = (f"the LLVM that compiles the GPU code (Triton's bundled LLVM, or numba's/another JIT's) does not know "
             f"{sm}: the compiler release is older than this GPU's architecture")
    cmds = F.for_each(ctx.m, "{py} -m pip install --upgrade triton", "torch", f"a Triton release that knows {sm}")
    actions = [f"upgrade Triton together with torch (a torch build with {sm}: for sm_120, torch built with CUDA 12.8 "
               "and its Triton 3.3 or later), or disable the compiled path (torch.compile, the Triton kernels)"]
    return Answer(f"The GPU compiler does not know {sm}", cause, facts, cmds, actions)


def triton_cuda(mo: Match, ctx: Ctx) -> Answer:
    """Triton's 'Triton only supports CUDA 10.0 or higher, but got CUDA version: 12.8': its table of CUDA releases
    (for the PTX version to emit) ends before the CUDA of the ptxas it found."""
    ver = mo.get("triton_cuda")
    cause = (f"this Triton release predates CUDA {ver}: it looks up the CUDA release of the ptxas it uses to choose "
             f"a PTX version, finds none for {ver}, and falls through to a misleading 'only supports CUDA 10.0 or "
             f"higher'. The ptxas is from CUDA {ver}: the one TRITON_PTXAS_PATH names, a system toolkit's "
             "(CUDA_HOME, CUDA_PATH on Windows), or one bundled for a newer CUDA. A GPU that needs that CUDA (a "
             "Blackwell sm_120 needs CUDA 12.8) needs a Triton that knows it")
    cmds = F.for_each(ctx.m, "{py} -m pip install --upgrade triton", "torch", f"a Triton release that knows CUDA {ver}")
    cmds.append("echo \"TRITON_PTXAS_PATH=$TRITON_PTXAS_PATH CUDA_HOME=$CUDA_HOME\"    # a newer toolkit's ptxas "
                "picked instead of Triton's own")
    actions = ["upgrade Triton with torch (torch pins the Triton release it was built with, so upgrade the pair: "
               "pip install --upgrade torch triton; on Windows a current triton-windows)",
               "or point TRITON_PTXAS_PATH (or CUDA_HOME) at a toolkit this Triton knows"]
    facts = [F.gpu_fact(ctx.m)] + [f"pythons: triton {v} in {where}" for where, v in F.packages_with(ctx.m, "triton")][:3]
    return Answer(f"This Triton does not know CUDA {ver}", cause, facts, cmds, actions)


def opencv_cudnn(mo: Match, ctx: Ctx) -> Answer:
    """OpenCV's 'cuDNN reports version 8201 which does not match with the version 8000 with which OpenCV was built':
    its DNN CUDA backend checks the cuDNN it loads against the one it was compiled with."""
    built, found = mo.get("built"), mo.get("found")
    cause = (f"OpenCV's DNN CUDA backend was compiled against cuDNN {built} and the cuDNN loaded is {found}: OpenCV "
             "checks the major and minor release and warns (then its CUDA layers may fail) when they differ, in "
             "either direction. The usual cause is a cuDNN upgraded (a JetPack/L4T update, a new CUDA image, a pip "
             "nvidia-cudnn wheel) after OpenCV was built, or an OpenCV build (a container's, a wheel's) made for "
             "another cuDNN than the machine has")
    cmds = F.for_each(ctx.m, "{py} -c \"import cv2; print(cv2.getBuildInformation())\" | grep -i -A3 cudnn",
                      "opencv-python", "the cuDNN OpenCV was built with")
    cmds.append("ldconfig -p | grep libcudnn    # the cuDNN the loader finds")
    actions = [f"rebuild OpenCV with CUDA against the cuDNN installed ({found}), or install the cuDNN {built} it was "
               "built with where it is loaded from; on Jetson, an OpenCV build made for this JetPack release"]
    return Answer(f"OpenCV was built with cuDNN {built}, cuDNN {found} is loaded", cause, [], cmds, actions)


def num_gpus_assert(mo: Match, ctx: Ctx) -> Answer:
    """torch's 'device >= 0 && device < num_gpus' assertion: an index the process cannot see (MIG: one per process)."""
    a = A.no_device(mo, ctx)
    a.cause = ("torch was asked for a GPU index the process cannot see (device < num_gpus failed): an index beyond "
               "the GPUs visible (CUDA_VISIBLE_DEVICES, cuda:N), or with MIG a process that sees only one MIG device "
               "(CUDA enumerates a single MIG instance per process), so only cuda:0 exists")
    a.commands = ["nvidia-smi -L    # the GPUs and MIG devices (MIG-<uuid>) there are",
                  "echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\"    # with MIG: one MIG-<uuid> per process"]
    a.actions = ["use an index below torch.cuda.device_count() (with MIG: cuda:0, one MIG device per process via "
                 "CUDA_VISIBLE_DEVICES=MIG-<uuid>)"]
    a.title = "No GPU with that index visible to the process"
    return a


def _sm_here(ctx: Ctx, need_cc: str) -> str:
    """What the GPU here says about a requirement of compute capability `need_cc` ('' when the GPU is not known)."""
    m = ctx.m
    if not m.sm:
        return ""
    if float(m.gpu_cc) >= float(need_cc):
        return (f". The GPU here ({m.gpu_name}, sm_{m.sm}) is new enough: the message came from another machine or "
                "another GPU of it (CUDA_VISIBLE_DEVICES)")
    return f". The GPU here is {m.gpu_name} (sm_{m.sm}), older than that"


def feature_arch(mo: Match, ctx: Ctx) -> Answer:
    """'FlashAttention only supports Ampere GPUs or newer': the library's kernels need a newer GPU generation."""
    feature, gen, need = mo.get("feature"), mo.get("need_gen"), mo.get("need_cc")
    if mo.get("generic"):
        return _requirement_arch(mo, ctx, feature, gen, need)
    cause = (f"{feature}'s kernels need a GPU of the {gen} generation or newer (compute capability >= {need}) and this "
             f"GPU is older (a T4 or RTX 20xx is Turing, 7.5; a V100 is Volta, 7.0): no build or version of "
             f"{feature} changes that; turn it off and use the framework's own attention (or run on a newer GPU)"
             + _sm_here(ctx, need))
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = [f"load the model without {feature}: in transformers attn_implementation=\"sdpa\" (or \"eager\"), "
               "drop use_flash_attention_2=True / --flash-attn; in vLLM another attention backend "
               "(VLLM_ATTENTION_BACKEND=XFORMERS)",
               f"or run on a GPU of compute capability >= {need} (A100, A10, L4, RTX 30xx/40xx, H100)"]
    return Answer(f"{feature} needs a GPU of the {gen} generation or newer", cause, [F.gpu_fact(ctx.m)], cmds, actions)


GENERATION_STARTS = ("3.0", "5.0", "6.0", "7.0", "7.5", "8.0", "8.9", "9.0", "10.0", "12.0")


def _requirement_arch(mo: Match, ctx: Ctx, feature: str, gen: str, need: str) -> Answer:
    """'requires sm_80 or higher', ptxas' "Feature '.bf16' requires .target sm_80 or higher": the code needs a newer
    GPU generation (an instruction or data type this GPU lacks)."""
    if mo.get("named_feature"):
        have = mo.get("have_cc")
        cause = (f"{feature} needs a GPU of compute capability {need} or newer and this GPU's is {have or 'lower'}: "
                 f"the hardware lacks what {feature} uses, so no build or version changes that" + _sm_here(ctx, need))
        return Answer(f"{feature[:1].upper() + feature[1:] if ' ' in feature else feature} needs compute capability >= {need}", cause, [F.gpu_fact(ctx.m)],
                      [] if ctx.m.sm else [F.LEARN_GPU],
                      [f"run without {feature} (the program's option for another kernel or path)",
                       f"or run on a GPU of compute capability >= {need}"])
    recent = float(need) >= 7.0       # a feature of recent GPUs; below that, a build that dropped old ones
    mid = need not in GENERATION_STARTS  # a minimum inside a generation (3.7 is a Kepler, as the K40m's 3.5 is)
    cause = ((f"{feature} needs compute capability {need} or higher and this GPU's is lower: "
              if mid else f"{feature} needs a GPU of the {gen} generation or newer (compute capability >= {need}) "
                          "and this GPU is older: ") + "code compiled for newer GPUs only, "
             + ("typically a bfloat16 or fp8 path or a fused attention kernel; the program's option for older GPUs "
                "avoids it" if recent else "its build (or its framework's) starts above this GPU's generation")
             + _sm_here(ctx, need))
    if mo.get("have_cc"):
        cause += f"; the message gives the GPU's own as {mo.get('have_cc')} ({mo.get('have_gen')})"
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["use the program's path for older GPUs: float16 instead of bfloat16 (--dtype half), no fp8 checkpoint "
               "or KV cache, the framework's own attention (attn_implementation=\"sdpa\"), no torch.compile"
               if recent else "an older release of the program (or of the framework it is built on) that still "
                              "supports this GPU's generation",
               f"or run on a GPU of compute capability >= {need}"]
    if re.search(r"flashinfer", ctx.message, re.IGNORECASE):
        cause += ("; FlashInfer compiles its kernels at run time with the CUDA toolkit here and says the same when that "
                  "nvcc cannot compile for a newer GPU (a Blackwell sm_120 with a toolkit older than CUDA 12.8/12.9)")
        actions.append("on a GPU newer than the toolkit (nvcc --version; nvcc --list-gpu-arch): a CUDA toolkit that "
                       "knows it, with CUDA_HOME set to it, for FlashInfer's JIT")
    title = f"needs compute capability >= {need}" if mid else f"needs a GPU of the {gen} generation or newer"
    return Answer(f"{feature[0].upper() + feature[1:]} {title}", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def ptxas_crash(mo: Match, ctx: Ctx) -> Answer:
    """Triton's '`ptxas` failed with error code 4294967295' (-1): ptxas ended without a diagnostic."""
    sm = mo.get("sm")
    cause = ("ptxas, which Triton runs to compile its kernels, ended with -1 (4294967295 unsigned) and printed no "
             "reason. The threads found a GPU older than the kernel's instructions need (Triton kernels using "
             "bfloat16 or fp8 need an Ampere sm_80 or Ada sm_89 GPU; the model's compiled path supports only those)"
             + (f"; the repro command compiles for {sm}" if sm else "")
             + "; less often ptxas itself could not run (a CUDA toolkit's ptxas on PATH of another release)")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    cmds += F.for_each(ctx.m, "{py} -c \"import triton; print(triton.__version__)\"", "triton", "the Triton in use")
    actions = ["on a GPU older than Ampere: turn the compiled path off (no torch.compile, the program's option for its "
               "Triton kernels), and load the model in float16 instead of bfloat16",
               "else: upgrade Triton with its torch, and unset TRITON_PTXAS_PATH if it points at another CUDA's ptxas"]
    return Answer("ptxas (Triton's compiler) failed without a reason: likely a GPU too old for the kernel",
                  cause, [F.gpu_fact(ctx.m)], cmds, actions, "medium")


def extension_arch(mo: Match, ctx: Ctx) -> Answer:
    """'Could not find compatible tinycudann extension for compute capability 87': no build of it for this GPU."""
    pkg, sm = mo.get("package"), mo.get("ext_sm")
    cc = f"{sm[3:-1]}.{sm[-1]}"
    cause = (f"{pkg}'s compiled extension was built for other GPU architectures than {sm} (compute capability {cc}): "
             f"a wheel made elsewhere, or a build whose architecture list left {sm} out; build it here for this GPU")
    cmds = [f"export TORCH_CUDA_ARCH_LIST=\"{cc}\"    # the architecture to build for ({pkg} may read its own "
            "variable, e.g. TCNN_CUDA_ARCHITECTURES=" + sm[3:] + ")"]
    cmds += F.for_each(ctx.m, "{py} -m pip install --force-reinstall --no-cache-dir --no-build-isolation --no-binary "
                       + pkg + " " + pkg, None, f"{pkg} built here for {sm}")
    actions = [f"or install a {pkg} build whose architecture list has {sm} (its release notes or install page list them)"]
    return Answer(f"{pkg} has no build for {sm}", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def symbol_not_found(mo: Match, ctx: Ctx) -> Answer:
    """CUDA's 'named symbol not found' (error 500): a kernel or device symbol looked up by name is not in the module;
    'invalid device symbol' (error 13): a __device__ or __constant__ symbol the code copies to is not."""
    a = A.no_kernel(mo, ctx)
    base = a.cause[0].upper() + a.cause[1:]
    if mo.get("device_symbol"):
        a.cause = ("a __device__ or __constant__ symbol the code copies to (cudaMemcpyToSymbol) is in no module loaded "
                   "for this GPU (CUDA error 13, 'invalid device symbol'). The threads found programs built for other "
                   "GPU architectures only (AutoDock-GPU built without the GPU's compute capability in TARGETS, "
                   "ethminer on a GPU below its minimum), so no module of theirs loaded for this GPU; else a bug in "
                   "the code. " + base)
        a.actions.insert(0, "a program built from source: rebuild it with this GPU's compute capability among its "
                         "targets (TARGETS=\"86\", CMAKE_CUDA_ARCHITECTURES=86 or -gencode=arch=compute_86,code=sm_86 "
                         "for an RTX 30xx; nvidia-smi --query-gpu=compute_cap tells it)")
        a.title = "A device symbol is missing for this GPU (likely a build for other GPUs)"
    else:
        a.cause = ("a kernel or device symbol the code looks up by name is not in the module loaded for this GPU "
                   "(CUDA error 500, 'named symbol not found'). The threads found a library built for other GPU "
                   "architectures only (NCCL built with NVCC_GENCODE for sm_80 and run on sm_90 GPUs), so its module "
                   "for this GPU lacks the kernel; else a library of another release than the code that calls it. "
                   + base)
        a.actions.insert(0, "a library built from source (NCCL, an extension): rebuild it with this GPU's architecture "
                         "in its gencode list (NCCL: make NVCC_GENCODE=\"-gencode=arch=compute_90,code=sm_90\"), or use "
                         "the build that ships with the framework")
        a.title = "A kernel is missing from the module loaded for this GPU (likely built for other GPUs)"
    a.confidence = "medium"
    return a


def _gpu_memory_facts(ctx: Ctx):
    gpus = [g for g in ctx.env.gpus or () if g.memory_mib]
    return [f"gpus[{g.index}]: {g.name} with {g.memory_mib / 1024:.1f} GiB" for g in gpus[:4]] or \
        ["gpus: their memory is not known from these facts (nvidia-smi tells it)"]


MEMORY_CMDS = ["nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv",
               "nvidia-smi --query-compute-apps=pid,used_memory --format=csv    # processes still holding GPU memory"]


def kernel_module(mo: Match, ctx: Ctx) -> Answer:
    """'kernel driver does not appear to be running on this host', modprobe's 'could not insert 'nvidia'': the NVIDIA
    kernel module is not loaded."""
    cause = ("no NVIDIA kernel module is loaded (/proc/driver/nvidia/version is what the loaded module writes): after a "
             "kernel update the driver's module was not rebuilt for the new kernel (DKMS), Secure Boot refused an "
             "unsigned module ('Key was rejected by service'), or the driver was removed or half upgraded; in a "
             "container, one started without the NVIDIA runtime sees the same")
    cmds = ["cat /proc/driver/nvidia/version; lsmod | grep nvidia    # empty: no module loaded",
            "sudo modprobe nvidia && nvidia-smi    # its error says why it does not load",
            "sudo dmesg | grep -iE 'nvidia|NVRM' | tail -20",
            "dkms status    # the driver's module built for this kernel ($(uname -r))?"]
    actions = ["reinstall the driver for the running kernel (Ubuntu: sudo apt install --reinstall nvidia-driver-XXX "
               "linux-headers-$(uname -r), or sudo ubuntu-drivers install), then reboot",
               "with Secure Boot on: enrol the module's key (mokutil) or turn Secure Boot off",
               "in a container: start it with --gpus all (or --runtime=nvidia)"]
    if re.search(r"(?:insert|inserting) '?nvidia[^\n]{0,300}?No such device", ctx.message):
        cause = ("the NVIDIA kernel module found no NVIDIA GPU to drive (modprobe's 'No such device'): the machine has "
                 "none (a CPU instance or node, a cloud instance type without GPUs) or the kernel does not see it (a VM "
                 "without the GPU passed through); a driver installed there cannot load")
        cmds = ["lspci | grep -i nvidia    # empty: no NVIDIA GPU on this machine",
                "nvidia-smi -L    # on the machine that should have run it"]
        actions = ["run on a machine, instance type or node with an NVIDIA GPU (a GPU instance in the cloud; a GPU "
                   "partition in a batch job: --gres=gpu:1), or on CPU where the program allows it",
                   "in a VM: pass the GPU through to it (PCI passthrough / vGPU) before installing the driver"]
        return Answer("No NVIDIA GPU for the driver to load on", cause, [F.driver_fact(ctx.m)], cmds, actions)
    return Answer("The NVIDIA kernel module is not loaded", cause, [F.driver_fact(ctx.m)], cmds, actions)


def unsupported_arch(mo: Match, ctx: Ctx) -> Answer:
    """A program's own 'Unsupported CUDA architecture: sm75': its kernels are not built for this GPU's architecture."""
    sm = mo.get("sm") or ctx.m.sm or ""
    cause = (f"the program checked this GPU's architecture{f' ({sm})' if sm else ''} against those its CUDA kernels "
             f"are written for and {sm or 'it'} is not among them: most often a GPU older than the kernels need (SageAttention 2's and "
             "FlashAttention's fast paths start at Ampere, sm_80, some at sm_89/sm_90), else a GPU newer than this "
             "release knows (a Blackwell sm_120 before the release that added it)")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["use the program's release or path that supports this GPU: an older major for older GPUs "
               "(SageAttention 1 on Turing), a newer release for a newer GPU; or turn the feature off (the "
               "framework's own attention: sdpa)", "or run on a GPU the program lists as supported"]
    return Answer(f"The program's kernels do not support this GPU{f' ({sm})' if sm else ''}", cause,
                  [F.gpu_fact(ctx.m)], cmds, actions)


def kokkos_arch(mo: Match, ctx: Ctx) -> Answer:
    """Kokkos' 'Kokkos::Cuda::initialize ERROR: likely mismatch of architecture' / 'running kernels compiled for
    compute capability X on device with compute capability Y'."""
    here = mo.get("here_cc") or ctx.m.gpu_cc or ""
    built = mo.get("built_cc")
    cause = ("the program was built with Kokkos for another GPU architecture (its Kokkos_ARCH_* option) than this "
             "GPU's, so its kernels cannot run here")
    if built == "0.0":
        cause += " (the reported compute capability 0.0 means the kernel that reads it did not run at all)"
    elif built:
        cause += f" (they were compiled for compute capability {built})"
    if here:
        cause += f"; this GPU is compute capability {here}"
    tag = here.replace(".", "") if here else "XY"
    cmds = [] if here else [F.LEARN_GPU]
    actions = [f"rebuild with the Kokkos_ARCH option of this GPU (CMake: -DKokkos_ARCH_<NAME>{tag}=ON, e.g. "
               "VOLTA70 for a V100, AMPERE80 for an A100, HOPPER90 for an H100: the digits are the compute "
               "capability), or configure on a node with this GPU so CMake detects it",
               "a Spack build: the cuda_arch variant (cuda_arch=" + tag + ")"]
    return Answer("The Kokkos build is for another GPU architecture", cause, [F.gpu_fact(ctx.m)], cmds, actions)


def libtorch_version(mo: Match, ctx: Ctx) -> Answer:
    """torch.rb's compile-time 'static_assert ... "Incompatible LibTorch version"': the binding supports one LibTorch
    release and is being built against another (ankane/torch.rb#34: a Homebrew LibTorch 1.9 for a gem wanting 1.11)."""
    cause = ("the native extension checks at compile time that the LibTorch it is built against is the release it "
             "was written for, and this LibTorch is another release (often an older one from a package manager, "
             "found before the one meant)")
    cmds = ["cat $LIBTORCH/build-version    # the LibTorch release being built against (LIBTORCH: where it is)"]
    actions = ["install the LibTorch release the binding's README names for this version of it (or the binding's "
               "release made for this LibTorch), and point the build at it (torch.rb: bundle config build.torch-rb "
               "--with-torch-dir=/path/to/libtorch)"]
    return Answer("The binding is built against another LibTorch release", cause, [], cmds, actions)


def spconv_arch(mo: Match, ctx: Ctx) -> Answer:
    """spconv's 'ConvTunerSimple_cached_get_nvrtc_params.cc(18) not implemented in c++, must be overrided in python':
    libspconv has no compiled kernels for this GPU, so it reaches the NVRTC path its C++ build lacks (traveller59/
    spconv#534, maintainer FindDefinition: the library runs on an architecture it was not built for)."""
    here = ctx.m.gpu_cc or ""
    cause = ("spconv's compiled library (libspconv, built with cumm) has no kernels for this GPU's architecture, so "
             "it falls back to compiling them at run time (NVRTC), which its C++ build does not implement: a wheel or "
             "a build made for other GPUs (an older spconv before a new generation such as Blackwell, or a "
             "CUMM_CUDA_ARCH_LIST without this GPU)")
    if here:
        cause += f"; this GPU is compute capability {here}"
    cmds = F.for_each(ctx.m, "{py} -m pip show spconv spconv-cu118 spconv-cu120 spconv-cu121 spconv-cu124 "
                      "spconv-cu126 2>/dev/null | grep -E '^(Name|Version)'", None, "which spconv is installed")
    actions = ["install the newest spconv wheel for torch's CUDA (pip install spconv-cu12x, one package only: "
               "uninstall the others first), whose architecture list covers current GPUs",
               "a libspconv built from source (C++ users, e.g. BEVFusion or Autoware): rebuild it with this GPU in "
               f"CUMM_CUDA_ARCH_LIST (export CUMM_CUDA_ARCH_LIST=\"{here or 'X.Y'}\")"]
    return Answer("spconv has no kernels for this GPU", cause, [F.gpu_fact(ctx.m)], cmds, actions, confidence="medium")


def load_library_crash(mo: Match, ctx: Ctx) -> Answer:
    """Python aborted inside torch.ops.load_library: an extension's .so built against another torch."""
    pkg = mo.get("load_crash") if mo.get("load_crash") != "yes" else ""
    who = pkg or "a package's compiled extension (the trace's caller of torch.ops.load_library names it)"
    cause = (f"the process aborted while torch loaded {who}: its C++ library was built against another torch release "
             "(extensions are tied to the torch they were compiled with; a torch nightly or a newer release breaks "
             "the ABI), so it crashes instead of failing with an undefined symbol")
    facts = F.torch_facts(ctx.m, limit=3)
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__)\"", "torch",
                      "the torch the extension must match")
    actions = [f"install the {pkg or 'package'} release built for this torch (its compatibility table), or the torch "
               f"release it was built for; a build from source must be rebuilt after torch changes"]
    return Answer(f"{pkg or 'An extension'} crashed as torch loaded it: built for another torch", cause, facts, cmds,
                  actions, "medium")


def ptx_target(mo: Match, ctx: Ctx) -> Answer:
    """ptxas' 'SM version specified by .target is higher than default SM version assumed'."""
    cause = ("the PTX was generated for a newer GPU architecture (its .target) than the one it is being compiled for: "
             "PTX runs on its target architecture and newer ones only. At run time (the driver's JIT) the GPU is "
             "older than the code's target: build for this GPU's architecture or lower; at build time ptxas was "
             "called without -arch, so it assumed its default, older architecture")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["compile for this GPU's architecture (nvcc -arch=sm_XX, or -gencode for each GPU it must run on), or "
               "for the lowest architecture the code needs", "calling ptxas by hand: pass -arch=sm_XX matching the "
               "PTX's .target"]
    return Answer("PTX built for a newer GPU architecture than this one", cause, [F.gpu_fact(ctx.m)], cmds, actions,
                  "medium")


def cudnn_sublibrary(mo: Match, ctx: Ctx) -> Answer:
    """cuDNN 9's 'CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED': libcudnn.so.9 loaded, one of its sub-libraries did not."""
    cause = ("cuDNN 9 loaded its front library but could not load one of its sub-libraries (libcudnn_graph, "
             "libcudnn_engines_precompiled, libcudnn_ops, ...): another cuDNN's copies found first (a system or "
             "container cuDNN beside the nvidia-cudnn wheel in the environment, or the reverse, through "
             "LD_LIBRARY_PATH or CUDNN_PATH), or an install missing some of them")
    cmds = F.CUDNN_COPIES_CMDS + ["echo \"$CUDNN_PATH\"    # a build's cuDNN, if set"]
    cmds += F.for_each(ctx.m, "{py} -m pip show nvidia-cudnn-cu12 nvidia-cudnn-cu13", None,
                       "the environment's cuDNN wheel")
    actions = ["load one cuDNN only: point LD_LIBRARY_PATH (and CUDNN_PATH for a build) at the cuDNN the program was "
               "built against, e.g. the environment's site-packages/nvidia/cudnn/lib, or remove the other"]
    return Answer("cuDNN could not load its sub-libraries", cause, [], cmds, actions, "medium")


def no_gpu_build(mo: Match, ctx: Ctx) -> Answer:
    """'nms is not compiled with GPU support': the package's ops were built without CUDA."""
    cause = ("the package's compiled ops were built without CUDA: its build found no CUDA toolkit (CUDA_HOME unset, no "
             "nvcc) or, building without a visible GPU, was not told to compile for CUDA (FORCE_CUDA=1), so only the "
             "CPU versions exist; a CPU-only torch at build time does the same")
    tks = F.nvcc_toolkits(ctx.env)
    cmds = [f"export CUDA_HOME={tks[0].path} FORCE_CUDA=1" if tks else
            "export CUDA_HOME=/usr/local/cuda FORCE_CUDA=1    # the toolkit's root, where nvcc is in bin/"]
    cmds += F.for_each(ctx.m, "{py} -c \"import torch; print(torch.version.cuda, torch.cuda.is_available())\"",
                       "torch", "a CUDA torch is needed to build the CUDA ops")
    actions = ["then rebuild the package from a clean state (delete build/, pip install --no-build-isolation "
               "--force-reinstall --no-cache-dir PACKAGE), or install its prebuilt wheel for this torch and CUDA"]
    return Answer("The package's ops were built without CUDA", cause, [], cmds, actions)


def tcnn_dll(mo: Match, ctx: Ctx) -> Answer:
    """Windows' 'DLL load failed while importing _89_C' (tiny-cuda-nn's per-architecture module)."""
    cc = mo.get("tcnn_dll")
    cause = (f"tiny-cuda-nn imports the module built for this GPU's compute capability ({cc}) and Windows could not "
             f"load it: most often the bindings were not compiled for {cc} (only the architectures found or named at "
             "build time are); else a DLL it needs (the CUDA runtime of its build, torch's) is not found")
    actions = [f"rebuild the bindings for this GPU: set TCNN_CUDA_ARCHITECTURES={cc} then pip install "
               "git+https://github.com/NVlabs/tiny-cuda-nn/#subdirectory=bindings/torch",
               "if it persists: the CUDA toolkit the bindings were built with must be on PATH (its bin directory)"]
    return Answer(f"tiny-cuda-nn's module for compute capability {cc} does not load", cause, [F.gpu_fact(ctx.m)], [],
                  actions, "medium")


def ort_arena(mo: Match, ctx: Ctx) -> Answer:
    """ONNX Runtime's 'BFCArena::AllocateRawInternal Failed to allocate memory for requested buffer of size N'."""
    size = int(mo.get("ort_arena"))
    cause = (f"ONNX Runtime's memory arena could not get {size / 2**20:.0f} MiB more: under the CUDA execution provider "
             "the GPU's memory was full (a model or batch too large for this GPU, or other programs holding its "
             "memory: on a desktop, the display and browser too); the CPU provider's arena fails with the same words "
             "when host memory runs out")
    actions = ["free GPU memory: close other programs using the GPU (drive the display from another GPU if there is "
               "one), or run a smaller model, batch or resolution",
               "cap the arena: CUDAExecutionProvider options {'gpu_mem_limit': BYTES, 'arena_extend_strategy': "
               "'kSameAsRequested'}"]
    return Answer("ONNX Runtime ran out of memory (most likely the GPU's)", cause, _gpu_memory_facts(ctx),
                  list(MEMORY_CMDS), actions, "medium")


def ggml_kernel(mo: Match, ctx: Ctx) -> Answer:
    """ggml's 'CUDA kernel K has no device code compatible with CUDA arch N. ggml-cuda.cu was compiled for: M'."""
    kernel, sm, built = mo.get("ggml_kernel"), mo.get("sm"), mo.get("built")
    if mo.get("in_build"):
        feature = "flash attention" if "flash_attn" in kernel or "fattn" in kernel else "the feature that uses it"
        cause = (f"the build has code for this GPU ({sm}) but not the kernel {kernel}: ggml compiles such kernels only "
                 f"for the GPU generations that can run them, so {feature} is not available on this GPU")
        actions = ["turn the feature off (llama.cpp: -fa off / --flash-attn off; koboldcpp: without --flashattention)",
                   "or run on a newer GPU"]
        title = f"ggml's {kernel} does not run on this GPU ({sm})"
    else:
        cause = (f"this ggml build was compiled for {built or 'other architectures'}, not for this GPU's {sm}, and "
                 f"the kernel {kernel} has no code it can run here")
        actions = [f"build it for this GPU: cmake -B build -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES={sm[3:]} && "
                   "cmake --build build -j", "or install a release built for this GPU's architecture"]
        title = f"this ggml build has no {sm} code for {kernel}"
    return Answer(title, cause, [F.gpu_fact(ctx.m)], [], actions)


def kv_cache(mo: Match, ctx: Ctx) -> Answer:
    """vLLM's 'No available memory for the cache blocks': the weights left no GPU memory for the KV cache."""
    cause = ("vLLM loaded the model's weights and found no GPU memory left for the KV cache within its share of the GPU "
             "(--gpu-memory-utilization, 0.9 by default): the model (at this dtype) nearly fills the GPU, or another "
             "process holds part of it")
    actions = ["give vLLM more of the GPU: --gpu-memory-utilization 0.95 (LLM(..., gpu_memory_utilization=0.95)), with "
               "nothing else on the GPU",
               "or need less: a smaller --max-model-len and --max-num-seqs, a quantized model (AWQ/GPTQ), or split the "
               "model over more GPUs (--tensor-parallel-size 2)"]
    return Answer("No GPU memory left for vLLM's KV cache", cause, _gpu_memory_facts(ctx), list(MEMORY_CMDS), actions)


def cublas_create_oom(mo: Match, ctx: Ctx) -> Answer:
    """'CUBLAS_STATUS_NOT_INITIALIZED when calling cublasCreate(handle)' (or ALLOC_FAILED): cuBLAS' handle and
    workspace could not be allocated."""
    cause = ("cuBLAS could not create its handle (it allocates GPU memory for it and its workspace on the first matrix "
             "multiply): the threads found the GPU all but full at that moment (a model too large for the GPU, a "
             "batch too large, or memory held by another process); less often a CUDA stack of mixed versions, which "
             "then fails the same way with an empty GPU")
    actions = ["make the job smaller or spread it: a smaller batch or model, a quantized model, more GPUs "
               "(device_map=\"auto\", tensor parallelism); end other processes holding GPU memory",
               "if it fails with the GPU empty: install the framework build for the CUDA you have (a mixed stack)"]
    return Answer("cuBLAS could not initialise: most likely the GPU was out of memory", cause,
                  _gpu_memory_facts(ctx), list(MEMORY_CMDS), actions, "medium")


def ngc_no_driver(mo: Match, ctx: Ctx) -> Answer:
    """NGC images' 'The NVIDIA Driver was not detected. GPU functionality will not be available': the container got
    no driver from the host."""
    m = ctx.m
    cause = ("the image's entrypoint found no NVIDIA driver inside the container: the driver's libraries and devices "
             "are injected by the NVIDIA container runtime only when GPUs are requested, so the container was started "
             "without them (docker run without --gpus all or --runtime=nvidia, compose without a GPU reservation, a "
             "Kubernetes pod without an nvidia.com/gpu limit); else the host has no NVIDIA driver or Container Toolkit")
    cmds = ["docker info --format '{{json .Runtimes}}'    # on the host: is 'nvidia' among the runtimes?",
            "nvidia-smi    # on the host: the driver works there"]
    actions = ["start the container with the GPUs: docker run --gpus all ... (compose: deploy.resources.reservations."
               "devices with capabilities: [gpu]; Kubernetes: resources.limits nvidia.com/gpu: 1)",
               "if the host lacks them: install the NVIDIA driver and the NVIDIA Container Toolkit (the host's admin)"]
    return Answer("The container was started without GPUs (no NVIDIA driver inside)", cause,
                  [F.driver_fact(m), F.gpu_fact(m)], cmds, actions)


def cudnn_no_algorithm(mo: Match, ctx: Ctx) -> Answer:
    """'Unable to find a valid cuDNN algorithm to run convolution': no algorithm cuDNN tried could run."""
    cause = ("cuDNN tried its convolution algorithms and none could run: the threads found, most often, the GPU memory "
             "left too small for any of them (a batch or an input too large, another process holding memory); else a "
             "cuDNN of another version than the one torch was built with")
    actions = ["make the job smaller (batch size, input size) or end other processes holding GPU memory, then run "
               "again", "if it fails with the GPU empty: reinstall torch so that its own cuDNN is used (no other "
               "libcudnn first on LD_LIBRARY_PATH)"]
    return Answer("cuDNN found no convolution algorithm it could run: likely GPU memory", cause,
                  _gpu_memory_facts(ctx), list(MEMORY_CMDS), actions, "medium")


def program_arch(mo: Match, ctx: Ctx) -> Answer:
    """TensorFlow's 'The minimum required Cuda capability is 3.5', TensorRT's 'Target GPU SM 61 is not supported by
    this TensorRT release' / 'Unsupported SM: 0x809': a program's release without support for this GPU's SM."""
    prog, sm, need = mo.get("program"), mo.get("sm"), mo.get("need_cc")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    if mo.get("int8"):
        return _int8_arch(ctx)
    if mo.get("kernels"):
        return _xformers_arch(mo, ctx)
    if need:
        cause = (f"this {prog} build needs a GPU of compute capability >= {need} and ignores this one "
                 f"({mo.get('have_cc')}): it runs on the CPU instead; an older {prog} release whose minimum is lower, "
                 "or a build from source for this capability, uses the GPU" + _sm_here(ctx, need))
        actions = [f"install a {prog} release that still supports compute capability {mo.get('have_cc')} (its "
                   "install notes list the minimum), or build it from source for that capability",
                   f"or run on a GPU of compute capability >= {need}"]
        return Answer(f"{prog} ignores this GPU: its compute capability is below the minimum", cause,
                      [F.gpu_fact(ctx.m)], cmds, actions)
    num = int(sm[3:]) if sm else 0
    if sm and num < 70:
        which = ("an older SM that newer TensorRT releases dropped (8.6 dropped Kepler and Maxwell; 10 does not "
                 "support Pascal): an older TensorRT supports it")
    elif num >= 80:
        which = "an SM newer than this TensorRT release: a newer TensorRT (with the CUDA it needs) supports it"
    else:
        which = ("an SM this release lacks: an older GPU that a newer TensorRT dropped, or a newer GPU than the "
                 "release knows (the release's support matrix tells which)")
    cause = f"this {prog} release has no kernels for the GPU's {sm or 'SM'}: it is " + which
    cmds += F.for_each(ctx.m, "{py} -c \"import tensorrt; print(tensorrt.__version__)\"", "tensorrt",
                       "the TensorRT in use")
    actions = [f"install a {prog} release whose support matrix lists {sm or 'this GPU'} (and the CUDA and cuDNN it "
               "pairs with), then rebuild the engine on this GPU"]
    confidence = "high" if (num < 70 or num >= 80) and sm else "medium"
    return Answer(f"This {prog} release does not support {sm or 'the GPU'}", cause, [F.gpu_fact(ctx.m)], cmds,
                  actions, confidence)


def dylib_missing(mo: Match, ctx: Ctx) -> Answer:
    """macOS dyld's 'Library not loaded: @rpath/libcudart.10.1.dylib': a CUDA library not on dyld's search path."""
    lib = mo.get("dylib")
    cause = (f"dyld (macOS) could not find {lib}, a CUDA library the binary links: the CUDA toolkit of that release "
             "is not installed (NVIDIA's last macOS CUDA was 10.2, and Apple-silicon Macs have none), or its lib "
             "directory is not on the binary's rpath or DYLD_LIBRARY_PATH")
    cmds = ["ls /usr/local/cuda/lib    # the CUDA libraries installed, if any",
            "export DYLD_LIBRARY_PATH=/usr/local/cuda/lib:$DYLD_LIBRARY_PATH    # when the toolkit is there"]
    actions = ["on a Mac without a CUDA toolkit: install the package's CPU (or Metal/MPS) build instead of a CUDA build",
               f"else install the CUDA toolkit release {lib} comes from"]
    return Answer(f"{lib} is not found", cause, [], cmds, actions)


def _int8_arch(ctx: Ctx) -> Answer:
    """bitsandbytes' 'Your GPU does not support Int8 Matmul!': its library without cuBLASLt, which it loads for GPUs
    below compute capability 7.5, has no LLM.int8() matmul."""
    cause = ("bitsandbytes' 8-bit matmul (load_in_8bit, LLM.int8()) needs int8 tensor cores, compute capability >= 7.5 "
             "(Turing or newer); on an older GPU bitsandbytes loads its library built without cuBLASLt, which lacks it. "
             "Less often an old bitsandbytes picked that library on a new GPU (its CUDA setup lines name the library "
             "loaded: a 'nocublaslt' name on a GPU >= 7.5 says so)" + _sm_here(ctx, "7.5"))
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["load the model without 8-bit (float16, or 4-bit where the program offers it; MiniGPT-4 and similar: "
               "low_resource: False)", "on a GPU >= 7.5: upgrade bitsandbytes"]
    return Answer("This GPU does not support bitsandbytes' 8-bit matmul", cause, [F.gpu_fact(ctx.m)], cmds, actions,
                  "medium")


def _xformers_arch(mo: Match, ctx: Ctx) -> Answer:
    """xFormers' 'requires device with capability >= (8, 0) but your GPU has capability (7, 5) (too old)'."""
    need, have = mo.get("need_cc"), mo.get("have_cc")
    cause = (f"the xFormers attention kernel these inputs need requires compute capability >= {need} and this GPU has "
             f"{have}: its other kernels refused the inputs for the reasons listed beside (a layout such as BMGHK, a "
             "dtype such as bfloat16, an attention bias); the framework's own attention runs on this GPU. Less often "
             "the cause is one of those other reasons alone" + _sm_here(ctx, need))
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["turn xFormers off (ComfyUI/webui: --disable-xformers; diffusers: no enable_xformers_memory_efficient_"
               "attention(); transformers: attn_implementation=\"sdpa\"), or load the model in float16",
               f"or run on a GPU of compute capability >= {need}"]
    return Answer(f"xFormers' attention needs a GPU of compute capability >= {need}", cause, [F.gpu_fact(ctx.m)],
                  cmds, actions, "medium")


def old_docker_gpus(mo: Match, ctx: Ctx) -> Answer:
    """docker's 'unknown flag: --gpus': a docker CLI older than 19.03, which added the flag."""
    cause = ("the docker command does not know --gpus: it is older than Docker 19.03, which added the flag (an old "
             "distribution package, or another tool that takes docker's arguments)")
    cmds = ["docker --version    # 19.03 or newer knows --gpus",
            "docker run --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all IMAGE    # the older form, with nvidia-docker2"]
    actions = ["upgrade Docker to 19.03 or newer (Docker's own packages), with the NVIDIA Container Toolkit on the "
               "host"]
    return Answer("This docker does not know --gpus", cause, [], cmds, actions)


def apptainer_nv(mo: Match, ctx: Ctx) -> Answer:
    """Singularity's / Apptainer's 'Could not find any nv libraries on this host!' with --nv."""
    cause = ("Singularity/Apptainer's --nv looked for the NVIDIA driver's libraries (libcuda, libnvidia-ml) on the "
             "host through ldconfig and found none, so the container gets no driver: the host (this node) has no "
             "NVIDIA driver, or singularity.conf's 'ldconfig path' (or nvliblist.conf) does not lead to them. Which "
             "one: nvidia-smi on the host")
    cmds = ["nvidia-smi    # on the host: is a driver there at all?",
            "ldconfig -p | grep -E 'libcuda|libnvidia-ml'    # on the host: what --nv looks for",
            "grep -n 'ldconfig path' /etc/singularity/singularity.conf /etc/apptainer/apptainer.conf 2>/dev/null"]
    actions = ["on a cluster: run on a GPU node (the job's GPU request), where the driver is installed",
               "else have the admin set 'ldconfig path' in singularity.conf / apptainer.conf to the host's ldconfig"]
    return Answer("Apptainer/Singularity found no NVIDIA driver libraries on the host", cause, [F.driver_fact(ctx.m)],
                  cmds, actions, "medium")


def wsl_no_adapter(mo: Match, ctx: Ctx) -> Answer:
    """libnvidia-container's 'WSL environment detected but no adapters were found': WSL exposes no GPU (/dev/dxg)."""
    cause = ("the NVIDIA container runtime runs under WSL and found no GPU adapter: WSL shares the Windows host's GPU "
             "through /dev/dxg and the Windows driver's libraries in /usr/lib/wsl/lib, which only WSL2 has, and only "
             "when Windows has an NVIDIA GPU with a WSL-capable driver. The threads: a distribution running as WSL1, "
             "or a machine without an NVIDIA GPU (an integrated GPU only)")
    cmds = ["ls -l /dev/dxg /usr/lib/wsl/lib/    # inside WSL: present only under WSL2 with a GPU driver on Windows",
            "nvidia-smi    # inside WSL: lists the GPU once WSL2 exposes it"]
    actions = ["in a Windows prompt: wsl -l -v shows each distribution's VERSION; move a WSL1 one to WSL2 (wsl "
               "--set-version <distro> 2)",
               "on Windows: install the NVIDIA driver for the GPU (it carries WSL2 support); with no NVIDIA GPU, run "
               "the container without --gpus (CPU)"]
    return Answer("WSL exposes no GPU to the container runtime (WSL1, or no NVIDIA GPU)", cause,
                  [F.gpu_fact(ctx.m)], cmds, actions, "medium")


def tf_no_dnn(mo: Match, ctx: Ctx) -> Answer:
    """TensorFlow's 'DNN library is not found': its cuDNN could not be loaded or started."""
    m = ctx.m
    facts, _ = F.library_facts(ctx.env, "libcudnn.so")
    facts.insert(0, F.driver_fact(m))
    cause = ("TensorFlow found no usable DNN library: cuDNN could not be loaded or started, and it says why in an "
             "earlier log line ('Loaded runtime CuDNN library: X but source was compiled with: Y'). The threads: a "
             "cuDNN of another version than the one TensorFlow was built with (a system or Colab update, an older "
             "libcudnn first on LD_LIBRARY_PATH), less often no cuDNN installed at all or the GPU already full")
    cmds = ["ldconfig -p | grep libcudnn    # the cuDNN versions the loader finds",
            "echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'    # a directory with another cuDNN"]
    cmds += F.for_each(m, "{py} -c \"import tensorflow as tf; print(tf.sysconfig.get_build_info())\"", "tensorflow",
                       "the CUDA and cuDNN this TensorFlow was built with")
    actions = ["install the cuDNN version TensorFlow's build names (pip install 'tensorflow[and-cuda]' brings matching "
               "CUDA/cuDNN wheels), or the TensorFlow release built for the cuDNN you have; drop other cuDNN "
               "directories from LD_LIBRARY_PATH"]
    return Answer("TensorFlow could not load cuDNN (most likely another cuDNN version than its build)", cause, facts,
                  cmds, actions, "medium")


def tf_driver_old(mo: Match, ctx: Ctx) -> Answer:
    """TensorFlow's 'Possibly insufficient driver version: X' after cudnnCreate failed to initialise."""
    m, ver = ctx.m, mo.get("tf_driver")
    cause = (f"cuDNN could not initialise (CUDNN_STATUS_NOT_INITIALIZED) and TensorFlow names the kernel driver {ver} as "
             "possibly too old for the CUDA and cuDNN it was built with: the threads fixed it by updating the driver; "
             "when a newer driver does not help, the GPU was already full or the cuDNN is another version")
    cmds = ["nvidia-smi    # the driver version and the newest CUDA it runs"]
    cmds += F.for_each(m, "{py} -c \"import tensorflow as tf; print(tf.sysconfig.get_build_info())\"", "tensorflow",
                       "the CUDA and cuDNN this TensorFlow needs")
    actions = ["update the NVIDIA driver to one that runs the CUDA release of this TensorFlow (the host's admin on a "
               "shared machine), or install a TensorFlow built for an older CUDA"]
    return Answer(f"The driver ({ver}) is possibly too old for TensorFlow's CUDA/cuDNN", cause, [F.driver_fact(m)], cmds,
                  actions, "medium")


def torch_split_lib(mo: Match, ctx: Ctx) -> Answer:
    """An extension asking for libtorch_cuda_cu.so / libtorch_cuda_cpp.so: torch 1.x's split CUDA library, gone in 2.x."""
    lib, module = mo.get("torch_split"), mo.get("module") or "an extension"
    facts = F.torch_facts(ctx.m, absent=True)
    cause = (f"{module} was compiled against a torch 1.x that split its CUDA library into libtorch_cuda_cu.so and "
             f"libtorch_cuda_cpp.so; the torch installed now ships one libtorch_cuda.so (every 2.x, and the 1.x builds "
             f"that were not split), so {lib} is asked for and is nowhere: the extension was built for another torch "
             "than the one installed")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda)\"", "torch",
                      "the torch the extension must be built for")
    cmds += F.for_each(ctx.m, "{py} -m pip check", "torch", "packages that require another torch")
    actions = [f"reinstall {module}'s package built for this torch (uninstall it, then pip install it again without a "
               "cached wheel, or rebuild it from its source folder), or install the torch version it was built for"]
    title = f"{mo.get('module') or 'An extension'} was built against an older torch ({lib} is gone)"
    return Answer(title, cause, facts, cmds, actions)


def keops_jit(mo: Match, ctx: Ctx) -> Answer:
    """KeOps' nvrtc_jit.so missing from its cache: the engine it builds at first use against the CUDA headers."""
    tks = F.nvcc_toolkits(ctx.env)
    facts = F.toolkit_facts(ctx.env, tks)
    cause = ("KeOps builds its CUDA engine (nvrtc_jit.so, in its cache folder) at first use with the C++ compiler "
             "against the cuda.h and nvrtc.h it finds under CUDA_PATH or CUDA_HOME, the conda prefix or /usr/local/cuda; "
             "the file is missing because that build failed: most often KeOps did not find the CUDA toolkit (one "
             "installed elsewhere, or without its headers), less often no working C++ compiler")
    cmds = ["echo \"CUDA_PATH=$CUDA_PATH CUDA_HOME=$CUDA_HOME\"; ls /usr/local/cuda/include/nvrtc.h"]
    if tks:
        cause += f"; a toolkit is here ({tks[0].path}): set CUDA_PATH to it"
        cmds.append(f"export CUDA_PATH={tks[0].path}")
    cmds += F.for_each(ctx.m, "{py} -c \"import pykeops; pykeops.clean_pykeops(); pykeops.test_numpy_bindings()\"",
                       "pykeops", "rebuilds the engine and says what failed")
    actions = ["install the CUDA toolkit with its headers (cuda.h, nvrtc.h) or point CUDA_PATH at the one you have, "
               "then clear KeOps' cache folder so the engine is built again"]
    return Answer("KeOps could not build its CUDA engine (most likely no CUDA toolkit found)", cause, facts, cmds,
                  actions, "medium")


def ort_native(mo: Match, ctx: Ctx) -> Answer:
    """ONNX Runtime 1.1-1.6's import naming a function of its native module: the module did not load."""
    name = mo.get("ort_native")
    facts = [f"pythons: {p} {ver} in {where}" for p in ("onnxruntime-gpu", "onnxruntime")
             for where, ver in F.packages_with(ctx.m, p)]
    cause = (f"{name} is defined by ONNX Runtime's native module (onnxruntime_pybind11_state.pyd/.so), and that module "
             "did not load: its capi/_pybind_state.py turned the ImportError into a warning printed above ('Cannot "
             "load onnxruntime.capi. Error: ...'). The threads: a DLL it needs was not found, the CUDA and cuDNN "
             "releases the GPU build was made for (not on PATH, or another CUDA installed), or the Visual C++ 2019 "
             "runtime")
    cmds = ["where cudart64_110.dll cudart64_102.dll cudnn64_8.dll vcruntime140_1.dll    # in a Windows prompt: "
            "which of them PATH finds"]
    cmds += F.for_each(ctx.m, "{py} -c \"import onnxruntime\" 2>&1 | grep -i 'cannot load'", "onnxruntime",
                       "the warning with the loader's own error")
    actions = ["install the CUDA and cuDNN versions this onnxruntime-gpu release requires (its docs' requirements "
               "table) and put their bin folders on PATH, or install the onnxruntime-gpu release made for your CUDA; "
               "install the Visual C++ 2015-2022 redistributable (x64)"]
    return Answer("ONNX Runtime's native module did not load (a DLL it needs is missing)", cause, facts, cmds, actions,
                  "medium")


def ngc_gpu(mo: Match, ctx: Ctx) -> Answer:
    """An NGC container's entrypoint check: the GPU is newer than this release of the container ('not yet supported
    in this version of the container'), older than its builds carry ('not supported by this container'), or either
    ('No supported GPU(s) detected to run this container' alone)."""
    which, gpu = mo.get("ngc_gpu"), mo.get("gpu") or "the GPU"
    newer = (f"{gpu} is newer than this release of the container: its frameworks and CUDA libraries were built before "
             "this GPU's architecture, so they have no kernels for it; a later release of the container supports it")
    older = (f"{gpu} is older than the architectures this container's builds carry (each release lists the GPUs it "
             "supports; older generations are dropped over time): an older release of the container still runs on it")
    cause = ("the NGC container's entrypoint checked the GPU against what its builds support: " +
             (newer if which == "newer" else older if which == "older" else
              "the GPU is either newer than this release of the container (no kernels for its architecture yet) or "
              "older than its builds carry; the WARNING line before this one, or the release's support matrix, tells "
              "which"))
    cmds = ["nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv    # the GPU, its architecture, "
            "the driver"]
    actions = {"newer": ["use a newer release of the container (nvcr.io/nvidia/<framework>:YY.MM-py3; its release "
                         "notes list the GPUs it supports) as the base image, with a host driver that release needs"],
               "older": ["use an older release of the container whose release notes still list this GPU's "
                         "generation, or run on a newer GPU"]}.get(which, [
                   "a GPU newer than the release: a newer release of the container (and the host driver it needs); a "
                   "GPU older than its builds: an older release that still lists it"])
    title = {"newer": f"This container's release predates {gpu}",
             "older": f"This container no longer supports {gpu}"}.get(which, "This container's builds do not support "
                                                                      "the GPU")
    return Answer(title, cause, [F.gpu_fact(ctx.m)], cmds, actions, "high" if which != "either" else "medium")


def torch_variant_lib(mo: Match, ctx: Ctx) -> Answer:
    """A package asking for libtorch_hip.so / libc10_cuda.so: built for a ROCm or CUDA torch, run with another."""
    lib, variant = mo.get("torch_variant"), mo.get("variant")
    pkg = mo.get("package") or mo.get("module") or "a package"
    facts = F.torch_facts(ctx.m, absent=True)
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda, "
                             "torch.version.hip)\"", "torch", "the variant of torch installed")
    cmds += F.for_each(ctx.m, "{py} -m pip check", "torch", "packages that require another torch")
    shown = pkg[0].upper() + pkg[1:]
    if variant == "CUDA" and not mo.get("package"):      # not a companion: the torch-cpu-only reading
        cause = (f"{pkg}'s native library was built against a CUDA build of torch, whose {lib} it links, and the torch "
                 f"installed has no {lib}, which every CUDA build of torch has: it is most likely a CPU-only torch "
                 "(pip's or conda's CPU build, often pulled in by another package over the CUDA one); else a ROCm "
                 "build, or a torch 1.x whose CUDA library was split in two")
        actions = ["install the CUDA build of torch the package was built for, from PyTorch's index (pip install "
                   "torch --index-url https://download.pytorch.org/whl/cuXYZ; conda: the pytorch-cuda or cuda build, "
                   "with CONDA_OVERRIDE_CUDA set on a machine without a GPU), in one command with the package; or "
                   f"the CPU build of {'the package' if pkg == 'a package' else pkg}, where it has one"]
        return Answer(f"{shown} needs a CUDA torch; the torch installed has no {lib} (likely CPU-only)", cause, facts,
                      cmds, actions)
    cause = (f"{pkg}'s native library was built against a {variant} build of torch, whose {lib} it links; the torch "
             f"installed has no {lib}: another variant of torch (a CPU-only build has neither library; a CUDA build "
             "has no _hip one, a ROCm build no _cuda one), or another torch release than the package was built for")
    actions = [f"install {pkg} from the same index and with the same local tag as torch (+cu121, +rocm6.2, +cpu), "
               "in one pip command with torch, or install the torch variant it was built for"]
    return Answer(f"{shown} was built for a {variant} torch ({lib} is not in the torch installed)", cause, facts, cmds,
                  actions)


def smi_missing(mo: Match, ctx: Ctx) -> Answer:
    """A shell's 'nvidia-smi: command not found': the NVIDIA driver's utilities are not on this machine or in this
    container."""
    cause = ("nvidia-smi is installed with the NVIDIA driver (its utilities package): not found means no NVIDIA driver "
             "is installed here (a machine or cloud instance without an NVIDIA GPU, or one whose driver was never "
             "installed), or, in a container, one started without the NVIDIA runtime or without the 'utility' "
             "driver capability, which is what mounts nvidia-smi in")
    cmds = ["lspci | grep -i nvidia    # an NVIDIA GPU on this machine at all?",
            "ls /usr/bin/nvidia-smi /usr/local/nvidia/bin/nvidia-smi 2>/dev/null; cat /proc/driver/nvidia/version"]
    actions = ["on a machine with an NVIDIA GPU: install the driver (Ubuntu: sudo ubuntu-drivers install), which brings "
               "nvidia-smi",
               "in a container: start it with --gpus all (NVIDIA_DRIVER_CAPABILITIES must include utility, as "
               "'all' or 'compute,utility' does)",
               "on a machine without an NVIDIA GPU: run on CPU or choose a GPU machine"]
    return Answer("nvidia-smi is not installed where it ran: no NVIDIA driver there", cause, [F.driver_fact(ctx.m)],
                  cmds, actions, "medium")


def shm_small(mo: Match, ctx: Ctx) -> Answer:
    """DeepSpeed's ds_report: '/dev/shm size might be too small' (below 512 MiB): a warning, not a failure."""
    cause = ("a warning, not a failure: /dev/shm is smaller than the 512 MiB DeepSpeed checks for (a container's "
             "64 MB default); NCCL's shared-memory segments and DataLoader workers fail once it fills, with 'No space "
             "left on device', a bus error, or NCCL's 'unhandled system error'")
    cmds = ["df -h /dev/shm    # its size and how full it is"]
    actions = ["start the container with --shm-size=1g (or --ipc=host); in Kubernetes mount an emptyDir with "
               "medium: Memory at /dev/shm"]
    return Answer("/dev/shm is small (a warning)", cause, [], cmds, actions, "medium")


def legacy_profiler(mo: Match, ctx: Ctx) -> Answer:
    """'nvprof is not supported on devices with compute capability 8.0 and higher': the legacy profilers (nvprof, the
    Visual Profiler) stop before Ampere; Nsight Systems and Nsight Compute profile the GPUs after it."""
    tool, cc = mo.get("profiler"), mo.get("need_cc")
    cause = (f"{tool} does not profile GPUs of compute capability {cc} and newer ({generation(cc)} on): NVIDIA replaced "
             "it with Nsight Systems (timelines, CPU and GPU) and Nsight Compute (kernels); no driver or CUDA version "
             f"makes {tool} work on this GPU")
    cmds = ["nsys profile -o report ./app    # Nsight Systems: the timeline nvprof gave (nsys stats report.nsys-rep)",
            "ncu ./app    # Nsight Compute: per-kernel metrics (nvprof --metrics)"]
    if not ctx.m.sm:
        cmds.append(F.LEARN_GPU)
    return Answer(f"{tool} does not support GPUs of compute capability {cc} and newer", cause, [F.gpu_fact(ctx.m)],
                  cmds, ["profile with Nsight Systems and Nsight Compute (in the CUDA toolkit, or NVIDIA's downloads)"])


def implementation_generation(mo: Match, ctx: Ctx) -> Answer:
    """AlphaFold 3's "implementation='triton' is unsupported on this GPU generation": the implementation chosen needs a
    newer GPU; the program's other implementation runs on this one."""
    impl = mo.get("generation_impl")
    cause = (f"the program's '{impl}' implementation (a kernel such as Triton's flash attention) needs a newer GPU "
             "generation than this one (most such kernels: compute capability 8.0, Ampere, and newer; a V100 is 7.0), "
             "so the program stopped; its other, slower implementation runs on this GPU")
    cmds = [] if ctx.m.sm else [F.LEARN_GPU]
    actions = ["choose the program's other implementation (AlphaFold 3: --flash_attention_implementation=xla, as its "
               "performance notes for V100 say), or run on a GPU of compute capability 8.0 or newer"]
    return Answer(f"The '{impl}' implementation does not support this GPU generation", cause, [F.gpu_fact(ctx.m)],
                  cmds, actions)


def open_kernel_module(mo: Match, ctx: Ctx) -> Answer:
    """The open NVIDIA kernel modules on a GPU without a GSP: they drive Turing and newer only."""
    cause = ("the open NVIDIA kernel module (nvidia.ko built from open-gpu-kernel-modules, the default of recent driver "
             "packages) needs the GPU System Processor that Turing and newer GPUs have; this GPU is older (Maxwell, "
             "Pascal, Volta), so the driver did not initialise it and CUDA sees no GPU")
    cmds = ["modinfo nvidia | grep -i license    # 'Dual MIT/GPL': the open module is installed",
            "lspci -nn | grep -i nvidia    # the GPU's PCI ID"]
    actions = ["install the driver's proprietary kernel module instead (Fedora/RPM Fusion or negativo17: the "
               "nvidia-kmod / akmod-nvidia package without -open; Ubuntu: nvidia-driver-XXX rather than "
               "nvidia-driver-XXX-open; the .run installer: -m=kernel), then reboot",
               "the 580 branch is the last to support Maxwell, Pascal and Volta GPUs: keep 580 or an older branch "
               "for them"]
    return Answer("The open kernel module does not drive this GPU (it has no GSP)", cause, [F.driver_fact(ctx.m)],
                  cmds, actions)


def vgpu_guest(mo: Match, ctx: Ctx) -> Answer:
    """'Xid 78: Guest driver is incompatible with host driver': a vGPU VM whose guest driver branch the host's vGPU
    manager does not accept."""
    cause = ("the VM's vGPU guest driver is of another branch than the host's vGPU manager accepts (a cloud's hosts "
             "moved to a newer vGPU release, or the image carries an old GRID driver): the guest driver does not "
             "start the vGPU, so nvidia-smi and CUDA see no GPU")
    cmds = ["sudo dmesg | grep -i 'xid'    # Xid 78: the guest and host drivers do not match",
            "nvidia-smi    # the guest driver's version, where it loads"]
    actions = ["install the guest driver of the branch the host runs (on Azure NV/NVads A10: the GRID driver Azure "
               "publishes for the current host release; other clouds and on-premises vGPU: the guest driver of the "
               "host's vGPU release), then reboot the VM"]
    return Answer("The vGPU guest driver does not match the host's", cause, [F.driver_fact(ctx.m)], cmds, actions)


def vulkan_driver(mo: Match, ctx: Ctx) -> Answer:
    """Vulkan's 'ERROR_INCOMPATIBLE_DRIVER' at instance creation (Omniverse, Isaac Sim): no NVIDIA Vulkan driver of
    the version the program needs."""
    cause = ("the program could not create a Vulkan instance: the NVIDIA driver is older than the program's minimum "
             "(Omniverse Kit and Isaac Sim releases name theirs), or no NVIDIA Vulkan driver is visible (a container "
             "started without the graphics capability: NVIDIA_DRIVER_CAPABILITIES must include graphics, or a "
             "missing /usr/share/vulkan/icd.d/nvidia_icd.json)")
    cmds = [F.LEARN_DRIVER, "vulkaninfo --summary    # the Vulkan driver and version the loader finds",
            "ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null    # nvidia_icd.json: the NVIDIA Vulkan driver"]
    actions = ["update the NVIDIA driver to the program's minimum (its release notes name it)",
               "in a container: run it with --gpus all -e NVIDIA_DRIVER_CAPABILITIES=all"]
    return Answer("No NVIDIA Vulkan driver the program can use", cause, [F.driver_fact(ctx.m)], cmds, actions,
                  "medium")


def optix_driver(mo: Match, ctx: Ctx) -> Answer:
    """optixInit()'s OPTIX_ERROR_UNSUPPORTED_ABI_VERSION (7801): OptiX is part of the driver (libnvoptix); the program
    was built with an OptiX SDK whose ABI this driver's OptiX predates."""
    cause = ("OptiX is implemented by the NVIDIA driver (libnvoptix.so.1, nvoptix.dll), not by the program: the program "
             "was built with an OptiX SDK whose ABI version is newer than the driver's OptiX, so optixInit() refuses "
             "it (OPTIX_ERROR_UNSUPPORTED_ABI_VERSION, 7801). Each OptiX SDK release names the minimum driver it needs")
    cmds = [F.LEARN_DRIVER]
    actions = ["update the NVIDIA driver to the minimum of the OptiX SDK the program was built with (its release "
               "notes name it)",
               "or install a release of the program built with an older OptiX SDK"]
    return Answer("The driver's OptiX is older than the program's OptiX SDK", cause, [F.driver_fact(ctx.m)], cmds,
                  actions)


def cxx11_abi(mo: Match, ctx: Ctx) -> Answer:
    """A package's own check of its ops' C++ ABI against torch's (_GLIBCXX_USE_CXX11_ABI): built one way, torch the
    other, so std::string and friends differ between them."""
    pkg, built, torch_abi = mo.get("cxx11_abi"), mo.get("built_abi"), mo.get("torch_abi")
    cause = (f"{pkg}'s compiled ops were built with _GLIBCXX_USE_CXX11_ABI={built} and the torch it runs with was built "
             f"with {torch_abi}: the two lay out std::string and other C++ library types differently, so the ops cannot "
             "be loaded into this torch (torch 2.8 and newer wheels use the CXX11 ABI, =1; older pip wheels used =0)")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.compiled_with_cxx11_abi())\"",
                      "torch", "the ABI its torch was built with")
    actions = [f"rebuild {pkg} against this torch (its build reads torch.compiled_with_cxx11_abi(); a release that fixes "
               "its ABI detection), or install the torch release it was built for"]
    return Answer(f"{pkg} was built for the other C++ ABI than torch's", cause, [], cmds, actions)


def beagle_driver(mo: Match, ctx: Ctx) -> Answer:
    """BEAGLE's 'CUDA error: "Driver not initialized"': CUDA_ERROR_NOT_INITIALIZED from its CUDA resource."""
    cause = ("BEAGLE's CUDA resource could not start CUDA (CUDA_ERROR_NOT_INITIALIZED): the machine has no NVIDIA GPU or "
             "no working NVIDIA driver, and BEAGLE's installer put its CUDA plugin in anyway; a driver that is "
             "installed but not loaded gives the same")
    cmds = [F.LEARN_DRIVER, "lspci | grep -i nvidia    # empty: no NVIDIA GPU on this machine"]
    actions = ["on a machine without an NVIDIA GPU: remove BEAGLE's CUDA plugin (libhmsbeagle-cuda*) or choose its CPU "
               "resource (BEAST: -beagle_CPU; BEAUti/MrBayes: the CPU resource)",
               "with an NVIDIA GPU: install or repair its driver until nvidia-smi lists the GPU"]
    return Answer("BEAGLE's CUDA resource found no working NVIDIA driver", cause, [F.driver_fact(ctx.m)], cmds, actions,
                  "medium")


def jit_kernel_fallback(mo: Match, ctx: Ctx) -> Answer:
    """'Failed to load custom CUDA kernel for BigVGAN. Falling back to torch.': the JIT build of a package's kernel
    failed and it runs slower; most often no CUDA toolkit for torch's cpp_extension."""
    a = A.cuda_home(mo, ctx)
    cause = ("the package builds a CUDA kernel of its own at first use (torch.utils.cpp_extension) and that build or "
             "load failed, so it runs its slower torch code: most often there is no CUDA toolkit (nvcc) of torch's "
             "CUDA; a host compiler torch's CUDA does not accept, or a missing ninja, give the same line (the build's "
             "own output, above it in the log or with the package's verbose option, says which); pip's nvidia-* wheels bring "
             "CUDA's runtime libraries, never nvcc")
    return Answer("The package's CUDA kernel did not build; it runs without it", cause, a.facts,
                  a.commands + ["which nvcc ninja gcc    # the build's tools on PATH"], a.actions,
                  "medium")


def allowed_memory(mo: Match, ctx: Ctx) -> Answer:
    """torch's 'Allocation on device 0 would exceed allowed memory': its figures, and the memory fraction that caps
    what the process may take where one was set below the GPU's size."""
    from envcheck.explain.runtime_answers import _gib, cuda_oom
    a = cuda_oom(mo, ctx)
    limit, total = mo.get("fraction_limit"), mo.get("total")
    try:
        capped = limit and total and _gib(limit) < _gib(total)
    except (ValueError, IndexError):
        capped = False
    if capped:
        a.cause = (f"the process may take {limit} of the GPU's {total}: a memory fraction caps it "
                   "(torch.cuda.set_per_process_memory_fraction, or a program's option that sets it, such as a "
                   "reserve or VRAM limit), and the job asked for more than that; " + a.cause)
        a.actions = ["raise or remove the memory fraction (the program's VRAM limit or reserve option), or lower the "
                     "job's size"] + list(a.actions)
    return a


def hami_oom(mo: Match, ctx: Ctx) -> Answer:
    """HAMi's 'cuMemoryAllocate failed res=2': out of the GPU memory the pod was given (its nvidia.com/gpumem share),
    which nvidia-smi inside the pod shows as the GPU's size."""
    cause = ("the pod shares its GPU through HAMi, and HAMi's allocator refused the allocation (res=2 is CUDA's out of "
             "memory): the job needs more than the pod's share (nvidia.com/gpumem or gpumem-percentage), which is what "
             "nvidia-smi inside the pod reports as the GPU's memory")
    cmds = ["nvidia-smi --query-gpu=memory.total,memory.used --format=csv    # inside the pod: its share",
            "kubectl get pod POD -o jsonpath='{.spec.containers[*].resources.limits}'    # the pod's nvidia.com/gpumem"]
    actions = ["raise the pod's nvidia.com/gpumem (or gpumem-percentage) limit, or lower the job's size (batch, "
               "context length, a smaller or quantized model)"]
    return Answer("The pod ran out of its share of the GPU's memory (HAMi)", cause, [], cmds, actions, "medium")


def cupti_path(mo: Match, ctx: Ctx) -> Answer:
    """nvprof's 'The path to CUPTI and CUDA Injection libraries might not be set in LD_LIBRARY_PATH'."""
    cause = ("nvprof could not load libcupti (and the CUDA injection library): they are in the toolkit's "
             "extras/CUPTI/lib64 (or targets/<arch>/lib), which an environment module or a PATH-only setup leaves off "
             "LD_LIBRARY_PATH")
    cmds = ["find / -name 'libcupti.so*' 2>/dev/null | head    # where the toolkit put it",
            "export LD_LIBRARY_PATH=/usr/local/cuda/extras/CUPTI/lib64:/usr/local/cuda/lib64:$LD_LIBRARY_PATH    # "
            "the toolkit's own directories (your CUDA_HOME in place of /usr/local/cuda)"]
    return Answer("nvprof cannot find CUPTI", cause, [], cmds, [])


def ld_needed(mo: Match, ctx: Ctx) -> Answer:
    """ld's 'warning: libnvcuvid.so.1, needed by libsl_zed.so, not found': at link time, a library a linked library
    depends on was not found; for the driver's libraries, on a build machine or image without the driver."""
    so = mo.get("soname") or mo.get("subject")
    driver = mo.code == C.LIBCUDA
    cause = (f"the link editor could not find {so}, which a library being linked needs: " + (
        f"{so} is the NVIDIA driver's library, and the build ran where no driver is installed (a CI runner or a docker "
        "build); at run time the driver provides it. Link against the toolkit's stubs for the build, or let the link "
        "leave it for run time" if driver else
        "it is not in the link's search path (-L, -rpath-link) or not installed"))
    cmds = [f"ldconfig -p | grep {so.split('.so')[0]}    # where the system has it"]
    actions = (["build with -Wl,-rpath-link=/usr/local/cuda/lib64/stubs (or -Wl,--allow-shlib-undefined), or build in "
                "an image and on a runner that have the NVIDIA driver's libraries"] if driver else
               [f"install the package that ships {so}, or add its directory with -Wl,-rpath-link=DIR"])
    return Answer(f"{so} was not found while linking", cause, [], cmds, actions)
