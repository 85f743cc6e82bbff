"""The facts of one machine that install paths are judged on, each with the Environment path it came from.

Pure: reads the Environment and the matrix, never the OS. A fact that the Environment does not hold is
``None`` and is named in ``missing`` so a recommendation can say what it could not judge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import List, Optional, Tuple

from envcheck.matrix.compat import DriverCuda, driver_max_cuda, gpu_row, is_datacenter
from envcheck.matrix.load import Matrix, Row
from envcheck.matrix.rows import GpuRow
from envcheck.versions import Version


@dataclass(frozen=True)
class Interpreter:
    """A Python that could create a fresh venv, or an environment that could receive an install."""
    path: str
    version: Version
    kind: str                       # system | venv | conda | pyenv | uv | base (a venv's base interpreter)
    where: str                      # the Environment path: "pythons[1]" or "pythons[1].base"
    prefix: Optional[str] = None
    packages: Optional[dict] = None
    torch_cuda: Optional[Version] = None
    venv_ok: Optional[bool] = None  # ensurepip in its stdlib: `-m venv` gives a venv with pip (None: not known)

    @cached_property
    def minor(self) -> str:
        """X.Y (computed once: recommend asks it of every interpreter for every release)."""
        return self.version.major_minor()

    @property
    def is_env(self) -> bool:
        """An environment one could install into (not a bare base interpreter)."""
        return self.kind != "base"


@dataclass
class Machine:
    env: object
    matrix: Matrix
    driver: DriverCuda
    driver_version: Optional[Version]
    no_driver: bool                  # the scan looked and found no driver (as opposed to: not known)
    gpu_name: Optional[str]
    gpu_cc: Optional[str]            # "8.9"
    gpu_row: Optional[Row]
    datacenter: Optional[bool]
    in_container: Optional[bool]
    privileged: Optional[bool]
    caps: Optional[Tuple[str, ...]]
    vendor: Optional[str]
    uid: Optional[int]
    free_gib: Optional[float]
    free_where: Optional[str]
    interpreters: List[Interpreter]
    missing: List[str] = field(default_factory=list)

    @cached_property
    def envs(self) -> List[Interpreter]:
        """The environments (not bare base interpreters), in discovery order."""
        return [it for it in self.interpreters if it.is_env]

    def capped(self, line, rest: str, keep=None, limit: int = 10) -> List[str]:
        """line(it) for the first `limit` environments (and for `keep`, wherever it is), then one line counting
        the rest (`rest` says what happens to them): a report on 10,000 venvs stays readable, and its size does
        not grow by one line per environment for every install path."""
        head = self.envs[:limit]
        extra = [keep] if keep is not None and not any(it is keep for it in head) else []
        out = [line(it) for it in head + extra]
        more = len(self.envs) - len(head) - len(extra)
        if more > 0:
            out.append(f"{more:,} more environments (envcheck scan lists them): {rest}")
        return out

    @cached_property
    def env_groups(self) -> List[List[Interpreter]]:
        """The environments one could install into (venv, conda, uv), grouped by every fact an install path judges
        them on (kind, Python, torch's CUDA, packages), groups in the order of their first member. Judging a
        release once per group keeps recommend and gate linear in the number of environments with a small
        constant (10,000 identical venvs are one group)."""
        groups: dict = {}
        for it in self.interpreters:
            if not it.is_env or it.kind not in ("venv", "conda", "uv"):
                continue
            key = (it.kind, str(it.version), str(it.torch_cuda), frozenset((it.packages or {}).items()))
            groups.setdefault(key, []).append(it)
        return list(groups.values())

    @cached_property
    def fresh_order(self) -> List[Interpreter]:
        """Interpreters in the order a fresh venv prefers them (system first, newest Python first), sorted once
        per machine so that judging R releases on N environments costs R*N cheap look-ups, not R sorts."""
        order = {"system": 0, "base": 1, "pyenv": 2, "uv": 3, "conda": 4, "venv": 5}
        return sorted(self.interpreters, key=lambda it: (order.get(it.kind, 9), -it.version.major, -it.version.minor))

    @cached_property
    def fresh_by_minor(self) -> dict:
        """X.Y -> (position in fresh_order, the first interpreter of fresh_order with that Python)."""
        out: dict = {}
        for i, it in enumerate(self.fresh_order):
            out.setdefault(it.minor, (i, it))
        return out

    @property
    def no_usable_gpu(self) -> bool:
        """The scan looked and found no NVIDIA driver, or no GPU: nothing built on CUDA runs here (unknown is not
        this: a hand-written document that leaves the driver or the GPUs out says nothing about them)."""
        gpus = getattr(self.env, "gpus", None)
        return self.no_driver or (gpus is not None and len(gpus) == 0)

    @property
    def sm(self) -> Optional[str]:
        return self.gpu_cc.replace(".", "") if self.gpu_cc else None

    @property
    def cuda(self) -> Optional[Version]:
        return self.driver.cuda

    @property
    def sudo(self) -> str:
        """'sudo ' before a system command, unless the scan says we are root."""
        return "" if self.uid == 0 else "sudo "

    def driver_fact(self) -> str:
        if self.driver_version is None:
            return "driver.version unknown" if not self.no_driver else "driver.version = none (no NVIDIA driver found)"
        if self.cuda is None and self.driver.older_than is not None:
            return (f"driver.version = {self.driver_version} -> no CUDA {self.driver.older_than}+ build "
                    f"(needs >= {self.driver.older_than_floor})")
        if self.cuda is None:
            return f"driver.version = {self.driver_version} (its CUDA is unknown)"
        return f"driver.version = {self.driver_version} -> CUDA <= {self.cuda} ({self.driver.how})"

    def gpu_fact(self) -> str:
        if not self.gpu_name:
            return "gpus unknown"
        cls = GpuRow.of(self.gpu_row).gpu_class if self.gpu_row is not None else None
        ref = f", {cls} per {self.gpu_row.ref()}" if self.gpu_row is not None else ", not in the matrix"
        return f"gpus[0].name = {self.gpu_name} (sm_{self.sm or '?'}{ref})"

    def disk_fact(self) -> str:
        if self.free_gib is None:
            return "disk unknown"
        return f"disk[{self.free_where}].free_gib = {self.free_gib:g}"

    def caps_lacking(self, *names: str) -> List[str]:
        if self.caps is None:
            return []
        return [n for n in names if n not in self.caps]

    def venv_dir(self, name: str) -> str:
        """Where a fresh venv goes: beside an existing venv (e.g. /workspace), else under the home directory."""
        for it in self.interpreters:
            if it.kind == "venv" and it.prefix and it.prefix.count("/") >= 2:
                parent = it.prefix.rstrip("/").rsplit("/", 1)[0]
                return f"{parent}/{name}"
        return f"~/venvs/{name}"


def machine(env, matrix: Matrix) -> Machine:
    missing: List[str] = []
    drv = env.driver
    dc = driver_max_cuda(env, matrix)
    no_driver = drv is not None and drv.version is None
    if drv is None:
        missing.append("driver (driver.version, driver.cuda): whether a CUDA build runs here cannot be judged")
    elif drv.version is not None and dc.cuda is None and dc.older_than is None:
        missing.append(f"driver.cuda: {dc.how}")

    gpu_name = gpu_cc = None
    row = None
    if env.gpus:
        g = env.gpus[0]
        gpu_name = g.name
        gpu_cc = str(g.compute_capability) if g.compute_capability else None
        row = gpu_row(matrix, g.name)
        listed = GpuRow.of(row).compute_capability if row is not None else None
        if gpu_cc is None and listed:
            gpu_cc = str(listed)
        if gpu_cc is None:
            missing.append("gpus[0].compute_capability: whether a release has kernels for this GPU cannot be judged")
    elif env.gpus is None:
        missing.append("gpus: the GPU's architecture (sm) and class (data-center or consumer) are unknown")
    dc_class = is_datacenter(row)

    c = env.container
    if c is None:
        missing.append("container: whether this runs in a container (and may change the driver or run Docker) is unknown")

    free = where = None
    best = None
    for i, d in enumerate(env.disk or ()):
        if d.free_gib is None or d.role == "shm":  # /dev/shm is memory, not where installs land
            continue
        roles = (d.role or "").split(",")
        score = (("pip-cache" in roles) * 2 + ("root" in roles) + (d.path == "/"), d.free_gib)
        if best is None or score > best[0]:
            best = (score, i, d)
    if best is not None:
        free, where = best[2].free_gib, str(best[1])
    else:
        missing.append("disk: free space is unknown, so disk needs are not weighed")

    interps: List[Interpreter] = []
    for i, p in enumerate(env.pythons or ()):
        if p.version is None:
            continue
        interps.append(Interpreter(p.path, p.version, p.kind or "unknown", f"pythons[{i}]", p.prefix,
                                   dict(p.packages or {}), p.torch_cuda, p.venv_module))
        if p.kind == "venv" and p.base:  # a venv's venv_module describes its base's stdlib
            interps.append(Interpreter(p.base, p.version, "base", f"pythons[{i}].base", venv_ok=p.venv_module))
    if env.pythons is None:
        missing.append("pythons: which interpreters and environments exist is unknown")

    return Machine(env=env, matrix=matrix, driver=dc, driver_version=drv.version if drv else None,
                   no_driver=no_driver, gpu_name=gpu_name, gpu_cc=gpu_cc, gpu_row=row, datacenter=dc_class,
                   in_container=c.in_container if c else None, privileged=c.privileged if c else None,
                   caps=tuple(c.capabilities) if c and c.capabilities is not None else None,
                   vendor=c.vendor if c else None, uid=c.uid if c else None,
                   free_gib=free, free_where=where, interpreters=interps, missing=missing)

