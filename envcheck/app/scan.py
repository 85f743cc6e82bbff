"""`scan` and `check`: the environment, where it came from, the matrix and the findings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, List, Optional

from envcheck.app.inputs import Inputs

if TYPE_CHECKING:
    from envcheck.findings import Finding
    from envcheck.matrix.load import Matrix
    from envcheck.model import Environment


@dataclass(frozen=True)
class ScanResult:
    environment: "Environment"
    source: str             # where the facts came from: this machine, a tree, a saved scan
    matrix: "Matrix"
    findings: "List[Finding]"

    def check_document(self) -> dict:
        """`envcheck check --json`."""
        return check_document(self.matrix, self.source, self.findings)


def check_document(matrix, source: str, findings) -> dict:
    return {"matrix_version": matrix.version, "environment_source": source,
            "findings": [f.to_dict() for f in findings]}


def scan(inputs: Inputs, progress: Optional[Callable[[str], None]] = None, draw=None) -> ScanResult:
    """What `envcheck scan` and `envcheck check` (and the MCP tools of those names) compute."""
    from envcheck.checks import run_checks

    matrix = inputs.matrix()
    env, source = inputs.environment(progress, draw)
    return ScanResult(env, source, matrix, run_checks(env, matrix, debug=inputs.debug))
