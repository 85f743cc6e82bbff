"""`envcheck labels`: one node's facts and verdicts as NFD local feature lines (pure).

Facts the scheduler can match on (driver, the CUDA it runs, GPU compute capability, count and model, whether the
scanning container was privileged) and, per target, the verdict of verdict.py: `ok`, `risky` or `blocked` as the
node stands, and beside it what would change that (`.needs=driver-580.65.06`, `gpu`, `source-build`).

NVIDIA's GPU feature discovery labels (nvidia.com/cuda.driver.major, nvidia.com/gpu.compute.major, ...) carry
facts too; envcheck's own facts are here so that one selector works where GFD is not installed, and under its own
prefix so nothing collides. What GFD cannot say is the verdict: whether a given stack loads on the node.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from envcheck.errors import InputError
from envcheck.output import sanitized
from envcheck.fleet.k8s import (DEFAULT_PREFIX, NAME_MAX, NFD_FILE_MAX, PREFIX_MAX, key_problems, label_problems,
                               sanitize_value)
from envcheck.fleet.verdict import NodeVerdict, node_verdict

_OPS = (("===", "eq"), ("==", ""), (">=", "ge"), ("<=", "le"), ("!=", "ne"), ("~=", "compat"), (">", "gt"), ("<", "lt"))


@dataclass(frozen=True)
class Label:
    key: str
    value: str
    note: str = ""          # a comment written above it (what it says, where it came from)


def target_slug(target: str) -> str:
    """'tensorrt-llm==1.1.0' -> 'tensorrt-llm-1.1.0'; 'vllm>=0.10,<0.12' -> 'vllm-ge0.10-lt0.12'."""
    from envcheck.recommend.targets import parse_target

    t = parse_target(target)
    if not t.text:
        return t.name
    parts = []
    for clause in t.text.replace(" ", "").split(","):
        for op, word in _OPS:
            if clause.startswith(op):
                parts.append(word + clause[len(op):].replace("*", "x"))
                break
    return "-".join([t.name] + parts)


FACT_NAMES = ("driver", "driver.cuda", "gpu.count", "gpu.compute", "gpu.model", "container.privileged", "matrix")


def check_prefix(prefix: str) -> None:
    """InputError unless every label key envcheck writes under `prefix` is a valid Kubernetes label key."""
    shown = repr(prefix[:80]) + (f" ({len(prefix)} characters)" if len(prefix) > 80 else "")
    if "/" not in prefix:
        raise InputError(f"--prefix {shown}: a label prefix needs a domain and '/', e.g. {DEFAULT_PREFIX} (NFD "
                         f"treats unprefixed names as deprecated)")
    for name in FACT_NAMES:
        probs = key_problems(prefix + name)
        if probs:
            domain, _, start = prefix.rpartition("/")
            raise InputError(f"--prefix {shown}: the label {name!r} under it is not a valid Kubernetes label key: "
                             + _why(probs[0], domain, start) + f"; e.g. {DEFAULT_PREFIX}")


def _why(problem: str, domain: str, start: str) -> str:
    """A key problem said without echoing the (possibly long or hostile) prefix a second time."""
    if problem.startswith("empty prefix"):
        return "the domain before '/' is empty"
    if domain and problem.startswith("prefix "):
        return (f"the domain is {len(domain)} characters (at most {PREFIX_MAX})" if len(domain) > PREFIX_MAX else
                "the domain must be a DNS subdomain (dot-separated lower-case [a-z0-9-] labels)")
    if "characters (at most" in problem:
        return f"the name after '/' would be longer than {NAME_MAX} characters"
    return "the name after '/' must begin with [A-Za-z0-9] and hold only [-_.A-Za-z0-9]"


def build_labels(env, matrix, targets: Sequence[str], prefix: str = DEFAULT_PREFIX) -> Tuple[List[Label], List[NodeVerdict]]:
    check_prefix(prefix)
    labels = facts(env, prefix) + [Label(prefix + "matrix", sanitize_value(matrix.version), "matrix version judged against")]
    verdicts = []
    seen = set()
    for target in targets:
        slug = target_slug(target)
        if slug in seen:
            continue
        seen.add(slug)
        key = prefix + slug
        probs = key_problems(key + ".needs")
        if probs:
            raise InputError(f"--target {target!r}: the label {slug!r}.needs under --prefix is not a valid Kubernetes "
                             f"label key (longer than {NAME_MAX} characters, or odd characters); shorten --prefix "
                             "or pin the target with == instead of a range")
        v = node_verdict(env, matrix, target)
        verdicts.append(v)
        note = (f"{target}: {v.status}" + (f" ({v.kind} {v.version})" if v.version else "") +
                (f"; {v.reason}" if v.reason else ""))
        labels.append(Label(key, v.status, note))
        if v.needs:
            labels.append(Label(key + ".needs", sanitize_value(v.needs), f"what would make {target} run: {v.needs}"))
    for lb in labels:
        probs = label_problems(lb.key, lb.value)
        if probs:  # envcheck's own bug: every value is sanitised and every key checked above
            raise ValueError(f"invalid label {lb.key}={lb.value}: {probs[0]}")
    return labels, verdicts


def facts(env, prefix: str) -> List[Label]:
    out: List[Label] = []
    d = env.driver
    if d is not None and d.version is not None:
        out.append(Label(prefix + "driver", sanitize_value(str(d.version)), f"driver.version (source {d.source})"))
        if d.cuda is not None:
            out.append(Label(prefix + "driver.cuda", sanitize_value(str(d.cuda)), "driver.cuda: the highest CUDA the driver runs"))
    elif d is not None and d.error:
        out.append(Label(prefix + "driver", "none", "driver: " + " ".join(d.error.split())[:120]))
    gpus = list(env.gpus or ())
    if env.gpus is not None:
        out.append(Label(prefix + "gpu.count", str(len(gpus)), "gpus"))
    ccs = sorted({g.compute_capability for g in gpus if g.compute_capability is not None})
    if ccs:
        out.append(Label(prefix + "gpu.compute", sanitize_value(str(ccs[0])),
                         "lowest compute capability of the GPUs" + (f" (also {', '.join(map(str, ccs[1:]))})" if len(ccs) > 1 else "")))
    names = sorted({g.name for g in gpus if g.name})
    if len(names) == 1:
        out.append(Label(prefix + "gpu.model", sanitize_value(names[0]), f"gpus[].name = {names[0]}"))
    elif len(names) > 1:
        out.append(Label(prefix + "gpu.model", "mixed", "gpus[].name: " + ", ".join(names)))
    c = env.container
    if c is not None and c.privileged is not None:
        out.append(Label(prefix + "container.privileged", "true" if c.privileged else "false",
                         "container.privileged of the container envcheck ran in"))
    return out


@sanitized
def render_feature_file(labels: Sequence[Label], header: Sequence[str] = (), expiry: Optional[str] = None) -> str:
    lines = ["# " + re.sub(r"\s+", " ", h) for h in header]
    if expiry:
        lines.append(f"# +expiry-time={expiry}")
    for lb in labels:
        if lb.note:
            lines.append("# " + re.sub(r"\s+", " ", lb.note))
        lines.append(f"{lb.key}={lb.value}")
    text = "\n".join(lines) + "\n"
    if len(text.encode()) > NFD_FILE_MAX:  # NFD ignores a larger file: drop the comments rather than the labels
        text = "\n".join(([f"# +expiry-time={expiry}"] if expiry else []) + [f"{lb.key}={lb.value}" for lb in labels]) + "\n"
    return text
