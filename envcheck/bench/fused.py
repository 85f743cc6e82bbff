"""The `fused` backend: every stage of a request aimed at the hardware floor (envcheck/bench/floor.py).

decode step  one CUDA graph, no host work: 32 shared layers, then the speech and the text branch run together as a
             batch of 2 (their weights stacked, layer j of each branch read by one batched GEMV; the model's own
             parameters become views of the stack, so no byte is duplicated), both final norms, both heads and the
             greedy sampling of both, all on the GPU; traced by torch.compile (Inductor: RMSNorm/RoPE/residual/SiLU
             fused into few kernels; Inductor's default mode unless ENVCHECK_BENCH_FUSED_MODE names another:
             max-autotune-no-cudagraphs autotuned each layer's attention products apart, 40 x 2 x ~4.7 s on the
             H200, over the 10-minute limit of a device call) and captured by hand in one CUDA graph.
             Attention: one query against the pre-allocated cache, grouped heads sharing K/V without a copy, the
             mask, softmax and both products in the compiled graph; the cache is read once per layer.
prefill      the model's own layers (SDPA flash/causal, exact prompt length, no padding), compiled one layer at a
             time (prefill_layer(): every layer is the same code, so one trace serves all 40), captured in a CUDA
             graph per prompt length.
tokenizer    its encoder layers compiled the same way (encoder_layer()), captured in a CUDA graph per mel length.
decoder      each call (flow encoder, CFM loop, vocoder) captured whole in one CUDA graph per chunk shape (the first
             chunk's and each later length: the chunk plan fixes them, the first request captures them); inside,
             the CFM estimator's blocks compiled by torch.compile once per block shape (flowfast.FastBlock: static at
             the first chunk's length, dynamic for the others), CFG as a batch of 2, ten steps with no host round
             trip.
weights      `fused-int8` / `fused-fp8`: the decode step's matrices (layers and both heads) stored weight-only in
             int8 / float8_e4m3fn with one bf16 scale per output row; each GEMV written as a multiply-and-sum that
             Inductor turns into one reduction kernel reading the narrow weights and dequantizing in registers;
             prefill, tokenizer and decoder stay in the run's dtype.
On the CPU there is no CUDA graph and no compile (Inductor's C++ build takes minutes on a small machine): the same
branch-batched step and the same CFM loop run eagerly, which is what the CPU tests check against eager.
"""
from __future__ import annotations

import functools
import os

import torch
import torch.nn.functional as F

from envcheck.bench.flowfast import FastCFM
from envcheck.bench.graphed import GraphedStep
from envcheck.bench.model import decode_attention, run_encoder_layer, sdpa

QUANT = {"fused": None, "fused-int8": "int8", "fused-fp8": "fp8"}
DEFAULT_MODE = "default"


def compile_mode() -> str:
    return os.environ.get("ENVCHECK_BENCH_FUSED_MODE", DEFAULT_MODE)


def quantize(w: torch.Tensor, kind: str):
    """Weight-only, one scale per output row (the last-but-one axis): returns (q, scale)."""
    wf = w.float()
    amax = wf.abs().amax(dim=-1).clamp_min(1e-12)
    if kind == "int8":
        s = amax / 127.0
        q = torch.round(wf / s.unsqueeze(-1)).clamp(-127, 127).to(torch.int8)
    elif kind == "fp8":
        s = amax / 448.0                                    # float8_e4m3fn's largest finite value
        q = (wf / s.unsqueeze(-1)).to(torch.float8_e4m3fn)
    else:
        raise ValueError(kind)
    return q, s.to(w.dtype)


def lin(x, w):
    """x [..., in] times w [..., out, in]^T; w may be (q, scale) for weight-only quantized matrices."""
    if isinstance(w, tuple):                 # one row of x (decode): a reduction over `in`, fp32 accumulation
        q, s = w
        y = (x.float().unsqueeze(-2) * q.float().unsqueeze(-3)).sum(-1)
        return (y * s.float().unsqueeze(-2)).to(x.dtype)
    return torch.matmul(x, w.transpose(-1, -2))


def rms(x, w, eps):
    return F.rms_norm(x, (x.shape[-1],), None, eps) * w


