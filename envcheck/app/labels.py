"""`labels`: one node's facts and per-target verdicts as a node-feature-discovery local feature file."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Sequence

from envcheck.app.inputs import Inputs
from envcheck.errors import InputError

if TYPE_CHECKING:
    from envcheck.fleet.labels import Label
    from envcheck.fleet.verdict import NodeVerdict
    from envcheck.model import Environment


MAX_EXPIRY_HOURS = 24 * 366 * 10       # ten years: NFD's expiry is for labels that lapse, not forever


@dataclass(frozen=True)
class LabelsResult:
    environment: "Environment"      # with --node-name's hostname
    source: str
    labels: "List[Label]"
    verdicts: "List[NodeVerdict]"   # one per target
    feature_file: str               # the text NFD reads

    def document(self) -> dict:
        """`envcheck labels --json`."""
        return {"labels": {lb.key: lb.value for lb in self.labels}, "verdicts": [v.to_dict() for v in self.verdicts]}


def node_labels(inputs: Inputs, targets: Sequence[str], prefix: str, node_name: Optional[str] = None,
                expiry_hours: Optional[float] = None) -> LabelsResult:
    from envcheck import __version__
    from envcheck.fleet.labels import build_labels, render_feature_file
    from envcheck.model import Host

    _check_request(targets, expiry_hours)
    matrix = inputs.matrix()
    env, source = inputs.environment()
    if node_name:
        env = env.replace(host=dataclasses.replace(env.host or Host(), hostname=node_name))
    built, verdicts = build_labels(env, matrix, targets, prefix)
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    expiry = None
    if expiry_hours is not None:
        expiry = (now + _dt.timedelta(hours=expiry_hours)).isoformat().replace("+00:00", "Z")
    host = env.host.hostname if env.host is not None and env.host.hostname else "(hostname unknown)"
    header = [f"written by envcheck {__version__} labels on {host} at {now.isoformat().replace('+00:00', 'Z')}; "
              f"{source}; matrix {matrix.version}"]
    return LabelsResult(env, source, built, verdicts, render_feature_file(built, header, expiry))


def _check_request(targets: Sequence[str], expiry_hours: Optional[float]) -> None:
    """InputError for a target the matrix has no rows for (a verdict on it would be a guess) and for an expiry
    that is not a finite number of hours NFD can be given."""
    from envcheck.recommend.targets import TARGETS, parse_target

    for target in targets:
        if not parse_target(target).in_matrix:
            raise InputError(f"--target {target.strip()[:80]!r}: not a target envcheck gives verdicts for; the known "
                             f"targets are {', '.join(TARGETS)} (optionally with a version: vllm==0.11.0)")
    if expiry_hours is not None and not (math.isfinite(expiry_hours) and 0 < expiry_hours <= MAX_EXPIRY_HOURS):
        raise InputError(f"--expiry-hours {expiry_hours}: expected a number of hours above 0 and at most "
                         f"{MAX_EXPIRY_HOURS} (ten years)")
