"""`envcheck gate` (a policy in, a verdict and an exit code out) and `envcheck init-policy`."""
from __future__ import annotations

import json
import os
import sys

import click

from envcheck.app.gate import gate_fleet, gate_verdict
from envcheck.app.inputs import Inputs
from envcheck.commands.options import environment_options, image_options
from envcheck.errors import EXIT_FAILED, InputError
from envcheck.output import write_text


@click.command()
@click.option("--policy", "policy_path", metavar="FILE", required=True,
              help="The policy (schema envcheck.policy/1); `envcheck init-policy` writes a starter.")
@environment_options
@image_options
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON instead of text.")
@click.option("--junit", "junit_path", metavar="FILE", help="Write JUnit XML: one testcase per rule.")
@click.option("--github", "github", is_flag=True,
              help="Print GitHub workflow-command annotations; append the summary to $GITHUB_STEP_SUMMARY if set.")
@click.option("--markdown", "markdown_path", metavar="FILE", help="Write the verdict as Markdown.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII marks.")
@click.option("--today", "today", metavar="YYYY-MM-DD", help="Judge waiver expiry as of this date (to reproduce an "
                                                             "old verdict); default: today, UTC.")
@click.option("--quiet", "-q", is_flag=True, help="Only the rules that did not pass (fail, warn, skipped) and the "
                                                   "verdict.")
@click.option("--fleet", "fleet_dir", metavar="DIR|-", help="Gate every node document in DIR (as `envcheck fleet "
              "report` reads it; '-' for JSON lines on stdin): a verdict per node; JUnit: one test case per node "
              "and rule.")
@click.pass_context
def gate(ctx, policy_path, env_file, root, search, exec_pythons, matrix_dirs, image, platform, host_file, as_json,
         junit_path, github, markdown_path, ascii_only, today, quiet, fleet_dir):
    """Evaluate a policy against this machine (or a saved scan with --env) and exit 0 pass, 1 fail,
    2 bad policy/usage/input, 3 envcheck's own failure.

    \b
      envcheck gate --policy envcheck-policy.yaml                   on the target machine
      envcheck gate --policy envcheck-policy.yaml --env scan.json   on a CI runner, against a scan of the target
      envcheck gate --policy p.yaml --env scan.json --junit report.xml --github --markdown summary.md
      envcheck gate --policy p.yaml --image REF --host node.json    the image CI just built, on a node kind
    """
    debug = (ctx.obj or {}).get("debug", False)
    if fleet_dir is not None:
        if env_file or root or image or github or markdown_path:
            raise InputError("--fleet reads node documents: it excludes --env, --root, --image, --github and --markdown")
        _gate_fleet(ctx, gate_fleet(policy_path, fleet_dir, Inputs(matrix_dirs=matrix_dirs, debug=debug), today),
                    as_json, junit_path, ascii_only)
        return
    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, debug, image, platform, host_file, True)
    verdict = gate_verdict(policy_path, inputs, today)

    from envcheck.gate.render import render_human, render_markdown
    from envcheck.marks import can_unicode

    md = None
    if markdown_path or github:
        md = render_markdown(verdict)
    if markdown_path:
        write_text(markdown_path, md, "--markdown")
    if junit_path:
        from envcheck.report.junit import render_junit
        write_text(junit_path, render_junit(verdict), "--junit")
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), indent=2))
    else:
        click.echo(render_human(verdict, unicode=can_unicode() and not ascii_only, verbose=not quiet), nl=False)
    if github:
        from envcheck.report.github import annotations, append_step_summary
        for line in annotations(verdict):
            click.echo(line, err=as_json)      # the runner reads workflow commands on stdout and stderr
        append_step_summary(md)
    if not verdict.passed:
        ctx.exit(EXIT_FAILED)


def _gate_fleet(ctx, fleet, as_json, junit_path, ascii_only):
    from envcheck.fleet.gate import render_fleet_human
    from envcheck.marks import can_unicode

    if junit_path:
        from envcheck.report.junit import render_junit_fleet
        write_text(junit_path, render_junit_fleet(fleet.results), "--junit")
    if as_json:
        click.echo(json.dumps(fleet.document(), indent=2))
    else:
        click.echo(render_fleet_human(fleet.results, unicode=can_unicode() and not ascii_only), nl=False)
    if not fleet.passed:
        ctx.exit(EXIT_FAILED)


@click.command("init-policy")
@environment_options
@click.option("-o", "--output", "output", metavar="FILE", default="envcheck-policy.yaml", show_default=True,
              help="Where to write it; '-' for stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--target", "target", metavar="SPEC", default="tensorrt-llm",
              help="The target the installable rule asks for, e.g. 'tensorrt-llm>=0.19,<1.1'.")
@click.pass_context
def init_policy(ctx, env_file, root, search, exec_pythons, matrix_dirs, output, force, target):
    """Write a commented starter policy from what this machine (or --env FILE) has now."""
    from envcheck.gate.starter import starter_policy
    if output != "-" and os.path.exists(output) and not force:
        raise InputError(f"init-policy: {output} already exists and was left unchanged; pass --force to overwrite "
                         f"it, or -o another file")
    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, (ctx.obj or {}).get("debug", False))
    matrix = inputs.matrix()
    env, source = inputs.environment()
    text = starter_policy(env, matrix, source, target, path="envcheck-policy.yaml" if output == "-" else output)
    if output == "-":
        click.echo(text, nl=False)
        return
    write_text(output, text, "-o")
    click.echo(f"wrote {output}; check it with: envcheck gate --policy {output}", err=True)


__all__ = ["gate", "init_policy", "sys"]
