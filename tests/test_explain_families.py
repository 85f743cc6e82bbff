"""explain on the families a message form stands for, in the wordings other programs and versions print: a GPU
generation a library needs, a data type the GPU lacks, an extension without a build for the GPU, a kernel missing
from the module (CUDA error 500), Triton's ptxas ending with -1, a companion pinned to another torch, a missing nvcc,
Windows' DLL errors without the DLL's name, and GPU memory in the words of vLLM, cuBLAS, cuDNN, XLA and TensorFlow.
Each answer keeps to the advice rules: a title, a cause, a confidence that says where the message has two causes."""
import os

import pytest

from envcheck.explain import explain
from envcheck.explain.patterns import recognise
from envcheck.matrix.load import load_matrix
from envcheck.model import Environment
from envcheck.model.document import load_env_file

HERE = os.path.dirname(os.path.abspath(__file__))
ENVS = os.path.join(HERE, "fixtures", "envs")

FORMS = [
    # round 70: a CUDA torch's library missing (a CPU-only torch), a check macro naming the .cuh first, Faiss' scratch
    # memory, a device symbol not in any module for this GPU
    ("ImportError: libtorch_cuda.so: cannot open shared object file: No such file or directory", "explain-torch-cpu-only"),
    ("ERROR: out of memory in /home/u/relion/src/acc/cuda/custom_allocator.cuh at line 436 (error-code 2)",
     "explain-cuda-out-of-memory"),
    ("Faiss assertion 'err == cudaSuccess' failed in char* faiss::gpu::StackDeviceMemory::Stack::getAlloc(size_t, "
     "cudaStream_t) at gpu/utils/StackDeviceMemory.cpp:77", "explain-cuda-out-of-memory"),
    ("Cuda device: NVIDIA GeForce RTX 4090\nSetKernelsGpuData copy to cData failed invalid device symbol",
     "explain-no-kernel-image"),
    # round 69: torch's cuFFT half-precision check, a package's own 'No CUDA toolkit found', TensorRT's safety runtime
    ("RuntimeError: cuFFT doesn't support signals of half type with compute capability less than SM_53, but the device "
     "containing input half tensor only has SM_52", "explain-gpu-arch-unsupported"),
    ("NerfAcc: No CUDA toolkit found. NerfAcc will be disabled.\n  File \"/home/u/nerfacc/cuda/__init__.py\", line 13, in "
     "call_cuda\nAttributeError: 'NoneType' object has no attribute 'ContractionType'", "explain-cuda-home-missing"),
    ("[stdArchiveReader.cpp::StdArchiveReader::34] Error Code 1: Serialization (Serialization assertion safeVersionRead "
     "== safeSerializationVersion failed.Version", "explain-trt-engine-incompatible"),
    # round 68: a message pasted as Python's repr of it (quotes escaped)
    ("ImportError: /lib/x86_64-linux-gnu/libm.so.6: version \\'GLIBC_2.27\\' not found (required by /home/u/env/lib/"
     "python3.7/site-packages/pkg/dataset.cpython-37m-x86_64-linux-gnu.so)", "explain-glibc-too-old"),
    # host memory: Windows' page file, torch's CPU allocator, a DataLoader worker the OOM killer took
    ('OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading "C:\\Python310'
     '\\lib\\site-packages\\torch\\lib\\cudnn_cnn_infer64_8.dll" or one of its dependencies.', "explain-host-memory"),
    ("ImportError: DLL load failed while importing _C: The paging file is too small for this operation to complete.",
     "explain-host-memory"),
    ("RuntimeError: [enforce fail at alloc_cpu.cpp:114] data. DefaultCPUAllocator: not enough memory: you tried to "
     "allocate 11534336000 bytes.", "explain-host-memory"),
    ("RuntimeError: [enforce fail at CPUAllocator.cpp:68] . DefaultCPUAllocator: can't allocate memory: you tried to "
     "allocate 4718592000 bytes. Error code 12 (Cannot allocate memory)", "explain-host-memory"),
    ("RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed.", "explain-host-memory"),
    # torch's DataLoader workers and its shared-memory manager on a full /dev/shm
    ("RuntimeError: DataLoader worker (pid 4242) is killed by signal: Bus error. It is possible that dataloader's "
     "workers are out of shared memory. Please try to raise your shared memory limit.", "explain-nccl-shm"),
    ("ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).",
     "explain-nccl-shm"),
    ("RuntimeError: unable to write to file </torch_1234_567890_0>: No space left on device (28)", "explain-nccl-shm"),
    # DGL's torch-release-named C++ libraries (graphbolt, sparse), the path on the same line or wrapped, Linux or Windows
    ("FileNotFoundError: Cannot find DGL C++ graphbolt library at /root/env/lib/python3.10/site-packages/dgl/graphbolt/"
     "libgraphbolt_pytorch_2.4.1.so", "explain-companion-mismatch"),
    ("FileNotFoundError: Cannot find DGL C++ graphbolt library at\n.../libgraphbolt_pytorch_2.7.0.so",
     "explain-companion-mismatch"),
    ("FileNotFoundError: Cannot find DGL C++ graphbolt library at C:\\Users\\me\\.venv\\Lib\\site-packages\\dgl\\"
     "graphbolt\\graphbolt_pytorch_2.4.1.dll", "explain-companion-mismatch"),
    ("FileNotFoundError: Cannot find DGL C++ sparse library at /opt/conda/lib/python3.10/site-packages/dgl/dgl_sparse/"
     "libdgl_sparse_pytorch_2.1.0.so", "explain-companion-mismatch"),
    # round 66: a check macro's out of memory naming the kernel, JCuda's native library
    ("CUDA Error of GINTint2e_jk_kernel: out of memory", "explain-cuda-out-of-memory"),
    ("cuda error at src/kernel.cu:33: out of memory", "explain-cuda-out-of-memory"),
    ('java.lang.UnsatisfiedLinkError: Error while loading native library "JCublas2-0.8.0-windows-x86_64"\nOperating '
     "system name: Windows 10\nArchitecture         : amd64", "explain-missing-library"),
    # round 65: Windows' libcuda (nvcuda.dll), TensorRT 5's engine check, OptiX's ABI check
    ("ImportError: Could not find 'nvcuda.dll'. TensorFlow requires that this DLL be installed in a directory that is "
     "named in your %PATH% environment variable. Typically it is installed in 'C:\\Windows\\System32'.",
     "explain-libcuda-missing"),
    ("W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'nvcuda.dll'; "
     "dlerror: nvcuda.dll not found", "explain-libcuda-missing"),
    ("The engine plan file is incompatible with this version of TensorRT, expecting 5.0.6.3got "
     "-2100382470.0.2.1852793695, please rebuild.", "explain-trt-engine-incompatible"),
    ("Optix call (optixInit()) failed with code 7801 (line 150)\nterminate called without an active exception",
     "explain-driver-insufficient"),
    ("OptiX error: OPTIX_ERROR_UNSUPPORTED_ABI_VERSION", "explain-driver-insufficient"),
    # round 64: an undefined symbol nvcc writes into every binary, TensorRT's engine check with no version read,
    # CUDA error 216 (an exclusive-thread GPU), ultralytics' device check under a CPU-only torch
    ("ImportError: /home/u/anaconda3/lib/python3.7/site-packages/mmdet/ops/nms/gpu_nms.cpython-37m-x86_64-linux-gnu.so: "
     "undefined symbol: __cudaPopCallConfiguration", "explain-cuda-toolkit-mismatch"),
    ("./darknet: symbol lookup error: ./libdarknet.so: undefined symbol: __cudaRegisterFatBinaryEnd",
     "explain-cuda-toolkit-mismatch"),
    ("[E] IRuntime::deserializeCudaEngine: Error Code 6: API Usage Error (The engine plan file is not compatible with "
     "this version of TensorRT, expecting library version 10.12.0.36 got .)", "explain-trt-engine-incompatible"),
    ("F tensorflow/stream_executor/cuda/cuda_driver.cc:383] Check failed: CUDA_SUCCESS == "
     "dynload::cuCtxSetCurrent(context) (0 vs. 216)", "explain-gpu-busy"),
    ("cudaErrorDeviceAlreadyInUse: exclusive-thread device already in use by a different thread", "explain-gpu-busy"),
    ("Ultralytics YOLOv8.1.3 Python-3.10.11 torch-2.1.0+cpu\nAn Error occurred: Invalid CUDA 'device=0' requested. Use "
     "'device=cpu' or pass valid CUDA device(s) if available, i.e. 'device=0' or 'device=0,1,2,3' for Multi-GPU.",
     "explain-torch-cpu-only"),
    # round 62: OpenCV's cuDNN check, dlib's CHECK_CUDA out of memory
    ('[ WARN:0] global /opt/opencv/modules/dnn/src/cuda4dnn/init.hpp (34) checkVersions cuDNN reports version 8201 which does not match with the version 8000 with which OpenCV was built',
     'explain-cudnn-version-mismatch'),
    ('RuntimeError: Error while calling cudaMalloc(&data, n) in file C:\\Users\\Gavan\\dlib-master\\dlib\\cuda\\cuda_data_ptr.cpp:28. code: 2, reason: out of memory',
     'explain-cuda-out-of-memory'),
    # round 61: OBS's NVENC minimum said alone, a miner's CUDA_SAFE_CALL out of memory
    ('22:45:40.550: error:   The minimum required Nvidia driver for nvenc is 471.41 or newer',
     'explain-driver-insufficient'),
    ("Found suitable CUDA device [GeForce GTX 760] with 2147483648 bytes of GPU memory\n  i  16:28:08|stratum  Connecting to stratum server daggerhashimoto.eu.nicehash.com:3353\n  i  16:28:08|stratum  Connected!\n  i  16:28:08|stratum  Starting farm\n  i  16:28:12|stratum  Extranonce set to 0024cb\n  i  16:28:12|stratum  Subscribed to stratum server\n  i  16:28:12|stratum  Authorized worker 1CJimUU4g74s825ZYbitCxwP15z6Mxp6hh.WORKER-NAME\n  i  16:28:12|stratum  Difficulty set to 0.05\n  i  16:28:12|stratum  New job 0000003afc593b28 target 0013ffec header 36e6e708\n  i  16:28:12|cudaminer0  set work; seed: #9336adfd, target: #00000013ffec\n  i  16:28:12|cudaminer0  Initialising miner...\nUsing device: GeForce GTX 760 (Compute 3.0)\nCUDA error in func 'ethash_cuda_miner::init' at line 243 : out of memory.",
     'explain-cuda-out-of-memory'),
    # rounds 59-60: Triton's CUDA table, R torch's loader words, a requirement's last alternative, a traceback's
    # source listing, a Windows extension, a C++ CUDA check's out of memory, a kernel's own GPU check
    ('RuntimeError: Triton only supports CUDA 10.0 or higher, but got CUDA version: 12.8',
     'explain-gpu-arch-unsupported'),
    ('library(torch)\nWarning message:\nℹ torch failed to start, restart your R session to try again.\nℹ You might need to reinstall torch using `install_torch()`\n✖ /home/server/R/x86_64-pc-linux-gnu-library/4.1/torch/lib/liblantern.so\n  - libcudart.so.11.0: Unable to open shared object file: there is no file or directory available\nCaused by error in `cpp_lantern_init()`:\n! /home/server/R/x86_64-pc-linux-gnu-library/4.1/torch/lib/liblantern.so - libcudart.so.11.0: Unable to open shared object file: there is no file or directory available',
     'explain-missing-library'),
    ('docker: Error response from daemon: OCI runtime create failed: container_linux.go:345: starting container process caused "process_linux.go:430: container init caused \\"process_linux.go:413: running prestart hook 1 caused \\\\\\"error running hook: exit status 1, stdout: , stderr: exec command: [/usr/bin/nvidia-container-cli --load-kmods configure --ldconfig=@/sbin/ldconfig.real --device=all --compute --utility --require=cuda>=10.0 brand=tesla,driver>=384,driver<385 brand=tesla,driver>=410,driver<411 --pid=7506 /var/lib/docker/overlay2/74b368071c67140593255d9461eb525598dbbca0ab382047da530356351746c6/merged]\\\\\\\\nnvidia-container-cli: requirement error: unsatisfied condition: brand = tesla\\\\\\\\n\\\\\\"\\"": unknown.',
     'explain-container-cuda-requirement'),
    ('File ~\\AppData\\Local\\miniconda3\\envs\\Nimbus\\lib\\site-packages\\torch\\cuda\\__init__.py:293, in _lazy_init()\n    288     raise RuntimeError(\n    289         "Cannot re-initialize CUDA in forked subprocess. To use CUDA with "\n    290         "multiprocessing, you must use the \'spawn\' start method"\n    291     )\n    292 if not hasattr(torch._C, "_cuda_getDeviceCount"):\n--> 293     raise AssertionError("Torch not compiled with CUDA enabled")\n    294 if _cudart is None:\n    295     raise AssertionError(\n    296         "libcudart functions unavailable. It looks like you have a broken build?"\n    297     )\n\nAssertionError: Torch not compiled with CUDA enabled',
     'explain-torch-cpu-only'),
    ('## Error Details\n- **Node ID:** 149\n- **Node Type:** Hy3DRenderMultiView\n- **Exception Type:** ImportError\n- **Exception Message:** DLL load failed while importing custom_rasterizer_kernel: The specified procedure could not be found.',
     'explain-extension-abi-mismatch'),
    ('Runtime error: out of memory /mnt/HugeCTR/HugeCTR/include/general_buffer.hpp:64',
     'explain-cuda-out-of-memory'),
    ("This kernel is not supported on your GPU\nterminate called after throwing an instance of 'CUDAError'\n  what():  CUDA error: unspecified launch failure (at /nunchaku/src/Tensor.h:97)\nfish: Job 1, 'python flux_dev.py' terminated by signal SIGABRT (Abort)",
     'explain-gpu-arch-unsupported'),
    # nvcc's "Unsupported gpu architecture", also as some releases misspelled it
    ("nvcc fatal   : Unsupported gpu architecture 'compute_120'", "explain-gpu-arch-unsupported"),
    ("nvcc fatal : Unsupported gpu architechture 'compute_89'", "explain-gpu-arch-unsupported"),
    # a GPU generation or compute capability the code needs
    ("RuntimeError: FlashAttention only supports Ampere GPUs or newer.", "explain-gpu-arch-unsupported"),
    ("FlashAttention 2 is only supported on Ampere GPUs or newer", "explain-gpu-arch-unsupported"),
    ("Exception: Flash Attention is not supported on this GPU (requires sm_80 or higher)", "explain-gpu-arch-unsupported"),
    ("RuntimeError: xformers requires GPUs with compute capability 8.0 or higher", "explain-gpu-arch-unsupported"),
    # Windows' error 127 as Chinese Windows' words read translated back
    ("ImportError: DLL load failed while importing _C: The specified program could not be found.",
     "explain-extension-abi-mismatch"),
    # older modprobe's words for a module that found no device
    ("FATAL: Error inserting nvidia (/lib/modules/2.6.32-358.el6.x86_64/extra/nvidia.ko): No such device",
     "explain-no-driver"),
    # NumPy 2's warning cut at the line's end
    ("A module that was compiled using NumPy 1.x cannot be run in\n", "explain-numpy-abi"),
    # torch.utils.cpp_extension's message with its arguments printed after it (a build backend's report)
    ("RuntimeError: ('The detected CUDA version (%s) mismatches the version that was used to compilePyTorch (%s). "
     "Please make\n      sure to use the same CUDA versions.', '13.0', '12.8')", "explain-cuda-toolkit-mismatch"),
    # a package's own check of the torch it was built for
    ("Exception: Version mismatch: Open3D needs PyTorch version 1.7.*, but version 1.8.2 is installed!",
     "explain-companion-mismatch"),
    # GPU memory in TurboMind's and a driver API binding's words; NCCL's segment in a full /dev/shm
    ("RuntimeError: [TM][ERROR] CUDA runtime error: out of memory /workspace/lmdeploy/src/turbomind/utils/allocator.h",
     "explain-cuda-out-of-memory"),
    ("CUDA driver error: out of memory", "explain-cuda-out-of-memory"),
    ("NCCL WARN Error: failed to extend /dev/shm/nccl-03v824 to 4194660 bytes", "explain-nccl-shm"),
    # Warp's driver check; numba's fork; deviceQuery's unknown error in the numbering before CUDA 10.1
    ("Warp UserWarning:\n   Insufficient CUDA driver version.\n   The minimum required CUDA driver version is 12.0, but "
     "the installed CUDA driver version is 11.8.", "explain-driver-insufficient"),
    ("numba.cuda.cudadrv.error.CudaDriverError: CUDA initialized before forking", "explain-cuda-init-error"),
    ("cudaGetDeviceCount returned 30\n-> unknown error\nResult = FAIL", "explain-no-cuda-device"),
    # programs' own words, read from their source: a minimum compute capability (numba, xFormers, flash-attention,
    # TransformerEngine, DeepSpeed, DeepSpeed-Kernels, lmdeploy), CTranslate2's compute types
    ("numba.cuda.cudadrv.error.NvvmSupportError: GPU compute capability 3.5 is not supported(requires >=5.0)",
     "explain-gpu-arch-unsupported"),
    ("numba.cuda.cudadrv.error.CudaSupportError: <CUDA device 0 'b'Tesla K10.G1.8GB''> has compute capability < (3, 5)",
     "explain-gpu-arch-unsupported"),
    ("RuntimeError: torch._structured_sparse_linear: Supported only on GPUs with compute capability 8.x",
     "explain-gpu-arch-unsupported"),
    ("AssertionError: Unsupported compute capability. Supported: 8.x, 9.x, 10.x, 11.x, 12.x",
     "explain-gpu-arch-unsupported"),
    ("AssertionError: Device compute capability 8.9 or higher required for FP8 execution.",
     "explain-gpu-arch-unsupported"),
    (" [WARNING]  Please use a GPU with compute capability >= 7.0", "explain-gpu-arch-unsupported"),
    ("AssertionError: Compute capability less than 80 is not supported for DeepSpeed kernels",
     "explain-gpu-arch-unsupported"),
    ("<CUDA> check failed!\nmodel_format=fp8 requires sm>=9.0.", "explain-gpu-arch-unsupported"),
    (" [WARNING]  NVIDIA Inference is only supported on Ampere and newer architectures", "explain-gpu-arch-unsupported"),
    ("ValueError: Requested float16 compute type, but the target device or backend do not support efficient float16 "
     "computation.", "explain-gpu-arch-unsupported"),
    # GPU memory: llama.cpp's KV cache, CuPy's pool, text-generation-inference's warm-up
    ("llama_kv_cache_init: failed to allocate buffer for kv cache", "explain-cuda-out-of-memory"),
    ("cupy.cuda.memory.OutOfMemoryError: Out of memory allocating 8,589,934,592 bytes (allocated so far: "
     "76,235,669,504 bytes).", "explain-cuda-out-of-memory"),
    ("RuntimeError: Not enough memory to handle 4096 prefill tokens. You need to decrease `--max-batch-prefill-tokens`",
     "explain-cuda-out-of-memory"),
    # a toolkit the build does not find: CMake, apex/flash-attention, CuPy, TransformerEngine
    ("CMake Error at ggml/src/ggml-cuda/CMakeLists.txt:151 (message):\n  CUDA Toolkit not found",
     "explain-cuda-home-missing"),
    ("RuntimeError: --cuda_ext was requested, but nvcc was not found.  Are you sure your environment has nvcc "
     "available?", "explain-cuda-home-missing"),
    ("RuntimeError: Failed to find CUDA headers. Please install CUDA toolkit headers (e.g., pip install "
     "cupy-cuda12x[ctk]) or specify CUDA_PATH environment variable.", "explain-cuda-home-missing"),
    ("FileNotFoundError: Could not find NVCC at /usr/local/cuda/bin/nvcc", "explain-cuda-home-missing"),
    # libraries by what loads them: TransformerEngine, ggml's backends, bitsandbytes' per-CUDA library
    ("RuntimeError: cudnn shared object not found.", "explain-missing-library"),
    ("load_backend: failed to load /usr/local/lib/libggml-cuda.so", "explain-missing-library"),
    ("bitsandbytes library load error: No compatible CUDA binary found at /usr/local/lib/python3.12/site-packages/"
     "bitsandbytes/libbitsandbytes_cuda130.so", "explain-missing-library"),
    # no driver, no device, no toolkit hook: the device plugin, enroot, DeepSpeed's JIT, apex, the container toolkit
    ("W0820 10:16:40.502113       1 fallback.go:40] Failed to initialize resource manager: Driver Not Loaded",
     "explain-no-driver"),
    ("[WARN] Kernel module nvidia_uvm is not loaded. Make sure the NVIDIA device driver is installed and loaded.",
     "explain-no-driver"),
    ("RuntimeError: DeepSpeed JIT builder for 'fused_adam' found no CUDA devices. Set TORCH_CUDA_ARCH_LIST or make GPUs "
     "visible.", "explain-no-cuda-device"),
    ("level=warning msg=\"Failed to get CUDA Compute Capability: failed to initialize CUDA: result=100\"",
     "explain-no-cuda-device"),
    ("[ERROR] Command not found: nvidia-container-cli, see https://github.com/NVIDIA/libnvidia-container",
     "explain-container-no-gpu-runtime"),
    ("Error: converting GPU identifiers to CDI devices: could not discover GPU vendor: no known GPU vendor found in CDI "
     "specs", "explain-container-no-gpu-runtime"),
    ("RuntimeError: DeepSpeed JIT builder for 'cpu_adam' cannot probe CUDA device capabilities in a forked subprocess "
     "where CUDA has already been initialized.", "explain-cuda-init-error"),
    ("RuntimeError: CUDA version mismatch! DeepSpeed ops were compiled and installed with a different version than "
     "what is being used at runtime.", "explain-extension-abi-mismatch"),
    # more programs' own words, read from their source (NCCL, nccl-tests, cuda-samples, Warp, Megatron, NeMo,
    # flashinfer, SageAttention, torchao, Unsloth, exllamav2, CUDA.jl, cudarc, hashcat, Lightning, composer, diffusers)
    ("gpu-node-01:2841:2903 [0] os/linux.cc:780 NCCL WARN Error: failed to create shared memory file "
     "/dev/shm/nccl-XXXXXX, error No such file or directory (2)", "explain-nccl-shm"),
    ("trainer-0:77:77 [0] misc/nvmlwrap.cc:142 NCCL WARN nvmlInit_v2() failed: Unknown Error",
     "explain-nvml-unknown-error"),
    ("gpu-node-01: Test CUDA failure common.cu:1111 'out of memory'", "explain-cuda-out-of-memory"),
    ("Error: device is running in <Compute Mode Prohibited>, no threads can use cudaSetDevice().", "explain-gpu-busy"),
    ("simpleAWBarrier requires SM 7.0 or higher.  Exiting...", "explain-gpu-arch-unsupported"),
    ("./systemWideAtomics: requires a minimum CUDA compute 6.0 capability, waiving testing.",
     "explain-gpu-arch-unsupported"),
    ("RuntimeError: cudnn fused DSA requires SM90+ (Hopper or later), got SM80.", "explain-gpu-arch-unsupported"),
    ("AssertionError: CUTLASS sparse kernel requires hardware >= SM 9.0 (>= H100)", "explain-gpu-arch-unsupported"),
    ("Warp CUDA error: Warp requires CUDA driver 12.0 or higher, but the current driver only supports CUDA 11.4",
     "explain-driver-insufficient"),
    ("Error: This version of CUDA.jl requires an NVIDIA driver for CUDA 12.x or higher (yours only supports up to CUDA "
     "11.4.0)", "explain-driver-insufficient"),
    ("ImportError: Driver supports cuda toolkit version 12.2, but the driver needs to support at least 12,6. Please "
     "update your cuda driver.", "explain-driver-insufficient"),
    ("Outdated NVIDIA CUDA driver version '8000' detected!", "explain-driver-insufficient"),
    ("Warp CUDA warning: Could not find or load the NVIDIA CUDA driver. GPU execution will not be available.",
     "explain-libcuda-missing"),
    ("thread 'main' panicked at cudarc-0.18.1/src/lib.rs:161:5:\nUnable to dynamically load the \"cuda\" shared "
     "library - searched for library names: [\"libcuda.so\", \"libcuda.so.1\"]", "explain-libcuda-missing"),
    ("thread 'main' panicked at cudarc-0.18.1/src/lib.rs:161:5:\nUnable to dynamically load the \"nvrtc\" shared "
     "library - searched for library names: [\"libnvrtc.so\"]", "explain-missing-library"),
    ("Error: cuDNN is not available on your system (looked in /usr/local/cuda-12.4/lib64, /usr/local/cuda-12.4)",
     "explain-missing-library"),
    ("Failed to initialize NVIDIA RTC library.", "explain-missing-library"),
    ("ERROR: Out of GPU memory trying to allocate 8.000 GiB", "explain-cuda-out-of-memory"),
    ("* Device #1: Not enough allocatable device memory for this hashlist/ruleset.", "explain-cuda-out-of-memory"),
    ("RuntimeError: Cannot find CUDA_HOME. CUDA must be available to build the package.", "explain-cuda-home-missing"),
    ("RuntimeError: Could not find nvcc and default cuda_home='/usr/local/cuda' doesn't exist",
     "explain-cuda-home-missing"),
    ("RuntimeError: CUDA 12.8 or higher is required for compute capability 12.0.", "explain-gpu-arch-unsupported"),
    ("RuntimeError: SM 12.x requires CUDA >= 12.9", "explain-gpu-arch-unsupported"),
    (" ## Warning: The installed version of PyTorch is 2.5.1+cpu and does not support CUDA or ROCm.",
     "explain-torch-cpu-only"),
    ("NotImplementedError: Unsloth cannot find any torch accelerator? You need a GPU.", "explain-torch-cpu-only"),
    ("ValueError: DeviceGPU cannot be created as torch.cuda is not available.", "explain-torch-cpu-only"),
    # a third harvest: InvokeAI, stable-diffusion.cpp, cortex, MLC, RMM, Triton server, TensorRT, ModelOpt, DCGM,
    # Torch-TensorRT, tiny-cuda-nn, gsplat
    ("[2025-06-12 10:41:07,316]::[ModelManagerService]::WARNING --> Insufficient GPU memory to load model. Aborting",
     "explain-cuda-out-of-memory"),
    ("[ERROR] ggml_extend.hpp:2234 - vae: failed to allocate the compute buffer", "explain-cuda-out-of-memory"),
    ("WARN  Not enough VRAM - required: 10240, available: 7800 - model_service.cc:1039", "explain-cuda-out-of-memory"),
    ("MemoryError: std::bad_alloc: out_of_memory: RMM failure at:/__w/rmm/rmm/cpp/src/mr/detail/"
     "arena_memory_resource_impl.cpp:58: Maximum pool size exceeded", "explain-cuda-out-of-memory"),
    ("failed to allocate CUDA memory: out of memory", "explain-cuda-out-of-memory"),
    ("ValueError: Device is not found on your local environment: cuda", "explain-no-cuda-device"),
    ("=== Device Information ===\nCannot find any available devices (GPUs)!", "explain-no-cuda-device"),
    ("RuntimeError: gsplat: No CUDA toolkit found.", "explain-cuda-home-missing"),
    ("[TRT] [E] Validation failed: Failed to load libcudnn.so.8.\n/_src/plugin/common/cudnnWrapper.cpp:99",
     "explain-missing-library"),
    ("FileNotFoundError: Could not find: nvinfer_10.dll. Is it on your PATH?", "explain-missing-library"),
    ("[TRT] [E] Assertion failed: handle != nullptr\n/_src/plugin/common/cudaDriverWrapper.cpp:45\nAborting...",
     "explain-libcuda-missing"),
    ("ERROR [1234:1234] Cannot load NVML; DCGM will proceed without managing GPUs. ret: 18", "explain-nvml-mismatch"),
    ("ERROR [1234:1234] Cannot load NVML; DCGM will proceed without managing GPUs. ret: 9", "explain-no-driver"),
    ("Nvidia-driver is not installed, use CPU variant: v0.1.49-linux-avx2-x64", "explain-no-driver"),
    ("RuntimeError: [Error thrown at core/runtime/execute_engine.cpp:57] Expected new_target_device_opt to be true but "
     "got false\nNo compatible device found on system to run program.", "explain-trt-engine-incompatible"),
    ("[2026-07-23 10:12:03] WARNING compiler_flags.py:99: flashinfer is not supported on CUDA arch < 80",
     "explain-gpu-arch-unsupported"),
    ("tiny-cuda-nn warning: JIT: unsupported. Must use CUDA 11.8 and a GPU with compute capability 75 or higher, but got "
     "CUDA 12010 and compute capability 70.", "explain-gpu-arch-unsupported"),
    # a ROCm or CUDA torch's own library asked for by a package built for that variant
    ("OSError: libtorch_hip.so: cannot open shared object file: no such file or directory",
     "explain-extension-abi-mismatch"),
    ("  File \"/opt/venv/lib/python3.10/site-packages/torchaudio/_extension.py\", line 5\nOSError: libc10_cuda.so: "
     "cannot open shared object file: No such file or directory", "explain-companion-mismatch"),
    # libraries named by what loads them: cuDNN at Caffe2's (torch's CMake) configure, mpi4py's MPI, XGBoost's NCCL
    ("CMake Warning: Caffe2: Cannot find cuDNN library. Turning the option off", "explain-missing-library"),
    ("RuntimeError: cannot load MPI library", "explain-missing-library"),
    ("xgboost.core.XGBoostError: Failed to load nccl ...", "explain-missing-library"),
    # a shell without nvidia-smi
    ("$ nvidia-smi\nbash: nvidia-smi: command not found", "explain-no-driver"),
    # CMake's architecture table without the GPU's; an NGC container's own check of the GPU
    ("Unknown CUDA Architecture Name 12.1(2.0) in CUDA_SELECT_NVCC_ARCH_FLAGS", "explain-gpu-arch-unsupported"),
    ("WARNING: Detected NVIDIA NVIDIA GeForce RTX 4060 Laptop GPU GPU, which is not yet supported in this version of "
     "the container\nERROR: No supported GPU(s) detected to run this container", "explain-no-kernel-image"),
    ("ERROR: Detected Quadro M1200 GPU, which is not supported by this container\nERROR: No supported GPU(s) "
     "detected to run this container", "explain-gpu-arch-unsupported"),
    # a minimum compute capability said with a comparison, with or without the GPU's own
    ("UserWarning: WARNING: Compute capability < 7.5 detected! Only slow 8-bit matmul is supported for your GPU!",
     "explain-gpu-arch-unsupported"),
    ("RuntimeError: GPUs with compute capability below 8.0 are not supported", "explain-gpu-arch-unsupported"),
    ("ValueError: this kernel requires a GPU with compute capability >= 8.9", "explain-gpu-arch-unsupported"),
    ("RuntimeError: Minimum required compute capability: 7.0 (found 6.1)", "explain-gpu-arch-unsupported"),
    ("AssertionError: Your GPU has compute capability 6.1, which is lower than the minimum required (7.0)",
     "explain-gpu-arch-unsupported"),
    ("ptxas /tmp/tmpabc.ptx, line 77; error   : Feature '.bf16' requires .target sm_80 or higher",
     "explain-gpu-arch-unsupported"),
    # an undefined torch symbol in a companion's library: the companion was built for another torch
    ("OSError: /usr/local/lib/python3.8/dist-packages/torchaudio/lib/libtorchaudio.so: undefined symbol: "
     "_ZNK3c107SymBool10guard_boolEPKcl", "explain-companion-mismatch"),
    ("ImportError: /opt/conda/lib/python3.10/site-packages/torchvision/_C.so: undefined symbol: "
     "_ZN3c1017RegisterOperatorsD1Ev", "explain-companion-mismatch"),
    ("ImportError: /usr/lib/python3/dist-packages/_torch_sox.cpython-35m-x86_64-linux-gnu.so: undefined symbol: "
     "_ZN2at19UndefinedTensorImpl10_singletonE", "explain-companion-mismatch"),
    ("ImportError: /envs/a/lib/python3.10/site-packages/torchvision_extra/_C.so: undefined symbol: _ZN3c1017Foo",
     "explain-extension-abi-mismatch"),
    # a companion's library named without its folder; torch's C shim symbols; the object on the line before
    ("OSError libtorchaudio.so: undefined symbol: _ZN3c104cuda20CUDACachingAllocator9allocatorE",
     "explain-companion-mismatch"),
    ("OSError: libtorchaudio.so: undefined symbol: aoti_torch_abi_version", "explain-companion-mismatch"),
    ("ImportError: /x/site-packages/torchaudio/_torch_sox.cpython-36m-x86_64-linux-gnu.so: \n"
     "undefined symbol: _ZN2at19NonVariableTypeMode10is_enabledEv", "explain-companion-mismatch"),
    ("AssertionError: target must be of GPUTarget type", "explain-companion-mismatch"),
    # the loader's version node of a CUDA library the loaded copy lacks (mixed releases)
    ("version libcudnn_ops_infer.so.8 not defined in file libcudnn_ops_infer.so.8 with link time reference",
     "explain-cuda-symbol-mismatch"),
    # a library named alone, in other programs' words
    ("OSError: libcusparse.so.10", "explain-missing-library"),
    ("Error: libcudnn (R4) not found in library path.", "explain-missing-library"),
    ("CUDA SETUP: Required library version not found: libbitsandbytes_cuda122.so. Maybe you need to compile it from "
     "source?", "explain-missing-library"),
    # XLA's older words for GPU memory, and a line a terminal wrapped
    ("Execution of replica 0 failed: Resource exhausted: Out of memory while trying to allocate 5520758552 bytes.",
     "explain-cuda-out-of-memory"),
    ("RuntimeError: CUDA out of \nmemory. Tried to allocate 20.00 MiB", "explain-cuda-out-of-memory"),
    # TensorFlow's words for cuBLAS' handle failing (GPU memory, medium) and podman without CDI support
    ("E tensorflow/stream_executor/cuda/cuda_blas.cc:366] failed to create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED",
     "explain-cuda-out-of-memory"),
    ("Error: stat nvidia.com/gpu=all: no such file or directory", "explain-container-no-gpu-runtime"),
    # a runtime's own minimum driver; ggml's (llama.cpp's) GPU buffers
    ("MAX doesn't support your current NVIDIA GPU driver. MAX requires a minimum driver version of 580 and CUDA "
     "version 13.0. Your driver version is 570.", "explain-driver-insufficient"),
    ("llama_model_load: error loading model: unable to allocate backend buffer", "explain-cuda-out-of-memory"),
    ("ggml_backend_cuda_buffer_type_alloc_buffer: allocating 8192.00 MiB on device 0: cudaMalloc failed: out of memory\n"
     "llama_kv_cache_init: failed to allocate CUDA0 buffer of size 8589934592", "explain-cuda-out-of-memory"),
    # torch's typeinfo symbols; an unversioned cuDNN function; the linker's GLIBCXX reference
    ("ImportError: /x/site-packages/mmcv/_ext.cpython-37m-x86_64-linux-gnu.so: undefined symbol: "
     "_ZTIN3c1021AutogradMetaInterfaceE", "explain-extension-abi-mismatch"),
    ("ImportError('/x/site-packages/cupy/cuda/cudnn.cpython-36m-x86_64-linux-gnu.so: undefined symbol: "
     "cudnnSetFilterNdDescriptor_v3',)", "explain-cudnn-version-mismatch"),
    ("Error: libNVStrings.so: undefined reference to `std::runtime_error::runtime_error(char const*)@GLIBCXX_3.4.21'",
     "explain-libstdcxx-too-old"),
    # ONNX Runtime's provider bridge, containerd without the nvidia handler, torch without its NumPy bridge
    ("provider_bridge_ort.cc:633 onnxruntime::ProviderLibrary::ProviderLibrary] Failed to load library, error code: 126",
     "explain-missing-library"),
    ("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "
     "\"nvidia\" is configured", "explain-container-no-gpu-runtime"),
    ("RuntimeError: Numpy is not available", "explain-numpy-abi"),
    # flash-attn's nvcc check, NumPy 2's C-API table, numba's toolkit newer than the driver, torch's lazy NVRTC, a
    # CUDA runtime function missing; a companion's CUDA pair wrapped over lines
    ("RuntimeError: FlashAttention is only supported on CUDA 11.6 and above.  Note: make sure nvcc has a supported "
     "version by running nvcc -V.", "explain-cuda-toolkit-mismatch"),
    ("AttributeError: _ARRAY_API not found", "explain-numpy-abi"),
    ("UserWarning: Using CUDA toolkit version (12, 3) with CUDA driver version (12, 2) requires minor version "
     "compatibility, which is not yet supported for CUDA driver versions 12.0 and above.", "explain-driver-insufficient"),
    ("RuntimeError: Error in dlopen for library libnvrtc.so.12and libnvrtc-XXXXXXXX.so.12", "explain-missing-library"),
    ("INTERNAL: CustomCall failed: operation cudaGetLastError() failed: cudaGetErrorString symbol not found.",
     "explain-cuda-symbol-mismatch"),
    ("RuntimeError: Detected that PyTorch and torchvision were compiled with different\nCUDA versions. PyTorch has "
     "CUDA Version=11.7 and torchvision has CUDA \nVersion=11.8.", "explain-companion-mismatch"),
    # Caffe2's cuDNN check, CTranslate2's and TensorRT's library loaders, Kubernetes and Paddle wordings
    ("RuntimeError: [enforce fail at common_cudnn.h:108] version_match || backwards_compatible_7 || patch_compatible. "
     "cuDNN compiled (7102) and runtime (7005) versions mismatch", "explain-cudnn-version-mismatch"),
    ("RuntimeError: Library libcublas.so.12 is not found", "explain-missing-library"),
    ("Unable to open library: nvinfer_plugin_10.dll", "explain-missing-library"),
    ("Insufficient nvidia.com/gpu", "explain-container-no-gpu-runtime"),
    ("no CUDA-capable is detected", "explain-no-cuda-device"),
    # NumPy's older ABI words; an extension never built for want of a toolkit (medium)
    ("RuntimeError: module compiled against API version 0xb but this version of numpy is 0xa", "explain-numpy-abi"),
    ("ImportError: numpy.core.multiarray failed to import", "explain-numpy-abi"),
    ("output = _C.ms_deform_attn_forward(\nNameError: name '_C' is not defined", "explain-cuda-home-missing"),
    ("ImportError: cannot import name '_C' from 'groundingdino'", "explain-cuda-home-missing"),
    # nvcc not knowing an architecture in its 'Value is not defined' words
    ("nvcc fatal   : Value 'sm_100a' is not defined for option 'gpu-architecture'", "explain-gpu-arch-unsupported"),
    # libcuda.so not found in a JIT's words (Taichi, Genesis)
    ("[E 01/02/25] [cuda_driver.cpp:load_lib@36] libcuda.so lib not found.", "explain-libcuda-missing"),
    # NVRTC refusing an option: the architecture JITs set from the machine (medium)
    ("cupy_backends.cuda.libs.nvrtc.NVRTCError: NVRTC_ERROR_INVALID_OPTION (5)", "explain-gpu-arch-unsupported"),
    # a data type the GPU lacks
    ("RuntimeError: Current CUDA Device does not support bfloat16. Please switch dtype to float16.",
     "explain-gpu-arch-unsupported"),
    ("ValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, using Ampere GPU with cuda>=11.0",
     "explain-gpu-arch-unsupported"),
    ("ValueError: bf16 mixed precision requires PyTorch >= 1.10 and a supported device.", "explain-gpu-arch-unsupported"),
    ("ValueError: type fp8e4nv not supported in this architecture. The supported fp8 dtypes are ('fp8e4b15', 'fp8e5')",
     "explain-gpu-arch-unsupported"),
    # torch's arch list: a GPU older than every architecture the build has
    ("NVIDIA GeForce GTX 1070 with CUDA capability sm_61 is not compatible with the current PyTorch installation.\n"
     "The current PyTorch install supports CUDA capabilities sm_75 sm_80 sm_86 sm_90 sm_100 sm_120.",
     "explain-gpu-arch-unsupported"),
    # ... and a GPU newer than it: the build lacks it
    ("NVIDIA GeForce RTX 5080 with CUDA capability sm_120 is not compatible with the current PyTorch installation.\n"
     "The current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90.",
     "explain-no-kernel-image"),
    ("OSError: Could not find compatible tinycudann extension for compute capability 86.", "explain-no-kernel-image"),
    ("NCCL WARN Cuda failure 'named symbol not found'", "explain-no-kernel-image"),
    ("CUDA error: CUDA_ERROR_NOT_FOUND", "explain-no-kernel-image"),
    ("RuntimeError: `ptxas` failed with error code 4294967295", "explain-gpu-arch-unsupported"),
    # companions
    ("RuntimeError: Detected that PyTorch and torchaudio were compiled with different CUDA major versions. PyTorch has "
     "CUDA Version=12.1 and torchaudio has CUDA Version=11.8.", "explain-companion-mismatch"),
    ("xformers 0.0.23 requires torch==2.1.1, but you have torch 2.3.0+cu121 which is incompatible.",
     "explain-companion-mismatch"),
    ("RuntimeError: Couldn't load custom C++ ops. This can happen if your PyTorch and torchvision versions are "
     "incompatible, or if you had errors while compiling torchvision from source.", "explain-companion-mismatch"),
    # no nvcc
    ("error: [Errno 2] No such file or directory: '/usr/local/cuda-12.1/bin/nvcc'", "explain-cuda-home-missing"),
    ("/bin/sh: 1: nvcc: not found", "explain-cuda-home-missing"),
    ("error: command 'nvcc' failed: No such file or directory", "explain-cuda-home-missing"),
    ("FileNotFoundError: [WinError 2] The system cannot find the file specified: 'C:\\Program Files\\NVIDIA GPU "
     "Computing Toolkit\\CUDA\\v12.1\\bin\\nvcc.exe'", "explain-cuda-home-missing"),
    ("CUDA Setup failed despite GPU being available. Please run the following command to get more information: "
     "python -m bitsandbytes", "explain-missing-library"),
    # Windows
    ("[ONNXRuntimeError] : 1 : FAIL : LoadLibrary failed with error 126", "explain-missing-library"),
    ("FileNotFoundError: Could not find module 'C:\\Python311\\Lib\\site-packages\\llama_cpp\\lib\\llama.dll' (or one "
     "of its dependencies). Try using the full path with constructor syntax.", "explain-missing-library"),
    ("Error loading cublasLt64_12.dll", "explain-missing-library"),
    ("Error loading nvrtc-builtins64_124.dll", "explain-missing-library"),
    ("    import cv2\nImportError: DLL load failed: The specified module could not be found.", "explain-missing-library"),
    # GPU memory
    ("ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing "
     "the engine.", "explain-cuda-out-of-memory"),
    ("ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in KV "
     "cache (10000).", "explain-cuda-out-of-memory"),
    ("RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`",
     "explain-cuda-out-of-memory"),
    ("RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`",
     "explain-cuda-out-of-memory"),
    ("RuntimeError: cuDNN error: CUDNN_STATUS_ALLOC_FAILED", "explain-cuda-out-of-memory"),
    ("ggml_backend_cuda_buffer_type_alloc_buffer: allocating 4096.00 MiB on device 0: cudaMalloc failed: out of memory",
     "explain-cuda-out-of-memory"),
    ("XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1073741824 bytes.",
     "explain-cuda-out-of-memory"),
    ("ResourceExhaustedError: OOM when allocating tensor with shape[1024,1024] and type float on "
     "/job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc", "explain-cuda-out-of-memory"),
    ("RuntimeError: Unable to find a valid cuDNN algorithm to run convolution", "explain-cuda-out-of-memory"),
    ("ncclUnhandledCudaError: Call to CUDA function failed. Last error: Cuda failure 'out of memory'",
     "explain-cuda-out-of-memory"),
    # more of the same causes
    # the kernel module against libcuda (the DSO): a newer libcuda came with a container for a newer driver than the
    # host's (driver-insufficient); an older one is a driver upgraded without a reboot (nvml-mismatch)
    ("E tensorflow/compiler/xla/stream_executor/cuda/cuda_diagnostics.cc:313] kernel version 535.104.5 does not match "
     "DSO version 550.54.14 -- cannot find working devices in this configuration", "explain-driver-insufficient"),
    ("E external/xla/xla/stream_executor/cuda/cuda_diagnostics.cc:262] kernel version 550.54.15 does not match DSO "
     "version 535.161.8 -- cannot find working devices in this configuration", "explain-nvml-mismatch"),
    ("I tensorflow/tsl/cuda/cudart_stub.cc:28] Could not find cuda drivers on your machine, GPU will not be used.",
     "explain-libcuda-missing"),
    ("RuntimeError: cuda runtime error (999) : unknown error at /pytorch/aten/src/THC/THCGeneral.cpp:47",
     "explain-no-cuda-device"),
    ("RuntimeError: PyTorch was compiled without CUDA support", "explain-torch-cpu-only"),
    ("Unable to load libcudnn_ops.so.9.1.0", "explain-missing-library"),
    ("Serialization assertion stdVersionRead == kSERIALIZATION_VERSION failed.Version tag does not match. Note: Current "
     "Version: 236, Serialized Engine Version: 232", "explain-trt-engine-incompatible"),
    # a program's own words for a GPU its release does not support: TensorFlow, TensorRT 10 and 8, xFormers, bitsandbytes
    ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1700] Ignoring visible gpu device (device: 0, name: Tesla K80, "
     "pci bus id: 0000:00:1e.0, compute capability: 3.7) with Cuda compute capability 3.7. The minimum required Cuda "
     "capability is 7.0.", "explain-gpu-arch-unsupported"),
    ("[E] Error[9]: IBuilder::buildSerializedNetwork: Error Code 9: API Usage Error (Target GPU SM 120 is not "
     "supported by this TensorRT release.)", "explain-gpu-arch-unsupported"),
    ("[TRT] [E] 1: [caskUtils.cpp::nvinfer1::rt::task::trtSmToCask::193] Error Code 1: Internal Error (Unsupported "
     "SM: 0x601)", "explain-gpu-arch-unsupported"),
    ("ERROR: ../rtSafe/cuda/caskUtils.cpp (80) - Assertion Error in trtSmToCask: 0 (Unsupported SM.)",
     "explain-gpu-arch-unsupported"),
    ("`fa2B@2.5.7-pt` requires device with capability >= (8, 0) but your GPU has capability (7, 5)\n"
     "`cutlassB-pt` is not supported because: operator does not support BMGHK format", "explain-gpu-arch-unsupported"),
    ("`fa3F@0.0.0` is not supported because:\n    requires device with capability <= (9, 0) but your GPU has "
     "capability (12, 0) (too new)", "explain-no-kernel-image"),
    ("ERROR: Your GPU does not support Int8 Matmul!", "explain-gpu-arch-unsupported"),
    # a container started without a GPU in Docker's and Apptainer's words
    ("docker: unknown flag: --gpus.\nSee 'docker run --help'.", "explain-container-no-gpu-runtime"),
    ("INFO:    Could not find any nv files on this host!\nWARNING: Could not find any nv libraries on this host!\n"
     "WARNING: You may need to manually edit /usr/local/etc/singularity/nvliblist.conf",
     "explain-container-no-gpu-runtime"),
    # macOS dyld naming a CUDA library
    ("dyld: Library not loaded: @rpath/libcudart.9.0.dylib\n  Referenced from: /Users/me/darknet/./darknet\n  "
     "Reason: image not found", "explain-missing-library"),
    # torchvision newer than torch (register_fake came with torch 2.4)
    ("AttributeError: module 'torch.library' has no attribute 'register_fake'", "explain-companion-mismatch"),
    # Theano's device_malloc and MXNet's (mshadow's) cuBLAS handle: GPU memory
    ("MemoryError: Error allocating 201326592 bytes of device memory (out of memory).", "explain-cuda-out-of-memory"),
    ("Error allocating 8388608 bytes of device memory (out of memory). 3221225472 already allocated",
     "explain-cuda-out-of-memory"),
    ("[10:42:07] /work/mxnet/3rdparty/mshadow/mshadow/./stream_gpu-inl.h:115: Check failed: err == "
     "CUBLAS_STATUS_SUCCESS (3 vs. 0) : Create cublas handle failed", "explain-cuda-out-of-memory"),
    # libnvidia-container under WSL with no GPU adapter
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime "
     "create failed: runc create failed: unable to start container process: error during container init: error "
     "running prestart hook #0: exit status 1, stdout: , stderr: nvidia-container-cli: initialization error: WSL "
     "environment detected but no adapters were found: unknown.", "explain-no-cuda-device"),
    ("$ nvidia-container-cli info\nnvidia-container-cli: initialization error: WSL environment detected but no adapters "
     "were found", "explain-no-cuda-device"),
    # NVML's own names of the driver/library mismatch (pynvml, nvml.h)
    ("pynvml.nvml.NVMLError_LibRmVersionMismatch: RM has detected an NVML/RM version mismatch.", "explain-nvml-mismatch"),
    ("pynvml error: RM has detected an NVML/RM version mismatch.", "explain-nvml-mismatch"),
    ("nvmlInit() returned NVML_ERROR_LIB_RM_VERSION_MISMATCH", "explain-nvml-mismatch"),
    # nvidia-docker 1.x: the image's CUDA label against the driver's
    ("nvidia-docker | 2017/09/27 19:42:59 Error: unsupported CUDA version: driver 7.5 < image 8.0.61",
     "explain-container-cuda-requirement"),
    ("Error: unsupported CUDA version: driver 8.0 < image 9.0.176", "explain-container-cuda-requirement"),
    # a plain DLL of another architecture (error 193), the message over two lines
    ("Could not load library zlibwapi.dll. Error code 193.\nPlease verify that the library is built correctly for your "
     "processor architecture (32-bit, 64-bit)", "explain-missing-library"),
    # TensorFlow without a usable cuDNN, and its driver hint
    ("2022-12-15 08:51:50.579624: W tensorflow/core/framework/op_kernel.cc:1780] OP_REQUIRES failed at "
     "conv_ops_fused_impl.h:601 : UNIMPLEMENTED: DNN library is not found.", "explain-cudnn-version-mismatch"),
    ("tensorflow.python.framework.errors_impl.UnimplementedError: Graph execution error:\n\nDNN library is not found.\n"
     "\t [[{{node sequential/conv2d/Conv2D}}]] [Op:__inference_train_function_1234]", "explain-cudnn-version-mismatch"),
    ("2019-01-11 15:54:13.352012: E tensorflow/stream_executor/cuda/cuda_dnn.cc:381] Possibly insufficient driver "
     "version: 384.130.0", "explain-driver-insufficient"),
    ("E tensorflow/stream_executor/cuda/cuda_dnn.cc:398] Possibly insufficient driver version: 515.86.1",
     "explain-driver-insufficient"),
    # NVML's library not found (pynvml's class and text)
    ("pynvml.nvml.NVMLError_LibraryNotFound: NVML Shared Library Not Found", "explain-libcuda-missing"),
    ("WARNING - Could not fetch GPU stats: NVML Shared Library Not Found", "explain-libcuda-missing"),
    # Legion/Realm's Makefiles without the toolkit's root (runtime.mk, realm.mk)
    ("Makefile:52: *** CUDA variable is not defined, aborting build.  Stop.", "explain-cuda-home-missing"),
    ("legion/runtime/realm/realm.mk:160: *** CUDA variable is not defined, aborting build.  Stop.",
     "explain-cuda-home-missing"),
    # libtorch without its CUDA library loaded (CUDAHooksInterface's errors, old and new)
    ("RuntimeError: Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared "
     "libraries", "explain-torch-cpu-only"),
    ("terminate called after throwing an instance of 'c10::Error'\n  what():  Cannot get default CUDA generator without "
     "ATen_cuda library. PyTorch splits its backend into two shared libraries", "explain-torch-cpu-only"),
    ("std::runtime_error: cannot initialize CUDA without ATen_cuda library", "explain-torch-cpu-only"),
    # ggml's device code on a GPU architecture its build lacks (llama.cpp, whisper.cpp in LocalAI)
    ("[127.0.0.1]:40269 stderr ERROR: ggml-cuda was compiled without support for the current GPU architecture.",
     "explain-no-kernel-image"),
    ("whisper_full_with_state: ERROR: ggml-cuda was compiled without support for the current GPU architecture.\n"
     "Aborted (core dumped)", "explain-no-kernel-image"),
    # Ollama's driver minimum for its bundled CUDA backend, and cortex's CUDA check before TensorRT-LLM models
    ('time=2026-07-22T10:01:02.345Z level=WARN source=cuda_compat.go:61 msg="NVIDIA driver too old" device="Tesla P40" '
     'compute=6.1 driver=535 required_driver="550 or newer"', "explain-driver-insufficient"),
    ('level=WARN source=cuda_compat.go:66 msg="NVIDIA driver too old" device="GeForce GTX 1080" compute=6.1 '
     'driver=560 required_driver="570 or newer"', "explain-driver-insufficient"),
    ("✖ CUDA version 12.2 is not compatible with TensorRT-LLM models. Required version: 12.4",
     "explain-driver-insufficient"),
    ("CUDA version 11.8 is not compatible with TensorRT-LLM models. Required version: 12.4",
     "explain-driver-insufficient"),
    # Docker's GPU words as docker-compose, docker-py and READMEs retell them
    ("ERROR: for app  Cannot create container for service app: Unknown runtime specified nvidia",
     "explain-container-no-gpu-runtime"),
    ('docker.errors.APIError: 400 Client Error: Bad Request ("Unknown runtime specified nvidia")',
     "explain-container-no-gpu-runtime"),
    ('Cannot start service detector: could not select device driver "nvidia"', "explain-container-no-gpu-runtime"),
    ('docker reports could not select device driver "nvidia" with capabilities: [gpu]',
     "explain-container-no-gpu-runtime"),
    # k2's build: nvcc's CUDA against torch's (get_version.py's assert)
    ("AssertionError: PyTorch is built with CUDA version: 12.1.\nThe current running CUDA version is: 12.4.131",
     "explain-cuda-toolkit-mismatch"),
    ("    assert cuda_version in running_cuda_version, \\\nAssertionError: PyTorch is built with CUDA version: 11.8.\n"
     "The current running CUDA version is: 12.1.105", "explain-cuda-toolkit-mismatch"),
    # torch_xla's _XLAC built for another torch (pytorch/xla#2815, #8813, Objectron#18)
    ("ImportError: /usr/local/lib/python3.7/dist-packages/_XLAC.cpython-37m-x86_64-linux-gnu.so: undefined symbol: "
     "_ZNK3c104Type14isSubtypeOfExtERKSt10shared_ptrIS0_EPSo", "explain-companion-mismatch"),
    ("ImportError: /workspaces/xla_workspace/pytorch/xla/_XLAC.cpython-310-x86_64-linux-gnu.so: undefined symbol: "
     "_ZN5torch4lazy13MetricFnValueEd", "explain-companion-mismatch"),
    # NGC images' entrypoint: the host driver older than the image's, no forward compatibility
    ("ERROR: This container was built for NVIDIA Driver Release 460.32 or later, but\n       version 430.26 was "
     "detected and compatibility mode is UNAVAILABLE.", "explain-driver-insufficient"),
    ("ERROR: This container was built for NVIDIA Driver Release 450.51 or later, but version 430.50 was detected and "
     "compatibility mode is UNAVAILABLE.", "explain-driver-insufficient"),
    # torch 1.x's split CUDA libraries asked for by an extension built against it (flash-attention#236)
    ("ImportError: libtorch_cuda_cpp.so: cannot open shared object file: No such file or directory",
     "explain-extension-abi-mismatch"),
    ("    import flash_attn_2_cuda as flash_attn_cuda\nImportError: libtorch_cuda_cu.so: cannot open shared object "
     "file: No such file or directory", "explain-extension-abi-mismatch"),
    # KeOps' NVRTC engine never built (keopscore's Gpu_link_compile.py: build_folder/nvrtc_jit + SHLIB_SUFFIX)
    ("OSError: /root/.cache/keops2.1.2/build/nvrtc_jit.so: cannot open shared object file: No such file or directory",
     "explain-cuda-home-missing"),
    ("nvrtc_jit.so: cannot open shared object file", "explain-cuda-home-missing"),
    # ONNX Runtime 1.1-1.6's native module not loaded: the next name __init__ imports from _pybind_state
    ("ImportError: cannot import name 'get_available_providers' from 'onnxruntime.capi._pybind_state' "
     "(/usr/lib/python3.8/site-packages/onnxruntime/capi/_pybind_state.py)", "explain-missing-library"),
    ("ImportError: cannot import name 'set_seed' from 'onnxruntime.capi._pybind_state'", "explain-missing-library"),
    # TensorFlow's cuda_diagnostics: no libcuda in the process
    ("2020-11-20 09:05:26.945836: I tensorflow/stream_executor/cuda/cuda_diagnostics.cc:200] libcuda reported version "
     "is: Not found: was unable to find libcuda.so DSO loaded into this program", "explain-libcuda-missing"),
    # Windows' error 126 retold or translated back
    ("ImportError: DLL load failed: Cannot find the specified module.", "explain-missing-library"),
    ("Import Error: DLL load failed. The specified module could not be found.", "explain-missing-library"),
    # a driver library from the toolkit's stubs (UCX's src/uct/cuda/base/cuda_nvml.c: '%s failed: %s')
    ("[1700000000.000000] [host:123:0] cuda_nvml.c:182 UCX DEBUG nvmlInit_v2 failed: nvml is a stub library",
     "explain-libcuda-stub"),
    ("Linked to libnvidia-ml library at wrong path : /usr/local/cuda-12.2/targets/x86_64-linux/lib/stubs/"
     "libnvidia-ml.so", "explain-libcuda-stub"),
    # text-embeddings-inference's candle backend: a build for one compute capability (backends/candle/src/lib.rs)
    ("Error: Could not create backend\n\nCaused by:\n    Could not start backend: Runtime compute cap 75 is not "
     "compatible with compile time compute cap 80", "explain-no-kernel-image"),
    ("Error: Could not start backend: Runtime compute cap 120 is not compatible with compile time compute cap 80",
     "explain-no-kernel-image"),
    ("runtime compute cap 86 is not compatible with compile time compute cap 90", "explain-no-kernel-image"),
    # nvidia-container-runtime-hook in CSV (Jetson) or CDI mode refusing docker's --gpus
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime "
     "create failed: runc create failed: unable to start container process: error during container init: error running "
     "prestart hook #0: exit status 1, stdout: , stderr: Auto-detected mode as 'csv'\ninvoking the NVIDIA Container "
     "Runtime Hook directly (e.g. specifying the docker --gpus flag) is not supported. Please use the NVIDIA Container "
     "Runtime (e.g. specify the --runtime=nvidia flag) instead.", "explain-container-no-gpu-runtime"),
    ("Error running hook #0: error running hook: exit status 1, stdout: , stderr: invoking the NVIDIA Container Runtime "
     "Hook directly (e.g. specifying the docker --gpus flag) is not supported. Please use the NVIDIA Container Runtime "
     "instead.: unknown", "explain-container-no-gpu-runtime"),
    ("Please use the NVIDIA Container Runtime (e.g. specify the --runtime=nvidia flag) instead.",
     "explain-container-no-gpu-runtime"),
    # text-generation-inference's launcher: a child killed by SIGBUS (the container's /dev/shm, medium)
    ("2023-06-07T10:00:00.000000Z ERROR download: text_generation_launcher: Download process was signaled to shutdown "
     "with signal 7: \nError: DownloadError", "explain-nccl-shm"),
    ("ERROR text_generation_launcher: Shard process was signaled to shutdown with signal 7\n"
     "ERROR text_generation_launcher: Shard 1 failed to start", "explain-nccl-shm"),
    ("Error: Could not create backend: Python Backend process was signaled to shutdown with signal 7",
     "explain-nccl-shm"),
    # TensorFlow's / XLA's cuDNN check, the line without its tail
    ("2023-06-01 15:58:54.130390: E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:417] Loaded runtime CuDNN "
     "library: 8.1.1", "explain-cudnn-version-mismatch"),
    ("E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:535] Loaded runtime CuDNN library: 8.9.4",
     "explain-cudnn-version-mismatch"),
    ("E tensorflow/stream_executor/cuda/cuda_dnn.cc:343] Loaded runtime CuDNN library: 7101 (compatibility version 7100)",
     "explain-cudnn-version-mismatch"),
    # XLA's StreamExecutor allocation on the GPU
    ("Original error: RESOURCE_EXHAUSTED: Failed to allocate request for 176.00MiB (184549376B) on device ordinal 0",
     "explain-cuda-out-of-memory"),
    ("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Failed to allocate request for 2.00GiB (2147483648B) on "
     "device ordinal 1", "explain-cuda-out-of-memory"),
    # RAPIDS' UDF PTX: none for a compute capability at or below the GPU's (cudf/utils/_numba.py)
    ("RuntimeError: This cuDF installation is missing the necessary PTX files that are <=50.",
     "explain-gpu-arch-unsupported"),
    ("This cuDF installation is missing the necessary PTX files that are <=61.", "explain-gpu-arch-unsupported"),
    # a launcher's check of a companion's torch pin (sdnext), xFormers' extensions of another CUDA than torch's
    ("WARNING  Likely incompatible Cuda with: xformers==0.0.23.dev662 installed: torch==2.1.0+cu121 required: "
     "torch==2.1.0+cu118 - build xformers manually or downgrade torch", "explain-companion-mismatch"),
    ("Likely incompatible torch with: xformers==0.0.22 installed: torch==2.2.0+cu121 required: torch==2.0.1+cu118",
     "explain-companion-mismatch"),
    ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. CUDA 1108 vs. CUDA 1210",
     "explain-companion-mismatch"),
    ("xFormers can't load C++/CUDA extensions. Built with CUDA 1201 vs. CUDA 1180 in torch", "explain-companion-mismatch"),
    # a library's minimum SM written without the underscore, for 'GPUs'
    ("RuntimeError: FlashInfer requires GPUs with sm75 or higher", "explain-gpu-arch-unsupported"),
    ("RuntimeError: FlashInfer requires GPUs with sm_80 or newer", "explain-gpu-arch-unsupported"),
    # a CUDA toolkit header not found while compiling (gcc, clang, MSVC)
    ("fatal error: cusparse.h: No such file or directory #include <cusparse.h> ^~~~~~~~~~~~ compilation terminated. "
     "ninja: build stopped: subcommand failed. RuntimeError: Error building extension 'fused_adam'",
     "explain-cuda-home-missing"),
    ("/tmp/x/csrc/ops.cu:3:10: fatal error: cuda_runtime.h: No such file or directory\n #include <cuda_runtime.h>",
     "explain-cuda-home-missing"),
    ("csrc/kernel.cpp:5:10: fatal error: 'cublas_v2.h' file not found", "explain-cuda-home-missing"),
    ("C:\\src\\ext.cpp(4): fatal error C1083: Cannot open include file: 'cuda_fp16.h': No such file or directory",
     "explain-cuda-home-missing"),
    ("fatal error: thrust/complex.h: No such file or directory", "explain-cuda-home-missing"),
    # cpm_kernels' library lookup (ctypes.util.find_library) found none (medium)
    ("RuntimeError: Library cublasLt is not initialized", "explain-missing-library"),
    ("RuntimeError: Library cudart is not initialized", "explain-missing-library"),
    # a retelling of the driver check with the runtime's CUDA version
    ("NVIDIA driver version is insufficient for CUDA 12.2", "explain-driver-insufficient"),
    ("CUDA driver version is insufficient for CUDA 11.8", "explain-driver-insufficient"),
    # round 35: a GPU below or beside the kernels' architectures (flash-attention's bare check, TGI's capability,
    # CuTe DSL's arch list, XLA's ptxas older than the GPU, a bf16/fp8 kernel not in the module)
    ("RuntimeError: Expected is_sm80 || is_sm90 to be true, but got false.  (Could this error message be improved?)",
     "explain-gpu-arch-unsupported"),
    ("Expected is_sm8x || is_sm90 to be true, but got false.", "explain-gpu-arch-unsupported"),
    ("ImportError: GPU with CUDA capability 6 1 is not supported", "explain-gpu-arch-unsupported"),
    ("cutlass.cute.nvgpu.common.OpError: OpError: expects arch to be one of ['sm_90a'], but got sm_89",
     "explain-gpu-arch-unsupported"),
    ("W external/xla/xla/stream_executor/gpu/asm_compiler.cc:111] Falling back to the CUDA driver for PTX compilation; "
     "ptxas does not support CC 9.0", "explain-gpu-arch-unsupported"),
    ('Error: DriverError(CUDA_ERROR_NOT_FOUND, "named symbol not found") when loading affine_bf16',
     "explain-gpu-arch-unsupported"),
    ('failed to get PTX kernel "fused_convert_bf16_3" from module: CUDA_ERROR_NOT_FOUND: named symbol not found',
     "explain-gpu-arch-unsupported"),
    # DeepSpeed's ops prebuilt for another torch or CUDA
    ("RuntimeError: PyTorch CUDA version mismatch! DeepSpeed ops were compiled and installed with a different version "
     "than what is being used at runtime. Please re-install DeepSpeed or switch torch versions. Install CUDA "
     "version=11.8, Runtime CUDA version=12.1", "explain-extension-abi-mismatch"),
    # CUDA libraries a provider, a package's builds or an engine DLL could not load
    ("onnxruntime::python::CreateExecutionProviderInstance CUDA_PATH is set but CUDA wasn't able to be loaded. Please "
     "install the correct version of CUDA and cuDNN", "explain-missing-library"),
    ("ImportError: [sgl_kernel] CRITICAL: Could not load any common_ops library! Attempted locations:",
     "explain-missing-library"),
    ('Could not load library "C:\\app\\bin\\win-cuda-11-7\\engines\\cortex.llamacpp\\engine.dll"\n'
     "The specified module could not be found.", "explain-missing-library"),
    # a build without this GPU's code: ROCm's gfx targets, SageAttention's SMNN kernels
    ("RuntimeError: HIP error: hipErrorNoBinaryForGpu", "explain-no-kernel-image"),
    ("Unable to find code object for all current devices!", "explain-no-kernel-image"),
    ("AssertionError: SM90 kernel is not available. Make sure you GPUs with compute capability 9.0.",
     "explain-no-kernel-image"),
    # TensorRT's builder out of GPU memory
    ("[TRT] [E] 2: [virtualMemoryBuffer.cpp::resizePhysical::127] Error Code 2: OutOfMemory (no further information)",
     "explain-cuda-out-of-memory"),
    ("[W] [TRT] Requested amount of GPU memory (8589934592 bytes) could not be allocated. There may not be enough free "
     "memory for allocation to succeed.", "explain-cuda-out-of-memory"),
    # CTranslate2's and ONNX Runtime's arena's words for GPU memory
    ("RuntimeError: CUDA failed with error out of memory", "explain-cuda-out-of-memory"),
    ("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Exception during initialization: /onnxruntime/core/framework/"
     "bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, Stream*) Failed to allocate "
     "memory for requested buffer of size 67108864", "explain-cuda-out-of-memory"),
    # no NVIDIA kernel module loaded: TensorFlow's diagnostics and modprobe's failure lead the cuInit error
    ("E tensorflow/stream_executor/cuda/cuda_driver.cc:300] failed call to cuInit: CUDA_ERROR_UNKNOWN\n"
     "I tensorflow/stream_executor/cuda/cuda_diagnostics.cc:145] kernel driver does not appear to be running on this "
     "host (node1): /proc/driver/nvidia/version does not exist", "explain-no-driver"),
    ("modprobe: ERROR: could not insert 'nvidia': Key was rejected by service", "explain-no-driver"),
    # ldd resolving libcuda.so.1 to the toolkit's stub
    ("        libcuda.so.1 => /usr/local/cuda-11.8/targets/x86_64-linux/lib/stubs/libcuda.so.1 (0x00007f1c2a000000)\n"
     "failed call to cuInit: CUresult(-1)\nwas unable to find libcuda.so DSO loaded into this program",
     "explain-libcuda-stub"),
    # the driver too old without the driver's CUDA after it; ollama's cuInit result by number
    ("RuntimeError: The NVIDIA driver on your system is too old", "explain-driver-insufficient"),
    ('msg="Unable to load cudart library /usr/lib/x86_64-linux-gnu/libcuda.so.550.54.14: cuda driver library init '
     'failure: 999"', "explain-no-cuda-device"),
    ('msg="Unable to load cudart library /usr/lib64/libcuda.so.535.104.05: cuda driver library init failure: 3"',
     "explain-cuda-init-error"),
    ("msg='Unable to load cudart CUDA management library /tmp/ollama1/runners/cuda_v11/libcudart.so.11.0: cudart init "
     "failure: 35'", "explain-driver-insufficient"),
    # a library cut short, its colon lost in the paste
    ("./imagenet: error while loading shared libraries: /usr/lib/aarch64-linux-gnu/libnvinfer.so.8 file too short",
     "explain-missing-library"),
    # ggml's kernel without code for this GPU
    ("ggml-cuda/fattn.cu:571: ERROR: CUDA kernel flash_attn_ext_f16 has no device code compatible with CUDA arch 610. "
     "ggml-cuda.cu was compiled for: 610", "explain-no-kernel-image"),
    ("ERROR: CUDA kernel mul_mat_q has no device code compatible with CUDA arch 1200. ggml-cuda.cu was compiled for: "
     "520,610,700,750,800,860,890", "explain-no-kernel-image"),
    # a program's own architecture check; Kokkos' at start
    ("ValueError: Unsupported CUDA architecture: sm75", "explain-gpu-arch-unsupported"),
    ("Kokkos::Cuda::initialize ERROR: likely mismatch of architecture", "explain-no-kernel-image"),
    ("Kokkos::Cuda::initialize ERROR: running kernels compiled for compute capability 0.0 (< 5.0) on device with "
     "compute capability 5.0 (>=5.0), this would give incorrect results!", "explain-no-kernel-image"),
    # nvcc not on PATH (Theano's words); torch's NumPy bridge as a UI shows it
    ("ERROR (theano.sandbox.cuda): nvcc compiler not found on $PATH. Check your nvcc installation and try again.",
     "explain-cuda-home-missing"),
    ("Error occurred when executing PreviewImage:\n\nNumpy is not available", "explain-numpy-abi"),
    # TensorRT 7's engine header check; the toolkit's CDI modifier's requirement
    ("[TensorRT] ERROR: coreReadArchive.cpp (41) - Serialization Error in verifyHeader: 0 (Version tag does not match. "
     "Note: Current Version: 96, Serialized Engine Version: 97)", "explain-trt-engine-incompatible"),
    ("failed to construct OCI spec modifier: requirements not met: unsatisfied condition: cuda>=12.2 (cuda=11.4): "
     "unknown.", "explain-container-cuda-requirement"),
    # darknet's hint after a failed cudaMalloc
    (" Try to set subdivisions=64 in your cfg-file. \nCUDA status Error: file: ./src/dark_cuda.c : () : line: 373",
     "explain-cuda-out-of-memory"),
    # a cuDNN symbol missing at its version node: an older cuDNN of the same major found first
    ("ImportError: /x/jaxlib/xla_extension.so: symbol cudnnSetCTCLossDescriptorEx version libcudnn.so.7 not defined in "
     "file libcudnn.so.7 with link time reference", "explain-cudnn-version-mismatch"),
    # a companion's ops not registered for this torch, on the CPU backend too (torchcodec registers torchcodec_ns::)
    ("NotImplementedError: Could not run 'torchcodec_ns::create_from_file' with arguments from the 'CPU' backend.",
     "explain-companion-mismatch"),
    # an extension that aborts as torch loads it (a faulthandler trace)
    ("Fatal Python error: Aborted\n\nCurrent thread 0x00007f95ab528740 (most recent call first):\n  File \"/e/lib/"
     "python3.11/ctypes/__init__.py\", line 376 in __init__\n  File \"/e/lib/python3.11/site-packages/torch/_ops.py\", "
     "line 1487 in load_library\n  File \"/e/lib/python3.11/site-packages/torchao/__init__.py\", line 41 in <module>",
     "explain-extension-abi-mismatch"),
    # PTX for a newer architecture than ptxas compiles for
    ("ptxas fatal   : SM version specified by .target is higher than default SM version assumed",
     "explain-no-kernel-image"),
    # a program's own 'no GPU' check; NCCL's shared-memory failure in a blog's words
    ('NotImplementedError: Unsloth: No NVIDIA GPU found? Unsloth currently only supports GPUs!', "explain-torch-cpu-only"),
    ("NCCL posix_fallocate failed: No space left on device", "explain-nccl-shm"),
    # torch's own words for no accelerator; NVML's unknown error without 'Failed to initialize'
    ("RuntimeError: Cannot access accelerator device when none is available.", "explain-torch-cpu-only"),
    ("NVML: Unknown error", "explain-nvml-unknown-error"),
    # ops built without CUDA; the toolkit check with the toolkit's version left out
    ("RuntimeError: nms is not compiled with GPU support", "explain-cuda-home-missing"),
    ("AssertionError: Not compiled with GPU support", "explain-cuda-home-missing"),
    ("The detected CUDA version mismatches the version that was used to compile PyTorch (10.2). Please make sure to "
     "use the same CUDA versions.", "explain-cuda-toolkit-mismatch"),
    # tiny-cuda-nn's per-architecture module on Windows
    ("ImportError: DLL load failed while importing _89_C: The specified module could not be found.",
     "explain-no-kernel-image"),
    # round 46: macOS dyld's undefined symbol; a driver library left as an empty placeholder; a program's own assert
    ("ImportError: dlopen(/Users/me/env/lib/python3.9/site-packages/torchrl/_torchrl.so, 0x0002): Symbol not found: "
     "__ZN8pybind116detail11type_casterIN2at6TensorEvE4castERKS3_NS_19return_value_policyENS_6handleE\n"
     "  Referenced from: <26B157A6-9DAD-3C58-9A74-E4A5EEF6F011> /Users/me/env/lib/python3.9/site-packages/torchrl/"
     "_torchrl.so\n  Expected in:     <8F09D9D9-3AB7-367A-B2FF-80087FA15C9E> /Users/me/env/lib/python3.9/"
     "site-packages/torch/lib/libtorch_python.dylib", "explain-extension-abi-mismatch"),
    ("ImportError: dlopen(/opt/env/lib/python3.11/site-packages/torchvision/_C.so, 0x0002): symbol not found in flat "
     "namespace '__ZN3c1017RegisterOperatorsD1Ev'", "explain-companion-mismatch"),
    ("/var/lib/app/bin/server: error while loading shared libraries: /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1: "
     "file too short", "explain-libcuda-missing"),
    ("OSError: /usr/lib/x86_64-linux-gnu/libcuda.so.1: file too short", "explain-libcuda-missing"),
    ("  File \"train.py\", line 12, in main\n    assert torch.cuda.is_available(), 'need a GPU'\nAssertionError: need a GPU",
     "explain-torch-cpu-only"),
    # round 47: a Rust binding's CUresult; a generation in brackets; libtorch linked from another release; a kernel
    # library's own architecture check; TensorRT's builder DLL; TensorFlow's BFC allocator before it raises
    ("thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Cuda(NoBinaryForGpu)', "
     "examples/add.rs:10:76", "explain-no-kernel-image"),
    ("Error: CudaError::NoDevice", "explain-no-cuda-device"),
    ("RuntimeError: GPU compute capability 8.0 (Ampere) or higher is required to install kernl",
     "explain-gpu-arch-unsupported"),
    ("/usr/bin/ld: libtorch_sys.rlib(torch_api.o): in function `c10::Device::validate()':\n"
     "torch_api.cpp:(.text+0xc1): undefined reference to `c10::detail::torchInternalAssertFail(char const*, char const*, "
     "unsigned int, char const*, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > "
     "const&)'", "explain-extension-abi-mismatch"),
    ("Error: tvm.error.InternalError: Assertion error (/deepgemm/csrc/apis/hyperconnection.hpp:56): Unsupported "
     "architecture", "explain-gpu-arch-unsupported"),
    ("[error] 6: [libLoader.cpp::nvinfer1::rt::DynamicLibrary::Impl::Impl::288] Error Code 6: Internal Error (Unable "
     "to load library: nvinfer_builder_resource_10.dll)", "explain-missing-library"),
    ("tensorflow/core/common_runtime/bfc_allocator.cc:275] Ran out of memory trying to allocate 392.00MiB. See logs "
     "for memory state.", "explain-cuda-out-of-memory"),
    # round 48: Windows' STATUS_DLL_NOT_FOUND as an exit status; a program naming the GPU it rejects
    ("Ollama call failed with status code 500: llama runner process has terminated: exit status 0xc0000135",
     "explain-missing-library"),
    ("Process finished with exit code -1073741515 (0xC0000135)", "explain-missing-library"),
    ("RuntimeError: No supported GPUs are present on this system.\nThe device Tesla K80 with computed capability 3.7 "
     "does not support HOOMD-blue.", "explain-gpu-arch-unsupported"),
    # programs' own source, fourth reading: torch's capability check of 2.8 and later, conda's, mamba's and pixi's
    # virtual packages, torch's OOM as ComfyUI prints it, vLLM's and SGLang's minimums and memory checks
    ("UserWarning: Found GPU0 NVIDIA GeForce RTX 5090 which is of compute capability (CC) 12.0.\nThe following list "
     "shows the CCs this version of PyTorch was built for and the hardware CCs it supports:\n- 8.6 which supports "
     "hardware CC >=8.6,<9.0 except {8.7}\n- 9.0 which supports hardware CC >=9.0,<10.0\nYour installed "
     "torch==2.9.0+cu126 does not include kernels for this GPU.", "explain-no-kernel-image"),
    ("UserWarning: Found GPU0 Tesla K80 which is of compute capability (CC) 3.7.\nThe following list shows the CCs this "
     "version of PyTorch was built for and the hardware CCs it supports:\n- 7.5 which supports hardware CC >=7.5,<8.0\n"
     "No published PyTorch CUDA builds for release 2.9.0+cu130 support this GPU.", "explain-gpu-arch-unsupported"),
    ("UnsatisfiableError: The following specifications were found to be incompatible with your system:\n\n"
     "  - feature:/linux-64::__cuda==11.4=0\n  - pytorch-cuda=12.1 -> __cuda[version='>=12.1']\n\n"
     "Your installed version is: 11.4", "explain-driver-insufficient"),
    ("UnsatisfiableError: The following specifications were found to be incompatible with your system:\n\n"
     "  - pytorch-cuda=12.1 -> __cuda\n\nYour installed version is: not available", "explain-no-driver"),
    ("    └─ jaxlib 0.4.30 cuda120py312h4008524_201 is not installable because it requires\n"
     "       └─ __cuda, which is missing on the system.", "explain-no-driver"),
    ("Error:   × Virtual package '__glibc >=2.28,<3.0.a0' does not match any of the available virtual packages on your "
     "machine: [__unix=0=0, __linux=3.10.0=0, __glibc=2.17=0]", "explain-glibc-too-old"),
    ("!!! Exception during processing !!! Allocation on device \nGot an OOM, unloading all loaded models.",
     "explain-cuda-out-of-memory"),
    ("ValueError: Free memory on device cuda:0 (61.2/79.19 GiB) on startup is less than desired GPU memory utilization "
     "(0.9, 71.27 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.",
     "explain-cuda-out-of-memory"),
    ("ValueError: The quantization method fp8 is not supported for the current GPU. Minimum capability: 80. Current "
     "capability: 75.", "explain-gpu-arch-unsupported"),
    ("RuntimeError: SGLang only supports sm75 and above.", "explain-gpu-arch-unsupported"),
    ("RuntimeError: CUDA was not found on the system, please set the CUDA_HOME or the CUDA_PATHenvironment variable or "
     "add NVCC to your system PATH. The extension compilation will fail.", "explain-cuda-home-missing"),
    ("FileNotFoundError: nvcc not found at '/usr/local/cuda/bin/nvcc'. Ensure CUDA path '/usr/local/cuda' is correct.",
     "explain-cuda-home-missing"),
    ("ValueError: libcublasLt.so.*[0-9] not found in the system path ['/usr/lib/python3.11']", "explain-missing-library"),
    ("RuntimeError: 0 active drivers ([]). There should only be one.", "explain-torch-cpu-only"),
    ("ImportError: Framework pytorch installed with version 2.1.2+cu121 but found version 2.3.1+cu121.",
     "explain-extension-abi-mismatch"),
    ("RuntimeError: CUDA has been initialized before the `notebook_launcher` could create a forked subprocess.",
     "explain-cuda-init-error"),
    # round 49: a loader error cut after 'object'
    ("ImportError: libcudnn.so.8: cannot open shared object \nnext line", "explain-missing-library"),
    # programs' own source, fifth reading: darknet's and CuTe DSL's driver checks, AutoGPTQ's and pycuda's minimums,
    # YOLO's select_device, XGBoost's NCCL stub, LightGBM's and gpt4all's memory, pycuda's context
    (" CUDA-version: 12040 (11040) \n Warning: CUDA-version is higher than Driver-version! ", "explain-driver-insufficient"),
    (" CUDA-version: 12040 (12020) \n Warning: CUDA-version is higher than Driver-version!\n CUDA Error: out of memory",
     "explain-cuda-out-of-memory"),
    ("DSLRuntimeError: CUDA driver version 12080 is below the minimum required version for the installed cuda-python "
     "package 13000.", "explain-driver-insufficient"),
    ("ValueError: Can not use Marlin int4*fp16 kernel with a device of compute capability (7, 5), the minimum compute "
     "capability is 8.0 for Marlin kernel.", "explain-gpu-arch-unsupported"),
    ("RuntimeError: Minimum compute capability for dynamic parallelism is 3.5 (found: 3.0)!", "explain-gpu-arch-unsupported"),
    ("AssertionError: CUDA unavailable, invalid device 0 requested", "explain-torch-cpu-only"),
    ("Error: Failed to load NCCL symbol `ncclCommInitRankConfig` from libnccl.so.2. Error: undefined symbol",
     "explain-cuda-symbol-mismatch"),
    ("Trying to compile auto-gptq for CUDA, but Pytorch 2.3.1+cpu is installed without CUDA support.",
     "explain-torch-cpu-only"),
    ("xgboost.core.XGBoostError: [10:14:02] nccl_stub.cc:83: Failed to load NCCL symbol `ncclCommInitRankConfig` from "
     "/usr/lib/x86_64-linux-gnu/libnccl.so.2", "explain-cuda-symbol-mismatch"),
    ("[LightGBM] [Fatal] [CUDA] out of memory /src/io/cuda/cuda_column_data.cpp 110", "explain-cuda-out-of-memory"),
    ("nvcc command not found. Is CUDA installed and in your PATH?", "explain-cuda-home-missing"),
    ("RuntimeError: Cannot find CUDA path", "explain-cuda-home-missing"),
    # rounds 50 and 51: wordings of programs' own checks and of other NumPy objects
    ("ValueError: numpy.ufunc size changed, may indicate binary incompatibility. Expected 232 from C header, got 216 "
     "from PyObject", "explain-numpy-abi"),
    ("TREX: Can't find nonce with device [ID=0, GPU #0], Device does not have enough free memory to hold the DAG for "
     "epoch 65. Required: 5.02 GB, free: 5.01 GB.", "explain-cuda-out-of-memory"),
    ("W external/xla/xla/service/hlo_rematerialization.cc:2941] Can't reduce memory use below -30.29GiB "
     "(-32529110990 bytes) by rematerialization; only reduced to 49.62GiB (53280000080 bytes)", "explain-cuda-out-of-memory"),
    ("RuntimeError: cuda_malloc(): out of memory!", "explain-cuda-out-of-memory"),
    ("Application terminated with error: (NCudaLib::TOutOfMemoryError) catboost/cuda/cuda_lib/memory_pool/"
     "stack_like_memory_pool.h:294: Error: Out of memory. Requested 1070.5; Free 1010.9", "explain-cuda-out-of-memory"),
    ("Warp CUDA error: Could not open libcuda.so.\nWarp 1.7.0 initialized:\n   CUDA Toolkit 12.8, Driver 0.0 "
     "(insufficient CUDA driver version!)", "explain-libcuda-missing"),
    ("ImportError: libcudart.so.9.0: No such file or directory", "explain-missing-library"),
    ("docker: Error response from daemon: OCI runtime create failed: nvidia-container-cli: initialization error: "
     "driver error: failed to process request: unknown.", "explain-no-driver"),
    ("terminate called after throwing an instance of 'std::runtime_error'\n  what():  src/spconv/src/spconvlib/spconv/"
     "csrc/sparse/convops/convops/ConvTunerSimple/ConvTunerSimple_cached_get_nvrtc_params.cc(18)\nnot implemented in "
     "c++, must be overrided in python!!!", "explain-no-kernel-image"),
    ("WARNING: NVIDIA Insufficient driver!\nWARNING: backend NVIDIA disabled.", "explain-driver-insufficient"),
    ("[hevc_nvenc @ 0x5555] Driver does not support the required nvenc API version. Required: 12.0 Found: 11.1\n"
     "[hevc_nvenc @ 0x5555] The minimum required Nvidia driver for nvenc is 520.56.06 or newer",
     "explain-driver-insufficient"),
    ("Skipping import of cpp extensions due to incompatible torch version 2.7.1+cu128 for torchao version 0.15.0",
     "explain-companion-mismatch"),
    ("RuntimeError: torch._scaled_mm is only supported on CUDA devices with compute capability >= 9.0 or 8.9, or "
     "ROCm MI300+", "explain-gpu-arch-unsupported"),
    # round 52
    ("Error importing detector runtime: libnvdla_compiler.so: cannot open shared object file: No such file or directory",
     "explain-libcuda-missing"),
    ("Tesla K40m does not meet minimum required compute capability: 3.7. Falling back to CPU mode.",
     "explain-gpu-arch-unsupported"),
    ("No CUDA device found with minimum required compute capability 3.5", "explain-gpu-arch-unsupported"),
    ("TypeError: argument 1 must be numpy.ndarray, not numpy.ndarray", "explain-numpy-abi"),
    ("./utils.h:8:1: error: static_assert failed due to requirement '1 == 1 && 9 == 11' \"Incompatible LibTorch "
     "version\"", "explain-extension-abi-mismatch"),
    ("Found 0 GPU(s). Start DDP + Compiling.", "explain-no-cuda-device"),
    # round 53 (projects' own documents)
    ("Error: No kernel image available", "explain-no-kernel-image"),
    ("[TRT] [E] 6: The engine plan file is generated on an incompatible device", "explain-trt-engine-incompatible"),
    ("CMake Error at libtorch/share/cmake/Caffe2/Caffe2Config.cmake:96 (message): Your installed Caffe2 version uses "
     "cuDNN but I cannot find the cuDNN libraries.  Please set the proper cuDNN prefixes and / or install cuDNN.",
     "explain-missing-library"),
    ("RuntimeError: CUDA driver version is insufficient", "explain-driver-insufficient"),
    ("ERROR: LoadError: UndefVarError: libcuda not defined", "explain-libcuda-missing"),
    ("RuntimeError: CUDA: out of memory", "explain-cuda-out-of-memory"),
    ("ERROR: Feature matching failed. This probably caused by insufficient GPU\nmemory. Consider reducing the maximum "
     "number of features.", "explain-cuda-out-of-memory"),
    # round 54
    ("<string>:119: UserWarning: causal_conv1d was requested, but nvcc was not found.", "explain-cuda-home-missing"),
    ("Allocation on device 0 would exceed allowed memory. (out of memory)\nCurrently allocated : 23.05 GiB\n"
     "Requested : 25.00 MiB\nDevice limit : 23.99 GiB\nFree (according to CUDA): 0 bytes", "explain-cuda-out-of-memory"),
    ("UserWarning: The unoptimized RealESRGAN is slow on CPU. We do not use it. If you really want to use it, please "
     "modify the corresponding codes.", "explain-torch-cpu-only"),
    # rounds 55 and 56
    ("ValueError: implementation='triton' is unsupported on this GPU generation.", "explain-gpu-arch-unsupported"),
    ("LOG:  PG-Strom: GPU0 GeForce GTX TITAN X - CC 5.2 is not supported\nFATAL:  PG-Strom: no supported GPU devices "
     "found", "explain-gpu-arch-unsupported"),
    ("[ERROR] Unsupported architecture - benchmark: gemm-flops, compute capability: 8.9, supports 7.0 7.5 8.0 8.6 9.0",
     "explain-gpu-arch-unsupported"),
    ("======== Warning: nvprof is not supported on devices with compute capability 8.0 and higher.",
     "explain-gpu-arch-unsupported"),
    ("kernel: NVRM: The NVIDIA GPU 0000:09:00.0 (PCI ID: 10de:1d01)\n             NVRM: installed in this system is not "
     "supported by open\n             NVRM: nvidia.ko because it does not include the required GPU\n             NVRM: "
     "System Processor (GSP).", "explain-gpu-arch-unsupported"),
    ("VkResult: ERROR_INCOMPATIBLE_DRIVER\nvkCreateInstance failed. Vulkan 1.1 is not supported, or your driver requires "
     "an update.", "explain-driver-insufficient"),
    ("CUDA error: Insufficient CUDA driver: 9020", "explain-driver-insufficient"),
    ("ERROR: NVIDIA driver is not loaded", "explain-no-driver"),
    ("Xid 78: Guest driver is incompatible with host driver", "explain-no-driver"),
    ("/usr/bin/ld: warning: libnvcuvid.so.1, needed by /usr/local/zed/lib/libsl_zed.so, not found (try using -rpath or "
     "-rpath-link)", "explain-libcuda-missing"),
    ("/usr/bin/ld: warning: libcudart.so.11.0, needed by /opt/app/lib/libinfer.so, not found (try using -rpath or "
     "-rpath-link)", "explain-missing-library"),
    ("======== Warning: The path to CUPTI and CUDA Injection libraries might not be set in LD_LIBRARY_PATH.",
     "explain-missing-library"),
    ('docker: Error response from daemon: failed to create shim task: OCI runtime create failed: exec: '
     '"nvidia-container-runtime": executable file not found in $PATH: <nil>: unknown.',
     "explain-container-no-gpu-runtime"),
    ("[HAMI-core ERROR (pid:7 thread=140360328144640 allocator.c:115)]: cuMemoryAllocate failed res=2",
     "explain-cuda-out-of-memory"),
    # round 57
    ("RuntimeError: This deepmd-kit package was compiled with CXX11_ABI_FLAG=0, but PyTorch runtime was compiled with "
     "CXX11_ABI_FLAG=1. These two library ABIs are incompatible", "explain-extension-abi-mismatch"),
    ('CUDA error: "Driver not initialized" from file <GPUInterfaceCUDA.cpp>, line 169.', "explain-no-driver"),
    (">> Failed to load custom CUDA kernel for BigVGAN. Falling back to torch.", "explain-cuda-home-missing"),
]

