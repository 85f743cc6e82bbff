"""The MOSS-Speech stub in PyTorch: random weights, the real shapes (envcheck/bench/spec.py says where each comes from).

Imported only by the bench command, never by the core CLI.
  SpeechTokenizer  Whisper-VQ: conv front end, causal pre-LN encoder layers, avg-pool x4, nearest-codebook ids
  Backbone         Qwen3-style layers: 32 shared, then a 4-layer speech branch and a 4-layer text branch, two heads
  AudioDecoder     CosyVoice2-style flow (token embedding, transformer encoder, x4 upsample, CFM estimator run
                   cfm_steps times with CFG) and a HiFT-style vocoder (transposed convs, resblocks, iSTFT)
Simplifications (cost-neutral to within a few %, stated so nobody mistakes them for the real model): relative
positional encodings of the flow encoder replaced by none; HiFT's neural source-filter branch left out; the flow's
pre-lookahead conv and the estimator's down/upsampling convs kept at stride 1.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from envcheck.bench.spec import BackboneSpec, DecoderSpec, TokenizerSpec


# ----------------------------------------------------------------------------------------------- backbone
class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        if hasattr(F, "rms_norm"):                   # one fused kernel where torch has it (>= 2.4)
            return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * self.weight


def rotate(x, cos, sin):
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class DecoderLayer(nn.Module):
    def __init__(self, b: BackboneSpec):
        super().__init__()
        h, hd = b.hidden, b.head_dim
        self.nh, self.nkv, self.hd = b.heads, b.kv_heads, hd
        # q_proj, k_proj, v_proj stored as one [q; k; v] matrix, gate_proj and up_proj as one [gate; up]:
        # the same parameters and bytes, read by one GEMV each instead of three and two
        self.qkv_proj = nn.Linear(h, (b.heads + 2 * b.kv_heads) * hd, bias=False)
        self.splits = (b.heads * hd, b.kv_heads * hd, b.kv_heads * hd)
        self.o_proj = nn.Linear(b.heads * hd, h, bias=False)
        self.q_norm, self.k_norm = RMSNorm(hd, b.rms_eps), RMSNorm(hd, b.rms_eps)
        self.input_layernorm, self.post_attention_layernorm = RMSNorm(h, b.rms_eps), RMSNorm(h, b.rms_eps)
        self.gate_up_proj = nn.Linear(h, 2 * b.intermediate, bias=False)
        self.down_proj = nn.Linear(b.intermediate, h, bias=False)

    def qkv(self, x, cos, sin):
        B, T, _ = x.shape
        q, k, v = self.qkv_proj(self.input_layernorm(x)).split(self.splits, dim=-1)
        q = self.q_norm(q.view(B, T, self.nh, self.hd)).transpose(1, 2)
        k = self.k_norm(k.view(B, T, self.nkv, self.hd)).transpose(1, 2)
        v = v.view(B, T, self.nkv, self.hd).transpose(1, 2)
        qk = rotate(torch.cat((q, k), dim=1), cos, sin)
        return qk[:, : self.nh], qk[:, self.nh:], v

    def finish(self, x, attn):
        B, _, T, _ = attn.shape
        x = x + self.o_proj(attn.transpose(1, 2).reshape(B, T, self.nh * self.hd))
        h = self.post_attention_layernorm(x)
        g, u = self.gate_up_proj(h).chunk(2, dim=-1)
        return x + self.down_proj(F.silu(g) * u)


def sdpa(q, k, v, mask=None, causal=False):
    if k.shape[1] != q.shape[1]:                  # grouped-query attention
        rep = q.shape[1] // k.shape[1]
        try:
            return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal, enable_gqa=True)
        except TypeError:                         # torch < 2.5
            k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)


def decode_attention(q, k, v, mask):
    """One query position against a pre-allocated cache: grouped heads share K/V without copying it."""
    B, H, _, D = q.shape
    G = k.shape[1]
    qg = q.view(B, G, H // G, D)
    s = torch.matmul(qg, k.transpose(-1, -2)) * (D ** -0.5)
    s = s.masked_fill(~mask, float("-inf")).softmax(-1, dtype=torch.float32).to(q.dtype)
    return torch.matmul(s, v).view(B, H, 1, D)


class Backbone(nn.Module):
    """Layer order in caches: shared[0..S), speech branch [S..S+M), text branch [S+M..S+2M)."""

    def __init__(self, b: BackboneSpec, max_pos: int):
        super().__init__()
        self.spec = b
        self.embed_tokens = nn.Embedding(b.text_vocab, b.hidden)
        self.audio_embed = nn.Embedding(b.audio_vocab, b.hidden)
        self.shared = nn.ModuleList(DecoderLayer(b) for _ in range(b.shared_layers))
        self.audio_block = nn.ModuleList(DecoderLayer(b) for _ in range(b.modality_layers))
        self.text_block = nn.ModuleList(DecoderLayer(b) for _ in range(b.modality_layers))
        self.audio_norm, self.text_norm = RMSNorm(b.hidden, b.rms_eps), RMSNorm(b.hidden, b.rms_eps)
        self.audio_lm_head = nn.Linear(b.hidden, b.audio_vocab, bias=False)
        self.text_lm_head = nn.Linear(b.hidden, b.text_vocab, bias=False)
        inv = 1.0 / (b.rope_theta ** (torch.arange(0, b.head_dim, 2, dtype=torch.float32) / b.head_dim))
        ang = torch.outer(torch.arange(max_pos, dtype=torch.float32), inv)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def layers(self):
        out = list(self.shared) + list(self.audio_block)
        return out + list(self.text_block) if self.spec.run_text_branch else out

    def forward(self, text_ids, audio_ids, pos, attend, run_layer=None):
        """pos: LongTensor [T] of positions; attend(i, q, k, v) -> attention output for layer slot i.
        run_layer(i, layer, x, cos, sin), where given, runs a whole layer instead (a backend's compiled one)."""
        x = self.embed_tokens(text_ids) + self.audio_embed(audio_ids)
        cos = self.cos.index_select(0, pos).to(x.dtype)[None, None]
        sin = self.sin.index_select(0, pos).to(x.dtype)[None, None]
        S, M = self.spec.shared_layers, self.spec.modality_layers
        if run_layer is None:
            def run_layer(i, layer, x, cos, sin):
                return layer.finish(x, attend(i, *layer.qkv(x, cos, sin)))
        for i, layer in enumerate(self.shared):
            x = run_layer(i, layer, x, cos, sin)
        a = x
        for j, layer in enumerate(self.audio_block):
            a = run_layer(S + j, layer, a, cos, sin)
        audio_logits = self.audio_lm_head(self.audio_norm(a[:, -1:]))[:, 0]
        text_logits = None
        if self.spec.run_text_branch:
            t = x
            for j, layer in enumerate(self.text_block):
                t = run_layer(S + M + j, layer, t, cos, sin)
            text_logits = self.text_lm_head(self.text_norm(t[:, -1:]))[:, 0]
        return audio_logits, text_logits


# ----------------------------------------------------------------------------------------------- tokenizer
class EncoderLayer(nn.Module):
    """Pre-LN transformer block with biased projections (Whisper / conformer-without-conv style)."""

    def __init__(self, d: int, heads: int, ff: int, inner: int | None = None):
        super().__init__()
        inner = inner or d
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * inner)
        self.out = nn.Linear(inner, d)
        self.fc1, self.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x, causal=False):
        B, T, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=causal).transpose(1, 2).reshape(B, T, -1)
        x = x + self.out(a)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


