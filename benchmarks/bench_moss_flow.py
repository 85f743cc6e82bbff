"""The MOSS-Speech decoder's first call (flow encoder, 10 CFM steps with CFG, vocoder) on its own, full-size shapes:
how each way of running the CFM loop does, one CUDA graph per call in each case.

    PYTHONPATH=. python3 benchmarks/bench_moss_flow.py [--modes default,max-autotune-no-cudagraphs] [--reps 20]

Variants: `reference` (model.AudioDecoder.cfm as written, op by op, graphed: what `static` runs) and `fast:<mode>`
(envcheck/bench/flowfast.py's loop, each block compiled by torch.compile in that mode, graphed: what `fused` runs);
`<mode>@flash` (or `@efficient`, `@cudnn`, `@math`) runs attention through that SDPA backend alone; `<mode>+nogelu`
runs each feed-forward's GELU as its own kernel instead of in its first GEMM's epilogue (flowfast.transformer_layer).
For each: the first call's wall time (compile + capture), the median and min of --reps replays timed with CUDA
events, the kernels of one call (torch profiler; with the matrix kernels' share of its span, what the bench's
prediction by kernel class scales), and the audio's relative L2 error against `reference`. Writes
$OUT/bench_moss_flow.json when $OUT is set. Timings never gate CI; a run's figures go in docs/bench.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def first_call_args(torch, p, dev, dt):
    d = p.decoder
    g = torch.Generator().manual_seed(5)
    codes = torch.randint(0, d.codes, (1, d.voice_prompt_codes + p.first_chunk_tokens()), generator=g).to(dev)
    spk = torch.randn(1, 192, generator=g).to(dev, dt)
    voice_mel = torch.randn(1, d.mel_bins, d.voice_prompt_codes * d.mel_per_code, generator=g).to(dev, dt)
    vp, mpc = d.voice_prompt_codes, d.mel_per_code
    return codes, spk, voice_mel, vp * mpc, (vp + d.chunk_codes) * mpc


def measure(torch, call, args, reps):
    from torch.profiler import ProfilerActivity, profile

    from envcheck.bench.profiling import stage_summary

    torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = call(*args)
    torch.cuda.synchronize()
    first_s = time.perf_counter() - t0
    for _ in range(3):
        call(*args)
    times = []
    for _ in range(reps):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        call(*args)
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e))
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        call(*args)
        torch.cuda.synchronize()
    st = stage_summary(prof, torch, "first decoder call")
    return out.float().clone(), {"first_call_s": first_s, "median_ms": statistics.median(times), "min_ms": min(times),
                                 "kernels": int(st.get("kernels", 0)), "kernel_busy_ms": st.get("busy_ms", 0.0),
                                 "span_ms": st.get("span_ms", 0.0), "matrix_ms": st.get("matrix_ms", 0.0),
                                 "matrix_share": st.get("matrix_share", 0.0)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modes", default="default,max-autotune-no-cudagraphs")
    ap.add_argument("--reps", type=int, default=20)
    a = ap.parse_args()
    from envcheck.bench.runner import compile_cache

    compile_cache("cuda")
    os.environ.pop("ENVCHECK_BENCH_FLOW_ATTENTION", None)    # each variant names its own
    import torch

    from envcheck.bench.flowfast import FastCFM
    from envcheck.bench.fused import GraphedDecoder, ShapeGraphs
    from envcheck.bench.model import AudioDecoder, init_random_
    from envcheck.bench.spec import FULL

    dev, dt = torch.device("cuda"), torch.bfloat16
    torch.manual_seed(0)
    with torch.device(dev):
        dec = init_random_(AudioDecoder(FULL.decoder).to(dt).eval(), 2)
    args = first_call_args(torch, FULL, dev, dt)
    result = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__, "variants": {}}
    with torch.inference_mode():
        dec.cfm_runner = None
        ref, result["variants"]["reference"] = measure(torch, GraphedDecoder(dec), args, a.reps)
        print("reference", result["variants"]["reference"], flush=True)
        save(result)
        for variant in a.modes.split(","):
            mode, _, attn = variant.partition("@")
            mode, _, extra = mode.partition("+")
            torch._dynamo.reset()              # each variant compiles its own blocks (the guards hold no mode)
            dec.cfm_runner = FastCFM(dec, compiled=True, mode=mode, attention=attn or None,
                                     gelu_epilogue={"gelu": True, "nogelu": False}.get(extra))
            ShapeGraphs.pool = None            # a fresh graph pool: the last variant's graphs are gone with it
            out, r = measure(torch, GraphedDecoder(dec), args, a.reps)
            r["audio_rel_err_vs_reference"] = float((out - ref).norm() / ref.norm())
            result["variants"][f"fast:{variant}"] = r
            print(f"fast:{variant}", r, flush=True)
            save(result)
    return 0


def save(result: dict) -> None:
    """After each variant: a run cut short by its time limit keeps what it measured."""
    if os.environ.get("OUT"):
        with open(os.path.join(os.environ["OUT"], "bench_moss_flow.json"), "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    sys.exit(main())
