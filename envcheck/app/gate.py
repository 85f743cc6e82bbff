"""`gate`: a policy judged on an environment, a verdict per rule."""
from __future__ import annotations

import datetime as _dt
import os
from typing import Optional

from envcheck.app.inputs import Inputs
from envcheck.errors import InputError


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