# the same words that are not these causes: they must not be read as them
NOT = [
    # a document's 'If you see X' and 'When you get X' (a program's own 'If you see this ...' is still read)
    ("If you see DLL load failed while importing _sqlite3\nreinstall Python with the sqlite3 option ticked.",
     "explain-missing-library"),
    ("When you get 'libcudart.so.12: cannot open shared object file', install nvidia-cuda-runtime-cu12.",
     "explain-missing-library"),
    # look-alikes of the rounds 64-66 wordings: another vendor's stack, source and enum tables, release notes, a
    # Windows search, pinned host memory, ultralytics' check where torch saw a GPU or runs on a Mac
    ('hipcc (ROCm 6.1): ld.lld: error: undefined symbol: __cudaPopCallConfiguration\n>>> referenced by kernel.hip (hipify left a CUDA launch stub in the AMD build)',
     'explain-cuda-toolkit-mismatch'),
    ('    assert "undefined symbol: __cudaRegisterFatBinaryEnd" in str(excinfo.value)  # test_ext_load.py',
     'explain-cuda-toolkit-mismatch'),
    ("CHANGELOG 2.1.0: the loader now rebuilds automatically instead of failing with 'engine plan file is not compatible with this version of TensorRT, expecting library version 10.0.1 got 8.6.1'.",
     'explain-trt-engine-incompatible'),
    ('    { cudaErrorDeviceAlreadyInUse, "cudaErrorDeviceAlreadyInUse" },  // 216',
     'explain-gpu-busy'),
    ('TensorFlow 2.4 release notes: fixed CUDA_ERROR_CONTEXT_ALREADY_IN_USE on GPUs in exclusive-thread mode.',
     'explain-gpu-busy'),
    ("Ultralytics YOLOv8.1.0 Python-3.10.12 torch-2.1.2+cu121\nValueError: Invalid CUDA 'device=3' requested. Use 'device=cpu' or pass valid CUDA device(s) if available, i.e. 'device=0' or 'device=0,1,2,3' for Multi-GPU.\n\ntorch.cuda.is_available(): True\ntorch.cuda.device_count(): 2\nos.environ['CUDA_VISIBLE_DEVICES']: None",
     'explain-torch-cpu-only'),
    ("Ultralytics YOLOv8.1.0 Python-3.11.7 torch-2.2.0 CPU (Apple M2 Pro)\nValueError: Invalid CUDA 'device=0' requested. Use 'device=cpu' or pass valid CUDA device(s) if available, i.e. 'device=0' or 'device=0,1,2,3' for Multi-GPU.\n\ntorch.cuda.is_available(): False\ntorch.cuda.device_count(): 0\nos.environ['CUDA_VISIBLE_DEVICES']: None\n(on a Mac use device=mps)",
     'explain-torch-cpu-only'),
    ("W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'nvcuda.dll'; dlerror: nvcuda.dll not found\nI tensorflow/core/common_runtime/pluggable_device/pluggable_device_factory.cc:306] Created DirectML device: AMD Radeon RX 6800 XT",
     'explain-libcuda-missing'),
    ('> findstr /s /c:"Could not load dynamic library \'nvcuda.dll\'" *.log',
     'explain-libcuda-missing'),
    ('    case OPTIX_ERROR_UNSUPPORTED_ABI_VERSION: return "OPTIX_ERROR_UNSUPPORTED_ABI_VERSION";',
     'explain-driver-insufficient'),
    ('    OPTIX_ERROR_UNSUPPORTED_ABI_VERSION         = 7801,',
     'explain-driver-insufficient'),
    ('Which driver do I need so that OptiX 8.0 does not return OPTIX_ERROR_UNSUPPORTED_ABI_VERSION?',
     'explain-driver-insufficient'),
    ('Blender 4.1 release notes: fixed OPTIX_ERROR_UNSUPPORTED_ABI_VERSION on older drivers by falling back to CUDA.',
     'explain-driver-insufficient'),
    ('CUDA error at pinned_alloc.cu:88: out of memory (cudaHostAlloc of 64 GiB pinned host RAM failed; the machine has 32 GiB)',
     'explain-cuda-out-of-memory'),
    ('CUDA error at gemm.cu:120: out of memory (hipified build running on AMD Instinct MI250X, ROCm 5.7)',
     'explain-cuda-out-of-memory'),
    ("v0.4.2: fixed 'CUDA Error of GINTint2e_jk_kernel: out of memory' by splitting the batch.",
     'explain-cuda-out-of-memory'),
    ('nvcc: CUDA error in cicc: out of memory (host RAM exhausted building flash-attn with MAX_JOBS=32)',
     'explain-cuda-out-of-memory'),
    ('Exception in thread "main" java.lang.UnsatisfiedLinkError: Error while loading native library "JOCLBlast-1.5.2-windows-x86_64" (CLBlast for OpenCL on an AMD Radeon RX 580)',
     'explain-missing-library'),
    ('        pytest.skip("DLL load failed while importing win32api")',
     'explain-missing-library'),
    # the CUDA enum's own source and documentation tables, and pinned host memory, are no GPU's failure
    ('    case CUDA_ERROR_CONTEXT_ALREADY_IN_USE: return "context in use";', "explain-gpu-busy"),
    ("CUDA_ERROR_CONTEXT_ALREADY_IN_USE = 216,", "explain-gpu-busy"),
    ("| 216 | CUDA_ERROR_CONTEXT_ALREADY_IN_USE | the context is bound to another thread |", "explain-gpu-busy"),
    ("CUDA error in cudaMallocHost: out of memory", "explain-cuda-out-of-memory"),
    # OptiX's other codes and a plain 7801 elsewhere are not its ABI check
    ("optixInit() failed with code 7804 (OPTIX_ERROR_LIBRARY_NOT_FOUND)", "explain-driver-insufficient"),
    ("Processed 7801 frames, render failed at frame 7802", "explain-driver-insufficient"),
    # relocatable device code not linked (nvcc -rdc without a device link step): not an nvcc of another release
    ("ImportError: /opt/app/build/lib/ext.so: undefined symbol: __cudaRegisterLinkedBinary_54_tmpxft_00001a2b_00000000"
     "_7_kernel_cpp1_ii_6b3f5e5a", "explain-cuda-toolkit-mismatch"),
    # any wording, quoted by a line that says its failure is over, or by a search or a test of it
    ("Fixed: 'ImportError: libcudart.so.12: cannot open shared object file' no longer appears after installing "
     "nvidia-cuda-runtime-cu12", "explain-missing-library"),
    ("grep -c 'CUDA driver version is insufficient for CUDA runtime version' train.log", "explain-driver-insufficient"),
    ("with pytest.raises(RuntimeError, match='no kernel image is available for execution on the device'):",
     "explain-no-kernel-image"),
    ("self.assertIn('Found no NVIDIA driver on your system', str(err))", "explain-no-driver"),
    ("After pinning numpy<2 the 'A module that was compiled using NumPy 1.x cannot be run in NumPy 2' warning is gone",
     "explain-numpy-abi"),
    # a review of rounds 54-57's wordings: questions, documents, source and test lines, a grep, a failure that is
    # over, another number or another vendor
    ("Q: What does 'Insufficient CUDA driver: 9020' mean in ethminer?", "explain-driver-insufficient"),
    ("Driver updated to 550; no more Insufficient CUDA driver: 9020 errors, mining at 30 MH/s",
     "explain-driver-insufficient"),
    ("grep 'ERROR: NVIDIA driver is not loaded' /var/log/Xorg.0.log", "explain-no-driver"),
    ("Q: Does 'Guest driver is incompatible with host driver' (Xid 78) mean I need a new host vGPU manager?",
     "explain-no-driver"),
    ("worker 3: CUDA error: Driver not initialized (CUDA used in a forked child; use the spawn start method)",
     "explain-no-driver"),
    ("radv/amdgpu: VkResult: ERROR_INCOMPATIBLE_DRIVER (AMD Radeon RX 6800, Mesa 21.0)", "explain-driver-insufficient"),
    ("Unsupported architecture - benchmark: gemm-flops, compute capability: 8.0, supports 7.0 7.5 8.0 8.6 9.0",
     "explain-gpu-arch-unsupported"),
    ("LOG:  PG-Strom: GPU0 Tesla P40 - CC 6.1 is not supported for GPU-Direct SQL; using the normal path",
     "explain-gpu-arch-unsupported"),
    ("Warning: implementation='triton' is unsupported on this GPU generation, falling back to implementation='xla'; "
     "inference continues.", "explain-gpu-arch-unsupported"),
    ("README: GPUs that are not supported by open nvidia.ko because it does not include the required GPU System "
     "Processor (GSP) must use the proprietary module.", "explain-gpu-arch-unsupported"),
    ("This deepmd-kit package was compiled with CXX11_ABI_FLAG=1, but PyTorch runtime was compiled with "
     "CXX11_ABI_FLAG=1", "explain-extension-abi-mismatch"),
    ("with pytest.raises(RuntimeError, match=\"This deepmd-kit package was compiled with CXX11_ABI_FLAG=0, but PyTorch "
     "runtime was compiled with CXX11_ABI_FLAG=1\"):", "explain-extension-abi-mismatch"),
    ("[HAMI-core WARN]: cuMemoryAllocate failed res=2, retrying after freeing cached blocks ... allocation succeeded",
     "explain-cuda-out-of-memory"),
    ("Docs: if Docker reports exec: \"nvidia-container-runtime\": executable file not found in $PATH, install "
     "nvidia-container-toolkit.", "explain-container-no-gpu-runtime"),
    ("Fixed: after installing cuda-toolkit 12.8 no 'Failed to load custom CUDA kernel for BigVGAN. Falling back to "
     "torch.' and inference is 2x faster", "explain-cuda-home-missing"),
    # rounds 55 and 56's wordings beside words that are not those causes
    ("cuMemoryAllocate failed res=1", "explain-cuda-out-of-memory"),
    ("PG-Strom: GPU0 NVIDIA A100 - CC 8.0 is supported", "explain-gpu-arch-unsupported"),
    ("Guest driver is compatible with host driver", "explain-no-driver"),
    ("nvprof is supported on devices with compute capability 7.5 and lower", "explain-gpu-arch-unsupported"),
    # a third review's inputs for the rounds 50-52 wordings: harmless warnings, questions, advice, other resources,
    # source code and tool output, a pinned host buffer, a TPU, a cluster report, README sentences
    ("/opt/conda/lib/python3.6/importlib/_bootstrap.py:219: RuntimeWarning: numpy.ufunc size changed, may indicate "
     "binary incompatibility. Expected 192 from C header, got 216 from PyObject\n  return f(*args, **kwds)",
     "explain-numpy-abi"),
    ("Q: Why do I see 'numpy.dtype size changed, may indicate binary incompatibility'? A: This warning is harmless.",
     "explain-numpy-abi"),
    ("Your GPU doesn't have enough memory? Try --lowvram.", "explain-cuda-out-of-memory"),
    ("WARNING: not enough GPU memory available for the whole model, enabling sequential CPU offload",
     "explain-cuda-out-of-memory"),
    ("We estimate GPU does not have enough memory to run this; will try with smaller batches",
     "explain-cuda-out-of-memory"),
    ("INSTALL_FAILED_INSUFFICIENT_STORAGE: Device does not have enough memory to install the app",
     "explain-cuda-out-of-memory"),
    ('    if free < need:\n        raise RuntimeError("Device does not have enough free memory")',
     "explain-cuda-out-of-memory"),
    ("    // Device does not have enough free memory to hold the DAG\n    if (free < required) return false;",
     "explain-cuda-out-of-memory"),
    ("Error: cuda_malloc_host(): out of memory (pinned host memory)", "explain-cuda-out-of-memory"),
    ("W0301 hlo_rematerialization.cc:2946] TPU v4-8: Can't reduce memory use below 30.00GiB (32212254720 bytes) by "
     "rematerialization; only reduced to 31.20GiB", "explain-cuda-out-of-memory"),
    ("CMake Warning: Could not find libcuda.so (only the stub in /usr/local/cuda/lib64/stubs); linking against the "
     "stub", "explain-libcuda-missing"),
    ("auditwheel repair: Could not find libcuda.so.1, skipping (it is a system library provided by the driver)",
     "explain-libcuda-missing"),
    ("[W] Could not find libcuda.so.1 - GPU support disabled", "explain-libcuda-missing"),
    ("If you see 'Could not open libcuda.so', install the NVIDIA driver.", "explain-libcuda-missing"),
    ("[h264_nvenc @ 0x5] Cannot load libnvidia-encode.so.1\n[h264_nvenc @ 0x5] The minimum required Nvidia driver "
     "for nvenc is 418.30 or newer", "explain-driver-insufficient"),
    ("If xmr-stak prints 'NVIDIA Insufficient driver!', update your driver.", "explain-driver-insufficient"),
    ("FP8 is only supported on GPUs with compute capability >= 8.9 (Ada, Hopper).", "explain-gpu-arch-unsupported"),
    ('@unittest.skipIf(not SM89OrLater, "_scaled_mm is only supported on CUDA devices with compute capability >= 9.0 '
     'or 8.9")', "explain-gpu-arch-unsupported"),
    ("Found 0 GPUs, 8 CPUs\nTraining on CPU", "explain-no-cuda-device"),
    ("If the error is caused by insufficient GPU memory, reduce the batch size", "explain-cuda-out-of-memory"),
    ("Node gpu-01: Found 4 GPU(s).\nNode cpu-01: Found 0 GPU(s).\nAll nodes ready.", "explain-no-cuda-device"),
    # rounds 50 and 51's new wordings where they are advice, another tool's output or another resource
    ("If there is not enough GPU memory for the model, use --cpu", "explain-cuda-out-of-memory"),
    ("Tip: if your GPU does not have enough memory, reduce the batch size", "explain-cuda-out-of-memory"),
    ("java.lang.OutOfMemoryError: Java heap space", "explain-cuda-out-of-memory"),
    ("ls: cannot access 'libcudart.so.12': No such file or directory", "explain-missing-library"),
    ("Could not open libcuda.so.1.bak for writing", "explain-libcuda-missing"),
    ("Note: FP8 is only supported on GPUs with compute capability >= 8.9", "explain-gpu-arch-unsupported"),
    ("Found 0 GPUs, falling back to CPU", "explain-no-cuda-device"),
    ("Found 0 GPU(s) with errors in the last 24 hours", "explain-no-cuda-device"),
    # a second review's inputs: a runtime of the driver's own major, lines that go on or are not errors, a device index
    # beyond the machine's, a context error pycuda drops the cause of, a package's own warning
    (" CUDA-version: 12040 (12020) \n Warning: CUDA-version is higher than Driver-version!", "explain-driver-insufficient"),
    (" CUDA-version: 11080 (12020) \n Warning: CUDA-version is higher than Driver-version!", "explain-driver-insufficient"),
    ("nvcc command not found, skipping CUDA extensions; building CPU-only", "explain-cuda-home-missing"),
    ("Ignored error: nvidia-smi not found (this is expected in the CPU-only image)", "explain-no-driver"),
    ("[LightGBM] [Info] [CUDA] out of memory handling enabled", "explain-cuda-out-of-memory"),
    ("Torch GPU out-of-memory error count: 0", "explain-cuda-out-of-memory"),
    ("AssertionError: CUDA unavailable, invalid device 1 requested", "explain-torch-cpu-only"),
    ("RuntimeError: make_default_context() wasn't able to create a context on any of the 1 detected devices",
     "explain-gpu-busy"),
    ("WARNING:ctransformers:CUDA runtime libraries not found. Try `pip install ctransformers[cuda]`",
     "explain-missing-library"),
    # a GPU at the minimum; CUDA's versions in order; an NCCL load that is not a symbol's
    ("RuntimeError: Minimum compute capability for dynamic parallelism is 3.5 (found: 8.6)!", "explain-gpu-arch-unsupported"),
    (" CUDA-version: 12040 (12080) ", "explain-driver-insufficient"),
    ("INFO: nvcc not found in /usr/local/cuda/bin, using nvcc from PATH", "explain-cuda-home-missing"),
    # a review's inputs: requirements in documents and healthy logs, other causes sharing words, CPU and AMD architectures
    ("We tested at least Ampere GPUs for this release.", "explain-gpu-arch-unsupported"),
    ("Using flash-attn 3 (requires at least Hopper)", "explain-gpu-arch-unsupported"),
    ("GPU NVIDIA A100-SXM4-80GB with compute capability 8.0 does not support FP8.", "explain-gpu-arch-unsupported"),
    ("The MPS backend: device Apple M2 with compute capability 3.0 is not supported by Metal.",
     "explain-gpu-arch-unsupported"),
    ("INFO: nvcc not found in /usr/local/cuda/bin, using nvcc from PATH (/opt/cuda/bin/nvcc)", "explain-cuda-home-missing"),
    ("CUDA_HOME is None, skipping CUDA extension build", "explain-cuda-home-missing"),
    ("If you see 'CUDA_HOME is None', set CUDA_HOME to your toolkit.", "explain-cuda-home-missing"),
    ("- The kernels must be run on a GPU with compute capability >= 8.0.", "explain-gpu-arch-unsupported"),
    ("Requirements: FlashAttention-2 requires an Ampere or newer GPU.", "explain-gpu-arch-unsupported"),
    ("INFO detected NVIDIA GeForce RTX 4090 (compute capability 8.9). This model requires an Ampere or newer GPU.",
     "explain-gpu-arch-unsupported"),
    ("RuntimeError: FlashInfer only supports sm_80 and above. Detected sm_90.", "explain-gpu-arch-unsupported"),
    ("sounddevice: no input device selected; available devices are []", "explain-torch-cpu-only"),
    ("Warning: this PyTorch installation does not support CUDA; running on CPU.", "explain-torch-cpu-only"),
    ("WARNING: The memory capacity is unbalanced. Some GPUs may be occupied by other processes. Continuing because "
     "SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK is set.", "explain-cuda-out-of-memory"),
    ("RuntimeError: /xla/service/cpu/target_machine.cc:55 Unsupported architecture (x86_64)", "explain-gpu-arch-unsupported"),
    ("AssertionError: /opt/rocm/include/hip/amd_detail/foo.hpp:12 Unsupported architecture gfx1100",
     "explain-gpu-arch-unsupported"),
    ("lldb: error: Symbol not found: _main", "explain-undefined-symbol"),
    ("dyld[1234]: Symbol not found: _OBJC_CLASS_$_MTLResidencySetDescriptor\n  Referenced from: <ABC> /Applications/"
     "Ollama.app/Contents/Resources/ollama", "explain-undefined-symbol"),
    ("[extension] The CUDA version on the system (12.1) does not match with the version (12.4) torch was compiled with. "
     "The mismatch is found in the minor version. As the APIs are compatible, we will allow compilation to proceed.",
     "explain-cuda-toolkit-mismatch"),
    ("UnsatisfiableError: The following specifications were found to be incompatible with your system:\n\n"
     "  - feature:/linux-64::__cuda==12.2=0\n  - cudatoolkit=11.8 -> __cuda[version='>=11.8']\n\n"
     "Your installed version is: 12.2", "explain-driver-insufficient"),
    # a GPU at or above the minimum; pixi's warning that the environment still runs
    ("ValueError: Minimum capability: 75. Current capability: 80.", "explain-gpu-arch-unsupported"),
    ("WARN Environment 'default' requires cuda >=12.4, but this machine only provides '__cuda 12.2'. The currently "
     "installed packages don't actually need it, so the environment still runs.", "explain-driver-insufficient"),
    # another NTSTATUS; a GPU named with its capability and no rejection
    ("llama runner process has terminated: exit status 0xc0000005", "explain-missing-library"),
    ("The device Tesla K80 with compute capability 3.7 is supported by this release.", "explain-gpu-arch-unsupported"),
    # a CPU's architecture; TensorFlow's allocator retrying ('not a failure'); an enum that names no environment fault
    ("RuntimeError: Unsupported architecture: aarch64 (src/foo.cpp)", "explain-gpu-arch-unsupported"),
    ("W tensorflow/core/common_runtime/bfc_allocator.cc:217] Allocator (GPU_0_bfc) ran out of memory trying to allocate "
     "2.20GiB. The caller indicates that this is not a failure, but may mean that there could be performance gains if "
     "more memory were available.", "explain-cuda-out-of-memory"),
    # a library that is not the driver's, cut short: damaged, not a placeholder; an assert quoted without its failure
    ("./imagenet: error while loading shared libraries: /usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3 file too short",
     "explain-libcuda-missing"),
    ("    assert torch.cuda.is_available()\n    model = model.cuda()", "explain-torch-cpu-only"),
    # the stubs directory named for linking, or by ldconfig, is not a stub loaded
    ("ldconfig: /usr/local/cuda/lib64/stubs/libcuda.so is not a symbolic link", "explain-libcuda-stub"),
    ("g++ -o app app.o -L/usr/local/cuda/lib64/stubs -lcuda -lnvidia-ml", "explain-libcuda-stub"),
    ("OOM when allocating tensor with shape[1024] and type float on /job:localhost/replica:0/task:0/device:CPU:0",
     "explain-cuda-out-of-memory"),
    ("FlashAttention only support fp16 and bf16 data type", "explain-gpu-arch-unsupported"),
    # a warning that goes on without it is not the failure
    ("Your GPU does not support bfloat16, falling back to float16", "explain-gpu-arch-unsupported"),
    ("FlashAttention requires sm_80 or higher; falling back to SDPA", "explain-gpu-arch-unsupported"),
    ("numpy 2.0.0 requires python>=3.9, but you have python 3.8 which is incompatible.", "explain-companion-mismatch"),
    ("error: command '/usr/local/cuda/bin/nvcc' failed with exit status 2", "explain-cuda-home-missing"),
    ("[Hint: 'CUBLAS_STATUS_NOT_INITIALIZED'. The cuBLAS library was not initialized. This is usually caused by the "
     "lack of a prior cublasCreate() call]", "explain-cuda-out-of-memory"),
    # xFormers' Hopper-only kernel is 'too old' on every other GPU, and a build without CUDA lists the same line
    ("`fa3F@0.0.0` is not supported because:\n    requires device with capability > (9, 0) but your GPU has "
     "capability (8, 6) (too old)", "explain-gpu-arch-unsupported"),
    ("`fa2F@2.5.7` is not supported because:\n    xFormers wasn't build with CUDA support\n    requires device with "
     "capability >= (8, 0) but your GPU has capability (7, 5) (too old)", "explain-gpu-arch-unsupported"),
    # dyld on a library that is not CUDA's
    ("ImportError: dlopen(_C.cpython-37m-darwin.so, 9): Library not loaded: @rpath/libc++.1.dylib",
     "explain-missing-library"),
    ("module 'torch.library' has no attribute 'define'", "explain-companion-mismatch"),
    ("unknown flag: --gpu-memory", "explain-container-no-gpu-runtime"),
    # error 193 on a CUDA library's DLL is left to the lines beside it; other libraries' LIBRARY_NOT_FOUND is not NVML
    ("Could not load library cudnn_cnn_infer64_8.dll. Error code 193", "explain-missing-library"),
    ("GI_REPOSITORY_ERROR_LIBRARY_NOT_FOUND: the library used by the typelib could not be found",
     "explain-libcuda-missing"),
    ("host memory (out of memory)", "explain-cuda-out-of-memory"),
    # a Makefile's other variables, and a CPU-only torch run on purpose, are not these causes
    ("Makefile:60: *** GASNET variable is not defined, aborting build.  Stop.", "explain-cuda-home-missing"),
    ("ggml was compiled without support for AVX2", "explain-no-kernel-image"),
    ("CUDA version 12.4 is compatible with TensorRT-LLM models", "explain-driver-insufficient"),
    # another runtime unknown to Docker; the NGC entrypoint's other notes
    ("docker: Error response from daemon: unknown runtime specified runsc", "explain-container-no-gpu-runtime"),
    ("NOTE: Legacy NVIDIA Driver detected.  Compatibility mode ENABLED.", "explain-driver-insufficient"),
    ("ERROR: This container was built for CPUs supporting at least the AVX instruction set, but",
     "explain-driver-insufficient"),
    # SIGKILL (9, the OOM killer) is not SIGBUS; other programs' 'Failed to allocate request for' is not GPU memory
    ("ERROR text_generation_launcher: Shard process was signaled to shutdown with signal 9", "explain-nccl-shm"),
    ("Download process was signaled to shutdown with signal 70", "explain-nccl-shm"),
    ("wma_err: Failed to allocate request for vdev_id 3", "explain-cuda-out-of-memory"),
    ("alg: aead: Failed to allocate request for gcm(aes)", "explain-cuda-out-of-memory"),
    # headers that are not the CUDA toolkit's; other libraries 'not initialized'; a fallback after the requirement
    ("fatal error: cudnn.h: No such file or directory", "explain-cuda-home-missing"),
    ("fatal error: Python.h: No such file or directory", "explain-cuda-home-missing"),
    ("fatal error: cuda_helpers.h: No such file or directory", "explain-cuda-home-missing"),
    ("RuntimeError: Library session is not initialized", "explain-missing-library"),
    ("FlashInfer requires GPUs with sm75 or higher, falling back to the Triton sampler", "explain-gpu-arch-unsupported"),
    ("numpy==1.26.4 installed: scipy==1.11 required: scipy==1.12", "explain-companion-mismatch"),
    # round 35: other checks, arch lists, kernels and error codes
    ("Expected is_training to be true, but got false.", "explain-gpu-arch-unsupported"),
    ("ValueError: expects arch to be one of ['x86_64'], but got arm64", "explain-gpu-arch-unsupported"),
    ('DriverError(CUDA_ERROR_NOT_FOUND, "named symbol not found") when loading affine_f32',
     "explain-gpu-arch-unsupported"),
    ('Could not load library "C:\\x\\engine.dll"\nAccess is denied.', "explain-missing-library"),
    ("[TRT] [E] 4: Error Code 4: Internal Error (Network has dynamic or shape inputs)", "explain-cuda-out-of-memory"),
    ("SM90 kernels are available and selected", "explain-no-kernel-image"),
    # rounds 59-60: Triton's check as its source says it, a host's out of memory, a requirement with no CUDA named,
    # a string of a traceback's source listing
    ('raise RuntimeError("Triton only supports CUDA 10.0 or higher, but got CUDA version: " + version)',
     "explain-gpu-arch-unsupported"),
    ("Runtime error: out of memory", "explain-cuda-out-of-memory"),
    ("nvidia-container-cli: requirement error: unsatisfied condition: brand = tesla",
     "explain-container-cuda-requirement"),
    ("File ~/envs/x/lib/site-packages/torch/cuda/__init__.py:293, in _lazy_init()\n    288     raise RuntimeError(\n"
     '    289         "Cannot re-initialize CUDA in forked subprocess. To use CUDA with "',
     "explain-cuda-init-error"),
    # a question that quotes a message, and a search's hit in a document, for every pattern
    ('Why does Triton say "Triton only supports CUDA 10.0 or higher, but got CUDA version: 12.8"? Is 12.8 not higher than 10.0?',
     'explain-gpu-arch-unsupported'),
    ('Does "This kernel is not supported on your GPU" mean I need an Ampere card, or is my 4090 fine?',
     'explain-gpu-arch-unsupported'),
    ("How do I fix 'libtorch.so.2: Unable to open shared object file' on R? Or is it something else?",
     'explain-missing-library'),
    ("What does 'The minimum required Nvidia driver for nvenc is 471.41 or newer' mean if I already have 535?",
     'explain-driver-insufficient'),
    ('What does "CUDA error in func \'cuda_neoscrypt_init\' at line 1234 : out of memory." mean for a 2 GB card? Should I lower intensity?',
     'explain-cuda-out-of-memory'),
    ('docs/nvenc.md:12: The minimum required Nvidia driver for nvenc is 570.0 or newer (for the 13.0 SDK).',
     'explain-driver-insufficient'),
    # the review of rounds 59-62's wordings: the OS kernel, AMD and Intel GPUs, the host's memory, other stacks' modules,    # tests, FAQ and documents
    ('docker: Error response from daemon: This kernel is not supported on your GPU driver host; Linux kernel 3.10 is too old for the container runtime, please upgrade the OS kernel to 4.x.',
     'explain-gpu-arch-unsupported'),
    ('AMD: HIP error: This kernel is not supported on your GPU gfx1030 (ROCm 6.0)',
     'explain-gpu-arch-unsupported'),
    ('VirtualBox: This kernel is not supported on your GPU passthrough configuration. The guest Linux kernel 2.6 lacks the vfio driver.',
     'explain-gpu-arch-unsupported'),
    ('Runtime error: out of memory /usr/include/c++/11/bits/stl_vector.hpp:104 (std::bad_alloc while loading 80 GB CSV into host RAM)',
     'explain-cuda-out-of-memory'),
    # a DataLoader worker that died of another signal, and the message quoted in a test
    ("RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed.", "explain-nccl-shm"),
    ('    assert "is killed by signal: Bus error" in str(e)  # DataLoader worker (pid 1) is killed by signal: Bus error',
     "explain-nccl-shm"),
    # the page file's words quoted, and a DLL there of another architecture
    ('    assert "The paging file is too small for this operation to complete" in str(e)', "explain-host-memory"),
    ("Could not load library cudnn_cnn_infer64_8.dll. Error code 193", "explain-host-memory"),
    # a package's 'No CUDA toolkit found' on another vendor's GPU, and any message as the tail of an asserted string
    ("nerfacc: No CUDA toolkit found (ROCm 6.0, gfx1100): NerfAcc will be disabled", "explain-cuda-home-missing"),
    ("    assert 'NerfAcc: No CUDA toolkit found' in caplog.text", "explain-cuda-home-missing"),
    ('    assert "RuntimeError: CUDA error: out of memory" in str(excinfo.value)', "explain-cuda-out-of-memory"),
    # the review of this session's wordings: a document's list item, advice, code, a passed test, another vendor's GPU,
    # a package's toolkit notice followed by an exception of another package
    ('## Troubleshooting\n- `FileNotFoundError: Cannot find DGL C++ graphbolt library at .../libgraphbolt_pytorch_2.4.1.so`: install the DGL wheel built for your torch release.',
     'explain-companion-mismatch'),
    ("Note: if you see 'DataLoader worker (pid N) is killed by signal: Bus error', start docker with --shm-size=8g or --ipc=host.",
     'explain-nccl-shm'),
    ('    print("DataLoader worker (pid 1) is killed by signal: Bus error")',
     'explain-nccl-shm'),
    ('    if "DefaultCPUAllocator: not enough memory: you tried to allocate 0 bytes" in str(e):\n        logger.warning(\'retrying with smaller batch\')',
     'explain-host-memory'),
    ("test_allocator.py::test_huge_alloc PASSED\n  expected: DefaultCPUAllocator: can't allocate memory: you tried to allocate 99999999999999 bytes",
     'explain-host-memory'),
    ("Note: cuFFT doesn't support signals of half type with compute capability less than SM_53, but the device containing input half tensor only has SM_52 -- this check was removed for SM_86 cards.",
     'explain-gpu-arch-unsupported'),
    ("RuntimeError: hipFFT doesn't support signals of half type with compute capability less than SM_53, but the device containing input half tensor only has SM_52\nROCm 6.0, AMD Radeon RX 7900 XTX (gfx1100)",
     'explain-gpu-arch-unsupported'),
    ('NerfAcc: No CUDA toolkit found. NerfAcc will be disabled.\nTraceback (most recent call last):\n  File "app.py", line 12, in <module>\n    import gradio\nModuleNotFoundError: No module named \'gradio\'',
     'explain-cuda-home-missing'),
    ('tiny-cuda-nn: No CUDA toolkit found.\nROCm 5.7 detected, hipcc at /opt/rocm/bin/hipcc\nRuntimeError: HIP error: invalid device function',
     'explain-cuda-home-missing'),
    # HIP's own 'invalid device symbol', a check macro's words printed by code, Faiss' words as advice
    ("HIP error: invalid device symbol (hipErrorInvalidSymbol) on gfx90a", "explain-no-kernel-image"),
    ("    print('out of memory in kernel.cu at line 3')", "explain-cuda-out-of-memory"),
    ("Note: 'Faiss assertion err == cudaSuccess failed in StackDeviceMemory' means the GPU is full",
     "explain-cuda-out-of-memory"),
    # DGL's library named without the loader's sentence, and asked about
    ('# raises "FileNotFoundError: Cannot find DGL C++ libgraphbolt_pytorch_2.4.1.so"', 'explain-companion-mismatch'),
    ('Why does DGL say "Cannot find DGL C++ graphbolt library at x/libgraphbolt_pytorch_2.3.0.so" after pip install?',
     'explain-companion-mismatch'),
    # another vendor's GPU named elsewhere in the log, not on the rule's own line
    ('Device: AMD Radeon RX 7900 XTX (gfx1100)\nbuilding kernels...\nThis kernel is not supported on your GPU',
     'explain-gpu-arch-unsupported'),
    ('[HugeCTR] device 0: AMD Instinct MI250X (ROCm 6.1, hipified build)\n'
     'Runtime error: out of memory /opt/HugeCTR/include/general_buffer.hpp:64',
     'explain-cuda-out-of-memory'),
    ('Runtime error: out of memory /opt/oneapi/include/sycl/detail/usm.hpp:120 (Intel Level Zero, Arc A770)',
     'explain-cuda-out-of-memory'),
    ('ImportError: DLL load failed while importing _sqlite_kernel: The specified procedure could not be found.',
     'explain-extension-abi-mismatch'),
    ('ImportError: DLL load failed while importing gdal_kernels: The specified procedure could not be found. (osgeo GDAL 3.8 conda)',
     'explain-extension-abi-mismatch'),
    ('    assert "This kernel is not supported on your GPU" in str(exc_info.value)',
     'explain-gpu-arch-unsupported'),
    ('  expect_error(lantern_start(), "liblantern.so.0: Unable to open shared object file")',
     'explain-missing-library'),
    ('FAQ: Triton only supports CUDA 10.0 or higher, but got CUDA version: 9.2 -- this means your toolkit is too old; install CUDA 10 or later.',
     'explain-gpu-arch-unsupported'),
    ('OBS docs: The minimum required Nvidia driver for nvenc is 471.41 or newer. Check your version in NVIDIA Control Panel.',
     'explain-driver-insufficient'),
    ('Q: I set NVIDIA_REQUIRE_CUDA=cuda>=11.0 and the docs mention "requirement error: unsatisfied condition: brand = tesla". Does that apply to GeForce?',
     'explain-container-cuda-requirement'),
]

