"""The fit estimate against the MOSS-Speech bench's measured peak memory (a bench JSON document in, rows out). Pure.

The bench (envcheck/bench/runner.py) records torch.cuda.max_memory_allocated() per backend: weights, KV caches
and activations, but not the CUDA context (PyTorch's allocator does not see it). So the estimate compared is
need.allocated = weights + KV + activations at the bench's own request: dtype, context = the engine's max_len
(prompt + generated + 8), prefill = the prompt, batch 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

from envcheck.fit.memory import GIB, Model, need


@dataclass(frozen=True)
class BenchRow:
    gpu: str
    backend: str
    measured_gib: float
    estimated_gib: float
    measured_params: int
    estimated_params: int

    @property
    def error(self) -> float:
        """(estimate - measured) / measured."""
        return (self.estimated_gib - self.measured_gib) / self.measured_gib

    def to_dict(self) -> dict:
        return {"gpu": self.gpu, "backend": self.backend, "measured_gib": round(self.measured_gib, 3),
                "estimated_gib": round(self.estimated_gib, 3), "error": round(self.error, 4),
                "measured_params": self.measured_params, "estimated_params": self.estimated_params}


def compare(model: Model, doc: dict) -> List[BenchRow]:
    dtype = doc.get("dtype") or "bf16"
    prompt = int(doc["prompt_tokens"])
    context = prompt + int(doc["gen_tokens"]) + 8          # bench Stub.max_len
    est = need(model, dtype, context, batch=1, prefill=prompt)
    p = doc.get("params") or {}
    measured_params = int(p.get("tokenizer", 0)) + int(p.get("backbone", 0)) + int(p.get("decoder", 0))
    gpu = (doc.get("environment") or {}).get("gpu", "?")
    rows = []
    for name, entry in sorted((doc.get("backends") or {}).items()):
        peak = entry.get("peak_memory_gib") if isinstance(entry, dict) else None
        if isinstance(peak, (int, float)) and peak > 0:
            rows.append(BenchRow(gpu=gpu, backend=name, measured_gib=float(peak), estimated_gib=est.allocated / GIB,
                                 measured_params=measured_params, estimated_params=model.params))
    return rows
