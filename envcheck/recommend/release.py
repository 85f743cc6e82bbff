"""One release of a target as something to install: its CUDA build, Pythons, torch pin, GPU architectures, the
packages and index to name. Built from the matrix rows only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from packaging.specifiers import SpecifierSet

from envcheck.matrix.load import Row
from envcheck.matrix.rows import PathFacts, TargetRow
from envcheck.recommend.machine import Machine
from envcheck.recommend.targets import Target, cu_version, newest_torch_for, path_facts, spec_of
from envcheck.versions import Version, parse


@dataclass
class Release:
    target: Target
    row: Row
    version: str
    build_cuda: Optional[Version]
    major_only: bool
    pythons: Tuple[str, ...]
    torch_spec: Optional[SpecifierSet]
    sm: Tuple[str, ...]
    requirement: str                        # "tensorrt-llm==0.19.0"
    index_args: Tuple[str, ...]             # ("--extra-index-url", "https://pypi.nvidia.com")
    facts: PathFacts                        # matrix/paths.yaml facts for this release
    fact_rows: List[Row]
    pre_commands: List[str] = field(default_factory=list)  # pip args run before (e.g. a torch build)
    notes: List[str] = field(default_factory=list)
    risky_notes: List[str] = field(default_factory=list)   # reasons that make the path risky (e.g. a guessed build)
    checks: List[str] = field(default_factory=list)        # pip args checking the guess, run first
    cuda_label: Optional[str] = None                         # what the CUDA judgement names, when not the release
    cpu_only: bool = False                                   # the CPU build: no CUDA to judge, no GPU kernels

    @property
    def ref(self) -> str:
        return self.row.ref()

    @property
    def label(self) -> str:
        return f"{self.target.name} {self.version}"

    @property
    def view(self) -> TargetRow:
        """Its matrix row's fields."""
        return TargetRow.of(self.row)


class PackageRow(Row):
    """Stands in for the matrix row a pinned package outside the matrix does not have; cited as such."""

    def ref(self) -> str:
        return f"no matrix row for {self.subject}"


def package_release(target: Target) -> Release:
    """A pinned pip package the matrix does not describe: nothing but its name and version is known."""
    version = target.text[2:] if target.text and target.text.startswith("==") else str(target.spec)
    row = PackageRow(subject=target.name, data={"version": version}, file="", line=0)
    return Release(target=target, row=row, version=version, build_cuda=None, major_only=False, pythons=(),
                   torch_spec=None, sm=(), requirement=f"{target.dist}=={version}", index_args=(), facts=PathFacts(),
                   fact_rows=[],
                   notes=[f"{target.name} is not a target the matrix describes: where it goes is judged, not its "
                          f"CUDA build or GPU kernels; `envcheck apply` installs it and then proves the import and "
                          f"its native libraries"])


def _pylist(value) -> Tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.replace(",", " ").split() if p.strip())
    return tuple(str(p) for p in value)


