"""Which ranked path `envcheck apply` takes, the steps it would run, and what it refuses. Pure: reads a
Recommendation, never the OS.

The steps are the path's commands exactly as `envcheck recommend` prints them for pasting; a command that is only
a comment ("# RunPod console > ...") is something for a person to do and is never run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from envcheck.errors import InputError
from envcheck.model.base import Plain
from envcheck.recommend.model import BLOCKED, OK, RISKY, InstallPath, Recommendation

# a command word `sudo` (at the start, or after ; & | ( or a space): apply never raises privileges itself
SUDO = re.compile(r"(^|[;&|(]\s*|\s)sudo(\s|$)")
# what changes the host's kernel driver or restarts the machine; the driver path is refused as a whole, and a
# step of any other path that does one of these is refused too
DRIVER = (
    (re.compile(r"\bnvidia-driver-\d+"), "installs an NVIDIA driver package"),
    (re.compile(r"\bcuda-drivers\b"), "installs the cuda-drivers package (the kernel driver)"),
    (re.compile(r"NVIDIA-Linux-\S*\.run|\bnvidia-installer\b"), "runs NVIDIA's driver installer"),
    (re.compile(r"\b(modprobe|rmmod|insmod)\b[^;&|]*\bnvidia"), "loads or unloads the nvidia kernel module"),
    (re.compile(r"(^|[;&|]\s*)(reboot|shutdown)\b"), "restarts the machine"),
)
RUNNABLE_KINDS = ("wheel", "source")


@dataclass(frozen=True)
class Step(Plain):
    number: int                 # 1-based, as shown
    command: str                # verbatim from the path
    manual: bool                # only a comment: for a person, never run


@dataclass(frozen=True)
class Plan(Plain):
    path: InstallPath
    steps: Tuple[Step, ...]
    prefix: Optional[str]       # the environment the target goes into (existing, or the venv the path creates)
    refusal: Optional[str]      # why apply will not run it (None: it may)
    refused_step: Optional[int] = None   # the step the refusal is about (None: the whole path, or no refusal)


@dataclass(frozen=True)
class Choice:
    """The path apply would take, and why it would not take it without --path N (None: it would)."""
    path: Optional[InstallPath]          # None only when recommend ranked no path at all
    why_not: Optional[str]


def pick(rec: Recommendation, number: Optional[int] = None) -> Choice:
    """--path N (its rank; an unknown rank is an InputError), else the first `ok` path; where there is none, the
    path a dry run shows instead (the first risky one, else the first ranked) with why apply would not take it."""
    name = f"{rec.target}{rec.requested or ''}"
    if number is not None:
        for p in rec.paths:
            if p.rank == number:
                return Choice(p, None)
        raise InputError(f"--path {number}: recommend ranked {len(rec.paths)} path(s) for {name}; run "
                         f"`envcheck recommend --target {name}`")
    for p in rec.paths:
        if p.status == OK:
            return Choice(p, None)
    risky = [p for p in rec.paths if p.status == RISKY]
    if risky:
        listed = "; ".join(f"#{p.rank} {p.kind} {p.version}: {_first(p.reasons)}" for p in risky[:3])
        return Choice(risky[0], f"no path for {name} is ok here, only risky ones ({listed}); take one knowingly "
                                f"with --path N")
    if not rec.paths:
        return Choice(None, f"recommend found no install path for {name} here ({rec.matrix_version}); see "
                            f"`envcheck recommend --target {name} -v`, or add rows for it with --matrix DIR")
    first = next((p for p in rec.paths if p.blockers), rec.paths[0])
    return Choice(rec.paths[0], f"every path for {name} is blocked here"
                  + (f" (#{first.rank} {first.kind}: {first.blockers[0]})" if first.blockers else "")
                  + f"; see `envcheck recommend --target {name} -v`")


def choose(rec: Recommendation, number: Optional[int] = None) -> InstallPath:
    """The path to apply: --path N (its rank), else the first `ok` one. InputError says what there is instead."""
    c = pick(rec, number)
    if c.why_not is not None or c.path is None:
        raise InputError(c.why_not or "no path")
    return c.path


def _first(reasons) -> str:
    r = next((r for r in reasons if "not in the matrix" in r or "compatib" in r), reasons[0] if reasons else "")
    return r[:160] + ("..." if len(r) > 160 else "")


def plan(path: InstallPath, why_not: Optional[str] = None) -> Plan:
    """The path's steps and the first reason apply would refuse it (checked before anything runs, so nothing is
    half done): the path's own (driver, image, blocked), then
    `why_not` (apply would not take it without --path N), then a step's (for a person, the driver, sudo)."""
    steps = tuple(Step(i, c, c.lstrip().startswith("#")) for i, c in enumerate(path.commands, 1))
    prefix = path.environment or path.venv
    whole = path_refusal(path)
    step, why = (None, whole or why_not) if whole or why_not else step_refusal(steps)
    return Plan(path=path, steps=steps, prefix=prefix, refusal=why, refused_step=step)


def path_refusal(path: InstallPath) -> Optional[str]:
    """Why apply will not run this path whatever its steps are (a driver or image path, a blocked one), or None."""
    label = f"#{path.rank} {path.kind} {path.target} {path.version}"
    if path.kind == "driver":
        return (f"{label} changes the host's NVIDIA driver: envcheck apply never does that (it stops every GPU "
                f"process and needs the host's owner); its steps are in `envcheck recommend -v` for whoever owns "
                f"the host")
    if path.kind not in RUNNABLE_KINDS:
        return (f"{label} replaces this machine or pod with another image: there is nothing to run on this one; "
                f"its steps are for a person (`envcheck recommend -v`)")
    if path.status == BLOCKED:
        return f"{label} is blocked here: {path.blockers[0] if path.blockers else 'see envcheck recommend -v'}"
    return None


def step_refusal(steps: Tuple[Step, ...]) -> Tuple[Optional[int], Optional[str]]:
    """(the first step apply will not run, why), or (None, None)."""
    manual = next((s for s in steps if s.manual), None)
    if manual is not None:
        return manual.number, (f"step {manual.number} is for a person, not a command "
                               f"({manual.command.lstrip('# ')!r}): apply runs only paths that are commands "
                               f"throughout; do that by hand and paste the steps after it")
    for s in steps:
        for rx, what in DRIVER:
            if rx.search(s.command):
                return s.number, f"step {s.number} {what} ({s.command!r}): envcheck apply never changes the host driver"
        if SUDO.search(s.command):
            return s.number, (f"step {s.number} runs sudo ({s.command.split('    #')[0]!r}): envcheck apply never "
                              f"raises privileges on its own. Run that step yourself, or run apply as root: the scan "
                              f"then sees uid 0 and recommend writes the same step without sudo")
    return None, None
