"""Answers for what CUDA's error table and the libraries' status names say (cuda_errors.py recognises them): a GPU
held by another process in an exclusive compute mode (error 46), CUDA that failed to initialise (error 3), the
driver's PTX JIT library missing (error 221), a failed PTX JIT (error 218), a library status that names the GPU's
architecture or mixed cuDNN releases, and Kubernetes with no GPU to schedule. Where the message has several known
causes the answer says so (medium confidence) and gives the command that tells them apart."""
from __future__ import annotations

from typing import Callable, Dict, List

from envcheck.explain import answers as A
from envcheck.explain import codes as C
from envcheck.explain import machine_facts as F
from envcheck.explain.answers import Answer, Ctx
from envcheck.explain.patterns import Match

COMPUTE_MODE = "nvidia-smi --query-gpu=index,name,compute_mode --format=csv    # Exclusive_Process / Prohibited"


def gpu_busy(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.gpu_fact(m), F.driver_fact(m)]
    cause = ("CUDA found the GPU but may not use it: it is in Exclusive_Process compute mode (nvidia-smi shows "
             "'E. Process') and another process already holds it (another job, a stale process of an earlier run, "
             "a second rank put on the same GPU), or it is in Prohibited mode. A cluster that sets exclusive mode "
             "gives each job its GPUs through CUDA_VISIBLE_DEVICES: a job that opens others gets this error")
    cmds = [COMPUTE_MODE, "nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv    # who holds it",
            "echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\"    # the GPUs this job was given"]
    actions = ["use a free GPU (CUDA_VISIBLE_DEVICES), one process per GPU in exclusive mode, or stop the process "
               "that holds it",
               "if the mode is not wanted: the host's admin sets the default mode (nvidia-smi -c DEFAULT)"]
    if mo.get("exclusive_thread"):
        cause = ("the GPU is in Exclusive_Thread compute mode (mode 1, offered by older drivers): its context may be "
                 "bound to one CPU thread at a time, and the program (TensorFlow's StreamExecutor, any runtime that "
                 "uses a GPU from several threads) uses it from another thread. Default and Exclusive_Process modes "
                 "work")
        actions = ["set the GPU's compute mode to Default or Exclusive_Process (as root: nvidia-smi -i <gpu> -c "
                   "DEFAULT, or -c EXCLUSIVE_PROCESS on a shared cluster), or ask the host's admin to"]
        cmds = ["nvidia-smi --query-gpu=index,name,compute_mode --format=csv    # Exclusive_Thread: the cause"]
        return Answer("The GPU is in Exclusive_Thread compute mode", cause, facts, cmds, actions)
    return Answer("The GPU is busy or unavailable to this process (compute mode)", cause, facts, cmds, actions)


def cuda_init(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m), f"container: {A._in_container_words(m)}"]
    fork_cause = ("a process that had already initialised CUDA forked (Python multiprocessing's default 'fork' on "
                  "Linux, a DataLoader or a server's worker pool): CUDA cannot be used in the child of such a fork")
    other = ("the driver was not usable by the process: a driver older than the program's CUDA, kernel module and "
             "driver libraries out of step after an update (nvidia-smi says 'Driver/library version mismatch'; a "
             "reboot fixes it), on an NVSwitch machine (A100/H100 SXM) NVIDIA Fabric Manager not running, /dev/nvidia* "
             "missing or not accessible in a container")
    cmds = ["nvidia-smi    # does the driver answer at all?", "ls -l /dev/nvidia*"]
    actions = ["start the workers with the 'spawn' start method (multiprocessing.set_start_method('spawn')), or "
               "initialise CUDA only in the workers, never in the parent before it forks"]
    if mo.get("fork"):
        return Answer("CUDA cannot be re-initialised in a forked process", fork_cause, facts, cmds[:1], actions)
    cause = f"CUDA's 'initialization error' (error 3). Most often {fork_cause}; else {other}"
    actions.append("if no fork is involved and nvidia-smi fails too: reboot after a driver update (on a pod: the "
                   "host's admin)")
    return Answer("CUDA failed to initialise in this process (a fork after CUDA, or the driver)", cause, facts, cmds,
                  actions, "medium")


