"""Run the measured path (spoken prompt -> tokenizer -> prefill -> speech-token decode -> first audio chunk -> ... ->
last chunk) for each backend, time it, check each backend against eager, and put the floor beside it."""
from __future__ import annotations

import gc
import logging
import os
import platform
import statistics
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from envcheck.bench import backends as B
from envcheck.bench import floor as FL
from envcheck.bench import refcache
from envcheck.bench.profiling import matrix_shares
from envcheck.bench.spec import DTYPE_BYTES, Preset

PROFILED = "fused"          # the backend whose stages are profiled (--profile, --predict): its kernel mix


class BenchError(Exception):
    """A user-facing problem (no GPU, not enough memory): message, exit 2."""


def torch_dtype(torch, name: str):
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


class Clock:
    """CUDA events on a GPU (no host sync inside the timed region). On the CPU, this process's CPU time
    (`time.process_time`: with torch pinned to one thread it is the work itself, and other processes' load on a
    shared machine does not move it) and, beside it, wall time (`perf_counter`, what a user waits)."""

    def __init__(self, torch, device):
        self.torch, self.cuda = torch, device.type == "cuda"
        self.marks: List[tuple] = []
        self.walls: List[tuple] = []

    def mark(self, label: str):
        if self.cuda:
            e = self.torch.cuda.Event(enable_timing=True)
            e.record()
            self.marks.append((label, e))
        else:
            self.marks.append((label, time.process_time()))
            self.walls.append((label, time.perf_counter()))

    def intervals_ms(self) -> List[tuple]:
        if self.cuda:
            self.torch.cuda.synchronize()
            t0 = self.marks[0][1]
            return [(lab, t0.elapsed_time(e)) for lab, e in self.marks]
        t0 = self.marks[0][1]
        return [(lab, (t - t0) * 1e3) for lab, t in self.marks]

    def wall_ms(self) -> List[tuple]:
        if self.cuda:
            return self.intervals_ms()
        t0 = self.walls[0][1]
        return [(lab, (t - t0) * 1e3) for lab, t in self.walls]


class Stub:
    """The three models with random weights, on one device, plus fixed inputs for one request."""

    def __init__(self, p: Preset, device: str, dtype: str, seed: int = 0):
        import torch
        from envcheck.bench.model import AudioDecoder, Backbone, SpeechTokenizer, init_random_

        self.torch, self.p = torch, p
        self.device = torch.device(device)
        self.dtype = torch_dtype(torch, dtype)
        self.max_len = p.prompt_tokens() + p.gen_tokens + 8
        torch.manual_seed(seed)
        with torch.device(self.device):
            self.tokenizer = SpeechTokenizer(p.tokenizer).to(self.dtype).eval()
            self.backbone = Backbone(p.backbone, self.max_len).to(self.dtype).eval()
            self.decoder = AudioDecoder(p.decoder).to(self.dtype).eval()
        for i, m in enumerate((self.tokenizer, self.backbone, self.decoder)):
            init_random_(m, seed + i)
        g = torch.Generator(device="cpu").manual_seed(seed + 7)
        frames = int(round(p.prompt_seconds * p.tokenizer.mel_rate_hz))
        frames -= frames % (2 * p.tokenizer.pool)
        self.mel = torch.randn(1, p.tokenizer.mel_bins, frames, generator=g).to(self.device, self.dtype)
        self.template = torch.randint(0, p.backbone.text_vocab, (1, p.template_tokens), generator=g).to(self.device)
        d = p.decoder
        self.voice_codes = torch.randint(0, d.codes, (1, d.voice_prompt_codes), generator=g).to(self.device)
        self.voice_mel = torch.randn(1, d.mel_bins, d.voice_prompt_codes * d.mel_per_code, generator=g).to(self.device, self.dtype)
        self.spk = torch.randn(1, 192, generator=g).to(self.device, self.dtype)

    def prompt(self, speech_ids):
        torch, b = self.torch, self.p.backbone
        n = speech_ids.shape[1]
        text = torch.cat((self.template, torch.full((1, n), b.text_pad_id, device=self.device)), dim=1)
        audio = torch.cat((torch.full_like(self.template, b.audio_vocab - 1), speech_ids % b.audio_vocab), dim=1)
        return text, audio

    def chunk_plan(self) -> List[tuple]:
        """(tokens needed, first code, last code) for each decoder call: first hop + lookahead, then every hop."""
        d, n = self.p.decoder, self.p.gen_tokens
        plan, cursor = [], 0
        while cursor < n:
            hop = d.chunk_codes
            need = cursor + hop + d.pre_lookahead
            if need > n:
                plan.append((n, cursor, n))
                break
            plan.append((need, cursor, cursor + hop))
            cursor += hop
        return plan

    def request(self, engine, clock: Optional[Clock] = None, forced=None, keep_logits: bool = False,
                forced_ids=None):
        """One user request. Returns generated tokens [1, n], the audio chunks, and (optionally) every logits row.
        `forced` / `forced_ids` replace the sampled tokens / the tokenizer's codes (the check feeds every backend
        eager's discrete choices, so what is compared is arithmetic, not a near-tie that flipped); the tokenizer's
        own codes are kept in `self.last_ids`."""
        torch, p = self.torch, self.p
        vp = self.voice_codes.shape[1]
        mpc = p.decoder.mel_per_code
        gen = torch.zeros(1, p.gen_tokens, dtype=torch.long, device=self.device)
        logits_rows, chunks = [], []
        mark = clock.mark if clock else (lambda label: None)
        tokenize = getattr(engine, "tokenize", None) or self.tokenizer
        decode_audio = getattr(engine, "decode_audio", None) or self.decoder
        with torch.inference_mode():
            engine.reset()
            mark("start")
            speech_ids = tokenize(self.mel)
            mark("tokenized")
            self.last_ids = speech_ids
            if forced_ids is not None:
                speech_ids = forced_ids
            text, audio = self.prompt(speech_ids)
            tok, logits = engine.prefill(text, audio)
            if forced is not None:
                tok = forced[:, 0:1]
            gen[:, 0:1].copy_(tok)
            if keep_logits:
                logits_rows.append(logits.float().clone())
            mark("prefilled")
            plan = self.chunk_plan()
            c, k = 1, 0
            while True:
                while k < len(plan) and c >= plan[k][0]:
                    need, a, b = plan[k]
                    mark(f"dec_start{k}")
                    codes = torch.cat((self.voice_codes, gen[:, :need]), dim=1)
                    wave = decode_audio(codes, self.spk, self.voice_mel, (vp + a) * mpc, (vp + b) * mpc)
                    chunks.append(wave)
                    mark(f"dec_end{k}")
                    k += 1
                if c >= p.gen_tokens:
                    break
                nxt, logits = engine.step(gen[:, c - 1:c])
                if forced is not None:
                    nxt = forced[:, c:c + 1]
                gen[:, c:c + 1].copy_(nxt)
                if keep_logits:
                    logits_rows.append(logits.float().clone())
                c += 1
            mark("end")
        return gen, chunks, logits_rows

    def param_bytes(self, module) -> int:
        return sum(p.numel() * p.element_size() for p in module.parameters())


