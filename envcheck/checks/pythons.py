"""Rules about each Python environment: torch's CUDA build vs the driver, mixed CUDA wheel majors, unmet
requirements (what `pip check` says, from the stored Requires-Dist), wheels built for another Python, broken
venvs and --exec disagreements. Every finding's subject is the environment's prefix."""
from __future__ import annotations

import re
import shlex
from typing import Dict, List, Optional, Tuple

from envcheck.matrix.compat import driver_max_cuda
from envcheck.matrix.rows import TargetRow
from envcheck.findings import Finding, fact, register, env_name
from envcheck.pyenvs.metadata import tag_fits
from envcheck.versions import Version, parse

TORCH_TOO_NEW = register("torch-cuda-too-new-for-driver", "fail", "torch is built for a newer CUDA than the driver runs",
    """torch's wheels bring their own CUDA runtime, but the host driver must support that CUDA version. A torch
    built for a newer CUDA major than the driver supports fails at the first CUDA call ('The NVIDIA driver on your
    system is too old', torch.cuda.is_available() is False). Within one major, minor-version compatibility lets it
    run on an older driver, except kernels that need PTX JIT and features of the newer driver.""")
CUDA_MIXED = register("cuda-wheels-mixed", "info", "CUDA 12 and CUDA 13 wheels are installed in one environment",
    """nvidia-*-cu12 wheels and CUDA 13 wheels (nvidia-*-cu13, or the unsuffixed nvidia-cublas, nvidia-cuda-runtime
    ... that install under nvidia/cu13/) side by side usually mean an upgrade left the old major behind. Each
    package loads the major it was built for; the leftovers waste disk and confuse which libcublas is loaded.""")
UNMET_PER_DIST = 20   # requirement-unmet findings per distribution; the rest are counted in one more
REQ_UNMET = register("requirement-unmet", "warn", "An installed distribution's requirement is not met",
    """What `pip check` reports, computed from the Requires-Dist lines in each distribution's METADATA (markers
    evaluated for this environment's Python): a required distribution is missing or has a version outside the
    pin. For tensorrt-llm, vllm or sglang a wrong torch or tensorrt usually means an import-time failure.""")
WHEEL_PY = register("wheel-python-mismatch", "fail", "A wheel was built for another Python than the environment's",
    """The WHEEL file's tags say which CPython the compiled extension modules are for (cp310 = 3.10). A wheel
    built for another minor version (not abi3) cannot be imported: the extension module is not even found.""")
BASE_MISSING = register("python-base-missing", "fail", "A virtual environment's base interpreter is gone",
    """pyvenv.cfg names the interpreter the venv was made from (home / executable). When it is removed (a pyenv
    version uninstalled, a container image rebuilt) the venv's python no longer starts.""")
EXEC_DIFFERS = register("python-exec-differs", "warn", "Running the interpreter disagrees with its files",
    """With --exec envcheck ran the interpreter once (isolated mode) and compared its version, prefix and torch
    with what the files said. A difference means a .pth hook, a wrapper script or an unusual layout: trust the
    interpreter's answer and report the case.""")

MATTER_PINS = {"torch", "tensorrt", "tensorrt-cu12", "tensorrt-cu13", "tensorrt-llm", "transformers", "triton",
               "flash-attn", "xformers", "vllm", "sglang", "flashinfer-python", "cuda-python", "cuda-bindings"}
MATTER_DISTS = {"tensorrt-llm", "vllm", "sglang", "torch", "xformers", "flash-attn", "torchvision", "torchaudio",
                "tensorrt", "transformers"}


def _subject(p) -> str:
    return p.prefix or p.path


def _cuda_of_build(tag: str) -> Optional[Version]:
    m = re.fullmatch(r"cu(\d+)(\d)", tag or "")
    return Version(f"{m.group(1)}.{m.group(2)}") if m else None


def _q(s: str) -> str:
    """Quoted for a POSIX shell, always (a pin like torch==2.7.1 reads better quoted; >= and < need it)."""
    return f"'{s}'" if "'" not in s else shlex.quote(s)


