"""`envcheck recommend --verify`: ask pip's own resolver whether a wheel path's pins resolve.

Two steps, neither of which runs a package's build backend:
1. the configured (default) index's file list for the release: when it holds only a small sdist whose
   pyproject names ``wheel_stub``/``nvidia_stub`` as build backend, that is NVIDIA's stub (it downloads the real
   wheel from NVIDIA's index at install time); it is recognised and never built;
2. ``pip install --dry-run --report`` in a throwaway venv, with ``--only-binary=:all:`` (so no sdist, stub or not,
   is ever built), the Python version of the path, manylinux x86_64, and the indexes the path's commands name.
Network trouble is reported as such; the matrix answer stands.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import List, Optional, Tuple

from envcheck.archives import sdist_files
from envcheck.documents import DocumentError
from envcheck.pyenvs.metadata import norm

DEFAULT_INDEX = "https://pypi.org/simple"
NET_HINTS = ("NewConnectionError", "Network is unreachable", "Temporary failure in name resolution",
             "Failed to establish a new connection", "Connection refused", "ConnectionError", "timed out",
             "Could not fetch URL", "ProxyError", "No route to host")
STUB_MAX_BYTES = 256 * 1024


@dataclass
class VerifyResult:
    status: str                     # confirmed | refused | no-network | skipped | error
    lines: List[str] = field(default_factory=list)
    stub: Optional[dict] = None

    def summary(self) -> str:
        return f"{self.status}: " + "; ".join(self.lines)

    def to_dict(self) -> dict:
        return {"status": self.status, "lines": self.lines, "stub": self.stub}


def configured_index(env: Optional[dict] = None) -> str:
    e = env if env is not None else os.environ
    if e.get("PIP_INDEX_URL"):
        return e["PIP_INDEX_URL"].split()[0]
    try:
        p = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                           timeout=20, env=dict(e))
        for line in p.stdout.splitlines():
            mo = re.match(r"^[\w:.\-]*index-url='([^']+)'", line.strip())
            if mo and "extra" not in line.split("=")[0]:
                return mo.group(1).split()[0]
    except (OSError, subprocess.SubprocessError):
        pass
    return DEFAULT_INDEX


def parse_install(commands) -> Optional[Tuple[str, str, List[str]]]:
    """(distribution, version, index args) from a wheel path's `pip install "dist==ver" --extra-index-url URL` line."""
    for c in commands:
        mo = re.search(r'pip install .*?"([A-Za-z0-9_.\-]+)==([^"]+)"(.*)$', c)
        if mo:
            rest = mo.group(3).split("#")[0].split()
            idx = []
            for i, a in enumerate(rest):
                if a in ("--extra-index-url", "--index-url") and i + 1 < len(rest):
                    idx += [a, rest[i + 1]]
            return mo.group(1), mo.group(2), idx
    return None


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: List[Tuple[str, str]] = []
        self._href = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href is not None and data.strip():
            self.links.append((data.strip(), self._href))
            self._href = None



def _get(url: str, timeout: float, limit: int = 8 * 1024 * 1024) -> bytes:
    req = urllib.request.Request(url, headers={"Accept": "text/html", "User-Agent": "envcheck-verify"})
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - the user asked for --verify
        data = r.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{url}: larger than {limit} bytes")
    return data


def index_files(index: str, dist: str, timeout: float) -> List[Tuple[str, str]]:
    base = index.rstrip("/") + "/" + norm(dist) + "/"
    p = _Links()
    p.feed(_get(base, timeout).decode("utf-8", "replace"))
    return [(name, urllib.request.urljoin(base, href)) for name, href in p.links]


def inspect_stub(url: str, timeout: float) -> Optional[dict]:
    """Read (never build) an sdist: is it NVIDIA's wheel_stub/nvidia_stub, and which index does it download from?"""
    data = _get(url.split("#")[0], timeout, STUB_MAX_BYTES)
    files = sdist_files(data, url.split("#")[0].rsplit("/", 1)[-1], lambda n: n.endswith("pyproject.toml"),
                        STUB_MAX_BYTES)
    for text in (raw.decode("utf-8", "replace") for raw in files.values()):
        be = re.search(r'build-backend\s*=\s*"([^"]+)"', text)
        backend = be.group(1) if be else ""
        if "wheel_stub" in backend or "nvidia_stub" in backend:
            iu = re.search(r'index_url\s*=\s*"([^"]+)"', text)
            return {"bytes": len(data), "build_backend": backend,
                    "index_url": iu.group(1) if iu else None, "stub_only": "stub_only = true" in text}
    return None


