"""`recommend --model`: the fit answer added to a Recommendation (a line, and a blocker when it does not fit). Pure."""
from __future__ import annotations

from dataclasses import replace

from envcheck.fit.memory import GIB, FitReport


def fit_line(rep: FitReport) -> str:
    n, gpus = rep.need, rep.gpus
    what = (f"{rep.model.name} at {rep.dtype}, context {rep.context:,} x {rep.batch}: needs {n.total / GIB:.1f} GiB "
            f"(weights {n.weights / GIB:.1f}, KV {n.kv / GIB:.2f}, allowance {(n.activations + n.runtime) / GIB:.1f})")
    if not gpus:
        return what + "; no GPU known to fit it on (envcheck fit MODEL --gpu NAME)"
    best = max(gpus, key=lambda g: (g.fits, g.headroom_gib, -g.index))
    if rep.fits_single:
        return (what + f"; fits GPU {best.index} ({best.name}, {best.memory_gib:.1f} GiB) with {best.headroom_gib:.1f} "
                f"GiB to spare, max context {best.max_context:,}")
    tp = rep.tensor_parallel
    if tp is not None and tp.fits:
        return (what + f"; no single GPU holds it (largest {best.memory_gib:.1f} GiB); tensor parallel over "
                f"{tp.size} GPUs: {tp.per_gpu_gib:.1f} GiB per GPU, max context {tp.max_context:,}")
    return what + f"; does not fit: the largest GPU has {best.memory_gib:.1f} GiB" + (
        f", tensor parallel over {tp.size}: {tp.per_gpu_gib:.1f} GiB per GPU" if tp is not None and not tp.why_not else "")


def with_fit(rec, rep: FitReport):
    """The recommendation with the model's fit: an answer, a reason on every path, and when the model fits no GPU
    (nor all of them in tensor parallel) a blocker that makes every path blocked -- the install would work, the
    deployment would not."""
    line = fit_line(rep)
    paths = []
    for p in rec.paths:
        if rep.fits:
            paths.append(replace(p, reasons=p.reasons + (f"model: {line}",)))
        else:
            paths.append(replace(p, status="blocked", blockers=p.blockers + (f"model does not fit: {line}",)))
    d = rep.to_dict()
    return replace(rec, paths=tuple(paths), answers=rec.answers + ((f"Does {rep.model.name} fit here?", line),),
                   fit={"line": line, **d})
