"""`envcheck fleet report`: a stream of node documents in, groups, drift and verdict counts out (pure but for the
documents it is handed).

Memory per node is its name and a reference in one group (and in one status list per target); documents are
dropped once read. Stacks are kept once per distinct stack, and verdicts once per distinct verdict input (an LRU of
at most VERDICT_CACHE entries), so 10,000 nodes of a few kinds cost a few recommend calls.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from envcheck.fleet.stack import FactsMemo, drift, drift_text, facts_key, stack_key, stack_of
from envcheck.fleet.stream import NodeDoc
from envcheck.fleet.verdict import NodeVerdict, fleet_matrix, node_verdict
from envcheck.model import Environment, ModelError
from envcheck.output import sanitized
from envcheck.recommend.model import STATUSES

VERDICT_CACHE = 1024


@dataclass
class _Group:
    stack: dict
    nodes: List[str] = field(default_factory=list)


@dataclass
class _Tally:
    counts: Counter = field(default_factory=Counter)
    reasons: Dict[str, Counter] = field(default_factory=lambda: {"risky": Counter(), "blocked": Counter()})
    needs: Counter = field(default_factory=Counter)
    nodes: Dict[str, List[str]] = field(default_factory=lambda: {s: [] for s in STATUSES})


def disk_thresholds(matrix) -> List[float]:
    """Every free-disk amount an install path is judged against (matrix/paths.yaml: *disk_gib)."""
    out = set()

    def walk(v, key=""):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, str(k))
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and key.endswith("disk_gib"):
            out.add(float(v))
    for r in matrix.rows("paths"):
        walk(r.data)
    return sorted(out)


class FleetReport:
    def __init__(self, matrix, targets: Sequence[str] = ()):
        self.matrix = fleet_matrix(matrix)
        self.targets = list(dict.fromkeys(targets))
        self.thresholds = disk_thresholds(matrix)
        self.groups: Dict[str, _Group] = {}
        self.tallies = {t: _Tally() for t in self.targets}
        self.unreadable: List[dict] = []
        self.names: Counter = Counter()
        self._cache = FactsMemo(VERDICT_CACHE)
        self.n = 0
        self.recommend_calls = 0

    def add(self, nd: NodeDoc) -> None:
        if nd.data is None:
            self.unreadable.append({"node": nd.name, "source": nd.source, "error": nd.error})
            return
        name = nd.name
        self.names[name] += 1
        if self.names[name] > 1:
            name = f"{name}#{self.names[name]}"       # two documents say the same hostname: keep both, visibly
        res = self._verdicts(nd, name)
        if res is None:
            return
        self.n += 1
        st = stack_of(nd.data)
        g = self.groups.get(stack_key(st))
        if g is None:
            g = self.groups[stack_key(st)] = _Group(st)
        g.nodes.append(name)
        for t, v in zip(self.targets, res):
            ta = self.tallies[t]
            ta.counts[v.status] += 1
            ta.nodes[v.status].append(name)
            if v.status != "ok":
                ta.reasons[v.status][v.reason] += 1
            if v.needs:
                ta.needs[v.needs] += 1

    def _verdicts(self, nd: NodeDoc, name: str) -> Optional[List[NodeVerdict]]:
        """Every document is validated (a bad hostname is as unreadable as a bad driver); the verdicts come from
        the cache when a node with the same facts was judged."""
        try:
            env = Environment.from_dict(nd.data)
        except ModelError as exc:
            self.unreadable.append({"node": name, "source": nd.source, "error": f"{exc.where}: {exc.message}"})
            return None
        return self._cache.get(facts_key(nd.data, self.thresholds), lambda: self._judge(env))

    def _judge(self, env) -> List[NodeVerdict]:
        self.recommend_calls += len(self.targets)
        return [node_verdict(env, self.matrix, t) for t in self.targets]

    # -- results ----------------------------------------------------------------------------------------------
    def ordered_groups(self) -> List[_Group]:
        return sorted(self.groups.values(), key=lambda g: (-len(g.nodes), min(g.nodes)))

    def to_dict(self) -> dict:
        groups = self.ordered_groups()
        ref = groups[0].stack if groups else {}
        drifts = []
        for i, g in enumerate(groups[1:], 1):
            diff = drift(g.stack, ref)
            for n in sorted(g.nodes):
                drifts.append({"node": n, "group": i, "differences": diff})
        drifts.sort(key=lambda d: d["node"])
        return {"nodes": self.n, "matrix_version": str(self.matrix.version),
                "groups": [{"nodes": sorted(g.nodes), "stack": g.stack} for g in groups],
                "drift": drifts, "verdicts": {t: self._verdict_dict(t) for t in self.targets},
                "unreadable": sorted(self.unreadable, key=lambda u: (u["node"], u["source"]))}

    def _verdict_dict(self, t: str) -> dict:
        ta = self.tallies[t]
        d = {s: ta.counts[s] for s in STATUSES}
        d["top_reason"] = self.top_reason(t)
        d["reasons"] = {s: dict(sorted(ta.reasons[s].items(), key=lambda kv: (-kv[1], kv[0]))) for s in ("blocked", "risky")}
        d["needs"] = dict(sorted(ta.needs.items(), key=lambda kv: (-kv[1], kv[0])))
        d["nodes"] = {s: sorted(ta.nodes[s]) for s in STATUSES}
        return d

    def top_reason(self, t: str) -> Optional[str]:
        ta = self.tallies[t]
        for s in ("blocked", "risky"):
            if ta.reasons[s]:
                return min(ta.reasons[s].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return None

    def verdict_line(self, t: str) -> str:
        """'tensorrt-llm==1.1.0: 12 ok; 30 blocked: driver below 580.65.06'"""
        ta = self.tallies[t]
        parts = []
        for s in STATUSES:
            n = ta.counts[s]
            if not n:
                continue
            p = f"{n} {s}"
            if s != "ok" and ta.reasons[s]:
                reason, k = min(ta.reasons[s].items(), key=lambda kv: (-kv[1], kv[0]))
                p += f": {reason}" + (f" ({k} of {n})" if k != n else "")
            parts.append(p)
        return f"{t}: " + ("; ".join(parts) if parts else "no nodes")


@sanitized
def render_text(rep: FleetReport, unicode: bool = True, width: int = 8) -> str:
    dot = "·" if unicode else "-"
    groups = rep.ordered_groups()
    lines = [f"envcheck fleet report {dot} {rep.n} node(s) {dot} {len(groups)} stack(s) {dot} matrix {rep.matrix.version}"]
    if rep.unreadable:
        lines[0] += f" {dot} {len(rep.unreadable)} unreadable"
    lines.append("")
    if groups:
        lines.append("Stacks (largest first)")
    for i, g in enumerate(groups):
        s = g.stack
        gpus = "; ".join(s["gpus"]) if s["gpus"] else ("no GPU" if s["gpus"] is not None else "GPUs unknown")
        pys = ", ".join(f"{p} {v['version']}" + "".join(f" {k} {x}" for k, x in v["packages"].items())
                        for p, v in sorted(s["pythons"].items())) or "no Python environments"
        names = sorted(g.nodes)
        shown = ", ".join(names[:width]) + (f", +{len(names) - width} more" if len(names) > width else "")
        lines.append(f"  [{i}] {len(names)} node(s): {shown}")
        lines.append(f"      driver {s['driver']} (CUDA {s['driver_cuda']}) {dot} {gpus}")
        lines.append(f"      CUDA toolkits: {', '.join(s['cuda_toolkits']) or 'none'} {dot} {len(s['cuda_libraries'])} CUDA "
                     f"libraries {dot} {pys}")
    if len(groups) > 1:
        lines += ["", f"Drift from stack [0] ({len(groups[0].nodes)} nodes)"]
        for i, g in enumerate(groups[1:], 1):
            lines.append(f"  [{i}] {len(g.nodes)} node(s):")
            for d in drift(g.stack, groups[0].stack):
                lines.append(f"      {drift_text(d)}")
    if rep.targets:
        lines += ["", "Verdicts (the node as it stands: a wheel into a venv, or an image)"]
        for t in rep.targets:
            lines.append(f"  {rep.verdict_line(t)}")
            ta = rep.tallies[t]
            if ta.needs:
                lines.append("      would take: " + "; ".join(f"{k} on {n} node(s)" for k, n in
                                                            sorted(ta.needs.items(), key=lambda kv: (-kv[1], kv[0]))))
    for u in sorted(rep.unreadable, key=lambda u: u["node"])[:20]:
        lines.append(f"  unreadable: {u['node']} ({u['source']}): {u['error']}")
    if len(rep.unreadable) > 20:
        lines.append(f"  (+{len(rep.unreadable) - 20} more unreadable in --json)")
    return "\n".join(lines) + "\n"


def check_targets(matrix, targets: Sequence[str]) -> None:
    """Fail early (exit 2) on a target recommend would refuse, before any document is read."""
    from envcheck.recommend.targets import parse_target, release_rows

    for t in targets:
        release_rows(matrix, parse_target(t))


__all__ = ["FleetReport", "render_text", "check_targets"]
