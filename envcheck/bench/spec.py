"""MOSS-Speech shapes, with the source of every number, and the arithmetic on them (no torch here).

Sources (read 2026-11-25):
  [HFCFG]  fnlp/MOSS-Speech config.json as parsed by sglang-omni's MossSpeechConfig test
           (tests for sglang_omni/models/moss_speech/hf_config.py, snapshot cff025bb41d8): vocab_size 151680,
           audio_vocab_size 16512, num_shared_layers 32, num_modality_layers 4, sosp 151646, eosp 16384,
           modality_pad_token_id 151667; and a TRT-LLM conversion script of the same checkpoint
           (MossSpeechForCausalLM: hidden_size 4096, intermediate_size 12288, 32 heads, 8 KV heads,
           max_position_embeddings 40960, weight names model.shared_block / text_block / audio_block,
           text_lm_head / audio_lm_head, model.embed_tokens / model.audio_embed, q_norm / k_norm per layer).
  [PAPER]  arXiv 2510.00499 (MOSS-Speech): Qwen3-8B backbone (36 layers); modality-based layer split at block 32:
           32 shared layers, then a 4-layer text branch and a parallel 4-layer speech branch.
  [README] github.com/OpenMOSS/MOSS-Speech README: "We use Qwen3-8B as the base model".
  [SGL]    sglang-omni moss_speech: "num_shared + 2 * num_modality (both tails hold KV every position)" -> 40
           attention layers with a KV cache; streaming codec: 24 kHz, 1920 samples per code (12.5 codes/s),
           chunk_size 5 or 25 codes (trained profiles; default 5), mel hop 480, first hop + pre_lookahead_len.
  [CODEC]  convert-moss-speech-codec-to-gguf.py (fnlp/MOSS-Speech-Codec): Whisper-VQ tokenizer = causal Whisper
           encoder truncated at the quantizer (quantize_position), average pooling x4, 16384-entry codebook,
           12.5 tokens/s; decoder = CosyVoice2 flow (6 conformer blocks + 4 up blocks, 8 heads x 64, input 512,
           80 mel bands, 24 kHz, CFM 10 timesteps, CFG rate 0.7) + HiFT vocoder.
  [GLMVQ]  GLM-4-Voice Whisper-VQ config (same WhisperVQ class): d_model 1280, 20 heads, ffn 5120, 128 mel bins,
           quantize_position 16, pooling 4 avg, quantize_vocab_size 16384.  ASSUMPTION: MOSS-Speech-Codec's
           encoder has these sizes too (its config.json was not readable here; the layout above matches).
  [COSY]   OpenMOSS/MOSS-Speech cosyvoice/ (vendored CosyVoice2): flow decoder_params channels [256,256],
           attention_head_dim 64, n_blocks 4, num_mid_blocks 12, num_heads 8; pre_lookahead_len 3;
           HiFT base_channels 512, resblock kernels [3,7,11], dilations [1,3,5], istft n_fft 16 hop 4.
           ASSUMPTION: HiFT upsample_rates [8,5,3] (480 samples per mel frame = 8*5*3*4, as [SGL] mel hop 480).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from envcheck.fit.codec_shapes import DecoderSpec, TokenizerSpec
from envcheck.model.base import Plain

DTYPE_BYTES = {"bf16": 2, "fp16": 2, "fp32": 4}


@dataclass(frozen=True)
class BackboneSpec:
    hidden: int = 4096                 # [HFCFG]
    intermediate: int = 12288          # [HFCFG]
    heads: int = 32                    # [HFCFG]
    kv_heads: int = 8                  # [HFCFG]
    head_dim: int = 128                # Qwen3-8B head_dim [README]; 32*128 = 4096
    shared_layers: int = 32            # [HFCFG] [PAPER]
    modality_layers: int = 4           # [HFCFG] [PAPER]; one text branch and one speech branch
    text_vocab: int = 151680           # [HFCFG]
    audio_vocab: int = 16512           # [HFCFG] 16384 codes + specials
    rope_theta: float = 1_000_000.0    # Qwen3 default (sglang-omni fallback 1e6)
    rms_eps: float = 1e-6
    text_pad_id: int = 151667          # [HFCFG] modality_pad_token_id
    run_text_branch: bool = True       # [SGL]: both tails run and hold KV at every position

    @property
    def kv_layers(self) -> int:
        return self.shared_layers + self.modality_layers * (2 if self.run_text_branch else 1)

    def layer_params(self) -> int:
        h, q, kv = self.hidden, self.heads * self.head_dim, self.kv_heads * self.head_dim
        attn = h * q + 2 * h * kv + q * h
        mlp = 3 * h * self.intermediate
        norms = 2 * h + 2 * self.head_dim
        return attn + mlp + norms

    def step_params(self) -> int:
        """Parameters read by one decode step: every layer that runs, the final norms and the heads that run."""
        p = self.kv_layers * self.layer_params() + self.hidden + self.audio_vocab * self.hidden
        if self.run_text_branch:
            p += self.hidden + self.text_vocab * self.hidden
        return p

    def total_params(self) -> int:
        embeds = (self.text_vocab + self.audio_vocab) * self.hidden
        p = (self.shared_layers + 2 * self.modality_layers) * self.layer_params()
        return p + embeds + 2 * self.hidden + (self.text_vocab + self.audio_vocab) * self.hidden

    def kv_bytes_per_token(self, dtype_bytes: int) -> int:
        return self.kv_layers * 2 * self.kv_heads * self.head_dim * dtype_bytes

    def prefill_flops(self, n: int) -> float:
        """2 FLOPs per multiply-add: weight matmuls for n tokens, causal attention, heads on the last token."""
        lin = self.kv_layers * (self.layer_params() - 2 * self.hidden - 2 * self.head_dim)
        attn = self.kv_layers * 2 * 2 * self.heads * self.head_dim * n * (n + 1) / 2
        heads = self.audio_vocab * self.hidden + (self.text_vocab * self.hidden if self.run_text_branch else 0)
        return 2.0 * lin * n + attn + 2.0 * heads


@dataclass(frozen=True)
class Preset(Plain):
    name: str
    backbone: BackboneSpec
    tokenizer: TokenizerSpec
    decoder: DecoderSpec
    prompt_seconds: float = 10.0       # the user's spoken question
    template_tokens: int = 32          # ASSUMPTION: chat template / system prompt text tokens
    gen_tokens: int = 100              # 8 s of speech
    token_rate_hz: float = 12.5        # [CODEC] [SGL]

    def prompt_tokens(self) -> int:
        return self.template_tokens + int(round(self.prompt_seconds * self.token_rate_hz))

    def first_chunk_tokens(self) -> int:
        return self.decoder.chunk_codes + self.decoder.pre_lookahead


FULL = Preset("full", BackboneSpec(), TokenizerSpec(), DecoderSpec())

TINY = Preset(
    "tiny",
    BackboneSpec(hidden=64, intermediate=128, heads=4, kv_heads=2, head_dim=16, shared_layers=2, modality_layers=1,
                 text_vocab=512, audio_vocab=160, text_pad_id=500),
    TokenizerSpec(d_model=32, heads=2, ffn=64, layers=2, mel_bins=16, codebook=128),
    DecoderSpec(codes=128, input_size=32, enc_heads=2, enc_ff=64, enc_blocks=1, up_blocks=1, est_channels=32,
                est_heads=2, est_head_dim=16, est_tf_per_block=1, est_mid_blocks=1, cfm_steps=2, hift_channels=32,
                voice_prompt_codes=4),
    prompt_seconds=2.0, template_tokens=4, gen_tokens=16,
)

PRESETS = {"full": FULL, "tiny": TINY}


def preset(name: str, prompt_seconds: float | None = None, gen_tokens: int | None = None) -> Preset:
    p = PRESETS[name]
    if prompt_seconds is not None:
        p = replace(p, prompt_seconds=prompt_seconds)
    if gen_tokens is not None:
        p = replace(p, gen_tokens=gen_tokens)
    return p
