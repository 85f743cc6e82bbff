"""The causes `envcheck explain` recognises, as stable finding codes (docs/codes.md is made from these).

Each explanation names the cause the way the public issue threads in tests/data/explain/corpus.yaml established it.
The eight codes of the first version keep their names; the rest were added with the corpus (docs/explain.md).
"""
from envcheck.findings import register

MISSING_LIB = register("explain-missing-library", "fail", "A CUDA/cuDNN/TensorRT/NCCL/MPI library the package needs is missing",
    """'libX.so.N: cannot open shared object file' (or a framework's wrapper around it: ONNX Runtime's 'Failed to load
    library ... with error:', TensorRT's 'Unable to open library: ... due to', Paddle's 'Cannot load cudnn shared
    library'): the package was built against major N of that library and the loader finds none where it looks. For
    libcudart/libcublas(Lt) N is the CUDA major: a CUDA 13 build needs a driver >= 580 whatever you install with pip.""")
LIBCUDA = register("explain-libcuda-missing", "fail", "The driver's libcuda.so.1 is not visible to the process",
    """'libcuda.so.1: cannot open shared object file': libcuda is part of the NVIDIA driver, never of a pip wheel or a
    CUDA image. In a container the usual cause is a container started without the NVIDIA runtime (no --gpus), which is
    what mounts the host driver's user-space libraries; on a host, a driver that is not installed.""")
DRIVER_OLD = register("explain-driver-insufficient", "fail", "The CUDA runtime is newer than the driver",
    """'CUDA driver version is insufficient for CUDA runtime version' (cudaErrorInsufficientDriver, error 35) and
    PyTorch's 'The NVIDIA driver on your system is too old (found version 11040)' (the driver's CUDA as an integer:
    11040 = 11.4): the program's CUDA runtime needs a newer driver than the host has, and minor-version
    compatibility did not apply.""")
CONTAINER_REQ = register("explain-container-cuda-requirement", "fail", "The image needs a newer CUDA than the host driver runs",
    """'nvidia-container-cli: requirement error: unsatisfied condition: cuda>=X': the image declares NVIDIA_REQUIRE_CUDA
    and the host's driver runs an older CUDA. Update the host driver or use an image built for an older CUDA.""")
CONTAINER_NO_GPU = register("explain-container-no-gpu-runtime", "fail", "Docker has no NVIDIA runtime for --gpus",
    """'could not select device driver "" with capabilities: [[gpu]]': the Docker daemon has no device driver for GPU
    requests: the NVIDIA Container Toolkit is not installed or not configured for this daemon (or the machine has no
    NVIDIA GPU at all).""")
NO_KERNEL = register("explain-no-kernel-image", "fail", "The build has no kernels for this GPU",
    """'no kernel image is available for execution on the device' and 'invalid device function': the binary was
    compiled for other GPU architectures (sm_XX) and carries no PTX the driver could compile for this one. PyTorch's
    'with CUDA capability sm_XX is not compatible with the current PyTorch installation' for a GPU newer than every
    architecture the wheel lists (a Blackwell sm_120 with a build for CUDA < 12.8) is the same cause, said before any
    kernel runs.""")
GPU_ARCH = register("explain-gpu-arch-unsupported", "fail", "The build or compiler does not support this GPU's architecture",
    """A GPU generation the software does not support at all: PyTorch's 'sm_XX is not compatible with the current
    PyTorch installation' for a GPU older than every architecture the wheel lists (current builds dropped it), a
    program's own minimum compute capability, or a compiler older than the GPU (ptxas' 'Value sm_XX is not defined
    for option gpu-name', the one Triton uses; nvcc's 'Unsupported gpu architecture').""")
DNN_INIT = register("explain-dnn-init-failed", "fail", "XLA/JAX could not initialise cuDNN",
    """JAX's 'FAILED_PRECONDITION: DNN library initialization failed': cuDNN could not create a handle. The threads
    found a cuDNN older than jaxlib was built with, a jaxlib for another CUDA major, or a driver too old; the lines
    above it in the log (cuda_dnn.cc) say which.""")
