"""Checks: pure rules over (Environment, Matrix) that produce Findings.

Every module in this package that defines ``RULES`` (a list of ``rule(env, matrix) -> iterable of Finding``)
is picked up, so a new rule is a new function in the module that names its subject (driver, container, disk,
pythons, native...). Rules never touch the OS.
"""
from __future__ import annotations

import importlib
import pkgutil
import traceback
from typing import Callable, List

from envcheck.findings import Finding, sort_findings


def rule_modules():
    mods = []
    for info in pkgutil.iter_modules(__path__):
        mods.append(importlib.import_module(f"{__name__}.{info.name}"))
    return mods


def all_rules() -> List[Callable]:
    rules = []
    for mod in rule_modules():
        rules.extend(getattr(mod, "RULES", ()))
    return rules


def run_checks(env, matrix, debug: bool = False) -> List[Finding]:
    out: List[Finding] = []
    for rule in all_rules():
        try:
            out.extend(rule(env, matrix) or ())
        except Exception as exc:
            if debug:
                raise
            out.append(Finding("internal-error", "fail", f"rule {rule.__module__}.{rule.__name__} failed: {exc}",
                               evidence=(traceback.format_exc(limit=2).strip().splitlines()[-1],),
                               fix=("envcheck check --debug",)))
    return sort_findings(out)
