"""The `wheel` path: a release into a fresh venv (with the Python to use) or into an existing environment that
already fits it."""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Tuple

from envcheck.matrix.rows import TargetRow
from envcheck.recommend.judge import Judgement, PathCandidate, _cuda_ref, judge_arch, judge_cuda, rows_ref
from envcheck.recommend.machine import Interpreter, Machine
from envcheck.recommend.model import BLOCKED, OK
from envcheck.recommend.release import Release
from envcheck.recommend.targets import cu_version, newest_torch_for
from envcheck.versions import parse


@lru_cache(maxsize=4096)
def _spec_holds(spec, version_text: str) -> bool:
    """Whether a torch version satisfies a release's torch pin, parsed once per (pin, version): recommend judges
    every release against every environment, and 10,000 venvs mostly share a handful of torch versions."""
    return spec.contains(version_text, prereleases=True)


def _torch_fits(it: Interpreter, rel: Release, ref: str) -> Tuple[bool, str]:
    tv = (it.packages or {}).get("torch")
    if rel.torch_spec is None:
        if rel.target.name in ("tensorrt-llm", "vllm", "sglang") and rel.target.name != "torch":
            tv = (it.packages or {}).get("torch")
            if tv is not None:
                return False, (f"{rel.label}'s torch pin is unknown ({ref} has no 'torch'), so installing there "
                               f"could replace its torch {tv}")
        return True, ""
    if tv is None:
        return True, f"it has no torch; pip adds one matching {rel.torch_spec}"
    ok = _spec_holds(rel.torch_spec, str(tv))
    return ok, f"its torch {tv} {'satisfies' if ok else 'does not satisfy'} torch{rel.torch_spec} ({ref})"


def same_place(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a) and bool(b) and a.rstrip("/") == b.rstrip("/")


def named_env(m: Machine, into: Optional[str]) -> Optional[Interpreter]:
    """The environment the scan found at `into` (a prefix), if any."""
    if not into:
        return None
    return next((it for it in m.interpreters if it.is_env and same_place(it.prefix or it.path, into)), None)


def choose_env(m: Machine, rel: Release, into: Optional[str] = None
               ) -> Tuple[Optional[Interpreter], Optional[Interpreter], List[str]]:
    """(existing environment to install into, interpreter for a fresh venv, reasons). With `into` (--venv DIR),
    only the environment at that prefix is considered.

    Linear in the number of environments: per environment only dictionary look-ups and cached comparisons."""
    reasons: List[str] = []
    pys = set(rel.pythons)
    ref = rel.ref
    fitting_env = None
    groups = m.env_groups
    if into:   # --venv DIR: that environment alone, as a group of one
        hit = named_env(m, into)
        groups = [[hit]] if hit is not None and hit.kind in ("venv", "conda", "uv") else []
    for group in groups:
        it = group[0]   # every member has the same kind, Python, torch CUDA and packages
        names = _names(group)
        py_ok = not pys or it.minor in pys
        t_ok, t_why = _torch_fits(it, rel, ref)
        have = (it.packages or {}).get(rel.target.dist) or (it.packages or {}).get(rel.target.dist.replace("-", "_"))
        if have is not None and str(have) != rel.version:
            reasons.append(f"not into {names}: it already has {rel.target.dist} {have}; "
                           f"changing it there would change what runs there")
            continue
        cuda_clash = ""
        if it.torch_cuda is not None and rel.build_cuda is not None and it.torch_cuda.major != rel.build_cuda.major:
            cuda_clash = (f"its torch is built for CUDA {it.torch_cuda} ({it.where}.torch_cuda), another major than "
                          f"{rel.label}")
        if py_ok and t_ok and not cuda_clash:
            if fitting_env is None:
                fitting_env = it
                reasons.append(f"into the existing {it.kind} {it.prefix or it.path} ({it.where}): Python {it.version} is "
                               f"in {list(rel.pythons) or 'any'} ({ref}){'; ' + t_why if t_why else ''}")
            continue
        why = []
        if not py_ok:
            why.append(f"its Python {it.version} is not among {list(rel.pythons)} ({ref})")
        if not t_ok:
            why.append(t_why + "; installing there would replace it and may break what runs there")
        if cuda_clash:
            why.append(cuda_clash)
        reasons.append(f"not into {names}: " + "; ".join(why))
    if pys:
        picks = [m.fresh_by_minor[p] for p in pys if p in m.fresh_by_minor]
        fresh = min(picks, key=lambda pick: pick[0])[1] if picks else None
    else:
        fresh = m.fresh_order[0] if m.fresh_order else None
    return fitting_env, fresh, reasons


NAMED = 3  # environments named one by one in a reason; the rest of a group is counted