def summarize(marks: List[tuple], p: Preset) -> dict:
    t = dict(marks)
    dec = [(t[f"dec_end{k}"] - t[f"dec_start{k}"]) for k in range(len(marks)) if f"dec_end{k}" in t]
    total = t["end"]
    tokenizer_ms = t["tokenized"]
    prefill_ms = t["prefilled"] - t["tokenized"]
    decode_ms = total - t["prefilled"] - sum(dec)
    return {
        "ttfa_ms": t["dec_end0"], "total_ms": total, "tokenizer_ms": tokenizer_ms, "prefill_ms": prefill_ms,
        "decode_ms_per_token": decode_ms / max(p.gen_tokens - 1, 1), "decoder_first_ms": dec[0],
        "decoder_all_ms": sum(dec), "rtf": total / 1e3 / (p.gen_tokens / p.token_rate_hz),
    }


def agg(samples: List[dict]) -> dict:
    out = {}
    for key in samples[0]:
        vals = [s[key] for s in samples]
        out[key] = statistics.median(vals)
        out[key + "_min"], out[key + "_max"] = min(vals), max(vals)
    return out


def compare(ref_logits, logits) -> dict:
    errs, agree = [], 0
    for r, l in zip(ref_logits, logits):
        errs.append(float((l - r).norm() / r.norm().clamp_min(1e-12)))
        agree += int(l.argmax(-1).item() == r.argmax(-1).item())
    return {"max_rel_err": max(errs), "argmax_agree": agree / len(ref_logits), "steps": len(ref_logits)}


def audio_check(ref_chunks, chunks) -> dict:
    """The waveform against eager's, on the same (teacher-forced) codes: the flow starts from one fixed noise, so the
    audio is a function of the codes and the weights alone. Relative L2 error of the first chunk and of all audio."""
    def rel(a, b):
        return float((b.float() - a).norm() / a.norm().clamp_min(1e-12))

    import torch

    got = [c.float() for c in chunks]
    if len(got) != len(ref_chunks) or any(a.shape != b.shape for a, b in zip(ref_chunks, got)):
        return {"audio_rel_err": float("inf"), "audio_first_chunk_rel_err": float("inf")}
    return {"audio_rel_err": rel(torch.cat(ref_chunks, -1), torch.cat(got, -1)),
            "audio_first_chunk_rel_err": rel(ref_chunks[0], got[0])}


