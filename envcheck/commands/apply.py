"""`envcheck apply`: run a ranked path from `envcheck recommend`, step by step, then prove the result."""
from __future__ import annotations

import json
import sys

import click

from envcheck.app.apply_plan import apply_plan
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
@click.option("--dry-run", is_flag=True, help="Print the plan (the commands recommend shows) and run nothing.")
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
    failed or the proof did not hold, 2 refused or usage error.
    """
    from envcheck.marks import can_unicode

    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, (ctx.obj or {}).get("debug", False))
    planned = apply_plan(inputs, target, number, dry_run, venv, find_links, no_index)
    rec, pl = planned.recommendation, planned.plan
    out = (lambda s: click.echo(s, err=True)) if as_json else click.echo
    u = can_unicode()
    _show_plan(out, rec, pl)
    if dry_run:
        if as_json:
            click.echo(json.dumps({"target": rec.target, "requested": rec.requested, "dry_run": True,
                                   "plan": pl.to_dict()}, indent=2))
        if pl.refusal:
            raise InputError(f"apply would refuse this path: {pl.refusal}")
        out("dry run: nothing was run")
        return
    if pl.refusal:
        raise InputError(f"refused: {pl.refusal}")
    runnable = [s for s in pl.steps if not s.manual]
    if not yes:
        if not sys.stdin.isatty():
            raise InputError(f"apply would run {len(runnable)} command(s) on this machine and there is no terminal "
                             f"to ask on: pass --yes to run them, or --dry-run to see them only")
        click.confirm(f"Run these {len(runnable)} command(s) on this machine?", abort=True, err=as_json)
    doc = run_and_prove(out, rec, pl, step_timeout, import_timeout, matrix_dirs, target, u)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    if not doc["verified"]:
        ctx.exit(EXIT_FAILED)


def _show_plan(out, rec, pl) -> None:
    p = pl.path
    where = f"into {pl.prefix}" if p.environment else (f"a new venv at {pl.prefix}" if pl.prefix else "")
    out(f"envcheck apply {rec.target}{rec.requested or ''} · path #{p.rank}: {p.kind} {p.version} ({p.status})"
        f"{' · ' + where if where else ''} · {rec.environment_source}")
    for s in pl.steps:
        out(f"  {s.number}. {s.command}" + ("    [for a person: not run]" if s.manual else ""))


def run_and_prove(out, rec, pl, step_timeout, import_timeout, matrix_dirs, target, unicode=True) -> dict:
    from envcheck.apply.prove import prove
    from envcheck.apply.run import run_steps, start_shell
    from envcheck.recommend.targets import parse_target

    ok_mark, bad_mark = ("✓", "✗") if unicode else ("ok", "XX")
    total = len(pl.steps)
    shell = start_shell()

    def announce(step):
        out(f"\n[{step.number}/{total}] $ {step.command}")

    results = run_steps(pl.steps, shell, step_timeout, echo=lambda line: out("  | " + line), announce=announce)
    doc = {"target": rec.target, "requested": rec.requested, "path": pl.path.to_dict(), "prefix": pl.prefix,
           "steps": [r.to_dict() for r in results], "failed_step": None, "proof": None, "verified": False}
    failed = next((r for r in results if not r.ok), None)
    if failed is not None:
        n = failed.step.number
        why = f"did not finish within {step_timeout:g} s (stopped)" if failed.timed_out else \
            f"exit code {failed.returncode}"
        out(f"\n{bad_mark} step {n} failed ({why}): {failed.step.command}")
        if failed.tail:
            out("  last lines of its output:")
            for line in failed.tail[-10:]:
                out("    " + line)
        ran = [r.step.number for r in results if r is not failed]
        out(f"  already run: {_steps(ran) or 'no step before it'}; not run: {_steps(range(n + 1, total + 1)) or 'none'}")
        out("  what the steps before it changed stays; fix the cause, then rerun (pip steps are idempotent)")
        doc["failed_step"] = n
        doc["verdict"] = f"step {n} failed ({why})"
        return doc
    out(f"\n{ok_mark} all {total} step(s) ran. Proving: re-scan, import, native libraries ...")
    if not pl.prefix:
        doc["verdict"] = "the steps ran, but the path names no environment to prove"
        out("  " + doc["verdict"])
        return doc
    matrix = Inputs(matrix_dirs=matrix_dirs).matrix()
    proof = prove(pl.path, pl.prefix, shell.env, matrix, parse_target(target).module, import_timeout)
    doc["proof"] = proof.to_dict()
    doc["verified"] = proof.verified
    doc["verdict"] = proof.verdict
    _show_proof(out, proof, ok_mark, bad_mark)
    return doc


def _steps(numbers) -> str:
    return ", ".join(str(n) for n in numbers)


def _show_proof(out, proof, ok_mark, bad_mark) -> None:
    mark = lambda good: ok_mark if good else bad_mark  # noqa: E731
    out(f"  {mark(proof.installed == proof.want_version)} files: {proof.dist} "
        f"{proof.installed or 'not installed'} in {proof.prefix} (pythons probe)")
    if proof.imported is not None:
        v = proof.imported.get("version") or proof.imported.get("dist_version") or "?"
        out(f"  {ok_mark} import {proof.imported.get('module')}: {v} from {proof.imported.get('file')} "
            f"({proof.python} -I)")
    else:
        out(f"  {bad_mark} {proof.import_error}")
    out(f"  {mark(not proof.native)} native: {proof.native_files} shared object(s) of {', '.join(proof.modules)} "
        f"checked; {len(proof.native) or 'no'} problem(s)")
    for f in proof.native:
        out(f"      {f.title}")
        for fx in f.fix:
            out(f"        fix: $ {fx}")
    for f in proof.elsewhere:
        out(f"  · also in this environment (not the target): {f.title}")
    out(f"\n{mark(proof.verified)} {proof.verdict}")
