"""CUDA's own error table, read the three ways programs print it: by number ('CUDA error 35', 'cuda runtime error (35)',
'cudaSuccess (46 vs. 0)', 'failed with error #35'), by enum name (cudaErrorDevicesUnavailable,
CUDA_ERROR_JIT_COMPILER_NOT_FOUND) and by the text cudaGetErrorString / cuGetErrorString give ('all CUDA-capable
devices are busy or unavailable'). Only the errors that are an environment fault are in the table; each maps to the
explain code of its cause. Numbers, names and texts are those of the CUDA headers (driver_types.h for cudaError_t,
cuda.h for CUresult): the two APIs share the numbers of the errors here, except 35 (runtime only) and the runtime's
numbering before CUDA 10.1 (30 unknown error, 38 no device, 48 no kernel image), whose numbers nothing newer reuses
(CUDA 13's driver_types.h and cuda.h have no error 30, 38 or 48).

Also the CUDA libraries' status names whose name alone says the cause (CUDNN_STATUS_ARCH_MISMATCH,
CUBLAS_STATUS_ARCH_MISMATCH, CUDNN_STATUS_VERSION_MISMATCH), and a scheduler's and a container runtime's words for
a GPU that is not there (Kubernetes' 'Insufficient nvidia.com/gpu', numba's 'CUDA driver library cannot be found').
Pure text work, like patterns.py, which puts these entries in its table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

from envcheck.explain import codes as C
from envcheck.explain import process as P

PTXJIT = "libnvidia-ptxjitcompiler.so.1"
# another vendor's GPU stack named in the text (ROCm/HIP, DirectML, an Intel GPU): words CUDA programs also print (a
# hipified launch stub's symbol, a check macro's 'CUDA error', HIP's own 'invalid device symbol', TensorFlow's search
# for nvcuda.dll) are not an NVIDIA fault
OTHER_GPU = re.compile(r"\b(?:ROCm|hipcc|hipif(?:y|ied)|HIP error|hipError\w{0,40}|AMD (?:Radeon|Instinct)|Radeon|"
                       r"Instinct MI\d{2,3}|DirectML|gfx\d{3,4}[a-z]?|Intel(?:\(R\))? (?:Arc|UHD|Iris))\b")


def other_gpu(mo) -> bool:
    """Whether the text around a match (its first 20,000 characters) names another vendor's GPU stack."""
    return OTHER_GPU.search(mo.string[:20000]) is not None


@dataclass(frozen=True)
class CudaError:
    number: int
    runtime: str                # cudaError_t name without 'cudaError' ('' where the runtime has none)
    driver: str                 # CUresult name without 'CUDA_ERROR_' ('' where the driver API has none)
    text: str                   # what cudaGetErrorString / cuGetErrorString print ('' where another pattern has it)
    code: str
    params: Tuple[Tuple[str, str], ...] = ()


def _p(**kw) -> Tuple[Tuple[str, str], ...]:
    return tuple(sorted(kw.items()))