def stage_costs(stub: Stub) -> dict:
    """FLOPs (counted by torch's FlopCounterMode on one real call) and weight bytes of tokenizer and decoder calls."""
    torch = stub.torch
    from torch.utils.flop_counter import FlopCounterMode

    p = stub.p
    with torch.inference_mode():
        with FlopCounterMode(display=False) as fc:
            stub.tokenizer(stub.mel)
        tok = {"flops": float(fc.get_total_flops()), "bytes": float(stub.param_bytes(stub.tokenizer))}
        vp, mpc = stub.voice_codes.shape[1], p.decoder.mel_per_code
        first = None
        gen = torch.randint(0, p.decoder.codes, (1, p.gen_tokens), device=stub.device)
        total_flops, calls = 0.0, 0
        for need, a, b in stub.chunk_plan():
            with FlopCounterMode(display=False) as fc:
                stub.decoder(torch.cat((stub.voice_codes, gen[:, :need]), 1), stub.spk, stub.voice_mel, (vp + a) * mpc, (vp + b) * mpc)
            f = float(fc.get_total_flops())
            if first is None:
                first = f
            total_flops += f
            calls += 1
    db = float(stub.param_bytes(stub.decoder))
    return {"tokenizer": tok, "decoder_first": {"flops": first, "bytes": db},
            "decoder_all": {"flops": total_flops, "bytes": db * calls}}


def measured_ceiling(torch, device, dtype) -> FL.Ceiling:
    """A 1 GiB device-to-device copy (bytes read + written) and an 8192^3 matmul, each the median of 10."""
    n = 1 << 29
    a = torch.randn(n // 2, device=device, dtype=torch.float16)
    b = torch.empty_like(a)
    x = torch.randn(8192, 8192, device=device, dtype=dtype)
    y = torch.randn(8192, 8192, device=device, dtype=dtype)

    def timed(fn, reps=10):
        for _ in range(3):
            fn()
        ts = []
        for _ in range(reps):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record(); fn(); e.record()
            torch.cuda.synchronize()
            ts.append(s.elapsed_time(e) / 1e3)
        return statistics.median(ts)

    bw = 2 * a.numel() * a.element_size() / timed(lambda: b.copy_(a)) / 1e9
    tf = 2 * 8192 ** 3 / timed(lambda: x @ y) / 1e12
    del a, b, x, y
    torch.cuda.empty_cache()
    return FL.Ceiling("measured", bw, tf)


def environment(torch, device) -> dict:
    env = {"python": platform.python_version(), "torch": torch.__version__, "device": str(device),
           "platform": platform.platform()}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2 ** 30, 1),
                   compute_capability=f"{props.major}.{props.minor}", cuda=torch.version.cuda,
                   sms=props.multi_processor_count)
    return env


def needed_bytes(p: Preset, dtype: str) -> int:
    """Weights + KV cache + a workspace margin, without allocating (params counted on the meta device)."""
    import torch
    from envcheck.bench.model import AudioDecoder, Backbone, SpeechTokenizer

    with torch.device("meta"):
        n = sum(q.numel() for m in (SpeechTokenizer(p.tokenizer), Backbone(p.backbone, 8), AudioDecoder(p.decoder))
                for q in m.parameters())
    b = DTYPE_BYTES[dtype]
    kv = p.backbone.kv_bytes_per_token(b) * (p.prompt_tokens() + p.gen_tokens + 8) * 2   # eager and static caches
    return int(n * b + kv + 1.5 * 2 ** 30)


def weight_bytes(name: str) -> Optional[float]:
    """Bytes per decode-step weight a backend reads when narrower than the run's dtype (weight-only int8 / fp8)."""
    return 1.0 if name in ("fused-int8", "fused-fp8") else None


def timed_request(stub: Stub, engine, torch) -> float:
    """Wall seconds of one request, the device drained first and after."""
    if stub.device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    stub.request(engine)
    if stub.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def warm_up(stub: Stub, engine, torch, least: int, progress, name: str, most_extra: int = 3, within: float = 0.15) -> List[float]:
    """At least `least` untimed requests, then more until the last two agree within 15 % (at most 3 more):
    caches, allocator pools, oneDNN primitives and lazily captured graphs are all in place before timing."""
    times: List[float] = []
    while True:
        n = len(times)
        if n >= least and n >= 2 and abs(times[-1] - times[-2]) <= within * min(times[-1], times[-2]):
            break
        if n >= least and (least == 0 or n >= least + most_extra):
            break
        progress(f"{name}: warm-up {n + 1}")
        times.append(timed_request(stub, engine, torch))
    return times


