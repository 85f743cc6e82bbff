"""The hardware floor: the least time the GPU's memory bandwidth and tensor throughput allow (pure arithmetic).

decode step  >= (weights read per step + KV cache read) / memory bandwidth
prefill      >= max(FLOPs / peak tensor throughput, weights read once / bandwidth)
a decoder call (tokenizer, flow + vocoder) >= max(FLOPs / peak, its weights / bandwidth)
TTFA floor = tokenizer + prefill + (first-chunk tokens - 1) decode steps + first decoder call
RTF floor  = (prefill + every decode step + every decoder call) / seconds of audio
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List, Optional

from envcheck.bench.spec import DTYPE_BYTES, Preset
from envcheck.matrix.gpus import find_gpu  # noqa: F401  (re-exported: the bench reads GPUs by name)


def gpus_file() -> str:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for cand in (os.path.join(here, "matrix", "gpus.yaml"), os.path.join(os.path.dirname(here), "matrix", "gpus.yaml")):
        if os.path.exists(cand):
            return cand
    return os.path.join(os.path.dirname(here), "matrix", "gpus.yaml")


def load_gpus(path: Optional[str] = None) -> List[dict]:
    import yaml

    path = path or gpus_file()
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return list(data.get("rows") or data.get("gpus") or [])


@dataclass(frozen=True)
class Ceiling:
    label: str                 # "datasheet" or "measured"
    bandwidth_gbs: float       # GB/s (1e9 bytes)
    tflops: float              # dense tensor TFLOP/s at the benchmark's dtype

    @property
    def bw(self) -> float:
        return self.bandwidth_gbs * 1e9

    @property
    def flops(self) -> float:
        return self.tflops * 1e12


def datasheet_ceiling(row: dict, dtype: str) -> Ceiling:
    key = "bf16_tflops" if dtype == "bf16" else "fp16_tflops"
    tf = row.get(key) or row.get("fp16_tflops") or row.get("bf16_tflops")
    if dtype == "fp32":
        tf = row.get("tf32_tflops") or (tf / 2.0 if tf else None)   # TF32 tensor rate is half the FP16 rate
    return Ceiling("datasheet", float(row["memory_bandwidth_gbs"]), float(tf))


def stage_floor_s(flops: float, bytes_: float, c: Ceiling) -> float:
    return max(flops / c.flops, bytes_ / c.bw)


def decode_step_floor_s(p: Preset, dtype: str, context: float, c: Ceiling, weight_bytes: Optional[float] = None) -> float:
    """weight_bytes: bytes per weight actually read when the step's matrices are stored narrower than dtype
    (1 for int8/fp8 weight-only; the one bf16 scale per output row adds 0.04 % and is left out)."""
    b = DTYPE_BYTES[dtype]
    w = b if weight_bytes is None else weight_bytes
    return (p.backbone.step_params() * w + p.backbone.kv_bytes_per_token(b) * context) / c.bw


def prefill_floor_s(p: Preset, dtype: str, c: Ceiling) -> float:
    b = DTYPE_BYTES[dtype]
    n = p.prompt_tokens()
    return stage_floor_s(p.backbone.prefill_flops(n), p.backbone.step_params() * b + p.backbone.kv_bytes_per_token(b) * n, c)


def floors(p: Preset, dtype: str, c: Ceiling, stage_costs: Dict[str, dict], weight_bytes: Optional[float] = None) -> dict:
    """stage_costs: {'tokenizer': {flops, bytes}, 'decoder_first': {...}, 'decoder_all': {...}} (counted once)."""
    n_prompt, n_gen, first = p.prompt_tokens(), p.gen_tokens, p.first_chunk_tokens()
    # decode step t (t = 1..n_gen-1) reads a KV cache of n_prompt + t tokens
    step_avg = decode_step_floor_s(p, dtype, n_prompt + n_gen / 2.0, c, weight_bytes)
    step_first = sum(decode_step_floor_s(p, dtype, n_prompt + t, c, weight_bytes) for t in range(1, first)) / max(first - 1, 1)
    pre = prefill_floor_s(p, dtype, c)
    tok = stage_floor_s(stage_costs["tokenizer"]["flops"], stage_costs["tokenizer"]["bytes"], c) if "tokenizer" in stage_costs else 0.0
    dec1 = stage_floor_s(stage_costs["decoder_first"]["flops"], stage_costs["decoder_first"]["bytes"], c) if "decoder_first" in stage_costs else 0.0
    if "decoder_all" in stage_costs:
        d = stage_costs["decoder_all"]
        dec_all = max(d["flops"] / c.flops, d["bytes"] / c.bw)
        # each call reads the weights once: bytes already sum over calls
    else:
        dec_all = 0.0
    ttfa = tok + pre + (first - 1) * step_first + dec1
    gen = tok + pre + (n_gen - 1) * step_avg + dec_all
    audio_s = n_gen / p.token_rate_hz
    return {
        "ceiling": c.label, "bandwidth_gbs": c.bandwidth_gbs, "tflops": c.tflops,
        "decode_step_ms": step_avg * 1e3, "prefill_ms": pre * 1e3, "tokenizer_ms": tok * 1e3,
        "decoder_first_ms": dec1 * 1e3, "decoder_all_ms": dec_all * 1e3,
        "ttfa_ms": ttfa * 1e3, "rtf": gen / audio_s, "gen_ms": gen * 1e3, "audio_s": audio_s,
        "steady_rtf": step_avg * p.token_rate_hz,
    }


# measured stage -> (its floor's key, the profile's stage whose kernel mix it has)
_STAGES = {"tokenizer_ms": ("tokenizer_ms", "tokenizer"), "prefill_ms": ("prefill_ms", "prefill"),
           "decode_ms_per_token": ("decode_step_ms", "decode_step"),
           "decoder_first_ms": ("decoder_first_ms", "decoder_first"), "decoder_all_ms": ("decoder_all_ms", "decoder_first")}


def predict(measured: dict, floor_here: dict, floor_there: dict, shares: Optional[Dict[str, float]] = None) -> dict:
    """A measured request on the other GPU. A prediction, two ways:
    - stage ratio: each stage's time x (the other GPU's floor / this GPU's), as if all of it followed the ceilings;
    - by kernel class (where `shares` gives, per stage, the matrix kernels' share of its span, from a profile):
      only that share scales by the floor ratio; the small kernels and the gaps between kernels (each kernel's fixed
      cost) stay as measured. A stage without a share scales whole.
    The figures are the kernel-class ones where shares exist (`model` says which), the stage-ratio TTFA beside them."""
    def scale(key_meas, by_class):
        key_floor, part = _STAGES[key_meas]
        m, f0, f1 = measured.get(key_meas), floor_here.get(key_floor), floor_there.get(key_floor)
        if m is None or not f0:
            return None
        r = f1 / f0
        h = shares.get(part) if (by_class and shares) else None
        return m * r if h is None else m * (h * r + (1.0 - h))

    def compose(by_class):
        step, pre = scale("decode_ms_per_token", by_class), scale("prefill_ms", by_class)
        if step is None or pre is None:
            return None
        tok = scale("tokenizer_ms", by_class) or 0.0
        d1 = scale("decoder_first_ms", by_class) or 0.0
        dall = scale("decoder_all_ms", by_class) or 0.0
        first, n_gen = measured["first_chunk_tokens"], measured["gen_tokens"]
        ttfa = tok + pre + (first - 1) * step + d1
        gen = tok + pre + (n_gen - 1) * step + dall
        return {"decode_ms_per_token": step, "prefill_ms": pre, "ttfa_ms": ttfa, "rtf": gen / 1e3 / measured["audio_s"],
                "stages_ms": {"tokenizer": tok, "prefill": pre, "decode_steps_before_audio": (first - 1) * step,
                              "decoder_first": d1}}

    ratio = compose(False)
    if ratio is None:
        return {}
    if not shares:
        return dict(ratio, kind="prediction", model="stage ratio")
    by_class = compose(True)
    return dict(by_class, kind="prediction", model="by kernel class", shares=dict(shares),
                stage_ratio={"ttfa_ms": ratio["ttfa_ms"], "rtf": ratio["rtf"],
                             "decode_ms_per_token": ratio["decode_ms_per_token"]})