def _ptxjit(mo: Match, ctx: Ctx) -> Answer:
    """Error 221: libcuda could not load the driver's JIT library (libnvidia-ptxjitcompiler.so.1, or for Tile IR
    libnvidia-tileiras): a driver install without it, or a container given libcuda but not the JIT library."""
    m = ctx.m
    facts = [F.driver_fact(m), f"container: {A._in_container_words(m)}"]
    lib_facts, _ = F.library_facts(ctx.env, "libnvidia-ptxjitcompiler.so.1", lookups=ctx.lookups)
    facts += lib_facts
    cause = ("libcuda needs the driver's JIT compiler library (libnvidia-ptxjitcompiler.so.1; for Tile IR kernels "
             "libnvidia-tileiras.so.<driver version>) to compile PTX at run time, and could not load it. It belongs to "
             "the driver, of the driver's exact version: a driver install split into packages without it (Jetson's "
             "l4t-cuda, some distributions), or a container runtime that mounted libcuda but not this library")
    cmds = ["ls -l /usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so* /usr/lib/aarch64-linux-gnu/tegra/"
            "libnvidia-ptxjitcompiler.so* 2>/dev/null",
            "ldconfig -p | grep -E 'libnvidia-ptxjitcompiler|libnvidia-tileiras|libcuda.so'    # same driver version?"]
    actions = ["install the driver's complete user-space libraries (the package that has libnvidia-ptxjitcompiler "
               "of the same version as libcuda), or in a container: start it with the NVIDIA runtime and "
               "NVIDIA_DRIVER_CAPABILITIES including compute"]
    return Answer("The driver's PTX JIT compiler library is missing", cause, facts, cmds, actions)


def _invalid_ptx(mo: Match, ctx: Ctx) -> Answer:
    """Error 218 'a PTX JIT compilation failed': the driver's JIT refused the PTX; most often PTX newer than the
    driver understands (older drivers say 218 where newer ones say 222), else a broken JIT install."""
    a = A.ptx_too_new(mo, ctx)
    a.cause = ("the driver's JIT could not compile the PTX (error 218). The threads: PTX made by a newer CUDA "
               "compiler than the driver (an older driver reports it this way, a newer one as error 222: update the "
               "driver or build with an older toolkit); else the driver's JIT library missing or of another version "
               "than libcuda (a container or a Jetson image), or a build without this GPU's code")
    a.commands.append("ldconfig -p | grep -E 'libnvidia-ptxjitcompiler|libcuda.so'    # same driver version?")
    a.confidence = "medium"
    return a


LIB_NAMES = {"cudnn": "cuDNN", "cublas": "cuBLAS", "cusparse": "cuSPARSE", "cusolver": "cuSOLVER"}


def _arch_status(mo: Match, ctx: Ctx) -> Answer:
    m, lib = ctx.m, LIB_NAMES.get(mo.get("library"), mo.get("library"))
    facts = [F.gpu_fact(m), F.driver_fact(m)]
    cause = (f"{mo.get('status')}: {lib} needs a feature this GPU's architecture lacks: the GPU is older than what "
             f"this {lib} release supports (cuDNN needs compute capability 3.0 or newer, and current releases drop "
             "Kepler and Maxwell), or the call asks for a data type the GPU does not have (bf16 before sm_80)")
    confidence = "high"
    if m.gpu_cc and float(m.gpu_cc) >= 8.0:
        cause += (f". Here the GPU is {m.gpu_name or 'known'} (compute capability {m.gpu_cc}), which current releases "
                  "support: the message came from another machine, or the release loaded predates this GPU")
        confidence = "low"
    elif m.gpu_cc:
        cause += f". Here the GPU is {m.gpu_name or 'known'} (compute capability {m.gpu_cc})"
    cmds = [] if m.gpu_cc else [F.LEARN_GPU]
    actions = [f"use a {lib} release (and a framework build) that still supports this GPU, or a newer GPU; with "
               "bf16: use float16"]
    return Answer(f"{lib} does not support this GPU's architecture", cause, facts, cmds, actions, confidence)


