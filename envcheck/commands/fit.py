"""`envcheck fit MODEL`: will the model fit this machine's GPUs (or --env / --gpu what-if GPUs)?"""
from __future__ import annotations

import json
import click

from envcheck.app.fit import DEFAULT_CONTEXT, DTYPES, KV_DTYPES, fit_model
from envcheck.errors import EXIT_FAILED

@click.command()
@click.argument("model")
@click.option("--dtype", type=click.Choice(DTYPES), default=None,
              help="Weights' dtype; default: the checkpoint's own (safetensors headers, else config.json torch_dtype).")
@click.option("--kv-dtype", type=click.Choice(KV_DTYPES), default=None,
              help="KV cache dtype; default: the weights' dtype (bf16 for int8/fp8 weights).")
@click.option("--context", type=click.IntRange(1), default=None,
              help=f"Tokens per sequence (prompt + output); default {DEFAULT_CONTEXT}, or the model's limit if lower.")
@click.option("--batch", type=click.IntRange(1), default=1, help="Sequences held at once (KV cache and activations scale).")
@click.option("--env", "env_file", metavar="FILE", help="GPUs from a saved scan (JSON) or hand-written description.")
@click.option("--gpu", "gpu_names", metavar="NAME", multiple=True,
              help="What-if GPUs from matrix/gpus.yaml, e.g. --gpu 'RTX 4090' (repeat for several).")
@click.option("--matrix", "matrix_dirs", metavar="DIR", multiple=True, help="Overlay your own matrix rows (repeatable).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"model", "dtype", "params", "weights_gib", "kv_gib_per_1k_tokens", "gpus": [...], "fits", ...}.')
@click.pass_context
def fit(ctx, model, dtype, kv_dtype, context, batch, env_file, gpu_names, matrix_dirs, as_json):
    """Will MODEL (a directory with config.json, or a Hugging Face id in the local cache) fit the GPUs?

    \b
      envcheck fit ./Qwen3-8B
      envcheck fit Qwen/Qwen3-8B --dtype fp8 --context 32768
      envcheck fit fnlp/MOSS-Speech --gpu 'RTX 4090'            # as shipped (fp32), and the other dtypes
      envcheck fit ./Mixtral-8x7B --env pod.json --json

    Weights, KV cache per token and for the context, an activation and runtime allowance (stated), and per GPU:
    fits or not, headroom, the largest context that fits; tensor parallel across all GPUs when there are several.
    Exit 0 when it fits (one GPU or tensor parallel), 1 when it does not, 2 on bad input.
    """
    result = fit_model(model, dtype, context, batch, kv_dtype, env_file, gpu_names, matrix_dirs,
                       (ctx.obj or {}).get("debug", False))
    if as_json:
        click.echo(json.dumps(result.document(), indent=2))
    else:
        from envcheck.report.fit import render_fit
        click.echo(render_fit(result.report, result.dtype_source), nl=False)
    if not result.report.fits:
        ctx.exit(EXIT_FAILED)