TABLE: List[CudaError] = [
    CudaError(2, "MemoryAllocation", "OUT_OF_MEMORY", "", C.CUDA_OOM),
    CudaError(3, "InitializationError", "NOT_INITIALIZED", "", C.CUDA_INIT),
    CudaError(34, "StubLibrary", "STUB_LIBRARY", "", P.STUB),
    CudaError(35, "InsufficientDriver", "", "", C.DRIVER_OLD),
    CudaError(36, "CallRequiresNewerDriver", "CALL_REQUIRES_NEWER_DRIVER",
              "API call is not supported in the installed CUDA driver", C.DRIVER_OLD, _p(call_newer="yes")),
    # cudaErrorUnknown before CUDA 10.1 (deviceQuery's 'cudaGetDeviceCount returned 30 -> unknown error'): as 999
    # a __device__ or __constant__ symbol (cudaMemcpyToSymbol's) not in any module loaded for this GPU: the threads found
    # programs built for other architectures only (AutoDock-GPU without the GPU's TARGETS): medium, code bugs give it too
    CudaError(13, "InvalidSymbol", "", "invalid device symbol", C.NO_KERNEL, _p(symbol_not_found="yes",
                                                                               device_symbol="yes")),
    CudaError(30, "", "", "", C.NO_DEVICE, _p(unknown_999="yes")),
    CudaError(38, "", "", "", C.NO_DEVICE),                      # cudaErrorNoDevice before CUDA 10.1
    CudaError(46, "DevicesUnavailable", "DEVICE_UNAVAILABLE",
              r"all CUDA-capable devices are busy or unavailable|CUDA-capable device\(s\) is/are busy or unavailable",
              C.GPU_BUSY),
    CudaError(48, "", "", "", C.NO_KERNEL),                      # cudaErrorNoKernelImageForDevice before CUDA 10.1
    CudaError(98, "InvalidDeviceFunction", "", "", C.NO_KERNEL),
    CudaError(100, "NoDevice", "NO_DEVICE", "", C.NO_DEVICE),
    CudaError(101, "InvalidDevice", "INVALID_DEVICE", "", C.NO_DEVICE, _p(ordinal="yes")),
    CudaError(200, "InvalidKernelImage", "INVALID_IMAGE", "", C.PTX_TOO_NEW, _p(invalid_image="yes")),
    CudaError(209, "NoKernelImageForDevice", "NO_BINARY_FOR_GPU", "", C.NO_KERNEL),
    # an exclusive-thread GPU (compute mode 1, EXCLUSIVE_THREAD) already bound to another thread: TensorFlow's
    # StreamExecutor switches threads and gets this where the GPU is in that mode
    CudaError(216, "DeviceAlreadyInUse", "CONTEXT_ALREADY_IN_USE",
              "exclusive-thread device already in use by a different thread", C.GPU_BUSY, _p(exclusive_thread="yes")),
    CudaError(218, "InvalidPtx", "INVALID_PTX", "a PTX JIT compilation failed", C.PTX_TOO_NEW, _p(invalid_ptx="yes")),
    CudaError(221, "JitCompilerNotFound", "JIT_COMPILER_NOT_FOUND", "PTX JIT compiler library not found", C.LIBCUDA,
              _p(soname=PTXJIT, jit="yes")),
    CudaError(222, "UnsupportedPtxVersion", "UNSUPPORTED_PTX_VERSION", "", C.PTX_TOO_NEW),
    # a kernel or device symbol looked up by name that the loaded module lacks: the threads found a library built for
    # other architectures (NCCL built with NVCC_GENCODE for sm_80 only, run on sm_90): medium, it has other causes
    CudaError(500, "SymbolNotFound", "NOT_FOUND", "named symbol not found", C.NO_KERNEL, _p(symbol_not_found="yes")),
    # CUDA's 'unknown error' at start: the threads fixed it by reloading nvidia_uvm (after a suspend) or a reboot
    CudaError(999, "Unknown", "UNKNOWN", "", C.NO_DEVICE, _p(unknown_999="yes")),
    CudaError(802, "SystemNotReady", "SYSTEM_NOT_READY", "", C.SYSTEM_NOT_READY),
    CudaError(803, "SystemDriverMismatch", "SYSTEM_DRIVER_MISMATCH", "", C.NVML_MISMATCH, _p(error_803="yes")),
    CudaError(804, "CompatNotSupportedOnDevice", "COMPAT_NOT_SUPPORTED_ON_DEVICE", "", C.FWD_COMPAT),
]
BY_NUMBER: Dict[int, CudaError] = {e.number: e for e in TABLE}
BY_NAME: Dict[str, CudaError] = {**{"cudaerror" + e.runtime.lower(): e for e in TABLE if e.runtime},
                                 **{"cuda_error_" + e.driver.lower(): e for e in TABLE if e.driver}}
