"""The `fused` backend's CFM loop: the same function as AudioDecoder.cfm (model.py), rewritten for few kernels.

The reference estimator runs in [B, C, T] and converts to [B, T, C] around each block's transformer stack; each Conv1d
goes through cuDNN with layout conversions around it, and every resnet recomputes its time projection at every
step. Here:
- everything stays in [B, T, C]: a kernel-3 Conv1d is one GEMM against its three taps side by side
  ([C_in, 3 C_out]) followed by a shifted sum (element-wise, fused by Inductor into the GroupNorm that follows);
  the resnet's 1x1 skip conv rides in the first conv's GEMM as a fourth column block;
- GroupNorm is written over [B, T, groups, C / groups] (one reduction, fused with mish and the time add);
- the time embedding and each resnet's time projection depend on the step index alone (t = i / steps): they are
  computed once from the weights, with the same ops as the reference, and indexed per step (constant folding);
- the classifier-free guidance halves share one batch of 2 (guidance and the Euler update run eagerly between
  the compiled blocks, inside the captured graph).
On a GPU each block is compiled by torch.compile, once per block shape (FastBlock), and the whole loop is captured
with the rest of the decoder call in one CUDA graph (fused.py). On the CPU it runs eagerly: what the tests check
against the reference.
"""
from __future__ import annotations

import math
import os
from typing import Optional

import torch
import torch.nn.functional as F


DEFAULT_FLOW_MODE = "default"


def flow_mode() -> str:
    """torch.compile's mode for the CFM step (ENVCHECK_BENCH_FLOW_MODE, else DEFAULT_FLOW_MODE)."""
    return os.environ.get("ENVCHECK_BENCH_FLOW_MODE", DEFAULT_FLOW_MODE)


ATTENTION = ("flash", "efficient", "cudnn", "math")


def flow_attention() -> Optional[str]:
    """The one SDPA backend the estimator's attention runs through (ENVCHECK_BENCH_FLOW_ATTENTION: flash, efficient,
    cudnn or math); None: torch's own choice."""
    name = os.environ.get("ENVCHECK_BENCH_FLOW_ATTENTION", "").strip().lower()
    return name if name in ATTENTION else None


def sdpa_backend(name: Optional[str]):
    """A context in which scaled_dot_product_attention uses that backend alone (compile and capture included)."""
    import contextlib

    if not name:
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([{"flash": SDPBackend.FLASH_ATTENTION, "efficient": SDPBackend.EFFICIENT_ATTENTION,
                         "cudnn": SDPBackend.CUDNN_ATTENTION, "math": SDPBackend.MATH}[name]])


def conv_taps(conv) -> torch.Tensor:
    """Conv1d weight [C_out, C_in, k] -> [C_in, k * C_out]: x @ taps gives every tap's product at every position."""
    w = conv.weight.detach()
    return w.permute(1, 2, 0).reshape(w.shape[1], -1).contiguous()


