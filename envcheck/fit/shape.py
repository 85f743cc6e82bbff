"""A decoder's shape, read from its config.json (a dict), and its parameter count by component. Pure: no I/O.

Counted the way Hugging Face transformers builds these models (one Linear per projection, RMSNorm weights only):
  embeddings   vocab x hidden (plus MOSS-Speech's audio embedding)
  attention    q: hidden x heads*head_dim, k and v: hidden x kv_heads*head_dim (GQA), o: heads*head_dim x hidden,
               biases where the family has them (Qwen2: q/k/v; `attention_bias`: q/k/v/o), Qwen3's q_norm/k_norm
  mlp          gated (SwiGLU/GeGLU): 3 x hidden x intermediate (+ bias with `mlp_bias`)
  experts      MoE layers: experts x 3 x hidden x moe_intermediate, a router hidden x experts, shared experts
               (Qwen2-MoE: one of shared_expert_intermediate_size plus a hidden x 1 gate)
  norms        two per layer, one final (MOSS-Speech: one per branch)
  lm_head      vocab x hidden unless tie_word_embeddings (then it is the embedding, counted once)
Multi-head latent attention (DeepSeek-V2/V3 `kv_lora_rank`) is not counted from the architecture: its KV cache
is (see kv_bytes_per_token), its parameters come from the checkpoint's safetensors headers or index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

# model_type values whose layer layout this module follows exactly; anything else is counted as a Llama-style
# gated decoder and the answer says so
KNOWN_TYPES = ("llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "moss_speech")
QKV_BIAS_TYPES = ("qwen2", "qwen2_moe")          # Qwen2Attention: q/k/v Linear(bias=True), o without
QK_NORM_TYPES = ("qwen3", "qwen3_moe", "moss_speech")


class ShapeError(ValueError):
    """config.json lacks a key the count needs, or has a value of the wrong kind; the message names the key."""


@dataclass(frozen=True)
class Shape:
    model_type: str
    hidden: int
    layers: int                        # decoder layers that hold weights
    kv_layers: int                     # layers that hold a KV cache at every position
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int                  # dense MLP width (0 when every layer is MoE)
    vocab: int
    extra_vocab: int = 0               # MOSS-Speech audio vocabulary (its own embedding and head)
    tied: bool = False
    qkv_bias: bool = False
    o_bias: bool = False
    mlp_bias: bool = False
    qk_norm: bool = False
    experts: int = 0                   # routed experts per MoE layer
    experts_per_token: int = 0
    moe_intermediate: int = 0
    moe_layers: int = 0                # how many of `layers` are MoE
    shared_expert_intermediate: int = 0
    shared_expert_gate: bool = False
    final_norms: int = 1
    max_position: Optional[int] = None
    sliding_window: Optional[int] = None
    sliding_layers: int = 0            # of kv_layers, those that keep only the last sliding_window positions
    mla_kv_dim: int = 0                # MLA: cached latent width per layer (kv_lora_rank + qk_rope_head_dim)
    stored_dtype: Optional[str] = None  # torch_dtype / dtype in config.json, normalised (fp32, bf16, ...)
    notes: Tuple[str, ...] = ()

    @property
    def countable(self) -> bool:
        return self.mla_kv_dim == 0


@dataclass(frozen=True)
class ParamCount:
    """Parameters by component; `linear` is what weight quantization (int8/fp8) applies to."""
    embeddings: int
    attention: int
    mlp: int
    experts: int
    router: int
    norms: int
    lm_head: int
    active: int                        # parameters one token reads (MoE: experts_per_token of the experts)
    components: Dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.embeddings + self.attention + self.mlp + self.experts + self.router + self.norms + self.lm_head

    @property
    def linear(self) -> int:
        """Decoder-layer projections (attention, MLP, experts): the part int8/fp8 weight quantization stores in
        one byte; embeddings, lm_head, norms and routers stay 16-bit in vLLM's and TensorRT-LLM's default recipes."""
        return self.attention + self.mlp + self.experts


_DTYPES = {"float32": "fp32", "float": "fp32", "float16": "fp16", "half": "fp16", "bfloat16": "bf16",
           "float8_e4m3fn": "fp8", "int8": "int8"}


def normalise_dtype(value) -> Optional[str]:
    if not isinstance(value, str):
        return None
    v = value.lower().replace("torch.", "")
    return _DTYPES.get(v, v if v in ("fp32", "fp16", "bf16", "fp8", "int8") else None)


# The largest value each dimension may have; far above any published model (hidden 16,384 and 128 heads at most
# today), low enough that a count of parameters or KV bytes stays an honest integer. A dimension of 0 is refused:
# a model with no layers or no vocabulary "fits" anything (docs/bounds.md).
DIM_LIMITS = {"num_hidden_layers": 1 << 12, "num_shared_layers": 1 << 12, "num_modality_layers": 1 << 12,
              "num_attention_heads": 1 << 12, "num_key_value_heads": 1 << 12, "head_dim": 1 << 14,
              "hidden_size": 1 << 18, "intermediate_size": 1 << 20, "moe_intermediate_size": 1 << 20,
              "shared_expert_intermediate_size": 1 << 20, "vocab_size": 1 << 24, "audio_vocab_size": 1 << 24,
              "num_experts": 1 << 14, "num_local_experts": 1 << 14, "n_routed_experts": 1 << 14,
              "n_shared_experts": 1 << 14, "num_experts_per_tok": 1 << 14, "kv_lora_rank": 1 << 16,
              "qk_rope_head_dim": 1 << 14, "max_position_embeddings": 1 << 34, "max_window_layers": 1 << 12,
              "decoder_sparse_step": 1 << 12, "first_k_dense_replace": 1 << 12}
DIM_LIMIT = 1 << 24     # a key not listed above


def _int(cfg: dict, key: str, default=None, required: bool = True, least: int = 0) -> Optional[int]:
    """A whole number from config.json in [least, its DIM_LIMITS bound]; a required key must be there."""
    value = cfg.get(key, default)
    if value is None:
        if required:
            raise ShapeError(f"no {key!r} key")
        return None
    limit = DIM_LIMITS.get(key, DIM_LIMIT)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= limit:
        raise ShapeError(f"{key!r} should be a whole number from {least} to {limit:,}, not "
                         f"{_short(value)}")
    return value


def _dim(cfg: dict, key: str, default=None) -> int:
    """A required dimension of the model: at least 1."""
    return _int(cfg, key, default, required=True, least=1)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def text_config(cfg: dict) -> dict:
    """Multimodal wrappers keep the decoder under text_config / llm_config; plain decoders are their own."""
    for key in ("text_config", "llm_config", "language_config"):
        sub = cfg.get(key)
        if isinstance(sub, dict) and "hidden_size" in sub and "hidden_size" not in cfg:
            merged = dict(sub)
            for k in ("torch_dtype", "dtype", "tie_word_embeddings"):
                merged.setdefault(k, cfg.get(k))
            return merged
    return cfg


def _sliding(cfg: dict, mtype: str, layers: int, kv_layers: int):
    """(window, layers that attend only to it): None and 0 where no layer uses a sliding window."""
    window = cfg.get("sliding_window")
    sliding_layers = 0
    if isinstance(window, int) and window > 0:
        types = cfg.get("layer_types")
        if isinstance(types, list) and types:
            sliding_layers = sum(1 for t in types if t == "sliding_attention")
        elif cfg.get("use_sliding_window") is False:
            sliding_layers = 0           # Qwen2/Qwen3 carry a window they do not use
        elif mtype in ("mistral", "mixtral"):
            sliding_layers = kv_layers   # Mistral 7B v0.1: every layer attends to the last `sliding_window`
        elif cfg.get("use_sliding_window"):
            max_window = _int(cfg, "max_window_layers", layers, required=False)
            sliding_layers = max(0, kv_layers - (max_window or 0))   # Qwen2: layers from max_window_layers on
    if not sliding_layers:
        window = None
    return window, sliding_layers


def shape_from_config(raw: dict) -> Shape:
    if not isinstance(raw, dict):
        raise ShapeError("not a JSON object")
    cfg = text_config(raw)
    mtype = str(cfg.get("model_type") or "").lower()
    notes = []
    if mtype not in KNOWN_TYPES:
        notes.append(f"model_type {mtype or '(none)'!r} is counted as a Llama-style gated decoder "
                     f"(known exactly: {', '.join(KNOWN_TYPES)}); the checkpoint's own count, when present, wins")
    hidden = _dim(cfg, "hidden_size")
    heads = _dim(cfg, "num_attention_heads")
    kv_heads = _dim(cfg, "num_key_value_heads", heads)
    if kv_heads > heads:
        raise ShapeError(f"'num_key_value_heads' ({kv_heads}) is more than 'num_attention_heads' "
                         f"({heads}); each key/value head serves one or more attention heads")
    head_dim = _int(cfg, "head_dim", None, required=False, least=1) or hidden // heads
    if head_dim == 0:
        raise ShapeError(f"'hidden_size' ({hidden}) is smaller than 'num_attention_heads' ({heads}) "
                         "and there is no 'head_dim'")
    vocab = _dim(cfg, "vocab_size")
    tied = bool(cfg.get("tie_word_embeddings", False))

    if mtype == "moss_speech":
        shared = _dim(cfg, "num_shared_layers", 32)
        modality = _int(cfg, "num_modality_layers", 4)
        layers, kv_layers = shared + 2 * modality, shared + 2 * modality
        extra_vocab = _dim(cfg, "audio_vocab_size")
        final_norms = 2
        notes.append(f"MOSS-Speech: {shared} shared layers, then a {modality}-layer text branch and a {modality}-layer "
                     f"speech branch that both hold KV at every position ({kv_layers} KV layers), two embeddings and "
                     f"two heads (text {vocab}, audio {extra_vocab})")
    else:
        layers = _dim(cfg, "num_hidden_layers")
        kv_layers, extra_vocab, final_norms = layers, 0, 1

    experts = (_int(cfg, "num_experts", 0, required=False) or _int(cfg, "num_local_experts", 0, required=False)
               or _int(cfg, "n_routed_experts", 0, required=False) or 0)
    intermediate = _int(cfg, "intermediate_size", 0, required=experts == 0, least=int(experts == 0)) or 0
    moe_inter = moe_layers = per_tok = shared_inter = 0
    shared_gate = False
    if experts:
        per_tok = _dim(cfg, "num_experts_per_tok", 2)
        if per_tok > experts:
            raise ShapeError(f"'num_experts_per_tok' ({per_tok}) is more than the {experts} experts")
        moe_inter = _int(cfg, "moe_intermediate_size", None, required=False) or intermediate
        if not moe_inter:
            raise ShapeError("the experts have no width ('moe_intermediate_size' and "
                             "'intermediate_size' are missing or 0)")
        step = _int(cfg, "decoder_sparse_step", 1, required=False) or 1
        dense_only = set(cfg.get("mlp_only_layers") or ())
        first_dense = _int(cfg, "first_k_dense_replace", 0, required=False) or 0
        moe_layers = sum(1 for i in range(layers)
                         if i not in dense_only and i >= first_dense and (i + 1) % step == 0)
        shared_inter = _int(cfg, "shared_expert_intermediate_size", 0, required=False) or 0
        shared_gate = shared_inter > 0 and mtype == "qwen2_moe"
        n_shared = _int(cfg, "n_shared_experts", 0, required=False) or 0
        if n_shared and not shared_inter:
            shared_inter = n_shared * moe_inter

    window, sliding_layers = _sliding(cfg, mtype, layers, kv_layers)

    mla = 0
    if cfg.get("kv_lora_rank"):
        mla = _int(cfg, "kv_lora_rank") + _int(cfg, "qk_rope_head_dim", 64)
        notes.append("multi-head latent attention: the KV cache is one latent of kv_lora_rank + qk_rope_head_dim per "
                     "layer and token (as vLLM caches it); parameters only from the checkpoint")

    return Shape(model_type=mtype or "unknown", hidden=hidden, layers=layers, kv_layers=kv_layers, heads=heads,
                 kv_heads=kv_heads, head_dim=head_dim, intermediate=intermediate, vocab=vocab,
                 extra_vocab=extra_vocab, tied=tied,
                 qkv_bias=mtype in QKV_BIAS_TYPES or bool(cfg.get("attention_bias")),
                 o_bias=bool(cfg.get("attention_bias")) and mtype not in QKV_BIAS_TYPES,
                 mlp_bias=bool(cfg.get("mlp_bias")), qk_norm=mtype in QK_NORM_TYPES,
                 experts=experts, experts_per_token=per_tok, moe_intermediate=moe_inter, moe_layers=moe_layers,
                 shared_expert_intermediate=shared_inter, shared_expert_gate=shared_gate, final_norms=final_norms,
                 max_position=_int(cfg, "max_position_embeddings", None, required=False),
                 sliding_window=window, sliding_layers=sliding_layers, mla_kv_dim=mla,
                 stored_dtype=normalise_dtype(cfg.get("torch_dtype") or cfg.get("dtype")), notes=tuple(notes))


def count_params(s: Shape) -> ParamCount:
    if not s.countable:
        raise ShapeError("multi-head latent attention (kv_lora_rank) is not counted from config.json; "
                         "keep the checkpoint's model.safetensors.index.json or *.safetensors next to it")
    h, q, kv = s.hidden, s.heads * s.head_dim, s.kv_heads * s.head_dim
    attn = h * q + 2 * h * kv + q * h
    if s.qkv_bias:
        attn += q + 2 * kv
    if s.o_bias:
        attn += h
    if s.qk_norm:
        attn += 2 * s.head_dim

    def gated(width: int) -> int:
        return 3 * h * width + ((2 * width + h) if s.mlp_bias else 0)

    dense_layers = s.layers - s.moe_layers
    mlp = dense_layers * gated(s.intermediate)
    expert_one = gated(s.moe_intermediate) if s.experts else 0
    shared = gated(s.shared_expert_intermediate) if s.shared_expert_intermediate else 0
    experts = s.moe_layers * (s.experts * expert_one + shared)
    router = s.moe_layers * (h * s.experts + (h if s.shared_expert_gate else 0))
    norms = 2 * h * s.layers + s.final_norms * h
    vocab = s.vocab + s.extra_vocab
    embeddings = vocab * h
    lm_head = 0 if s.tied else vocab * h
    active_experts = s.moe_layers * (s.experts_per_token * expert_one + shared)
    active = (embeddings + lm_head + attn * s.layers + mlp + active_experts + router + norms)
    comps = {"embeddings": embeddings, "attention": attn * s.layers, "mlp": mlp, "experts": experts,
             "router": router, "norms": norms, "lm_head": lm_head}
    return ParamCount(embeddings=embeddings, attention=attn * s.layers, mlp=mlp, experts=experts, router=router,
                      norms=norms, lm_head=lm_head, active=active,
                      components={k: v for k, v in comps.items() if v})


def kv_bytes_per_token(s: Shape, dtype_bytes: float) -> float:
    """One token's K and V in every KV layer: layers x 2 x kv_heads x head_dim x bytes (MLA: one latent)."""
    if s.mla_kv_dim:
        return s.kv_layers * s.mla_kv_dim * dtype_bytes
    return s.kv_layers * 2 * s.kv_heads * s.head_dim * dtype_bytes


def kv_bytes(s: Shape, context: int, dtype_bytes: float, tp: int = 1) -> float:
    """The cache for `context` tokens of one sequence. Sliding-window layers keep min(context, window) positions.
    With tensor parallelism each GPU holds kv_heads / tp heads (at least one: vLLM replicates a KV head when
    tp > kv_heads)."""
    per_layer = kv_bytes_per_token(s, dtype_bytes) / max(s.kv_layers, 1)
    if tp > 1 and not s.mla_kv_dim:
        per_layer = per_layer / s.kv_heads * max(1, -(-s.kv_heads // tp))
    full = s.kv_layers - s.sliding_layers
    windowed = min(context, s.sliding_window) if s.sliding_window else context
    return per_layer * (full * context + s.sliding_layers * windowed)
