"""Rules about the process that will run (env.process): the libcuda.so.1 it loads, the GPUs CUDA_VISIBLE_DEVICES
leaves it, the /dev/nvidia* nodes it opens, and the driver's user-space libraries against the kernel module. Each
`fail` is where the first CUDA call fails; a machine without a GPU gets nothing."""
from __future__ import annotations

import posixpath
from typing import Optional

from envcheck.findings import Finding, fact, register

STUB = register("libcuda-stub", "fail", "The loader picks the CUDA toolkit's stub libcuda.so.1",
    """The CUDA toolkit ships stubs/libcuda.so so that programs link on machines without a driver. Found at run
    time ahead of the driver's libcuda.so.1 (a Dockerfile that put the stubs directory on LD_LIBRARY_PATH for a
    build and left it there, or an ld.so.conf entry), it makes every CUDA call return CUDA_ERROR_STUB_LIBRARY:
    torch raises 'CUDA error 34: CUDA driver is a stub library'.""")
UNUSABLE = register("libcuda-unusable", "fail", "The first libcuda.so.1 on the loader's path is not a library",
    """glibc's loader takes the first file named libcuda.so.1 on its path. One that is not an ELF library (an empty
    placeholder an image keeps for the NVIDIA runtime to mount over, a copy cut short, a text file) ends the search
    with an error ('file too short', 'invalid ELF header'), however good the driver's own copy further along. The
    CUDA runtime then finds no driver: torch says 'Found no NVIDIA driver on your system', cuInit fails.""")
NO_VISIBLE = register("cuda-no-visible-gpu", "fail", "CUDA_VISIBLE_DEVICES leaves no GPU visible",
    """CUDA reads CUDA_VISIBLE_DEVICES as a list of indexes, GPU- UUIDs or MIG- instances and stops at the first
    entry that names no GPU. An empty value, an index the machine does not have, or a UUID from another machine
    leaves the process no GPU: torch raises 'No CUDA GPUs are available', cuInit returns CUDA_ERROR_NO_DEVICE.""")
PARTIAL = register("cuda-visible-devices-partial", "info", "CUDA ignores some CUDA_VISIBLE_DEVICES entries",
    """CUDA stops reading CUDA_VISIBLE_DEVICES at the first entry that names no GPU: the GPUs listed after it are
    not used.""")
NODE = register("nvidia-device-node", "fail", "A /dev/nvidia* node a CUDA program opens is missing or unusable",
    """The driver's user-space library opens /dev/nvidiactl, /dev/nvidia-uvm and /dev/nvidiaN. In a container
    they exist only when the NVIDIA runtime mounted them (docker run --gpus, a Kubernetes nvidia.com/gpu request);
    on a host a node the user cannot open read-write stops CUDA the same way (cuInit fails, torch says 'Found no
    NVIDIA driver on your system' or CUDA error 999/100).""")
MISMATCH = register("driver-library-mismatch", "fail", "The driver's user-space libraries differ from the kernel module",
    """The user-space driver (libcuda.so, libnvidia-ml.so) must be the kernel module's exact version. After a driver
    upgrade without a reboot, or in a container given another driver's libraries, cuInit fails (CUDA error 803,
    'system has unsupported display driver / cuda driver combination') and NVML says 'Driver/library version
    mismatch'. The CUDA forward-compatibility package (cuda-compat, under /usr/local/cuda-X.Y/compat) is the one
    sanctioned exception.""")
NVML_MISMATCH = register("nvml-library-mismatch", "warn", "libnvidia-ml.so differs from the kernel module",
    """NVML (libnvidia-ml.so) is not the kernel module's version: nvidia-smi and every NVML-based tool fail with
    'Driver/library version mismatch'; CUDA itself is judged by libcuda's version.""")


