"""`envcheck bench moss-speech`: TTFA and RTF per backend against the GPU's floor.

This module imports only click at load time; torch is imported inside the command, so `envcheck --help` and the
core commands never need it.
"""
from __future__ import annotations

import sys
import time
from typing import Optional

import click

from envcheck.bench.spec import PRESETS

ALL = ("eager", "static", "compile", "fused", "fused-int8", "fused-fp8", "tensorrt")   # as envcheck.bench.backends.ALL

EXIT_USAGE = 2


def _fail(msg: str) -> None:
    click.echo(f"envcheck bench: {msg}", err=True)
    sys.exit(EXIT_USAGE)


class Progress:
    """One line on stderr, rewritten in place on a terminal, one line per step otherwise (with the seconds since the
    start: where a run's one-time cost goes)."""

    def __init__(self, enabled: bool = True, t0: Optional[float] = None):
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.n = 0
        self.t0 = time.perf_counter() if t0 is None else t0

    def __call__(self, msg: str) -> None:
        if not self.enabled:
            return
        self.n += 1
        bar = "#" * min(self.n, 30)
        if self.tty:
            sys.stderr.write(f"\r\033[K[{bar:<30}] {msg}")
        else:
            sys.stderr.write(f"[bench {time.perf_counter() - self.t0:6.1f} s] {msg}\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\n")


@click.command("bench")
@click.argument("model", type=click.Choice(["moss-speech"]))
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="full", show_default=True,
              help="full: MOSS-Speech's real sizes (needs a GPU); tiny: same structure, seconds on a CPU.")
@click.option("--device", default=None, help="cuda, cuda:N or cpu (default: cuda when there is one).")
@click.option("--backend", "backend", default=None,
              help="Comma-separated from: " + ", ".join(ALL) + ". Default on a GPU: eager, static, compile, fused, "
                   "tensorrt; on the CPU: eager, static, fused, tensorrt (Inductor's C++ compile takes over a minute "
                   "on a small CPU: name compile to include it).")
@click.option("--dtype", type=click.Choice(["bf16", "fp16", "fp32"]), default=None,
              help="Default bf16 on a GPU, fp32 on the CPU.")
@click.option("--prompt-seconds", type=float, default=None, help="Length of the spoken prompt (default: preset's).")
@click.option("--gen-tokens", type=int, default=None, help="Speech tokens to generate (12.5 per second of audio).")
@click.option("--reps", type=int, default=5, show_default=True, help="Timed repetitions (median and min-max reported).")
@click.option("--warmup", type=int, default=1, show_default=True, help="Untimed warm-up requests per backend.")
@click.option("--predict", "predict", multiple=True, help="Predict for another GPU of matrix/gpus.yaml (e.g. 'RTX 4090').")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Write every figure here.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None, help="Write a PNG comparing backends to the floor.")
@click.option("--gpus-file", type=click.Path(exists=True, dir_okay=False), default=None, help="Another gpus.yaml.")
@click.option("--threads", type=int, default=None,
              help="CPU threads for torch (default on the CPU: 1, so that timings do not swing with the load of "
                   "other processes; the tiny preset's kernels are too small to gain from more).")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="torch's warnings, and each unavailable backend's full reason.")
@click.option("--profile", "profile", is_flag=True,
              help="GPU: after the fused backend's timed requests, its stages under torch's profiler (top kernels, "
                   "gaps between kernels, the matrix kernels' share); printed and stored in --json. --predict "
                   "profiles too (the share is what scales on the other GPU), without printing it.")
def bench_command(model, preset, device, backend, dtype, prompt_seconds, gen_tokens, reps, warmup, predict,
                  json_path, plot_path, gpus_file, threads, quiet, verbose, profile):
    """Benchmark a MOSS-Speech stub (random weights, real shapes) per backend, against this GPU's floor.

    \b
      envcheck bench moss-speech                               full size, this GPU, all backends
      envcheck bench moss-speech --preset tiny --device cpu    seconds, no GPU needed
      envcheck bench moss-speech --backend eager,fused --profile --json out.json --plot out.png --predict "RTX 4090"
    """
    started = time.perf_counter()          # the run's seconds count from here: torch's import and CUDA's start included
    try:
        import torch
    except ImportError:
        _fail("torch is not installed in this interpreter: pip install torch matplotlib, or pip install '.[bench]' in envcheck's checkout")
    from envcheck.bench import report
    from envcheck.bench import runner
    from envcheck.bench.spec import preset as make_preset

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if backend is None:
        backend = "eager,static,fused,tensorrt" if device == "cpu" else "eager,static,compile,fused,tensorrt"
    names = [b.strip() for b in backend.split(",") if b.strip()]
    bad = [b for b in names if b not in ALL]
    if bad or not names:
        _fail(f"unknown backend {', '.join(bad) or '(none)'}: choose from {', '.join(ALL)}")
    if reps < 1 or warmup < 0:
        _fail("--reps must be >= 1 and --warmup >= 0")
    if threads is not None and threads < 1:
        _fail("--threads must be >= 1")
    if threads is None and device == "cpu":
        threads = 1
    if gen_tokens is not None and gen_tokens < 1:
        _fail("--gen-tokens must be >= 1")
    if prompt_seconds is not None and prompt_seconds <= 0:
        _fail("--prompt-seconds must be > 0")
    if device.startswith("cuda") and not torch.cuda.is_available():
        _fail(f"--device {device}: torch {torch.__version__} sees no CUDA GPU here. "
              "Try: envcheck bench moss-speech --device cpu --preset tiny")
    if device == "cpu" and preset != "tiny":
        _fail(f"the {preset} preset needs a GPU (about 19 GB of weights). "
              "Try: envcheck bench moss-speech --device cpu --preset tiny")
    if device not in ("cpu",) and not device.startswith("cuda"):
        _fail(f"--device {device}: use cuda, cuda:N or cpu")
    if dtype is None:
        dtype = "bf16" if device.startswith("cuda") else "fp32"
    p = make_preset(preset, prompt_seconds, gen_tokens)
    if device.startswith("cuda"):
        free, total = torch.cuda.mem_get_info(torch.device(device))
        need = runner.needed_bytes(p, dtype)
        if need > free:
            tiny = runner.needed_bytes(make_preset("tiny"), dtype)
            _fail(f"the {preset} preset in {dtype} needs about {need / 2**30:.1f} GiB of GPU memory; "
                  f"{free / 2**30:.1f} GiB of {total / 2**30:.1f} GiB is free. What fits: "
                  + ("--dtype fp16/bf16 (half the bytes), " if dtype == "fp32" else "")
                  + f"--preset tiny (about {tiny / 2**30:.1f} GiB), or free the GPU.")
    progress = Progress(not quiet, started)
    partial = (lambda r: report.write_json(r, json_path)) if json_path else None
    try:
        result = runner.run(p, device, dtype, names, reps, warmup, progress, list(predict), gpus_file, partial=partial,
                            threads=threads, verbose=verbose, profile_path=(profile or bool(predict)) or None,
                            started=started)
    except runner.BenchError as exc:
        progress.done()
        _fail(str(exc))
    progress.done()
    click.echo(report.table(result, verbose=verbose))
    if profile and result.get("profile"):
        from envcheck.bench.profiling import render

        click.echo(render(result["profile"]))
    if json_path:
        report.write_json(result, json_path)
        click.echo(f"wrote {json_path}")
    if plot_path:
        try:
            report.plot(result, plot_path)
            click.echo(f"wrote {plot_path}")
        except ImportError:
            _fail("--plot needs matplotlib: pip install matplotlib")


if __name__ == "__main__":
    bench_command()