def run_encoder_layer(layer, x):
    """One tokenizer layer (causal): SpeechTokenizer's own, and what a backend compiles."""
    return layer(x, causal=True)


class SpeechTokenizer(nn.Module):
    def __init__(self, t: TokenizerSpec):
        super().__init__()
        self.spec = t
        self.conv1 = nn.Conv1d(t.mel_bins, t.d_model, 3, padding=1)
        self.conv2 = nn.Conv1d(t.d_model, t.d_model, 3, stride=2, padding=1)
        self.layers = nn.ModuleList(EncoderLayer(t.d_model, t.heads, t.ffn) for _ in range(t.layers))
        self.codebook = nn.Embedding(t.codebook, t.d_model)

    def forward(self, mel, run_layer=None):          # mel [B, mel_bins, frames] -> ids [B, frames / 8]
        """run_layer(layer, x), where given, runs each encoder layer instead (a backend's compiled one)."""
        x = F.gelu(self.conv2(F.gelu(self.conv1(mel)))).transpose(1, 2)
        T, d = x.shape[1], x.shape[2]
        pe = torch.arange(T, device=x.device, dtype=torch.float32)[:, None] * torch.exp(
            torch.arange(0, d, 2, device=x.device, dtype=torch.float32) * (-math.log(10000.0) / d))
        x = x + torch.cat((pe.sin(), pe.cos()), dim=-1).to(x.dtype)
        for layer in self.layers:
            x = (run_layer or run_encoder_layer)(layer, x)
        x = F.avg_pool1d(x.transpose(1, 2), self.spec.pool).transpose(1, 2)
        cb = self.codebook.weight
        dist = (cb.float() ** 2).sum(-1) - 2.0 * (x @ cb.t()).float()
        return dist.argmin(-1)


