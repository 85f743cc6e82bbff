"""Facts about one Python environment, read from its files without running it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from envcheck.model.base import field
from envcheck.model.cuda import NativeLink
from envcheck.versions import Version


@dataclass(frozen=True)
class GpuArchs:
    """The GPU code one package's kernel library carries, read from its .nv_fatbin section (envcheck.fatbin)."""
    library: Optional[str] = field("the file read, e.g. .../site-packages/torch/lib/libtorch_cuda.so")
    sass: Optional[Tuple[str, ...]] = field("SASS (cubin) architectures, e.g. sm_80, sm_90a, sm_100f")
    ptx: Optional[Tuple[str, ...]] = field("PTX the driver can JIT-compile, e.g. compute_90")
    error: Optional[str] = field("why the file was read only in part; the lists hold what was read before")


@dataclass(frozen=True)
class PythonEnv:
    """A Python interpreter or environment: its version, kind and the packages that matter."""
    path: str
    version: Optional[Version] = field("Python version, e.g. '3.10.12'")
    kind: Optional[str] = field("system, venv, conda, pyenv, uv, pipx")
    prefix: Optional[str] = field("sys.prefix of the environment")
    base: Optional[str] = field("the base interpreter (home in pyvenv.cfg)")
    site_packages: Optional[Tuple[str, ...]] = field()
    packages: Optional[Dict[str, Version]] = field("installed distributions, normalized name -> version")
    torch_cuda: Optional[Version] = field("torch.version.cuda of the installed torch, e.g. '12.1'")
    torch_hip: Optional[Version] = field("torch.version.hip, for ROCm builds")
    torch_git: Optional[str] = field("torch.version.git_version")
    requires: Optional[Dict[str, Tuple[str, ...]]] = field("Requires-Dist lines (without extras) of installed distributions")
    wheel_tags: Optional[Dict[str, Tuple[str, ...]]] = field(
        "wheel tags (from WHEEL), normalized name -> tags, of the packages that matter and of every binary wheel "
        "whose tags do not fit the environment's Python (the rest are left out to keep the document small)")
    cuda_wheels: Optional[Dict[str, str]] = field(
        "NVIDIA CUDA wheels and the CUDA major they carry ('cu12', 'cu13'), from the name suffix or the "
        "nvidia/cuXX/ layout in RECORD (CUDA 13 wheels such as nvidia-cublas have no suffix)")
    venv_module: Optional[bool] = field(
        "its stdlib (a venv's: its base's) has ensurepip, so `python -m venv` makes a venv with pip; Debian and "
        "Ubuntu move ensurepip into the python3.X-venv package")
    externally_managed: Optional[bool] = field(
        "PEP 668: the stdlib has an EXTERNALLY-MANAGED file, so pip refuses to install into it outside a venv")
    torch_local: Optional[str] = field("local version tag of the installed torch, e.g. 'cu121', 'cpu', 'rocm6.2'")
    native: Optional[Tuple[NativeLink, ...]] = field("native extensions with unresolved libraries")
    found_by: Optional[Tuple[str, ...]] = field("how it was found: PATH, pyenv, conda, VIRTUAL_ENV, search, ...")
    executed: Optional[Dict[str, str]] = field("what running the interpreter said (only with --exec)")
    gpu_archs: Optional[Dict[str, GpuArchs]] = field(
        "GPU architectures in the kernel library of torch, tensorrt-llm, vllm, flash-attn and xformers "
        "(distribution name -> what its .nv_fatbin holds); read when a GPU was found, or "
        "always with --root")
    numpy1_modules: Optional[Dict[str, str]] = field(
        "where numpy >= 2 is installed: distributions with a compiled module built against numpy 1.x headers "
        "(it names numpy.core._multiarray_umath, not numpy._core's), name -> the module read")
    errors: Optional[Tuple[str, ...]] = field("what could not be read, with the reason")
