"""The judgements every install path shares: can this driver run a CUDA build, does the GPU have kernels in it.

Each returns (status, reasons, blockers): status is ok | risky | blocked; every line cites the fact (its path
in the Environment) and the matrix row it used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from envcheck.matrix.compat import min_driver_for_cuda, min_driver_mvc
from envcheck.matrix.load import Row
from envcheck.matrix.rows import CudaRules
from envcheck.recommend.machine import Machine
from envcheck.recommend.model import BLOCKED, OK, RISKY, Status, worse
from envcheck.versions import Version


@dataclass
class Judgement:
    status: Status = OK
    reasons: List[str] = field(default_factory=list)
    blockers: List[str] = field(default_factory=list)
    risks: List[str] = field(default_factory=list)      # the reasons that made it risky, in order (also in reasons)
    needs_driver: Optional[Version] = None      # the lowest driver that would run it (for the driver path)
    needs_driver_ref: Optional[str] = None
    compat_package: Optional[str] = None        # forward compatibility: the cuda-compat package that bridges it
    compat_dir: Optional[str] = None            # where that package puts its libraries (for LD_LIBRARY_PATH)
    # what some lines state, kept as facts so nobody parses the text back (fleet verdicts, recommend's answers):
    stated_drivers: Dict[str, str] = field(default_factory=dict)   # line -> the driver minimum it states
    cuda_build: Optional[str] = None            # the CUDA a "... is built with CUDA X" line states (X)
    missing_arch: Optional[str] = None          # the GPU's sm an "is not among the architectures" blocker names

    def worsen(self, status: Status) -> None:
        self.status = worse(self.status, status)

    def block(self, text: str, driver: Optional[Version] = None) -> None:
        """A blocker; `driver`: the driver minimum the text states."""
        self.blockers.append(text)
        self.state_driver(text, driver)
        self.worsen(BLOCKED)

    def risk(self, text: str, driver: Optional[Version] = None) -> None:
        """A risk; `driver`: the driver minimum the text states."""
        self.reasons.append(text)
        self.risks.append(text)
        self.state_driver(text, driver)
        self.worsen(RISKY)

    def state_driver(self, line: str, driver: Optional[Version]) -> None:
        if driver is not None:
            self.stated_drivers.setdefault(line, str(driver))

    def merge(self, other: "Judgement") -> None:
        self.reasons.extend(other.reasons)
        self.blockers.extend(other.blockers)
        self.risks.extend(other.risks)
        self.worsen(other.status)
        if other.needs_driver is not None and (self.needs_driver is None or other.needs_driver > self.needs_driver):
            self.needs_driver, self.needs_driver_ref = other.needs_driver, other.needs_driver_ref
        if other.compat_package and not self.compat_package:
            self.compat_package, self.compat_dir = other.compat_package, other.compat_dir
        for line, driver in other.stated_drivers.items():
            self.stated_drivers.setdefault(line, driver)
        self.cuda_build = self.cuda_build or other.cuda_build
        self.missing_arch = self.missing_arch or other.missing_arch



@dataclass
class PathCandidate:
    """One install path as judged, before ranking turns it into a model.InstallPath."""
    kind: str                       # one of model.KINDS
    version: str
    verdict: Judgement
    commands: List[str]
    disk: Optional[float]
    affects: List[str]
    python: Optional[str] = None
    environment: Optional[str] = None
    venv: Optional[str] = None
    read: bool = False              # an image read from its files (recommend --image)
    judged_from: Optional[str] = None

def cuda_rules(m: Machine) -> CudaRules:
    return CudaRules.of(m.matrix.extra("cuda"))


def mvc_limits(m: Machine) -> List[str]:
    return cuda_rules(m).mvc_limits


def _cuda_ref(m: Machine) -> str:
    rows = m.matrix.rows("cuda")
    return f"{rows[0].file.rsplit('/', 1)[-1]} rules" if rows else "cuda.yaml rules"


@dataclass(frozen=True)
class _Minimums:
    """The drivers a CUDA build needs: natively (`need`, from `need_row`) and through minor-version compatibility
    (`floor`: that floor where the matrix has one, else `need`; `floor_ref` cites it)."""
    need: Optional[Version]
    need_row: Optional[Row]
    floor: Optional[Version]
    floor_ref: str


def _minimums(m: Machine, build: Version, major_only: bool) -> _Minimums:
    at = build if not major_only else f"{build.major}.0"
    need, need_row = min_driver_for_cuda(m.matrix, at)
    mvc, mvc_row = min_driver_mvc(m.matrix, at)
    floor_row = mvc_row or need_row
    return _Minimums(need, need_row, mvc or need, floor_row.ref() if floor_row is not None else "cuda.yaml")


def judge_cuda(m: Machine, build: Optional[Version], what: str, ref: str, major_only: bool = False) -> Judgement:
    """Can the driver run `what`, built with CUDA `build` (from the row `ref`)?"""
    v = Judgement()
    if build is None:
        v.risk(f"the CUDA version {what} is built with is not in the matrix ({ref}): the driver cannot be weighed")
        return v
    build_text = str(build.major) if major_only else str(build)
    if m.driver_version is None or m.cuda is None:
        return _unknown_driver_cuda(m, build, what, ref, build_text)
    v = _known_driver_cuda(m, build, f"{what} is built with CUDA {build_text} ({ref})", major_only)
    v.cuda_build = build_text
    return v


def _known_driver_cuda(m: Machine, build: Version, said: str, major_only: bool) -> Judgement:
    """A driver whose CUDA version is known; `said` states the build."""
    mins = _minimums(m, build, major_only)
    drv = m.cuda
    if build.major > drv.major:
        return _newer_major(m, build, said, mins)
    if build.major < drv.major:
        return Judgement(reasons=[f"{said}; {m.driver_fact()}: an older CUDA major runs on a newer driver "
                                  f"(backward compatibility)"])
    if major_only:
        v = Judgement()
        v.risk(f"{said}; the minor version is not in the matrix: {m.driver_fact()} runs "
               f"CUDA {drv.major}.x up to {drv} natively, and a newer {drv.major}.x build loads only through "
               f"minor-version compatibility ({_cuda_ref(m)}.minor_version_compatibility)")
        return v
    if (build.major, build.minor) <= (drv.major, drv.minor):
        return _same_or_older_minor(m, build, said, mins)
    return _newer_minor(m, build, said, mins)


def _unknown_driver_cuda(m: Machine, build: Version, what: str, ref: str, build_text: str) -> Judgement:
    """No driver, an unknown driver, or a driver whose CUDA version is not known."""
    v = Judgement()
    shown = f"CUDA {build_text}"
    if m.driver_version is None:
        if m.no_driver:
            v.block(f"no NVIDIA driver ({m.driver_fact()}): nothing built on CUDA runs here; {what} needs "
                    f"{shown} ({ref})")
        else:
            v.risk(f"the driver is unknown (no driver section): cannot tell whether {shown} ({ref}) runs here")
        return v
    old = m.driver.older_than
    if old is not None and build >= old:  # below every minimum from `old` on: known not to run, not unknown
        v.block(f"{what} is built with {shown} ({ref}); {m.driver.how}")
        v.cuda_build = build_text
        return v
    v.risk(f"{m.driver_fact()}: cannot tell whether {shown} ({ref}) runs here")
    return v


def _newer_major(m: Machine, build: Version, said: str, mins: _Minimums) -> Judgement:
    """A build of a newer CUDA major than the driver's: only forward compatibility (data-center GPUs) bridges it."""
    v = Judgement()
    v.needs_driver, v.needs_driver_ref = mins.floor, mins.floor_ref
    branches = cuda_rules(m).forward_branches
    branch = str(m.driver_version.major)
    text = (f"{said}; {m.driver_fact()}: a CUDA {build.major} build needs driver "
            f">= {mins.floor} ({mins.floor_ref}) and minor-version compatibility never crosses a major")
    if m.datacenter and branch in branches:
        v.compat_package = f"cuda-compat-{build.major}-{build.minor}"
        v.compat_dir = f"/usr/local/cuda-{build.major}.{build.minor}/compat"
        v.risk(text + f"; forward compatibility (cuda-compat-{build.major}-{build.minor}) can bridge it on this "
                      f"data-center GPU ({m.gpu_fact()}; {_cuda_ref(m)}.forward_compatibility, driver branch "
                      f"{branch} listed), with its limits: no kernel-driver change, an LD_LIBRARY_PATH the "
                      f"process honours, no CUDA-OpenGL interop", driver=mins.floor)
        return v
    why = ("forward compatibility (cuda-compat) does not help: it is for data-center GPUs only, not "
           f"GeForce/consumer cards ({m.gpu_fact()}; {_cuda_ref(m)}.forward_compatibility.supported_gpus)"
           if m.datacenter is False else
           f"forward compatibility (cuda-compat) helps only data-center GPUs and this GPU's class is "
           f"unknown ({m.gpu_fact()})" if m.datacenter is None else
           f"driver branch {branch} is not a forward-compatibility target ({_cuda_ref(m)}.forward_compatibility)")
    v.block(text + "; " + why, driver=mins.floor)
    return v


