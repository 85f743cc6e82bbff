"""Backends: the same weights driven three ways, plus TensorRT-LLM when it can be loaded.

eager    a first port: Python loop, a KV cache that grows by torch.cat every step
static   pre-allocated KV cache written in place, the decode step captured once in a CUDA graph and replayed
compile  the static decode step through torch.compile (Inductor kernels), then captured in a CUDA graph
fused    every stage aimed at the floor (envcheck/bench/fused.py); fused-int8 / fused-fp8 with weight-only
         quantized decode matrices
Every engine has: reset(), prefill(text_ids, audio_ids) -> (next [1,1], logits), step(tok [1,1]) -> (next, logits).
"""
from __future__ import annotations

import importlib

import torch

from envcheck.bench.graphed import GraphedStep
from envcheck.bench.model import decode_attention, sdpa

ALL = ("eager", "static", "compile", "fused", "fused-int8", "fused-fp8", "tensorrt")


class EagerEngine:
    name = "eager"

    def __init__(self, model, max_len: int):
        self.m, self.max_len = model, max_len
        self.reset()

    def reset(self):
        self.cache, self.pos = {}, 0

    def _attend_prefill(self, i, q, k, v):
        self.cache[i] = (k, v)
        return sdpa(q, k, v, causal=True)

    def _attend_step(self, i, q, k, v):
        pk, pv = self.cache[i]
        k, v = torch.cat((pk, k), dim=2), torch.cat((pv, v), dim=2)
        self.cache[i] = (k, v)
        return sdpa(q, k, v)

    @torch.no_grad()
    def prefill(self, text_ids, audio_ids):
        T = text_ids.shape[1]
        pos = torch.arange(T, device=text_ids.device)
        logits, _ = self.m(text_ids, audio_ids, pos, self._attend_prefill)
        self.pos = T
        return logits.argmax(-1, keepdim=True), logits

    @torch.no_grad()
    def step(self, tok):
        text = torch.full_like(tok, self.m.spec.text_pad_id)
        pos = torch.arange(self.pos, self.pos + 1, device=tok.device)
        logits, _ = self.m(text, tok, pos, self._attend_step)
        self.pos += 1
        return logits.argmax(-1, keepdim=True), logits


class StaticEngine(GraphedStep):
    name = "static"

    def __init__(self, model, max_len: int, use_graph: bool = True, compile_step: bool = False):
        self.m, self.max_len = model, max_len
        p = next(model.parameters())
        b = model.spec
        n = len(model.layers())
        shape = (n, 1, b.kv_heads, max_len, b.head_dim)
        self.k = torch.zeros(shape, dtype=p.dtype, device=p.device)
        self.v = torch.zeros(shape, dtype=p.dtype, device=p.device)
        self.pos_buf = torch.zeros(1, dtype=torch.long, device=p.device)
        self.tok_in = torch.zeros(1, 1, dtype=torch.long, device=p.device)
        self.text_in = torch.full((1, 1), b.text_pad_id, dtype=torch.long, device=p.device)
        self.ar = torch.arange(max_len, device=p.device)
        self.use_graph = use_graph and p.device.type == "cuda"
        self.graphed = self.use_graph
        self.fn = self._step_impl
        if compile_step:
            self.fn = torch.compile(self._step_impl, dynamic=False)
        self.graph = None
        self.out = None

    def reset(self):
        self.pos_buf.zero_()

    def _attend_prefill(self, i, q, k, v):
        T = k.shape[2]
        self.k[i, :, :, :T] = k
        self.v[i, :, :, :T] = v
        return sdpa(q, k, v, causal=True)

    def _attend_step(self, i, q, k, v):
        self.k[i].index_copy_(2, self.pos_buf, k)
        self.v[i].index_copy_(2, self.pos_buf, v)
        mask = (self.ar <= self.pos_buf)[None, None, None, :]
        return decode_attention(q, self.k[i], self.v[i], mask)

    def _step_impl(self):
        logits, text_logits = self.m(self.text_in, self.tok_in, self.pos_buf, self._attend_step)
        nxt = logits.argmax(-1, keepdim=True)
        self.pos_buf.add_(1)
        # the text token is returned too, so that no compiler drops the text branch's last layer and head as unused
        text_nxt = text_logits.argmax(-1, keepdim=True) if text_logits is not None else None
        return nxt, logits, text_nxt

    @torch.no_grad()
    def prefill(self, text_ids, audio_ids):
        T = text_ids.shape[1]
        pos = torch.arange(T, device=text_ids.device)
        logits, _ = self.m(text_ids, audio_ids, pos, self._attend_prefill)
        self.pos_buf.fill_(T)
        return logits.argmax(-1, keepdim=True), logits



