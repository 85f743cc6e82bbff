"""Typed views of matrix rows: a frozen dataclass per kind of row, its fields the YAML keys of matrix/<subject>.yaml.

A view holds each key's value as the file (or an overlay) wrote it, and None where the row lacks the key, so
reading a field behaves exactly like ``row.get(key)``. ``View.of(row)`` builds one; views of whole rows keep the
row itself for its citation (``view.row.ref()``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional

from envcheck.matrix.tables import Row

DEFAULT_SOURCE_REPO = "https://github.com/NVIDIA/TensorRT-LLM.git"


@dataclass(frozen=True)
class TargetRow:
    """A release row of an install target: matrix/tensorrt-llm.yaml, vllm.yaml, sglang.yaml, tensorrt.yaml or
    torch.yaml. Each field says which of those files carry it; the others leave it None."""
    row: Row
    version: str
    cuda: Any                       # the CUDA build: "12.8" (tensorrt-llm, vllm, sglang); the majors [12, 13]
                                    # (tensorrt); the cuXXX builds published ["cu126", "cu128"] (torch)
    python: Any                     # the Python minors: ["3.10", "3.12"] (a "3.10, 3.12" string is allowed)
    torch: Optional[str]            # the torch pin: ">=2.6,<2.8" (tensorrt-llm, vllm, sglang)
    released: Optional[str]
    default_cuda: Optional[str]     # torch: the build on plain PyPI, "cu128"
    sm: Optional[List[Any]]         # tensorrt-llm: the GPU architectures it ships kernels for
    tensorrt: Optional[str]         # tensorrt-llm: the TensorRT it is built with
    index: Optional[str]            # tensorrt-llm: the index that holds its wheels ("nvidia" or "pypi")
    index_url: Optional[str]        # tensorrt-llm: that index's URL
    pypi: Any                       # tensorrt-llm: {build_backend: ...} of its PyPI upload; tensorrt: the wheel names
    container: Optional[str]        # tensorrt-llm: the release container image
    base_image: Optional[str]       # tensorrt-llm: the image the release was built on

    @classmethod
    def of(cls, row: Row) -> "TargetRow":
        d = row.data
        return cls(row=row, version=row.version, cuda=d.get("cuda"), python=d.get("python"), torch=d.get("torch"),
                   released=d.get("released"), default_cuda=d.get("default_cuda"), sm=d.get("sm"),
                   tensorrt=d.get("tensorrt"), index=d.get("index"), index_url=d.get("index_url"),
                   pypi=d.get("pypi"), container=d.get("container"), base_image=d.get("base_image"))

    @property
    def build_backend(self) -> str:
        """The build backend of its PyPI upload ('' where the row does not say): a stub names NVIDIA's index."""
        return str(self.pypi.get("build_backend", "")) if isinstance(self.pypi, dict) else ""


@dataclass(frozen=True)
class GpuRow:
    """A row of matrix/gpus.yaml."""
    row: Row
    name: Optional[str]
    compute_capability: Optional[str]   # "8.9"
    architecture: Optional[str]
    gpu_class: Optional[str]            # the YAML key `class`: datacenter | workstation | consumer
    memory_gib: Optional[float]

    @classmethod
    def of(cls, row: Row) -> "GpuRow":
        d = row.data
        return cls(row=row, name=d.get("name"), compute_capability=d.get("compute_capability"),
                   architecture=d.get("architecture"), gpu_class=d.get("class"), memory_gib=d.get("memory_gib"))


@dataclass(frozen=True)
class PathsRow:
    """A row of matrix/paths.yaml: facts about installing `target` from `version` on."""
    row: Row
    target: Optional[str]

    @classmethod
    def of(cls, row: Row) -> "PathsRow":
        return cls(row=row, target=row.data.get("target"))


@dataclass(frozen=True)
class PathFacts:
    """The matrix/paths.yaml facts for one release, its rows merged (see recommend.targets.path_facts)."""
    wheel_disk_gib: Any = None                  # a number: GiB a fresh wheel install takes
    image_disk_gib: Any = None
    apt: Any = None                             # system packages a wheel needs
    source_build: Any = None                    # a dict; read it through SourceBuild.of
    source_cuda: Any = None                     # other CUDA versions a source build may use
    index_url: Optional[str] = None
    index_url_pattern: Optional[str] = None     # torch: "https://download.pytorch.org/whl/{cuda}"
    torch_index_url_pattern: Optional[str] = None
    cpu_index_url: Optional[str] = None         # torch: the index of its CPU build (no CUDA, no driver needed)
    cpu_wheel_disk_gib: Any = None              # a number: GiB a fresh install of that CPU build takes

    @classmethod
    def of(cls, facts: Dict[str, Any]) -> "PathFacts":
        return cls(wheel_disk_gib=facts.get("wheel_disk_gib"), image_disk_gib=facts.get("image_disk_gib"),
                   apt=facts.get("apt"), source_build=facts.get("source_build"),
                   source_cuda=facts.get("source_cuda"), index_url=facts.get("index_url"),
                   index_url_pattern=facts.get("index_url_pattern"),
                   torch_index_url_pattern=facts.get("torch_index_url_pattern"),
                   cpu_index_url=facts.get("cpu_index_url"), cpu_wheel_disk_gib=facts.get("cpu_wheel_disk_gib"))


