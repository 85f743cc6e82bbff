"""`envcheck apply`: run a ranked path from `envcheck recommend`, step by step, then prove the result."""
from __future__ import annotations

import json
import sys

import click

from envcheck.app.apply_plan import apply_plan
from envcheck.app.apply_run import run_and_prove
from envcheck.app.inputs import Inputs
from envcheck.commands.options import environment_options
from envcheck.commands.recommend import install_options
from envcheck.errors import EXIT_FAILED, InputError


@click.command()
@environment_options
@click.option("--target", "target", required=True, metavar="SPEC",
              help="As for recommend: tensorrt-llm, vllm, sglang, tensorrt, torch (optionally pinned), or any other "
                   "pip package pinned to one version (NAME==1.2.3).")
@click.option("--path", "number", type=int, metavar="N", help="The path to run, by its rank in `envcheck recommend`; "
                                                              "default: the first ok one.")
@click.option("--dry-run", is_flag=True, help="Print the plan (the commands recommend shows), mark the step apply would "
                                             "refuse and why, and run nothing. Exit 1 when it would refuse.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before the first command (needed without a terminal).")
@click.option("--timeout", "step_timeout", type=float, default=3600.0, show_default=True, metavar="SECONDS",
              help="Per step: a step still running then is stopped (its process group killed) and counts as failed.")
@click.option("--import-timeout", type=float, default=300.0, show_default=True, metavar="SECONDS",
              help="For the proof's import of the target.")
@click.option("--json", "as_json", is_flag=True,
              help="The result as JSON on stdout (steps, their exit codes, the proof); step output goes to stderr.")
@install_options
@click.pass_context
def apply(ctx, env_file, root, search, exec_pythons, matrix_dirs, target, number, dry_run, yes, step_timeout,
          import_timeout, as_json, venv, find_links, no_index):
    """Run an install path from `envcheck recommend` here, step by step, then prove it: re-scan, import the
    target in its environment, check its native libraries resolve.

    \b
      envcheck apply --target vllm --dry-run                 the plan: the same commands recommend shows
      envcheck apply --target tensorrt-llm --path 2          ask once, then run path #2
      envcheck apply --target mypkg==1.0 --path 1 --venv ./venv --find-links ./wheels --no-index --yes   offline

    Never changes the host driver, never runs sudo, never waits for input. Exit 0 installed and verified, 1 a step
    failed or the proof did not hold, 2 refused or usage error. --dry-run: exit 0 when apply would run the plan,
    1 when it would refuse it (or there is no path).
    """
    from envcheck.marks import can_unicode

    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, (ctx.obj or {}).get("debug", False))
    planned = apply_plan(inputs, target, number, dry_run, venv, find_links, no_index)
    rec, pl = planned.recommendation, planned.plan
    out = (lambda s: click.echo(s, err=True)) if as_json else click.echo
    u = can_unicode()
    if dry_run:
        _dry_run(out, planned, as_json)
        if planned.refused:
            ctx.exit(EXIT_FAILED)
        return
    _show_plan(out, rec, pl)
    if pl.refusal:
        raise InputError(f"refused: {pl.refusal}")
    runnable = [s for s in pl.steps if not s.manual]
    if not yes:
        if not sys.stdin.isatty():
            raise InputError(f"apply would run {len(runnable)} command(s) on this machine and there is no terminal "
                             f"to ask on: pass --yes to run them, or --dry-run to see them only")
        click.confirm(f"Run these {len(runnable)} command(s) on this machine?", abort=True, err=as_json)
    doc = run_and_prove(out, rec, pl, step_timeout, import_timeout, Inputs(matrix_dirs=matrix_dirs), target, u)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    if not doc["verified"]:
        ctx.exit(EXIT_FAILED)


def _dry_run(out, planned, as_json: bool) -> None:
    """The plan with the step apply would refuse marked, then what apply would do with it; --json on stdout."""
    rec, pl = planned.recommendation, planned.plan
    if as_json:
        click.echo(json.dumps({"target": rec.target, "requested": rec.requested, "dry_run": True,
                               "plan": pl.to_dict() if pl is not None else None, "refused": planned.refused,
                               "no_path": planned.no_path}, indent=2))
    if pl is None:
        out(f"envcheck apply {rec.target}{rec.requested or ''} · no path · {rec.environment_source}")
        out(f"dry run: nothing was run; {planned.no_path}")
        return
    _show_plan(out, rec, pl)
    if pl.refusal is None:
        out("dry run: nothing was run")
        return
    out(f"dry run: nothing was run; apply would refuse this path: {pl.refusal}")
    for b in pl.path.blockers[1:]:
        out(f"  also blocked: {b}")
    other = next((p for p in rec.paths if p.kind == "driver" and p is not pl.path), None)
    if pl.path.status == "blocked" and other is not None:
        out(f"  what it would take: path #{other.rank} ({other.kind}): {(other.reasons or other.blockers or ('',))[0]}")


def _show_plan(out, rec, pl) -> None:
    p = pl.path
    where = f"into {pl.prefix}" if p.environment else (f"a new venv at {pl.prefix}" if pl.prefix else "")
    out(f"envcheck apply {rec.target}{rec.requested or ''} · path #{p.rank}: {p.kind} {p.version} ({p.status})"
        f"{' · ' + where if where else ''} · {rec.environment_source}")
    for s in pl.steps:
        mark = ("    [apply would refuse this step: see below]" if s.number == pl.refused_step else
                "    [for a person: not run]" if s.manual else "")
        out(f"  {s.number}. {s.command}{mark}")
