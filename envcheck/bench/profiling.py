"""Where the `fused` backend's time goes, from torch's profiler (CUPTI) on the GPU: for each stage, the time from
the first kernel's start to the last kernel's end (span), the kernels' own time (busy), the rest (gaps between
kernels), and the top kernels. `envcheck bench moss-speech --profile` runs it after the fused backend's timed
requests, on the same engine (graphs replayed as the bench times them)."""
from __future__ import annotations

import re
from typing import Dict, Optional

# kernels that do a stage's matrix work (GEMM, GEMV, attention, convolution: cuBLAS/cuBLASLt's nvjet and cutlass
# kernels, cuDNN's fused attention and convolutions, Inductor's GEMM templates); their time follows the GPU's tensor
# rate or memory bandwidth. The rest (element-wise, norms, reductions, copies, memsets) are small here: their time is
# mostly each kernel's fixed cost, which another GPU does not scale by its ceilings.
MATRIX_KERNEL = re.compile(r"gemm|gemv|nvjet|cutlass|xmma|cublas|splitkreduce|sdpa|fmha|flash|attention|convolution|convolve|"
                           r"conv[123]d|fprop|dgrad|wgrad|wgmma|triton_tem_|sm\d\d_", re.IGNORECASE)


def is_matrix_kernel(name: str) -> bool:
    return bool(MATRIX_KERNEL.search(name or ""))


def _kernels(prof, torch):
    out = []
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA and e.device_time_total > 0:
            out.append((e.name, e.time_range.start, e.time_range.end - e.time_range.start))
    return sorted(out, key=lambda k: k[1])


def _summary(label, ks, calls, top=6):
    if not ks:
        return {"stage": label, "error": "no kernel events recorded"}
    span = ks[-1][1] + ks[-1][2] - ks[0][1]
    busy = sum(k[2] for k in ks)
    by = {}
    for name, _, d in ks:
        n, t = by.get(name, (0, 0.0))
        by[name] = (n + 1, t + d)
    tops = sorted(by.items(), key=lambda kv: -kv[1][1])[:top]
    matrix = sum(k[2] for k in ks if is_matrix_kernel(k[0]))
    return {"stage": label, "calls": calls, "span_ms": span / 1e3 / calls, "busy_ms": busy / 1e3 / calls,
            "gap_ms": (span - busy) / 1e3 / calls, "kernels": len(ks) / calls,
            "matrix_ms": matrix / 1e3 / calls, "matrix_share": matrix / span if span else 0.0,
            "top": [{"kernel": n if len(n) <= 100 else n[:97] + "...", "count": c / calls, "ms": t / 1e3 / calls,
                     "share": t / busy} for n, (c, t) in tops]}


def stage_summary(prof, torch, label: str, calls: int = 1) -> dict:
    """One profiled stage: span, kernels' own time, gaps, kernel count, the matrix kernels' share, the top kernels."""
    return _summary(label, _kernels(prof, torch), calls)


def profile_engine(stub, eng, torch) -> dict:
    from torch.profiler import ProfilerActivity, profile

    p = stub.p
    stages = []
    acts = [ProfilerActivity.CUDA]
    with torch.inference_mode():
        tok_fn = getattr(eng, "tokenize", None) or stub.tokenizer
        dec = getattr(eng, "decode_audio", None) or stub.decoder
        with profile(activities=acts) as prof:
            ids = tok_fn(stub.mel)
            torch.cuda.synchronize()
        stages.append(dict(stage_summary(prof, torch, "tokenizer", 1), key="tokenizer"))
        text, audio = stub.prompt(ids)
        with profile(activities=acts) as prof:
            eng.prefill(text, audio)
            torch.cuda.synchronize()
        stages.append(dict(stage_summary(prof, torch, "prefill", 1), key="prefill"))
        tok = torch.zeros(1, 1, dtype=torch.long, device=stub.device)
        with profile(activities=acts) as prof:
            for _ in range(20):
                eng.step(tok)
            torch.cuda.synchronize()
        stages.append(dict(stage_summary(prof, torch, "decode step (CUDA graph replay)", 20), key="decode_step"))
        vp, mpc = stub.voice_codes.shape[1], p.decoder.mel_per_code
        need, a, b = stub.chunk_plan()[0]
        codes = torch.cat((stub.voice_codes, torch.randint(0, p.decoder.codes, (1, need), device=stub.device)), 1)
        with profile(activities=acts) as prof:
            dec(codes, stub.spk, stub.voice_mel, (vp + a) * mpc, (vp + b) * mpc)
            torch.cuda.synchronize()
        stages.append(dict(stage_summary(prof, torch, "first decoder call", 1), key="decoder_first"))
    return {"tool": f"torch.profiler (CUPTI), torch {torch.__version__}", "stages": stages}


def matrix_shares(prof: Optional[dict]) -> Dict[str, float]:
    """{stage key: the matrix kernels' share of the stage's span} from a profile (empty without one)."""
    if not prof or "stages" not in prof:
        return {}
    return {r["key"]: r["matrix_share"] for r in prof["stages"] if "key" in r and "matrix_share" in r}


def render(prof: dict) -> str:
    if "error" in prof:
        return f"profile: {prof['error']}"
    lines = [f"profile of the fused backend ({prof['tool']}): per call, span = first kernel start to last kernel end"]
    for r in prof["stages"]:
        if "error" in r:
            lines.append(f"  {r['stage']}: {r['error']}")
            continue
        lines.append(f"  {r['stage']}: span {r['span_ms']:.3f} ms = kernels {r['busy_ms']:.3f} ms + gaps "
                     f"{r['gap_ms']:.3f} ms; {r['kernels']:.0f} kernels"
                     + (f"; matrix kernels {r['matrix_ms']:.3f} ms ({r['matrix_share']:.0%} of the span)"
                        if "matrix_ms" in r else ""))
        for t in r["top"]:
            lines.append(f"     {t['ms']:8.3f} ms {t['share']:6.1%} x{t['count']:<5.0f} {t['kernel']}")
    return "\n".join(lines)