class quiet_torch:
    """torch's warnings and log lines (Inductor, Dynamo) off the output unless verbose."""

    def __init__(self, verbose: bool):
        self.verbose = verbose

    def __enter__(self):
        if self.verbose:
            return self
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")
        self._levels = {}
        for name in ("torch", "torch._dynamo", "torch._inductor"):
            lg = logging.getLogger(name)
            self._levels[name] = lg.level
            lg.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc):
        if self.verbose:
            return False
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)
        self._w.__exit__(*exc)
        return False


def run(p: Preset, device: str, dtype: str, backends: List[str], reps: int, warmup: int,
        progress: Callable[[str], None], predict_names: List[str], gpus_path: Optional[str] = None,
        measure_ceilings: bool = True, partial: Optional[Callable[[dict], None]] = None,
        threads: Optional[int] = None, verbose: bool = False, profile_path: Optional[str] = None,
        started: Optional[float] = None) -> dict:
    """started: time.perf_counter() when the command began (its seconds count from there); default now."""
    started = time.perf_counter() if started is None else started
    with quiet_torch(verbose):
        return _run(p, device, dtype, backends, reps, warmup, progress, predict_names, gpus_path, measure_ceilings,
                    partial, threads, profile_path, started)


@dataclass
class _Session:
    """What every backend's measurement shares: the stub, the device, the knobs, the result being filled in, and the
    eager reference (its tokens, logits and audio) once eager has run."""
    p: Preset
    torch: Any
    dev: Any
    stub: Any
    dtype: str
    reps: int
    warmup: int
    progress: Callable
    profile_path: Optional[str]
    result: dict
    started: float
    ref: Optional[dict] = None
    ref_key: Optional[str] = None       # refcache's key for this run's reference (computed once, on a GPU)


def _run(p, device, dtype, backends, reps, warmup, progress, predict_names, gpus_path, measure_ceilings, partial,
         threads, profile_path, started) -> dict:
    cache = compile_cache(device)
    import torch

    dev = torch.device(device)
    _set_up_torch(torch, dev, threads)
    result = _result_head(p, dtype, torch, dev, reps, warmup)
    if cache:
        result["environment"]["compile_cache"] = cache
    progress = _timeline(result, progress, started)
    progress("building the stub (random weights)")
    stub = Stub(p, device, dtype)
    result["params"] = {"tokenizer": sum(q.numel() for q in stub.tokenizer.parameters()),
                        "backbone": sum(q.numel() for q in stub.backbone.parameters()),
                        "decoder": sum(q.numel() for q in stub.decoder.parameters()),
                        "backbone_step": p.backbone.step_params()}
    session = _Session(p, torch, dev, stub, dtype, reps, warmup, progress, profile_path, result, started)
    costs = {}
    if dev.type == "cuda":                 # the floors need them; a CPU has no floor row
        costs = _stage_costs(session)
        result["stage_costs"] = costs

    ctx = floor_context(result, torch, dev, stub, dtype, gpus_path, measure_ceilings, progress)
    order = [b for b in backends if b != "tensorrt"]
    if "eager" not in order and order and not _cached_reference(session):
        order = ["eager"] + order           # the reference every backend is checked against
    for name in order:
        result["backends"][name] = _measure_backend(session, name)
        if dev.type == "cuda":
            torch.cuda.empty_cache()
        if partial:
            add_floors(result, p, dtype, costs, ctx, predict_names)
            partial(result)
    if "tensorrt" in backends:
        summary, reason = B.tensorrt_status()
        result["backends"]["tensorrt"] = {"status": "unavailable", "summary": summary, "reason": reason}

    add_floors(result, p, dtype, costs, ctx, predict_names)
    return result


def _timeline(result: dict, progress: Callable[[str], None], started: float) -> Callable[[str], None]:
    """progress, also kept in result["timeline"] as [seconds since the start, step]: where a run's time went."""
    steps = result.setdefault("timeline", [])

    def step(msg: str) -> None:
        steps.append([round(time.perf_counter() - started, 2), msg])
        progress(msg)
    return step


def _stage_costs(s: "_Session") -> dict:
    """stage_costs, counted once per stub, software and GPU (FlopCounterMode runs every decoder call of a request
    through Python: seconds), then read from the reference cache's folder."""
    k = _reference_key(s)
    costs = refcache.load_costs(k)
    if costs is not None:
        s.progress("FLOPs of tokenizer and decoder from an earlier run")
        return costs
    s.progress("counting FLOPs of tokenizer and decoder")
    costs = stage_costs(s.stub)
    try:
        refcache.save_costs(k, costs)
    except Exception:                  # a full disk or a read-only home: counted again next time
        pass
    return costs