def _same_or_older_minor(m: Machine, build: Version, said: str, mins: _Minimums) -> Judgement:
    v = Judgement()
    need, need_row = mins.need, mins.need_row
    if need is not None and need_row is not None and m.driver_version is not None and m.driver_version < need:
        # CUDA X.Y Update N needs more than X.Y GA (12.8.1: 570.124.06, 12.8: 570.26): a GA-era driver of the
        # same branch runs such a build only through minor-version compatibility
        v.needs_driver, v.needs_driver_ref = need, need_row.ref()
        v.risk(f"{said}; {m.driver_fact()} is older than the {need} that CUDA "
               f"{build} needs natively ({need_row.ref()}, that update's minimum): it loads only through "
               f"minor-version compatibility (driver >= {mins.floor}, {mins.floor_ref}){_limits_text(m)} "
               f"({_cuda_ref(m)}.minor_version_compatibility)")
        return v
    v.reasons.append(f"{said}; {m.driver_fact()}: the driver runs it natively")
    return v


def _newer_minor(m: Machine, build: Version, said: str, mins: _Minimums) -> Judgement:
    """Same major, newer minor than the driver's: minor-version compatibility, above its floor."""
    v = Judgement()
    if mins.floor is not None and m.driver_version < mins.floor:
        v.needs_driver, v.needs_driver_ref = mins.floor, mins.floor_ref
        v.block(f"{said}; {m.driver_fact()} is below the CUDA {build.major}.x "
                f"minor-version-compatibility floor {mins.floor} ({mins.floor_ref})", driver=mins.floor)
        return v
    v.needs_driver, v.needs_driver_ref = mins.need, (mins.need_row.ref() if mins.need_row is not None else None)
    v.risk(f"{said}, newer than the CUDA {m.cuda} of {m.driver_fact()}: it loads only "
           f"through minor-version compatibility (driver >= {mins.floor}, {mins.floor_ref}; natively it needs >= "
           f"{mins.need}){_limits_text(m)} ({_cuda_ref(m)}.minor_version_compatibility)")
    return v


