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


SPECS = (
    Spec("torch-cpu", ("torch==2.13.0+cpu",), ("torch",), "torch 2.13.0+cpu (CPU build, no CUDA wheels)"),
    Spec("torch-cu13", ("torch==2.14.1",), ("torch",), "torch 2.14.1 (CUDA 13.0 build) with its nvidia-* cu13 wheels"),
    Spec("torch-cu12", ("torch==2.9.1",), ("torch",), "torch 2.9.1 (CUDA 12.8 build) with its nvidia-*-cu12 wheels"),
    Spec("torch-cu11", ("torch==2.0.1",), ("torch",), "torch 2.0.1 (CUDA 11.7 build, cu118 era) with nvidia-*-cu11 wheels"),
    Spec("vllm-cu12", ("torch==2.9.0",), ("torch", "ext:vllm/_C.abi3.so"),
         "vllm 0.13.0 (its compiled ops, vllm._C) on the torch 2.9.0 it pins, CUDA 12.8 wheels; vllm's pure-Python "
         "and its Python dependencies, with a libcuda.so.1 stub for the driver (no GPU here)",
         after=(("vllm==0.13.0",),), driver_stub=True),
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