def rope(x, cos, sin):
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class LayerW:
    """One layer's weights for the fused step; for a branch pair every tensor has a leading axis of 2."""

    def __init__(self, layers, quant):
        def stack(get):
            ts = [get(layer) for layer in layers]
            return ts[0] if len(ts) == 1 else torch.stack(ts)

        mats = {}
        for name in ("qkv_proj", "o_proj", "gate_up_proj", "down_proj"):
            w = stack(lambda layer: getattr(layer, name).weight.data)
            if len(layers) > 1 and quant is None:             # the modules read views of the stack: no copy kept
                for i, layer in enumerate(layers):
                    getattr(layer, name).weight.data = w[i]
            mats[name] = quantize(w, quant) if quant else w
        self.qkv, self.o, self.gate_up, self.down = (mats[n] for n in ("qkv_proj", "o_proj", "gate_up_proj", "down_proj"))
        b = len(layers) > 1
        self.ln1 = stack(lambda layer: layer.input_layernorm.weight.data)
        self.ln2 = stack(lambda layer: layer.post_attention_layernorm.weight.data)
        self.qn = stack(lambda layer: layer.q_norm.weight.data)
        self.kn = stack(lambda layer: layer.k_norm.weight.data)
        if b:                                                  # broadcast over [2, 1, ...]
            self.ln1, self.ln2 = self.ln1[:, None], self.ln2[:, None]
            self.qn, self.kn = self.qn[:, None, None], self.kn[:, None, None]


