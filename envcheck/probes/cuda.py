"""CUDA toolkits on disk: every /usr/local/cuda*, CUDA_HOME / CUDA_PATH, nvcc on PATH.

The version comes from the toolkit's own files (version.json since CUDA 11.1, version.txt before), so nothing is
run where a file answers; only on the live machine, for a tree with neither file, is ``nvcc --version`` asked.
"""
from __future__ import annotations

import json
import posixpath
import re
from typing import Dict, List, Optional, Tuple

from envcheck.model import CudaToolkit
from envcheck.probes import reason
from envcheck.versions import parse

_VERSION_TXT = re.compile(r"CUDA Version\s+(\d+(?:\.\d+)+)")
_NVCC = re.compile(r"release\s+\d+\.\d+,\s+V(\d+(?:\.\d+)+)")
_DIRNAME = re.compile(r"^cuda-(\d+(?:\.\d+)*)$")


def toolkit_version(root, path: str, allow_run: bool = True) -> Tuple[Optional[str], Optional[str]]:
    """(version text, error) for the toolkit at ``path``."""
    errors = []
    try:
        doc = json.loads(root.read_text(path + "/version.json", limit=1 << 20))
        v = (doc.get("cuda") or {}).get("version") or (doc.get("cuda_cudart") or {}).get("version")
        if v:
            return str(v), None
        errors.append("version.json has no cuda.version")
    except OSError:
        pass
    except (ValueError, AttributeError) as exc:
        errors.append(f"version.json unreadable: {exc}")
    try:
        m = _VERSION_TXT.search(root.read_text(path + "/version.txt", limit=1 << 16))
        if m:
            return m.group(1), None
        errors.append("version.txt has no 'CUDA Version'")
    except OSError:
        pass
    nvcc = path + "/bin/nvcc"
    if allow_run and root.live and root.is_file(nvcc):
        try:
            res = root.run([nvcc, "--version"], timeout=10)
            m = _NVCC.search(res.stdout)
            if m:
                return m.group(1), None
            errors.append(f"nvcc --version said nothing usable (exit {res.returncode})")
        except Exception as exc:  # timeout, not executable
            errors.append(f"nvcc --version failed: {reason(exc)}")
    m = _DIRNAME.match(posixpath.basename(path.rstrip("/")))
    if m and not errors:
        return None, f"no version.json/version.txt; the directory name says {m.group(1)}"
    return None, "; ".join(errors) or "no version.json, version.txt or nvcc"


def _looks_like_toolkit(root, path: str) -> bool:
    return any(root.exists(path + "/" + n) for n in ("version.json", "version.txt", "include/cuda.h", "targets", "nvvm"))


def _wrapped_toolkit(root, nvcc: str) -> Optional[str]:
    """A wrapper script (`exec /usr/local/cuda-13.0/bin/nvcc "$@"`): the toolkit it points at."""
    try:
        head = root.read_bytes(nvcc, limit=4096)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    m = re.search(rb"(/[^\s'\"]+)/bin/nvcc\b", head)
    if not m:
        return None
    top = m.group(1).decode("utf-8", "replace")
    try:
        top = root.realpath(top)
    except OSError:
        return None
    return top if _looks_like_toolkit(root, top) else None


def probe(ctx, env) -> dict:
    root = ctx.root
    environ = root.environ()
    found: Dict[str, List[str]] = {}   # real path -> found_by
    order: List[str] = []
    errors: Dict[str, str] = {}

    def add(path: str, how: str):
        try:
            real = root.realpath(path)
        except OSError as exc:
            errors[path] = reason(exc)
            return
        if not root.is_dir(real):
            return
        if real not in found:
            found[real] = []
            order.append(real)
        if how not in found[real]:
            found[real].append(how)

    for p in root.glob("/usr/local", "cuda*"):
        if root.is_dir(p) and (root.exists(p + "/bin") or root.exists(p + "/lib64") or root.exists(p + "/version.json")
                               or root.exists(p + "/version.txt") or root.exists(p + "/targets")):
            add(p, "/usr/local")
    for var in ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT", "CUDA_TOOLKIT_ROOT_DIR"):
        val = environ.get(var)
        if val and val.startswith("/"):
            add(val.rstrip("/") or "/", var)
    nvcc = root.which("nvcc")
    if nvcc:
        try:
            real_nvcc = root.realpath(nvcc)
            top = posixpath.dirname(posixpath.dirname(real_nvcc))
            if not _looks_like_toolkit(root, top):
                top = _wrapped_toolkit(root, real_nvcc) or top
            add(top, "nvcc on PATH")
        except OSError as exc:
            errors[nvcc] = reason(exc)

    default = None
    if root.exists("/usr/local/cuda"):
        try:
            default = root.realpath("/usr/local/cuda")
        except OSError:
            default = None

    out = []
    for real in order:
        version, err = toolkit_version(root, real)
        if err and real in errors:
            err = errors[real] + "; " + err
        out.append(CudaToolkit(path=real, version=parse(version), nvcc=root.is_file(real + "/bin/nvcc"),
                               default=(real == default) if default else False,
                               found_by=tuple(found[real]), error=err if version is None else None))
    out.sort(key=lambda t: (not t.default, -(t.version.major if t.version else 0),
                            -(t.version.minor if t.version else 0), t.path))
    return {"cuda_toolkits": tuple(out)}