def compile_cache(device: str) -> Optional[str]:
    """On a GPU, keep torch.compile's compiled graphs and Triton kernels (Inductor's FX-graph and AOT caches) in one
    folder that outlives the process, so a second run loads them instead of compiling (~/.cache/envcheck/
    torchinductor, or TORCHINDUCTOR_CACHE_DIR where the user set it). Set before torch is imported."""
    if not device.startswith("cuda"):
        return None
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", os.path.join(refcache.cache_home(), "torchinductor"))
    os.environ.setdefault("TORCHINDUCTOR_FX_GRAPH_CACHE", "1")
    os.environ.setdefault("TORCHINDUCTOR_AUTOGRAD_CACHE", "1")
    return os.environ["TORCHINDUCTOR_CACHE_DIR"]


def _set_up_torch(torch, dev, threads) -> None:
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        _raise_recompile_limit(torch)
    if threads:
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:               # already set once in this process
            pass


def _raise_recompile_limit(torch, at_least: int = 32) -> None:
    """The compiled regions are one function each (a decode-step layer, an estimator block) traced once per shape
    and weight kind: three backends in one run reach Dynamo's default of 8 traces per function, past which it
    would run the rest uncompiled without a word."""
    try:
        cfg = torch._dynamo.config
    except AttributeError:                 # a torch without Dynamo: nothing is compiled
        return
    for knob in ("cache_size_limit", "recompile_limit"):
        if isinstance(getattr(cfg, knob, None), int) and getattr(cfg, knob) < at_least:
            setattr(cfg, knob, at_least)


def _result_head(p, dtype, torch, dev, reps, warmup) -> dict:
    result = {"model": "moss-speech (stub: random weights, real shapes)", "preset": p.name, "dtype": dtype,
              "spec": p.to_dict(), "environment": environment(torch, dev), "reps": reps, "warmup": warmup,
              "prompt_tokens": p.prompt_tokens(), "gen_tokens": p.gen_tokens,
              "first_chunk_tokens": p.first_chunk_tokens(), "audio_s": p.gen_tokens / p.token_rate_hz,
              "backends": {}, "floors": {}, "predictions": {}}
    result["environment"]["threads"] = torch.get_num_threads()
    return result


def _measure_backend(s: _Session, name: str) -> dict:
    """One backend: prepare, a first request checked against eager, warm-up, the timed repetitions. A backend that
    fails is reported and the others go on; only eager failing before it is the reference stops the run."""
    entry: Dict = {"status": "ok"}
    engine = None
    try:
        before = compile_seconds(s.torch)
        engine = _prepare(s, name, entry)
        _first_request(s, name, engine, entry)
        spent = {k: round(v - before.get(k, 0.0), 2) for k, v in compile_seconds(s.torch).items()}
        if spent.get("graphs") and "total" in spent:
            entry["compile_s"] = spent
        wt = warm_up(s.stub, engine, s.torch, s.warmup, s.progress, name)
        entry["warmup_runs"] = len(wt)
        entry["warmup_s"] = wt
        _timed_requests(s, name, engine, entry)
        if s.profile_path and name == PROFILED and s.dev.type == "cuda":
            _profile(s, name, engine)
    except Exception as exc:
        entry = {"status": "failed", "reason": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}" if str(exc) else type(exc).__name__}
        if s.ref is None and name == "eager":
            s.result["backends"][name] = entry
            raise BenchError(f"the eager reference failed: {entry['reason']}")
    finally:
        s.stub.decoder.cfm_runner = None           # a backend that fails is reported; the others stand
        if hasattr(engine, "release"):
            engine.release()
        del engine
    return entry


# torch._dynamo's own timers (seconds, summed over every compile of the process) and what each covers
COMPILE_PHASES = {"total": "_compile.compile_inner",             # everything torch.compile did
                  "tracing": "bytecode_tracing",                 # Dynamo reading the Python code
                  "aot": "create_aot_dispatcher_function",       # AOTAutograd, Inductor inside it
                  "inductor": "compile_fx_inner"}                # Inductor: generated or loaded from the cache