class GraphedCFM:
    """The decoder's CFM loop (cfm_steps x estimator) captured in one CUDA graph per input length, replayed after.

    The chunk plan fixes the lengths, so the warm-up request captures every graph the timed requests replay."""

    def __init__(self, fn):
        self.fn, self.graphs = fn, {}
        self.pool = torch.cuda.graph_pool_handle()

    def __call__(self, mu, spks, cond):
        key = tuple(mu.shape)
        if key not in self.graphs:
            ins = [t.clone() for t in (mu, spks, cond)]
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                self.fn(*ins)
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g, pool=self.pool):
                out = self.fn(*ins)
            self.graphs[key] = (g, ins, out)
        g, ins, out = self.graphs[key]
        for dst, src in zip(ins, (mu, spks, cond)):
            dst.copy_(src)
        g.replay()
        return out.clone()


def decoder_runner(name: str, decoder):
    """eager: the plain loop; static: CUDA graphs of the CFM loop; compile: the compiled estimator, graphed."""
    if name == "eager" or not torch.cuda.is_available() or next(decoder.parameters()).device.type != "cuda":
        if name == "compile":
            est = torch.compile(decoder.estimator, dynamic=True)
            return lambda mu, spks, cond: _cfm_with(decoder, est, mu, spks, cond)
        return None
    if name == "compile":
        est = torch.compile(decoder.estimator, dynamic=True)
        return GraphedCFM(lambda mu, spks, cond: _cfm_with(decoder, est, mu, spks, cond))
    return GraphedCFM(decoder.cfm)


def _cfm_with(decoder, estimator, mu, spks, cond):
    saved = decoder.estimator
    try:
        decoder.__dict__["_modules"]["estimator"] = estimator
        return decoder.cfm(mu, spks, cond)
    finally:
        decoder.__dict__["_modules"]["estimator"] = saved


def tensorrt_status() -> tuple:
    """(one readable line, the full reason) for why TensorRT / TensorRT-LLM is not run here (never silently skipped),
    with envcheck's own reading of the failure: `explain` for a loader error, `recommend` for what would install."""
    errors, kinds = [], []
    for mod in ("tensorrt_llm", "tensorrt"):
        try:
            importlib.import_module(mod)
        except Exception as exc:           # ImportError, or a loader error such as a missing libcublasLt
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
            kinds.append("not installed" if isinstance(exc, ModuleNotFoundError) else "fails to load")
            continue
        why = (f"{mod} is importable, but this stub has no engine definition for MOSS-Speech's split "
               "shared/speech/text layers yet; not run")
        return why, why
    why = f"tensorrt_llm not loadable in this interpreter ({errors[0]}); tensorrt not loadable either ({errors[1]})"
    view, best = envcheck_view(" ".join(errors))
    state = kinds[0] if kinds[0] == kinds[1] else f"{kinds[0]} / {kinds[1]}"
    summary = f"tensorrt-llm {state}; {best} (-v: why)"
    return summary, why + view


def envcheck_view(message: str) -> tuple:
    """What envcheck's scan, explain and recommend say about a TensorRT(-LLM) import failure on this machine:
    (the full text to append, a short phrase for the table)."""
    try:
        from envcheck.explain import explain
        from envcheck.matrix.load import load_matrix
        from envcheck.app.inputs import Inputs
        from envcheck.recommend import installable, recommend

        env, _ = Inputs().environment()
        matrix = load_matrix()
        said = [f"envcheck explain: {e.title}: {e.cause}" for e in explain(message, env, matrix)]
        best = installable(recommend(env, matrix, "tensorrt-llm"), allow_risky=True)
        if best is not None:
            short = f"envcheck recommend: {best.kind} {best.version} would install here"
            said.append(f"envcheck recommend --target tensorrt-llm: #{best.rank} {best.kind} {best.version} "
                        f"({best.status}) would install here")
        else:
            short = "no install path on this machine (envcheck recommend)"
            said.append("envcheck recommend --target tensorrt-llm: no install path works on this machine")
        return "; " + "; ".join(said), short
    except Exception as exc:  # the bench must not fail because the diagnosis did
        return f"; (envcheck could not diagnose it: {type(exc).__name__}: {exc})", "envcheck could not diagnose it"


def make_engine(name: str, model, max_len: int, tokenizer=None, decoder=None):
    if name.startswith("fused"):
        from envcheck.bench.fused import FusedEngine

        e = FusedEngine(name, model, max_len, tokenizer=tokenizer, decoder=decoder)
        e.capture()
        return e
    if name == "eager":
        return EagerEngine(model, max_len)
    if name == "static":
        e = StaticEngine(model, max_len)
        e.capture()
        return e
    if name == "compile":
        e = StaticEngine(model, max_len, compile_step=True)
        e.capture()
        return e
    raise ValueError(name)