GLIBC = register("explain-glibc-too-old", "fail", "The system glibc is older than a binary needs",
    """'version GLIBC_2.xx not found': a wheel or library was built on a newer Linux than this one.""")
LIBSTDCXX = register("explain-libstdcxx-too-old", "fail", "The libstdc++ the loader picked is older than a binary needs",
    """'libstdc++.so.6: version GLIBCXX_3.4.xx not found' (or CXXABI_1.3.x): a binary was built with a newer GCC than
    the libstdc++ that was loaded; often a conda environment's own older libstdc++ found before the system's.""")
EXT_ABI = register("explain-extension-abi-mismatch", "fail", "An extension was built against another torch",
    """'undefined symbol: _ZN3c10...' / '_ZN2at4_ops...' / '_ZN5torch...' from an extension (flash-attn, vllm._C,
    ...): the extension was compiled against a different torch version (or C++ ABI) than the one installed.""")
CUDA_SYMBOL = register("explain-cuda-symbol-mismatch", "fail", "Two CUDA libraries of different releases were mixed",
    """'undefined symbol: __nvJitLinkAddData_12_1, version libnvJitLink.so.12': one CUDA library (cuSPARSE) needs a
    newer release of another (nvJitLink) than the copy the loader picked, usually an older toolkit's copy put first
    by LD_LIBRARY_PATH. An undefined NCCL function (torch's libtorch_cuda.so asking for ncclCommRegister) is the same
    cause: an older libnccl found before the one the library was built with.""")
UNDEFINED = register("explain-undefined-symbol", "fail", "A library was loaded that lacks a symbol its user needs",
    """'undefined symbol: X': the object that asks for X was built against another version of the library that was
    loaded (an older copy found first, or a partial build).""")
CUDNN_MISMATCH = register("explain-cudnn-version-mismatch", "fail", "A cuDNN other than the one the framework was built with was loaded",
    """'cuDNN version incompatibility: PyTorch was compiled against (8, 5, 0) but found runtime version (8, 3, 3)' and
    XLA's 'Loaded runtime CuDNN library: 8.7.0 but source was compiled with: 8.9.4': an older cuDNN, usually from
    LD_LIBRARY_PATH or a system install, was found before the one the framework ships with.""")
TOOLKIT_MISMATCH = register("explain-cuda-toolkit-mismatch", "fail", "The CUDA toolkit does not match torch's CUDA (building an extension)",
    """'The detected CUDA version (11.8) mismatches the version that was used to compile PyTorch (12.4)' and
    DeepSpeed's 'Installed CUDA version 12.1 does not match the version torch was compiled with 11.8': nvcc (from
    CUDA_HOME or PATH) is another CUDA major than the torch build, so the extension cannot be built. An extension
    built so that then fails to load on an undefined __cudaPopCallConfiguration or __cudaRegisterFatBinaryEnd (entry
    points nvcc writes into every binary) is the same cause: its nvcc was newer than the CUDA runtime it loads.""")
CUDA_HOME = register("explain-cuda-home-missing", "fail", "No CUDA toolkit to compile an extension",
    """'CUDA_HOME does not exist, unable to compile CUDA op(s)': DeepSpeed (or torch.utils.cpp_extension) needs nvcc
    to JIT-compile its ops and finds no CUDA toolkit. The pip wheels bring the CUDA runtime, never nvcc.""")
PTX_TOO_NEW = register("explain-ptx-too-new", "fail", "PTX from a newer CUDA compiler than the driver can JIT",
    """'the provided PTX was compiled with an unsupported toolchain' (cudaErrorUnsupportedPtxVersion, error 222): the
    code carries PTX made by a newer nvcc (or Triton's ptxas) than the driver understands: the driver is older than
    the toolkit the binary was built with.""")
