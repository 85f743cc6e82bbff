"""The CPU build of a target, where it publishes one (matrix/paths.yaml `cpu_index_url`: torch) and the machine has
no usable GPU: nothing built on CUDA runs there, the CPU build does. One wheel path, `ok`, into the environment
recommend picks (or "already installed" where an environment has the CPU build), and what a GPU build would need.
GPU machines never get this path."""
from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

from envcheck.matrix.compat import min_driver_for_cuda
from envcheck.recommend.judge import Judgement, PathCandidate
from envcheck.recommend.machine import Interpreter, Machine
from envcheck.recommend.release import Release
from envcheck.recommend.targets import Target
from envcheck.recommend.wheel import named_env, wheel_path
from envcheck.versions import parse


def cpu_path(m: Machine, t: Target, rels, into: Optional[str], pip_args: Tuple[str, ...]
             ) -> Optional[Tuple[Release, PathCandidate]]:
    """(the release as its CPU build, its path), or None: a GPU machine, or a target without a CPU build.
    `rels`: the target's releases the request admits, newest first."""
    if not m.no_usable_gpu or not rels or not rels[0].facts.cpu_index_url:
        return None
    rel = rels[0]
    needs = gpu_build_needs(m, rel)
    have = _installed_cpu_build(m, t, into)
    if have is not None:
        return _already_installed(m, rel, have, needs)
    url = str(rel.facts.cpu_index_url).rstrip("/")
    cpu = dataclasses.replace(
        rel, version=f"{rel.version}+cpu", build_cuda=None, major_only=False, sm=(), torch_spec=None,
        requirement=f"{t.dist}=={rel.version}+cpu", index_args=("--index-url", url), cpu_only=True,
        facts=dataclasses.replace(rel.facts, wheel_disk_gib=rel.facts.cpu_wheel_disk_gib), pre_commands=[],
        checks=[], risky_notes=[], cuda_label=None,
        notes=[f"{_no_gpu(m)}: {t.name}'s CPU build ({t.dist}=={rel.version}+cpu from {url}, {_refs(rel)}) needs "
               f"no GPU, driver or CUDA library and runs here", needs])
    return cpu, wheel_path(m, cpu, [], into, pip_args)


def gpu_build_needs(m: Machine, rel: Release) -> str:
    """What a GPU build of `rel` would need: an NVIDIA GPU and the driver its CUDA build needs natively."""
    if rel.build_cuda is None:
        return (f"a GPU build of {rel.label} needs an NVIDIA GPU and a driver for its CUDA build, which the matrix "
                f"does not name ({rel.ref})")
    drv, row = min_driver_for_cuda(m.matrix, rel.build_cuda)
    tag = f"cu{rel.build_cuda.major}{rel.build_cuda.minor}"
    need = f"driver >= {drv} ({row.ref()})" if drv is not None and row is not None else "a driver for it"
    return (f"a GPU build instead needs an NVIDIA GPU and {need} for {rel.label}'s {tag} build ({rel.ref}); on such "
            f"a machine `envcheck recommend --target {rel.target.name}=={rel.version}` says which build fits")


def _no_gpu(m: Machine) -> str:
    if m.no_driver:
        return f"no usable GPU ({m.driver_fact()})"
    return "no usable GPU (gpus = none found)"


def _refs(rel: Release) -> str:
    return ", ".join(r.ref() for r in rel.fact_rows if r.data.get("cpu_index_url")) or "matrix/paths.yaml"


def _installed_cpu_build(m: Machine, t: Target, into: Optional[str]) -> Optional[Tuple[Interpreter, str]]:
    """An environment (the one at --venv, if given) whose torch is the CPU build and fits the request."""
    envs = [named_env(m, into)] if into else m.envs
    for it in envs:
        have = (it.packages or {}).get(t.dist) if it is not None else None
        v = parse(str(have)) if have is not None else None
        if v is None or v.local != "cpu":
            continue
        if t.spec is None or t.spec.contains(v.public, prereleases=True):
            return it, str(have)
    return None


def _already_installed(m: Machine, rel: Release, have: Tuple[Interpreter, str], needs: str
                       ) -> Tuple[Release, PathCandidate]:
    it, version = have
    py = f"{it.prefix}/bin/python" if it.prefix else it.path
    label = f"{it.prefix or it.path} ({it.where}, Python {it.version})"
    v = Judgement(reasons=[f"already installed: {label} has {rel.target.dist} {version} ({it.where}.packages), "
                           f"{rel.target.name}'s CPU build, which needs no GPU: {_no_gpu(m)}; nothing to install",
                           needs])
    path = PathCandidate(kind="wheel", version=version, verdict=v,
                         commands=[f'{py} -c "import {rel.target.module}; print({rel.target.module}.__version__)"'],
                         disk=None, affects=[f"{label}: unchanged, keeps its {rel.target.dist} {version}"],
                         python=py, environment=it.prefix or it.path)
    return dataclasses.replace(rel, version=version, cpu_only=True), path
