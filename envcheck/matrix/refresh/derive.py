"""Candidate rows per subject, each fact from the index's own files (see envcheck/matrix/refresh/__init__.py).

A value no artefact states (release-notes facts such as TensorRT-LLM's CUDA, base image, container, GPU
architectures; PyTorch's list of CUDA builds, which lives on download.pytorch.org) is left out, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from envcheck.matrix.refresh.artifacts import Metadata, cuda_of_wheel, stub_sdist, wheel_metadata
from envcheck.matrix.refresh.http import FetchError, Http
from envcheck.matrix.refresh.index import (Index, IndexFile, cpython_minors, file_version, linux_x86_64, normalize,
                                    parse_wheel)
from envcheck.matrix.refresh.remotezip import ZipError

SUBJECTS = ("torch", "vllm", "sglang", "tensorrt", "tensorrt-llm")
PYTHON_MINORS = [f"3.{n}" for n in range(6, 16)]
LINUX = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
         "implementation_name": "cpython", "platform_python_implementation": "CPython", "python_version": "3.12",
         "python_full_version": "3.12.0", "extra": ""}
KERNEL_PACKAGES = ("sgl-kernel", "sglang-kernel")


@dataclass
class Candidate:
    subject: str
    version: str
    row: Dict = field(default_factory=dict)
    sources: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    touched: Dict[str, int] = field(default_factory=dict)   # file name -> its size: the files partly read
    fetched: int = 0                                          # bytes received for this version (not index pages)
    error: Optional[str] = None

    def as_row(self) -> Dict:
        row = {k: v for k, v in self.row.items() if v is not None}  # unknown stays out, never null
        out = {"version": self.version, **row, "derived_by": "refresh", "sources": list(self.sources)}
        if self.notes:
            out["notes"] = " ".join(self.notes)
        return out


class Deriver:
    def __init__(self, http: Http, index: Index, cuda_budget_fraction: float = 0.008, cuda_budget_min: int = 1 << 20,
                 cuda_budget_max: int = 32 << 20):
        self.http, self.index = http, index
        self.frac, self.bmin, self.bmax = cuda_budget_fraction, cuda_budget_min, cuda_budget_max

    # -- versions ------------------------------------------------------------------------------------------
    def versions(self, subject: str, since: Optional[str] = None) -> List[str]:
        """Final releases of the subject on the index (not yanked), oldest first; `since` = upload date >= DATE."""
        project = "tensorrt" if subject == "tensorrt" else subject
        seen: Dict[str, str] = {}
        for f in self.index.files(project):
            v = file_version(f, project)
            if v is None:
                continue
            try:
                pv = Version(v)
            except InvalidVersion:
                continue
            if pv.is_prerelease or pv.is_devrelease or pv.local:
                continue
            day = (f.upload_time or "")[:10]
            seen[v] = min(seen.get(v, day) or day, day) if day else seen.get(v, "")
        vs = [v for v, day in seen.items() if not since or not day or day >= since]
        return sorted(vs, key=Version)

    def yanked(self, subject: str, version: str) -> bool:
        """Every file of the version is yanked (PEP 592): never proposed as a new row."""
        files = [f for f in self.index.files(subject) if file_version(f, subject) == version]
        return bool(files) and all(f.yanked for f in files)

    def derive(self, subject: str, version: str) -> Candidate:
        c = Candidate(subject, version)
        if self.yanked(subject, version):
            c.notes.append("every file of this version is yanked on the index.")
        before = self.http.counter.total - self.http.counter.by_kind.get("index", 0)
        try:
            getattr(self, "_" + subject.replace("-", "_"))(c)
        except (FetchError, ZipError) as exc:
            c.error = str(exc)
        c.fetched = self.http.counter.total - self.http.counter.by_kind.get("index", 0) - before
        return c

    # -- helpers -----------------------------------------------------------------------------------------------
    def _files(self, project: str, version: str) -> List[IndexFile]:
        files = [f for f in self.index.files(project) if file_version(f, project) == version]
        live = [f for f in files if not f.yanked]
        return live or files  # a yanked release is still described by its own files

    def _linux_wheels(self, project: str, version: str) -> List[IndexFile]:
        out = []
        for f in self._files(project, version):
            w = parse_wheel(f.filename)
            if w is not None and (linux_x86_64(w) or "any" in w.platform) and not "+" in w.version:
                out.append(f)
        return out

    def _touch(self, c: Candidate, f: IndexFile) -> None:
        """Record a file read from, with its size (a PEP 503 HTML page gives none: one 1-byte range request)."""
        size = f.size
        if not size and f.is_wheel:
            try:
                size = self.http.size(f.url)
            except FetchError:
                size = None
        if size:
            c.touched[f.filename] = size

    def _pick(self, wheels: List[IndexFile]) -> Optional[IndexFile]:
        """The wheel a plain `pip install` on Linux x86_64 CPython 3.12 would take (else the newest CPython)."""
        def key(f):
            w = parse_wheel(f.filename)
            minors = cpython_minors(w)
            return ("3.12" in minors or "abi3" in w.abi or "none" in w.abi, max((int(m.split(".")[1]) for m in minors), default=0),
                    f.filename)
        return max(wheels, key=key) if wheels else None

    def _metadata(self, c: Candidate, f: IndexFile) -> Metadata:
        self._touch(c, f)
        md = wheel_metadata(self.http, f)
        return md

    def _cuda(self, c: Candidate, f: IndexFile, label: str) -> Optional[str]:
        self._touch(c, f)
        budget = max(self.bmin, min(self.bmax, int((f.size or 0) * self.frac)))
        cb = cuda_of_wheel(self.http, f, budget)
        c.sources.append(cb.source)
        if cb.cuda:
            c.notes.append(f"cuda MEASURED from {label} (nvcc release {cb.nvcc}"
                           + (f", libcudart.so.{cb.cudart_major})." if cb.cudart_major else ")."))
            return cb.cuda
        if cb.error:
            c.notes.append(f"cuda left out: reading {label} failed ({cb.error}).")
        elif cb.cudart_major is not None:
            # the major is known from the file: recorded alone ("13"), so recommend blocks the build on a driver
            # below that major's minimum and calls it risky on one of the same major (the minor is unknown)
            why = (f"the nvcc release string read ({cb.nvcc}) names another major" if cb.nvcc else
                   f"no nvcc release string was found in the {len(cb.read)} smallest extension modules read "
                   f"(budget {budget} compressed bytes)")
            c.notes.append(f"cuda is the major only: {label} links libcudart.so.{cb.cudart_major} (CUDA "
                           f"{cb.cudart_major}.x), but {why}; a human sets the minor.")
            return str(cb.cudart_major)
        else:
            c.notes.append(f"cuda left out: no libcudart.so.N or nvcc string in the extension modules read from {label}.")
        return None

    # -- subjects ---------------------------------------------------------------------------------------------
    def _torch(self, c: Candidate) -> None:
        wheels = self._linux_wheels("torch", c.version)
        minors = sorted({m for f in wheels for m in cpython_minors(parse_wheel(f.filename))}, key=_minor_key)
        if minors:
            c.row["python"] = minors
            c.sources.append(f"{self.index.url}torch/ (simple API: CPython Linux x86_64 wheels of torch {c.version}: "
                             + ", ".join(sorted(f.filename for f in wheels)) + ")")
        f = self._pick(wheels)
        if f is None:
            c.notes.append("no Linux x86_64 wheel on the index.")
            return
        md = self._metadata(c, f)
        build, why = torch_default_cuda(md.requires_dist)
        if build:
            c.row["default_cuda"] = build
            c.sources.append(f"{md.source}: {why}")
        else:
            c.notes.append("default_cuda left out: the wheel's METADATA pins no CUDA runtime wheel (CPU build?).")
        c.notes.append("cuda (the list of CUDA builds) is left out: it lives on download.pytorch.org, not this index.")

    def _vllm(self, c: Candidate) -> None:
        self._release_with_kernels(c, "vllm", own_kernels=True)

    def _sglang(self, c: Candidate) -> None:
        self._release_with_kernels(c, "sglang", own_kernels=False)

    def _release_with_kernels(self, c: Candidate, project: str, own_kernels: bool) -> None:
        wheels = [f for f in self._linux_wheels(project, c.version)]
        f = self._pick(wheels)
        if f is None:
            c.notes.append("no Linux x86_64 or pure-Python wheel on the index.")
            return
        released = self._released(project, c.version, f)
        if released:
            c.row["released"] = released
        md = self._metadata(c, f)
        reqs = _requirements(md.requires_dist)
        pin = reqs.get("torch")
        if pin is not None and str(pin.specifier):
            c.row["torch"] = _spec_text(pin.specifier)
        if md.requires_python:
            pys, how = self._pythons(md.requires_python, reqs)
            if pys:
                c.row["python"] = pys
                if how:
                    c.notes.append(how)
        c.sources.append(f"{md.source} (Requires-Dist torch{_spec_text(pin.specifier) if pin else ' (none)'}; "
                         f"Requires-Python {md.requires_python})")
        if own_kernels:
            kf = f
            label = f"{f.filename}"
        else:
            kname = next((k for k in KERNEL_PACKAGES if k in reqs), None)
            kver = _pinned_version(reqs[kname]) if kname else None
            if not kver:
                c.notes.append("cuda left out: no pinned kernel wheel (sgl-kernel / sglang-kernel ==X) in Requires-Dist.")
                return
            kf = self._pick([w for w in self._linux_wheels(kname, kver) if "any" not in parse_wheel(w.filename).platform])
            if kf is None:
                c.notes.append(f"cuda left out: {kname}=={kver} has no Linux x86_64 wheel on the index.")
                return
            label = f"the pinned kernel wheel {kname}=={kver} ({kf.filename})"
        cuda = self._cuda(c, kf, label)
        if cuda:
            c.row["cuda"] = cuda

    def _pythons(self, requires_python: str, reqs: Dict[str, Requirement]) -> Tuple[List[str], str]:
        """Minors allowed by Requires-Python; without an upper bound, capped by the exactly pinned dependencies
        that ship only version-specific CPython wheels (no sdist, no abi3/py3 wheel): pip cannot install the
        release on a Python those pins have no wheel for."""
        try:
            spec = SpecifierSet(requires_python)
        except InvalidSpecifier:
            return [], ""
        allowed = [m for m in PYTHON_MINORS if spec.contains(m + ".0", prereleases=True)]
        if any(s.operator in ("<", "<=", "==", "~=") for s in spec):
            return allowed, ""
        cap: Optional[set] = None
        binding: List[Tuple[str, str, str]] = []
        for name, req in sorted(reqs.items()):
            v = _pinned_version(req)
            if not v:
                continue
            minors = self._cpython_only(name, v)
            if minors is None:
                continue
            top = max(minors, key=_minor_key)
            cap = set(minors) if cap is None else cap & set(minors)
            binding.append((name, v, top))
        if cap is None:
            return [], ""
        capped = [m for m in allowed if m in cap]
        if not capped:
            return [], ""
        hi = capped[-1]
        who = sorted(f"{n}=={v}" for n, v, top in binding if top == hi)
        return capped, (f"python is Requires-Python {requires_python} capped at {hi}: the exact pins "
                        f"{', '.join(who) or 'of its binary dependencies'} have Linux x86_64 wheels for no newer "
                        f"CPython and no sdist (DERIVED from the index).")

    def _cpython_only(self, project: str, version: str) -> Optional[List[str]]:
        """The CPython minors `project==version` installs on, when it ships only version-specific wheels; None
        when anything installs everywhere (an sdist, a py3/abi3 wheel) or the index has no file."""
        files = self._files(project, version)
        if not files or any(not f.is_wheel for f in files):
            return None
        minors = set()
        for f in files:
            w = parse_wheel(f.filename)
            if w is None or not (linux_x86_64(w) or "any" in w.platform):
                continue
            if "abi3" in w.abi or "none" in w.abi or any(t.startswith("py") for t in w.python):
                return None
            minors.update(cpython_minors(w))
        return sorted(minors, key=_minor_key) if minors else None

    def _released(self, project: str, version: str, wheel: IndexFile) -> Optional[str]:
        sd = [f for f in self._files(project, version) if not f.is_wheel]
        t = (sd[0].upload_time if sd else wheel.upload_time) or ""
        return t[:10] or None

    def _tensorrt(self, c: Candidate) -> None:
        majors, names = [], []
        for name in ("tensorrt", "tensorrt-cu11", "tensorrt-cu12", "tensorrt-cu13"):
            if self._files(name, c.version):
                names.append(name)
                m = re.fullmatch(r"tensorrt-cu(\d+)", name)
                if m:
                    majors.append(m.group(1))
                    for part in ("bindings", "libs"):
                        if self._files(f"{name}-{part}", c.version):
                            names.append(f"{name}-{part}")
        if majors:
            c.row["cuda"] = sorted(majors, key=int)
        c.row["pypi"] = sorted(names)
        bind = next((b for b in ("tensorrt-cu12-bindings", "tensorrt-cu13-bindings", "tensorrt-cu11-bindings")
                     if self._files(b, c.version)), None)
        if bind:
            wheels = self._linux_wheels(bind, c.version)
            minors = sorted({m for f in wheels for m in cpython_minors(parse_wheel(f.filename))}, key=_minor_key)
            if minors:
                c.row["python"] = minors
            c.sources.append(f"{self.index.url}{bind}/ (simple API: CPython Linux x86_64 wheels of {c.version}: "
                             + ", ".join(sorted(f.filename for f in wheels)) + ")")
        c.sources.append(f"{self.index.url}{{{','.join(sorted(set(names) | {'tensorrt-cu11', 'tensorrt-cu12', 'tensorrt-cu13'}))}}}/ "
                         f"(simple API: which projects have a file of version {c.version})")

    def _tensorrt_llm(self, c: Candidate) -> None:
        files = self._files("tensorrt-llm", c.version)
        sd = next((f for f in files if not f.is_wheel), None)
        if sd is None:
            c.notes.append("no sdist on the index.")
            return
        if sd.upload_time:
            c.row["released"] = sd.upload_time[:10]
        self._touch(c, sd)
        s = stub_sdist(self.http, sd)
        md = s.pkg_info
        reqs = _requirements(md.requires_dist)
        trt = reqs.get("tensorrt")
        if trt is not None:
            m = re.search(r"~=\s*([0-9][0-9.]*)", str(trt.specifier))
            if m:
                c.row["tensorrt"] = m.group(1)
        windows = any(Requirement(r).name.lower() == "pywin32" for r in md.requires_dist if _req_ok(r))
        torch = reqs.get("torch")
        if torch is not None and str(torch.specifier):
            if windows:
                c.notes.append(f"torch left out: the stub's Requires-Dist names pywin32 (generated from the Windows "
                               f"wheel), so torch{torch.specifier} is not the Linux pin.")
            else:
                c.row["torch"] = _spec_text(torch.specifier)
        pys = sorted({m.group(1) for cl in md.classifiers
                      for m in [re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", cl.strip())] if m},
                     key=_minor_key)
        if pys:
            c.row["python"] = pys
        pp = s.pyproject or {}
        if pp.get("_invalid"):
            c.notes.append(f"the stub's pyproject.toml is not valid TOML ({pp['_invalid']}); its build-backend, "
                           "index_url and stub_only were read line by line.")
        backend = (pp.get("build-system") or {}).get("build-backend")
        stub = ((pp.get("tool") or {}).get("wheel_stub") or {})
        pypi = {"sdist": sd.filename, "bytes": sd.size}
        if backend:
            pypi["build_backend"] = backend
        if backend in ("wheel_stub.buildapi", "nvidia_stub.buildapi"):
            pypi["stub_only"] = bool((stub.get("extra") or {}).get("stub_only", False))
            c.row["index"] = "nvidia"
        c.row["pypi"] = {k: v for k, v in pypi.items() if v is not None}
        if stub.get("index_url"):
            c.row["index_url"] = str(stub["index_url"]).rstrip("/")
        c.sources.append(f"{s.source} (Requires-Dist {'; '.join(md.requires_dist) or 'none'}; classifiers "
                         f"{', '.join(pys) or 'none'}; build-backend {backend})")
        c.notes.append("cuda, sm, base_image, container and cublas_soname are left out: they come from the release "
                       "notes and the real wheel on pypi.nvidia.com, which a human reads.")


# -- pure helpers -------------------------------------------------------------------------------------------------
def _minor_key(m: str) -> Tuple[int, int]:
    a, b = m.split(".")
    return int(a), int(b)


def _req_ok(text: str) -> bool:
    try:
        Requirement(text)
        return True
    except InvalidRequirement:
        return False


def _requirements(lines) -> Dict[str, Requirement]:
    """Requirements that apply to a plain install on Linux x86_64 CPython (no extras), by normalized name."""
    out: Dict[str, Requirement] = {}
    for line in lines:
        try:
            r = Requirement(line)
        except InvalidRequirement:
            continue
        if r.marker is not None:
            try:
                if not r.marker.evaluate(dict(LINUX)):
                    continue
            except Exception:
                continue
        out.setdefault(normalize(r.name), r)
    return out


def _pinned_version(req: Optional[Requirement]) -> Optional[str]:
    if req is None:
        return None
    pins = [s.version for s in req.specifier if s.operator in ("==", "===") and "*" not in s.version]
    return pins[0] if len(pins) == 1 else None


def _spec_text(spec: SpecifierSet) -> str:
    """A specifier as the hand-written rows write it: clauses joined by ',' in the order packaging prints."""
    return ",".join(str(s) for s in sorted(spec, key=str))


def torch_default_cuda(requires_dist) -> Tuple[Optional[str], str]:
    """'cu128' from a torch wheel's pins: nvidia-cuda-runtime(-cuXX)==X.Y.Z or cuda-toolkit[...]==X.Y.Z."""
    reqs = _requirements(requires_dist)
    for name in ("nvidia-cuda-runtime-cu12", "nvidia-cuda-runtime-cu11", "nvidia-cuda-runtime-cu13",
                 "nvidia-cuda-runtime", "cuda-toolkit"):
        v = _pinned_version(reqs.get(name))
        if v:
            parts = v.split(".")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                return f"cu{int(parts[0])}{int(parts[1])}", f"Requires-Dist {name}=={v}"
    return None, ""