NO_DEVICE = register("explain-no-cuda-device", "fail", "CUDA sees no GPU",
    """'no CUDA-capable device is detected' (cudaErrorNoDevice, error 100; 38 in old CUDA), PyTorch's 'No CUDA GPUs
    are available' and 'CUDA unknown error - ... Setting the available devices to be zero': CUDA initialised with no
    usable GPU: CUDA_VISIBLE_DEVICES names GPUs that do not exist, /dev/nvidia* is not in the container, a VM
    without a passed-through GPU, the nvidia_uvm module in a bad state (after a suspend), or a kernel/driver update
    without a reboot.""")
NVML_MISMATCH = register("explain-nvml-mismatch", "fail", "NVML: driver/library version mismatch",
    """The kernel module and the user-space driver libraries differ: the driver was upgraded without a reboot, or the
    container mounts libraries of another driver version. CUDA's error 803 ('system has unsupported display driver /
    cuda driver combination') is the same mismatch seen through libcuda.""")
NVML_UNKNOWN = register("explain-nvml-unknown-error", "fail", "NVML: Unknown Error inside a container",
    """'Failed to initialize NVML: Unknown Error' in a container that used to work: systemd (systemctl daemon-reload)
    rewrote the container's device cgroup and it lost access to /dev/nvidia*. The container must be recreated.""")
NO_DRIVER = register("explain-no-driver", "fail", "No NVIDIA driver where the program ran",
    """'Found no NVIDIA driver on your system' (and 'CUDA driver initialization failed, you might not have a CUDA
    gpu', nvidia-smi's 'couldn't communicate with the NVIDIA driver'): the process sees no working NVIDIA kernel
    driver: a machine or cloud runtime without a GPU, a driver that is not installed or not loaded, or a container
    without GPUs.""")
SYSTEM_NOT_READY = register("explain-cuda-system-not-ready", "fail", "CUDA error 802: Fabric Manager is not running",
    """'Error 802: system not yet initialized' (cudaErrorSystemNotReady): on NVSwitch machines (A100/H100/H200 SXM
    8-GPU boards) CUDA needs the NVIDIA Fabric Manager service of the same version as the driver.""")
FWD_COMPAT = register("explain-forward-compat-unsupported", "fail",
    "Forward compatibility on an unsupported GPU",
    """'forward compatibility was attempted on non supported HW' (CUDA error 804): cuda-compat works on data-center
    GPUs only; where no compat library was in use, the threads found a driver left in a bad state, which a reboot
    fixed.""")
DIND_OVERLAY = register("explain-dind-overlay", "fail", "Docker-in-Docker: overlay mount refused",
    """dockerd inside an unprivileged container cannot mount overlayfs: that needs CAP_SYS_ADMIN.""")
DIND_IPTABLES = register("explain-dind-iptables", "fail", "Docker-in-Docker: iptables refused",
    """dockerd inside an unprivileged container cannot set up its NAT rules: that needs CAP_NET_ADMIN.""")
NCCL_SHM = register("explain-nccl-shm", "fail", "NCCL could not create its shared-memory segments (/dev/shm)",
    """NCCL's 'unhandled system error' (ncclSystemError), with 'Call to shm_open failed', 'Call to posix_fallocate
    failed: No space left on device' or 'Error while creating shared memory segment' in its NCCL_DEBUG lines: NCCL
    (2.7+) passes data between GPUs of one machine through /dev/shm, and a container's /dev/shm is 64 MiB unless it
    was started with --ipc=host or --shm-size. A bare 'unhandled system error' has other causes too (network,
    InfiniBand), so it is answered with less confidence. The same small /dev/shm stops torch's DataLoader workers,
    which pass their batches through it ('DataLoader worker (pid N) is killed by signal: Bus error').""")
