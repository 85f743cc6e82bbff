"""`fleet report`: nodes grouped by identical stack, each node's drift, and per target the nodes it runs on."""
from __future__ import annotations

import os
import sys
from typing import Sequence

from envcheck.app.inputs import Inputs
from envcheck.errors import InputError


def fleet_report(source: str, targets: Sequence[str], inputs: Inputs, stdin=None):
    """The FleetReport (envcheck.fleet.report) of a directory of scans, or of JSON lines on stdin (`source` '-')."""
    from envcheck.fleet.report import FleetReport, check_targets
    from envcheck.fleet.stream import PATTERNS, read_dir, read_lines

    matrix = inputs.matrix()
    check_targets(matrix, targets)
    if source == "-":
        docs = read_lines(sys.stdin if stdin is None else stdin)
    elif os.path.isdir(source):
        docs = read_dir(source)
    else:
        raise InputError(f"{source}: not a directory (give a directory of scans, or '-' for JSON lines on stdin)")
    rep = FleetReport(matrix, targets)
    for nd in docs:
        rep.add(nd)
    if rep.n == 0 and not rep.unreadable:
        raise InputError(f"{source}: no scan documents ({PATTERNS}) found" if source != "-" else
                         "stdin: no JSON lines")
    return rep
