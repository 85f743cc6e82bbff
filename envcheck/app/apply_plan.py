"""`apply`'s plan: the ranked path from `recommend` that apply would run here, as steps (or why it refuses)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from envcheck.app.inputs import Inputs
from envcheck.app.recommend import recommendation
from envcheck.errors import InputError

if TYPE_CHECKING:
    from envcheck.apply.plan import Plan
    from envcheck.recommend.model import Recommendation


@dataclass(frozen=True)
class ApplyPlan:
    recommendation: "Recommendation"
    plan: Optional["Plan"]            # the steps, or why apply refuses the path; None: recommend ranked no path
    no_path: Optional[str] = None     # with no plan: why, and what would give one

    @property
    def refused(self) -> bool:
        """Whether apply would not run this (a dry run exits 1)."""
        return self.plan is None or self.plan.refusal is not None


def apply_plan(inputs: Inputs, target: str, number: Optional[int] = None, dry_run: bool = False,
               venv: Optional[str] = None, find_links: Sequence[str] = (), no_index: bool = False) -> ApplyPlan:
    """Path `number` (default: the first ok one) for `target`, as a plan. Another machine's facts (--env, --root)
    only give a plan to look at (`dry_run`): apply runs commands on this one. A dry run always has a plan to show
    where recommend ranked a path: where apply would not take one by default (only risky or blocked paths), the
    plan is of the first of them and its refusal says why."""
    from envcheck.apply.plan import choose, pick, plan as make_plan

    if (inputs.env_file or inputs.root) and not dry_run:
        which = f"--env {inputs.env_file}" if inputs.env_file else f"--root {inputs.root}"
        raise InputError(f"{which} describes another machine, and apply runs commands on this one: with {which} "
                         f"only --dry-run works (it prints the plan)")
    rec = recommendation(inputs, target, False, venv, find_links, no_index).recommendation
    if not dry_run:
        return ApplyPlan(rec, make_plan(choose(rec, number)))
    c = pick(rec, number)
    if c.path is None:
        return ApplyPlan(rec, None, c.why_not)
    return ApplyPlan(rec, make_plan(c.path, c.why_not))
