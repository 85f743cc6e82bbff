"""`envcheck scan` and `envcheck check`."""
from __future__ import annotations

import json
import sys

import click

from envcheck.commands.options import environment_options, image_options, load_matrix_or_fail
from envcheck.errors import EXIT_FAILED


def gather(env_file=None, root=None, search=(), exec_pythons=False, matrix_dirs=(), debug=False, progress=None,
           image=None, platform="linux/amd64", host_file=None, host_default=False, image_progress=None):
    """What `envcheck scan` and `envcheck check` compute: (Environment, its source, Matrix, findings). The MCP
    server calls this too. With ``image``: the image's files, on ``host_file``'s facts (or this machine's, when
    ``host_default``)."""
    from envcheck.checks import run_checks
    from envcheck.errors import InputError
    from envcheck.app.environment import acquire, acquire_image

    matrix = load_matrix_or_fail(matrix_dirs)
    if image:
        if env_file or root:
            raise InputError("--image reads the image's files: use --host FILE (not --env/--root) for the node")
        env, source = acquire_image(image, platform, host_file, host_default, search, debug, image_progress, progress)
    elif host_file:
        raise InputError("--host FILE goes with --image REF (the node an image will run on)")
    else:
        env, source = acquire(env_file, root, search, exec_pythons, debug, progress)
    findings = run_checks(env, matrix, debug=debug)
    return env, source, matrix, findings


def check_document(matrix, source: str, findings) -> dict:
    """`envcheck check --json`."""
    return {"matrix_version": matrix.version, "environment_source": source,
            "findings": [f.to_dict() for f in findings]}


def _gather(ctx, env_file, root, search, exec_pythons, matrix_dirs, image=None, platform="linux/amd64",
            host_file=None, host_default=False):
    debug = (ctx.obj or {}).get("debug", False)
    tty = sys.stderr.isatty() and not env_file

    def progress(name):
        click.echo(f"\r  probing {name:<12}", err=True, nl=False)

    bar = None
    if image:
        from envcheck.commands.options import image_progress
        bar = image_progress(tty)
    out = gather(env_file, root, search, exec_pythons, matrix_dirs, debug, progress if tty else None, image, platform,
                 host_file, host_default, bar)
    if tty:
        click.echo("\r" + " " * 30 + "\r", err=True, nl=False)
    return out


@click.command()
@environment_options
@image_options
@click.option("--json", "as_json", is_flag=True, help="Print the environment document (schema envcheck.environment/1).")
@click.option("--markdown", is_flag=True, help="Print the report as Markdown, to paste into an issue.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII marks.")
@click.option("-v", "--verbose", is_flag=True, help="Every CUDA library on its own row (default: one row per directory).")
@click.pass_context
def scan(ctx, env_file, root, search, exec_pythons, matrix_dirs, image, platform, host_file, as_json, markdown,
         ascii_only, verbose):
    """Probe this machine and report what it has: host, disk, driver and GPUs, container, CUDA, Pythons.

    \b
      envcheck scan --json > pod.json      save it; feed it back with --env pod.json anywhere
      envcheck scan --root /mnt/image      an image's rootfs, files only
      envcheck scan --image img.tar        an image, without a daemon (OCI layout, save archive, registry)
    """
    env, source, matrix, findings = _gather(ctx, env_file, root, search, exec_pythons, matrix_dirs, image, platform,
                                            host_file)
    if as_json:
        click.echo(env.to_json())
    elif markdown:
        from envcheck.report.markdown import render_scan_md
        click.echo(render_scan_md(env, findings, matrix.version, source, matrix=matrix), nl=False)
    else:
        from envcheck.report.human import render_scan
        from envcheck.marks import can_unicode
        click.echo(render_scan(env, findings, matrix.version, source, unicode=can_unicode() and not ascii_only,
                               verbose=verbose, matrix=matrix), nl=False)


@click.command()
@environment_options
@image_options
@click.option("--json", "as_json", is_flag=True, help='Print {"matrix_version", "findings": [...]}.')
@click.option("--markdown", is_flag=True, help="Findings as Markdown.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII marks.")
@click.option("--fail-on", type=click.Choice(["fail", "warn", "never"]), default="fail", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.pass_context
def check(ctx, env_file, root, search, exec_pythons, matrix_dirs, image, platform, host_file, as_json, markdown,
          ascii_only, fail_on):
    """Findings only: each says what was seen, why it matters and the fix as a command to paste.

    \b
      envcheck check --image REF --host node.json   will this image run on that node? (no Docker needed)
    """
    env, source, matrix, findings = _gather(ctx, env_file, root, search, exec_pythons, matrix_dirs, image, platform,
                                            host_file, host_default=True)
    if as_json:
        click.echo(json.dumps(check_document(matrix, source, findings), indent=2))
    elif markdown:
        from envcheck.report.markdown import render_findings_md
        click.echo("\n".join(render_findings_md(findings)))
    else:
        from envcheck.report.human import render_check
        from envcheck.marks import can_unicode
        click.echo(render_check(findings, matrix.version, source, unicode=can_unicode() and not ascii_only), nl=False)
    worst = {"fail": ("fail",), "warn": ("fail", "warn"), "never": ()}[fail_on]
    if any(f.severity in worst for f in findings):
        ctx.exit(EXIT_FAILED)
