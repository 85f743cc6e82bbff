"""Rules about free disk space where installs land."""
from __future__ import annotations

from envcheck.findings import Finding, fact, register

LOW_DISK = register("low-disk", "warn", "Little free disk where packages and models land",
    """pip wheels for a CUDA stack (torch, TensorRT, TensorRT-LLM and the nvidia-* libraries) take tens of GiB,
    their download cache as much again, and a source build of TensorRT-LLM far more. envcheck warns under
    25 GiB free and fails under 10 GiB.""")
WARN_GIB, FAIL_GIB = 25.0, 10.0


def low_disk(env, matrix):
    for i, d in enumerate(env.disk or ()):
        if d.free_gib is None or d.role == "shm":
            continue
        if d.free_gib < FAIL_GIB:
            sev = "fail"
        elif d.free_gib < WARN_GIB:
            sev = "warn"
        else:
            continue
        roles = (d.role or "").replace(",", ", ")
        yield Finding(LOW_DISK, sev, f"Only {d.free_gib:.1f} GiB free on {d.mount or d.path} ({roles})",
                      evidence=(fact(f"disk[{i}].free_gib", d.free_gib), fact(f"disk[{i}].total_gib", d.total_gib)),
                      subject=d.path,
                      why="A TensorRT-LLM or vLLM install with torch and CUDA wheels needs tens of GiB; pip's cache doubles it.",
                      fix=("pip cache purge", "du -sh ~/.cache/* | sort -h | tail    # what else takes the space",
                           "export PIP_CACHE_DIR=/workspace/.pip-cache HF_HOME=/workspace/.hf    # a larger volume, if there is one"))


SHM_SMALL = register("shm-small", "warn", "/dev/shm is small (Docker's default is 64 MiB)",
    """PyTorch shares tensors between processes through /dev/shm: tensor-parallel inference (vLLM, TensorRT-LLM
    and SGLang across GPUs, NCCL's shared-memory transport) and DataLoader workers. Docker gives a container a
    64 MiB /dev/shm unless run with --shm-size or --ipc=host, and Kubernetes pods get the same unless a
    memory-backed emptyDir is mounted there; the failures are 'Bus error' or NCCL 'unhandled system error' at the
    first large transfer, far from the cause. envcheck warns below 1 GiB. Sources: vLLM's Docker deployment docs
    ('use the ipc=host flag or --shm-size ... vLLM uses PyTorch, which uses shared memory to share data between
    processes under the hood, particularly for tensor parallel inference'); moby/moby#29492 ('The default size
    for /dev/shm is 64MB').""")
SHM_MIN_GIB = 1.0


def shm_small(env, matrix):
    for i, d in enumerate(env.disk or ()):
        if d.role != "shm" or d.total_gib is None or d.total_gib >= SHM_MIN_GIB:
            continue
        yield Finding(SHM_SMALL, "warn", f"/dev/shm is only {d.total_gib * 1024:.0f} MiB: multi-GPU inference and "
                      "DataLoader workers need more", evidence=(fact(f"disk[{i}].total_gib", d.total_gib),),
                      subject=d.path,
                      why="PyTorch passes tensors between processes through /dev/shm; a 64 MiB one fails with "
                          "'Bus error' or an NCCL error at the first large transfer.",
                      fix=("docker run --ipc=host ...    # or --shm-size=16g (a hosted pod: the provider starts the container, ask there)",
                           "# Kubernetes: mount an emptyDir {medium: Memory, sizeLimit: 16Gi} at /dev/shm in the pod spec",
                           "df -h /dev/shm    # what the container has now"))


RULES = [low_disk, shm_small]