# driver names distinct enough to be read without the CUDA_ prefix (Julia's 'ERROR_JIT_COMPILER_NOT_FOUND')
BARE_DRIVER = ("JIT_COMPILER_NOT_FOUND", "DEVICE_UNAVAILABLE", "NO_BINARY_FOR_GPU", "UNSUPPORTED_PTX_VERSION",
               "STUB_LIBRARY", "SYSTEM_DRIVER_MISMATCH", "SYSTEM_NOT_READY", "COMPAT_NOT_SUPPORTED_ON_DEVICE")


def _answer(e: CudaError) -> Tuple[str, Dict[str, str]]:
    params = dict(e.params, subject="", cuda_error=str(e.number))
    if e.code == C.LIBCUDA:
        params["subject"] = "PTX JIT compiler"       # the library libcuda could not load is not named in the message
    return e.code, params


def _by_number(mo, line):
    n = next((g for g in mo.groups() if g), None)
    e = BY_NUMBER.get(int(n)) if n else None
    return _answer(e) if e else None


def _by_name(mo, line):
    name = (mo.group(1) or "cuda_" + mo.group(2)).lower()       # a bare ERROR_X is CUDA_ERROR_X
    e = BY_NAME.get(name)
    return _answer(e) if e else None


def _by_camel(mo, line):
    """A binding's CamelCase enum: CuTe DSL's / cuda-python's 'CUDAError InsufficientDriver', 'cudaError.NoDevice'."""
    e = BY_NAME.get("cudaerror" + mo.group(1).lower())
    return _answer(e) if e else None


