"""GPU memory a model needs at a dtype, context and batch, and whether it fits each GPU. Pure arithmetic.

need(context) = weights + KV cache(context) x batch + activations + runtime, where
  weights      linear params x bytes(dtype) + the rest x bytes (int8/fp8 keep embeddings, lm_head, norms and
               routers at 16 bit, as vLLM's and TensorRT-LLM's default weight-only recipes do)
  KV cache     kv_layers x 2 x kv_heads x head_dim x bytes(kv dtype) per token (shape.kv_bytes)
  activations  ALLOWANCE, derived, not measured: the tensors alive at once in one decoder layer's forward over a
               prefill of T = min(context, prefill_chunk) tokens -- residual, normed input, q/k/v and attention
               output (~4 x hidden) and the MLP's gate and up (2 x the active intermediate width) -- plus the
               last token's logits in fp32:  batch x T x (4 x hidden + 2 x inter_active) x act_bytes
               + batch x vocab x 4.  Attention scores are not materialised (flash / SDPA kernels).
  runtime      ALLOWANCE: the CUDA context and kernel images, 1.3 GiB. Source: Hugging Face transformers docs,
               "Model training anatomy" (docs/source/en/model_memory_anatomy.md): loading the kernels "can take up
               1-2GB"; `torch.ones((1, 1)).to("cuda")` showed "GPU memory occupied: 1343 MB". PyTorch's
               max_memory_allocated does not count it (torch.cuda.memory_allocated docs).
Tensor parallel over n GPUs: weights / n and KV heads / n (at least one head) per GPU; activations and runtime
are kept whole per GPU (conservative); NCCL's buffers are not counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from envcheck.fit.shape import ParamCount, Shape, kv_bytes

GIB = 2 ** 30
DTYPE_BYTES = {"fp32": 4, "bf16": 2, "fp16": 2, "int8": 1, "fp8": 1}
QUANTIZED = ("int8", "fp8")
RUNTIME_GIB = 1.3                   # CUDA context + kernels (HF "Model training anatomy": 1343 MB measured)
PREFILL_CHUNK = 2048                # tokens one forward pass takes at once (a prefill chunk)
CONTEXT_LIMIT = 10_000_000          # search bound when the model states no max_position_embeddings

ALLOWANCE_FORMULA = ("activations = batch x min(context, prefill_chunk) x (4 x hidden + 2 x active intermediate) "
                     "x act_bytes + batch x vocab x 4 (fp32 logits); runtime = 1.3 GiB CUDA context and kernels "
                     "(Hugging Face transformers docs, Model training anatomy: 1343 MB measured, '1-2GB')")


def kv_dtype_for(dtype: str) -> str:
    """The KV cache stays 16-bit under weight-only int8/fp8 (vLLM's kv_cache_dtype 'auto' = the model's dtype)."""
    return "bf16" if dtype in QUANTIZED else dtype


@dataclass(frozen=True)
class Model:
    """What the arithmetic needs: the decoder's shape, its counted parameters and any extra components."""
    name: str
    shape: Shape
    count: Optional[ParamCount]                # from the architecture; None when it cannot be counted
    checkpoint_params: Optional[int] = None    # from safetensors headers / index, when present
    params_source: str = "config.json architecture"
    extra: Tuple[Tuple[str, int], ...] = ()    # components outside the decoder (MOSS-Speech's codec)
    notes: Tuple[str, ...] = ()

    @property
    def decoder_params(self) -> int:
        if self.checkpoint_params is not None:
            return self.checkpoint_params
        return self.count.total

    @property
    def params(self) -> int:
        return self.decoder_params + sum(n for _, n in self.extra)

    def weight_bytes(self, dtype: str) -> float:
        b = DTYPE_BYTES[dtype]
        extra = sum(n for _, n in self.extra)
        if dtype not in QUANTIZED or self.count is None:
            return (self.decoder_params + extra) * b
        linear = min(self.count.linear, self.decoder_params)
        return linear * b + (self.decoder_params - linear) * 2 + extra * 2

    def active_intermediate(self) -> int:
        s = self.shape
        if s.experts:
            return max(s.intermediate if s.moe_layers < s.layers else 0,
                       s.experts_per_token * s.moe_intermediate + s.shared_expert_intermediate)
        return s.intermediate