# Windows' error 1114: the DLL was found and its initialisation failed (a Visual C++ runtime, conflicting DLLs)
DLL_INIT_FAILED = [
    'OSError: [WinError 1114] A dynamic link library (DLL) initialization routine failed. Error loading '
    '"C:\\Users\\me\\venv\\lib\\site-packages\\torch\\lib\\c10.dll" or one of its dependencies.',
    "ImportError: DLL load failed while importing _C: A dynamic link library (DLL) initialization routine failed.",
    'OSError: [WinError 1114] 动态链接库(DLL)初始化例程失败。 Error loading '
    '"D:\\a\\torch\\lib\\c10.dll" or one of its dependencies.',
    'OSError: [WinError 1114] Eine DLL-Initialisierungsroutine ist fehlgeschlagen. Error loading '
    '"C:\\x\\torch\\lib\\torch_cpu.dll" or one of its dependencies.',
]


def _form(start):
    return next(t for t, _ in FORMS if t.startswith(start))


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


@pytest.mark.parametrize("text,code", FORMS, ids=[t[:50] for t, _ in FORMS])
def test_form_is_read_as_its_family(text, code, matrix):
    found = recognise(text)
    assert found and found[0].code == code, [m.code for m in found]
    ex = explain(text, Environment(), matrix)[0]
    assert ex.code == code and ex.title and ex.cause and ex.confidence in ("high", "medium")
    assert ex.advice or ex.actions


