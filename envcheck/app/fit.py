"""`fit`: will a model (a directory or a Hugging Face id) fit the GPUs: weights, KV cache, headroom."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from envcheck.errors import InputError

DTYPES = ("bf16", "fp16", "fp32", "int8", "fp8")
KV_DTYPES = ("bf16", "fp16", "fp32", "fp8")
DEFAULT_CONTEXT = 4096
NON_GPU_PROBES = ("host", "disk", "container", "cuda", "pythons", "libraries", "kernels")


def gpus_from_env(env) -> List[Tuple[int, str, float]]:
    out = []
    for g in env.gpus or ():
        if g.memory_mib:
            out.append((g.index, g.name or f"GPU {g.index}", g.memory_mib * 2 ** 20))
    return sorted(out)


def gpus_from_names(names: Sequence[str], matrix) -> List[Tuple[int, str, float]]:
    from envcheck.matrix.gpus import find_gpu
    from envcheck.matrix.rows import GpuRow

    rows = matrix.rows("gpus")
    out = []
    for i, name in enumerate(names):
        row = find_gpu(name, rows)
        gpu = GpuRow.of(row) if row is not None else None
        if gpu is None or not gpu.memory_gib:
            known = ", ".join(sorted(str(GpuRow.of(r).name) for r in rows))
            raise InputError(f"--gpu {name!r}: not in matrix/gpus.yaml (with memory); known: {known}")
        out.append((i, str(gpu.name), float(gpu.memory_gib) * 2 ** 30))
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


def acquire_gpus(env_file, gpu_names, matrix, debug: bool = False) -> Tuple[List[Tuple[int, str, float]], str]:
    """The GPUs a model is fitted to, and where they came from: --gpu names, a saved scan, or this machine."""
    if gpu_names:
        return gpus_from_names(gpu_names, matrix), "--gpu " + ", ".join(gpu_names) + " (matrix/gpus.yaml)"
    if env_file:
        from envcheck.model.document import load_env_file
        return gpus_from_env(load_env_file(env_file)), f"from {env_file}"
    from envcheck.probes import ProbeContext, scan
    from envcheck.root import Root

    env = scan(ProbeContext(root=Root("/"), debug=debug, skip=NON_GPU_PROBES))
    return gpus_from_env(env), "scan of this machine"


@dataclass(frozen=True)
class FitResult:
    """fit's answer: the report, and where its dtype came from ("as asked", or read from the checkpoint)."""
    report: object          # envcheck.fit.memory.FitReport
    dtype_source: str

    def document(self) -> dict:
        """The `envcheck fit --json` document (the MCP `fit` tool returns the same)."""
        d = self.report.to_dict()
        d["dtype_source"] = self.dtype_source
        return d


def fit_model(model: str, dtype: Optional[str] = None, context: Optional[int] = None, batch: int = 1,
              kv_dtype: Optional[str] = None, env_file: Optional[str] = None, gpu_names: Sequence[str] = (),
              matrix_dirs: Sequence[str] = (), debug: bool = False) -> FitResult:
    """Will `model` fit the GPUs of `env_file`, of the what-if `gpu_names` (matrix/gpus.yaml), or of this machine?"""
    from envcheck.app.inputs import Inputs

    if env_file and gpu_names:
        raise InputError("--env and --gpu exclude each other: --env reads a saved scan's GPUs, --gpu names what-if GPUs")
    if dtype is not None and dtype not in DTYPES:
        raise InputError(f"dtype {dtype!r}: one of {', '.join(DTYPES)}")
    if kv_dtype is not None and kv_dtype not in KV_DTYPES:
        raise InputError(f"kv_dtype {kv_dtype!r}: one of {', '.join(KV_DTYPES)}")
    if (context is not None and context < 1) or batch < 1:
        raise InputError("context and batch are at least 1")
    matrix = Inputs(matrix_dirs=tuple(matrix_dirs)).matrix() if gpu_names else None
    gpus, source = acquire_gpus(env_file, list(gpu_names), matrix, debug)
    rep, why = report_for(model, dtype, context, batch, kv_dtype, gpus, source)
    return FitResult(rep, why)
