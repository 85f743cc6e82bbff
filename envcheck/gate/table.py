"""The gate's rules, one RuleSpec each: the parameters the policy loader validates, the evaluator that judges them,
and the finding codes its problems carry. The loader (policy.py) and the verdict (verdict.py) both read RULES.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from packaging.version import Version as _PV

from envcheck.gate import rules as r
from envcheck.gate import values as v
from envcheck.gate.records import Rule
from envcheck.probes.container import SECCOMP_MODES
from envcheck.recommend.model import KINDS

Check = Callable[[Any, Any], Any]            # (value, where) -> normalized value, or ValueError (values.py)
Clash = Optional[Tuple[str, str]]            # (the key to blame, the message) when parameters contradict each other


@dataclass(frozen=True)
class RuleSpec:
    name: str                                # `rule: NAME` in the policy
    required: Dict[str, Check]               # parameter -> its checker
    optional: Dict[str, Check]
    doc: str
    evaluate: Callable[[r.Context, Rule, r.Outcome], None]
    codes: Optional[Tuple[str, ...]]         # the codes its problems carry; None: any finding of `envcheck check`
    at_least_one: bool = False               # checks nothing unless one optional parameter is given
    clash: Optional[Callable[[Dict[str, Any]], Clash]] = None

    @property
    def keys(self) -> Tuple[str, ...]:
        return tuple(self.required) + tuple(self.optional)


def _pin_or_minimum(params: Dict[str, Any]) -> Clash:
    if "version" in params and "min_version" in params:
        return "min_version", "rule 'matrix': give version (a pin) or min_version, not both"
    return None


def _capability_range(params: Dict[str, Any]) -> Clash:
    lo, hi = params.get("min_compute_capability"), params.get("max_compute_capability")
    if lo and hi and _PV(lo) > _PV(hi):
        return ("max_compute_capability",
                f"rule 'gpu': max_compute_capability {hi} is below min_compute_capability {lo}")
    return None


RULES: Dict[str, RuleSpec] = {spec.name: spec for spec in (
    RuleSpec("installable", {"target": v.recommend_target},
             {"allow_risky": v.boolean, "kinds": v.list_of(v.choice(*KINDS)), "or_loadable_in": v.text},
             "the target (a version range) can be installed here, by the same logic as `envcheck recommend`",
             r.installable, (r.NOT_INSTALLABLE,)),
    RuleSpec("loadable", {"target": v.target, "environment": v.text}, {"check_native": v.boolean},
             "the package is installed in the named environment, in range, and its native libraries resolve",
             r.loadable, (r.NOT_LOADABLE,)),
    RuleSpec("driver", {}, {"min_version": v.version, "min_cuda": v.version},
             "the NVIDIA driver is at least this version / runs at least this CUDA",
             r.driver, (r.DRIVER,), at_least_one=True),
    RuleSpec("gpu", {}, {"min_compute_capability": v.version, "max_compute_capability": v.version,
                         "min_memory_gib": v.number, "min_count": v.count, "names": v.list_of(v.text)},
             "at least min_count GPUs (default 1) meet every given bound",
             r.gpu, (r.GPU,), at_least_one=True, clash=_capability_range),
    RuleSpec("disk", {"path": v.text, "min_free_gib": v.number}, {},
             "the filesystem holding path has at least min_free_gib free",
             r.disk, (r.DISK,)),
    RuleSpec("native-libs", {}, {"environments": v.environments, "features": v.list_of(v.text)},
             "no broken native libraries (native-* and cuda-major-mixed findings) in these environments; "
             "a library loaded only on demand (an MPI or RDMA bootstrap, NVRTC) counts only when `features` "
             "names its feature (a word of it: mpi, rdma, nvrtc, ucx, infiniband, gpudirect, ...)",
             r.native_libs, r.NATIVE_CODES),
    RuleSpec("container", {}, {"in_container": v.boolean, "privileged": v.boolean, "runtime": v.list_of(v.word),
                               "docker_socket": v.boolean, "run_as_root": v.boolean,
                               "seccomp": v.list_of(v.choice(*SECCOMP_MODES.values())),
                               "capabilities_required": v.list_of(v.capability),
                               "capabilities_forbidden": v.list_of(v.capability)},
             "container facts; privileged: false = the stack must work without a privileged container",
             r.container, (r.CONTAINER,), at_least_one=True),
    RuleSpec("matrix", {}, {"version": v.matrix_date, "min_version": v.matrix_date},
             "the knowledge the verdict used: pinned to a version, or at least a version",
             r.matrix, (r.MATRIX,), at_least_one=True, clash=_pin_or_minimum),
    RuleSpec("findings", {}, {"fail_on": v.choice("fail", "warn")},
             "no finding of `envcheck check` at fail_on or worse (default fail), unless waived",
             r.findings, None),
    RuleSpec("image-runs", {}, {"fail_on": v.choice("fail", "warn")},
             "the image given with --image runs on the host (--host FILE): its CUDA vs the driver, "
             "NVIDIA_REQUIRE_CUDA, forward compatibility",
             r.image_runs, r.IMAGE_CODES),
)}


def evaluate_rule(ctx: r.Context, rule: Rule) -> r.Outcome:
    out = r.Outcome(rule)
    RULES[rule.kind].evaluate(ctx, rule, out)
    return out