def verify(path, python_version: str = "3.10", index_url: Optional[str] = None, timeout: float = 180,
           env: Optional[dict] = None, platforms=("manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                                                   "manylinux2014_x86_64", "linux_x86_64")) -> VerifyResult:
    if path is None or path.kind != "wheel":
        return VerifyResult("skipped", ["only wheel paths can be checked with pip's resolver"])
    parsed = parse_install(path.commands)
    if parsed is None:
        return VerifyResult("skipped", ["no pinned pip install in the path's commands"])
    dist, version, idx_args = parsed
    penv = dict(env if env is not None else os.environ)
    index = index_url or configured_index(penv)
    res = VerifyResult("confirmed")
    # 1. the default index: a stub sdist?
    try:
        files = index_files(index, dist, timeout=min(timeout, 30))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return VerifyResult("no-network", [f"could not reach {index} ({getattr(exc, 'reason', exc)}); the matrix "
                                           f"answer stands"])
    mine = [(n, u) for n, u in files if _file_version(n, dist) == version]
    wheels = [n for n, _ in mine if n.endswith(".whl")]
    sdists = [(n, u) for n, u in mine if not n.endswith(".whl")]
    if sdists and not wheels:
        try:
            stub = inspect_stub(sdists[0][1], timeout=min(timeout, 30))
        except (urllib.error.URLError, OSError, ValueError, DocumentError) as exc:
            stub = None
            res.lines.append(f"{index}: only an sdist {sdists[0][0]} (not read: {exc})")
        if stub:
            res.stub = dict(stub, file=sdists[0][0])
            res.lines.append(f"{index} holds only {sdists[0][0]}, a {stub['bytes']}-byte {stub['build_backend'].split('.')[0]} "
                             f"stub sdist that downloads the real wheel from {stub['index_url'] or 'NVIDIA’s index'} at "
                             f"install time (recognised, not built)")
    elif not mine:
        res.lines.append(f"{index} lists no file for {dist} {version}")
    else:
        res.lines.append(f"{index} has {len(wheels)} wheel(s) for {dist} {version}")
    # 2. pip's resolver, binaries only, in a throwaway venv
    with tempfile.TemporaryDirectory(prefix="envcheck-verify-") as tmp:
        venv = os.path.join(tmp, "venv")
        try:
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            return VerifyResult("error", res.lines + [f"could not create a throwaway venv: {exc}"], res.stub)
        py = os.path.join(venv, "bin", "python")
        report = os.path.join(tmp, "report.json")
        cmd = [py, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--report", report, "--quiet",
               "--only-binary=:all:", "--python-version", python_version, "--target", os.path.join(tmp, "t"),
               "--index-url", index] + [a for p in platforms for a in ("--platform", p)] + list(idx_args) + \
              [f"{dist}=={version}"]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=penv)
        except subprocess.TimeoutExpired:
            return VerifyResult("no-network", res.lines + [f"pip did not answer within {timeout:g} s; the matrix answer stands"], res.stub)
        out = (p.stdout or "") + (p.stderr or "")
        if p.returncode == 0 and os.path.isfile(report):
            with open(report, encoding="utf-8") as fh:
                rep = json.load(fh)
            items = rep.get("install") or []
            me = next((i for i in items if norm(i.get("metadata", {}).get("name", "")) == norm(dist)), None)
            url = (me or {}).get("download_info", {}).get("url", "?")
            res.lines.append(f"pip resolves {dist}=={version} for Python {python_version} from {url} with "
                             f"{len(items) - 1} dependencies (binaries only)")
            res.status = "confirmed"
            return res
        if any(h in out for h in NET_HINTS):
            res.status = "no-network"
            res.lines.append(f"pip could not reach an index ({_last(out)}); the matrix answer stands")
            return res
        res.status = "refused"
        res.lines.append(f"pip's resolver refuses it: {_last(out)}")
        return res


def _file_version(filename: str, dist: str) -> Optional[str]:
    """The version in a wheel or sdist file name of `dist`, else None."""
    n = filename.split("#")[0]
    if n.endswith(".whl"):
        parts = n[:-4].split("-")
        name, ver = (parts[0], parts[1]) if len(parts) >= 5 else (None, None)
    else:
        for ext in (".tar.gz", ".zip", ".tar.bz2"):
            if n.endswith(ext):
                n = n[: -len(ext)]
                break
        else:
            return None
        name, _, ver = n.rpartition("-")
    return ver if name and norm(name) == norm(dist) else None


def _last(text: str) -> str:
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("WARNING")]
    err = [l for l in lines if l.startswith("ERROR")]
    return (err[-1] if err else lines[-1] if lines else "no output")[:300]