def compile_seconds(torch) -> dict:
    """Seconds torch.compile has spent so far in this process, by phase, and the graphs it made; {} where this
    torch keeps no such timers."""
    try:
        from torch._dynamo import utils as du
        metrics = du.compilation_time_metrics
        graphs = du.counters["stats"]["unique_graphs"]
    except Exception:                  # a torch without Dynamo's timers: no breakdown
        return {}
    out = {k: float(sum(metrics[m])) for k, m in COMPILE_PHASES.items() if m in metrics}
    if "total" not in out and graphs:      # a torch that names its timers otherwise: no breakdown, not zeros
        return {}
    out["graphs"] = int(graphs)
    return out


def _prepare(s: _Session, name: str, entry: dict):
    torch, dev, stub = s.torch, s.dev, s.stub
    s.progress(f"{name}: preparing")
    t0 = time.perf_counter()
    if dev.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    engine = B.make_engine(name, stub.backbone, stub.max_len, tokenizer=stub.tokenizer, decoder=stub.decoder)
    if not name.startswith("fused"):
        stub.decoder.cfm_runner = B.decoder_runner(name, stub.decoder)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    entry["prepare_s"] = time.perf_counter() - t0
    if getattr(engine, "mode", None):
        entry["compile_mode"] = engine.mode
    cfm = stub.decoder.cfm_runner
    if getattr(cfm, "mode", None):
        entry["flow_compile_mode"] = cfm.mode
        entry["flow_attention"] = cfm.attention or "torch's choice"
    if dev.type != "cuda" and name != "eager":
        entry["note"] = ("no CUDA graph on CPU: static KV cache only" + (" + torch.compile" if name == "compile" else "")
                         if not name.startswith("fused") else
                         "no CUDA graph or compile on CPU: the branch-batched step, eagerly")
    return engine


def _first_request(s: _Session, name: str, engine, entry: dict) -> None:
    """The first request compiles and captures; eager's becomes the reference, every other is checked against it."""
    s.progress(f"{name}: first request (compiles, captures graphs; checked against eager)")
    t0 = time.perf_counter()
    gen, chunks, logits = s.stub.request(engine, keep_logits=True,
                                         forced=None if s.ref is None else s.ref["tokens"],
                                         forced_ids=None if s.ref is None else s.ref["ids"])
    if s.dev.type == "cuda":
        s.torch.cuda.synchronize()
    entry["first_request_s"] = time.perf_counter() - t0
    fell_back = [f"{part}: {g.fell_back}" for part, g in (("prefill", getattr(engine, "prefill_graphs", None)),
                                                          ("tokenizer", getattr(engine, "tokenize", None)))
                 if getattr(g, "fell_back", None)]
    if fell_back:
        entry["compile_fell_back"] = fell_back
    samples = sum(c.shape[-1] for c in chunks)
    entry["audio_samples"] = samples
    entry["first_chunk_samples"] = chunks[0].shape[-1]
    if s.ref is None:
        s.ref = {"tokens": gen, "ids": s.stub.last_ids.clone(), "logits": logits,
                 "audio": [c.float().clone() for c in chunks]}
        entry["check"] = {"reference": True, "steps": len(logits)}
        s.ref["fp32_logits"] = _fp32_reference(s)
        if s.ref["fp32_logits"] is not None:     # eager's own distance to fp32: every backend's check uses it
            s.ref["fp32_rel_err"] = compare(s.ref["fp32_logits"], logits)["max_rel_err"]
            entry["check"]["fp32_rel_err"] = s.ref["fp32_rel_err"]
            _keep_reference(s)
    else:
        entry["check"] = _check(s, name, logits, chunks)


def _cached_reference(s: _Session) -> bool:
    """On a GPU, eager's reference from an earlier run of the same stub, code and software (refcache.py): the run
    then skips eager (not asked for) and the fp32 reference."""
    if s.dev.type != "cuda" or s.dtype == "fp32":
        return False
    k = _reference_key(s)
    ref = refcache.load(k, s.torch, s.dev)
    if ref is None:
        s.result["reference"] = {"source": "eager, this run", "kept_in": refcache.path_for(k)}
        return False
    s.ref = ref
    s.result["reference"] = {"source": "eager, an earlier run (cached)", "path": refcache.path_for(k)}
    s.progress(f"eager's reference from an earlier run: {refcache.path_for(k)}")
    return True


def _reference_key(s: _Session) -> str:
    """The reference's key (hashes the bench's sources and asks torch about the GPU): once per run."""
    if s.ref_key is None:
        s.ref_key = refcache.key(s.p, s.dtype, refcache.gpu_facts(s.torch, s.dev))
    return s.ref_key


def _keep_reference(s: _Session) -> None:
    if s.dev.type != "cuda":
        return
    try:
        refcache.save(_reference_key(s), s.ref, s.torch)
    except Exception as exc:       # a full disk or a read-only home: the run goes on, the next computes it again
        s.result.setdefault("reference", {})["not_kept"] = f"{type(exc).__name__}: {exc}"