def drop_from_llp(llp: Optional[str], directory: str) -> Optional[str]:
    """The command that takes ``directory`` off LD_LIBRARY_PATH; None when it is not on it."""
    dirs = [p for p in (llp or "").split(":") if p]
    kept = [p for p in dirs if p.rstrip("/") != directory.rstrip("/")]
    if len(kept) == len(dirs):
        return None
    return f"export LD_LIBRARY_PATH={':'.join(kept)}" if kept else "unset LD_LIBRARY_PATH"


def step_aside(llp: Optional[str], path: str, what: str = "copy") -> Optional[str]:
    """The command that takes the directory of an unusable ``path`` off LD_LIBRARY_PATH, with why; None when that
    directory is not on it."""
    d = posixpath.dirname(path)
    drop = drop_from_llp(llp, d)
    return f"{drop}    # drops {d}, where the unusable {what} is" if drop else None


def _has_gpu(env) -> bool:
    return bool(env.gpus) or bool(env.process and env.process.kernel_module)


# -- libcuda.so.1 ---------------------------------------------------------------------------------------------
def libcuda_stub(env, matrix):
    proc = env.process
    if proc is None or not proc.libcuda:
        return
    stubs = [d for d in proc.libcuda if d.stub]
    per_env = [d for d in stubs if d.environment]
    gpu = _has_gpu(env)   # without a GPU (a build or CI machine) the stub is what links, and nothing runs CUDA
    for d in per_env or stubs:
        where = f"{d.environment}: " if d.environment else ""
        then = "every CUDA call fails" if gpu else "on a GPU machine every CUDA call would fail"
        yield Finding(STUB, "fail" if gpu else "info",
                      f"{where}libcuda.so.1 is the CUDA toolkit's stub ({d.path}, found by {d.via}): {then} "
                      f"with 'CUDA driver is a stub library' (error 34)",
                      evidence=(fact("process.libcuda.path", d.path), fact("process.libcuda.via", d.via),
                                fact("process.libcuda.stub_evidence", d.stub_evidence),
                                fact("process.libcuda.driver_copy", d.driver_copy)),
                      why="The stub exists only to link against; at run time the driver's own libcuda.so.1 must be "
                          "found first.",
                      fix=_stub_fix(d, proc.ld_library_path), subject=d.environment)


def libcuda_unusable(env, matrix):
    proc = env.process
    if proc is None or not proc.libcuda:
        return
    bad = [d for d in proc.libcuda if d.unusable]
    gpu = _has_gpu(env)   # a machine without a driver has nothing to find: the placeholder changes nothing there
    for d in [d for d in bad if d.environment] or bad:
        where = f"{d.environment}: " if d.environment else ""
        path, _, err = d.unusable.partition(": ")
        then = "every CUDA program finds no driver" if gpu else "on a GPU machine every CUDA program would find no driver"
        found = f", found by {d.via}" if d.via else ""
        yield Finding(UNUSABLE, "fail" if gpu else "info",
                      f"{where}the loader stops at {path} ({err}{found}): {then} ('Found no NVIDIA driver on your "
                      f"system')",
                      evidence=(fact("process.libcuda.unusable", d.unusable), fact("process.libcuda.via", d.via),
                                fact("process.libcuda.driver_copy", d.driver_copy)),
                      why="glibc stops at the first libcuda.so.1 it opens; one it cannot load ends the search, so "
                          "the driver's own copy" + (f" ({d.driver_copy})" if d.driver_copy else "")
                          + " is never reached.",
                      fix=_unusable_fix(d, path, proc.ld_library_path,
                                        bool(env.container and env.container.in_container)), subject=d.environment)


def _unusable_fix(d, path: str, llp: Optional[str], in_container: bool) -> tuple:
    aside = step_aside(llp, path) if (d.via or "").startswith("LD_LIBRARY_PATH") else None
    if aside:
        return (aside,)
    if in_container:
        return ("docker run --gpus all ...    # restart the container with the NVIDIA runtime: it mounts the host "
                f"driver's libcuda.so.1 over {path}",)
    after = f"the loader then finds {d.driver_copy}" if d.driver_copy else "then reinstall the NVIDIA driver"
    return (f"ls -l {path}    # not a library: compare with the driver's files",
            f"sudo rm {path} && sudo ldconfig    # {after}")