def _by_rust(mo, line):
    """Rust bindings' Debug form of the driver API's CUresult (cust, rustacuda: 'Cuda(NoBinaryForGpu)',
    'CudaError::NoDevice'): the CUDA_ERROR_ name in CamelCase."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", mo.group(1)).lower()
    e = BY_NAME.get("cuda_error_" + snake) or BY_NAME.get("cudaerror" + mo.group(1).lower())
    return _answer(e) if e else None


def _by_text(e: CudaError) -> Callable:
    if e.number == 13:          # HIP prints the same words for hipErrorInvalidSymbol: not an NVIDIA build's
        return lambda mo, line: None if other_gpu(mo) else _answer(e)
    return lambda mo, line: _answer(e)


N = r"(\d{1,3})(?![\d.]\d|\d)"
# where a number printed next to CUDA is the error code: 'CUDA error 35', 'cuda runtime error (35)', 'CUDA Runtime
# Error(46)', 'CUDA failure 100:' (ONNX Runtime), 'CUDA error(35)' (Paddle), 'Check failed: error == cudaSuccess (35 vs.
# 0)' (Caffe's glog), 'cudaRuntimeGetVersion() failed with error #35', 'cudaGetDeviceProperties returned 35',
# 'THCudaCheck FAIL file=... error=46', TensorRT's 'CUDA initialization failure with error: 35', numba's
# 'CudaAPIError: [100]' and '[100] Call to cuInit results in', Julia's '(code 221, ERROR_...)', TensorFlow's 'failed call to
# cuInit: UNKNOWN ERROR (34)', ollama's 'cuda driver library init failure: 3'
NUMBER_PATTERNS = [
    r"\bcuda(?:[ _](?:runtime|driver)(?: api)?)?[ _]?(?:error|failure)s?\b[:\s]{0,3}(?:error\s*)?(?:code\s*[:=]?\s*)?"
    r"[(\[#]?\s*" + N,
    r"cudaSuccess\s*\(\s*" + N + r"\s*vs\.?\s*0\s*\)|cudaSuccess\s*\(\s*0\s*vs\.?\s*" + N + r"\s*\)",
    # glog's check with the call on the right: 'CUDA_SUCCESS == dynload::cuCtxSetCurrent(context) (0 vs. 216)'
    r"\b(?:CUDA_SUCCESS|cudaSuccess)\s{0,2}==\s{0,2}[\w:.]{1,80}\([^\n()]{0,160}\)\s{0,2}\(\s*0\s*vs\.?\s*" + N + r"\s*\)",
    r"(?-i:\bcu(?:da)?[A-Z]\w{1,60})(?:\(\))?\s+(?:failed(?: with error)?|returned(?: error)?)[:\s]*(?:code\s*)?#?\s*"
    + N,
    r"THCudaCheck FAIL[^\n]{0,300}?\berror=" + N,
    r"CUDA initiali[sz]ation failure with error:?\s*" + N,
    r"CudaAPIError:?\s*\[" + N + r"\]",
    r"\(code " + N + r",\s*(?:CUDA_)?ERROR_[A-Z_]+\)",
    r"failed call to cuInit:?[^\n(]{0,60}\(\s*" + N + r"\s*\)",
    r"\[" + N + r"\] Call to cu\w{2,40} results in",
    # ollama's discovery: 'cuda driver library init failure: 3' (gpu_info_nvcuda, cuInit's CUresult) and 'cudart init
    # failure: 35' (gpu_info_cudart, the runtime's cudaError_t)
    r"\b(?:cuda driver library|nvcuda|cudart) init failure:?\s{0,3}" + N,
    # the container toolkit's CUDA probe ('failed to initialize CUDA: result=100', a CUresult)
    r"\bfailed to initiali[sz]e CUDA:?\s{0,3}result\s{0,2}=\s{0,2}" + N,
]

# the runtime's enum without its prefix, after a binding's 'CUDAError' (CamelCase, so not an ordinary word)
CAMEL_PATTERN = r"\bCUDA[ _]?Error(?:\.|:|\s)\s{0,2}(?-i:([A-Z][a-z]+(?:[A-Z][a-z]+)+))\b"
# the driver API's enum in CamelCase, as Rust bindings print it ('Cuda(NoBinaryForGpu)', 'CudaError::NoDevice')
RUST_PATTERN = r"(?-i:\b(?:Cuda|CudaError|DriverError)(?:::|\()\s{0,2}([A-Z][a-z]+(?:[A-Z][a-z]*)+))\b"
# a number of three digits (only the table's 2xx and 8xx numbers are that long) said in prose after a CUDA call
# failed: 'CUDA initialization fails with 802 system error'
PROSE_NUMBER = (r"\bCUDA\b[^\n]{0,80}?\b(?:fails|failed|failing|fail|returns|returned)\s+with\s+(?:error\s+|code\s+)?"
                r"(\d{3})\b(?=\s+(?:\w+\s+)?error|\s*[:(])")

NAME_PATTERN = (r"\b(cudaError[A-Za-z]{2,40}|CUDA_ERROR_[A-Z_]{2,40})\b|(?<![A-Za-z_])(ERROR_(?:"
                + "|".join(BARE_DRIVER) + r"))\b")


def _k8s(mo, line):
    """Kubernetes' 'Insufficient nvidia.com/gpu': no node offers a free GPU: the device plugin advertises none (the
    NVIDIA runtime is not the node's default, the plugin is not deployed or failing) or all are allocated."""
    return C.CONTAINER_NO_GPU, {"subject": "", "k8s": "yes"}


def _cudnn_status(mo, line):
    """cuDNN's 'CUDNN_STATUS_VERSION_MISMATCH' / 'CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH': the cuDNN libraries loaded
    are of different releases (a sub-library such as libcudnn_ops from another cuDNN than libcudnn)."""
    return C.CUDNN_MISMATCH, {"subject": "", "status": mo.group(0)}


def _arch_status(mo, line):
    """'CUDNN_STATUS_ARCH_MISMATCH', 'CUBLAS_STATUS_ARCH_MISMATCH', libcudnn.py's 'cudnnStatusArchMismatch': the library
    needs a feature this GPU's architecture lacks (a GPU older than the library release supports)."""
    lib = re.match(r"cu(dnn|blas|sparse|solver|fft)", mo.group(0), re.IGNORECASE)
    return C.GPU_ARCH, {"subject": "", "sm": "", "status": mo.group(0), "library": "cu" + lib.group(1).lower()}