def _cudnn_status(mo: Match, ctx: Ctx) -> Answer:
    facts, _ = F.library_facts(ctx.env, "libcudnn.so")
    cause = (f"{mo.get('status')}: the cuDNN libraries loaded are of different releases: cuDNN 8 and 9 are split into "
             "sub-libraries (libcudnn_ops, libcudnn_cnn, libcudnn_adv, libcudnn_engines_*), and one was found from "
             "another install than libcudnn itself (a system or conda cuDNN on LD_LIBRARY_PATH beside the pip wheel)")
    cmds = list(F.CUDNN_COPIES_CMDS)
    actions = ["keep one cuDNN: remove the other install's directory from LD_LIBRARY_PATH (or uninstall it)"]
    return Answer("cuDNN libraries of different releases were mixed", cause, facts, cmds, actions)


def _k8s(mo: Match, ctx: Ctx) -> Answer:
    cause = ("no node offers a free nvidia.com/gpu. The threads: the NVIDIA device plugin advertises no GPU on the GPU "
             "nodes (the NVIDIA runtime is not the default runtime of Docker/containerd there, so the plugin finds no "
             "NVML; or the plugin is not deployed or is failing); else every GPU is already allocated, or the pod asks "
             "for more GPUs than one node has, or the GPU node is tainted and the pod has no toleration for it")
    cmds = ["kubectl describe nodes | grep -E 'Name:|nvidia.com/gpu'    # capacity and allocated GPUs per node",
            "kubectl get pods -A | grep -i nvidia    # the device plugin's pods, running?"]
    actions = ["on each GPU node: make nvidia the default runtime (nvidia-ctk runtime configure --runtime=containerd "
               "--set-as-default, then restart containerd) and check the device plugin's log",
               "if the nodes do show nvidia.com/gpu: free GPUs or request fewer per pod"]
    return Answer("Kubernetes has no GPU to give the pod", cause, [F.driver_fact(ctx.m)], cmds, actions, "medium")


def _triton_arch(mo: Match, ctx: Ctx) -> Answer:
    m, sm, need = ctx.m, mo.get("sm"), mo.get("triton_min")
    facts = [F.gpu_fact(m)]
    if mo.get("gpu"):
        facts.append(f"the message names the GPU: {mo.get('gpu')}")
    cause = (f"Triton (the compiler behind torch.compile's default inductor backend, and kernels written in Triton) "
             f"supports GPUs of compute capability >= {need}; this GPU is {sm}")
    if m.sm and f"sm_{m.sm}" != sm:
        cause += f". The GPU here is sm_{m.sm}: the message came from another machine"
    cmds = [] if m.sm else [F.LEARN_GPU]
    actions = ["run the model without torch.compile (eager), or with a backend that does not use Triton "
               "(torch.compile(backend='aot_eager')), or turn off the program's Triton kernels; else a GPU of compute "
               f"capability >= {need}"]
    return Answer(f"Triton does not support {sm}", cause, facts, cmds, actions)


def _container_device(mo: Match, ctx: Ctx) -> Answer:
    m, dev = ctx.m, mo.get("container_device")
    facts = [F.gpu_fact(m)]
    cause = (f"nvidia-container-cli was asked for GPU '{dev}', which the host does not have: --gpus N asks for more "
             "GPUs than there are, or NVIDIA_VISIBLE_DEVICES / --gpus device=... names an index, UUID or MIG device "
             "that does not exist on this host (a scheduler's host indexes passed on, a MIG UUID in the old "
             "MIG-GPU-<uuid>/<gi>/<ci> form)")
    cmds = ["nvidia-smi -L    # on the host: the GPUs and MIG devices there are, with their UUIDs",
            "echo \"NVIDIA_VISIBLE_DEVICES=$NVIDIA_VISIBLE_DEVICES\"    # what the container asked for"]
    actions = ["ask for GPUs that exist: --gpus 1 (or all), or device=<index or UUID from nvidia-smi -L>; under a "
               "scheduler (Slurm, Kubernetes) let it set the devices (NVIDIA_VISIBLE_DEVICES=all inside its allocation)"]
    return Answer("The container asked for a GPU the host does not have", cause, facts, cmds, actions)


