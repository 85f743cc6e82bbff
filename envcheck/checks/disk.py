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
        if d.free_gib is None:
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


RULES = [low_disk]
