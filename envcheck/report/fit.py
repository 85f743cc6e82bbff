"""Rendering a fit.memory.FitReport as human text."""
from __future__ import annotations

import textwrap
from typing import List

from envcheck.fit.memory import GIB
from envcheck.output import sanitized


def _g(x: float) -> str:
    return f"{x / GIB:.2f} GiB"


def _ctx(n: int, limit) -> str:
    if n == 0:
        return "none"
    return f"{n:,}" + (" (model limit)" if limit and n >= limit else "")


@sanitized
def render_fit(rep, dtype_why: str = "") -> str:
    m, n, s = rep.model, rep.need, rep.model.shape
    out: List[str] = [f"envcheck fit {m.name} · {rep.dtype} ({dtype_why}) · context {rep.context:,} · "
                      f"batch {rep.batch} · GPUs: {rep.gpu_source}", ""]
    attn = f"GQA {s.heads}/{s.kv_heads} heads x {s.head_dim}" if s.kv_heads != s.heads else f"{s.heads} heads x {s.head_dim}"
    moe = f", MoE {s.experts} experts ({s.experts_per_token} per token)" if s.experts else ""
    tied = ", tied embeddings" if s.tied else ""
    out.append(f"  model      {s.model_type} · {m.params:,} params ({m.params_source}"
               f"{' + codec' if m.extra else ''}) · {s.layers} layers, {attn}{moe}{tied}")
    if m.count is not None and s.experts:
        out.append(f"             {m.count.active + sum(c for _, c in m.extra):,} active per token")
    out.append(f"  weights    {_g(n.weights)} at {rep.dtype}")
    per_1k = (n.kv / max(rep.batch, 1)) / max(rep.context, 1) * 1000
    out.append(f"  KV cache   {per_1k / GIB:.3f} GiB per 1k tokens ({rep.kv_dtype}, {s.kv_layers} layers) -> "
               f"{_g(n.kv)} for {rep.context:,} x {rep.batch}")
    out.append(f"  allowance  activations {_g(n.activations)} + runtime {_g(n.runtime)} "
               f"(an allowance, not a measurement: docs/fit.md)")
    out.append(f"  need       {_g(n.total)}")
    out.append("")
    if not rep.gpus:
        out.append("  no GPU to fit on: pass --gpu NAME (matrix/gpus.yaml) or --env FILE")
    else:
        out.append(f"  {'GPU':<4} {'name':<28} {'memory':>10}  {'fits':<4} {'headroom':>11}  max context")
        for g in rep.gpus:
            out.append(f"  {g.index:<4} {g.name[:28]:<28} {g.memory_gib:>6.2f} GiB  {'yes' if g.fits else 'no':<4} "
                       f"{g.headroom_gib:>7.2f} GiB  {_ctx(g.max_context, s.max_position)}")
    tp = rep.tensor_parallel
    if tp is not None:
        if tp.why_not:
            out.append(f"  tensor parallel x{tp.size}: not possible ({tp.why_not})")
        else:
            out.append(f"  tensor parallel x{tp.size}: {tp.per_gpu_gib:.2f} GiB per GPU -> "
                       f"{'fits' if tp.fits else 'does not fit'}, headroom {tp.headroom_gib:.2f} GiB, "
                       f"max context {_ctx(tp.max_context, s.max_position)}")
    if rep.other_dtypes:
        parts = [f"{d} {g:.2f} GiB" + ("" if f is None else f" ({'fits' if f else 'no'})") for d, g, f in rep.other_dtypes]
        out.append("  at other dtypes (on the largest GPU alone): " + " · ".join(parts))
    out.append("")
    verdict = {"single-gpu": "fits on one GPU"}.get(rep.how or "", "")
    if rep.how and rep.how.startswith("tensor-parallel"):
        verdict = f"fits only split across {rep.tensor_parallel.size} GPUs (tensor parallel)"
    if not rep.gpus:
        out.append("  verdict: no GPU known, nothing to fit on")
    else:
        out.append(("  verdict: " + verdict) if rep.fits else "  verdict: does not fit")
    for note in rep.notes:
        out += textwrap.wrap(note, width=110, initial_indent="  note: ", subsequent_indent="        ")
    return "\n".join(out) + "\n"