def _nvrtc_arch(mo: Match, ctx: Ctx) -> Answer:
    """NVRTC does not know the GPU's architecture: which way round follows from the GPU, when it is known."""
    m = ctx.m
    sm = mo.get("sm") or (f"sm_{m.sm}" if m.sm else "")
    num = sm.split("_", 1)[1] if sm else ""
    facts = [F.gpu_fact(m)]
    cause = ("NVRTC (the run-time compiler that torch's fused kernels, TorchScript, CuPy and other JITs call) does not "
             "know the GPU architecture it was asked to compile for: the CUDA release it comes from is older than the "
             "GPU (an RTX 40 with CUDA < 11.8, an RTX 50 with CUDA < 12.8), or newer CUDA dropped an old GPU")
    need = A.ARCH_MIN_CUDA.get(num)
    named = bool(mo.get("sm"))            # the message names the architecture; else it is this machine's GPU
    where = "the message asks for" if named else "the GPU here is"
    confidence = "medium"
    if mo.get("nvrtc_option"):             # NVRTC_ERROR_INVALID_OPTION: which option is not said
        cause = ("NVRTC refused one of the options it was given (NVRTC_ERROR_INVALID_OPTION). The one a JIT (CuPy, "
                 "torch's fused kernels) sets from the machine is the architecture (-arch=compute_XX), so the usual "
                 "cause is a GPU that NVRTC's CUDA release does not know: " + cause.split(": ", 1)[1])
    sure = "high" if named and not mo.get("nvrtc_option") else "medium"
    if need:
        cause += f". {where} {sm}, which needs CUDA >= {need}: the NVRTC in use is older than that"
        confidence = sure
    elif num and int(num) < 50:
        cause += f". {where} {sm}, older than current CUDA releases support: the NVRTC is too new for it"
        confidence = sure
    if named and m.sm and f"sm_{m.sm}" != sm:
        cause += f". The GPU here is sm_{m.sm}: the message came from another machine"
    cmds = [] if m.sm else [F.LEARN_GPU]
    cmds += F.for_each(m, "{py} -c \"import torch; print(torch.version.cuda)\"", "torch",
                       "the CUDA whose NVRTC torch ships")
    which = f"CUDA >= {need}" if need else "by the GPU's compute capability"
    actions = [f"install a build of the framework (torch, CuPy) for a CUDA release that knows this GPU ({which}), "
               "with a driver that runs it"]
    title = (f"NVRTC does not know this GPU's architecture{' (' + sm + ')' if sm else ''}"
             if not mo.get("nvrtc_option") else "NVRTC refused an option: likely a GPU its CUDA release does not know")
    return Answer(title, cause, facts, cmds, actions, confidence)


UNNAMED = {"tensorflow": ("TensorFlow could not load some of the CUDA libraries it needs and skipped the GPU",
                          "its 'Could not load dynamic library X' lines above name them (TF_CPP_MIN_LOG_LEVEL=0 shows "
                          "them)"),
           "onnxruntime": ("ONNX Runtime could not create its CUDA provider and fell back to the CPU",
                           "its 'Failed to load library libonnxruntime_providers_cuda.so with error: X' line above "
                           "names the library"),
           "jax": ("JAX's CUDA backend could not load CUDA and fell back to the CPU",
                   "TF_CPP_MIN_LOG_LEVEL=0 shows which; jax[cuda12] brings them as nvidia-* wheels, which a "
                   "LD_LIBRARY_PATH to another CUDA can shadow"),
           "bitsandbytes": ("bitsandbytes found no CUDA runtime and loaded its CPU-only library",
                            "libcudart: `python -m bitsandbytes` prints what its loader searched; rarely a CPU-only "
                            "wheel"),
           "ggml-cuda": ("ggml could not load its CUDA backend (libggml-cuda) and runs without the GPU",
                         "`ldd` on the libggml-cuda library names the one it lacks: its CUDA runtime and cuBLAS, of "
                         "the CUDA major it was built with")}


