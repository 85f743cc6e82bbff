"""`envcheck export --for uv|conda|pixi|pip`: the target machine's facts in a resolver's own terms."""
from __future__ import annotations

import json

import click

from envcheck.app.export import FORMATS, export as export_of
from envcheck.app.inputs import Inputs
from envcheck.commands.options import environment_options
from envcheck.output import write_text


@click.command()
@click.option("--for", "fmt", type=click.Choice(FORMATS), required=True,
              help="uv: UV_TORCH_BACKEND (and the pyproject index for a lock); conda: CONDA_OVERRIDE_CUDA/GLIBC; "
                   "pixi: a [system-requirements] table; pip: a constraints file.")
@environment_options
@click.option("-o", "--output", "output", metavar="FILE", default="-", show_default=True,
              help="Write the text here instead of printing it.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"driver", "gpu", "glibc", "torch": {"backend", "why", ...}, "text"} (the text still goes '
                   'to -o FILE when one is given).')
@click.pass_context
def export(ctx, fmt, env_file, root, search, exec_pythons, matrix_dirs, output, as_json):
    """The target machine's facts for a resolver: lock or install on one machine for another.

    \b
      envcheck export --for uv                          # this machine: export UV_TORCH_BACKEND=cu128
      envcheck export --for conda --env host.json       # a saved scan of the GPU host
      envcheck export --for pixi --env host.json        # [system-requirements] for pixi.toml
      envcheck export --for pip --env host.json -o constraints.txt

    The torch build is the newest CUDA build the driver runs natively whose GPU code covers the GPU (not the
    driver alone); where a fact is unknown the safe answer (the CPU build) is given and its comment says so.
    Every value follows a comment naming the fact it came from. Exit 0.
    """
    from envcheck.report.export import export_document, render_export

    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, (ctx.obj or {}).get("debug", False))
    result = export_of(inputs, fmt)
    text = render_export(result)
    if output != "-":
        write_text(output, text, "-o")
    if as_json:
        click.echo(json.dumps(export_document(result), indent=2))
    elif output == "-":
        click.echo(text, nl=False)
