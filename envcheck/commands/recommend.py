"""`envcheck recommend`."""
from __future__ import annotations

import functools
import json
import sys

import click

from envcheck.app.inputs import Inputs
from envcheck.app.recommend import recommendation
from envcheck.commands.options import environment_options
from envcheck.errors import EXIT_FAILED


def install_options(fn):
    """--venv DIR, --find-links DIR, --no-index: where a wheel path installs, and offline installs."""
    @click.option("--venv", "venv", metavar="DIR",
                  help="Install into the environment at DIR (found by the scan; add --search for odd places), or "
                       "create a venv there when DIR is not one.")
    @click.option("--find-links", "find_links", metavar="DIR", multiple=True,
                  help="A local directory of wheels for pip (repeatable): added to every pip command.")
    @click.option("--no-index", "no_index", is_flag=True,
                  help="pip uses only --find-links, no package index: an offline install.")
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@click.command()
@environment_options
@click.option("--target", "target", required=True, metavar="NAME[SPEC]",
              help="tensorrt-llm, vllm, sglang, tensorrt or torch; optionally pinned: tensorrt-llm==1.1.0, 'tensorrt-llm>=0.15,<1.1'. "
                   "Any other pip package pinned to one version (NAME==1.2.3) is judged on where it goes only.")
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
@click.option("--image", "images", metavar="REF", multiple=True,
              help="Also rank this image, read from its files (OCI layout dir, docker/podman save archive, registry "
                   "reference, docker://NAME; repeatable) and judged on this machine or --host FILE.")
@click.option("--platform", "platform", metavar="OS/ARCH", default="linux/amd64", show_default=True,
              help="With --image: which manifest of a multi-platform image.")
@click.option("--host", "host_file", metavar="FILE",
              help="The node to recommend for: a saved `envcheck scan --json` (like --env); --image images are judged on it.")
@install_options
@click.pass_context
def recommend(ctx, env_file, root, search, exec_pythons, matrix_dirs, target, as_json, markdown, verify, verbose, ascii_only,
              model, model_dtype, model_context, images, platform, host_file, venv, find_links, no_index):
    """Ranked ways to install a target here: wheel, image, source build or driver change, each ok/risky/blocked.

    \b
      envcheck recommend --target tensorrt-llm
      envcheck recommend --target tensorrt-llm==1.1.0 --env pod.json    # can I have this one? what would it take?
      envcheck recommend --target vllm --markdown > issue.md
      envcheck recommend --target tensorrt-llm --venv /workspace/trt --find-links /wheels --no-index   # offline
      envcheck recommend --target tensorrt-llm --image REF --host node.json   # rank an image read from its files

    Exit 0 when some path is ok or risky, 1 when every path is blocked.
    """
    from envcheck.recommend import installable

    debug = (ctx.obj or {}).get("debug", False)
    from envcheck.commands.options import image_progress

    draw = image_progress(sys.stderr.isatty()) if images else None
    inputs = Inputs.on_node(host_file, env_file=env_file, root=root, search=search, exec_pythons=exec_pythons,
                            matrix_dirs=matrix_dirs, debug=debug, platform=platform)
    result = recommendation(inputs, target, verify, venv, find_links, no_index, model, model_dtype, model_context,
                            images, draw)
    rec, vres = result.recommendation, result.verify
    if as_json:
        click.echo(json.dumps(result.document(), indent=2))
    elif markdown:
        from envcheck.report.recommend import render_recommendation_md
        click.echo(render_recommendation_md(rec, vres), nl=False)
    else:
        from envcheck.marks import can_unicode
        from envcheck.report.recommend import render_recommendation
        click.echo(render_recommendation(rec, unicode=can_unicode() and not ascii_only, verify=vres, verbose=verbose), nl=False)
    if installable(rec, allow_risky=True) is None:
        ctx.exit(EXIT_FAILED)
