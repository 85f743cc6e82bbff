"""A node's software stack, the part of its document that nodes should share (pure, on plain parsed JSON).

Two nodes with the same stack run the same things: the driver and the CUDA it runs, the GPUs, the CUDA toolkits
and libraries the loader finds, and each Python environment with its version and key packages. Identity (hostname,
machine id), timing (meta) and free disk are not part of it.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Sequence

# packages whose versions decide what runs (the recommend targets, their CUDA runtime, common kernels)
KEY_PACKAGES = ("torch", "tensorrt", "tensorrt-llm", "vllm", "sglang", "transformers", "triton", "flash-attn",
                "xformers", "jax", "jaxlib", "onnxruntime-gpu", "nvidia-cuda-runtime-cu12", "nvidia-cudnn-cu12",
                "nvidia-cublas-cu12", "nvidia-cuda-runtime", "nvidia-cudnn-cu13", "nvidia-nccl-cu12")


IDENTITY = ("hostname", "machine_id")               # host keys that name the node, not what it runs
TIMING = ("scanned_at", "duration_s", "probe_s")     # meta keys that change with every scan


def facts_key(doc: dict, thresholds: Optional[Sequence[float]] = None) -> str:
    """A digest of everything a judgement of the node can read: the document less its identity and timing. With
    `thresholds`, each disk's free space is replaced by the largest threshold at or below it (every `free < t`
    comparison then comes out the same, so nodes that differ only in free space share one key)."""
    d = dict(doc)
    for section, drop in (("host", IDENTITY), ("meta", TIMING)):
        if isinstance(d.get(section), dict):
            d[section] = {k: v for k, v in d[section].items() if k not in drop}
    disks = d.get("disk")
    if thresholds is not None and isinstance(disks, list):
        d["disk"] = [dict(x, free_gib=max([t for t in thresholds if t <= x["free_gib"]], default=0.0))
                     if isinstance(x, dict) and isinstance(x.get("free_gib"), (int, float)) else x for x in disks]
    return hashlib.sha256(json.dumps(d, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class FactsMemo:
    """Answers per node facts (a facts_key), each computed once; past `size` keys the least recently used is
    forgotten, so memory stays bounded whatever the fleet."""

    def __init__(self, size: int):
        self.size = size
        self._lru: "OrderedDict[str, Any]" = OrderedDict()

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        hit = self._lru.get(key)
        if hit is not None:
            self._lru.move_to_end(key)
            return hit
        hit = self._lru[key] = compute()
        if len(self._lru) > self.size:
            self._lru.popitem(last=False)
        return hit


def _get(d, key):
    return d.get(key) if isinstance(d, dict) else None


def stack_of(doc: dict) -> dict:
    drv = _get(doc, "driver")
    if drv is None:
        driver = "unknown"
    elif _get(drv, "version"):
        driver = str(drv["version"])
    else:
        driver = "none"
    gpus: Dict[str, int] = {}
    for g in _get(doc, "gpus") or ():
        if isinstance(g, dict):
            k = f"{g.get('name') or '?'} (sm {g.get('compute_capability') or '?'}" + (", MIG" if g.get("mig") else "") + ")"
            gpus[k] = gpus.get(k, 0) + 1
    libs = sorted({f"{lib.get('soname')}" + (f" {lib.get('version')}" if lib.get("version") else "")
                   for lib in _get(doc, "libraries") or () if isinstance(lib, dict) and not lib.get("environment")})
    toolkits = sorted({str(t.get("version") or t.get("path")) for t in _get(doc, "cuda_toolkits") or ()
                       if isinstance(t, dict)})
    pythons = {}
    for p in _get(doc, "pythons") or ():
        if not isinstance(p, dict) or not p.get("path"):
            continue
        pk = p.get("packages") or {}
        key = {k: str(pk[k]) for k in KEY_PACKAGES if isinstance(pk, dict) and k in pk}
        pythons[p["path"]] = {"version": str(p.get("version") or "?"), "kind": p.get("kind") or "?", "packages": key}
    return {"driver": driver, "driver_cuda": str(_get(drv, "cuda") or "?"),
            "gpus": [f"{n}x {k}" for k, n in sorted(gpus.items())] if _get(doc, "gpus") is not None else None,
            "cuda_toolkits": toolkits, "cuda_libraries": libs, "pythons": pythons}


def stack_key(stack: dict) -> str:
    return json.dumps(stack, sort_keys=True, separators=(",", ":"))


def drift(stack: dict, ref: dict) -> List[dict]:
    """What differs from the reference stack (the largest group's), one entry a field (a Python env by path)."""
    out: List[dict] = []
    for f in ("driver", "driver_cuda", "gpus"):
        if stack.get(f) != ref.get(f):
            out.append({"field": f, "node": stack.get(f), "fleet": ref.get(f)})
    for f in ("cuda_toolkits", "cuda_libraries"):
        a, b = set(stack.get(f) or ()), set(ref.get(f) or ())
        if a != b:
            out.append({"field": f, "extra": sorted(a - b), "missing": sorted(b - a)})
    mine, theirs = stack.get("pythons") or {}, ref.get("pythons") or {}
    for path in sorted(set(mine) | set(theirs)):
        a, b = mine.get(path), theirs.get(path)
        if a == b:
            continue
        if a is None or b is None:
            out.append({"field": f"pythons[{path}]", "node": _py(a), "fleet": _py(b)})
            continue
        if a["version"] != b["version"] or a["kind"] != b["kind"]:
            out.append({"field": f"pythons[{path}]", "node": _py(a), "fleet": _py(b)})
        pa, pb = a["packages"], b["packages"]
        for name in sorted(set(pa) | set(pb)):
            if pa.get(name) != pb.get(name):
                out.append({"field": f"pythons[{path}].{name}", "node": pa.get(name), "fleet": pb.get(name)})
    return out


def _py(p):
    return None if p is None else f"Python {p['version']} ({p['kind']})"


def drift_text(d: dict) -> str:
    if "extra" in d:
        parts = []
        if d["extra"]:
            parts.append("+" + ", +".join(d["extra"][:3]) + (f" (+{len(d['extra']) - 3} more)" if len(d["extra"]) > 3 else ""))
        if d["missing"]:
            parts.append("-" + ", -".join(d["missing"][:3]) + (f" (+{len(d['missing']) - 3} more)" if len(d["missing"]) > 3 else ""))
        return f"{d['field']}: " + " ".join(parts)
    return f"{d['field']}: {_show(d['node'])} (fleet: {_show(d['fleet'])})"


def _show(v) -> str:
    if v is None:
        return "absent"
    if isinstance(v, list):
        return ", ".join(v) if v else "none"
    return str(v)