def _unnamed_libs(mo: Match, ctx: Ctx) -> Answer:
    """A framework's summary of CUDA libraries that did not load, without their names."""
    title, where = UNNAMED[mo.get("unnamed")]
    need = mo.get("require")
    cause = (f"{title}: a CUDA library it needs was not found by the loader ({where}). The threads: the CUDA/cuDNN "
             "libraries not installed or not on the loader's path, or installed for another major than the build "
             f"needs{' (this build requires ' + need + ')' if need else ''}")
    facts, _ = F.library_facts(ctx.env, "libcudnn.so")
    cmds = ["ldconfig -p | grep -E 'libcudart|libcublas|libcudnn'    # the CUDA libraries the loader finds, with majors",
            "echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n'"]
    if mo.get("unnamed") == "tensorflow":
        cmds += F.for_each(ctx.m, "{py} -c \"import tensorflow as tf; print(tf.sysconfig.get_build_info())\"",
                           "tensorflow", "the CUDA and cuDNN this TensorFlow was built for")
    actions = ["install the CUDA and cuDNN majors the build names (pip wheels: tensorflow[and-cuda], or "
               "onnxruntime-gpu for the CUDA/cuDNN installed), and run again to see which library still fails"]
    return Answer(title, cause, facts, cmds, actions, "medium")


def _vllm_platform(mo: Match, ctx: Ctx) -> Answer:
    """vLLM's 'Failed to infer device type': its platform detection (NVML for CUDA) found no GPU."""
    m = ctx.m
    facts = [F.driver_fact(m), F.gpu_fact(m), f"container: {A._in_container_words(m)}"]
    cause = ("vLLM's platform detection found no GPU it can use: it asks NVML (the driver's libnvidia-ml) for CUDA "
             "GPUs. The threads: a container started without the NVIDIA runtime or without GPUs (--gpus all, "
             "compose 'capabilities: [gpu]'), CUDA_VISIBLE_DEVICES naming GPUs that are not there; or a machine with "
             "no GPU at all, where vLLM runs only as its CPU build with --device cpu")
    cmds = ["nvidia-smi -L    # inside the container: the GPUs it sees",
            "echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\""]
    actions = ["start the container with the NVIDIA runtime and GPUs (docker run --gpus all ...)",
               "on a machine without an NVIDIA GPU: a CPU build of vLLM with --device cpu"]
    return Answer("vLLM found no GPU to run on", cause, facts, cmds, actions, "medium")


