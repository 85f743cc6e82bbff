"""Python environments: found and read from their files (envcheck.pyenvs); run only with --exec.

Each environment becomes one PythonEnv; what could not be read is recorded in its ``errors`` and the others are
still reported. Symlinked interpreters (python3 -> python3.11, /usr/local/bin -> /usr/bin) are one environment.
"""
from __future__ import annotations

import json
import os
import re
from typing import Dict, List, Optional, Tuple

from envcheck.model.python import PythonEnv
from envcheck.pyenvs.discover import Candidate, discover
from envcheck.pyenvs.layout import Layout, read_layout
from envcheck.pyenvs.metadata import MATTER, Dist, cuda_major_of, is_pure, read_site, tag_fits, unmet
from envcheck.versions import Version, sane_version

_TORCH_VERSION_PY = {
    "cuda": re.compile(r"^cuda\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M),
    "hip": re.compile(r"^hip\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M),
    "git": re.compile(r"^git_version\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M),
}

EXEC_CODE = r"""
import sys, json, platform
out = {"version": platform.python_version(), "prefix": sys.prefix, "base_prefix": getattr(sys, "base_prefix", sys.prefix)}
try:
    from importlib import metadata
    names = set()
    for d in metadata.distributions():
        try:
            names.add(d.metadata["Name"].lower().replace("_", "-").replace(".", "-"))
        except Exception:
            pass
    out["packages"] = str(len(names))
    try:
        out["torch"] = metadata.version("torch")
    except Exception:
        pass
except Exception as e:
    out["error"] = repr(e)
print(json.dumps(out))
"""


def probe(ctx, env) -> dict:
    root = ctx.root
    environ = root.environ()
    cwd = None
    if root.live:
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = None
    cands, home_dirs, pyroots = discover(root, environ, tuple(ctx.search or ()), cwd)
    return {"pythons": tuple(read_all(root, cands, home_dirs, pyroots, ctx.exec_pythons))}


def _pre_key(root, c: Candidate) -> str:
    target = c.interpreter if c.interpreter and not root.exists(c.prefix + "/pyvenv.cfg") else c.prefix
    try:
        return root.realpath(target)
    except OSError:
        return target


def read_all(root, cands: List[Candidate], home_dirs, pyroots, exec_pythons: bool = False) -> List[PythonEnv]:
    seen_pre: Dict[str, str] = {}
    layouts: Dict[str, Layout] = {}
    found_by: Dict[str, List[str]] = {}
    for c in cands:
        pk = _pre_key(root, c)
        key = seen_pre.get(pk)
        if key is None:
            try:
                lay = read_layout(root, c.prefix, c.interpreter, home_dirs, pyroots, c.name_version)
            except Exception as exc:  # one bad environment never stops the others
                lay = Layout(c.prefix, c.interpreter or c.prefix, "prefix:" + c.prefix,
                             errors=[f"unreadable: {type(exc).__name__}: {exc}"])
            key = lay.key
            seen_pre[pk] = key
            if key not in layouts:
                layouts[key] = lay
        fb = found_by.setdefault(key, [])
        if c.found_by not in fb:
            fb.append(c.found_by)
    items = [(lay, tuple(found_by[key])) for key, lay in layouts.items()]
    out = read_many(root, items)
    if exec_pythons:
        out = [run_interpreter(root, p) for p in out]
    return out


def _read_safe(root, lay: Layout, found_by: Tuple[str, ...]) -> PythonEnv:
    try:
        return read_env(root, lay, found_by)
    except Exception as exc:  # one bad environment never stops the others
        return PythonEnv(path=lay.interpreter, kind=lay.kind, prefix=lay.prefix,
                         errors=tuple(lay.errors) + (f"unreadable: {type(exc).__name__}: {exc}",))


PARALLEL_MIN_ENVS = 8


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def read_many(root, items) -> List[PythonEnv]:
    """Read the environments; with many of them and two or more CPUs, a forked child reads the second half (the
    work is CPU-bound parsing, so threads would not help). Any trouble with the child: the parent reads its half."""
    if len(items) < PARALLEL_MIN_ENVS or _cpus() < 2 or not hasattr(os, "fork") or os.environ.get("ENVCHECK_NO_FORK"):
        return [_read_safe(root, lay, fb) for lay, fb in items]
    import pickle
    mid = len(items) // 2
    mine, theirs = items[:mid], items[mid:]
    try:
        rfd, wfd = os.pipe()
        pid = os.fork()
    except OSError:
        return [_read_safe(root, lay, fb) for lay, fb in items]
    if pid == 0:  # the child: read, send, leave without running any exit handlers
        code = 1
        try:
            os.close(rfd)
            data = pickle.dumps([_read_safe(root, lay, fb) for lay, fb in theirs], protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(wfd, view):]
            code = 0
        finally:
            os._exit(code)
    os.close(wfd)
    first = [_read_safe(root, lay, fb) for lay, fb in mine]
    chunks = []
    with os.fdopen(rfd, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    second = None
    if status == 0:
        try:
            second = pickle.loads(b"".join(chunks))
        except Exception:
            second = None
    if second is None or len(second) != len(theirs):
        second = [_read_safe(root, lay, fb) for lay, fb in theirs]
    return first + second


def read_env(root, lay: Layout, found_by: Tuple[str, ...]) -> PythonEnv:
    errors = list(lay.errors)
    dists: Dict[str, Dist] = {}
    where: Dict[str, str] = {}
    for sp in lay.site_packages:
        found, errs = read_site(root, sp, lay.version)
        errors += errs
        for d in found:
            errors += d.errors
            if d.name in dists:
                continue  # shadowed by an earlier directory on sys.path
            dists[d.name] = d
            where[d.name] = sp
    packages = {n: d.version for n, d in sorted(dists.items()) if d.version is not None}
    requires: Dict[str, Tuple[str, ...]] = {}
    for n, d in sorted(dists.items()):
        if n in MATTER:
            reqs = tuple(d.requires)
        else:
            reqs = tuple(r for r in d.requires if unmet(r, packages))
        if reqs:
            requires[n] = reqs
    pyv = _version(lay.version)
    tags = {n: d.tags for n, d in sorted(dists.items())
            if d.tags and not is_pure(d.tags) and (n in MATTER or pyv is None or not any(tag_fits(t, pyv) is not False for t in d.tags))}
    cuda_wheels = {}
    for n, d in sorted(dists.items()):
        if n.startswith("nvidia-") or n.startswith("tensorrt-cu"):
            cu = cuda_major_of(root, d)
            if cu:
                cuda_wheels[n] = cu
    torch_cuda = torch_hip = torch_git = torch_local = None
    if "torch" in dists:
        t = dists["torch"]
        torch_local = t.version.local if t.version is not None else None
        vp = f"{where['torch']}/torch/version.py"
        try:
            text = root.read_text(vp, 1 << 16)
            vals = {k: (m.group(1) if m else None) for k, rx in _TORCH_VERSION_PY.items() for m in [rx.search(text)]}
            torch_cuda = _version(vals["cuda"])
            torch_hip = _version(vals["hip"])
            torch_git = vals["git"]
        except OSError as exc:
            errors.append(f"{vp}: {exc.strerror or type(exc).__name__}")
    return PythonEnv(
        path=lay.interpreter, version=_version(lay.version), kind=lay.kind, prefix=lay.prefix, base=lay.base,
        venv_module=has_ensurepip(root, lay), externally_managed=is_externally_managed(root, lay),
        site_packages=lay.site_packages, packages=packages, torch_cuda=torch_cuda, torch_hip=torch_hip,
        torch_git=torch_git, requires=requires, wheel_tags=tags, cuda_wheels=cuda_wheels, torch_local=torch_local,
        found_by=found_by, errors=tuple(dict.fromkeys(errors)) or None)


def _stdlib(root, lay: Layout) -> Optional[str]:
    """The stdlib directory of the interpreter (of a venv: of its base), when it is where CPython puts it."""
    mm = ".".join((lay.version or "").split(".")[:2])
    if not mm:
        return None
    if lay.base:  # a venv (uv's project .venvs too): its base's stdlib
        home = os.path.dirname(os.path.dirname(lay.base))
    elif lay.kind == "venv":
        return None  # a venv whose base is not known
    else:
        home = lay.prefix
    if not home:
        return None
    stdlib = f"{home.rstrip('/')}/lib/python{mm}"
    return stdlib if root.exists(stdlib + "/os.py") else None


def has_ensurepip(root, lay: Layout) -> Optional[bool]:
    """Whether `python -m venv` can bootstrap pip: ensurepip in the stdlib of the interpreter (of a venv: of its
    base). None when the stdlib itself is not found (an unusual layout)."""
    stdlib = _stdlib(root, lay)
    return None if stdlib is None else root.exists(stdlib + "/ensurepip/__init__.py")


def is_externally_managed(root, lay: Layout) -> Optional[bool]:
    """PEP 668: an EXTERNALLY-MANAGED file in the stdlib makes pip refuse to install outside a venv (Debian 12,
    Ubuntu 23.04+). A venv is never externally managed."""
    if lay.kind == "venv" or lay.base:
        return False
    stdlib = _stdlib(root, lay)
    return None if stdlib is None else root.exists(stdlib + "/EXTERNALLY-MANAGED")


def _version(text: Optional[str]) -> Optional[Version]:
    if not text or not sane_version(text):
        return None
    try:
        return Version(text)
    except ValueError:
        return None


def run_interpreter(root, p: PythonEnv) -> PythonEnv:
    """--exec: run the interpreter once (isolated mode, 10 s) and note where the files said otherwise."""
    from dataclasses import replace
    if not root.live:
        return replace(p, executed={"error": f"not run: --root {root.base} is not the live machine"})
    try:
        isolate = ["-I"] if p.version is None or p.version.major >= 3 else ["-E", "-s"]  # Python 2 has no -I
        res = root.run([p.path] + isolate + ["-c", EXEC_CODE], timeout=10)
    except Exception as exc:
        return replace(p, executed={"error": f"{type(exc).__name__}: {exc}"})
    if res.returncode != 0:
        return replace(p, executed={"error": f"exit {res.returncode}: {res.stderr.strip()[-300:]}"})
    try:
        got = {k: str(v) for k, v in json.loads(res.stdout.strip().splitlines()[-1]).items()}
    except (ValueError, IndexError):
        return replace(p, executed={"error": f"unexpected output: {res.stdout[-200:]!r}"})
    diffs = []
    if p.version and got.get("version") and str(p.version) != got["version"]:
        diffs.append(f"version: files say {p.version}, interpreter says {got['version']}")
    if p.prefix and got.get("prefix") and os.path.realpath(got["prefix"]) != os.path.realpath(p.prefix):
        diffs.append(f"prefix: files say {p.prefix}, interpreter says {got['prefix']}")
    ft = str((p.packages or {}).get("torch")) if (p.packages or {}).get("torch") else None
    if ft != got.get("torch"):
        diffs.append(f"torch: files say {ft or 'not installed'}, interpreter says {got.get('torch') or 'not installed'}")
    if "packages" in got and p.packages is not None and int(got["packages"]) != len(p.packages):
        diffs.append(f"packages: files list {len(p.packages)}, interpreter sees {got['packages']}")
    if diffs:
        got["differs"] = "; ".join(diffs)
    return replace(p, executed=got)