@pytest.mark.parametrize("text,code", NOT, ids=[t[:50] for t, _ in NOT])
def test_neighbouring_words_are_not_that_cause(text, code):
    assert code not in [m.code for m in recognise(text)]


def test_messages_with_two_causes_say_medium(matrix):
    for text in ("RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`",
                 "NCCL WARN Cuda failure 'named symbol not found'", "RuntimeError: `ptxas` failed with error code 4294967295",
                 "ERROR: Your GPU does not support Int8 Matmul!", _form("`fa2B@2.5.7-pt` requires device"),
                 _form("RuntimeError: Cannot initialize CUDA without ATen_cuda")):
        ex = explain(text, Environment(), matrix)[0]
        assert ex.confidence == "medium", text
    oom = explain(_form("RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED"), Environment(), matrix)[0]
    assert "mixed versions" in oom.cause and "full" in oom.cause


def test_generation_answer_checks_the_gpu_here(matrix):
    """On an RTX 4090 (sm_89) an 'Ampere or newer' message came from elsewhere: the answer says so."""
    seed = load_env_file(os.path.join(ENVS, "seed-runpod-4090.yaml"))
    ex = explain("RuntimeError: FlashAttention only supports Ampere GPUs or newer.", seed, matrix)[0]
    assert "new enough" in ex.cause and "sdpa" in " ".join(ex.actions)
    bf16 = explain("ValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, using Ampere GPU with "
                   "cuda>=11.0", Environment(), matrix)[0]
    assert "torch older than 1.10" in bf16.cause