def _torch_fix(p, matrix, driver_cuda: Version) -> Tuple[str, ...]:
    """A pip command for a torch build whose CUDA the driver runs: the same torch version if it has one, else the
    newest torch that does (from matrix/torch.yaml)."""
    have = (p.packages or {}).get("torch")
    best = None
    rows = matrix.sorted_rows("torch") if matrix is not None else []
    ordered = [r for r in rows if have is not None and r.version == have.public] + rows
    for r in ordered:
        builds = [b for b in (TargetRow.of(r).cuda or ()) if _cuda_of_build(b) is not None and _cuda_of_build(b) <= driver_cuda]
        if builds:
            best = (r.version, max(builds, key=_cuda_of_build), r)
            break
    py = p.path
    if best is None:
        tag = f"cu{driver_cuda.major}{driver_cuda.minor}"
        return (f"{py} -m pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/{tag}"
                "    # pick a build whose CUDA the driver runs",)
    return (f"{py} -m pip install --force-reinstall {_q('torch==' + best[0])} "
            f"--index-url https://download.pytorch.org/whl/{best[1]}    # {best[2].ref()}",)


def torch_cuda_vs_driver(env, matrix):
    if not env.pythons:
        return
    dc = driver_max_cuda(env, matrix)
    if dc.cuda is None:
        return
    for i, p in enumerate(env.pythons):
        tc = p.torch_cuda
        if tc is None:
            continue
        if (tc.major, tc.minor) <= (dc.cuda.major, dc.cuda.minor):
            continue
        ev = (fact(f"pythons[{i}].torch_cuda", tc), fact(f"pythons[{i}].packages.torch", (p.packages or {}).get("torch")),
              fact("driver.cuda", dc.cuda) + f" ({dc.how})")
        if env.driver is not None and env.driver.version is not None:
            ev += (fact("driver.version", env.driver.version),)
        if tc.major > dc.cuda.major:
            yield Finding(TORCH_TOO_NEW, "fail",
                          f"torch {(p.packages or {}).get('torch')} in {env_name(p)} is built for CUDA {tc}; the driver runs CUDA {dc.cuda} at most",
                          evidence=ev,
                          why=f"A CUDA {tc.major} build needs a driver for CUDA {tc.major}; this one stops at {dc.cuda}: "
                              "torch.cuda.is_available() is False and the first CUDA call fails.",
                          fix=_torch_fix(p, matrix, dc.cuda), subject=_subject(p))
        else:
            yield Finding(TORCH_TOO_NEW, "warn",
                          f"torch in {env_name(p)} is built for CUDA {tc}, newer than the driver's {dc.cuda} (same major)",
                          evidence=ev,
                          why="It runs under minor-version compatibility, but kernels that need PTX JIT and features "
                              "of the newer driver fail.",
                          fix=_torch_fix(p, matrix, dc.cuda), subject=_subject(p))