def _stub_fix(d, llp: Optional[str]) -> tuple:
    stub_dir = posixpath.dirname(d.path or "")
    via = d.via or ""
    if via.startswith("LD_LIBRARY_PATH"):
        picked = via[via.find("(") + 1:-1] if "(" in via else stub_dir
        cmd = drop_from_llp(llp, picked) or "unset LD_LIBRARY_PATH"
        return (f"{cmd}    # drops {picked}; in a Dockerfile, take it out of ENV LD_LIBRARY_PATH (link with "
                f"-L{picked} at build time only)",)
    if via.startswith("ld.so.cache") or via.startswith("default-dir"):
        return (f"grep -rl '{stub_dir}' /etc/ld.so.conf /etc/ld.so.conf.d/    # the file that lists the stubs directory",
                f"sudo sed -i '\\#^{stub_dir}/*$#d' /etc/ld.so.conf /etc/ld.so.conf.d/*.conf && sudo ldconfig",)
    return (f"ls -l {d.path}    # a {via} entry points the program at the stub: rebuild it without that run path",)


# -- CUDA_VISIBLE_DEVICES -------------------------------------------------------------------------------------
def visible_devices(env, matrix):
    dev = env.process.devices if env.process else None
    if dev is None or dev.visible is None or not env.gpus or dev.cuda_visible_devices is None:
        return
    value = dev.cuda_visible_devices
    evidence = (fact("process.devices.cuda_visible_devices", repr(value)), fact("process.devices.reason", dev.reason),
                fact("gpus", [f"{g.index} ({g.uuid})" if g.uuid else str(g.index) for g in env.gpus]))
    all_ids = ",".join(str(g.index) for g in env.gpus)
    if not dev.visible:
        yield Finding(NO_VISIBLE, "fail",
                      f"CUDA_VISIBLE_DEVICES={value!r} leaves no GPU visible ({dev.reason}): torch raises 'No CUDA "
                      f"GPUs are available'", evidence=evidence,
                      why="CUDA enumerates only the GPUs this variable names, up to the first entry that names none.",
                      fix=("unset CUDA_VISIBLE_DEVICES    # every GPU", f"export CUDA_VISIBLE_DEVICES={all_ids}"))
        return
    if dev.ignored:
        kept = ",".join(v.split(" ", 1)[0] for v in dev.visible)
        yield Finding(PARTIAL, "info",
                      f"CUDA_VISIBLE_DEVICES={value!r}: CUDA uses only {', '.join(dev.visible)} and ignores "
                      f"{', '.join(dev.ignored)} ({dev.reason})", evidence=evidence,
                      why="The entries after the first invalid one are dropped silently.",
                      fix=(f"export CUDA_VISIBLE_DEVICES={kept}    # what CUDA uses now; or list valid entries only",))


