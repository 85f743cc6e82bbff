"""Eager's reference (its tokens, codes, logits, audio, and the fp32 logits) kept on disk between runs on a GPU, so
that a later run of other backends checks them against it without running eager and the fp32 reference again.

The key names everything the reference depends on: the preset's shapes, the dtype, torch, CUDA and cuDNN versions,
the GPU, and the source of the modules that build and run the stub (a changed line there is a new key). A file
that cannot be read, or was written for another key, is ignored and the reference is computed as before."""
from __future__ import annotations

import hashlib
import io
import json
import os
from typing import Optional

from envcheck.documents import DocumentError, load_json
from envcheck.output import write_bytes, write_text

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = ("model.py", "spec.py", "backends.py", "runner.py")
KEPT = ("tokens", "ids", "logits", "audio", "fp32_logits", "fp32_rel_err")
MAX_BYTES = 1 << 30


def cache_home() -> str:
    """envcheck's cache folder: ~/.cache/envcheck, or envcheck under XDG_CACHE_HOME where the user set it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "envcheck")


def folder() -> str:
    return os.path.join(cache_home(), "bench-reference")


def gpu_facts(torch, dev) -> dict:
    """What the reference depends on besides the stub: the software and the GPU (CUDA only)."""
    return {"torch": torch.__version__, "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
            "gpu": torch.cuda.get_device_name(dev), "capability": list(torch.cuda.get_device_capability(dev))}


def key(p, dtype: str, facts: dict) -> str:
    h = hashlib.sha256()
    for name in SOURCES:
        with open(os.path.join(HERE, name), "rb") as fh:
            h.update(fh.read())
    doc = dict(facts, spec=p.to_dict(), dtype=dtype, sources=h.hexdigest())
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:24]


def path_for(k: str, where: Optional[str] = None) -> str:
    return os.path.join(where or folder(), f"{k}.pt")


def load(k: str, torch, dev, where: Optional[str] = None) -> Optional[dict]:
    """The reference stored under key k, on dev; None where there is none or it cannot be read."""
    path = path_for(k, where)
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, "rb") as fh:
            data = torch.load(io.BytesIO(fh.read()), map_location=dev, weights_only=True)
    except Exception:          # absent, truncated, or another torch's format: computed again
        return None
    if not isinstance(data, dict) or data.get("key") != k or any(n not in data for n in KEPT):
        return None
    return {n: data[n] for n in KEPT}


def save(k: str, ref: dict, torch, where: Optional[str] = None) -> Optional[str]:
    """Store ref under key k (on the CPU); returns the path, or None where nothing was kept."""
    if ref.get("fp32_logits") is None:
        return None
    data = {n: ref[n] for n in KEPT}
    data = torch.utils._pytree.tree_map(lambda t: t.detach().cpu() if hasattr(t, "detach") else t, data)
    buf = io.BytesIO()
    torch.save(dict(data, key=k), buf)
    path = path_for(k, where)
    write_bytes(path, buf.getvalue(), "bench reference")
    return path


def costs_path(k: str, where: Optional[str] = None) -> str:
    return os.path.join(where or folder(), f"{k}.costs.json")


def load_costs(k: str, where: Optional[str] = None) -> Optional[dict]:
    """The stage costs (FLOPs, bytes) counted by an earlier run under key k; None where there are none."""
    try:
        data = load_json(costs_path(k, where), what="bench stage costs")
    except (DocumentError, OSError):
        return None
    costs = data.get("stage_costs") if isinstance(data, dict) and data.get("key") == k else None
    stages = ("tokenizer", "decoder_first", "decoder_all")
    if not isinstance(costs, dict) or not all(
            isinstance(costs.get(st), dict) and all(isinstance(costs[st].get(f), (int, float)) for f in ("flops", "bytes"))
            for st in stages):
        return None
    return costs


def save_costs(k: str, costs: dict, where: Optional[str] = None) -> str:
    path = costs_path(k, where)
    write_text(path, json.dumps({"key": k, "stage_costs": costs}, sort_keys=True), "bench stage costs")
    return path