@dataclass(frozen=True)
class Need:
    context: int
    batch: int
    weights: float
    kv: float
    activations: float
    runtime: float

    @property
    def total(self) -> float:
        return self.weights + self.kv + self.activations + self.runtime

    @property
    def allocated(self) -> float:
        """What PyTorch's allocator sees (max_memory_allocated): everything but the CUDA context."""
        return self.weights + self.kv + self.activations


def need(m: Model, dtype: str, context: int, batch: int = 1, tp: int = 1, kv_dtype: Optional[str] = None,
         prefill: Optional[int] = None, runtime_gib: float = RUNTIME_GIB) -> Need:
    s = m.shape
    kvb = DTYPE_BYTES[kv_dtype or kv_dtype_for(dtype)]
    act_b = 2 if dtype in QUANTIZED else DTYPE_BYTES[dtype]
    t = min(context, PREFILL_CHUNK) if prefill is None else prefill
    acts = batch * t * (4 * s.hidden + 2 * m.active_intermediate()) * act_b + batch * (s.vocab + s.extra_vocab) * 4
    return Need(context=context, batch=batch, weights=m.weight_bytes(dtype) / tp,
                kv=kv_bytes(s, context, kvb, tp) * batch, activations=float(acts), runtime=runtime_gib * GIB)


def max_context(m: Model, dtype: str, memory: float, batch: int = 1, tp: int = 1,
                kv_dtype: Optional[str] = None) -> int:
    """The largest context (tokens per sequence) whose need fits `memory` bytes; 0 when not even one token does.
    Capped at the model's max_position_embeddings."""
    cap = m.shape.max_position or CONTEXT_LIMIT
    if need(m, dtype, 1, batch, tp, kv_dtype).total > memory:
        return 0
    if need(m, dtype, cap, batch, tp, kv_dtype).total <= memory:
        return cap
    lo, hi = 1, cap                      # need(lo) fits, need(hi) does not; need grows with context
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if need(m, dtype, mid, batch, tp, kv_dtype).total <= memory:
            lo = mid
        else:
            hi = mid
    return lo


@dataclass(frozen=True)
class GpuFit:
    index: int
    name: str
    memory_gib: float
    fits: bool
    headroom_gib: float
    max_context: int

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "memory_gib": round(self.memory_gib, 2), "fits": self.fits,
                "headroom_gib": round(self.headroom_gib, 2), "max_context": self.max_context}


@dataclass(frozen=True)
class TensorParallel:
    size: int
    fits: bool
    per_gpu_gib: float
    headroom_gib: float
    max_context: int
    why_not: str = ""

    def to_dict(self) -> dict:
        return {"size": self.size, "fits": self.fits, "per_gpu_gib": round(self.per_gpu_gib, 2),
                "headroom_gib": round(self.headroom_gib, 2), "max_context": self.max_context,
                **({"why_not": self.why_not} if self.why_not else {})}


