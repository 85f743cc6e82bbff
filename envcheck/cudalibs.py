"""Which sonames are CUDA's (and cuDNN's, NCCL's, TensorRT's), where pip wheels put them, and the CUDA major each
belongs to. Pure data and functions (no I/O), shared by the libraries probe and the native checks.

The wheel directories follow NVIDIA's cuda-pathfinder catalog (NVIDIA/cuda-python,
cuda_pathfinder/cuda/pathfinder/_dynamic_libs/descriptor_catalog.py at 035a784f): CUDA 12 wheels install into
``site-packages/nvidia/<component>/lib`` (cublas, cuda_runtime, cuda_nvrtc, nvjitlink, cufft, curand, cusolver,
cusparse, cuda_cupti, nccl, cudnn ...), CUDA 13 wheels (named without the -cu13 suffix, e.g. ``nvidia-cublas``
13.x) all into ``site-packages/nvidia/cu13/lib``. The soname-to-CUDA-major table is ours: pathfinder lists the
sonames per major without saying which major each belongs to.
"""
from __future__ import annotations

import functools
import re
from typing import Dict, Optional, Tuple

# stem -> (wheel component dir under site-packages/nvidia, how the soname's number maps to the CUDA major)
#   "same": libcublasLt.so.12 is CUDA 12;  a dict maps soname major -> CUDA major;  None: the soname does not say
CATALOG: Dict[str, Tuple[Optional[str], object]] = {
    "libcuda": (None, None),                    # the driver's; version = driver version
    "libnvidia-ml": (None, None),
    "libcudart": ("cuda_runtime", "same"),
    "libcublas": ("cublas", "same"),
    "libcublasLt": ("cublas", "same"),
    "libnvblas": ("cublas", "same"),
    "libnvrtc": ("cuda_nvrtc", "same"),
    "libnvrtc-builtins": ("cuda_nvrtc", "same"),
    "libnvJitLink": ("nvjitlink", "same"),
    "libnvfatbin": ("nvfatbin", "same"),
    "libcupti": ("cuda_cupti", "same"),
    "libnvjpeg": ("nvjpeg", "same"),
    "libcufft": ("cufft", {10: 11, 11: 12, 12: 13}),
    "libcufftw": ("cufft", {10: 11, 11: 12, 12: 13}),
    "libcusolver": ("cusolver", {10: 10, 12: 13}),
    "libcusolverMg": ("cusolver", {10: 10, 12: 13}),
    "libcusparse": ("cusparse", {10: 10, 11: 11}),
    "libcurand": ("curand", None),
    "libnvToolsExt": ("nvtx", None),
    "libcudnn": ("cudnn", None),
    "libnccl": ("nccl", None),
    "libcusparseLt": ("cusparselt", None),
    "libcufile": ("cufile", None),
    "libnvshmem_host": ("nvshmem", None),
    "libnvinfer": (None, None),
    "libnvinfer_plugin": (None, None),
    "libnvinfer_lean": (None, None),
    "libnvinfer_dispatch": (None, None),
    "libnvinfer_vc_plugin": (None, None),
    "libnvonnxparser": (None, None),
}
# the PyPI distribution (CUDA 12 naming; CUDA 13 drops the suffix) for each wheel component directory
WHEEL_DIST = {"cuda_runtime": "nvidia-cuda-runtime", "cublas": "nvidia-cublas", "cuda_nvrtc": "nvidia-cuda-nvrtc",
              "nvjitlink": "nvidia-nvjitlink", "cufft": "nvidia-cufft", "curand": "nvidia-curand",
              "cusolver": "nvidia-cusolver", "cusparse": "nvidia-cusparse", "cuda_cupti": "nvidia-cuda-cupti",
              "nccl": "nvidia-nccl", "cudnn": "nvidia-cudnn", "nvtx": "nvidia-nvtx", "cusparselt": "nvidia-cusparselt",
              "cufile": "nvidia-cufile", "nvshmem": "nvidia-nvshmem", "nvfatbin": "nvidia-nvfatbin",
              "nvjpeg": "nvidia-nvjpeg"}

# libcublasLt.so.12, libcudnn_ops.so.9, libcudart-d0da41ae.so.11.0 (auditwheel-hashed), libcuda.so.1
_NAME = re.compile(r"^(lib[A-Za-z0-9_+-]*?)(-[0-9a-f]{8})?\.so((?:\.\d+)+)?$")