def _names(group: List[Interpreter]) -> str:
    shown = ", ".join(f"{it.prefix or it.path} ({it.where})" for it in group[:NAMED])
    more = len(group) - NAMED
    return shown + (f" and {more:,} more with the same Python and packages" if more > 0 else "")


def _pythons_here(m: Machine) -> str:
    """'3.10.12 (pythons[0], pythons[1]), 3.11.9 (pythons[2])': each Python once, a few places each."""
    where: dict = {}
    for it in m.envs:
        where.setdefault(str(it.version), []).append(it.where)
    return ", ".join(f"{v} ({', '.join(w[:NAMED])}{f' and {len(w) - NAMED:,} more' if len(w) > NAMED else ''})"
                     for v, w in where.items())


def _pip(py: str, args: str, pip_args: Tuple[str, ...] = ()) -> str:
    extra = "".join(" " + shlex.quote(a) for a in pip_args)
    return f"{py} -m pip install {args}{extra}"


def wheel_path(m: Machine, rel: Release, affects_all: List[str], into: Optional[str] = None,
               pip_args: Tuple[str, ...] = ()) -> PathCandidate:
    """`into` (--venv DIR): install into the environment the scan found there, or create a venv there.
    `pip_args` (--find-links DIR, --no-index): added to every pip command, for offline installs."""
    v = _judge_release(m, rel)
    env_it, fresh, env_reasons = choose_env(m, rel, into)
    v.reasons.extend(env_reasons)
    if into and env_it is None and named_env(m, into) is not None:
        v.block(f"--venv {into} is an existing environment that does not fit {rel.label} (see the reasons); "
                f"name a new directory to get a fresh venv there")
    idx = " ".join(rel.index_args)
    req = f'"{rel.requirement}"' + (f" {idx}" if idx else "")
    cmds: List[str] = []
    apt = rel.facts.apt or []
    if apt:
        cmds.append(f"{m.sudo}apt-get update && {m.sudo}apt-get install -y {' '.join(apt)}    # {rows_ref(rel.fact_rows)}")
    where = _where_to(m, rel, v, env_it, fresh, into, pip_args, cmds)
    py = where.py
    for c in rel.checks:
        cmds.append(f"{py} -m {c}" + "".join(" " + shlex.quote(a) for a in pip_args))
    for pre in rel.pre_commands:
        cmds.append(_pip(py, pre, pip_args))
    cmds.append(_pip(py, "--no-cache-dir " + req, pip_args))
    if v.compat_package and v.status != BLOCKED:
        cmds += compat_commands(m, v)
        v.reasons.append(f"forward compatibility is not automatic: the {v.compat_package} package (NVIDIA's CUDA apt "
                         f"repository) must be installed and {v.compat_dir} put first on LD_LIBRARY_PATH of every "
                         f"process that imports it ({_cuda_ref(m)}.forward_compatibility); the commands do both")
    if rel.target.in_matrix:
        cmds.append(f'{py} -c "import {rel.target.module}; print({rel.target.module}.__version__)"')
    else:  # its import name is not known before it is installed; apply imports it from its files
        cmds.append(f"{py} -c \"import importlib.metadata as m; print(m.version('{rel.target.dist}'))\"")
    disk = rel.facts.wheel_disk_gib
    disk = float(disk) if isinstance(disk, (int, float)) else None
    if disk is not None and m.free_gib is not None:
        _judge_install_disk(m, rel, v, disk)
    return PathCandidate(kind="wheel", version=rel.version, verdict=v, commands=cmds, disk=disk,
                         affects=_wheel_affects(m, rel, env_it), python=where.python,
                         environment=where.environment, venv=where.venv)


def _judge_release(m: Machine, rel: Release) -> Judgement:
    """The release's own judgement: its CUDA build, its GPU kernels (neither for a CPU build), the torch its pin
    pulls in, its notes."""
    v = Judgement()
    if not rel.cpu_only:
        v.merge(judge_cuda(m, rel.build_cuda, rel.cuda_label or rel.label, rel.ref, rel.major_only))
        v.merge(judge_arch(m, rel.sm, rel.label, rel.ref))
    if rel.torch_spec is not None and rel.build_cuda is not None:
        trow = newest_torch_for(m.matrix, rel.torch_spec)
        if trow is not None:
            tc = cu_version(TargetRow.of(trow).default_cuda)
            if tc is not None and not rel.pre_commands:
                tv = judge_cuda(m, tc, f"torch {trow.version} (pip's pick for torch{rel.torch_spec})", trow.ref())
                if tv.status != OK:
                    v.merge(tv)
    for n in rel.notes:
        v.reasons.append(n)
    for n in rel.risky_notes:
        v.risk(n)
    return v