def test_dropped_gpu_and_extension_builds_name_what_to_do(matrix):
    old = explain(_form("NVIDIA GeForce GTX 1070"), Environment(), matrix)[0]
    assert old.code == "explain-gpu-arch-unsupported" and "too old" in old.cause
    ext = explain(_form("OSError: Could not find compatible"), Environment(), matrix)[0]
    assert "sm_86" in ext.title and any("TORCH_CUDA_ARCH_LIST=\"8.6\"" in c for c in ext.advice)
    nvcc = explain(_form("error: [Errno 2]"), Environment(), matrix)[0]
    assert "/usr/local/cuda-12.1/bin/nvcc" in nvcc.cause


def test_container_and_nvidia_smi_words(matrix):
    banner = ("WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n   Use the NVIDIA "
              "Container Toolkit to start this container with GPU support")
    ex = explain(banner, Environment(), matrix)[0]
    assert ex.code == "explain-container-no-gpu-runtime" and "--gpus all" in " ".join(ex.actions)
    assert recognise("$ nvidia-smi\nNo devices were found\n")[0].code == "explain-no-cuda-device"
    assert not recognise("No devices were found matching the filter, retrying")
    smi = explain("$ nvidia-smi\nNo devices were found\n", Environment(), matrix)[0]
    assert smi.confidence == "medium" and "driver too old" in smi.cause