def shifted_sum(z, k: int, cout: int, bias):
    """z [B, T, k * C_out] (x @ conv_taps) -> the 'same'-padded convolution [B, T, C_out]: y[t] = sum_j z[t+j-k//2, j]."""
    T = z.shape[1]
    zp = F.pad(z, (0, 0, k // 2, k // 2))
    y = zp[:, 0:T, 0:cout]
    for j in range(1, k):
        y = y + zp[:, j:j + T, j * cout:(j + 1) * cout]
    return y + bias


def group_norm_btc(x, gn):
    """nn.GroupNorm over a [B, T, C] tensor (the reference's is [B, C, T]); statistics in fp32 as torch's kernel."""
    B, T, C = x.shape
    xf = x.float().view(B, T, gn.num_groups, C // gn.num_groups)
    mean = xf.mean(dim=(1, 3), keepdim=True)
    var = (xf - mean).pow(2).mean(dim=(1, 3), keepdim=True)
    y = ((xf - mean) * torch.rsqrt(var + gn.eps)).view(B, T, C)
    return (y * gn.weight.float() + gn.bias.float()).to(x.dtype)


class FastBlock(torch.nn.Module):
    """One estimator block in [B, T, C]: model.ResBlock1D as two GEMMs (the skip conv in the first; its time
    projection given), then the block's transformer layers. Every block of one shape runs this same code, so on a
    GPU it is compiled once per block shape and reused by the others (regional compilation: three shapes, not the
    sixteen blocks of a step traced whole, which Dynamo and AOTAutograd would read again in every process)."""

    def __init__(self, blk, attention: Optional[str] = None, gelu_epilogue: bool = False):
        super().__init__()
        self.attention = attention          # in the traced code: Dynamo guards on it, the compiled graph follows it
        self.gelu_epilogue = gelu_epilogue
        rb = blk[0]
        self.cout = rb.c1.out_channels
        skip = rb.skip.weight.detach()[:, :, 0].t()

        def fixed(t):
            return torch.nn.Parameter(t.detach().contiguous(), requires_grad=False)
        self.w1 = fixed(torch.cat((conv_taps(rb.c1), skip), dim=1))
        self.w2 = fixed(conv_taps(rb.c2))
        self.b1, self.b2, self.bs = fixed(rb.c1.bias), fixed(rb.c2.bias), fixed(rb.skip.bias)
        self.n1, self.n2 = rb.n1, rb.n2
        self.layers = torch.nn.ModuleList(blk[1:])

    def forward(self, x, tproj):
        c = self.cout
        z = torch.matmul(x, self.w1)
        h = F.mish(group_norm_btc(shifted_sum(z[..., :3 * c], 3, c, self.b1), self.n1)) + tproj[:, None]
        y = F.mish(group_norm_btc(shifted_sum(torch.matmul(h, self.w2), 3, c, self.b2), self.n2))
        x = y + (z[..., 3 * c:] + self.bs)
        with sdpa_backend(self.attention):
            for layer in self.layers:
                x = transformer_layer(layer, x, self.gelu_epilogue)
        return x


def transformer_layer(layer, x, gelu_epilogue: bool):
    """model.EncoderLayer's forward (non-causal). gelu_epilogue: the feed-forward's first GEMM, its bias and the GELU
    as one cuBLASLt call (torch._addmm_activation, GELU epilogue; tanh form on a GPU, the exact form on the CPU): one
    kernel fewer per layer, 640 per decoder call. Inductor leaves that op to cuBLASLt (a fallback kernel)."""
    if not gelu_epilogue:
        return layer(x)
    B, T, _ = x.shape
    q, k, v = layer.qkv(layer.ln1(x)).view(B, T, 3, layer.heads, -1).permute(2, 0, 3, 1, 4)
    a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(B, T, -1)
    x = x + layer.out(a)
    h = layer.ln2(x).reshape(B * T, -1)
    h = torch._addmm_activation(layer.fc1.bias, h, layer.fc1.weight.t(), use_gelu=True)
    return x + layer.fc2(h.view(B, T, -1))


class FastCFM:
    """decoder.cfm_runner for the fused backends: (mu, spks, cond) [1, 80, F] -> mel [1, 80, F]."""

    def __init__(self, decoder, compiled: bool, mode: Optional[str] = None, attention: Optional[str] = None,
                 gelu_epilogue: Optional[bool] = None):
        """attention: the SDPA backend of the estimator's attention (default: ENVCHECK_BENCH_FLOW_ATTENTION where
        compiled, else torch's choice); gelu_epilogue: see transformer_layer (default: where compiled)."""
        gelu_epilogue = compiled if gelu_epilogue is None else gelu_epilogue
        self.d = decoder
        est = decoder.estimator
        self.attention = (attention or flow_attention()) if compiled else attention
        self.parts = [list(est.down), list(est.mid), list(est.up)]
        self.blocks = [[FastBlock(blk, self.attention, gelu_epilogue) for blk in part] for part in self.parts]
        self.final_w = est.final.weight.detach()[:, :, 0].t().contiguous()
        self.final_b = est.final.bias.detach()
        with torch.no_grad():
            self.tproj = self._time_projections()
        self.mode = (mode or flow_mode()) if compiled else None
        self.static = _static_channels if compiled else (lambda x: x)
        if compiled:
            for part in self.blocks:
                for blk in part:
                    blk.compile(mode=self.mode)

    def _time_projections(self) -> torch.Tensor:
        """[steps, blocks, 2, C]: each resnet's t(mish(time(t_i))) at each step, as the reference computes it."""
        d, est = self.d.spec, self.d.estimator
        p = next(est.parameters())
        n = d.cfm_steps
        half = est.c // 2
        f = torch.exp(torch.arange(half, device=p.device, dtype=torch.float32) * (-math.log(10000.0) / half))
        rows = []
        for i in range(n):
            t = torch.full((2,), i * (1.0 / n), device=p.device, dtype=p.dtype)
            te = (1000.0 * t.float()[:, None]) * f[None]
            temb = est.time(torch.cat((te.sin(), te.cos()), dim=-1).to(p.dtype))
            rows.append(torch.stack([blk[0].t(F.mish(temb)) for part in self.parts for blk in part]))
        return torch.stack(rows)

    def _estimate(self, x, tproj):
        k, skips = 0, []
        for blk in self.blocks[0]:
            x = blk(self.static(x), tproj[k])
            skips.append(x)
            k += 1
        for blk in self.blocks[1]:
            x = blk(self.static(x), tproj[k])
            k += 1
        for blk in self.blocks[2]:
            x = blk(self.static(torch.cat((x, skips.pop()), dim=-1)), tproj[k])
            k += 1
        return torch.matmul(x, self.final_w) + self.final_b

    def _step(self, x, c, tproj, dt: float):
        """x [1, T, 80]; c [2, T, 240]: (mu, spks, cond) for the conditional half, zeros for the other."""
        v = self._estimate(torch.cat((x.expand(2, -1, -1), c), dim=-1), tproj)
        return x + dt * (1.7 * v[0:1] - 0.7 * v[1:2])

    def __call__(self, mu, spks, cond):
        n = self.d.spec.cfm_steps
        x = self.d.noise[:, :, :mu.shape[-1]].to(mu.dtype).transpose(1, 2)
        c = torch.cat((mu, spks, cond), dim=1)
        c = torch.cat((c, torch.zeros_like(c)), dim=0).transpose(1, 2)
        for i in range(n):
            x = self._step(x, c, self.tproj[i], 1.0 / n)
        return x.transpose(1, 2)


def _static_channels(x):
    """The channel count differs between block shapes, the length between chunks: only the length may become a
    dynamic dimension when a compiled block meets a new chunk length."""
    torch._dynamo.mark_static(x, 2)
    return x