@dataclass(frozen=True)
class _Where:
    """Where a wheel goes: `py` runs pip there; `python`, `environment`, `venv` as PathCandidate holds them."""
    py: str
    python: Optional[str]
    environment: Optional[str]
    venv: Optional[str]


def _where_to(m: Machine, rel: Release, v: Judgement, env_it: Optional[Interpreter], fresh: Optional[Interpreter],
              into: Optional[str], pip_args: Tuple[str, ...], cmds: List[str]) -> _Where:
    """Into the fitting environment, or a fresh venv (with the Python to make it, or uv's): adds its commands."""
    if env_it is not None:
        py = f"{env_it.prefix}/bin/python" if env_it.prefix else env_it.path
        return _Where(py=py, python=py, environment=env_it.prefix or env_it.path, venv=None)
    venv = into or m.venv_dir(f"{rel.target.name}-{rel.version}")
    py = f"{venv}/bin/python"
    if fresh is not None:
        python = fresh.path
        if fresh.venv_ok is False:
            cmds.append(_ensurepip_fix(m, fresh))
            v.reasons.append(f"{fresh.where}.venv_module = false: {fresh.path} has no ensurepip, so `-m venv` "
                             "stops with 'ensurepip is not available' until it is installed")
        cmds.append(f"{fresh.path} -m venv {venv}    # Python {fresh.version} ({fresh.where})")
        v.reasons.append(f"a fresh venv at {venv} with {fresh.path}, Python {fresh.version} ({fresh.where}), one "
                         f"of {list(rel.pythons)} ({rel.ref}); no existing environment changes")
    else:
        want = max(rel.pythons, key=lambda s: parse(s) or parse("0")) if rel.pythons else "3.12"
        python = f"python{want}"
        have = _pythons_here(m) or "none known"
        v.reasons.append(f"no Python {' or '.join(rel.pythons) or want} here (pythons: {have}); uv installs one "
                         f"without touching the system Python")
        cmds += ["python3 -m pip install --user uv    # or: curl -LsSf https://astral.sh/uv/install.sh | sh",
                 f"uv python install {want}",
                 f"uv venv --seed --python {want} {venv}"]
    cmds.append(_pip(py, "--upgrade pip", pip_args))
    return _Where(py=py, python=python, environment=None, venv=venv)


def _judge_install_disk(m: Machine, rel: Release, v: Judgement, disk: float) -> None:
    if m.free_gib < disk:
        v.block(f"{m.disk_fact()} is less than the ~{disk:g} GiB a fresh install takes ({rows_ref(rel.fact_rows)})")
    else:
        v.reasons.append(f"{m.disk_fact()} holds the ~{disk:g} GiB it takes (downloads, pip cache and the venv; "
                         f"{rows_ref(rel.fact_rows)})")


def _wheel_affects(m: Machine, rel: Release, env_it: Optional[Interpreter]) -> List[str]:
    def affected(it: Interpreter) -> str:
        label = f"{it.prefix or it.path} ({it.where}, Python {it.version})"
        if it is env_it:
            return (f"{label}: receives {rel.requirement}; its torch and Python already fit, so what runs there "
                    f"keeps its versions")
        return f"{label}: untouched, keeps working"

    affects = m.capped(affected, "untouched, keep working", keep=env_it)
    affects.append("the driver and the CUDA toolkits on the machine: untouched (the wheel brings its own CUDA libraries)")
    return affects


def _ensurepip_fix(m, fresh) -> str:
    """The command that gives an interpreter without ensurepip a working `-m venv`."""
    host = getattr(m.env, "host", None)
    os_id = (getattr(host, "os_id", None) or "").lower()
    if os_id in ("ubuntu", "debian", "pop", "linuxmint"):
        return (f"{m.sudo}apt-get install -y python{fresh.minor}-venv    # Debian/Ubuntu keep ensurepip there; "
                f"{fresh.path} has none")
    return f"{fresh.path} -m ensurepip --upgrade    # or install your distribution's venv package for Python {fresh.minor}"


def compat_commands(m, v) -> List[str]:
    """Forward compatibility made real: the cuda-compat package, and its directory on LD_LIBRARY_PATH."""
    return [f"{m.sudo}apt-get install -y {v.compat_package}    # from NVIDIA's CUDA apt repository (cuda-keyring must "
            f"be set up); user-mode driver libraries into {v.compat_dir}",
            f"export LD_LIBRARY_PATH={v.compat_dir}:$LD_LIBRARY_PATH    # in every shell/process that uses it; "
            f"check: ls {v.compat_dir}/libcuda.so.*"]
