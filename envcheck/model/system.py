"""Facts about the machine: host, disks, the NVIDIA driver and GPUs, the container."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from envcheck.model.base import field
from envcheck.versions import Version


@dataclass(frozen=True)
class Host:
    """The operating system and the machine's size."""
    os: Optional[str] = field("PRETTY_NAME from os-release, e.g. 'Ubuntu 22.04.4 LTS'")
    os_id: Optional[str] = field("ID from os-release, e.g. 'ubuntu'")
    os_version: Optional[str] = field("VERSION_ID from os-release, e.g. '22.04'")
    kernel: Optional[str] = field("kernel release, e.g. '6.8.0-45-generic'")
    arch: Optional[str] = field("machine architecture, e.g. 'x86_64'")
    glibc: Optional[Version] = field("glibc version, read from libc.so.6's file name or its ELF, not by running ldd")
    cpus: Optional[int] = field("CPUs this process may use")
    memory_gib: Optional[float] = field("MemTotal in GiB")
    errors: Optional[Dict[str, str]] = field("facts that could not be read, with the reason")
    hostname: Optional[str] = field("the kernel's hostname (/proc/sys/kernel/hostname, else /etc/hostname); names "
                                    "the node in `envcheck fleet report`")
    machine_id: Optional[str] = field("app-specific id derived from /etc/machine-id (HMAC-SHA256 keyed by it, as "
                                      "systemd's sd_id128_get_machine_app_specific; the raw id is never stored)")


@dataclass(frozen=True)
class Disk:
    """Free and total space of the filesystem that holds a path that matters."""
    path: str
    role: Optional[str] = field("why it matters: root, home, pip-cache, hf-cache, cwd, ...")
    free_gib: Optional[float] = field()
    total_gib: Optional[float] = field()
    mount: Optional[str] = field("mount point of the filesystem, from /proc/self/mountinfo")
    fstype: Optional[str] = field("filesystem type, e.g. overlay")
    error: Optional[str] = field("why the space could not be read")


@dataclass(frozen=True)
class Driver:
    """The NVIDIA kernel driver: its version and the highest CUDA it supports."""
    version: Optional[Version] = field("driver version, e.g. '570.195.03'")
    cuda: Optional[Version] = field("highest CUDA version the driver supports, e.g. '12.8'")
    source: Optional[str] = field("which source answered: nvml, procfs, nvidia-smi")
    error: Optional[str] = field("why no driver was found (a normal answer on a machine without a GPU)")
    attempts: Optional[Dict[str, str]] = field("each source tried and what it said")


@dataclass(frozen=True)
class Gpu:
    """One GPU as the driver sees it."""
    index: int
    name: Optional[str] = field("e.g. 'NVIDIA GeForce RTX 4090'")
    compute_capability: Optional[Version] = field("e.g. '8.9'")
    memory_mib: Optional[int] = field()
    mig: Optional[bool] = field("MIG mode enabled")
    uuid: Optional[str] = field()
    bus_id: Optional[str] = field()
    source: Optional[str] = field("which source answered")


@dataclass(frozen=True)
class Container:
    """Whether this runs in a container, and what the container may do."""
    runtime: Optional[str] = field("docker, podman, containerd, kubernetes, lxc, ... or 'none'")
    in_container: Optional[bool] = field()
    privileged: Optional[bool] = field("all capabilities in the bounding set and no seccomp filter")
    capabilities: Optional[Tuple[str, ...]] = field("effective capabilities, decoded from CapEff")
    bounding: Optional[Tuple[str, ...]] = field("bounding set, decoded from CapBnd")
    seccomp: Optional[str] = field("disabled, strict or filter")
    no_new_privs: Optional[bool] = field()
    user_namespaces: Optional[bool] = field("unprivileged user namespaces allowed")
    docker_socket: Optional[bool] = field("/var/run/docker.sock present")
    fuse: Optional[bool] = field("/dev/fuse present")
    uid: Optional[int] = field("effective user id")
    vendor: Optional[str] = field("cloud vendor hint from environment variable names: runpod, kubernetes, colab, ...")
    vendor_hints: Optional[Tuple[str, ...]] = field("the environment variable NAMES that gave the hint (never values)")
    evidence: Optional[Tuple[str, ...]] = field("what showed it is a container: /.dockerenv, cgroup path, ...")
    errors: Optional[Dict[str, str]] = field("facts that could not be read, with the reason")
