"""MOSS-Speech's speech codec, which runs beside the language model: a Whisper-VQ tokenizer and a CosyVoice2-style
flow-matching decoder with a HiFT vocoder. Its weights are a separate repository (fnlp/MOSS-Speech-Codec), so its
parameters are counted here from the sourced shapes in envcheck/fit/codec_shapes.py, layer by layer as the bench stub
(envcheck/bench/model.py) builds them: the counts equal the stub's `params` in benchmarks/bench_moss_speech_*.json
(tokenizer 341,219,840; decoder 130,334,210). Pure: no torch.
"""
from __future__ import annotations

from typing import Dict

from envcheck.fit.codec_shapes import DecoderSpec, TokenizerSpec


def _encoder_layer(d: int, ff: int, inner: int = 0) -> int:
    """Pre-LN block with biased projections: 2 LayerNorms, qkv, out, fc1, fc2 (bench EncoderLayer)."""
    inner = inner or d
    return 4 * d + (d * 3 * inner + 3 * inner) + (inner * d + d) + (d * ff + ff) + (ff * d + d)


def _conv(cin: int, cout: int, k: int) -> int:
    return cin * cout * k + cout


def tokenizer_params(t: TokenizerSpec = TokenizerSpec()) -> int:
    return (_conv(t.mel_bins, t.d_model, 3) + _conv(t.d_model, t.d_model, 3)
            + t.layers * _encoder_layer(t.d_model, t.ffn) + t.codebook * t.d_model)


def _resblock(a: int, b: int, temb: int) -> int:
    return _conv(a, b, 3) + _conv(b, b, 3) + 4 * b + (temb * b + b) + _conv(a, b, 1)


def _estimator(d: DecoderSpec) -> int:
    c, temb, inner = d.est_channels, 4 * d.est_channels, d.est_heads * d.est_head_dim

    def block(a: int, b: int) -> int:
        return _resblock(a, b, temb) + d.est_tf_per_block * _encoder_layer(b, 4 * b, inner)

    time = (c * temb + temb) + (temb * temb + temb)
    return (time + block(4 * d.mel_bins, c) + block(c, c) + d.est_mid_blocks * block(c, c)
            + 2 * block(2 * c, c) + _conv(c, d.mel_bins, 1))


def _hift(d: DecoderSpec) -> int:
    c = d.hift_channels
    n = _conv(d.mel_bins, c, 7)
    for r in d.upsample_rates:
        n += c * (c // 2) * 2 * r + c // 2           # ConvTranspose1d(c, c // 2, 2r)
        c //= 2
        n += sum(3 * _conv(c, c, k) for k in d.resblock_kernels)
    return n + _conv(c, d.istft_nfft + 2, 7)


def decoder_params(d: DecoderSpec = DecoderSpec()) -> int:
    enc = _encoder_layer(d.input_size, d.enc_ff)
    return (d.codes * d.input_size + d.enc_blocks * enc + _conv(d.input_size, d.input_size, 5)
            + d.up_blocks * enc + (d.input_size * d.mel_bins + d.mel_bins) + (192 * d.mel_bins + d.mel_bins)
            + _estimator(d) + _hift(d))


def codec_components() -> Dict[str, int]:
    return {"codec tokenizer (Whisper-VQ)": tokenizer_params(),
            "codec flow-matching decoder + HiFT": decoder_params()}


CODEC_NOTE = ("MOSS-Speech's codec (fnlp/MOSS-Speech-Codec) runs beside it and is counted in: Whisper-VQ tokenizer "
              "and flow-matching decoder + HiFT vocoder, from the sourced shapes in envcheck/bench/spec.py "
              "(a separate checkpoint, not read from this directory)")