def _check(s: _Session, name: str, logits, chunks) -> dict:
    """Logits and audio against eager's on the same inputs. The logits pass within the tolerance of eager, or, where
    an fp32 reference of the same weights exists, by torch's own accuracy rule for compiled models
    (torch._dynamo.utils.same with fp64_ref: the backend's error to the high-precision reference at most k times
    eager's plus a tenth of the tolerance; torch takes k = 3 for bf16/fp16, this takes 2): bf16 rounds differently
    in every fused kernel, and eager is not exact."""
    chk = compare(s.ref["logits"], logits)
    tol = {"fused-int8": 5e-2, "fused-fp8": 1e-1}.get(name, 1e-3 if s.dtype == "fp32" else 5e-2)
    chk["tolerance"] = tol
    ids = s.stub.last_ids
    chk["tokenizer_ids_agree"] = (float((ids == s.ref["ids"]).float().mean()) if ids.shape == s.ref["ids"].shape
                                  else 0.0)
    logits_ok = chk["max_rel_err"] <= tol
    if s.ref.get("fp32_logits") is not None:
        mine, eager = compare(s.ref["fp32_logits"], logits)["max_rel_err"], s.ref["fp32_rel_err"]
        chk.update(fp32_rel_err=mine, eager_fp32_rel_err=eager)
        logits_ok = logits_ok or mine <= 2.0 * eager + tol / 10.0
    audio_tol = 1e-3 if s.dtype == "fp32" else 5e-2     # the decoder runs in the run's dtype in every backend
    chk.update(audio_check(s.ref["audio"], chunks), audio_tolerance=audio_tol)
    chk["pass"] = logits_ok and chk["argmax_agree"] >= 0.9 and chk["audio_rel_err"] <= audio_tol
    return chk


def _fp32_reference(s: _Session):
    """Eager's request again with the backbone in fp32 (the same bf16/fp16 weights, exactly widened; narrowed back
    afterwards, bit for bit), on eager's tokens and codes: the logits every backend's error is measured against.
    Skipped (None) for an fp32 run, or where the GPU has no room for the widened weights."""
    torch, stub = s.torch, s.stub
    if s.dtype == "fp32":
        return None
    need = 2 * stub.param_bytes(stub.backbone) + (2 << 30)
    if s.dev.type == "cuda" and torch.cuda.mem_get_info()[0] < need:
        s.progress("fp32 reference skipped: not enough free GPU memory")
        return None
    s.progress("fp32 reference: eager with the backbone widened to fp32")
    dtype = next(stub.backbone.parameters()).dtype
    stub.backbone.float()
    try:
        _, _, logits = stub.request(B.make_engine("eager", stub.backbone, stub.max_len), keep_logits=True,
                                    forced=s.ref["tokens"], forced_ids=s.ref["ids"])
    finally:
        stub.backbone.to(dtype)
        if s.dev.type == "cuda":
            torch.cuda.empty_cache()
    return logits


