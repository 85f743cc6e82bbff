"""`apply`'s run: the steps of a plan run on this machine, then the proof that the target installed and loads."""
from __future__ import annotations

from typing import Callable

from envcheck.app.inputs import Inputs


def run_and_prove(out: Callable[[str], None], rec, pl, step_timeout: float, import_timeout: float, inputs: Inputs,
                  target: str, unicode: bool = True) -> dict:
    """Run the plan's steps here (each streamed to `out`, stopped at the first failure), then prove the result:
    re-scan, an isolated import of the target, its native libraries. The document `apply --json` prints."""
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
    matrix = inputs.matrix()
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
