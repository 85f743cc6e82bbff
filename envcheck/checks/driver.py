"""Rules about the NVIDIA driver, the GPUs and the CUDA toolkits beside them."""
from __future__ import annotations

from envcheck.matrix.compat import driver_max_cuda, gpu_row, min_driver_for_cuda
from envcheck.findings import Finding, fact, register

NO_DRIVER = register("no-nvidia-driver", "warn", "No NVIDIA driver was found",
    """No source (NVML, /proc/driver/nvidia, nvidia-smi) reported an NVIDIA driver. On a machine without a GPU this
    is expected; on a GPU pod it means the container was started without the NVIDIA runtime (--gpus all) or the
    driver is not loaded.""")
DRIVER_CUDA = register("driver-max-cuda", "info", "The highest CUDA the driver runs",
    """The host driver, not the CUDA toolkit inside the container, decides which CUDA builds can run: a pip wheel
    built for CUDA 13 needs a driver that supports CUDA 13 whatever toolkit is installed.""")
DRIVER_CUDA_UNKNOWN = register("driver-cuda-unknown", "warn", "The driver's highest CUDA version is unknown",
    """The driver version was found but not the CUDA version it supports, and the matrix has no branch for it.""")
DRIVER_TOO_OLD = register("driver-too-old", "fail", "The driver is too old for any CUDA 12 or 13 build",
    """The driver is below even the minor-version-compatibility minimum of CUDA 12 (525.60.13), so no current
    torch, TensorRT, TensorRT-LLM or vLLM wheel runs on it (at most CUDA 11.x builds).
    Only the host's owner can change the driver; inside a container nothing can.""")
NVML_FAILING = register("nvml-failing", "fail", "NVML is present but fails",
    """NVML (libnvidia-ml.so) loaded but refused to answer. 'Driver/library version mismatch' means the kernel
    module and the user-space libraries differ (a driver upgrade without a reboot, or a container with the wrong
    libraries mounted); 'Insufficient Permissions' means /dev/nvidia* is not accessible.""")
TOOLKIT_NOT_DRIVER = register("toolkit-is-not-driver", "info", "The container's CUDA toolkit is not what limits wheels",
    """A CUDA toolkit (nvcc, /usr/local/cuda) only matters for what you compile here. Wheels (torch, TensorRT-LLM)
    bring their own CUDA libraries; what they can run is decided by the host driver's CUDA version.""")
TOOLKIT_TOO_NEW = register("toolkit-newer-than-driver", "fail", "A CUDA toolkit is newer than the driver supports",
    """Programs built with this toolkit fail at start with 'CUDA driver version is insufficient for CUDA runtime
    version' unless minor-version compatibility applies (same major, no newer-PTX JIT).""")
GPU_UNKNOWN = register("gpu-not-in-matrix", "info", "A GPU is not in the matrix",
    """envcheck's matrix has no row for this GPU, so memory bandwidth and architecture support can't be judged.
    Add a row with --matrix DIR.""")
GPU_MIG = register("gpu-mig-enabled", "info", "MIG is enabled on a GPU",
    """With MIG on, a process sees a slice of the GPU (its memory and SMs), not the whole card.""")


def no_driver(env, matrix):
    drv = env.driver
    if drv is None or drv.version is not None:
        return
    nvml = (drv.attempts or {}).get("nvml", "")
    if _nvml_refused(nvml):
        return  # nvml_failing says it better
    names = {"nvml": "NVML", "procfs": "/proc/driver/nvidia", "nvidia-smi": "nvidia-smi"}
    asked = [names.get(k, k) for k, v in (drv.attempts or {}).items() if not str(v).startswith("not asked")]
    files_only = env.meta is not None and env.meta.live is False
    if files_only:  # an image's or a disk's files: the driver is the running host's, not the tree's
        title = "No NVIDIA driver in this file tree (only /proc/driver/nvidia can be read under --root)"
        fix = ("envcheck scan    # on the running machine, where NVML and nvidia-smi answer",)
    else:
        title = f"No NVIDIA driver found ({', '.join(asked) or 'no source'} asked)"
        fix = ("nvidia-smi    # on the host: does the driver answer?",
               "docker run --gpus all ...    # or, on Kubernetes, request nvidia.com/gpu in the pod spec")
    yield Finding(NO_DRIVER, "warn", title,
                  evidence=tuple(fact(f"driver.attempts.{k}", v) for k, v in (drv.attempts or {}).items()),
                  why="Without the driver no CUDA program runs here; on a GPU pod the container lacks the NVIDIA runtime.",
                  fix=fix)


def _nvml_refused(said: str) -> bool:
    s = said.lower()
    return any(k in s for k in ("mismatch", "insufficient permission", "no permission", "gpu is lost", "unknown error"))


def nvml_failing(env, matrix):
    drv = env.driver
    if drv is None:
        return
    said = (drv.attempts or {}).get("nvml", "")
    if not _nvml_refused(said):
        return
    if "mismatch" in said.lower():
        fix = ("cat /proc/driver/nvidia/version    # the kernel module's version",
               "ls /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.*    # the user-space library's version",
               "sudo reboot    # on the host, after a driver upgrade; in a container: restart it so the runtime mounts matching libraries")
    else:
        fix = ("ls -l /dev/nvidia*    # readable and writable by you?",
               "sudo usermod -aG video $USER    # or run the container with --gpus all / the NVIDIA runtime")
    yield Finding(NVML_FAILING, "fail", f"NVML fails: {said}", evidence=(fact("driver.attempts.nvml", said),),
                  why="Every CUDA program and nvidia-smi will fail the same way until this is fixed.", fix=fix)


