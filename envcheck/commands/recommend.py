"""`envcheck recommend` and `envcheck explain`."""
from __future__ import annotations

import json
import sys

import click

from envcheck.commands.options import environment_options, load_matrix_or_fail
from envcheck.errors import EXIT_FAILED, InputError


def _env_and_matrix(ctx, env_file, root, search, exec_pythons, matrix_dirs):
    from envcheck.loading import acquire

    debug = (ctx.obj or {}).get("debug", False)
    matrix = load_matrix_or_fail(matrix_dirs)
    env, source = acquire(env_file, root, search, exec_pythons, debug, None)
    return env, source, matrix


def _python_version_of(env, path) -> str:
    for p in env.pythons or ():
        if p.version is not None and (p.path == path or p.base == path or (p.prefix and path.startswith(p.prefix + "/"))):
            return p.version.major_minor()
    import re

    mo = re.search(r"python(\d\.\d+)", path or "")
    return mo.group(1) if mo else f"{sys.version_info[0]}.{sys.version_info[1]}"


@click.command()
@environment_options
@click.option("--target", "target", required=True, metavar="NAME[SPEC]",
              help="tensorrt-llm, vllm, sglang, tensorrt or torch; optionally pinned: tensorrt-llm==1.1.0, 'tensorrt-llm>=0.15,<1.1'.")
@click.option("--json", "as_json", is_flag=True, help='Print {"target", "matrix_version", "environment_source", "paths": [...], ...}.')
@click.option("--markdown", is_flag=True, help="A report to paste into an issue, with every reason.")
@click.option("--verify", is_flag=True, help="Ask pip's resolver (dry run, binaries only, throwaway venv) to confirm the best wheel path.")
@click.option("--verbose", "-v", is_flag=True, help="Every reason and every path's commands.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII marks.")
@click.option("--model", "model", metavar="MODEL", default=None,
              help="Also say whether this model (directory or HF id, as for `envcheck fit`) fits the GPUs; blocks every path when it does not.")
@click.option("--dtype", "model_dtype", type=click.Choice(("bf16", "fp16", "fp32", "int8", "fp8")), default=None,
              help="With --model: the weights' dtype (default: the checkpoint's).")
@click.option("--context", "model_context", type=click.IntRange(1), default=None, help="With --model: tokens per sequence.")
@click.pass_context
def recommend(ctx, env_file, root, search, exec_pythons, matrix_dirs, target, as_json, markdown, verify, verbose, ascii_only,
              model, model_dtype, model_context):
    """Ranked ways to install a target here: wheel, image, source build or driver change, each ok/risky/blocked.

    \b
      envcheck recommend --target tensorrt-llm
      envcheck recommend --target tensorrt-llm==1.1.0 --env pod.json    # can I have this one? what would it take?
      envcheck recommend --target vllm --markdown > issue.md

    Exit 0 when some path is ok or risky, 1 when every path is blocked.
    """
    from envcheck.recommend import installable, recommend as do_recommend

    env, source, matrix = _env_and_matrix(ctx, env_file, root, search, exec_pythons, matrix_dirs)
    rec = do_recommend(env, matrix, target, source)
    if model:
        from envcheck.commands.fit import gpus_from_env, report_for
        from envcheck.fit.advice import with_fit

        rep, _ = report_for(model, model_dtype, model_context, 1, None, gpus_from_env(env), source)
        rec = with_fit(rec, rep)
    vres = None
    if verify:
        from envcheck.recommend.verify import verify as do_verify

        best = installable(rec, allow_risky=True) or next((p for p in rec.paths if p.kind == "wheel"), None)
        wheel = best if best is not None and best.kind == "wheel" else next((p for p in rec.paths if p.kind == "wheel" and p.status != "blocked"), best)
        pyv = _python_version_of(env, wheel.python) if wheel is not None and wheel.python else "3.10"
        try:
            vres = do_verify(wheel, python_version=pyv)
        except Exception as exc:  # noqa: BLE001 - verify is advice on top; the matrix answer stands
            from envcheck.recommend.verify import VerifyResult
            vres = VerifyResult("error", [f"{type(exc).__name__}: {exc}; the matrix answer stands"])
    if as_json:
        d = rec.to_dict()
        if vres is not None:
            d["verify"] = vres.to_dict()
        click.echo(json.dumps(d, indent=2))
    elif markdown:
        from envcheck.report.recommend import render_recommendation_md
        click.echo(render_recommendation_md(rec, vres), nl=False)
    else:
        from envcheck.report.marks import can_unicode
        from envcheck.report.recommend import render_recommendation
        click.echo(render_recommendation(rec, unicode=can_unicode() and not ascii_only, verify=vres, verbose=verbose), nl=False)
    if installable(rec, allow_risky=True) is None:
        ctx.exit(EXIT_FAILED)


@click.command()
@environment_options
@click.argument("message", required=False)
@click.option("--target", "target", default=None,
              help="What the install advice is for; default: the target the message names (torch, vllm, ...), "
                   "tensorrt-llm for a CUDA-major mismatch, none otherwise.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII marks.")
@click.pass_context
def explain(ctx, env_file, root, search, exec_pythons, matrix_dirs, message, target, as_json, ascii_only):
    """Explain an error message (or a log on stdin, with MESSAGE '-'): its cause here and what to do.

    \b
      envcheck explain "ImportError: libcublasLt.so.13: cannot open shared object file"
      docker pull ... 2>&1 | envcheck explain -
    """
    from envcheck.explain import KNOWN, explain as do_explain

    if message is None or message == "-":
        if message is None and sys.stdin.isatty():
            raise InputError("give the error message as an argument, or '-' to read it from stdin")
        message = sys.stdin.read()
    if not message.strip():
        raise InputError("the error message is empty")
    env, source, matrix = _env_and_matrix(ctx, env_file, root, search, exec_pythons, matrix_dirs)
    found = do_explain(message, env, matrix, target)
    if as_json:
        click.echo(json.dumps({"matrix_version": matrix.version, "environment_source": source,
                               "explanations": [e.to_dict() for e in found]}, indent=2))
    elif not found:
        click.echo("envcheck does not recognise this message. It knows:\n  - " + "\n  - ".join(KNOWN)
                   + "\nTry: envcheck check    (findings about this machine)")
    else:
        from envcheck.report.marks import can_unicode
        from envcheck.report.recommend import render_explanation
        u = can_unicode() and not ascii_only
        click.echo(f"{source} · matrix {matrix.version}\n")
        click.echo("\n".join(render_explanation(e, unicode=u) for e in found), nl=False)
    if not found:
        ctx.exit(EXIT_FAILED)