def cuda_wheels_mixed(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        cw = p.cuda_wheels or {}
        majors: Dict[str, List[str]] = {}
        for name, cu in sorted(cw.items()):
            majors.setdefault(cu, []).append(name)
        if len(majors) < 2:
            continue
        keep = f"cu{p.torch_cuda.major}" if p.torch_cuda is not None else max(majors, key=lambda k: len(majors[k]))
        drop = sorted(n for cu, names in majors.items() if cu != keep for n in names)
        ev = tuple(fact(f"pythons[{i}].cuda_wheels.{n}", cw[n]) for n in sorted(cw))[:12]
        if p.torch_cuda is not None:
            ev += (fact(f"pythons[{i}].torch_cuda", p.torch_cuda),)
        # info: wheels of another major break nothing by being there (the truth suite installed a CUDA 13 cuBLAS
        # beside a CUDA 12 torch: import and first CUDA op work); a process that loads both is cuda-major-mixed
        yield Finding(CUDA_MIXED, "info",
                      f"{env_name(p)} has CUDA wheels of {' and '.join(sorted(majors))}: " +
                      ", ".join(f"{len(v)} {k}" for k, v in sorted(majors.items())),
                      evidence=ev,
                      why=f"Keep the {keep} wheels" + (" torch was built for" if p.torch_cuda is not None else "") +
                          "; the others are leftovers unless another package needs them (check with pip show).",
                      fix=(f"{p.path} -m pip uninstall -y " + " ".join(drop),
                           f"{p.path} -m pip check"),
                      subject=_subject(p))


def _unmet(req: str, packages) -> Optional[str]:
    from envcheck.pyenvs.metadata import unmet  # pure: over the stored facts
    return unmet(req, packages)


def requirements_unmet(env, matrix):
    from envcheck.pyenvs.metadata import parse_requirement
    for i, p in enumerate(env.pythons or ()):
        pk = p.packages or {}
        for dist, reqs in sorted((p.requires or {}).items()):
            if dist not in pk:
                continue
            shown = 0
            rest: List[str] = []
            for req in reqs:
                why = _unmet(req, pk)
                if why is None:
                    continue
                parsed = parse_requirement(req)
                name = parsed[0] if parsed else req
                severe = dist in MATTER_DISTS and (name in MATTER_PINS or name.startswith("nvidia-"))
                spec = req.split(";")[0].strip()
                newer = _nvidia_newer(name, spec, pk.get(name))
                if newer:
                    yield Finding(REQ_UNMET, "info", f"{dist} {pk[dist]} requires {spec}: {why} ({newer})",
                                  evidence=(fact(f"pythons[{i}].requires.{dist}", req),
                                            fact(f"pythons[{i}].packages.{name}", pk.get(name))),
                                  why="pip check would report it, yet the library keeps its ABI within a major: "
                                      "cuDNN's own check (torch.backends.cudnn) accepts a runtime at or above the "
                                      "version torch was built with, and envcheck resolves every NCCL function "
                                      "libtorch_cuda.so calls (native-symbol-missing when one is lacking).",
                                  fix=_install_fix(p, name, spec, dist), subject=_subject(p))
                    continue
                if _patch_apart(spec, pk.get(name)):
                    # torch 2.9.1 under vllm's torch==2.9.0: pip check complains, yet releases of one minor keep
                    # their ABI (the truth suite imported vllm's compiled ops so); the native checks would say
                    # 'undefined symbol' if not
                    yield Finding(REQ_UNMET, "info", f"{dist} {pk[dist]} requires {spec}: {why} (a patch release apart)",
                                  evidence=(fact(f"pythons[{i}].requires.{dist}", req),
                                            fact(f"pythons[{i}].packages.{name}", pk.get(name))),
                                  why="pip check would report it; within one minor release the ABI holds, and envcheck "
                                      "checks the compiled code's symbols against what is installed.",
                                  fix=_install_fix(p, name, spec, dist), subject=_subject(p))
                    continue
                if not severe:   # a fail is always its own finding; warnings past UNMET_PER_DIST are counted
                    if shown == UNMET_PER_DIST:
                        rest.append(spec)
                        continue
                    shown += 1
                yield Finding(REQ_UNMET, "fail" if severe else "warn",
                              f"{dist} {pk[dist]} requires {spec}: {why}",
                              evidence=(fact(f"pythons[{i}].requires.{dist}", req),
                                        fact(f"pythons[{i}].packages.{name}", pk.get(name, "not installed"))),
                              why=f"pip check would report this in {env_name(p)}; {dist} may fail at import or at run time.",
                              fix=_install_fix(p, name, spec, dist),
                              subject=_subject(p))
            if rest:   # one finding for the rest: a hostile METADATA cannot flood a report
                yield Finding(REQ_UNMET, "warn", f"{dist} {pk[dist]}: {len(rest)} more requirements not met "
                                                  f"({', '.join(rest[:3])}, ...)",
                              evidence=(fact(f"pythons[{i}].requires.{dist}", f"{len(reqs)} requirements"),),
                              why=f"pip check would report each of them in {env_name(p)}.",
                              fix=(f"{p.path} -m pip check",), subject=_subject(p))


def _nvidia_newer(name: str, spec: str, have) -> Optional[str]:
    """An nvidia-* wheel pinned ==X (torch pins nvidia-cudnn-cu12==9.10.2.21) and installed newer within X's major:
    torch imports and loads it (the truth suite: cuDNN 9.5 for 9.1, NCCL 2.27 for 2.21). Older stays a fail
    (torch refuses an older cuDNN: 'cuDNN version incompatibility'), except NCCL, whose functions the symbol check
    resolves."""
    m = re.search(r"===?\s*([0-9][0-9A-Za-z.+!-]*)\s*\)?\s*$", spec)
    if not name.startswith("nvidia-") or not m or have is None:
        return None
    want = parse(m.group(1).split("+")[0])
    got = parse(str(have).split("+")[0])
    if want is None or got is None or not want.release or not got.release:
        return None
    if got.release[0] == want.release[0] and got > want:
        return f"newer within major {want.release[0]}: accepted at run time"
    if name.startswith("nvidia-nccl-") and got.release[0] == want.release[0]:
        # torch does not compare NCCL's version: an older NCCL breaks only by lacking a function torch calls, which
        # the symbol check reports (native-symbol-missing; the truth suite: NCCL 2.20.5 under torch 2.5.1's 2.21.5
        # pin works)
        return "older, but judged by its symbols: envcheck checks every NCCL function torch calls"
    return None


def _patch_apart(spec: str, have) -> bool:
    """`spec` pins ==X.Y.Z and the installed version is another patch release of X.Y."""
    m = re.search(r"===?\s*([0-9][0-9A-Za-z.+!-]*)\s*\)?\s*$", spec)   # also 'torch (==2.9.0)'
    if not m or have is None:
        return False
    want = parse(m.group(1).split("+")[0])
    got = parse(str(have).split("+")[0])
    return (want is not None and got is not None and len(want.release) >= 3 and len(got.release) >= 3
            and want.release[:2] == got.release[:2] and want != got)


def _install_fix(p, name: str, spec: str, dist: str) -> tuple:
    if p.externally_managed:
        # PEP 668: pip refuses ("error: externally-managed-environment"); the OS's package manager owns it
        return (f"apt-cache search --names-only '^python3-.*{name.lower().replace('py', '', 1) or name}'    # {p.path} "
                "is managed by the OS (EXTERNALLY-MANAGED): pip refuses; install the distribution's package",
                f"{p.path} -m venv ~/venvs/work && ~/venvs/work/bin/python -m pip install {_q(spec)} {dist}    "
                "# or work in a venv")
    return (f"{p.path} -m pip install {_q(spec)}    # or a {dist} release that matches what is installed",
            f"{p.path} -m pip check")


def wheel_python_mismatch(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        if p.version is None:
            continue
        for dist, tags in sorted((p.wheel_tags or {}).items()):
            results = [tag_fits(t, p.version) for t in tags]
            if not results or any(r is True or r is None for r in results):
                continue
            ver = (p.packages or {}).get(dist)
            yield Finding(WHEEL_PY, "fail",
                          f"{dist} {ver or ''} in {env_name(p)} was built for {', '.join(tags)}, not Python {p.version}".replace("  ", " "),
                          evidence=(fact(f"pythons[{i}].wheel_tags.{dist}", ", ".join(tags)), fact(f"pythons[{i}].version", p.version)),
                          why="Its compiled modules carry another CPython's ABI tag and will not import "
                              "(a site-packages copied between environments, or pip run with another interpreter).",
                          fix=(f"{p.path} -m pip install --force-reinstall --no-deps {_q(f'{dist}=={ver}' if ver else dist)}",),
                          subject=_subject(p))


def base_missing(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        for e in p.errors or ():
            if "cannot start" in e:
                mm = p.version.major_minor() if p.version else "3"
                keep = [f"{n}=={v}" for n, v in sorted((p.packages or {}).items()) if n in MATTER_DISTS and v is not None]
                reinstall = (f" && {_q(_subject(p) + '/bin/python')} -m pip install {' '.join(_q(k) for k in keep[:8])}"
                             if keep else "")
                yield Finding(BASE_MISSING, "fail", f"{env_name(p)}: its interpreter cannot start ({e})",
                              evidence=(fact(f"pythons[{i}].base", p.base), fact(f"pythons[{i}].errors", e)),
                              why="The venv's python is a link to (or a copy driven by) an interpreter that no longer "
                                  "exists: every command in it fails before Python starts.",
                              fix=(f"python{mm} -m venv --clear {_q(_subject(p))}{reinstall}"
                                   + ("    # recreate it with what its files list; then the rest of your requirements"
                                      if keep else "    # recreate it, then reinstall your requirements"),),
                              subject=_subject(p))
                break


def exec_differs(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        ex = p.executed or {}
        if ex.get("differs"):
            yield Finding(EXEC_DIFFERS, "warn", f"{p.path}: {ex['differs']}",
                          evidence=(fact(f"pythons[{i}].executed.differs", ex["differs"]),),
                          why="The interpreter's own answer is the one that counts at run time.",
                          fix=(f"{p.path} -I -m pip list", f"{p.path} -I -c 'import sys; print(sys.version, sys.prefix, sys.path)'"),
                          subject=_subject(p))


RULES = [torch_cuda_vs_driver, cuda_wheels_mixed, requirements_unmet, wheel_python_mismatch, base_missing, exec_differs]
