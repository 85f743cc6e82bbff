"""`envcheck fit MODEL`: will the model fit this machine's GPUs (or --env / --gpu what-if GPUs)?"""
from __future__ import annotations

import json
from typing import List, Optional, Sequence, Tuple

import click

from envcheck.errors import EXIT_FAILED, InputError

DTYPES = ("bf16", "fp16", "fp32", "int8", "fp8")
DEFAULT_CONTEXT = 4096
NON_GPU_PROBES = ("host", "disk", "container", "cuda", "pythons", "libraries", "kernels")


def gpus_from_env(env) -> List[Tuple[int, str, float]]:
    out = []
    for g in env.gpus or ():
        if g.memory_mib:
            out.append((g.index, g.name or f"GPU {g.index}", g.memory_mib * 2 ** 20))
    return sorted(out)


def gpus_from_names(names: Sequence[str], matrix) -> List[Tuple[int, str, float]]:
    from envcheck.bench.floor import find_gpu

    rows = matrix.rows("gpus")
    out = []
    for i, name in enumerate(names):
        row = find_gpu(name, rows)
        if row is None or not row.get("memory_gib"):
            known = ", ".join(sorted(str(r.get("name")) for r in rows))
            raise InputError(f"--gpu {name!r}: not in matrix/gpus.yaml (with memory); known: {known}")
        out.append((i, str(row.get("name")), float(row.get("memory_gib")) * 2 ** 30))
    return out


def load_model(model: str):
    """(Model, CheckpointFacts) for a directory or a Hugging Face id; InputError with the reason otherwise."""
    from envcheck import checkpoint
    from envcheck.fit.build import model_from
    from envcheck.fit.shape import ShapeError

    directory, allowed, _how = checkpoint.resolve(model)
    facts = checkpoint.read(directory, allowed)
    try:
        return model_from(model, facts), facts
    except ShapeError as exc:
        raise InputError(f"{directory}/config.json: {exc}") from None


def report_for(model: str, dtype: Optional[str], context: Optional[int], batch: int, kv_dtype: Optional[str],
               gpus: List[Tuple[int, str, float]], gpu_source: str):
    from envcheck.fit.build import default_dtype
    from envcheck.fit.memory import fit

    m, facts = load_model(model)
    why = "as asked"
    if dtype is None:
        dtype, why = default_dtype(m, facts)
        if dtype not in DTYPES:
            dtype, why = "bf16", f"stored as {dtype}; bf16 assumed"
    if context is None:
        context = min(DEFAULT_CONTEXT, m.shape.max_position or DEFAULT_CONTEXT)
    rep = fit(m, dtype, context, batch, gpus, gpu_source=gpu_source, kv_dtype=kv_dtype)
    return rep, why


def acquire_gpus(ctx, env_file, gpu_names, matrix):
    if gpu_names:
        return gpus_from_names(gpu_names, matrix), "--gpu " + ", ".join(gpu_names) + " (matrix/gpus.yaml)"
    if env_file:
        from envcheck.model.document import load_env_file
        return gpus_from_env(load_env_file(env_file)), f"from {env_file}"
    from envcheck.probes import ProbeContext, scan
    from envcheck.root import Root

    debug = (ctx.obj or {}).get("debug", False)
    env = scan(ProbeContext(root=Root("/"), debug=debug, skip=NON_GPU_PROBES))
    return gpus_from_env(env), "scan of this machine"


@click.command()
@click.argument("model")
@click.option("--dtype", type=click.Choice(DTYPES), default=None,
              help="Weights' dtype; default: the checkpoint's own (safetensors headers, else config.json torch_dtype).")
@click.option("--kv-dtype", type=click.Choice(("bf16", "fp16", "fp32", "fp8")), default=None,
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
    from envcheck.commands.options import load_matrix_or_fail

    if env_file and gpu_names:
        raise InputError("--env and --gpu exclude each other: --env reads a saved scan's GPUs, --gpu names what-if GPUs")
    matrix = load_matrix_or_fail(matrix_dirs) if gpu_names else None
    gpus, source = acquire_gpus(ctx, env_file, gpu_names, matrix)
    rep, why = report_for(model, dtype, context, batch, kv_dtype, gpus, source)
    if as_json:
        d = rep.to_dict()
        d["dtype_source"] = why
        click.echo(json.dumps(d, indent=2))
    else:
        from envcheck.report.fit import render_fit
        click.echo(render_fit(rep, why), nl=False)
    if not rep.fits:
        ctx.exit(EXIT_FAILED)
