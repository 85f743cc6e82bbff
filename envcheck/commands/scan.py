"""`envcheck scan` and `envcheck check`."""
from __future__ import annotations

import json
import sys

import click

from envcheck.app.inputs import Inputs
from envcheck.app.scan import check_document, scan as run_scan
from envcheck.commands.options import environment_options, image_options
from envcheck.errors import EXIT_FAILED


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
    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, debug, image, platform, host_file, host_default)
    r = run_scan(inputs, progress if tty else None, bar)
    out = r.environment, r.source, r.matrix, r.findings
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