# ----------------------------------------------------------------------------------------------- decoder
class ResBlock1D(nn.Module):
    def __init__(self, cin: int, cout: int, temb: int):
        super().__init__()
        self.c1, self.c2 = nn.Conv1d(cin, cout, 3, padding=1), nn.Conv1d(cout, cout, 3, padding=1)
        self.n1, self.n2 = nn.GroupNorm(8, cout), nn.GroupNorm(8, cout)
        self.t = nn.Linear(temb, cout)
        self.skip = nn.Conv1d(cin, cout, 1)

    def forward(self, x, t):
        h = F.mish(self.n1(self.c1(x))) + self.t(F.mish(t))[:, :, None]
        return F.mish(self.n2(self.c2(h))) + self.skip(x)


class Estimator(nn.Module):
    """CosyVoice2 ConditionalDecoder layout: 2 down, N mid, 2 up blocks; each a resnet + k transformer blocks."""

    def __init__(self, d: DecoderSpec):
        super().__init__()
        c, temb = d.est_channels, 4 * d.est_channels
        inner = d.est_heads * d.est_head_dim
        self.time = nn.Sequential(nn.Linear(c, temb), nn.SiLU(), nn.Linear(temb, temb))
        cin = 4 * d.mel_bins                        # x, mu, speaker, prompt-mel condition
        def block(a, b):
            return nn.ModuleList([ResBlock1D(a, b, temb)] +
                                 [EncoderLayer(b, d.est_heads, 4 * b, inner) for _ in range(d.est_tf_per_block)])
        self.down = nn.ModuleList([block(cin, c), block(c, c)])
        self.mid = nn.ModuleList([block(c, c) for _ in range(d.est_mid_blocks)])
        self.up = nn.ModuleList([block(2 * c, c), block(2 * c, c)])
        self.final = nn.Conv1d(c, d.mel_bins, 1)
        self.c = c

    @staticmethod
    def _run(blk, x, t):
        x = blk[0](x, t).transpose(1, 2)
        for tf in blk[1:]:
            x = tf(x)
        return x.transpose(1, 2)

    def forward(self, x, t):
        half = self.c // 2
        f = torch.exp(torch.arange(half, device=x.device, dtype=torch.float32) * (-math.log(10000.0) / half))
        te = (1000.0 * t.float()[:, None]) * f[None]
        t = self.time(torch.cat((te.sin(), te.cos()), dim=-1).to(x.dtype))
        skips = []
        for blk in self.down:
            x = self._run(blk, x, t)
            skips.append(x)
        for blk in self.mid:
            x = self._run(blk, x, t)
        for blk in self.up:
            x = self._run(blk, torch.cat((x, skips.pop()), dim=1), t)
        return self.final(x)