@pytest.mark.parametrize("text", DLL_INIT_FAILED, ids=[t[:60] for t in DLL_INIT_FAILED])
def test_a_dll_whose_initialisation_failed_is_not_missing(text):
    assert "explain-missing-library" not in [m.code for m in recognise(text)]


def test_round_33_answers_say_what_the_words_say(matrix):
    hook = explain(next(t for t, _ in FORMS if "mode as 'csv'" in t), Environment(), matrix)[0]
    assert "--runtime=nvidia" in " ".join(hook.actions + hook.advice) and "CSV" in hook.cause
    xla = explain(_form("Original error: RESOURCE_EXHAUSTED"), Environment(), matrix)[0]
    assert "176.00 MiB" in xla.cause and "XLA_PYTHON_CLIENT_PREALLOCATE=false" in " ".join(xla.actions)
    sigbus = explain(_form("ERROR text_generation_launcher: Shard process"), Environment(), matrix)[0]
    assert sigbus.confidence == "medium" and "--shm-size" in " ".join(sigbus.actions)
    tei = explain(_form("Error: Could not start backend: Runtime compute cap 120"), Environment(), matrix)[0]
    assert "8.0" in tei.title and "CUDA_COMPUTE_CAP=120" in " ".join(tei.actions)
    cudnn = explain(_form("2023-06-01 15:58:54.130390"), Environment(), matrix)[0]
    assert "8.1.1" in cudnn.title and "but source was compiled with" in cudnn.cause
    rapids = explain(_form("RuntimeError: This cuDF installation"), Environment(), matrix)[0]
    assert "5.0" in rapids.cause and "cuDF" in rapids.title
    # known misses: the answer still names the thread's cause among those the words allow
    no_driver = explain("Found no NVIDIA driver on your system.", Environment(), matrix)[0]
    assert "NVIDIA_VISIBLE_DEVICES" in no_driver.cause
    dnn = explain("XlaRuntimeError: FAILED_PRECONDITION: DNN library initialization failed", Environment(), matrix)[0]
    assert "older than jaxlib" in dnn.cause
    triton = explain("RuntimeError: Triton Error [CUDA]: device kernel image is invalid", Environment(), matrix)[0]
    assert "CUDA 12 ptxas" in triton.cause and triton.confidence == "medium"


