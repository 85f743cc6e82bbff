"""`envcheck explain`."""
from __future__ import annotations

import json
import sys

import click

from envcheck.app.inputs import Inputs
from envcheck.app.explain import explanations, read_log_file, read_log_stream, similar_text
from envcheck.commands.options import environment_options
from envcheck.errors import EXIT_FAILED, InputError
from envcheck.output import clean


@click.command()
@environment_options
@click.argument("message", required=False)
@click.option("--file", "log_file", metavar="LOG", help="Read the message or a whole log from this file.")
@click.option("--target", "target", default=None,
              help="What the install advice is for; default: the target the message names (torch, vllm, ...), "
                   "tensorrt-llm for a CUDA-major mismatch, none otherwise.")
@click.option("--python", "python", metavar="PATH", default=None,
              help="The interpreter (or environment prefix) the message came from: the commands are for it only.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII marks.")
@click.pass_context
def explain(ctx, env_file, root, search, exec_pythons, matrix_dirs, message, log_file, target, python, as_json, ascii_only):
    """Explain an error message, or every known error in a log (MESSAGE '-' reads stdin, --file LOG a file): the
    root cause first, checked against this machine (or --env/--root), and what to do.

    \b
      envcheck explain "ImportError: libcublasLt.so.13: cannot open shared object file"
      python train.py 2>&1 | envcheck explain -
      envcheck explain --file build.log --env pod.json
    """
    from envcheck.explain import KNOWN

    skipped = None
    if log_file is not None:
        if message is not None:
            raise InputError("give the message as an argument or --file LOG, not both")
        window = read_log_file(log_file)
        message, skipped = window.text, window.note(log_file)
    elif message is None or message == "-":
        if message is None and sys.stdin.isatty():
            raise InputError("give the error message as an argument, '-' to read it from stdin, or --file LOG")
        window = read_log_stream(sys.stdin.buffer)
        message, skipped = window.text, window.note("stdin")
    if not message.strip():
        raise InputError("the error message is empty")
    debug = (ctx.obj or {}).get("debug", False)
    result = explanations(message, Inputs(env_file, root, search, exec_pythons, matrix_dirs, debug), target,
                          python, skipped)
    found, source, matrix = result.explanations, result.source, result.matrix
    if skipped and not as_json:
        click.echo(clean(skipped) + "\n")
    if as_json:
        click.echo(json.dumps(result.document(), indent=2))
    elif not found:
        click.echo("envcheck does not recognise this message.")
        if result.similar:
            click.echo(clean(similar_text(result.similar)))
        click.echo("It knows:\n  - " + "\n  - ".join(KNOWN) + "\nTry: envcheck check    (findings about this machine)")
    else:
        from envcheck.marks import can_unicode
        from envcheck.report.recommend import render_explanation
        u = can_unicode() and not ascii_only
        head = f"{source} · matrix {matrix.version}" if u else f"{source} - matrix {matrix.version}"
        click.echo(head + "\n")
        if len(found) > 1:
            click.echo(f"{len(found)} known errors in this log; the root cause first, then what followed from it.\n")
        parts = []
        for i, e in enumerate(found):
            lead = ("root cause: " if i == 0 else f"then ({i + 1}): ") if len(found) > 1 else ""
            parts.append(render_explanation(e, unicode=u, lead=lead))
        click.echo("\n".join(parts), nl=False)
    if not found:
        ctx.exit(EXIT_FAILED)