def trt_engine(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = [F.gpu_fact(m)]
    cmds: List[str] = []
    if mo.get("subject") == "device" and not mo.get("engine_cc"):
        cause = ("the TensorRT engine was built on a GPU of another compute capability than this one: an engine holds "
                 "kernels chosen for the GPU it was built on and runs only on GPUs of that compute capability (an "
                 "engine shipped with a repository or image, a cache from another machine, or the wrong GPU picked on "
                 "a machine with several)" + (f". The GPU here is of compute capability {m.gpu_cc}" if m.gpu_cc else ""))
        cmds.append("nvidia-smi --query-gpu=index,name,compute_cap --format=csv    # the GPU the engine must match")
        title = "The TensorRT engine was built for another GPU"
    elif mo.get("subject") == "device":
        here, built = mo.get("here_cc"), mo.get("engine_cc")
        cause = (f"the TensorRT engine was built on a GPU of compute capability {built} and is loaded on one of {here}: "
                 "an engine holds kernels chosen for the GPU it was built on and runs only on GPUs of that compute "
                 "capability (an engine shipped with a repository or image, a cache from another machine, or the wrong "
                 "GPU picked on a machine with several)")
        if m.gpu_cc and m.gpu_cc != here:
            cause += f". The GPU here is of compute capability {m.gpu_cc}: the message came from another machine"
        cmds.append("nvidia-smi --query-gpu=index,name,compute_cap --format=csv    # the GPU the engine must match")
        title = f"The TensorRT engine was built for compute {built}, this GPU is compute {here}"
    elif mo.get("engine_unread"):
        here = mo.get("here_trt")
        cause = (f"TensorRT {here} could not read the TensorRT version the engine was built with (it printed none, or "
                 "no release number): the engine was serialized by another TensorRT release, whose file it does not "
                 "understand (an engine built in another environment, by another Python or pip install of tensorrt, "
                 "or shipped prebuilt); an engine runs only with the TensorRT release that built it")
        cmds += F.for_each(m, "{py} -c \"import tensorrt; print(tensorrt.__version__)\"", "tensorrt",
                           "the TensorRT that loads it")
        cmds.append("ldconfig -p | grep libnvinfer    # the TensorRT libraries the loader finds")
        title = f"The TensorRT engine was not built by this TensorRT ({here})"
    elif not (mo.get("here_trt") and mo.get("engine_trt")):
        # Torch-TensorRT's 'No compatible device was found for instantiating TensorRT engine', 'targets a different
        # Torch-TensorRT ABI Version': the message names neither side
        cause = ("the serialized TensorRT engine does not match where it is loaded: it was built on a GPU of another "
                 "compute capability (no GPU here is compatible with its target), or by another Torch-TensorRT/TensorRT "
                 "release than the one loading it")
        cmds.append("nvidia-smi --query-gpu=index,name,compute_cap --format=csv    # the GPUs the engine could run on")
        title = "The TensorRT engine was built for another GPU or another TensorRT release"
    else:
        here, built = mo.get("here_trt"), mo.get("engine_trt")
        cause = (f"the TensorRT engine was built with TensorRT {built} and is loaded by TensorRT {here}: an engine runs "
                 "only with the TensorRT release that built it (a JetPack or container upgrade, or two TensorRT "
                 "installs: the Python bindings and the C++ library of different releases)")
        cmds.append("ldconfig -p | grep libnvinfer    # the TensorRT libraries the loader finds")
        title = f"The TensorRT engine was built with TensorRT {built}, this is TensorRT {here}"
    actions = ["rebuild the engine where it runs, from its ONNX model (trtexec --onnx=<model>.onnx "
               "--saveEngine=<model>.engine), or delete the cached .engine/.plan so the program builds it again; "
               "ship the ONNX model, not the engine"]
    return Answer(title, cause, facts, cmds, actions)


def _paddle_arch(mo: Match, ctx: Ctx) -> Answer:
    m, sm, gen = ctx.m, mo.get("sm"), mo.get("generation")
    facts = [F.gpu_fact(m), f"the message: this Paddle wheel has kernels for {mo.get('build_archs')}"]
    cause = (f"the installed Paddle wheel was built for the architectures {mo.get('build_archs')} and the GPU is "
             f"{gen}{' (' + sm + ')' if sm else ''}: Paddle publishes one wheel per CUDA release, each for the GPU "
             "generations that CUDA release compiles for (older CUDA builds stop before Ampere, newer ones drop Pascal "
             "and older)")
    if sm and m.sm and f"sm_{m.sm}" != sm:
        cause += f". The GPU here is sm_{m.sm}: the message came from another machine"
    cmds = [] if m.sm else [F.LEARN_GPU]
    cmds += F.for_each(m, "{py} -c \"import paddle; paddle.utils.run_check()\"", "paddlepaddle-gpu",
                       "which CUDA this Paddle was built with, and whether the GPU works")
    actions = ["install the paddlepaddle-gpu wheel for a CUDA release that covers this GPU's generation (the install "
               "table on paddlepaddle.org.cn), with a driver that runs that CUDA"]
    return Answer(f"This Paddle build has no kernels for the {gen} GPU", cause, facts, cmds, actions)


ANSWERS: Dict[str, Callable[[Match, Ctx], Answer]] = {C.GPU_BUSY: gpu_busy, C.CUDA_INIT: cuda_init,
                                                     C.TRT_ENGINE: trt_engine}
# the answers for the CUDA error table's own wordings of known causes, before each code's core answer
SPECIAL: Dict[str, Dict[str, Callable[[Match, Ctx], Answer]]] = {
    C.LIBCUDA: {"jit": _ptxjit},
    C.PTX_TOO_NEW: {"invalid_ptx": _invalid_ptx},
    C.GPU_ARCH: {"status": _arch_status, "triton_min": _triton_arch, "nvrtc": _nvrtc_arch, "paddle": _paddle_arch},
    C.MISSING_LIB: {"unnamed": _unnamed_libs},
    C.NO_DEVICE: {"container_device": _container_device, "vllm": _vllm_platform},
    C.CUDNN_MISMATCH: {"status": _cudnn_status},
    C.CONTAINER_NO_GPU: {"k8s": _k8s},
}