def test_round_34_answers_say_what_the_words_say(matrix):
    sdnext = explain(_form("WARNING  Likely incompatible Cuda"), Environment(), matrix)[0]
    assert "2.1.0+cu118" in sdnext.cause and "2.1.0+cu121" in sdnext.cause
    xf = explain(_form("WARNING[XFORMERS]"), Environment(), matrix)[0]
    assert "CUDA 11.8" in xf.cause and "CUDA 12.1" in xf.cause
    header = explain(_form("fatal error: cusparse.h"), Environment(), matrix)[0]
    assert "cusparse.h" in header.title and "CUDA_HOME" in " ".join(header.actions)
    cpm = explain(_form("RuntimeError: Library cublasLt"), Environment(), matrix)[0]
    assert cpm.confidence == "medium" and "find_library" in cpm.cause
    drv = explain(_form("NVIDIA driver version is insufficient"), Environment(), matrix)[0]
    assert "12.2" in drv.title and "container" in drv.cause
    flashinfer = explain(_form("RuntimeError: FlashInfer requires GPUs with sm75"), Environment(), matrix)[0]
    assert "7.5" in flashinfer.cause and "sm_120" in flashinfer.cause
    # known misses: the answer still names the thread's cause among those the words allow
    fm = explain("UserWarning: CUDA initialization: CUDA driver initialization failed, you might not have a CUDA gpu.",
                 Environment(), matrix)[0]
    assert "Fabric Manager" in fm.cause
    jit = explain("RuntimeError: Unable to load cuSPARSE. Is it installed?", Environment(), matrix)[0]
    assert "libnvJitLink" in jit.cause
    jetson = explain("OSError: libcurand.so.10: cannot open shared object file: No such file or directory",
                     Environment(), matrix)[0]
    assert "Jetson" in jetson.cause and "CUDA 10's" not in jetson.cause
    nodev = explain("No CUDA-capable device is detected (CUDA_ERROR_NO_DEVICE) cuInit()=100", Environment(), matrix)[0]
    assert "older than the image's CUDA" in nodev.cause
    assert not recognise("CUDA initialization: Unexpected error from cudaGetDeviceCount().")
    dll = explain('OSError: [WinError 126] The specified module could not be found. Error loading '
                  '"C:\\x\\torch\\lib\\c10.dll" or one of its dependencies.', Environment(), matrix)[0]
    assert "https://aka.ms/vs/17/release/vc_redist.x64.exe" in " ".join(dll.actions)


def test_round_35_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    ds = first("RuntimeError: PyTorch version mismatch! DeepSpeed ops were compiled and installed with a different "
               "version than what is being used at runtime. Please re-install DeepSpeed or switch torch versions. "
               "Install torch version=2.1, Runtime torch version=2.2")
    assert "torch 2.1" in ds.cause and "torch 2.2" in ds.cause
    assert any("--force-reinstall --no-cache-dir deepspeed" in c for c in ds.advice)
    tgi = first(_form("ImportError: GPU with CUDA capability 6 1"))
    assert "capability 6.1" in tgi.cause and "sm_61" in tgi.title
    assert ">= 8.0" in first(_form("RuntimeError: Expected is_sm80")).cause
    cute = first(_form("cutlass.cute"))
    assert "sm_90a" in cute.cause and "sm_89" in cute.title
    assert "CUDA >= 11.8" in first(_form("W external/xla/xla/stream_executor/gpu/asm_compiler")).cause
    newer = first(_form("E tensorflow/compiler/xla/stream_executor/cuda/cuda_diagnostics"))
    assert newer.confidence == "medium" and "535.104.5" in newer.cause and "550.54.14" in newer.cause
    assert first(_form("E external/xla/xla/stream_executor/cuda/cuda_diagnostics")).code == "explain-nvml-mismatch"
    # the DSO line leads the cuInit error it explains
    both = "failed call to cuInit: CUDA_ERROR_UNKNOWN: unknown error\n" + _form("E external/xla/xla/stream_executor")
    assert recognise(both)[0].code == "explain-nvml-mismatch"
    bf16 = first(_form("Error: DriverError(CUDA_ERROR_NOT_FOUND"))
    assert bf16.confidence == "medium" and "8.0" in bf16.cause and "affine_bf16" in bf16.cause
    rocm = first("RuntimeError: HIP error: hipErrorNoBinaryForGpu")
    words = " ".join((rocm.title, rocm.cause) + rocm.advice + rocm.actions)
    assert "HSA_OVERRIDE_GFX_VERSION" in words and "compute capability" not in words and "CUDA" not in rocm.cause
    sage = first(_form("AssertionError: SM90 kernel"))
    assert "sm_90" in sage.title and "stale" in sage.cause
    trt = first(_form("[W] [TRT] Requested amount"))
    assert "8.00 GiB" in trt.cause and "memPoolSize" in " ".join(trt.actions)
    assert "cuDNN" in first(_form("onnxruntime::python")).cause
    sgl = first(_form("ImportError: [sgl_kernel]"))
    assert sgl.confidence == "medium" and "CUDA 13" in sgl.cause
    engine = first(_form('Could not load library "C:'))
    assert engine.confidence == "high" and "CUDA 11.7" in engine.cause
    unknown = first('Could not load engine: Could not load library "C:\\x\\engine.dll"\nUnknown error (FormatMessage failed)')
    assert unknown.code == "explain-missing-library" and unknown.confidence == "medium"
    # known misses: the answer still names the thread's cause among those the words allow
    ct2 = first("Invalid handle. Cannot load symbol cudnnCreateTensorDescriptor")
    assert "CTranslate2 4.5" in ct2.cause and "cuDNN 8" in ct2.cause
    xf = first("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
               "    PyTorch 2.1.2+cu121 with CUDA 1201 (you have 2.1.0+cpu)")
    assert xf.code == "explain-torch-cpu-only" and "reinstall xFormers" in xf.cause


def test_round_37_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    fa = first(_form("ggml-cuda/fattn.cu:571"))
    assert "flash attention" in fa.cause and any("-fa off" in a for a in fa.actions) and "sm_61" in fa.title
    mmq = first(_form("ERROR: CUDA kernel mul_mat_q"))
    assert "sm_120" in mmq.title and any("CMAKE_CUDA_ARCHITECTURES=120" in a for a in mmq.actions)
    assert "sm_86" in mmq.cause and "flash attention" not in mmq.cause
    arena = first(_form("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION"))
    assert arena.confidence == "medium" and "64 MiB" in arena.cause and "gpu_mem_limit" in " ".join(arena.actions)
    jetson = first(_form("./imagenet: error while loading"))
    assert "libnvinfer.so.8" in jetson.title and "--runtime nvidia" in jetson.cause
    whole = first("OSError: /x/site-packages/foo/_C.so: file too short")
    assert "Jetson" not in whole.cause and whole.code == "explain-missing-library"
    stub = recognise(_form("        libcuda.so.1 => /usr/local/cuda-11.8"))
    assert [m.code for m in stub][:1] == ["explain-libcuda-stub"]
    # a libcuda found in the driver's place is not the stub
    assert recognise("libcuda.so.1 => /usr/lib/x86_64-linux-gnu/libcuda.so.1 (0x00007f)") == []


def test_round_38_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    sage = first("ValueError: Unsupported CUDA architecture: sm75")
    assert "sm_75" in sage.title and "SageAttention 1" in " ".join(sage.actions)
    kk = first(_form("Kokkos::Cuda::initialize ERROR: running"))
    assert "0.0" in kk.cause and "compute capability 5.0" in kk.cause and "Kokkos_ARCH_<NAME>50" in " ".join(kk.actions)
    sudo = first("$ sudo python kfkd.py fit\nERROR (theano.sandbox.cuda): nvcc compiler not found on $PATH.")
    assert "secure_path" in sudo.cause and any(c.startswith("sudo env PATH=") for c in sudo.advice)
    plain = first("ERROR (theano.sandbox.cuda): nvcc compiler not found on $PATH.")
    assert "sudo" not in plain.cause
    cdi = first(_form("failed to construct OCI spec modifier"))
    assert "CUDA 11.4" in cdi.cause and "12.2" in cdi.title
    # 'Numpy is not available' inside a sentence is not torch's message
    assert not recognise("the docs say Numpy is not available on this platform")


def test_round_39_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    codec = first(_form("NotImplementedError: Could not run 'torchcodec_ns"))
    assert "torchcodec" in codec.title and "torchcodec_ns" not in codec.title
    crash = first(_form("Fatal Python error: Aborted"))
    assert crash.confidence == "medium" and "torchao" in crash.title
    uns = first(_form("NotImplementedError: Unsloth"))
    assert uns.confidence == "medium" and "CPU-only" in uns.cause and any(c.startswith("nvidia-smi") for c in uns.advice)
    assert first(_form("ptxas fatal   : SM version")).confidence == "medium"


def test_round_40_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    sub = first("CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED")
    assert sub.confidence == "medium" and "another cuDNN" in sub.cause
    built = first(_form("RuntimeError: nms is not compiled"))
    assert "FORCE_CUDA=1" in " ".join(built.advice) and "without CUDA" in built.title
    tcnn = first(_form("ImportError: DLL load failed while importing _89_C"))
    assert "TCNN_CUDA_ARCHITECTURES=89" in " ".join(tcnn.actions) and tcnn.confidence == "medium"
    # the same module failing with error 127 is a DLL without a function it imports, not a missing architecture
    proc = recognise("ImportError: DLL load failed while importing _89_C: The specified procedure could not be found.")
    assert proc and proc[0].code != "explain-no-kernel-image"
    acc = first(_form("RuntimeError: Cannot access accelerator"))
    assert acc.confidence == "medium" and "CPU-only" in acc.cause and "else no NVIDIA driver" in acc.cause


def test_round_41_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    both = first(_form("RuntimeError: Minimum required compute capability"))
    assert "compute capability >= 7.0" in both.cause and "6.1 (Pascal)" in both.cause
    int8 = first(_form("UserWarning: WARNING: Compute capability < 7.5"))
    assert "8-bit matmul" in int8.title and "4-bit" in " ".join(int8.actions)
    need = first(_form("RuntimeError: GPUs with compute capability below 8.0"))
    assert "Ampere generation or newer" in need.title and "gives the GPU's own" not in need.cause
    # a program that goes on without the GPU path, or a GPU at or above the minimum, is not the failure
    for fine in ("minimum compute capability is 7.0, falling back to CPU",
                 "Flash attention requires compute capability >= 8.0, using SDPA instead.",
                 "FlashAttention requires compute capability >= 8.0. Your GPU has compute capability 8.6.",
                 "[TRT] Minimum compute capability: 5.3, device compute capability: 8.6",
                 "Minimum compute capability 3.5 required by this build; all good."):
        assert recognise(fine) == [], fine
    # a warning that lets the program go on follows the failure after it
    log = (_form("UserWarning: WARNING: Compute capability < 7.5") + "\ntorch.cuda.OutOfMemoryError: CUDA out of memory. "
           "Tried to allocate 20.00 GiB")
    assert [m.code for m in recognise(log)] == ["explain-cuda-out-of-memory", "explain-gpu-arch-unsupported"]


def test_round_42_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    cuda = recognise(_form("RuntimeError: ('The detected CUDA version (%s)"))[0]
    assert (cuda.get("nvcc"), cuda.get("torch")) == ("13.0", "12.8")
    # a pronoun before 'requires torch' names no package
    assert recognise("ERROR: it requires torch 2.1 but 2.0.1 is installed") == []
    o3d = first(_form("Exception: Version mismatch: Open3D"))
    assert "torch 1.7.*" in o3d.cause and "1.8.2" in o3d.cause
    assert "download.pytorch.org" not in " ".join(o3d.actions).split("torch==")[0]   # open3d is not on torch's index
    audio = first("FileNotFoundError: Could not find module 'G:\\Python310\\Lib\\site-packages\\torchaudio\\lib\\"
                  "libtorchaudio.pyd' (or one of its dependencies). Try using the full path with constructor syntax.")
    assert audio.confidence == "medium" and "torchaudio built for another torch" in audio.cause
    nodev = first("modprobe: ERROR: could not insert 'nvidia': No such device")
    assert "No NVIDIA GPU" in nodev.title and any(c.startswith("lspci") for c in nodev.advice)
    assert "not loaded" in first("modprobe: ERROR: could not insert 'nvidia': Key was rejected by service").title


def test_round_43_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)
    cmake = first(_form("Unknown CUDA Architecture Name"))[0]
    assert "CMake" in cmake.title and "CMAKE_CUDA_ARCHITECTURES=121" in " ".join(cmake.actions)
    newer = first(_form("WARNING: Detected NVIDIA NVIDIA GeForce RTX 4060"))
    assert len(newer) == 1 and newer[0].title == "This container's release predates NVIDIA GeForce RTX 4060 Laptop GPU"
    older = first(_form("ERROR: Detected Quadro M1200"))
    assert len(older) == 1 and "no longer supports Quadro M1200" in older[0].title
    assert recognise("WARNING: Detected NVIDIA H200 GPU, which may not yet be supported in this version of the "
                     "container") == []                                  # a warning: the container runs
    # the entrypoint's check lets the container start: a failure after it leads
    oom = first(_form("WARNING: Detected NVIDIA NVIDIA GeForce RTX 4060") + "\ntorch.cuda.OutOfMemoryError: CUDA out "
                "of memory. Tried to allocate 20.00 GiB")
    assert [a.code for a in oom] == ["explain-cuda-out-of-memory", "explain-no-kernel-image"]
    assert recognise("Detected a new GPU, which is not supported by this container runtime version") == []
    bare = first("ERROR: No supported GPU(s) detected to run this container")[0]
    assert bare.confidence == "medium" and "newer" in bare.cause and "older" in bare.cause


def test_round_44_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    warp = first(_form("Warp UserWarning"))
    assert warp.title == "The driver is older than CUDA 12.0 needs" and "driver's as CUDA 11.8" in warp.cause
    assert recognise(_form("cudaGetDeviceCount returned 30"))[0].get("cuda_error") == "30"
    assert recognise(_form("numba.cuda.cudadrv.error.CudaDriverError"))[0].get("fork") == "yes"


def test_round_45_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    audio = first(_form("  File \"/opt/venv/lib/python3.10/site-packages/torchaudio/"))
    assert audio.title.startswith("Torchaudio was built for a CUDA torch") and "+cu121" in " ".join(audio.actions)
    hip = first(_form("OSError: libtorch_hip.so"))
    assert "ROCm torch" in hip.title
    smi = first(_form("$ nvidia-smi"))
    assert smi.confidence == "medium" and "utility" in smi.cause and any(c.startswith("lspci") for c in smi.advice)
    assert recognise(_form("RuntimeError: cannot load MPI library"))[0].get("soname") == "libmpi.so.40"


def test_round_46_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    empty = first(_form("/var/lib/app/bin/server: error while loading"))
    assert "placeholder" in empty.title and any("--gpus all" in a for a in empty.actions)
    mac = first(_form("ImportError: dlopen(/Users/me/env/lib/python3.9/site-packages/torchrl"))
    assert mac.title.startswith("_torchrl.so was built against another torch")
    vision = recognise(_form("ImportError: dlopen(/opt/env/lib/python3.11/site-packages/torchvision/_C.so"))[0]
    assert vision.get("package") == "torchvision" and vision.get("symbol") == "_ZN3c1017RegisterOperatorsD1Ev"


def test_round_47_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    link = first(_form("/usr/bin/ld: libtorch_sys.rlib"))
    assert link.title.startswith("A torch symbol is missing at link time") and "std::__cxx11" in link.cause
    assert any("build-version" in c for c in link.advice)
    dg = first(_form("Error: tvm.error.InternalError"))
    assert dg.title.startswith("The program's kernels do not support this GPU") and "()" not in dg.title
    rust = recognise(_form("thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Cuda("))[0]
    assert rust.get("cuda_error") == "209"


def test_round_48_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    dll = first(_form("Ollama call failed with status code 500"))
    assert "0xC0000135" in dll.title and dll.confidence == "medium" and any("cudart64_12.dll" in c for c in dll.advice)
    hoomd = first(_form("RuntimeError: No supported GPUs are present on this system."))
    assert hoomd.title == "HOOMD-blue does not support this GPU (compute capability 3.7)" and "Kepler" in hoomd.cause


def test_fourth_reading_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    old = first(_form("UnsatisfiableError: The following specifications were found to be incompatible with your "
                      "system:\n\n  - feature:/linux-64::__cuda==11.4=0"))
    assert old.title == "The driver's CUDA (11.4) is older than the packages need (__cuda 12.1)"
    none = first(_form("    └─ jaxlib 0.4.30"))
    assert any("CONDA_OVERRIDE_CUDA" in a for a in none.actions)
    glibc = recognise(_form("Error:   × Virtual package '__glibc"))[0]
    assert (glibc.get("need"), glibc.get("have")) == ("2.28", "2.17")
    k80 = recognise(_form("UserWarning: Found GPU0 Tesla K80"))[0]
    assert k80.get("too_old") == "yes" and k80.get("gpu") == "Tesla K80"
    # conda lists every virtual package a package asks for: the one the machine fails, with its own version
    both = ("UnsatisfiableError: The following specifications were found to be incompatible with your system:\n\n"
            "  - feature:/linux-64::__cuda==11.4=0\n  - feature:/linux-64::__glibc==2.31=0\n  - pytorch-cuda=12.1 -> __cuda\n"
            "  - pytorch==2.1.0 -> __glibc[version='>=2.17,<3.0.a0']\n\nYour installed version is: 11.4")
    assert [(m.code, m.get("need"), m.get("driver_cuda")) for m in recognise(both)] == [
        ("explain-driver-insufficient", "12.1", "11.4")]
    assert first("RuntimeError: The device NVIDIA GeForce RTX 5090 with compute capability 12.0 is not supported by "
                 "HOOMD-blue.").actions[0].startswith("install a newer HOOMD-blue release")
    arch = first("ValueError: Unknown CUDA arch (12.0) or GPU not supported")
    assert arch.title == "This torch does not know compute capability 12.0 (building an extension)"
    cudnn = first("RuntimeError: cuDNN version 91200 is not compatible with devices with SM < 7.5. Please install a "
                  "version of PyTorch with a compatible cuDNN version.")
    assert cudnn.title == "cuDNN 9.12.0 does not support this GPU (compute capability below 7.5)"
    dp = first("RuntimeError: Minimum compute capability for dynamic parallelism is 3.5 (found: 3.0)!")
    assert dp.title == "Dynamic parallelism needs compute capability >= 3.5" and "bfloat16" not in " ".join(dp.actions)
    nccl = first(_form("xgboost.core.XGBoostError: [10:14:02] nccl_stub.cc:83"))
    assert nccl.title == "The NCCL XGBoost loaded is too old (no ncclCommInitRankConfig)"
    cute = first(_form("DSLRuntimeError: CUDA driver version 12080"))
    assert "pip install 'cuda-python<13'" in " ".join(cute.actions)
    horovod = first(_form("ImportError: Framework pytorch"))
    assert horovod.title == "Horovod was built against pytorch 2.1.2+cu121, not 2.3.1+cu121"


