"""The pre-deploy gate: a policy file in, a verdict and an exit code out (docs/gate.md).

    policy = load_policy("envcheck-policy.yaml")         # PolicyError (exit 2, file:line) when malformed
    verdict = evaluate(policy, env, matrix, run_checks(env, matrix), "from scan.json")
    verdict.passed                                         # exit 0, else 1
"""
from __future__ import annotations

from envcheck.gate.policy import SCHEMA, load_policy, parse_policy
from envcheck.gate.records import Policy, PolicyError, Rule, Waiver
from envcheck.gate.verdict import Verdict, evaluate

__all__ = ["SCHEMA", "Policy", "PolicyError", "Rule", "Waiver", "Verdict", "evaluate", "load_policy", "parse_policy"]