@functools.lru_cache(maxsize=4096)
def split_name(name: str) -> Optional[Tuple[str, Optional[str], Tuple[int, ...]]]:
    """'libcublasLt.so.12.4.5.8' -> ('libcublasLt', None, (12, 4, 5, 8)); None if not lib*.so*."""
    m = _NAME.match(name)
    if not m:
        return None
    nums = tuple(int(x) for x in m.group(3).split(".")[1:]) if m.group(3) else ()
    return m.group(1), m.group(2), nums


@functools.lru_cache(maxsize=4096)
def catalog_stem(name: str) -> Optional[str]:
    """The catalog stem a file or soname belongs to (libcudnn_ops -> libcudnn), or None."""
    parts = split_name(name)
    if not parts:
        return None
    stem = parts[0]
    if stem in CATALOG:
        return stem
    if stem.startswith("libcudnn_") or stem.startswith("libcudnn"):
        return "libcudnn"
    if stem.startswith("libnvinfer_builder_resource"):
        return None
    if stem.startswith("libnvinfer"):
        return "libnvinfer"
    return None


def is_soname_like(name: str) -> bool:
    """libfoo.so.N (exactly one number): the form a soname symlink or a wheel's file has."""
    parts = split_name(name)
    return bool(parts and len(parts[2]) == 1)


def cuda_major(soname: str, path: str = "", package: Optional[str] = None,
               package_version: Optional[str] = None) -> Optional[int]:
    """The CUDA major a CUDA library belongs to: from the wheel layout (nvidia/cu13/lib), the distribution's
    -cuNN suffix (or, for the suffix-less CUDA 13 wheels, its version), else from the soname."""
    m = re.search(r"/nvidia/cu(1[0-9])/", path + "/") or re.search(r"/cuda-(1[0-9])(?:\.\d+)*/", path)
    if m:  # a wheel's nvidia/cu13/lib, or a toolkit's /usr/local/cuda-13.0/... (libcurand.so.10 is CUDA 13's there)
        return int(m.group(1))
    stem = catalog_stem(soname)
    if stem is None or stem in ("libcuda", "libnvidia-ml"):
        return None
    if package:
        m = re.search(r"-cu(1[0-9])(?:-|$)", package)
        if m:
            return int(m.group(1))
        comp, rule = CATALOG.get(stem, (None, None))
        if package_version and package.startswith("nvidia-") and rule == "same":
            try:
                return int(str(package_version).split(".")[0])
            except ValueError:
                pass
    parts = split_name(soname)
    if not parts or not parts[2]:
        return None
    n = parts[2][0]
    _comp, rule = CATALOG.get(stem, (None, None))
    if rule == "same":
        return n
    if isinstance(rule, dict):
        return rule.get(n)
    return None


def version_from_name(name: str) -> Optional[str]:
    """'libcublasLt.so.12.4.5.8' -> '12.4.5.8'; 'libcuda.so.570.195.03' -> '570.195.03'; None for 'x.so.12'."""
    m = re.search(r"\.so\.(\d+(?:\.\d+)+)$", name)
    return m.group(1) if m else None


# From CUDA 13 the toolkit's own components ship without a suffix (nvidia-cublas 13.x; nvidia-cublas-cu13 and
# nvidia-cuda-runtime-cu13 are 0.0.1 placeholders), while the separately versioned libraries keep it
# (nvidia-cudnn-cu13 9.x, nvidia-nccl-cu13, nvidia-cusparselt-cu13, nvidia-nvshmem-cu13; no unsuffixed dist).
# Read from `pip index versions NAME` against PyPI, 2026-11-29.
SUFFIXED_FROM_13 = {"cudnn", "nccl", "cusparselt", "nvshmem"}


def wheel_dist(stem: str, cuda: Optional[int]) -> Optional[str]:
    """The pip distribution that ships a stem for a CUDA major: nvidia-cublas-cu12, nvidia-cublas (13),
    nvidia-cudnn-cu13."""
    comp = CATALOG.get(stem, (None, None))[0]
    dist = WHEEL_DIST.get(comp or "")
    if not dist:
        return None
    if cuda is None:
        return dist + "-cu12"
    if cuda >= 13 and comp not in SUFFIXED_FROM_13:
        return dist
    return f"{dist}-cu{cuda}"