def _triton_arch(mo, line):
    """torch.compile's 'Found NVIDIA GeForce GTX 1070 which is too old to be supported by the triton GPU compiler ...
    Triton only supports devices of CUDA Capability >= 7.0, but your device is of CUDA capability 6.1'."""
    sm = f"sm_{mo.group(3)}{mo.group(4)}"
    p = {"subject": sm, "sm": sm, "too_old": "yes", "triton_min": f"{mo.group(1)}.{mo.group(2)}"}
    gpu = re.search(r"Found ([^\n]{2,60}?) which is too old", mo.string)
    if gpu:
        p["gpu"] = gpu.group(1)
    return C.GPU_ARCH, p


def _container_device(mo, line):
    """nvidia-container-cli's 'device error: 1: unknown device': --gpus / NVIDIA_VISIBLE_DEVICES names a GPU (an
    index, a UUID, a MIG device) the host does not have."""
    dev = mo.group(1).strip()
    if not dev or dev.startswith("/"):     # the volume-mounts device list strategy's path: a toolkit setting, not a GPU
        return None
    return C.NO_DEVICE, {"subject": "", "ordinal": "yes", "container_device": dev}


def _nvrtc_arch(mo, line):
    """NVRTC's 'invalid value for --gpu-architecture (-arch)': the NVRTC in use (the CUDA release torch, CuPy or a JIT
    ships) does not know this GPU's architecture: a GPU newer than that CUDA, or one a newer CUDA dropped."""
    arch = re.search(r"-arch[= ](?:compute|sm)_(\d{2,3})", mo.string)
    sm = f"sm_{arch.group(1)}" if arch else ""
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "nvrtc": "yes"}


def _unnamed_libs(framework: str):
    """A framework's summary that some CUDA libraries did not load (TensorFlow's 'Cannot dlopen some GPU libraries',
    ONNX Runtime's 'Failed to create CUDAExecutionProvider. Require cuDNN 9.* and CUDA 12.*'): the loader errors
    above it name them; alone it says what to look for."""
    def f(mo, line):
        need = re.search(r"Require (cuDNN \d+(?:\.\d+)*(?:\.\*)? and CUDA \d+(?:\.\d+)*(?:\.\*)?)", mo.string)
        p = {"subject": "", "soname": "", "unnamed": framework}
        if need:
            p["require"] = need.group(1)
        return C.MISSING_LIB, p
    return f


def _trt_engine(mo, line):
    """TensorRT's check of a serialized engine: 'expecting compute 8.6 got compute 7.5' (expecting: this GPU; got: the
    GPU the engine was built on) or 'expecting library version 8.0.0 got 8.0.1' (this TensorRT; the engine's)."""
    if mo.group(1):
        return C.TRT_ENGINE, {"subject": "device", "here_cc": mo.group(1), "engine_cc": mo.group(2)}
    if "incompatible device" in mo.group(0):     # quoted without the two compute capabilities
        return C.TRT_ENGINE, {"subject": "device", "here_cc": "", "engine_cc": ""}
    # 'expecting library version 10.12.0.36 got .': the engine's version unreadable (another release's file layout)
    built = mo.group(4) or ""
    if built.startswith("-") or any(len(part) > 4 for part in built.split(".")):
        built = ""                  # not a release number: the engine's header was read as another layout
    return C.TRT_ENGINE, {"subject": "version", "here_trt": mo.group(3), "engine_trt": built,
                          **({} if built else {"engine_unread": "yes"})}


