"""MOSS-Speech's codec shapes: the Whisper-VQ tokenizer and the CosyVoice2-style decoder, each number tagged with
its source. The tags ([CODEC], [GLMVQ], [COSY], [SGL]) are listed in envcheck/bench/spec.py, which gathers every
MOSS-Speech shape and imports these; they live in fit so that fit counts the codec without importing the bench.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenizerSpec:                   # Whisper-VQ speech tokenizer [CODEC] [GLMVQ]
    d_model: int = 1280
    heads: int = 20
    ffn: int = 5120
    layers: int = 16                   # quantize_position
    mel_bins: int = 128
    pool: int = 4
    codebook: int = 16384
    mel_rate_hz: float = 100.0         # Whisper front end: 10 ms hop; conv2 stride 2 -> 50 Hz; pool 4 -> 12.5 Hz


@dataclass(frozen=True)
class DecoderSpec:                     # CosyVoice2-style token-to-wave decoder [CODEC] [COSY] [SGL]
    codes: int = 16384
    input_size: int = 512
    enc_heads: int = 8
    enc_ff: int = 2048
    enc_blocks: int = 6
    up_blocks: int = 4
    mel_bins: int = 80
    mel_per_code: int = 4              # [SGL] 1920 samples per code / 480 per mel frame
    est_channels: int = 256
    est_heads: int = 8
    est_head_dim: int = 64
    est_tf_per_block: int = 4
    est_mid_blocks: int = 12
    cfm_steps: int = 10
    cfg: bool = True                   # CFG rate 0.7 -> batch of 2 in the estimator
    hift_channels: int = 512
    upsample_rates: tuple = (8, 5, 3)
    resblock_kernels: tuple = (3, 7, 11)
    istft_nfft: int = 16
    istft_hop: int = 4
    sample_rate: int = 24000
    chunk_codes: int = 5               # [SGL] streaming chunk (trained profiles 5 or 25)
    pre_lookahead: int = 3             # [COSY]
    voice_prompt_codes: int = 38       # ASSUMPTION: ~3 s reference voice prompt (prompt_cn.wav-like)
