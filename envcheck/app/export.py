"""`export`: the facts a resolver needs about the target machine (the torch build it runs natively, the highest CUDA
its driver supports, its glibc), so that uv, conda, pixi or pip can resolve or lock for it from another machine."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from envcheck.app.inputs import Inputs

if TYPE_CHECKING:
    from envcheck.recommend.backend import TorchBuild

FORMATS = ("uv", "conda", "pixi", "pip")
_PLAIN_VERSION = re.compile(r"\d{1,4}(?:\.\d{1,6}){0,3}")   # what may reach a shell line or a TOML string


@dataclass(frozen=True)
class HostProfile:
    """What the target machine is, for a resolver: each fact with the sentence that says where it came from."""
    source: str                     # "from host.json", "scan of this machine"
    matrix_version: str
    driver: Optional[str]           # "570.195.03"; None: no driver seen, or not known
    driver_cuda: Optional[str]      # "12.8": the highest CUDA the driver supports (conda's __cuda); None: none/unknown
    driver_known: bool              # False: the facts say nothing about a driver (not: no driver)
    driver_fact: str                # "driver.version = 570.195.03 -> CUDA <= 12.8 (reported by nvml)"
    gpu: Optional[str]
    compute_capability: Optional[str]
    glibc: Optional[str]            # "2.35"; None: unknown (or not a plain version)
    torch: "TorchBuild"

    def to_dict(self) -> dict:
        t = self.torch
        return {"source": self.source, "matrix": self.matrix_version,
                "driver": {"version": self.driver, "cuda": self.driver_cuda, "known": self.driver_known,
                           "fact": self.driver_fact},
                "gpu": {"name": self.gpu, "compute_capability": self.compute_capability}, "glibc": self.glibc,
                "torch": {"backend": t.backend, "release": t.torch, "cuda": str(t.cuda) if t.cuda else None,
                          "index_url": t.index_url, "pypi_default_build": t.default_build,
                          "arch_checked": t.arch_checked, "known": t.known, "row": t.torch_ref, "why": list(t.why)}}


@dataclass(frozen=True)
class ExportResult:
    fmt: str                        # one of FORMATS
    profile: HostProfile


def _plain(value) -> Optional[str]:
    text = str(value) if value is not None else ""
    return text if _PLAIN_VERSION.fullmatch(text) else None


def host_profile(inputs: Inputs) -> HostProfile:
    from envcheck.recommend.backend import torch_build
    from envcheck.recommend.machine import machine

    matrix = inputs.matrix()
    env, source = inputs.environment()
    m = machine(env, matrix)
    cuda = f"{m.cuda.major}.{m.cuda.minor}" if m.cuda is not None else None
    return HostProfile(source=source, matrix_version=str(matrix.version),
                       driver=_plain(m.driver_version) if m.driver_version is not None else None,
                       driver_cuda=_plain(cuda), driver_known=env.driver is not None,
                       driver_fact=m.driver_fact(), gpu=m.gpu_name, compute_capability=m.gpu_cc,
                       glibc=_plain(env.host.glibc) if env.host is not None else None, torch=torch_build(m))


def export(inputs: Inputs, fmt: str) -> ExportResult:
    from envcheck.errors import InputError

    if fmt not in FORMATS:
        raise InputError(f"--for {fmt}: one of {', '.join(FORMATS)}")
    return ExportResult(fmt, host_profile(inputs))