@dataclass(frozen=True)
class FitReport:
    model: Model
    dtype: str
    kv_dtype: str
    context: int
    batch: int
    need: Need
    gpus: Tuple[GpuFit, ...]
    tensor_parallel: Optional[TensorParallel]
    gpu_source: str
    other_dtypes: Tuple[Tuple[str, float, Optional[bool]], ...] = ()   # (dtype, need GiB, fits the largest GPU)
    notes: Tuple[str, ...] = field(default=())

    @property
    def fits_single(self) -> bool:
        return any(g.fits for g in self.gpus)

    @property
    def fits(self) -> bool:
        return self.fits_single or bool(self.tensor_parallel and self.tensor_parallel.fits)

    @property
    def how(self) -> Optional[str]:
        if self.fits_single:
            return "single-gpu"
        if self.tensor_parallel and self.tensor_parallel.fits:
            return f"tensor-parallel-{self.tensor_parallel.size}"
        return None

    def to_dict(self) -> dict:
        m, n = self.model, self.need
        return {
            "model": m.name, "dtype": self.dtype, "kv_dtype": self.kv_dtype, "params": m.params,
            "params_source": m.params_source,
            "active_params": (m.count.active + sum(c for _, c in m.extra)) if m.count and m.shape.experts else None,
            "components": dict(sorted({**(m.count.components if m.count else {}), **dict(m.extra)}.items())),
            "weights_gib": round(n.weights / GIB, 3),
            "kv_gib_per_1k_tokens": round(kv_bytes(m.shape, 1000, DTYPE_BYTES[self.kv_dtype]) / GIB, 4),
            "context": self.context, "batch": self.batch,
            "kv_gib": round(n.kv / GIB, 3),
            "allowance": {"activations_gib": round(n.activations / GIB, 3), "runtime_gib": round(n.runtime / GIB, 3),
                          "formula": ALLOWANCE_FORMULA},
            "need_gib": round(n.total / GIB, 3),
            "gpus": [g.to_dict() for g in self.gpus], "gpu_source": self.gpu_source,
            "tensor_parallel": self.tensor_parallel.to_dict() if self.tensor_parallel else None,
            "fits": self.fits, "how": self.how,
            "other_dtypes": [{"dtype": d, "need_gib": round(g, 2), "fits": f} for d, g, f in self.other_dtypes],
            "notes": list(self.notes),
        }


def fit(m: Model, dtype: str, context: int, batch: int, gpus: Sequence[Tuple[int, str, float]],
        gpu_source: str = "", kv_dtype: Optional[str] = None) -> FitReport:
    """gpus: (index, name, memory in bytes). One answer per GPU alone, and one for tensor parallel across all."""
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype {dtype!r}: one of {', '.join(DTYPE_BYTES)}")
    kvd = kv_dtype or kv_dtype_for(dtype)
    n = need(m, dtype, context, batch, kv_dtype=kvd)
    rows: List[GpuFit] = []
    for index, name, mem in gpus:
        rows.append(GpuFit(index=index, name=name, memory_gib=mem / GIB, fits=n.total <= mem,
                           headroom_gib=(mem - n.total) / GIB,
                           max_context=max_context(m, dtype, mem, batch, kv_dtype=kvd)))
    tp = _tensor_parallel(m, dtype, context, batch, gpus, kvd)
    biggest = max((mem for _, _, mem in gpus), default=None)
    others = []
    for d in ("fp32", "bf16", "fp8"):
        if d != dtype:
            total = need(m, d, context, batch).total
            others.append((d, total / GIB, None if biggest is None else total <= biggest))
    notes = list(m.notes)
    if m.shape.max_position and context > m.shape.max_position:
        notes.append(f"context {context:,} is beyond the model's max_position_embeddings {m.shape.max_position:,}")
    if m.shape.sliding_window:
        notes.append(f"{m.shape.sliding_layers} of {m.shape.kv_layers} KV layers keep only the last "
                     f"{m.shape.sliding_window} positions (sliding window)")
    if dtype in QUANTIZED:
        notes.append(f"{dtype}: decoder projections at 1 byte, embeddings/lm_head/norms at 16 bit, KV cache {kvd} "
                     f"(scales of the quantized weights not counted)")
    return FitReport(model=m, dtype=dtype, kv_dtype=kvd, context=context, batch=batch, need=n, gpus=tuple(rows),
                     tensor_parallel=tp, gpu_source=gpu_source, other_dtypes=tuple(others), notes=tuple(notes))


def _tensor_parallel(m: Model, dtype: str, context: int, batch: int, gpus, kvd: str) -> Optional[TensorParallel]:
    size = len(gpus)
    if size < 2:
        return None
    smallest = min(mem for _, _, mem in gpus)
    if m.shape.heads % size:
        return TensorParallel(size=size, fits=False, per_gpu_gib=0.0, headroom_gib=0.0, max_context=0,
                              why_not=f"{m.shape.heads} attention heads do not split over {size} GPUs")
    n = need(m, dtype, context, batch, tp=size, kv_dtype=kvd)
    return TensorParallel(size=size, fits=n.total <= smallest, per_gpu_gib=n.total / GIB,
                          headroom_gib=(smallest - n.total) / GIB,
                          max_context=max_context(m, dtype, smallest, batch, tp=size, kv_dtype=kvd))
