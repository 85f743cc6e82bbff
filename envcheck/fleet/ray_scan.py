"""`envcheck fleet scan --ray`: one scan on every alive node of a Ray cluster, one document per node.

Ray is the engine: a task pinned to each node with NodeAffinitySchedulingStrategy(soft=False), all launched at
once, collected with one deadline (the per-node timeout: they run in parallel). A node whose task fails, dies or
times out is reported, not fatal. Ray is imported only here (the `fleet` extra). The tasks ask for no CPU or GPU, so
they run beside whatever the cluster is doing; the scan still sees every GPU, because NVML lists the driver's
devices whatever CUDA_VISIBLE_DEVICES says (Ray empties it for a task without GPUs).
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from typing import Dict, List, Optional

from envcheck.model.base import as_dict
from envcheck.output import write_text

SUMMARY = ".envcheck-fleet-scan.json"     # a dot file: `fleet report DIR` reads only the node documents


@dataclass(frozen=True)
class NodeResult:
    node_id: str
    ip: str
    status: str                 # ok | failed | timeout
    file: Optional[str] = None
    hostname: Optional[str] = None
    ran_on: Optional[str] = None    # the node id the task reported from inside (the affinity held when == node_id)
    error: Optional[str] = None

    def to_dict(self) -> dict:
        return as_dict(self, drop_none=True)


def _scan_here(acquire, search, exec_pythons) -> dict:
    """Runs on the node (inside a Ray worker): the scan, and the id of the node it ran on. `acquire` is the caller's
    (envcheck.app.environment.acquire), passed in because fleet sits below app; Ray ships it by reference."""
    import ray

    env, _ = acquire(None, None, tuple(search), exec_pythons, False, None)
    return {"document": env.to_dict(), "ran_on": ray.get_runtime_context().get_node_id()}


def file_name(doc: dict, ip: str, node_id: str, taken: set) -> str:
    host = (doc.get("host") or {}).get("hostname") if isinstance(doc, dict) else None
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", host or ip or node_id[:12]).strip(".-") or node_id[:12]
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name)
    return name + ".json"


def scan_ray(address: Optional[str], out_dir: str, timeout: float = 120.0, search=(), exec_pythons=False,
             ship: bool = True, progress=None, *, acquire) -> List[NodeResult]:
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    runtime_env = None
    if ship:   # envcheck's own package travels with the tasks: nodes need Ray, not envcheck
        import envcheck
        runtime_env = {"py_modules": [os.path.dirname(os.path.abspath(envcheck.__file__))]}
    # a job-level runtime_env: Ray uploads a local directory only at ray.init
    ray.init(address=address or "auto", ignore_reinit_error=True, log_to_driver=False, logging_level="ERROR",
             runtime_env=runtime_env)
    try:
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        remote = ray.remote(num_cpus=0, max_retries=0)(_scan_here)
        refs: Dict[object, dict] = {}
        for n in sorted(nodes, key=lambda n: (n.get("NodeManagerAddress", ""), n["NodeID"])):
            opts = dict(scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=n["NodeID"], soft=False))
            refs[remote.options(**opts).remote(acquire, tuple(search), exec_pythons)] = n
        deadline = time.monotonic() + timeout
        pending = list(refs)
        done_refs = []
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, pending = ray.wait(pending, num_returns=1, timeout=left)
            done_refs += ready
            if progress and ready:
                progress(len(done_refs), len(refs))
        os.makedirs(out_dir, exist_ok=True)
        results: List[NodeResult] = []
        taken: set = set()
        for ref in done_refs:
            n = refs[ref]
            ip, nid = n.get("NodeManagerAddress", ""), n["NodeID"]
            try:
                got = ray.get(ref)
            except Exception as exc:  # noqa: BLE001 - a node's failure is reported, the others go on
                results.append(NodeResult(nid, ip, "failed", error=_one_line(exc)))
                continue
            doc = got["document"]
            name = file_name(doc, ip, nid, taken)
            _write_json(os.path.join(out_dir, name), doc)
            results.append(NodeResult(nid, ip, "ok", name, (doc.get("host") or {}).get("hostname"), got["ran_on"]))
        for ref in pending:
            n = refs[ref]
            ray.cancel(ref, force=True)
            results.append(NodeResult(n["NodeID"], n.get("NodeManagerAddress", ""), "timeout",
                                      error=f"no document within {timeout:g} s"))
        results.sort(key=lambda r: (r.status != "ok", r.file or "", r.ip, r.node_id))
        _write_json(os.path.join(out_dir, SUMMARY), {"address": address or "auto", "timeout_s": timeout,
                                                    "nodes": [r.to_dict() for r in results]})
        return results
    finally:
        ray.shutdown()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


def _write_json(path: str, data) -> None:
    write_text(path, json.dumps(data, indent=2) + "\n", "fleet scan")