def release_for(m: Machine, target: Target, row: Row) -> Release:
    merged, used = path_facts(m.matrix, target.name, row.version)
    facts = PathFacts.of(merged)
    view = TargetRow.of(row)
    v = row.version
    index_args: Tuple[str, ...] = ()
    pre: List[str] = []
    notes: List[str] = []
    risky_notes: List[str] = []
    checks: List[str] = []
    major_only = False
    build = None
    requirement = f"{target.dist}=={v}"
    if target.name == "tensorrt-llm" or target.name in ("vllm", "sglang"):
        build = parse(view.cuda)
        if build is not None and str(view.cuda).strip().isdigit():
            # the major alone ("13": refresh read libcudart.so.13 but no minor): judged as CUDA 13.x of unknown
            # minor, as a TensorRT row's major is
            build, major_only = Version(f"{build.major}.0"), True
        url = view.index_url or facts.index_url
        if url and (view.index in (None, "nvidia") or target.name != "tensorrt-llm"):
            index_args = ("--extra-index-url", str(url).rstrip("/"))
    elif target.name == "tensorrt":
        majors = sorted({int(x) for x in (view.cuda or []) if str(x).isdigit()})
        pick = None
        if majors:
            fits = [x for x in majors if m.cuda is None or x <= m.cuda.major]
            pick = max(fits) if fits else min(majors)
        if pick is not None:
            build, major_only = Version(f"{pick}.0"), True
            names = [str(n) for n in view.pypi or ()]
            if f"tensorrt-cu{pick}" in names:
                requirement = f"tensorrt-cu{pick}=={v}"
        if facts.index_url:
            index_args = ("--extra-index-url", str(facts.index_url).rstrip("/"))
    elif target.name == "torch":
        unknown_builds = None
        builds = [b for b in (view.cuda or []) if cu_version(b) is not None]
        default = view.default_cuda
        chosen = default
        if m.cuda is not None and builds:
            fitting = [b for b in builds if (cu_version(b).major, cu_version(b).minor) <= (m.cuda.major, m.cuda.minor)]
            same_major = [b for b in fitting if cu_version(b).major == m.cuda.major] or fitting
            if default in fitting:
                chosen = default
            elif same_major:
                chosen = max(same_major, key=cu_version)
        dv = cu_version(default)
        if (not builds and dv is not None and m.cuda is not None and dv.major > m.cuda.major
                and facts.index_url_pattern):
            # the row does not list its cuXXX builds (unknown): PyPI's default needs a newer driver, but a build for
            # this driver's CUDA may exist on PyTorch's index; not blocked on a guess, risky and checked first
            chosen = f"cu{m.cuda.major}{m.cuda.minor}"
            unknown_builds = (f"{target.name} {v}: the CUDA builds it publishes are not in the matrix ({row.ref()} "
                              f"has no 'cuda' list); PyPI's default is {default}, which this driver cannot run; "
                              f"whether a {chosen} build exists on PyTorch's index is unknown: the first command "
                              f"checks it")
        build = cu_version(chosen)
        if chosen and chosen != default and facts.index_url_pattern:
            index_args = ("--index-url", str(facts.index_url_pattern).replace("{cuda}", str(chosen)))
            notes.append(f"the {chosen} build comes from PyTorch's own index; plain PyPI has {default}")
        if unknown_builds:
            risky_notes.append(unknown_builds)
            url = str(facts.index_url_pattern).replace("{cuda}", str(chosen))
            checks.append(f'pip download --no-deps --only-binary=:all: "torch=={v}" --index-url {url} -d /tmp/torch-check'
                          f'    # fails if PyTorch publishes no {chosen} build of {v}')
    torch_spec = spec_of(view.torch) if target.name != "torch" else None
    if torch_spec is not None and build is not None:
        _torch_first(m, target, v, build, torch_spec, facts, pre, notes)
    return Release(target=target, row=row, version=v, build_cuda=build, major_only=major_only,
                   pythons=_pylist(view.python), torch_spec=torch_spec,
                   sm=tuple(str(s) for s in view.sm or ()), requirement=requirement, index_args=index_args,
                   facts=facts, fact_rows=used, pre_commands=pre, notes=notes,
                   risky_notes=risky_notes, checks=checks,
                   cuda_label=(f"a {chosen} build of {target.name} {v} (if PyTorch publishes one)"
                               if target.name == "torch" and checks else None))


def _torch_first(m: Machine, target: Target, v: str, build: Version, torch_spec: SpecifierSet, facts: PathFacts,
                 pre: List[str], notes: List[str]) -> None:
    """A release built for CUDA N whose torch pin resolves to a torch of another CUDA major: name the matching
    build, installed first (adds to `pre` and `notes`)."""
    trow = newest_torch_for(m.matrix, torch_spec)
    if trow is None:
        return
    torch_row = TargetRow.of(trow)
    dflt = cu_version(torch_row.default_cuda)
    same = [b for b in torch_row.cuda or () if cu_version(b) is not None and cu_version(b).major == build.major]
    if dflt is not None and dflt.major != build.major and same and facts.torch_index_url_pattern:
        b = max(same, key=cu_version)
        url = str(facts.torch_index_url_pattern).replace("{cuda}", str(b))
        pre.append(f'"torch=={trow.version}" --index-url {url}')
        notes.append(f"torch {trow.version} on PyPI is built for {torch_row.default_cuda} ({trow.ref()}), "
                     f"another CUDA major than {target.name} {v}: install its {b} build first")
