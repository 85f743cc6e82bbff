"""Facts about a container image: where it came from, its config (Env, entrypoint, user, labels), how it was read.

Filled by ``envcheck scan --image REF`` (envcheck/image/); the image's files themselves land in the usual sections
(host.os/glibc, cuda_toolkits, libraries, pythons) because an image is one more Root."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from envcheck.model.base import field


@dataclass(frozen=True)
class Image:
    """A container image read without running it."""
    ref: str
    digest: Optional[str] = field("digest of the platform manifest that was read (sha256:...); none for a docker-save archive")
    config_digest: Optional[str] = field("digest of the image config blob")
    platform: Optional[str] = field("os/architecture[/variant] of the manifest that was read")
    source: Optional[str] = field("oci-layout, docker-archive, oci-archive, registry or docker-daemon")
    created: Optional[str] = field("the config's created time")
    layers: Optional[int] = field("number of layers applied")
    compressed_bytes: Optional[int] = field("bytes of layer blobs read")
    uncompressed_bytes: Optional[int] = field("bytes of layer tar streams after decompression")
    kept_bytes: Optional[int] = field("bytes envcheck kept on disk to scan it (headers, metadata)")
    env: Optional[Dict[str, str]] = field("config Env, allow-listed names only, token-like values redacted")
    entrypoint: Optional[Tuple[str, ...]] = field()
    cmd: Optional[Tuple[str, ...]] = field()
    user: Optional[str] = field("config User ('' or missing: root)")
    workdir: Optional[str] = field()
    labels: Optional[Dict[str, str]] = field("config Labels (token-like values redacted)")
    cuda_compat: Optional[Tuple[str, ...]] = field("cuda-compat libcuda.so files in the image (forward compatibility)")
    driver_libs: Optional[Tuple[str, ...]] = field("driver user-space libraries baked into the image (the NVIDIA "
                                                   "container toolkit mounts the host's over them)")
    skipped: Optional[Tuple[str, ...]] = field("special files (devices, FIFOs) not materialised, first 20")
    partial: Optional[Tuple[str, ...]] = field("ELF files whose needed bytes lay beyond what was kept, first 20")
    on_host: Optional[str] = field("image-on-host: where the host's driver, GPUs and runtime came from")