def _timed_requests(s: _Session, name: str, engine, entry: dict) -> None:
    torch, dev = s.torch, s.dev
    runs = []
    entry["measuring_started_s"] = time.perf_counter() - s.started
    s.progress(f"{name}: measuring from {entry['measuring_started_s']:.1f} s after the bench started")
    gc.collect()
    gc.disable()                   # no collector pause inside a timed request
    try:
        for i in range(s.reps):
            s.progress(f"{name}: repetition {i + 1}/{s.reps}")
            clock = Clock(torch, dev)
            s.stub.request(engine, clock=clock)
            runs.append(summarize(clock.intervals_ms(), s.p))
            if dev.type != "cuda":
                runs[-1]["wall"] = summarize(clock.wall_ms(), s.p)
    finally:
        gc.enable()
    entry.update(agg([{k: v for k, v in r.items() if k != "wall"} for r in runs]))
    if dev.type != "cuda":
        entry["clock"] = "process CPU time"
        entry["wall_ttfa_ms"] = statistics.median(r["wall"]["ttfa_ms"] for r in runs)
        entry["wall_total_ms"] = statistics.median(r["wall"]["total_ms"] for r in runs)
    entry["runs"] = runs
    if dev.type == "cuda":
        entry["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2 ** 30


def _profile(s: _Session, name: str, engine) -> None:
    from envcheck.bench.profiling import profile_engine

    s.progress(f"{name}: profiling (torch profiler)")
    try:
        s.result["profile"] = profile_engine(s.stub, engine, s.torch)
    except Exception as exc:          # the figures stand without the profile
        s.result["profile"] = {"error": f"{type(exc).__name__}: {exc}"}


def floor_context(result, torch, dev, stub, dtype, gpus_path, measure_ceilings, progress):
    """(gpus.yaml rows, this GPU's row, the measured ceiling): read and measured once, before the backends run."""
    rows = []
    try:
        rows = FL.load_gpus(gpus_path)
    except Exception as exc:
        result["floors_error"] = f"could not read matrix/gpus.yaml: {exc}"
    gpu_name = result["environment"].get("gpu")
    here_row = FL.find_gpu(gpu_name, rows) if (gpu_name and rows) else None
    if gpu_name and rows and here_row is None:
        result["floors_error"] = f"{gpu_name!r} has no row in matrix/gpus.yaml: no floor"
    mc = None
    if here_row and measure_ceilings and dev.type == "cuda":
        progress("measuring copy bandwidth and matmul throughput")
        mc = measured_ceiling(torch, dev, stub.dtype)
    return rows, here_row, mc


def add_floors(result, p, dtype, costs, ctx, predict_names) -> None:
    """The floors beside the figures, each backend's ratio to them, and the predictions (pure arithmetic)."""
    rows, here_row, mc = ctx
    if here_row:
        result["gpu_row"] = {k: here_row.get(k) for k in ("name", "memory_bandwidth_gbs", "fp16_tflops", "bf16_tflops")}
        ds_c = FL.datasheet_ceiling(here_row, dtype)
        ds = FL.floors(p, dtype, ds_c, costs)
        result["floors"]["datasheet"] = ds
        if mc is not None:
            result["floors"]["measured"] = FL.floors(p, dtype, mc, costs)
        for name, e in result["backends"].items():
            if e.get("status") != "ok":
                continue
            wb = weight_bytes(name)
            own = ds if wb is None else FL.floors(p, dtype, ds_c, costs, wb)
            if wb is not None:
                e["floor_weight_bytes"] = wb
                e["floor_datasheet"] = own
            e["ratio_decode_to_floor"] = e["decode_ms_per_token"] / own["decode_step_ms"]
            e["ratio_ttfa_to_floor"] = e["ttfa_ms"] / own["ttfa_ms"]
            if mc is not None:
                own_m = FL.floors(p, dtype, mc, costs, wb)
                if wb is not None:
                    e["floor_measured"] = own_m
                e["ratio_decode_to_measured_floor"] = e["decode_ms_per_token"] / own_m["decode_step_ms"]
                e["ratio_ttfa_to_measured_floor"] = e["ttfa_ms"] / own_m["ttfa_ms"]
                e["stage_ratio_to_measured_floor"] = {
                    "tokenizer": e["tokenizer_ms"] / own_m["tokenizer_ms"],
                    "prefill": e["prefill_ms"] / own_m["prefill_ms"],
                    "decode_step": e["decode_ms_per_token"] / own_m["decode_step_ms"],
                    "decoder_first": e["decoder_first_ms"] / own_m["decoder_first_ms"],
                    "decoder_all": e["decoder_all_ms"] / own_m["decoder_all_ms"],
                    "ttfa": e["ttfa_ms"] / own_m["ttfa_ms"], "rtf": e["rtf"] / own_m["rtf"]}
        for other in predict_names:
            row = FL.find_gpu(other, rows)
            if row is None:
                result["predictions"][other] = {"error": f"no row for {other!r} in matrix/gpus.yaml"}
                continue
            there_c = FL.datasheet_ceiling(row, dtype)
            there = FL.floors(p, dtype, there_c, costs)
            pred = {"gpu": row["name"], "kind": "prediction", "floor": there, "backends": {},
                    "memory_gib": row.get("memory_gib"),
                    "fits": (needed_bytes(p, dtype) / 2 ** 30) <= float(row.get("memory_gib") or 0)}
            for name, e in result["backends"].items():
                if e.get("status") == "ok":
                    wb = weight_bytes(name)
                    m = dict(e, first_chunk_tokens=p.first_chunk_tokens(), gen_tokens=p.gen_tokens,
                             audio_s=p.gen_tokens / p.token_rate_hz)
                    here_f = ds if wb is None else FL.floors(p, dtype, ds_c, costs, wb)
                    there_f = there if wb is None else FL.floors(p, dtype, there_c, costs, wb)
                    shares = matrix_shares(result.get("profile")) if name == PROFILED else None
                    pred["backends"][name] = FL.predict(m, here_f, there_f, shares)
            result["predictions"][other] = pred
    elif predict_names:
        for other in predict_names:
            result["predictions"][other] = {"error": "a prediction needs a floor measured against on this GPU (needs a GPU row)"}
