"""Answers for wordings whose message names a class of failure more than its cause: Windows' 'The specified procedure
could not be found' (error 127) and exit status 0xc0000139, a library cut short ('ELF load command past end of file'),
a plain Windows DLL not found (cuDNN 8's zlibwapi.dll), the Kubernetes device plugin without NVML, CuPy's Jitify,
LLVM without the GPU's architecture, torch's 'device < num_gpus' assertion. Where the message has several causes the
answer is medium and names what tells them apart."""
from __future__ import annotations

from envcheck.explain import answers as A
from envcheck.explain import codes as C
from envcheck.explain import machine_facts as F
from envcheck.explain.answers import Answer, Ctx
from envcheck.explain.patterns import Match

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
    facts = [f"pythons: torch {ver} in {where}" for where, ver in F.packages_with(ctx.m, "torch")]
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
    return Answer(f"{so} is damaged or cut short (not missing)", cause, [], cmds, actions, "medium")


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
    actions = [f"install what ships {dll} and add its directory to PATH, then open a new prompt"]
    return Answer(f"{dll} is not found", cause, [], cmds, actions)


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