def test_source_wordings_answer_for_their_program(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    ct2 = first(_form("ValueError: Requested float16 compute type"))
    assert "compute capability >= 7.0" in ct2.cause and 'compute_type="float32"' in " ".join(ct2.actions)
    numba = first(_form("numba.cuda.cudadrv.error.NvvmSupportError"))
    assert "Maxwell generation or newer" in numba.title and "3.5 (Kepler)" in numba.cause
    ggml = first(_form("load_backend: failed to load"))
    assert ggml.confidence == "medium" and "libggml-cuda" in ggml.title
    # ds_report's /dev/shm advice follows a failure after it
    log = " [WARNING] /dev/shm size might be too small\ntorch.cuda.OutOfMemoryError: CUDA out of memory."
    assert [m.code for m in recognise(log)] == ["explain-cuda-out-of-memory", "explain-nccl-shm"]


GOES_ON_LINES = [
    # a program that says it goes on without what failed, docs and configure lines: not the failure
    "This model requires CUDA.", "Skipping CUDA tests: CUDA is not available",
    "Using CPU since CUDA is not available", "CUDA is not available\nUsing CPU instead.",
    "Falling back to CPU, but no CUDA device is available", "This project requires a CUDA-capable NVIDIA GPU.",
    "Insufficient GPU memory to load model on GPU 0, offloading to CPU",
    "Auto batch size finder: failed to allocate CUDA memory: out of memory, halving batch size to 16",
    "-- No CUDA toolkit found, building CPU-only", "-- CUDA Toolkit not found. Building without CUDA support.",
    "Cannot find CUDA_HOME, using CUDA_PATH instead", "WARNING: Failed to load nccl; falling back to gloo",
    "cudnn shared object not found. Using fallback kernels.", "CUDA driver not found; running on CPU",
    "gsplat: No CUDA toolkit found. gsplat will be disabled.",
    "FP8 GEMM requires SM 8.9 or higher; found SM 9.0", "Device sm_90 detected; this kernel requires sm>=9.0",
    "Kernel requires SM80+, detected SM90, OK", "GPU: A100 (SM 8.0). FP8: requires SM 8.9 or higher -> disabled, using bf16",
    "Note: SM 12.x requires CUDA >= 12.9 (you have 12.9, OK)",
    "Before running the .run installer make sure Kernel module nvidia is not loaded",
    "WARNING: Compute capabilities [120] are not all supported by the installed CUDA version 12.4. Targeting [90] "
    "instead.",
]


@pytest.mark.parametrize("text", GOES_ON_LINES)
def test_a_line_that_goes_on_is_not_a_failure(text):
    assert recognise(text) == [], [m.code for m in recognise(text)]


def test_advice_follows_the_failure_and_says_it_is_advice(matrix):
    shm = explain(" [WARNING]  /dev/shm size might be too small, if running in docker increase to at least "
                  "--shm-size='1gb'", Environment(), matrix)[0]
    assert shm.title == "/dev/shm is small (a warning)" and shm.confidence == "medium"
    ggml = recognise("load_backend: failed to load /app/libggml-cuda.so: libcuda.so.1: cannot open shared object "
                     "file: No such file or directory\nload_backend: loaded CPU backend")
    assert ggml[0].code == "explain-libcuda-missing"
    ct2 = explain(_form("ValueError: Requested float16 compute type"), Environment(), matrix)[0]
    assert ct2.confidence == "medium" and 'device=\"cpu\"' in ct2.cause


def test_rounds_50_and_51_answers_say_what_the_words_say(matrix):
    def first(text):
        return explain(text, Environment(), matrix)[0]
    trex = first(_form("TREX: Can't find nonce"))
    assert "needs 5.02 GB and 5.01 GB is free" in trex.cause
    nvenc = first(_form("[hevc_nvenc @ 0x5555]"))
    assert "NVENC API" in nvenc.cause and "520.56.06 or newer" in nvenc.cause
    ao = first(_form("Skipping import of cpp extensions"))
    assert "torchao 0.15.0" in ao.cause and "2.7.1+cu128" in ao.cause and "built for torch torchao" not in ao.cause
    fp8 = first(_form("RuntimeError: torch._scaled_mm"))
    assert fp8.title == "torch._scaled_mm needs compute capability >= 8.9"
    spconv = first(_form("terminate called after throwing an instance of 'std::runtime_error'\n  what():  src/spconv"))
    assert spconv.title == "spconv has no kernels for this GPU" and "CUMM_CUDA_ARCH_LIST" in " ".join(spconv.actions)
    xmr = first(_form("WARNING: NVIDIA Insufficient driver!"))
    assert "version 0" in xmr.cause and "Secure Boot" in xmr.cause
    k40 = first(_form("Tesla K40m does not meet"))
    assert k40.title.endswith("needs compute capability >= 3.7") and "bfloat16" not in k40.cause
    dag = recognise("RuntimeError: Error when allocating the DAG: Device does not have enough free memory. Required: "
                    "5.02 GB, free: 5.01 GB")
    assert dag and dag[0].code == "explain-cuda-out-of-memory"
    total = first("GPU does not have enough memory. Total: 8 GB, required: 10 GB, free: 7.5 GB")
    assert "needs 10 GB and 7.5 GB is free" in total.cause
    ao13 = first("Skipping import of cpp extensions due to incompatible torch version 2.9.0.dev20250801+cu128 for "
                 "torchao version 0.13.0.dev20250801+cu128")
    assert "torchao 0.13.0.dev20250801+cu128's" in ao13.cause
    nvenc2 = first(_form("[hevc_nvenc @ 0x5555]"))
    assert nvenc2.title.startswith("The driver is older than the encoder's NVENC API") and \
        not any("torch" in c for c in nvenc2.advice)
    jetson = first(_form("Error importing detector runtime: libnvdla_compiler.so"))
    assert "Jetson" in jetson.title and any("default-runtime" in a for a in jetson.actions)
    rb = first(_form("./utils.h:8:1: error: static_assert"))
    assert rb.title == "The binding is built against another LibTorch release"
    trt = first(_form("[TRT] [E] 6: The engine plan file"))
    assert trt.title == "The TensorRT engine was built for another GPU" and "  " not in trt.cause


def test_round_54_answers_say_what_the_words_say(matrix):
    [oom] = explain(_form("Allocation on device 0 would exceed"), Environment(), matrix)
    assert "25.00 MiB requested" in oom.cause and "23.99 GiB" in oom.cause
    [esr] = explain(_form("UserWarning: The unoptimized RealESRGAN"), Environment(), matrix)
    assert esr.confidence == "medium" and "CPU-only" in esr.title
    # a package saying it found no nvcc is the build's finding, whatever package it names
    [mamba] = explain("setup.py:88: UserWarning: mamba_ssm was requested, but nvcc was not found.", Environment(), matrix)
    assert mamba.code == "explain-cuda-home-missing"



def test_rounds_55_and_56_answers_say_what_the_words_say(matrix):
    [prof] = explain(_form("======== Warning: nvprof"), Environment(), matrix)
    assert prof.title.startswith("nvprof does not support") and any(c.startswith("nsys ") for c in prof.advice)
    [bench] = explain(_form("[ERROR] Unsupported architecture - benchmark"), Environment(), matrix)
    assert bench.title.startswith("The benchmark gemm-flops") and "7.0 7.5 8.0 8.6 9.0" in bench.cause
    [pg] = explain(_form("LOG:  PG-Strom"), Environment(), matrix)
    assert "PG-Strom" in pg.title and "Maxwell" in pg.cause
    [gsp] = explain(_form("kernel: NVRM: The NVIDIA GPU"), Environment(), matrix)
    assert "GSP" in gsp.title and "-open" in " ".join(gsp.actions)
    [vk] = explain(_form("VkResult"), Environment(), matrix)
    assert vk.confidence == "medium" and "NVIDIA_DRIVER_CAPABILITIES" in " ".join(vk.actions)
    [old] = explain(_form("CUDA error: Insufficient CUDA driver"), Environment(), matrix)
    assert "CUDA 9.2" in old.cause
    [vgpu] = explain(_form("Xid 78"), Environment(), matrix)
    assert "vGPU" in vgpu.title


def test_round_57_answers_say_what_the_words_say(matrix):
    [abi] = explain(_form("RuntimeError: This deepmd-kit"), Environment(), matrix)
    assert "deepmd-kit" in abi.title and "_GLIBCXX_USE_CXX11_ABI=0" in abi.cause
    assert any("compiled_with_cxx11_abi" in c for c in abi.advice)
    [jit] = explain(_form(">> Failed to load custom CUDA kernel"), Environment(), matrix)
    assert jit.confidence == "medium" and "nvcc" in jit.cause
    [beagle] = explain(_form('CUDA error: "Driver not initialized"'), Environment(), matrix)
    assert beagle.confidence == "medium" and "BEAGLE" in beagle.title


def test_rounds_59_and_60_answers_say_what_the_words_say(matrix):
    [triton] = explain(_form("RuntimeError: Triton only supports CUDA 10.0"), Environment(), matrix)
    assert triton.title == "This Triton does not know CUDA 12.8" and "TRITON_PTXAS_PATH" in " ".join(triton.actions)
    [lantern] = explain(_form("library(torch)"), Environment(), matrix)
    assert lantern.code == "explain-missing-library" and "libcudart.so.11.0" in lantern.title
    [brand] = explain(_form("docker: Error response from daemon: OCI runtime create failed: container_linux.go:345: "
                            "starting container process caused \"process_linux.go:430"), Environment(), matrix)
    assert "CUDA >= 10.0" in brand.title
    # the error the listing's frame raised is read, not a string of the code around it
    [cpu] = explain(_form("File ~\\AppData\\Local\\miniconda3\\envs\\Nimbus"), Environment(), matrix)
    assert cpu.code == "explain-torch-cpu-only"
    [rast] = explain(_form("## Error Details"), Environment(), matrix)
    assert rast.code == "explain-extension-abi-mismatch"


def test_triton_answer_names_the_tritons_the_machine_has(matrix):
    from envcheck.model.document import load_env_file
    env = load_env_file(os.path.join(os.path.dirname(__file__), "fixtures", "envs", "seed-runpod-4090.yaml"))
    [a] = explain("RuntimeError: Triton only supports CUDA 10.0 or higher, but got CUDA version: 12.8", env, matrix)
    assert any(f.startswith("pythons: triton ") for f in a.facts)


def test_round_61_answers_say_what_the_words_say(matrix):
    [obs] = explain(_form("22:45:40.550: error:   The minimum"), Environment(), matrix)
    assert obs.title == "The driver is older than the encoder's NVENC needs (471.41 or newer)"
    # FFmpeg's pair of lines is one answer, with the API version
    [both] = explain("Driver does not support the required nvenc API version. Required: 12.1 Found: 12.0\nThe minimum "
                     "required Nvidia driver for nvenc is 530.41.03 or newer", Environment(), matrix)
    assert "NVENC API 12.1" in both.title and "530.41.03" in both.cause


# real failures on numbered lines (a log's, a CSV's, a JSON log's) are failures: only a string in a traceback's
# source listing, under its frame header, is code
NUMBERED_FAILURES = [
    ("12  'libcudart.so.12: cannot open shared object file'", 'explain-missing-library'),
    ('1   "RuntimeError: CUDA out of memory. Tried to allocate 512.00 MiB (GPU 0; 7.79 GiB total capacity)"', 'explain-cuda-out-of-memory'),
    ('0  "error": "CUDA out of memory. Tried to allocate 1.5 GiB"', 'explain-cuda-out-of-memory'),
    ('200   {"level":"error","msg":"CUDA out of memory. Tried to allocate 4.00 GiB"}', 'explain-cuda-out-of-memory'),
    ("--> 1  'This kernel is not supported on your GPU'", 'explain-gpu-arch-unsupported'),
]


@pytest.mark.parametrize("text,code", NUMBERED_FAILURES)
def test_a_numbered_line_is_still_a_failure(text, code, matrix):
    assert code in [a.code for a in explain(text, Environment(), matrix)]

def test_round_62_answers_say_what_the_words_say(matrix):
    [cv] = explain(_form("[ WARN:0] global /opt/opencv"), Environment(), matrix)
    assert cv.title == "OpenCV was built with cuDNN 8.0.0, cuDNN 8.2.1 is loaded" and "rebuild OpenCV" in cv.actions[0]
    # a torch cuDNN mismatch keeps its own answer
    [pt] = explain("cuDNN version incompatibility: PyTorch was compiled against (8, 5, 0) but found runtime version "
                   "(8, 3, 3)", Environment(), matrix)
    assert "OpenCV" not in pt.title


def test_round_64_answers_say_what_the_words_say(matrix):
    [stub] = explain(_form("ImportError: /home/u/anaconda3"), Environment(), matrix)
    assert stub.title == "gpu_nms.cpython-37m-x86_64-linux-gnu.so was compiled by a newer nvcc than the CUDA runtime it loads"
    assert "rebuild the extension from clean" in stub.actions[0]
    [trt] = explain(_form("[E] IRuntime::deserializeCudaEngine"), Environment(), matrix)
    assert trt.title == "The TensorRT engine was not built by this TensorRT (10.12.0.36)"
    [mode] = explain(_form("F tensorflow/stream_executor"), Environment(), matrix)
    assert mode.title == "The GPU is in Exclusive_Thread compute mode" and "-c DEFAULT" in mode.actions[0]
    [cpu] = explain(_form("Ultralytics YOLOv8.1.3"), Environment(), matrix)
    assert cpu.title == "A CPU-only torch is installed" and "2.1.0+cpu" in cpu.cause
    # the same check under a CUDA build of torch: the likeliest cause only, not a CPU-only build named
    [cu] = explain(_form("Ultralytics YOLOv8.1.3").replace("+cpu", "+cu121"), Environment(), matrix)
    assert cu.code == "explain-no-cuda-device" and "not a CPU-only torch" in cu.cause


def test_round_65_answers_say_what_the_words_say(matrix):
    [dll] = explain(_form("ImportError: Could not find 'nvcuda.dll'"), Environment(), matrix)
    assert dll.title == "nvcuda.dll: the NVIDIA driver is not installed on this Windows" and "System32" in dll.cause
    [trt] = explain(_form("The engine plan file is incompatible"), Environment(), matrix)
    assert trt.title == "The TensorRT engine was not built by this TensorRT (5.0.6.3)"
    [optix] = explain(_form("Optix call (optixInit())"), Environment(), matrix)
    assert optix.title == "The driver's OptiX is older than the program's OptiX SDK"
    # 'device kernel image is invalid' has two readings: the answer names both, at medium
    [img] = explain("InternalError: CUDA runtime implicit initialization on GPU:0 failed. Status: device kernel image "
                    "is invalid", Environment(), matrix)
    assert img.confidence == "medium" and "a GPU newer than the CUDA the build used" in img.cause
    # Windows' reason cut off after the module's name: both readings, and no error number claimed
    [cut] = explain("    import flash_attn_2_cuda as flash_attn_cuda\nImportError: DLL load failed while importing "
                    "flash_attn_2_cuda", Environment(), matrix)
    assert cut.title.startswith("Windows could not load flash_attn_2_cuda") and "error 127" in cut.cause
    assert "flash-attn build" in cut.actions[0]
    [full] = explain("ImportError: DLL load failed while importing _C: The specified module could not be found.",
                     Environment(), matrix)
    assert full.title == "A DLL that _C needs is missing"


def test_round_70_answers_say_what_the_words_say(matrix):
    [cpu] = explain(_form("ImportError: libtorch_cuda.so"), Environment(), matrix)
    assert "(likely CPU-only)" in cpu.title and "every CUDA build of torch has" in cpu.cause
    [sym] = explain(_form("Cuda device: NVIDIA GeForce RTX 4090"), Environment(), matrix)
    assert sym.confidence == "medium" and "CUDA error 13" in sym.cause and "TARGETS" in sym.actions[0]


def test_round_69_a_toolkit_not_found_follows_the_failure_after_it(matrix):
    # the package goes on without its ops: a failure the log has after the notice leads
    out = explain("NerfAcc: No CUDA toolkit found. NerfAcc will be disabled.\n  File \"/u/nerfacc/__init__.py\", line 3\n"
                  "ImportError: libcudart.so.11.0: cannot open shared object file: No such file or directory",
                  Environment(), matrix)
    assert [e.code for e in out] == ["explain-missing-library", "explain-cuda-home-missing"]
    [fft] = explain(_form("RuntimeError: cuFFT doesn't support"), Environment(), matrix)
    assert "compute capability >= 5.3" in " ".join(fft.actions)


def test_round_68_a_driver_out_of_step_leads_what_cuda_says_after_it(matrix):
    # a driver whose kernel module and libraries differ is under the 'no CUDA-capable device' that CUDA reports
    out = explain("torch._C._cuda_setDevice(device) RuntimeError: cuda runtime error (38) : no CUDA-capable device is "
                  "detected at torch/csrc/cuda/Module.cpp:32\nFailed to initialize NVML: Driver/library version "
                  "mismatch", Environment(), matrix)
    assert [e.code for e in out] == ["explain-nvml-mismatch", "explain-no-cuda-device"] and out[0].root


def test_round_66_answers_say_what_the_words_say(matrix):
    [jc] = explain(_form("java.lang.UnsatisfiedLinkError: Error while loading native library"), Environment(), matrix)
    assert jc.title == "JCuda's JCublas2 needs the CUDA 8.0 libraries" and jc.advice[0].startswith("where ")
    [lin] = explain('UnsatisfiedLinkError: Error while loading native library "JNvrtc-11.2.0-linux-x86_64"',
                    Environment(), matrix)
    assert lin.title == "JCuda's JNvrtc needs the CUDA 11.2 libraries" and lin.advice[0].startswith("ldconfig")


def test_dataloader_bus_error_is_answered_as_the_dataloader_s(matrix):
    [dl] = explain(_form("RuntimeError: DataLoader worker (pid 4242) is killed by signal: Bus"), Environment(), matrix)
    assert dl.title == "DataLoader workers ran out of shared memory (/dev/shm)" and "num_workers" in dl.actions[1]
    assert list(dl.advice) == ["df -h /dev/shm    # in the container that failed: 64M is Docker's default"]


def test_host_memory_answers_name_the_memory_that_ran_out(matrix):
    [page] = explain(_form("OSError: [WinError 1455]"), Environment(), matrix)
    assert page.title == "Windows' page file is too small (virtual memory)" and not page.facts
    assert "Virtual memory" in page.actions[0] and "Win32_PageFileUsage" in page.advice[0]
    [cpu] = explain(_form("RuntimeError: [enforce fail at alloc_cpu.cpp:114]"), Environment(), matrix)
    assert cpu.title == "Out of host memory (RAM): 10.74 GiB could not be allocated" and "not GPU memory" in cpu.cause
    [oom] = explain(_form("RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed."), Environment(),
                    matrix)
    assert oom.confidence == "medium" and "OOM killer" in oom.cause


def test_dgl_answer_names_the_torch_and_the_folder_to_list(matrix):
    [dgl] = explain(_form("FileNotFoundError: Cannot find DGL C++ graphbolt library at /root"), Environment(), matrix)
    assert dgl.title == "dgl was built for another torch" and "none for torch 2.4.1" in dgl.cause
    assert any(a.startswith("ls /root/env/lib/python3.10/site-packages/dgl/graphbolt ") for a in dgl.advice)
    assert "https://data.dgl.ai/wheels/torch-2.4/cuXYZ/repo.html" in dgl.actions[0]
    [win] = explain(_form("FileNotFoundError: Cannot find DGL C++ graphbolt library at C:"), Environment(), matrix)
    assert not any(a.startswith("ls ") for a in win.advice) and "graphbolt_pytorch_X.Y.Z files" in win.actions[0]


def test_the_reviewed_answers_say_what_their_words_say(matrix):
    # torch pads its labels into columns; a memory fraction below the GPU's size is named
    [cap] = explain("Allocation on device 0 would exceed allowed memory. (out of memory)\nCurrently allocated     : "
                    "5.00 GiB\nRequested               : 1.00 GiB\nDevice limit            : 8.00 GiB\nFree (according "
                    "to CUDA): 30.00 GiB\nPyTorch limit (set by user-supplied memory fraction)\n                        "
                    ":   6.00 GiB", Environment(), matrix)
    assert "6.00 GiB of the GPU's 8.00 GiB" in cap.cause and "memory fraction" in " ".join(cap.actions)
    [hami] = explain(_form("[HAMI-core ERROR"), Environment(), matrix)
    assert "HAMi" in hami.title and "nvidia.com/gpumem" in " ".join(hami.actions)
    [ld] = explain(_form("/usr/bin/ld: warning: libnvcuvid.so.1"), Environment(), matrix)
    assert "while linking" in ld.title and "rpath-link" in " ".join(ld.actions)
    [cupti] = explain(_form("======== Warning: The path to CUPTI"), Environment(), matrix)
    assert any("extras/CUPTI/lib64" in c for c in cupti.advice)
    [gsp] = explain(_form("kernel: NVRM: The NVIDIA GPU"), Environment(), matrix)
    assert "580 branch is the last" in " ".join(gsp.actions)
