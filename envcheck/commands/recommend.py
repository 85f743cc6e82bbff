"""`envcheck recommend`."""
from __future__ import annotations

import functools
import json
import os
import sys
from typing import List, Optional, Tuple

import click

from envcheck.commands.options import environment_options, load_matrix_or_fail
from envcheck.errors import EXIT_FAILED, InputError


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


def pip_args(find_links=(), no_index=False) -> Tuple[str, ...]:
    out: List[str] = []
    for d in find_links:
        out += ["--find-links", os.path.abspath(os.path.expanduser(d))]
    if no_index:
        out.append("--no-index")
    return tuple(out)


def venv_dir(venv: Optional[str]) -> Optional[str]:
    return os.path.abspath(os.path.expanduser(venv)).rstrip("/") if venv else None


def recommendation(env_file=None, root=None, search=(), exec_pythons=False, matrix_dirs=(), target="", verify=False,
                   venv=None, find_links=(), no_index=False, debug=False, model=None, model_dtype=None,
                   model_context=None, images=(), platform="linux/amd64", host_file=None, draw=None):
    """What `envcheck recommend` computes: (Recommendation, pip's verify result or None, Environment). The MCP
    server and `envcheck apply` call this too. `host_file`: the node's saved scan (as --env); `images`: image
    references read from their files and judged on that node (or this machine), ranked as image paths."""
    from envcheck.app.environment import acquire
    from envcheck.recommend import installable, recommend as do_recommend

    if host_file:
        if env_file or root is not None:
            raise InputError("--host FILE is the node (a saved scan): give it once, not with --env/--root")
        env_file = host_file
    into = venv_dir(venv)
    matrix = load_matrix_or_fail(matrix_dirs)
    if into and not env_file and root is None:
        search = tuple(search) + (into,)    # a venv outside the usual places is still found
    env, source = acquire(env_file, root, search, exec_pythons, debug, None)
    read = read_images(images, env, matrix, env_file, root, platform, search, debug, draw)
    rec = do_recommend(env, matrix, target, source, into=into, pip_args=pip_args(find_links, no_index), images=read)
    if model:   # does the model fit the GPUs (envcheck fit): a path that cannot hold it is blocked
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
    return rec, vres, env


def read_images(refs, host_env, matrix, env_file=None, root=None, platform="linux/amd64", search=(), debug=False,
                draw=None):
    """Each image read from its files (streamed, as `check --image`), merged with the host and run through the
    checks: the judged facts recommend ranks (envcheck/recommend/images.py). A bad reference is an input error."""
    if not refs:
        return ()
    from envcheck.checks import run_checks
    from envcheck.probes.image import scan_image
    from envcheck.image.limits import Limits
    from envcheck.model.merge import image_on_host, label
    from envcheck.recommend.images import read_image

    where = label(env_file) if env_file or root is None else f"tree {root}"
    host_findings = run_checks(host_env, matrix, debug=debug)
    out = []
    for ref in sorted(set(refs)):
        img_env = scan_image(ref, platform, Limits.from_environ(), draw, search, debug, None)
        if draw:
            click.echo("\r" + " " * 90 + "\r", err=True, nl=False)
        merged = image_on_host(img_env, host_env, where)
        out.append(read_image(ref, merged, run_checks(merged, matrix, debug=debug), host_findings, where))
    return tuple(out)


def recommend_document(rec, vres=None) -> dict:
    """`envcheck recommend --json`."""
    d = rec.to_dict()
    if vres is not None:
        d["verify"] = vres.to_dict()
    return d


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
    rec, vres, _env = recommendation(env_file, root, search, exec_pythons, matrix_dirs, target, verify, venv,
                                     find_links, no_index, debug,
                                     model, model_dtype, model_context, images, platform, host_file, draw)
    if as_json:
        click.echo(json.dumps(recommend_document(rec, vres), indent=2))
    elif markdown:
        from envcheck.report.recommend import render_recommendation_md
        click.echo(render_recommendation_md(rec, vres), nl=False)
    else:
        from envcheck.marks import can_unicode
        from envcheck.report.recommend import render_recommendation
        click.echo(render_recommendation(rec, unicode=can_unicode() and not ascii_only, verify=vres, verbose=verbose), nl=False)
    if installable(rec, allow_risky=True) is None:
        ctx.exit(EXIT_FAILED)
