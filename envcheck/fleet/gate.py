"""`envcheck gate --fleet DIR`: the gate's policy evaluated on every node document, one verdict per node.

Node documents are read one at a time; what is kept per node is its verdict (the rules' outcomes), for the
summary and the JUnit file (one test case per node and rule).
"""
from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Tuple, Union

from envcheck.fleet.stack import FactsMemo, facts_key
from envcheck.fleet.stream import NodeDoc
from envcheck.gate.verdict import Verdict
from envcheck.output import sanitized

MEMO_SIZE = 1024       # distinct node facts whose findings and recommendations are remembered (least recent out)


class _Judged:
    """What `check` found and what `recommend` answered for one set of node facts: nodes with the same facts (the
    document less hostname, machine id and scan timing) get the same answers, computed once."""

    def __init__(self, env, matrix, debug: bool):
        from envcheck.checks import run_checks

        self.env, self.matrix = env, matrix
        self.findings: List = run_checks(env, matrix, debug=debug)
        self._recs: Dict[str, object] = {}

    def recommend(self, target: str):
        from envcheck.recommend import recommend

        if target not in self._recs:
            self._recs[target] = recommend(self.env, self.matrix, target)
        return self._recs[target]


def gate_nodes(docs: Iterable[NodeDoc], policy, matrix, today, envcheck_version: str,
               debug: bool = False) -> Iterator[Tuple[str, Union[Verdict, str]]]:
    """(node name, Verdict) per document, or (node name, why it could not be judged). Linear in the documents:
    nodes with the same facts share one run of the checks and one recommendation per target (_Judged)."""
    from envcheck.fleet.verdict import fleet_matrix
    from envcheck.gate import PolicyError, evaluate
    from envcheck.model import Environment, ModelError

    matrix = fleet_matrix(matrix)
    memo = FactsMemo(MEMO_SIZE)
    seen: dict = {}
    for nd in docs:
        seen[nd.name] = seen.get(nd.name, 0) + 1
        name = nd.name if seen[nd.name] == 1 else f"{nd.name}#{seen[nd.name]}"
        if nd.data is None:
            yield name, f"{nd.source}: {nd.error}"
            continue
        try:
            env = Environment.from_dict(nd.data)
        except ModelError as exc:
            yield name, f"{nd.source}: {exc.where}: {exc.message}"
            continue
        judged = memo.get(facts_key(nd.data), lambda: _Judged(env, matrix, debug))
        try:
            yield name, evaluate(policy, env, matrix, judged.findings, f"from {nd.source}", today, envcheck_version,
                                 judged.recommend)
        except PolicyError as exc:    # the policy names something this node does not have
            yield name, f"the policy cannot be evaluated here: {exc}"


@sanitized
def render_fleet_human(results, unicode: bool = True) -> str:
    from envcheck.marks import marks

    mk = marks(unicode)
    lines = []
    passed = failed = 0
    for node, v in results:
        if isinstance(v, str):
            failed += 1
            lines.append(f"  {mk['fail']} {node:<28} ERROR   {v}")
            continue
        c = v.counts()
        if v.passed:
            passed += 1
        else:
            failed += 1
        bad = [o for o in v.outcomes if o.status == "fail"]
        detail = f"{bad[0].rule.id}: {bad[0].summary}" + (f" (+{len(bad) - 1} more rules)" if len(bad) > 1 else "") \
            if bad else ", ".join(f"{c[k]} {k}" for k in ("pass", "warn", "waived", "skipped") if c[k])
        if not v.passed and not bad and v.expired:
            detail = f"{len(v.expired)} expired waiver(s)"
        lines.append(f"  {mk['ok'] if v.passed else mk['fail']} {node:<28} {v.status.upper():<7} {detail}")
    head = [f"envcheck gate --fleet: {passed} node(s) pass, {failed} fail", ""]
    return "\n".join(head + lines) + "\n"


def fleet_to_dict(results) -> dict:
    nodes = []
    for node, v in results:
        if isinstance(v, str):
            nodes.append({"node": node, "verdict": "error", "passed": False, "error": v})
        else:
            d = v.to_dict()
            nodes.append({"node": node, "verdict": d["verdict"], "passed": d["passed"], "counts": d["counts"],
                          "rules": d["rules"]})
    failed = sum(1 for n in nodes if not n["passed"])
    return {"verdict": "pass" if not failed else "fail", "nodes_total": len(nodes), "nodes_failed": failed,
            "nodes": nodes}