# -- /dev/nvidia* ---------------------------------------------------------------------------------------------
def device_nodes(env, matrix):
    proc = env.process
    if proc is None or not proc.device_nodes or not _has_gpu(env):
        return
    bad = [n for n in proc.device_nodes if not n.present or n.kind != "char" or n.openable is False]
    if not bad:
        return
    in_container = bool(env.container and env.container.in_container)
    missing_only = all(not n.present for n in bad)
    if missing_only and proc.nvidia_modprobe and not in_container:
        return   # nvidia-modprobe (setuid) creates them on the first CUDA call
    if missing_only and _driver_makes_nodes(env):
        yield Finding(NODE, "info", "Missing /dev/nvidia* nodes are made by CUDA's first call here: "
                      + "; ".join(_node_words(n) for n in bad),
                      evidence=(fact("container.uid", env.container.uid),
                                fact("container.capabilities", "CAP_MKNOD")),
                      why="The driver's user-space library creates a missing node when it runs as root with "
                          "CAP_MKNOD; a process of another user would fail.",
                      fix=("ls -l /dev/nvidia*",))
        return
    words = [_node_words(n) for n in bad]
    nvd = proc.devices.nvidia_visible_devices if proc.devices else None
    fix = ("ls -l /dev/nvidia*",)
    if in_container:
        fix += ("docker run --gpus all ...    # or --runtime=nvidia; on Kubernetes request nvidia.com/gpu",)
        if nvd is not None and nvd.strip().lower() in ("", "void", "none"):
            fix += (f"# NVIDIA_VISIBLE_DEVICES={nvd!r} asked the runtime for no GPU: start the container with "
                    f"NVIDIA_VISIBLE_DEVICES=all",)
    else:
        fix += ("sudo nvidia-modprobe -u -c=0    # creates /dev/nvidia-uvm and /dev/nvidia0 with the driver's modes",
                "sudo usermod -aG video $USER    # where the nodes belong to the video group; log in again")
    yield Finding(NODE, "fail", "CUDA cannot open its device nodes: " + "; ".join(words),
                  evidence=tuple(fact(f"process.device_nodes[{n.path}]",
                                      f"present={n.present}, kind={n.kind}, openable={n.openable}, mode={n.mode}")
                                 for n in bad),
                  why="cuInit opens these nodes first; without them no CUDA program starts.", fix=fix)


def _driver_makes_nodes(env) -> bool:
    """Root with CAP_MKNOD: libcuda makes /dev/nvidiactl, nvidia-uvm and nvidiaN itself (the first CUDA op passed
    with both removed, as root in a container with CAP_MKNOD, on an H100)."""
    c = env.container
    return bool(c and c.uid == 0 and c.capabilities and "CAP_MKNOD" in c.capabilities)


def _node_words(n) -> str:
    if not n.present:
        return f"{n.path} missing"
    if n.kind != "char":
        return f"{n.path} is a {n.kind}, not a character device"
    return f"{n.path} not openable read-write by this user (mode {n.mode})"


# -- driver library against the kernel module -----------------------------------------------------------------
def driver_mismatch(env, matrix):
    proc = env.process
    if proc is None or proc.kernel_module is None:
        return
    said = (env.driver.attempts or {}).get("nvml", "") if env.driver else ""
    if "mismatch" in said.lower():
        return   # nvml-failing says it, in NVML's own words
    kernel = str(proc.kernel_module)
    fix = (f"cat /proc/driver/nvidia/version    # the kernel module: {kernel}",
           "sudo reboot    # on a host after a driver upgrade (or unload and reload the nvidia modules with no GPU "
           "process running); in a container: recreate it so the runtime mounts the host's libraries")
    sys_cuda = next((d for d in proc.libcuda or () if d.environment is None), None)
    if sys_cuda and sys_cuda.version and not sys_cuda.stub and "/compat/" not in (sys_cuda.path or "") \
            and str(sys_cuda.version) != kernel:
        yield Finding(MISMATCH, "fail",
                      f"libcuda {sys_cuda.version} ({sys_cuda.path}) is not the kernel module's {kernel}: cuInit fails "
                      f"(CUDA error 803), NVML says 'Driver/library version mismatch'",
                      evidence=(fact("process.libcuda.version", sys_cuda.version),
                                fact("process.kernel_module", kernel)),
                      why="The user-space driver and the kernel module come from one driver release and must match.",
                      fix=fix)
        return
    if proc.nvml_library_version and str(proc.nvml_library_version) != kernel:
        yield Finding(NVML_MISMATCH, "warn",
                      f"libnvidia-ml {proc.nvml_library_version} ({proc.nvml_library}) is not the kernel module's "
                      f"{kernel}: nvidia-smi and NVML fail with 'Driver/library version mismatch'",
                      evidence=(fact("process.nvml_library_version", proc.nvml_library_version),
                                fact("process.kernel_module", kernel)),
                      why="NVML checks its own version against the kernel module's and refuses to start.", fix=fix)


RULES = [libcuda_stub, libcuda_unusable, visible_devices, device_nodes, driver_mismatch]