def _limits_text(m: Machine) -> str:
    limits = mvc_limits(m)
    return ("; limits: " + " | ".join(" ".join(str(x).split()) for x in limits[:2])) if limits else ""


def _short(text: str, n: int = 150) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def judge_arch(m: Machine, sm_list, what: str, ref: str) -> Judgement:
    v = Judgement()
    if not sm_list:
        v.reasons.append(f"the GPU architectures {what} supports are not in the matrix ({ref})")
        return v
    if m.sm is None:
        if m.gpu_name or m.driver_version is not None:
            v.reasons.append(f"the GPU's compute capability is unknown: cannot check it against sm {', '.join(map(str, sm_list))} ({ref})")
        return v
    sms = [str(s) for s in sm_list]
    if m.sm in sms:
        v.reasons.append(f"{m.gpu_fact()} is among the architectures {what} ships kernels for ({ref})")
    else:
        v.missing_arch = m.sm if m.gpu_name else None     # the sm gpu_fact() names
        v.block(f"{m.gpu_fact()} is not among the architectures {what} ships kernels for (sm {', '.join(sms)}; {ref}): "
                f"'no kernel image is available for execution on the device'")
    return v


def rows_ref(rows: List[Row]) -> str:
    return ", ".join(r.ref() for r in rows) if rows else "matrix/paths.yaml (no row)"
