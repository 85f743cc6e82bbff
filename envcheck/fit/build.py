"""From what a model directory says (config.json and the checkpoint's own counts) to a fit.memory.Model. Pure."""
from __future__ import annotations

from typing import Optional, Tuple

from envcheck.checkpoint import CheckpointFacts
from envcheck.fit.memory import DTYPE_BYTES, Model
from envcheck.fit.moss import CODEC_NOTE, codec_components
from envcheck.fit.shape import ShapeError, count_params, shape_from_config


def model_from(name: str, facts: CheckpointFacts, stored_dtype_hint: Optional[str] = None) -> Model:
    """Raise ShapeError when config.json cannot describe the model and the checkpoint gives no count either."""
    shape = shape_from_config(facts.config)
    notes = list(shape.notes) + list(facts.notes)
    try:
        count = count_params(shape)
    except ShapeError:
        count = None
    checkpoint_params, source = None, "config.json architecture"
    if facts.header_params is not None and facts.shards_missing == 0:
        checkpoint_params, source = facts.header_params, f"safetensors headers ({facts.shards_read} file(s))"
    elif facts.index_total_bytes is not None:
        dt = facts.stored_dtype() or shape.stored_dtype or stored_dtype_hint
        if dt in DTYPE_BYTES:
            checkpoint_params = facts.index_total_bytes // DTYPE_BYTES[dt]
            source = f"model.safetensors.index.json total_size / {DTYPE_BYTES[dt]} bytes ({dt})"
    if checkpoint_params is None and count is None:
        raise ShapeError("the architecture cannot be counted from config.json (multi-head latent attention) and "
                         "no safetensors headers or index were found beside it")
    if checkpoint_params is not None and count is not None:
        diff = (checkpoint_params - count.total) / max(count.total, 1)
        if abs(diff) > 0.01:
            notes.append(f"the checkpoint holds {checkpoint_params:,} parameters, the architecture count is "
                         f"{count.total:,} ({diff:+.1%}); the checkpoint's count is used")
    extra: Tuple[Tuple[str, int], ...] = ()
    if shape.model_type == "moss_speech":
        extra = tuple(sorted(codec_components().items()))
        notes.append(CODEC_NOTE)
    return Model(name=name, shape=shape, count=count, checkpoint_params=checkpoint_params, params_source=source,
                 extra=extra, notes=tuple(notes))


def default_dtype(model: Model, facts: CheckpointFacts) -> Tuple[str, str]:
    """(dtype, why): the checkpoint as shipped -- its tensors' dtype, else config.json's torch_dtype, else bf16."""
    stored = facts.stored_dtype()
    if stored:
        return stored, "as stored in the safetensors files"
    if model.shape.stored_dtype:
        return model.shape.stored_dtype, "config.json torch_dtype"
    return "bf16", "no dtype in config.json or the checkpoint; bf16 assumed"