@dataclass(frozen=True)
class SourceBuild:
    """matrix/paths.yaml `source_build`: what building a release from source takes."""
    disk_gib: Any                       # a number, GiB
    time: Any                           # "1-2 h on 16 cores"
    docker: Any                         # true: the documented build runs in Docker
    requirements: Any                   # what else it needs, one line each
    tag: Any                            # the git tag, "{version}" filled in ("v{version}" unless said)
    repo: Any

    @classmethod
    def of(cls, data: Dict[str, Any]) -> "SourceBuild":
        return cls(disk_gib=data.get("disk_gib"), time=data.get("time"), docker=data.get("docker"),
                   requirements=data.get("requirements"), tag=data.get("tag", "v{version}"),
                   repo=data.get("repo", DEFAULT_SOURCE_REPO))


def _mapping(value) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


@dataclass(frozen=True)
class CudaRules:
    """The keys of matrix/cuda.yaml beside its rows: `rules` (minor-version and forward compatibility) and
    `driver_branches`."""
    mvc_limits: List[Any]               # rules.minor_version_compatibility.limits: what it does not cover
    forward_branches: FrozenSet[str]    # rules.forward_compatibility.compat_package_matrix[].driver_branch
    driver_branches: List[Any]          # {branch (or version), max_cuda, ...}

    @classmethod
    def of(cls, extra: Dict[str, Any]) -> "CudaRules":
        rules = _mapping(extra.get("rules"))      # an overlay of another shape reads as "no rules", never a crash
        fwd = _mapping(rules.get("forward_compatibility"))
        return cls(mvc_limits=_list(_mapping(rules.get("minor_version_compatibility")).get("limits")),
                   forward_branches=frozenset(str(b.get("driver_branch")) for b in _list(fwd.get("compat_package_matrix"))
                                              if isinstance(b, dict)),
                   driver_branches=_list(extra.get("driver_branches")))

    def max_cuda_of_branch(self, branch: str) -> Optional[str]:
        """The newest CUDA a driver branch runs ("570" -> "12.8"), None where the file does not list the branch."""
        for b in self.driver_branches:
            if isinstance(b, dict) and str(b.get("branch") or b.get("version")) == branch:
                return str(b.get("max_cuda"))
        return None


_CODE = re.compile(r"(?:sm|compute)_\d{2,3}[af]?")


def _code_list(value) -> Optional[List[str]]:
    """["sm_86", "compute_120"], or None where the value is not such a list."""
    if isinstance(value, list) and value and all(_CODE.fullmatch(str(c)) for c in value):
        return [str(c) for c in value]
    return None


@dataclass(frozen=True)
class TorchArch:
    """matrix/torch-arch.yaml: per torch release and cuXXX build, the GPU code its x86_64 wheel carries ("sm_86"
    SASS, "compute_120" PTX). A build of another shape reads as absent (not checked)."""
    code: Dict[str, Dict[str, List[str]]]     # release -> build -> code
    refs: Dict[str, str]                      # release -> the row's citation

    @classmethod
    def of(cls, rows: List[Row]) -> "TorchArch":
        code: Dict[str, Dict[str, List[str]]] = {}
        for row in rows:
            lists = {str(b): _code_list(v) for b, v in _mapping(row.get("builds")).items()}
            code[row.version] = {b: v for b, v in lists.items() if v is not None}
        return cls(code, {row.version: row.ref() for row in rows})

    def of_build(self, release: str, build: str) -> Optional[List[str]]:
        return self.code.get(release, {}).get(build)


def torch_arch_problem(row: Row) -> Optional[str]:
    """What is wrong with a matrix/torch-arch.yaml row's `builds` (for `matrix validate`), or None."""
    builds = row.get("builds")
    if not isinstance(builds, dict) or not builds:
        return f"torch-arch {row.version}: 'builds' must map cuXXX to a list of sm_XY / compute_XY"
    bad = [str(b) for b, v in builds.items() if not str(b).startswith("cu") or _code_list(v) is None]
    return f"torch-arch {row.version}: builds {', '.join(bad)}: a list of sm_XY / compute_XY each" if bad else None
