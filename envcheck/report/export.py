"""`envcheck export`: a HostProfile as each resolver reads it. uv and conda: shell lines (`eval`, or the `export`
lines into $GITHUB_ENV); pixi: a `[system-requirements]` TOML table; pip: a constraints file. Every value line
follows the comment that says which fact led to it. Values are plain versions or build tags (checked in the app);
free text (a GPU name, a file name) only ever lands in a comment, cleaned and kept on one line."""
from __future__ import annotations

from typing import List

from envcheck import __version__
from envcheck.output import clean


def _c(text: str) -> str:
    """One comment line: control characters escaped, newlines folded (a comment must not end early)."""
    return "# " + " ".join(clean(str(text)).split())


def _header(result) -> List[str]:
    p = result.profile
    return [_c(f"envcheck {__version__} export --for {result.fmt}; {p.source}; matrix {p.matrix_version}")]


def _why(result) -> List[str]:
    return [_c(w) for w in result.profile.torch.why]


def _uv(result) -> List[str]:
    t = result.profile.torch
    name = f"pytorch-{t.backend}"
    return _header(result) + _why(result) + [
        f"export UV_TORCH_BACKEND={t.backend}",
        "#",
        _c("`uv lock` and `uv sync` do not read UV_TORCH_BACKEND (it belongs to the `uv pip` interface); for a "
           "lock, name the index in pyproject.toml:"),
        "# [[tool.uv.index]]", f'# name = "{name}"', f'# url = "{t.index_url}"', "# explicit = true", "#",
        "# [tool.uv.sources]", f'# torch = [{{ index = "{name}" }}]',
    ]


def _cuda_reason(p, left_out: str) -> str:
    """Why __cuda is what it is; `left_out` says how the format leaves it out."""
    if p.driver_cuda:
        return f"__cuda is the highest CUDA the driver supports: {p.driver_fact}"
    if not p.driver_known:
        return (f"{p.driver_fact}: the driver is not known, so {left_out} (CPU builds), the safe answer; export "
                f"from a scan of the GPU host")
    return f"{p.driver_fact}: {left_out}, so the solver picks CPU builds"


def _glibc_reason(p, unset: str) -> str:
    return f"__glibc is the host's C library: host.glibc = {p.glibc}" if p.glibc else f"host.glibc is unknown: {unset}"


def _conda(result) -> List[str]:
    p = result.profile
    out = _header(result) + [_c(_cuda_reason(p, "__cuda is left out (an empty value removes it)")),
                             f'export CONDA_OVERRIDE_CUDA="{p.driver_cuda or ""}"',
                             _c(_glibc_reason(p, "CONDA_OVERRIDE_GLIBC is not set (the solver's own is used)"))]
    if p.glibc:
        out.append(f'export CONDA_OVERRIDE_GLIBC="{p.glibc}"')
    return out


def _pixi(result) -> List[str]:
    p = result.profile
    out = _header(result) + ["[system-requirements]"]
    out.append(_c(_cuda_reason(p, "there is no cuda entry")))
    if p.driver_cuda:
        out.append(f'cuda = "{p.driver_cuda}"')
    out.append(_c(_glibc_reason(p, "no libc entry (pixi's default for the platform applies)")))
    if p.glibc:
        out.append(f'libc = {{ family = "glibc", version = "{p.glibc}" }}')
    return out


def _pip(result) -> List[str]:
    p, t = result.profile, result.profile.torch
    out = _header(result) + [_c(f"use: pip install torch -c THIS_FILE --index-url {t.index_url}")] + _why(result)
    if t.torch is None:
        out.append(_c("the CPU build: no torch pin and no CUDA wheels to constrain"))
        return out
    out.append(f"torch=={t.torch}" if t.default_build else f"torch=={t.torch}+{t.backend}")
    if t.default_build:
        out[-1:-1] = [_c(f"torch {t.torch} on PyPI is the {t.backend} build too (its default)")]
    major, minor = (int(x) for x in p.driver_cuda.split(".")[:2]) if p.driver_cuda else (None, None)
    if major in (12, 13):
        below = f"{major}.{minor + 1}"
        out.append(_c(f"CUDA runtime wheels the driver runs natively (CUDA <= {p.driver_cuda}): {p.driver_fact}"))
        if major == 12:
            out.append(_c("torch 2.11+ on PyPI depends on cuda-toolkit 13 (un-suffixed nvidia-cuda-runtime 13.x), "
                          "which a CUDA 12 driver cannot run (matrix/torch.yaml): these lines refuse it"))
        out += [f"cuda-toolkit<{below}", f"nvidia-cuda-runtime<{below}"]
        if major == 12:
            out.append(f"nvidia-cuda-runtime-cu12<{below}")
    return out


RENDER = {"uv": _uv, "conda": _conda, "pixi": _pixi, "pip": _pip}


def render_export(result) -> str:
    return "\n".join(RENDER[result.fmt](result)) + "\n"


def export_document(result) -> dict:
    """`envcheck export --json`: the facts, and the text the format renders."""
    return dict(result.profile.to_dict(), format=result.fmt, text=render_export(result))