COMPANION = register("explain-companion-mismatch", "fail", "A companion package was built for another torch",
    """'operator torchvision::nms does not exist' (any 'operator ns::op does not exist') and xFormers' 'xFormers was
    built for: PyTorch 2.0.1+cu118 ... (you have 2.1.0+cu121)': torchvision, torchaudio, xformers (a package with its
    own compiled ops) were built for another torch release or CUDA than the torch installed; so is an undefined torch
    symbol in a companion's own library (torchvision's _C.so, libtorchaudio.so, torchtext's _torchtext.so, torch_xla's
    _XLAC.so); install the release made for this torch.""")
TORCH_CPU = register("explain-torch-cpu-only", "fail", "A CPU-only torch build is installed",
    """'Torch not compiled with CUDA enabled', and xFormers' '(you have 2.1.2+cpu)': the installed torch is a CPU-only
    build (pip's default index on some platforms, or a dependency that pulled torch from PyPI over a CUDA build);
    install a CUDA build from download.pytorch.org.""")
CUDA_OOM = register("explain-cuda-out-of-memory", "fail", "The GPU ran out of memory",
    """'CUDA out of memory. Tried to allocate X GiB (GPU 0; Y GiB total capacity ...)': the job needs more GPU
    memory than is free: the model, batch or context is too large for the GPU, or another process (a previous run
    that did not exit, a notebook kernel) still holds memory.""")
NUMPY_ABI = register("explain-numpy-abi", "fail", "A module compiled for NumPy 1.x runs with NumPy 2",
    """'A module that was compiled using NumPy 1.x cannot be run in NumPy 2.x' and 'numpy.dtype size changed, may
    indicate binary incompatibility': a compiled package was built against another NumPy ABI than the one
    installed; pin numpy<2 or upgrade that package to a release built for NumPy 2.""")
GPU_BUSY = register("explain-gpu-busy", "fail", "The GPU is busy or unavailable to this process (compute mode)",
    """'all CUDA-capable devices are busy or unavailable' (cudaErrorDevicesUnavailable / CUDA_ERROR_DEVICE_UNAVAILABLE,
    error 46): the GPU is in Exclusive_Process compute mode and another process already holds it, or in Prohibited
    mode. nvidia-smi shows the mode ('E. Process') and the process holding it; pick a free GPU, stop that process,
    or have the admin set the default mode.""")
CUDA_INIT = register("explain-cuda-init-error", "fail", "CUDA failed to initialise in this process",
    """CUDA's 'initialization error' (cudaErrorInitializationError / CUDA_ERROR_NOT_INITIALIZED, error 3): most often a
    process that initialised CUDA and then forked (Python multiprocessing's 'fork' start method: 'Cannot re-initialize
    CUDA in forked subprocess'); else the driver is not in a usable state for the process (kernel module and libraries
    out of step after an update, device nodes missing). The message alone does not tell which.""")
TRT_ENGINE = register("explain-trt-engine-incompatible", "fail",
    "A serialized TensorRT engine was built for another GPU or TensorRT version",
    """'The engine plan file is generated on an incompatible device, expecting compute 8.6 got compute 7.5' and 'The
    engine plan file is not compatible with this version of TensorRT, expecting library version 8.0.0 got 8.0.1': a
    TensorRT engine (.engine, .plan, .trt) runs only on GPUs of the compute capability and with the TensorRT release
    it was built with. Rebuild it where it runs (trtexec --onnx=... --saveEngine=...), or delete the cached engine so
    the program builds it again.""")
HOST_MEMORY = register("explain-host-memory", "fail", "The machine ran out of memory (RAM, swap or Windows' page file)",
    """Host memory, not the GPU's: Windows' 'The paging file is too small for this operation to complete' ([WinError
    1455], often while loading torch's CUDA DLLs: every process that imports torch with CUDA commits gigabytes for
    them, and each DataLoader worker on Windows is such a process); torch's CPU allocator's 'DefaultCPUAllocator: not
    enough memory: you tried to allocate N bytes'; a DataLoader worker 'killed by signal: Killed' (the kernel's OOM
    killer, most often). Raise the page file or the RAM (a container's memory limit), or load less at once: fewer
    workers, half precision, the model straight to the GPU.""")
