"""Facts about the process that will run, beyond its files: the libcuda.so.1 it loads, the GPUs its environment
variables leave it, the device nodes it opens, and whether the driver's user-space libraries match the kernel."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from envcheck.model.base import field
from envcheck.versions import Version


@dataclass(frozen=True)
class DriverLibrary:
    """The libcuda.so.1 the dynamic loader would pick when the CUDA runtime asks for it."""
    environment: Optional[str] = field("the Python environment (prefix) whose view this is; unset: a program "
                                       "without RPATH/RUNPATH")
    path: Optional[str] = field("the file the loader picks (symlinks resolved); unset: none found")
    via: Optional[str] = field("where it was found: LD_LIBRARY_PATH, RUNPATH, ld.so.cache, default-dir, ...")
    stub: Optional[bool] = field("the CUDA toolkit's link-time stub, not the driver (every call returns "
                                 "CUDA_ERROR_STUB_LIBRARY, 34)")
    stub_evidence: Optional[str] = field("what in the file showed it is (or is not) a stub")
    version: Optional[Version] = field("the driver version in the file's name, e.g. 580.159.04")
    driver_copy: Optional[str] = field("where the real driver's libcuda.so.1 is, when the loader picks another file")
    unusable: Optional[str] = field("a libcuda.so.1 the loader meets first and cannot load, with glibc's error: the "
                                    "search stops there, so CUDA finds no driver ('/usr/lib/x86_64-linux-gnu/"
                                    "libcuda.so.1: file too short')")
    error: Optional[str] = field("why it could not be read")


@dataclass(frozen=True)
class VisibleDevices:
    """What CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER leave a CUDA program."""
    cuda_visible_devices: Optional[str] = field("the variable's value; unset: every GPU is visible")
    nvidia_visible_devices: Optional[str] = field("the value the container runtime was given (which GPUs it mounted)")
    cuda_device_order: Optional[str] = field("FASTEST_FIRST (CUDA's default) or PCI_BUS_ID (nvidia-smi's order)")
    visible: Optional[Tuple[str, ...]] = field("the GPUs CUDA will enumerate, as 'index (UUID)' of the driver's GPUs")
    ignored: Optional[Tuple[str, ...]] = field("entries CUDA ignores: the first invalid one and all after it")
    reason: Optional[str] = field("why an entry is invalid")


@dataclass(frozen=True)
class DeviceNode:
    """One /dev/nvidia* node a CUDA program opens."""
    path: str
    present: Optional[bool] = field()
    kind: Optional[str] = field("char (a character device), or what else is there: file, dir, ...")
    openable: Optional[bool] = field("readable and writable by this user (os.access)")
    mode: Optional[str] = field("permission bits, e.g. 0666")


@dataclass(frozen=True)
class ProcessView:
    """What a CUDA program started here would meet before its first kernel."""
    libcuda: Optional[Tuple[DriverLibrary, ...]] = field("the libcuda.so.1 each environment would load")
    devices: Optional[VisibleDevices] = field()
    device_nodes: Optional[Tuple[DeviceNode, ...]] = field("/dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidiaN")
    kernel_module: Optional[Version] = field("the loaded kernel module's version (/proc/driver/nvidia/version)")
    nvml_library: Optional[str] = field("the libnvidia-ml.so.1 the loader picks")
    nvml_library_version: Optional[Version] = field("its version, from the file name")
    ld_library_path: Optional[str] = field("LD_LIBRARY_PATH as the process gets it (the fix for a stub names it)")
    nvidia_modprobe: Optional[bool] = field("nvidia-modprobe is installed: the driver creates missing /dev/nvidia* "
                                            "nodes on first use (on a host; a container cannot)")
    errors: Optional[Dict[str, str]] = field("facts that could not be read, with the reason")