class FusedEngine(GraphedStep):
    """Same interface as the other engines: reset(), prefill(text, audio), step(tok), plus tokenize / decode_audio."""

    def __init__(self, name, model, max_len, tokenizer=None, decoder=None):
        self.name, self.m, self.max_len = name, model, max_len
        quant = QUANT[name]
        p = next(model.parameters())
        self.dev, self.dt = p.device, p.dtype
        self.cuda = p.device.type == "cuda"
        self.graphed = self.cuda
        b = model.spec
        self.S, self.M, self.eps = b.shared_layers, b.modality_layers, b.rms_eps
        self.H, self.G, self.D = b.heads, b.kv_heads, b.head_dim
        if not b.run_text_branch:
            raise ValueError("the fused step runs both branches; this spec has no text branch")
        with torch.no_grad():
            self.shared = [LayerW([layer], quant) for layer in model.shared]
            self.branch = [LayerW([a, t], quant) for a, t in zip(model.audio_block, model.text_block)]
            self.audio_head = quantize(model.audio_lm_head.weight.data, quant) if quant else model.audio_lm_head.weight
            self.text_head = quantize(model.text_lm_head.weight.data, quant) if quant else model.text_lm_head.weight
        self.quant = quant
        kw = dict(dtype=self.dt, device=self.dev)
        self.kc = torch.zeros(self.S, 1, self.G, max_len, self.D, **kw)
        self.vc = torch.zeros_like(self.kc)
        self.kb = torch.zeros(self.M, 2, self.G, max_len, self.D, **kw)
        self.vb = torch.zeros_like(self.kb)
        self.pos_buf = torch.zeros(1, dtype=torch.long, device=self.dev)
        self.tok_in = torch.zeros(1, 1, dtype=torch.long, device=self.dev)
        self.text_in = torch.full((1, 1), b.text_pad_id, dtype=torch.long, device=self.dev)
        self.ar = torch.arange(max_len, device=self.dev)
        self.fn = self._step
        self.mode = None
        if self.cuda:                 # compiled region by region, captured whole in one CUDA graph (capture())
            self.mode = compile_mode()
            self.fn = self._compiled_step
        self.graph, self.out = None, None
        self.prefill_graphs = None
        if self.cuda:                 # compiled layer by layer, then one CUDA graph per prompt length
            self.prefill_graphs = ShapeGraphs(self._prefill_compiled, self._prefill_eager)
        self.tokenize = None
        if self.cuda and tokenizer is not None:
            self.tokenize = shared(tokenizer, lambda: ShapeGraphs(lambda mel: tokenizer(mel, encoder_layer()), tokenizer))
        self.decode_audio = None
        if decoder is not None:                          # fused, fused-int8 and fused-fp8 share these graphs
            decoder.cfm_runner = shared(("cfm", decoder, self.cuda), lambda: FastCFM(decoder, compiled=self.cuda))
            if self.cuda:
                self.decode_audio = shared(decoder, lambda: GraphedDecoder(decoder))

    # -------------------------------------------------------------- caches
    def _slot(self, i):
        if i < self.S:
            return self.kc[i], self.vc[i]
        j = i - self.S
        return self.kb[j % self.M, j // self.M:j // self.M + 1], self.vb[j % self.M, j // self.M:j // self.M + 1]

    def _attend_prefill(self, i, q, k, v):
        return _attend_into(*self._slot(i), q, k, v)

    def reset(self):
        self.pos_buf.zero_()

    # -------------------------------------------------------------- the step
    def weights(self, w: LayerW) -> tuple:
        return (w.ln1, w.qkv, w.qn, w.kn, w.o, w.ln2, w.gate_up, w.down)

    def _step(self, head=None, layer=None, tail=None):
        """One decode step from the buffers: head (embeddings, RoPE row, mask), the 40 layers, tail (norms, heads,
        greedy picks, position + 1). On a GPU each part is a compiled region (step_regions()); here or on the CPU
        the same functions run as written."""
        head, layer, tail = head or _step_head, layer or _step_layer, tail or _step_tail
        m, dims = self.m, (self.H, self.G, self.D, self.eps)
        x, d, cos, sin, mask = head(self.text_in, self.tok_in, m.embed_tokens.weight, m.audio_embed.weight,
                                    m.cos, m.sin, self.ar, self.pos_buf)
        for i, w in enumerate(self.shared):
            x, d = layer(x, d, self.weights(w), self.kc[i], self.vc[i], cos, sin, mask, self.pos_buf, dims)
        x, d = x.expand(2, -1, -1), d.expand(2, -1, -1)                 # [speech; text]
        for j, w in enumerate(self.branch):
            x, d = layer(x, d, self.weights(w), self.kb[j], self.vb[j], cos, sin, mask, self.pos_buf, dims)
        return tail(x, d, m.audio_norm.weight, m.text_norm.weight, self.audio_head, self.text_head, self.pos_buf,
                    self.eps)

    def _compiled_step(self):
        return self._step(*step_regions(self.mode))

    # -------------------------------------------------------------- engine interface
    def _prefill_eager(self, text_ids, audio_ids, run_layer=None):
        T = text_ids.shape[1]
        pos = torch.arange(T, device=text_ids.device)
        logits, text_logits = self.m(text_ids, audio_ids, pos, self._attend_prefill, run_layer)
        return logits.argmax(-1, keepdim=True), logits

    def _prefill_compiled(self, text_ids, audio_ids):
        run = prefill_layer()
        return self._prefill_eager(text_ids, audio_ids,
                                   lambda i, layer, x, cos, sin: run(layer, x, cos, sin, *self._slot(i)))

    @torch.no_grad()
    def prefill(self, text_ids, audio_ids):
        fn = self.prefill_graphs or self._prefill_eager
        nxt, logits = fn(text_ids, audio_ids)
        self.pos_buf.fill_(text_ids.shape[1])
        return nxt, logits

    def release(self):
        """Drop the engine's own tensors (quantized copies, caches, graph): torch.compile's cache keeps a reference
        to the engine, so `del` alone would leave them allocated for the next backend."""
        self.graph = self.out = None
        self.shared = self.branch = self.audio_head = self.text_head = None
        self.kc = self.vc = self.kb = self.vb = None
        self.prefill_graphs = None


def _step_head(text_in, tok_in, text_emb, audio_emb, cos_t, sin_t, ar, pos):
    """The step's inputs: both embeddings (added by the first layer), the position's RoPE row, the causal mask."""
    x = F.embedding(text_in, text_emb)
    d = F.embedding(tok_in, audio_emb)
    cos = cos_t.index_select(0, pos).to(x.dtype)[:, None]       # [1, 1, D] against [B, 1, heads, D]
    sin = sin_t.index_select(0, pos).to(x.dtype)[:, None]
    return x, d, cos, sin, (ar <= pos)[None, None, None, :]


def _step_layer(x, d, w, kc, vc, cos, sin, mask, pos, dims):
    """One layer of the decode step. The residual stream arrives as x + d and leaves as (x, d): the last addition
    is the next layer's first, fused with its RMSNorm (one kernel, as when the step is compiled whole)."""
    H, G, D, eps = dims
    ln1, wqkv, qn, kn, wo, ln2, gate_up, down = w
    B = x.shape[0]
    x = x + d
    qkv = lin(rms(x, ln1, eps), wqkv)                                 # [B, 1, (H + 2G) D]
    q, k, v = qkv.split((H * D, G * D, G * D), dim=-1)
    q = rope(rms(q.view(B, 1, H, D), qn, eps), cos, sin)
    k = rope(rms(k.view(B, 1, G, D), kn, eps), cos, sin)
    kc.index_copy_(2, pos, k.transpose(1, 2))
    vc.index_copy_(2, pos, v.view(B, 1, G, D).transpose(1, 2))
    a = decode_attention(q.transpose(1, 2), kc, vc, mask)            # [B, H, 1, D]
    x = x + lin(a.transpose(1, 2).reshape(B, 1, H * D), wo)
    g, u = lin(rms(x, ln2, eps), gate_up).chunk(2, dim=-1)
    return x, lin(F.silu(g) * u, down)


def _step_tail(x, d, audio_norm, text_norm, audio_head, text_head, pos, eps):
    """Both final norms and heads, the greedy pick of each, the position moved on."""
    x = x + d
    audio_logits = lin(rms(x[0:1, -1], audio_norm, eps), audio_head)    # [1, Va]
    text_logits = lin(rms(x[1:2, -1], text_norm, eps), text_head)       # [1, Vt]
    pos.add_(1)
    return audio_logits.argmax(-1, keepdim=True), audio_logits, text_logits.argmax(-1, keepdim=True)


@functools.lru_cache(maxsize=None)
def step_regions(mode):
    """The decode step's compiled regions: a layer (one trace per batch shape and weight kind: the 40 layers share
    it), the head and the tail. Whole, the step was one 40-layer graph that Dynamo read again in every process."""
    def region(fn):
        return torch.compile(fn, fullgraph=True, dynamic=False, mode=mode)
    return region(_step_head), region(_step_layer), region(_step_tail)


def _attend_into(kc, vc, q, k, v):
    """Causal attention over the prompt, its K/V written to the layer's cache slot (kc, vc)."""
    T = k.shape[2]
    kc[:, :, :T] = k
    vc[:, :, :T] = v
    return sdpa(q, k, v, causal=True)


def _prefill_layer(layer, x, cos, sin, kc, vc):
    """One backbone layer over the prompt, its K/V written to the layer's cache slot."""
    return layer.finish(x, _attend_into(kc, vc, *layer.qkv(x, cos, sin)))


# Regional compilation: the backbone's 40 layers share one compiled layer, the tokenizer's layers another (a layer
# is an argument, its weights inputs of the graph: torch.compile traces one layer, not the whole model, in every
# process, and Inductor's cache serves the rest). Norms, RoPE, residual adds and SiLU-mul are fused inside a layer.
# Made on first use on a GPU only: torch.compile refuses some interpreters outright, and the CPU never compiles.
@functools.lru_cache(maxsize=None)
def prefill_layer():
    return torch.compile(_prefill_layer, dynamic=False)


@functools.lru_cache(maxsize=None)
def encoder_layer():
    return torch.compile(run_encoder_layer, dynamic=False)

_SHARED: dict = {}


def shared(key, make):
    """One graph set per tokenizer / decoder module for the process: the weights do not change between backends."""
    k = tuple(x if isinstance(x, (str, bool)) else id(x) for x in (key if isinstance(key, tuple) else (key,)))
    if k not in _SHARED:
        _SHARED[k] = make()
    return _SHARED[k]


class ShapeGraphs:
    """fn(*tensors, *ints) captured in one CUDA graph per (input shapes, trailing int arguments); replayed after.

    The first call at a shape runs fn once on a side stream (compiles, allocates, plans FFTs), then captures it.
    `plain`: the uncompiled function, used instead where compiling fn fails (the reason kept in `fell_back`)."""

    pool = None

    def __init__(self, fn, plain=None, static_args: int = 0):
        self.fn, self.plain, self.static_args, self.graphs = fn, plain, static_args, {}
        self.fell_back = None
        if ShapeGraphs.pool is None:
            ShapeGraphs.pool = torch.cuda.graph_pool_handle()

    def __call__(self, *args):
        n = len(args) - self.static_args
        tensors, statics = args[:n], args[n:]
        key = tuple(tuple(t.shape) for t in tensors) + tuple(statics)
        if key not in self.graphs:
            ins = [t.clone() for t in tensors]
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                self._first(ins, statics)
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g, pool=ShapeGraphs.pool):
                out = self.fn(*ins, *statics)
            self.graphs[key] = (g, ins, out)
        g, ins, out = self.graphs[key]
        for dst, src in zip(ins, tensors):
            dst.copy_(src)
        g.replay()
        if isinstance(out, tuple):
            return tuple(o.clone() for o in out)
        return out.clone()

    def _first(self, ins, statics):
        try:
            self.fn(*ins, *statics)
        except Exception as exc:          # a compile failure: the plain function, graphed all the same
            if self.plain is None:
                raise
            self.fn, self.plain = self.plain, None
            self.fell_back = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            self.fn(*ins, *statics)


class GraphedDecoder:
    """A decoder call as one CUDA graph per chunk shape (flow encoder, CFM loop, vocoder up to its iSTFT input), then
    the iSTFT outside the graph (torch.istft checks its window on the host, which a capture forbids)."""

    def __init__(self, decoder, left_ctx: int = 8):
        self.d, self.left_ctx = decoder, left_ctx
        self.graphs = ShapeGraphs(self._frames, static_args=2)

    def _frames(self, codes, spk, prompt_mel, new_from, new_to):
        return self.d.hift.frames(self.d.flow(codes, spk, prompt_mel, new_from, new_to, self.left_ctx))

    def __call__(self, codes, spk, prompt_mel, new_from, new_to):
        x = self.graphs(codes, spk, prompt_mel, new_from, new_to)
        mel_frames = new_to - max(new_from - self.left_ctx, 0)
        return self.d.new_audio(self.d.hift.synth(x, mel_frames), new_from, self.left_ctx)
