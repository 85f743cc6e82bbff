"""The checks `envcheck matrix validate` makes, and loading makes on overlays: the schema of every row (keys,
types, sources, duplicates) and the checks across files (pins that name known releases, minimum drivers that rise)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from envcheck.matrix.rows import torch_arch_problem
from envcheck.matrix.tables import Matrix, Row
from envcheck.pyenvs.metadata import parse_requirement
from envcheck.versions import parse

# subject -> {key: type}; "version" and "sources" are required everywhere
LIST, STR, NUM, ANY = "list", "str", "number", "any"
ROW_KEYS: Dict[str, Dict[str, str]] = {
    "tensorrt-llm": {"version": STR, "cuda": STR, "tensorrt": STR, "torch": STR, "python": LIST, "sm": LIST,
                     "index": STR, "index_url": STR, "container": STR, "base_image": STR, "min_driver": STR,
                     "cublas_soname": STR, "released": STR, "pypi": ANY, "sources": LIST, "notes": STR},
    "cuda": {"version": STR, "min_driver": STR, "min_driver_mvc": STR, "updates": ANY, "released": STR, "sources": LIST,
             "notes": STR},
    "tensorrt": {"version": STR, "cuda": LIST, "python": LIST, "pypi": ANY, "released": STR, "sources": LIST,
                 "notes": STR},
    "torch": {"version": STR, "cuda": LIST, "default_cuda": STR, "python": LIST, "released": STR, "sources": LIST,
              "notes": STR},
    "torch-arch": {"version": STR, "builds": ANY, "sources": LIST, "notes": STR},
    "vllm": {"version": STR, "torch": STR, "cuda": STR, "python": ANY, "released": STR, "sources": LIST, "notes": STR},
    "sglang": {"version": STR, "torch": STR, "cuda": STR, "python": ANY, "released": STR, "sources": LIST,
               "notes": STR},
    "gpus": {"version": STR, "name": STR, "aliases": LIST, "compute_capability": STR, "memory_gib": NUM,
             "memory_bandwidth_gbs": NUM, "fp16_tflops": NUM, "bf16_tflops": NUM, "class": STR,
             "architecture": STR, "sources": LIST, "notes": STR},
    # facts about install paths (envcheck/recommend/targets.py); a row applies to its target from its version on
    "paths": {"version": STR, "target": STR, "wheel_disk_gib": NUM, "image_disk_gib": NUM, "apt": LIST,
              "source_build": ANY, "source_cuda": LIST, "index_url": STR, "index_url_pattern": STR,
              "torch_index_url_pattern": STR, "cpu_index_url": STR, "cpu_wheel_disk_gib": NUM, "sources": LIST,
              "notes": STR},
    # floors libraries enforce in code (envcheck/checks/abi.py); a row applies to its target from its version on
    "floors": {"version": STR, "target": STR, "requires": STR, "effect": STR, "severity": STR, "sources": LIST,
               "notes": STR},
}
for _keys in ROW_KEYS.values():  # rows that `envcheck matrix refresh` proposed say so until a human reviews them
    _keys["derived_by"] = STR
TARGETED = {"paths", "floors"}  # rows keyed by (target, version): the same version may appear once per target
EXTRA_KEYS = {"cuda": {"rules", "driver_branches"}}
NAME_VERSIONED = {"gpus"}  # rows whose 'version' is a name, not a version number


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


NUM_LIMIT = 1_000_000   # a size, bandwidth or TFLOPS: above 0 and below this (the largest GPU today: 288 GB, 8 TB/s)


def _type_problem(kind: str, value) -> Optional[str]:
    """Why `value` is not of `kind`, or None. A version or name YAML read as a number is refused: 12.10 would
    already be 12.1."""
    if kind == LIST and not isinstance(value, list):
        return f"should be a list, got {type(value).__name__}"
    if kind == STR and not isinstance(value, str):
        hint = " (quote it: YAML reads 12.10 as the number 12.1)" if isinstance(value, (int, float)) else ""
        return f"should be a string, got {type(value).__name__} {_short(value)}{hint}"
    if kind == NUM:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"should be a number, got {type(value).__name__}"
        if not 0 < value < NUM_LIMIT:
            return f"should be a number above 0 and below {NUM_LIMIT:,}, got {_short(value)}"
    return None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_rows(matrix: Matrix) -> List[Problem]:
    out: List[Problem] = []
    for name, subj in matrix.subjects.items():
        keys = ROW_KEYS.get(name)
        seen: Dict[str, Row] = {}
        for key in subj.extra:
            if key not in EXTRA_KEYS.get(name, set()):
                out.append(Problem(subj.file, 1, f"unknown top-level key {key!r} in {name}"))
        for row in subj.rows:
            p = lambda msg: out.append(Problem(row.file, row.line, msg))  # noqa: E731
            key_ = f"{row.get('target')} {row.version}" if name in TARGETED else row.version
            if key_ in seen and seen[key_].file == row.file:
                p(f"duplicate {name} row {key_!r} (first at line {seen[key_].line})")
            seen[key_] = row
            if name in TARGETED and not row.get("target"):
                p(f"{name} {row.version}: every row needs 'target:' (the package it is about)")
            if not row.sources or not all(isinstance(s, str) and s.strip() for s in row.sources):
                p(f"{name} {row.version}: every row needs 'sources:' (a non-empty list of what was read)")
            if name not in NAME_VERSIONED:
                pv = parse(row.version)
                if pv is None or pv.parsed is None:
                    p(f"{name} version {row.version!r} does not parse as a version")
            if keys is None:
                continue
            for key, value in row.data.items():
                wrong = _type_problem(keys[key], value) if key in keys else None
                if key not in keys:
                    p(f"{name} {row.version}: unknown key {key!r} (known: {', '.join(sorted(keys))})")
                elif wrong:
                    p(f"{name} {row.version}: {key!r} {wrong}")
            for key in ("torch",):
                spec = row.get(key)
                if key in keys and isinstance(spec, str) and spec and name != "torch":
                    try:
                        SpecifierSet(spec.replace(" ", ""))
                    except InvalidSpecifier:
                        p(f"{name} {row.version}: {key} pin {spec!r} is not a PEP 440 specifier")
            if name == "floors":
                out.extend(Problem(row.file, row.line, msg) for msg in _floor_problems(row))
            for key in ("cuda", "min_driver", "min_driver_mvc", "tensorrt", "compute_capability", "default_cuda"):
                v = row.get(key)
                if isinstance(v, (str, int, float)) and not isinstance(v, bool) and key in (keys or {}) \
                        and parse(str(v).lstrip(">=<~ ").replace("cu", "")) is None:
                    p(f"{name} {row.version}: {key} {v!r} does not parse as a version")
    return out


def _check_torch_arch(matrix: Matrix) -> List[Problem]:
    """matrix/torch-arch.yaml: each row names a torch release of torch.yaml and builds that release publishes."""
    out: List[Problem] = []
    torch = {r.version: r for r in matrix.rows("torch")}
    for row in matrix.rows("torch-arch"):
        shape = torch_arch_problem(row)
        if shape:
            out.append(Problem(row.file, row.line, shape))
        published = torch[row.version].get("cuda") or [] if row.version in torch else None
        if published is None:
            out.append(Problem(row.file, row.line, f"torch-arch {row.version}: no such release in torch.yaml"))
            continue
        extra = [str(b) for b in row.get("builds") or {} if str(b) not in [str(x) for x in published]]
        if extra:
            out.append(Problem(row.file, row.line, f"torch-arch {row.version}: builds {', '.join(extra)} are not "
                                                   f"in torch.yaml's cuda list for {row.version}"))
    return out


def _floor_problems(row: Row) -> List[str]:
    out = []
    req = row.get("requires")
    parsed = parse_requirement(str(req)) if req else None
    if not parsed or not parsed[1]:
        out.append(f"floors {row.version}: requires {req!r} must be a requirement with a version, e.g. 'torch>=2.11'")
    else:
        try:
            SpecifierSet(parsed[1].replace(" ", ""))
        except InvalidSpecifier:
            out.append(f"floors {row.version}: requires {req!r} is not a PEP 440 requirement")
    if row.get("severity") not in ("fail", "warn", "info"):
        out.append(f"floors {row.version}: severity must be fail, warn or info, got {row.get('severity')!r}")
    return out


def _same_release(a: str, b: str) -> bool:
    """'10.7.0' and '10.7.0.23' (or '12.6' and '12.6.3') name the same release."""
    pa, pb = parse(a), parse(b)
    if pa is None or pb is None:
        return False
    n = min(len(pa.release), len(pb.release))
    return pa.release[:n] == pb.release[:n]


def check_across(matrix: Matrix) -> List[Problem]:
    out: List[Problem] = []
    cuda_rows = matrix.rows("cuda")
    trt_rows = matrix.rows("tensorrt")
    for row in matrix.rows("tensorrt-llm") + matrix.rows("vllm") + matrix.rows("sglang"):
        cuda = row.get("cuda")       # "12.8", or the major alone ("13", a refreshed row): some 13.x row must exist
        if cuda and cuda_rows and not any(_same_release(str(cuda), r.version) or
                                          _same_release(parse(str(cuda)).major_minor() if parse(str(cuda)) else "", r.version)
                                          for r in cuda_rows):
            out.append(Problem(row.file, row.line, f"{row.subject} {row.version}: CUDA {cuda} is not in cuda.yaml"))
        trt = row.get("tensorrt")
        if trt and trt_rows and not any(_same_release(str(trt), r.version) for r in trt_rows):
            out.append(Problem(row.file, row.line, f"tensorrt-llm {row.version}: TensorRT {trt} is not in tensorrt.yaml"))
    ordered = sorted((r for r in cuda_rows if parse(r.version) and parse(r.get("min_driver"))),
                     key=lambda r: parse(r.version))
    for prev, cur in zip(ordered, ordered[1:]):
        if parse(cur.get("min_driver")) < parse(prev.get("min_driver")):
            out.append(Problem(cur.file, cur.line, f"cuda {cur.version}: min_driver {cur.get('min_driver')} is lower than "
                                                   f"cuda {prev.version}'s {prev.get('min_driver')} (minimum drivers must rise with CUDA)"))
    for row in cuda_rows:
        out.extend(_check_updates(row))
    return out + _check_torch_arch(matrix)


def _check_updates(row: Row) -> List[Problem]:
    """`updates: {"12.8.1": "570.124.06"}`: each key an update of this row's X.Y, each minimum at or above the GA's
    and rising with the update number."""
    ups = row.get("updates")
    if ups is None:
        return []
    if not isinstance(ups, dict):
        return [Problem(row.file, row.line, f"cuda {row.version}: updates must be a mapping \"X.Y.N\": \"driver\"")]
    out: List[Problem] = []
    ga, base = parse(row.get("min_driver")), parse(row.version)
    prev = None
    for key in sorted(ups, key=lambda k: parse(str(k)) or parse("0")):
        kv, dv = parse(str(key)), parse(str(ups[key]))
        where = f"cuda {row.version}: update {key!r}"
        if kv is None or base is None or len(kv.release) < 3 or kv.release[:2] != base.release[:2]:
            out.append(Problem(row.file, row.line, f"{where} is not an X.Y.N update of {row.version}"))
            continue
        if not isinstance(ups[key], str) or dv is None:
            out.append(Problem(row.file, row.line, f"{where}: driver {ups[key]!r} must be a quoted version string"))
            continue
        if ga is not None and dv < ga:
            out.append(Problem(row.file, row.line, f"{where} needs {dv}, lower than the GA's {ga}"))
        if prev is not None and dv < prev:
            out.append(Problem(row.file, row.line, f"{where} needs {dv}, lower than an earlier update's {prev}"))
        prev = dv
    return out
