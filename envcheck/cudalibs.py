"""Which sonames are CUDA's (and cuDNN's, NCCL's, TensorRT's), where pip wheels put them, and the CUDA major each
belongs to. Pure data and functions (no I/O), shared by the libraries probe and the native checks.

The wheel directories follow NVIDIA's cuda-pathfinder catalog (NVIDIA/cuda-python,
cuda_pathfinder/cuda/pathfinder/_dynamic_libs/descriptor_catalog.py at 035a784f): CUDA 12 wheels install into
``site-packages/nvidia/<component>/lib`` (cublas, cuda_runtime, cuda_nvrtc, nvjitlink, cufft, curand, cusolver,
cusparse, cuda_cupti, nccl, cudnn ...), CUDA 13 wheels (named without the -cu13 suffix, e.g. ``nvidia-cublas``
13.x) all into ``site-packages/nvidia/cu13/lib``. ``LibSpec`` is a small cousin of pathfinder's ``DescriptorSpec``
(``packaged_with`` keeps its "ctk" / "other" / "driver"); the soname-to-CUDA-major pairs are ours: pathfinder lists
the sonames per major without saying which major each belongs to.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class LibSpec:
    """One CUDA library: how its sonames are named, who ships it, and where pip wheels put it."""
    stem: str                        # libcublasLt: the soname without .so.N
    packaged_with: str               # "ctk" (the toolkit's), "other" (cuDNN, NCCL, TensorRT ...) or "driver"
    folder: Optional[str] = None     # wheels put it in site-packages/nvidia/<folder>/lib (toolkit, CUDA 13: cu13/lib)
    dist: Optional[str] = None       # the PyPI distribution, named without its -cuNN suffix
    soname_is_cuda: bool = False     # the soname's number is the CUDA major: libcublasLt.so.12 is CUDA 12's
    cuda_of_soname: Tuple[Tuple[int, int], ...] = ()  # (soname major, CUDA major) pairs: libcufft.so.11 is CUDA 12's
    covers_prefix: bool = False      # every uncatalogued lib<stem>* is this library's too (libcudnn_ops)

    @property
    def from_driver(self) -> bool:
        """The driver's own library (libcuda, libnvidia-ml): its version is the driver's, never a CUDA major."""
        return self.packaged_with == "driver"

    def cuda_for_soname(self, number: int) -> Optional[int]:
        """The CUDA major of this library's soname number (libcufft.so.11 -> 12), None when the soname does not say."""
        if self.soname_is_cuda:
            return number
        return dict(self.cuda_of_soname).get(number)