class HiFT(nn.Module):
    def __init__(self, d: DecoderSpec):
        super().__init__()
        c = d.hift_channels
        self.pre = nn.Conv1d(d.mel_bins, c, 7, padding=3)
        self.ups, self.res = nn.ModuleList(), nn.ModuleList()
        for r in d.upsample_rates:
            self.ups.append(nn.ConvTranspose1d(c, c // 2, 2 * r, stride=r, padding=r // 2))
            c //= 2
            self.res.append(nn.ModuleList(
                nn.ModuleList(nn.Conv1d(c, c, k, dilation=dl, padding=dl * (k - 1) // 2) for dl in (1, 3, 5))
                for k in d.resblock_kernels))
        self.post = nn.Conv1d(c, d.istft_nfft + 2, 7, padding=3)
        self.nfft, self.hop = d.istft_nfft, d.istft_hop
        self.register_buffer("window", torch.hann_window(d.istft_nfft), persistent=False)
        self.samples_per_frame = math.prod(d.upsample_rates) * d.istft_hop

    def forward(self, mel):                          # [B, 80, F] -> [B, F * samples_per_frame]
        return self.synth(self.frames(mel), mel.shape[-1])

    def frames(self, mel):
        """Everything up to the iSTFT's input (CUDA-graph safe: torch.istft checks its window on the host)."""
        x = self.pre(mel)
        for up, group in zip(self.ups, self.res):
            x = up(F.leaky_relu(x, 0.1))
            x = sum(self._res(x, convs) for convs in group) / len(group)
        return self.post(F.leaky_relu(x)).float()

    def synth(self, x, mel_frames: int):
        n = self.nfft // 2 + 1
        spec = torch.polar(torch.exp(x[:, :n]).clamp(max=1e2), torch.sin(x[:, n:]) * math.pi)
        length = mel_frames * self.samples_per_frame
        return torch.istft(spec, self.nfft, self.hop, self.nfft, window=self.window, center=True, length=length)

    @staticmethod
    def _res(x, convs):
        for conv in convs:
            x = x + conv(F.leaky_relu(x, 0.1))
        return x


NOISE_FRAMES = 50 * 300                           # CosyVoice2 CausalConditionalCFM.rand_noise: [1, 80, 50 * 300]


class AudioDecoder(nn.Module):
    def __init__(self, d: DecoderSpec):
        super().__init__()
        self.spec = d
        self.input_embedding = nn.Embedding(d.codes, d.input_size)
        self.encoder = nn.ModuleList(EncoderLayer(d.input_size, d.enc_heads, d.enc_ff) for _ in range(d.enc_blocks))
        self.up_layer = nn.Conv1d(d.input_size, d.input_size, 5, padding=2)
        self.up_encoder = nn.ModuleList(EncoderLayer(d.input_size, d.enc_heads, d.enc_ff) for _ in range(d.up_blocks))
        self.encoder_proj = nn.Linear(d.input_size, d.mel_bins)
        self.spk = nn.Linear(192, d.mel_bins)
        self.estimator = Estimator(d)
        self.hift = HiFT(d)
        self.cfm_runner = None                    # a backend may replace the CFM loop (CUDA graph, compiled)
        # CosyVoice2's streaming flow starts the ODE from one fixed noise tensor (50 Hz x 300 s), sliced per call:
        # the audio of a chunk is a function of the codes alone, so every backend's audio can be checked
        noise = torch.randn(1, d.mel_bins, NOISE_FRAMES, generator=torch.Generator().manual_seed(1234), device="cpu")
        self.register_buffer("noise", noise.to(self.input_embedding.weight.device), persistent=False)

    def forward(self, codes, spk, prompt_mel, new_from: int, new_to: int, left_ctx: int = 8):
        """codes [1, N] (voice prompt + generated so far); returns the waveform of mel frames [new_from, new_to)."""
        x = self.flow(codes, spk, prompt_mel, new_from, new_to, left_ctx)
        return self.new_audio(self.hift(x), new_from, left_ctx)

    def new_audio(self, wave, new_from: int, left_ctx: int = 8):
        """Drop the left-context frames the vocoder ran over: the new audio only."""
        lo = max(new_from - left_ctx, 0)
        return wave[:, (new_from - lo) * self.hift.samples_per_frame:]

    def flow(self, codes, spk, prompt_mel, new_from: int, new_to: int, left_ctx: int = 8):
        """The mel frames [new_from - left_ctx, new_to) the vocoder needs: flow encoder, then the CFM loop."""
        d = self.spec
        h = self.input_embedding(codes % d.codes)
        for layer in self.encoder:
            h = layer(h)
        h = self.up_layer(h.repeat_interleave(d.mel_per_code, dim=1).transpose(1, 2)).transpose(1, 2)
        for layer in self.up_encoder:
            h = layer(h)
        mu = self.encoder_proj(h).transpose(1, 2)                     # [1, 80, F]
        Fr = mu.shape[-1]
        cond = torch.zeros_like(mu)
        cond[:, :, : prompt_mel.shape[-1]] = prompt_mel
        spks = self.spk(spk)[:, :, None].expand(-1, -1, Fr).contiguous()
        x = (self.cfm_runner or self.cfm)(mu, spks, cond)
        lo = max(new_from - left_ctx, 0)
        return x[:, :, lo:new_to]

    def cfm(self, mu, spks, cond):
        """Euler steps of the conditional flow matching ODE, classifier-free guidance as a batch of 2."""
        d = self.spec
        x = self.noise[:, :, :mu.shape[-1]].to(mu.dtype)
        dt = 1.0 / d.cfm_steps
        for i in range(d.cfm_steps):
            t = torch.full((2 if d.cfg else 1,), i * dt, device=mu.device, dtype=mu.dtype)
            if d.cfg:
                inp = torch.cat((torch.cat((x, mu, spks, cond), 1), torch.cat((x, torch.zeros_like(mu), torch.zeros_like(spks), torch.zeros_like(cond)), 1)), 0)
                v, vu = self.estimator(inp, t).chunk(2, 0)
                v = 1.7 * v - 0.7 * vu
            else:
                v = self.estimator(torch.cat((x, mu, spks, cond), 1), t)
            x = x + dt * v
        return x


def init_random_(module: nn.Module, seed: int = 0) -> nn.Module:
    """Deterministic random weights (std 0.02, norms at 1): real data, never zeros."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 1 and ("norm" in name or name.endswith("ln1.weight") or name.endswith("ln2.weight")
                                 or name.split(".")[-2].startswith("n")):
                if name.endswith("weight"):
                    p.fill_(1.0)
                    continue
            if p.device.type == "cpu":
                p.normal_(0.0, 0.02, generator=g)
            else:
                p.normal_(0.0, 0.02)
    return module
