"""The real environments the truth suite judges: venvs made by pip from real wheels of the package index.

Wheels are downloaded once into a cache folder (``--wheels``), so a rerun installs offline. Each spec names what
`import` must work for the environment to count as healthy.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

PY311 = os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3.11")


@dataclass(frozen=True)
class Spec:
    name: str
    requirements: Tuple[str, ...]
    imports: Tuple[str, ...]
    what: str
    python: str = PY311
    extra_pip: Tuple[str, ...] = ()
    prefix: Optional[str] = None       # an existing environment (the device's own): judged as found, never built
    after: Tuple[Tuple[str, ...], ...] = ()   # further pip installs, each its own command (e.g. one with --no-deps)
    driver_stub: bool = False          # a libcuda.so.1 stub on LD_LIBRARY_PATH for both judges (a machine with a driver)
    tags: Tuple[str, ...] = field(default_factory=tuple)
    # (fault class, what is installed over it with pip --no-deps, what is put back, the import that judges it)
    swaps: Tuple[Tuple[str, str, str, str], ...] = ()


# the first use of a transformers model class (a dummy that raises when transformers has disabled PyTorch)
BERT = ("code:from transformers import BertConfig, BertModel; BertModel(BertConfig(num_hidden_layers=1, hidden_size=32, "
        "num_attention_heads=2, intermediate_size=32))")

SPECS = (
    Spec("torch-cpu", ("torch==2.13.0+cpu",), ("torch",), "torch 2.13.0+cpu (CPU build, no CUDA wheels)"),
    Spec("torch-cu13", ("torch==2.14.1",), ("torch",), "torch 2.14.1 (CUDA 13.0 build) with its nvidia-* cu13 wheels"),
    Spec("torch-cu12", ("torch==2.9.1",), ("torch",), "torch 2.9.1 (CUDA 12.8 build) with its nvidia-*-cu12 wheels"),
    Spec("torch-cu11", ("torch==2.0.1",), ("torch",), "torch 2.0.1 (CUDA 11.7 build, cu118 era) with nvidia-*-cu11 wheels"),
    Spec("vllm-cu12", ("torch==2.9.0",), ("torch", "ext:vllm/_C.abi3.so"),
         "vllm 0.13.0 (its compiled ops, vllm._C) on the torch 2.9.0 it pins, CUDA 12.8 wheels; vllm's pure-Python "
         "and its Python dependencies, with a libcuda.so.1 stub for the driver (no GPU here)",
         after=(("vllm==0.13.0",),), driver_stub=True),
    # breaks pip lets through, each with its control: the environment is healthy, one distribution is swapped
    Spec("numpy2-abi", ("numpy==2.1.3", "pandas==2.2.3", "scipy==1.13.1"), ("numpy",),
         "numpy 2.1.3 with pandas 2.2.3 and scipy 1.13.1 (built against numpy 2); swapped: pandas 1.5.3 and scipy "
         "1.10.1, built against numpy 1.x",
         swaps=(("abi-numpy", "pandas==1.5.3", "pandas==2.2.3", "pandas"),
                ("abi-numpy", "scipy==1.10.1", "scipy==1.13.1", "scipy.linalg"),
                ("abi-numpy", "pandas==2.2.3", "pandas==2.2.3", "pandas"))),
    Spec("torch-abi", ("torch==2.5.1", "torchaudio==2.5.1"), ("torch",),
         "torch 2.5.1 (CUDA 12.4 build, pins cuDNN 9.1.0.70 and NCCL 2.21.5) with torchaudio 2.5.1; swapped: newer "
         "and older cuDNN and NCCL wheels, a torchaudio built for another torch, torchao 0.18.0, transformers 5.25.0 "
         "(its code needs torch >= 2.6) and 5.14.0 (>= 2.4, the control)",
         swaps=(("abi-nvidia", "nvidia-cudnn-cu12==9.5.1.17", "nvidia-cudnn-cu12==9.1.0.70",
                 "code:import torch; assert torch.backends.cudnn.is_available(), 'cuDNN not usable'; "
                 "print(torch.backends.cudnn.version())"),
                ("abi-nvidia", "nvidia-cudnn-cu12==9.0.0.312", "nvidia-cudnn-cu12==9.1.0.70",
                 "code:import torch; assert torch.backends.cudnn.is_available(), 'cuDNN not usable'; "
                 "print(torch.backends.cudnn.version())"),
                ("abi-nvidia", "nvidia-nccl-cu12==2.27.7", "nvidia-nccl-cu12==2.21.5",
                 "code:import torch; print(torch.cuda.nccl.version())"),
                ("abi-nvidia", "nvidia-nccl-cu12==2.20.5", "nvidia-nccl-cu12==2.21.5",
                 "code:import torch; print(torch.cuda.nccl.version())"),
                ("abi-torch-ext", "torchaudio==2.4.1", "torchaudio==2.5.1", "torchaudio"),
                ("abi-torch-ext", "torchaudio==2.11.1", "torchaudio==2.5.1", "torchaudio"),
                ("abi-floor", "torchao==0.18.0", "",
                 "code:import torchao; assert not torchao.skip_loading_so_files, 'torchao skipped its C++ kernels'"),
                ("abi-floor", "transformers==5.25.0", "", BERT),
                ("abi-floor", "transformers==5.14.0", "", BERT))),
    Spec("tensorrt-cu12", ("tensorrt-cu12-libs", "tensorrt-cu12-bindings", "tensorrt-cu12"), ("tensorrt",),
         "tensorrt-cu12 (libs + bindings wheels, CUDA 12)", extra_pip=("--no-deps",)),
    Spec("tensorrt-cu13", ("tensorrt-cu13-libs", "tensorrt-cu13-bindings", "tensorrt-cu13", "nvidia-cuda-runtime"),
         ("tensorrt",), "tensorrt-cu13 (libs + bindings wheels, CUDA 13)", extra_pip=("--no-deps",)),
)


def find(name: str) -> Spec:
    for s in SPECS:
        if s.name == name:
            return s
    raise KeyError(name)


def existing(prefix: str, imports: Tuple[str, ...] = ("torch",)) -> Spec:
    name = "/".join(prefix.rstrip("/").split("/")[-2:]) or prefix
    return Spec(name, (), imports, f"existing environment {prefix}",
                prefix=prefix)


def build(spec: Spec, workdir: str, wheels: List[str], offline: bool = False, log=print) -> str:
    """The environment's prefix, made if it is not there yet (a marker file says it was made completely)."""
    if spec.prefix:
        return spec.prefix
    prefix = os.path.join(workdir, spec.name)
    marker = os.path.join(prefix, ".truth-built")
    if os.path.exists(marker):
        return prefix
    shutil.rmtree(prefix, ignore_errors=True)
    subprocess.run([spec.python, "-m", "venv", prefix], check=True, timeout=300)
    cmd = [os.path.join(prefix, "bin", "python"), "-m", "pip", "install", "-q", "--no-compile", *spec.extra_pip]
    for w in wheels:
        cmd += ["--find-links", w]
    if offline:
        cmd.append("--no-index")
    log(f"  building {spec.name}: {' '.join(spec.requirements)}")
    subprocess.run(cmd + list(spec.requirements), check=True, timeout=3600)
    for more in spec.after:
        subprocess.run([c for c in cmd if c not in spec.extra_pip] + list(more), check=True, timeout=3600)
    with open(marker, "w") as fh:
        fh.write(" ".join(spec.requirements) + "\n")
    return prefix