def driver_cuda(env, matrix):
    drv = env.driver
    if drv is None or drv.version is None:
        return
    dc = driver_max_cuda(env, matrix)
    ev = [fact("driver.version", drv.version)]
    if drv.cuda:
        ev.append(fact("driver.cuda", drv.cuda))
    if dc.cuda is None and dc.older_than is not None and dc.older_than.major <= 12:
        # below every CUDA 12 minimum: no current wheel of any framework runs
        yield Finding(DRIVER_TOO_OLD, "fail",
                      f"Driver {drv.version} runs no CUDA {dc.older_than} or newer build (those need a driver "
                      f">= {dc.older_than_floor})",
                      evidence=tuple(ev) + (f"matrix: {dc.row.ref()}",) if dc.row else tuple(ev), why=dc.how,
                      fix=("# on the host (not inside a container): install a current driver branch, e.g. 570 "
                           "(CUDA 12.8) or 580 (CUDA 13.0)",
                           "sudo apt-get install -y nvidia-driver-580    # Ubuntu; then reboot the host",
                           "envcheck recommend --target torch    # what runs on the driver as it is"))
        return
    if dc.cuda is None:
        yield Finding(DRIVER_CUDA_UNKNOWN, "warn", f"Driver {drv.version}: its highest CUDA version is unknown",
                      evidence=tuple(ev), why=dc.how,
                      fix=("nvidia-smi | grep 'CUDA Version'", "envcheck scan    # on the live machine, where NVML answers"))
        return
    major = dc.cuda.major
    nxt = major + 1
    need_next, row = min_driver_for_cuda(matrix, f"{nxt}.0")
    tail = f"; CUDA {nxt} needs driver >= {need_next} ({row.ref()})" if need_next and drv.version < need_next else ""
    yield Finding(DRIVER_CUDA, "ok", f"Driver {drv.version} runs CUDA <= {dc.cuda} ({dc.how}){tail}",
                  evidence=tuple(ev), why="Wheels built for a newer CUDA than this will not load here.")


def toolkits_vs_driver(env, matrix):
    if not env.cuda_toolkits or env.driver is None or env.driver.version is None:
        return
    dc = driver_max_cuda(env, matrix)
    if dc.cuda is None:
        return
    for i, tk in enumerate(env.cuda_toolkits):
        if tk.version is None:
            continue
        ev = (fact(f"cuda_toolkits[{i}].version", tk.version), fact("driver.version", env.driver.version),
              f"driver runs CUDA <= {dc.cuda} ({dc.how})")
        if (tk.version.major, tk.version.minor) > (dc.cuda.major, dc.cuda.minor):
            same_major = tk.version.major == dc.cuda.major
            yield Finding(TOOLKIT_TOO_NEW, "warn" if same_major else "fail",
                          f"CUDA toolkit {tk.version} at {tk.path} is newer than driver {env.driver.version} supports (CUDA <= {dc.cuda})",
                          evidence=ev, subject=tk.path,
                          why=("Same major version: code built with it runs through minor-version compatibility, but "
                               "PTX JIT of newer PTX and features needing a newer driver fail." if same_major else
                               "Programs built with it fail with 'CUDA driver version is insufficient for CUDA runtime version'."),
                          fix=(f"export CUDA_HOME=/usr/local/cuda-{dc.cuda}    # if that toolkit is installed",
                               "envcheck recommend --target tensorrt-llm    # what the driver allows"))
        elif (tk.version.major, tk.version.minor) < (dc.cuda.major, dc.cuda.minor):
            yield Finding(TOOLKIT_NOT_DRIVER, "info",
                          f"CUDA toolkit {tk.version} at {tk.path} is older than the driver's CUDA {dc.cuda}: pip wheels "
                          f"can use CUDA up to {dc.cuda}, not just {tk.version.major_minor()}",
                          evidence=ev, subject=tk.path,
                          why="The toolkit limits only what you compile here with nvcc; wheels bring their own CUDA libraries.")


def gpus(env, matrix):
    for i, g in enumerate(env.gpus or ()):
        if g.mig:
            yield Finding(GPU_MIG, "info", f"GPU {g.index} ({g.name}) has MIG enabled", subject=f"gpu{g.index}",
                          evidence=(fact(f"gpus[{i}].mig", True),),
                          why="A process sees one MIG slice: less memory and fewer SMs than the card has.",
                          fix=("nvidia-smi mig -lgi    # list the GPU instances",))
        if g.name and gpu_row(matrix, g.name) is None and matrix.rows("gpus"):
            yield Finding(GPU_UNKNOWN, "info", f"GPU {g.index} ({g.name}) is not in the matrix", subject=f"gpu{g.index}",
                          evidence=(fact(f"gpus[{i}].name", g.name),),
                          why="Architecture support and memory bandwidth for it can't be looked up.",
                          fix=("mkdir -p ~/.config/envcheck/matrix    # add a gpus.yaml row there (see docs/matrix.md)",))


RULES = [no_driver, nvml_failing, driver_cuda, toolkits_vs_driver, gpus]
