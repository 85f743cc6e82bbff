"""`gate`: a policy judged on an environment, a verdict per rule."""
from __future__ import annotations

import datetime as _dt
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

from envcheck.app.inputs import Inputs
from envcheck.errors import InputError

if TYPE_CHECKING:
    from envcheck.gate.verdict import Verdict


def parse_today(value):
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--today {value!r}: expected a date YYYY-MM-DD") from None


def policy_readable(path: str) -> None:
    """A policy that is not there is named as such (exit 2), without a line number: the file has no lines."""
    import shlex

    if not os.path.exists(path):
        raise InputError(f"--policy {path}: no such file; `envcheck init-policy -o {shlex.quote(path)}` writes a "
                         f"starter policy for this machine")
    if not os.path.isfile(path):
        raise InputError(f"--policy {path}: not a regular file; name the policy YAML file")
    if not os.access(path, os.R_OK):
        raise InputError(f"--policy {path}: cannot read it (permission denied)")


def gate_verdict(policy_path: str, inputs: Inputs, today: Optional[str] = None):
    """What `envcheck gate` computes (its --json is ``verdict.to_dict()``). The MCP server calls this too."""
    from envcheck import __version__
    from envcheck.checks import run_checks
    from envcheck.gate import evaluate, load_policy

    when = parse_today(today)
    policy_readable(policy_path)
    policy = load_policy(policy_path)          # exit 2 with file:line before anything is probed
    env_file = inputs.env_file
    if env_file and not os.path.isfile(env_file):
        raise InputError(f"--env {env_file}: no such file. Take the scan on the target machine with "
                         f"`envcheck scan --json > {os.path.basename(env_file)}` and copy it here, or drop --env to "
                         f"gate this machine")
    matrix = inputs.matrix()
    env, source = inputs.environment()   # an image runs on the node's facts (--host FILE, else this machine)
    findings = run_checks(env, matrix, debug=inputs.debug)
    return evaluate(policy, env, matrix, findings, source, when, __version__)


@dataclass(frozen=True)
class FleetGate:
    """`gate --fleet`: a verdict per node document (or the reason a document could not be read)."""
    results: "List[Tuple[str, Union[Verdict, str]]]"   # (node, its verdict or why its document is unusable)

    @property
    def passed(self) -> bool:
        return not any(isinstance(v, str) or not v.passed for _, v in self.results)

    def document(self) -> dict:
        """`envcheck gate --fleet --json`."""
        from envcheck.fleet.gate import fleet_to_dict
        return fleet_to_dict(self.results)


def gate_fleet(policy_path: str, fleet_dir: str, inputs: Inputs, today: Optional[str] = None) -> FleetGate:
    """The policy judged on every node document in `fleet_dir` (as `envcheck fleet report` reads it; '-' for JSON
    lines on stdin)."""
    from envcheck import __version__
    from envcheck.fleet.gate import gate_nodes
    from envcheck.fleet.stream import read_dir, read_lines
    from envcheck.gate import load_policy

    when = parse_today(today)
    policy_readable(policy_path)
    policy = load_policy(policy_path)          # exit 2 with file:line before anything is read
    if fleet_dir == "-":
        docs = read_lines(sys.stdin)
    elif os.path.isdir(fleet_dir):
        docs = read_dir(fleet_dir)
    else:
        raise InputError(f"--fleet {fleet_dir}: not a directory of node scans (or '-' for JSON lines on stdin)")
    results = list(gate_nodes(docs, policy, inputs.matrix(), when, __version__, inputs.debug))
    if not results:
        raise InputError(f"--fleet {fleet_dir}: no node documents (*.json, *.jsonl)")
    return FleetGate(results)