_CUFFT = ((10, 11), (11, 12), (12, 13))
_CUSOLVER = ((10, 10), (12, 13))
_CUSPARSE = ((10, 10), (11, 11))
LIBRARIES: Tuple[LibSpec, ...] = (
    LibSpec("libcuda", "driver"),
    LibSpec("libnvidia-ml", "driver"),
    LibSpec("libcudart", "ctk", "cuda_runtime", "nvidia-cuda-runtime", soname_is_cuda=True),
    LibSpec("libcublas", "ctk", "cublas", "nvidia-cublas", soname_is_cuda=True),
    LibSpec("libcublasLt", "ctk", "cublas", "nvidia-cublas", soname_is_cuda=True),
    LibSpec("libnvblas", "ctk", "cublas", "nvidia-cublas", soname_is_cuda=True),
    LibSpec("libnvrtc", "ctk", "cuda_nvrtc", "nvidia-cuda-nvrtc", soname_is_cuda=True),
    LibSpec("libnvrtc-builtins", "ctk", "cuda_nvrtc", "nvidia-cuda-nvrtc", soname_is_cuda=True),
    LibSpec("libnvJitLink", "ctk", "nvjitlink", "nvidia-nvjitlink", soname_is_cuda=True),
    LibSpec("libnvfatbin", "ctk", "nvfatbin", "nvidia-nvfatbin", soname_is_cuda=True),
    LibSpec("libcupti", "ctk", "cuda_cupti", "nvidia-cuda-cupti", soname_is_cuda=True),
    LibSpec("libnvjpeg", "ctk", "nvjpeg", "nvidia-nvjpeg", soname_is_cuda=True),
    LibSpec("libcufft", "ctk", "cufft", "nvidia-cufft", cuda_of_soname=_CUFFT),
    LibSpec("libcufftw", "ctk", "cufft", "nvidia-cufft", cuda_of_soname=_CUFFT),
    LibSpec("libcusolver", "ctk", "cusolver", "nvidia-cusolver", cuda_of_soname=_CUSOLVER),
    LibSpec("libcusolverMg", "ctk", "cusolver", "nvidia-cusolver", cuda_of_soname=_CUSOLVER),
    LibSpec("libcusparse", "ctk", "cusparse", "nvidia-cusparse", cuda_of_soname=_CUSPARSE),
    LibSpec("libcurand", "ctk", "curand", "nvidia-curand"),
    LibSpec("libnvToolsExt", "ctk", "nvtx", "nvidia-nvtx"),
    LibSpec("libcufile", "ctk", "cufile", "nvidia-cufile"),
    LibSpec("libcudnn", "other", "cudnn", "nvidia-cudnn", covers_prefix=True),
    LibSpec("libnccl", "other", "nccl", "nvidia-nccl"),
    LibSpec("libcusparseLt", "other", "cusparselt", "nvidia-cusparselt"),
    LibSpec("libnvshmem_host", "other", "nvshmem", "nvidia-nvshmem"),
    LibSpec("libnvinfer", "other", covers_prefix=True),
    LibSpec("libnvinfer_plugin", "other"),
    LibSpec("libnvinfer_lean", "other"),
    LibSpec("libnvinfer_dispatch", "other"),
    LibSpec("libnvinfer_vc_plugin", "other"),
    LibSpec("libnvonnxparser", "other"),
)
BY_STEM: Dict[str, LibSpec] = {spec.stem: spec for spec in LIBRARIES}
DIST_OF_FOLDER: Dict[str, str] = {spec.folder: spec.dist for spec in LIBRARIES if spec.folder and spec.dist}
PREFIX_FAMILIES: Tuple[str, ...] = tuple(spec.stem for spec in LIBRARIES if spec.covers_prefix)
NOT_LIBRARIES = ("libnvinfer_builder_resource",)  # named like a family member, but a data file nothing loads

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
    if stem in BY_STEM:
        return stem
    if stem.startswith(NOT_LIBRARIES):
        return None
    return next((family for family in PREFIX_FAMILIES if stem.startswith(family)), None)


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
    spec = BY_STEM[stem] if stem else None
    if spec is None or spec.from_driver:
        return None
    if package:
        m = re.search(r"-cu(1[0-9])(?:-|$)", package)
        if m:
            return int(m.group(1))
        if package_version and package.startswith("nvidia-") and spec.soname_is_cuda:
            try:
                return int(str(package_version).split(".")[0])
            except ValueError:
                pass
    parts = split_name(soname)
    if not parts or not parts[2]:
        return None
    return spec.cuda_for_soname(parts[2][0])


def version_from_name(name: str) -> Optional[str]:
    """'libcublasLt.so.12.4.5.8' -> '12.4.5.8'; 'libcuda.so.570.195.03' -> '570.195.03'; None for 'x.so.12'."""
    m = re.search(r"\.so\.(\d+(?:\.\d+)+)$", name)
    return m.group(1) if m else None


# From CUDA 13 the toolkit's own components ship without a suffix (nvidia-cublas 13.x; nvidia-cublas-cu13 and
# nvidia-cuda-runtime-cu13 are 0.0.1 placeholders), while the separately versioned libraries ("other": cuDNN, NCCL,
# cuSPARSELt, NVSHMEM) keep it (nvidia-cudnn-cu13 9.x; no unsuffixed dist).
# Read from `pip index versions NAME` against PyPI, 2026-11-29.
def wheel_dist(stem: str, cuda: Optional[int]) -> Optional[str]:
    """The pip distribution that ships a stem for a CUDA major: nvidia-cublas-cu12, nvidia-cublas (13),
    nvidia-cudnn-cu13."""
    spec = BY_STEM.get(stem)
    if spec is None or not spec.dist:
        return None
    if cuda is None:
        return spec.dist + "-cu12"
    if cuda >= 13 and spec.packaged_with == "ctk":
        return spec.dist
    return f"{spec.dist}-cu{cuda}"
