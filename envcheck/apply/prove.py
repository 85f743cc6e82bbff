"""Proving an install: re-scan (the pythons and libraries probes), import the target in the environment it went
into (that one interpreter, isolated with -I, a timeout, the carried environment), and check that its native
libraries resolve the way glibc would (the libraries probe and the checks in envcheck.checks.native).

The verdict is "installed and verified" only when all three hold: the distribution's files are there at the
version the path installs, the import succeeds, and none of the target's shared objects has a missing library or
symbol version.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from envcheck.findings import Finding
from envcheck.pyenvs.metadata import norm

IMPORT_CODE = r"""
import importlib, json, sys
name, dist = sys.argv[1], sys.argv[2]
m = importlib.import_module(name)
out = {"module": name, "file": getattr(m, "__file__", None), "version": getattr(m, "__version__", None)}
try:
    from importlib import metadata
    out["dist_version"] = metadata.version(dist)
except Exception as e:
    out["dist_version_error"] = repr(e)
print(json.dumps(out))
"""
PROBES_USED = ("host", "pythons")      # then the libraries probe, with the target's import names added
MAX_META = 4 << 20


@dataclass(frozen=True)
class Proof:
    prefix: str
    python: Optional[str]
    dist: str
    want_version: str
    installed: Optional[str]                # what the files say (the pythons probe)
    modules: Tuple[str, ...]                # import names, from the distribution's files
    imported: Optional[Dict[str, str]]      # what the import said
    import_error: Optional[str]
    native_files: int                       # shared objects of the target checked
    native: Tuple[Finding, ...]             # problems with them (checks.native)
    elsewhere: Tuple[Finding, ...]          # native problems of other packages in the same environment
    problems: Tuple[str, ...]

    @property
    def verified(self) -> bool:
        return not self.problems

    @property
    def verdict(self) -> str:
        return "installed and verified" if self.verified else "not verified: " + "; ".join(self.problems)

    def to_dict(self) -> dict:
        return {"verified": self.verified, "verdict": self.verdict, "prefix": self.prefix, "python": self.python,
                "distribution": self.dist, "version_wanted": self.want_version, "version_installed": self.installed,
                "modules": list(self.modules), "import": self.imported, "import_error": self.import_error,
                "native_files_checked": self.native_files, "native_findings": [f.to_dict() for f in self.native],
                "other_native_findings": [f.to_dict() for f in self.elsewhere], "problems": list(self.problems)}


def _real(path: Optional[str]) -> Optional[str]:
    return os.path.realpath(os.path.expanduser(path)) if path else None


def find_env(env, prefix: str):
    want = _real(prefix)
    for i, p in enumerate(env.pythons or ()):
        if _real(p.prefix) == want:
            return i, p
    return None, None


def _dist_info(site_packages, dist: str) -> Optional[str]:
    for sp in site_packages or ():
        try:
            names = os.listdir(sp)
        except OSError:
            continue
        for n in sorted(names):
            if n.endswith(".dist-info") and norm(n[:-10].rsplit("-", 1)[0]) == norm(dist):
                return os.path.join(sp, n)
    return None


def _read(path: str, limit: int = MAX_META) -> str:
    with open(path, "rb") as fh:
        return fh.read(limit).decode("utf-8", "replace")


def import_names(site_packages, dist: str, fallback: str) -> Tuple[str, ...]:
    """The top-level import names a distribution installed: top_level.txt, else the first parts of RECORD."""
    di = _dist_info(site_packages, dist)
    names: List[str] = []
    if di:
        try:
            names = [l.strip() for l in _read(os.path.join(di, "top_level.txt")).splitlines() if l.strip()]
        except OSError:
            try:
                for line in _read(os.path.join(di, "RECORD")).splitlines():
                    first = line.split(",", 1)[0].split("/", 1)
                    top = first[0]
                    if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__") or not top:
                        continue
                    if len(first) == 2 and first[1] == "__init__.py":
                        names.append(top)
                    elif len(first) == 1 and top.endswith(".py"):
                        names.append(top[:-3])
            except OSError:
                pass
    names = [n for n in dict.fromkeys(names) if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n)]
    return tuple(sorted(names, key=lambda n: (n != fallback, n.startswith("_"), n))) or (fallback,)


def rescan_pythons(root, prefix: str):
    """The host and pythons probes, with `prefix` searched too (a venv outside the usual places)."""
    from envcheck.probes import PROBES, ProbeContext, scan

    skip = tuple(n for n, _ in PROBES if n not in PROBES_USED)
    return scan(ProbeContext(root=root, search=(prefix,), skip=skip))


def rescan_libraries(root, env, index: int, native_extra: Tuple[Tuple[str, str], ...] = ()):
    """The libraries probe over that one environment of the scan, resolving the target's import names as well
    (native_extra); the other environments are left as they are."""
    from envcheck.probes import ProbeContext, libraries

    found = libraries.probe(ProbeContext(root=root, native_extra=native_extra),
                            env.replace(pythons=(env.pythons[index],)))
    pythons = list(env.pythons)
    pythons[index] = found["pythons"][0]
    return env.replace(pythons=tuple(pythons), libraries=found["libraries"])


def run_import(python: str, module: str, dist: str, environ: Dict[str, str], timeout: float):
    """(what the import said, or None; the error). Isolated (-I: no user site, no PYTHON* variables, no cwd on
    sys.path), in an empty directory, with the environment the steps left."""
    with tempfile.TemporaryDirectory(prefix="envcheck-import-") as cwd:
        try:
            res = subprocess.run([python, "-I", "-c", IMPORT_CODE, module, dist], capture_output=True, text=True,
                                 env=environ, cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return None, f"`{python} -I -c 'import {module}'` did not finish within {timeout:g} s"
        except OSError as exc:
            return None, f"cannot run {python}: {exc.strerror or exc}"
    if res.returncode != 0:
        last = [l for l in res.stderr.strip().splitlines() if l.strip()]
        return None, f"`import {module}` failed (exit {res.returncode}): {last[-1] if last else 'no message'}"
    try:
        return json.loads(res.stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, f"`import {module}` printed no result: {res.stdout[-200:]!r}"


def _target_dists(target: str, dist: str) -> Tuple[str, ...]:
    from envcheck.checks.native import TARGETS

    return tuple(sorted({norm(dist)} | {norm(d) for d, t in TARGETS.items() if t == target}))


def native_findings(env, index: int, matrix, dists: Tuple[str, ...]) -> Tuple[Tuple[Finding, ...], Tuple[Finding, ...]]:
    """(problems of the target's shared objects, problems of other packages in the same environment), from the
    rules in checks.native run on that one environment."""
    from envcheck.checks.native import RULES

    p = env.pythons[index]
    mine = tuple(n for n in p.native or () if norm(n.package) in dists)
    other = tuple(n for n in p.native or () if norm(n.package) not in dists)

    def run(links):
        only = env.replace(pythons=(dataclasses.replace(p, native=links),))
        out = [f for rule in RULES for f in rule(only, matrix) or () if f.severity in ("fail", "warn")]
        return tuple(out)
    return run(mine), run(other)


def count_shared_objects(site_packages, modules) -> int:
    from envcheck.probes.libraries import MAX_FILES_PER_ENV, _walk
    from envcheck.root import Root

    root, n = Root("/"), 0
    for sp in site_packages or ():
        for m in modules:
            if os.path.isdir(os.path.join(sp, m)):
                n += len(_walk(root, os.path.join(sp, m), MAX_FILES_PER_ENV))
    return n


def prove(path, prefix: str, environ: Dict[str, str], matrix, module_hint: str, timeout: float = 120.0) -> Proof:
    dist = norm(path.target if path.kind != "wheel" else _requirement_dist(path) or path.target)
    from envcheck.root import Root

    prefix = os.path.abspath(os.path.expanduser(prefix))
    root = Root("/", environ=environ)      # LD_LIBRARY_PATH as the steps left it
    env = rescan_pythons(root, prefix)
    i, p = find_env(env, prefix)
    problems: List[str] = []
    if p is None:
        return Proof(prefix, None, dist, path.version, None, (module_hint,), None, None, 0, (), (),
                     (f"the re-scan finds no Python environment at {prefix}",))
    packages = {norm(k): str(v) for k, v in (p.packages or {}).items()}
    installed = packages.get(dist)
    if installed is None:
        problems.append(f"{dist} is not installed in {prefix} (its files: no {dist} dist-info)")
    elif installed != path.version:
        problems.append(f"{prefix} has {dist} {installed}, not {path.version}")
    modules = (module_hint,) if _in_matrix(path.target) else import_names(p.site_packages, dist, module_hint)
    env = rescan_libraries(root, env, i, tuple((m, dist) for m in modules))
    p = env.pythons[i]
    python = os.path.join(prefix, "bin", "python") if os.path.exists(os.path.join(prefix, "bin", "python")) else p.path
    imported, err = run_import(python, modules[0], dist, environ, timeout)
    if err:
        problems.append(err)
    dists = _target_dists(path.target, dist)
    mine, other = native_findings(env, i, matrix, dists)
    for f in mine:
        problems.append(f.title)
    n = count_shared_objects(p.site_packages, modules)
    return Proof(prefix, python, dist, path.version, installed, modules, imported, err, n, mine, other,
                 tuple(problems))


def _in_matrix(target: str) -> bool:
    from envcheck.recommend.targets import TARGETS

    return target in TARGETS


def _requirement_dist(path) -> Optional[str]:
    """The distribution the path's pip command installs ("tensorrt-cu12==10.x" for tensorrt)."""
    for c in reversed(path.commands):
        m = re.search(r'-m pip install (?:--no-cache-dir )?"([A-Za-z0-9._-]+)==', c)
        if m:
            return m.group(1)
    return None