def _trt_serialization(mo, line):
    """TensorRT's 'Serialization assertion stdVersionRead == kSERIALIZATION_VERSION failed. Version tag does not match'
    (and the magic tag's): the engine file was serialized by another TensorRT release (or is no engine at all)."""
    cur = re.search(r"Current Version:\s*(\d+),?\s*Serialized Engine Version:\s*(\d+)", mo.string[mo.start():mo.end() + 300])
    here = f"of serialization version {cur.group(1)}" if cur else "of this release"
    built = f"of serialization version {cur.group(2)}" if cur else "of another release (or a file that is no engine)"
    return C.TRT_ENGINE, {"subject": "version", "here_trt": here, "engine_trt": built}


def _paddle_arch(mo, line):
    """Paddle's 'The GPU architecture in your current machine is Pascal, which is not compatible with Paddle installation
    with arch: 70 75 80 86': the wheel has no kernels for this GPU's generation."""
    cc = re.search(r"GPU Compute Capability:\s*(\d+)\.(\d+)", mo.string)
    sm = f"sm_{cc.group(1)}{cc.group(2)}" if cc else ""
    return C.GPU_ARCH, {"subject": sm or mo.group(1), "sm": sm, "generation": mo.group(1),
                        "build_archs": " ".join(mo.group(2).split()), "paddle": "yes"}


def _bf16_gemm(mo, line):
    """cuBLAS' 'CUBLAS_STATUS_NOT_SUPPORTED when calling cublasGemm...Ex(... CUDA_R_16BF ...)': a bfloat16 GEMM, which
    needs an Ampere (sm_80) or newer GPU; NOT_SUPPORTED has other causes too (an unsupported layout, cuBLAS release)."""
    return C.GPU_ARCH, {"subject": "sm_80", "sm": "", "dtype": "bfloat16", "need_cc": "8.0", "cublas_bf16": "yes"}


def _unnamed_jax(mo, line):
    """JAX's 'CUDA backend failed to initialize: Unable to load CUDA': jaxlib's CUDA plugin did not load its CUDA
    libraries (the nvidia-* wheels, or the libraries the loader finds); the log with TF_CPP_MIN_LOG_LEVEL=0 names them."""
    return C.MISSING_LIB, {"subject": "", "soname": "", "unnamed": "jax"}


def _bnb_no_gpu(mo, line):
    """bitsandbytes' 'compiled without GPU support': its loader found no CUDA runtime (libcudart) to pick the CUDA build
    of its library, so it loaded the CPU one; rarely, a CPU-only wheel."""
    return C.MISSING_LIB, {"subject": "", "soname": "", "unnamed": "bitsandbytes"}


def _init_error(mo, line):
    fork = re.search(r"forked (?:sub)?process|after fork\(\)|before forking", mo.string, re.IGNORECASE)
    return C.CUDA_INIT, {"subject": "", "cuda_error": "3", **({"fork": "yes"} if fork else {})}


