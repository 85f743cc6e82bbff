"""`envcheck fit`: will a model fit the GPUs? Pure arithmetic on a model's shape and the GPUs' memory.

  shape.py          config.json -> Shape; parameters by component (dense, MoE, GQA, tied embeddings, MOSS-Speech)
  moss.py           MOSS-Speech's codec (tokenizer, flow-matching decoder + vocoder) counted from its shapes
  codec_shapes.py   those codec shapes (tokenizer, decoder), shared with the bench stub
  memory.py         weights, KV cache, the stated allowances, per-GPU fit, max context, tensor parallel
  build.py          what a checkpoint directory says (CheckpointFacts) -> memory.Model
  advice.py         recommend --model: the fit as a line, or a blocker
  against_bench.py  the estimate against the bench's measured peak memory
Reading the directory is envcheck/checkpoint.py (bounded); the command is envcheck/commands/fit.py.
"""
from envcheck.fit.build import CheckpointFacts, model_from
from envcheck.fit.memory import FitReport, Model, fit, max_context, need

__all__ = ["CheckpointFacts", "FitReport", "Model", "fit", "max_context", "model_from", "need"]