# (regex, layer, fn, wrapper), merged into patterns.PATTERNS before 'what programs report'
CUDA_PATTERNS: List[Tuple[str, int, Callable, bool]] = [
    # torch's and numba's words for CUDA used in a process forked after its parent initialised CUDA
    (r"Cannot re-initiali[sz]e CUDA in forked subprocess|CUDA initiali[sz]ed before forking|"
     r"in a forked subprocess where CUDA has already been initiali[sz]ed|"
     # accelerate's notebook_launcher: CUDA initialised in the notebook before it forks its workers
     r"CUDA has been initiali[sz]ed before the `?notebook_launcher`? could create a forked subprocess", 1, _init_error,
     False),
    *[(e.text, 1 if e.code != C.LIBCUDA else 0, _by_text(e), False) for e in TABLE if e.text],
    (NAME_PATTERN, 1, _by_name, False),
    (CAMEL_PATTERN, 1, _by_camel, False),
    (RUST_PATTERN, 1, _by_rust, False),
    (PROSE_NUMBER, 1, _by_number, False),
    *[(rx, 1, _by_number, False) for rx in NUMBER_PATTERNS],
    (r"(?:\b\d{1,4} |^\W{0,4})Insufficient nvidia\.com/gpu", 1, _k8s, False),
    (r"Triton only supports devices of CUDA Capability >= (\d+)\.(\d+),? but your device is of CUDA capability "
     r"(\d+)\.(\d+)", 1, _triton_arch, False),
    (r"nvidia-container-cli(?:\.real)?: device error:\s*([^\n:]{0,120}?):?\s*unknown device", 1, _container_device, False),
    (r"CUDA driver library cannot be found", 0,
     lambda mo, line: (C.LIBCUDA, {"subject": "libcuda.so.1", "soname": "libcuda.so.1"}), False),
    (r"nvrtc:? error:? invalid value for --gpu-architecture", 1, _nvrtc_arch, False),
    (r"NVRTC_ERROR_INVALID_OPTION", 1, lambda mo, line: (C.GPU_ARCH, {"subject": "", "sm": "", "nvrtc": "yes",
                                                                     "nvrtc_option": "yes"}), False),
    (r"GPU architecture in your current machine is (\w+), which is not compatible with Paddle installation with arch:?"
     r"\s*((?:\d{2,3}\s*){1,12})", 1, _paddle_arch, False),
    (r"engine plan file is generated on an incompatible device(?:[,.]? expecting compute (\d+\.\d+),? got compute "
     r"(\d+\.\d+))?|engine plan file is (?:not compatible|incompatible) with this version of TensorRT[,.]? expecting "
     # TensorRT 5's 'expecting 5.0.6.3got -2100382470.0.2.1852793695': a version it could not read
     r"(?:library version )?([\d.]+\d),? ?got ?(-?[\d.]+\d)?", 1, _trt_engine, False),
    (r"Serialization assertion (?:(?:std|safe)VersionRead == \w{1,40}|magicTagRead == kMAGIC_TAG) failed|"
     r"Serialization Error in verifyHeader|\b(?:Version|Magic) tag does not match", 1,
     _trt_serialization, False),
    # a framework's summary after the loader errors it logged (layer 2: the loader errors lead)
    (r"Cannot dlopen some GPU libraries", 2, _unnamed_libs("tensorflow"), False),
    (r"Failed to create CUDAExecutionProvider", 2, _unnamed_libs("onnxruntime"), False),
    # cuDNN 9's dispatcher could not dlopen one of its sub-libraries (libcudnn_engines_precompiled.so.9, ...)
    (r"CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": "libcudnn", "soname": "libcudnn", "sublibrary": "yes"}), True),
    # vLLM's platform detection found no GPU ('Failed to infer device type', 'No platform detected')
    (r"Failed to infer device type|No platform detected,? vLLM is running on UnspecifiedPlatform", 1,
     lambda mo, line: (C.NO_DEVICE, {"subject": "", "vllm": "yes"}), False),
    (r"CUDNN_STATUS_(?:SUBLIBRARY_)?VERSION_MISMATCH", 1, _cudnn_status, False),
    (r"CU(?:DNN|BLAS|SPARSE|SOLVER)_STATUS_ARCH_MISMATCH|cudnnStatusArchMismatch", 1, _arch_status, False),
    (r"CUBLAS_STATUS_NOT_SUPPORTED\b[^\n]{0,600}?CUDA_R_16BF", 1, _bf16_gemm, False),
    (r"CUDA backend failed to initiali[sz]e:?\s*Unable to load CUDA", 2, _unnamed_jax, False),
    (r"bitsandbytes was compiled without GPU support|CUDA Setup failed despite GPU being available", 2, _bnb_no_gpu,
     False),
]

# CUDA's 'initialization error' as printed after a CUDA call (PyTorch's 'CUDA error: initialization error', pycuda's
# 'cuInit failed: initialization error', CTranslate2's 'CUDA failed with error initialization error'): a symptom, so
# layer 2 (a root cause in the same log leads)
INIT_PATTERN = (r"\b(?:CUDA|cuInit|cu\w{2,40}|cuda\w{2,40})\b[^\n]{0,40}?\binitiali[sz]ation error\b", 2, _init_error,
                False)

