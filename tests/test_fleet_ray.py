"""`envcheck fleet scan --ray` on a real local Ray cluster of three nodes (ray.cluster_utils.Cluster): one
document per node, each written by a task that ran on that node, and a timeout that is reported, not fatal.

Needs the `fleet` extra (pip install -e '.[fleet]'); CI installs it. Skipped where Ray is not installed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ray = pytest.importorskip("ray")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    try:
        for _ in range(2):
            c.add_node(num_cpus=1)
        c.wait_for_nodes()
        yield c
    finally:
        c.shutdown()


def run(*args):
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("RAY_ADDRESS", None)
    p = subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True, env=env,
                       timeout=180, cwd=REPO)
    return p.returncode, p.stdout, p.stderr


def test_one_document_per_alive_node_each_from_its_node(cluster, tmp_path):
    out = tmp_path / "scans"
    rc, stdout, err = run("fleet", "scan", "--ray", cluster.address, "-o", str(out), "--timeout", "120")
    assert rc == 0, stdout + err
    assert "3 of 3 node(s) scanned" in stdout
    summary = json.loads((out / ".envcheck-fleet-scan.json").read_text())
    alive = {n["NodeID"] for n in cluster_nodes(cluster)}
    assert {n["node_id"] for n in summary["nodes"]} == alive
    for n in summary["nodes"]:
        assert n["status"] == "ok" and n["ran_on"] == n["node_id"]       # the affinity held
        d = json.loads((out / n["file"]).read_text())
        assert d["schema"] == "envcheck.environment/1" and d["host"]["hostname"] == n["hostname"]
    files = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert len(files) == 3
    # the directory is what fleet report reads
    rc, stdout, err = run("fleet", "report", str(out), "--json")
    assert rc == 0, err
    assert json.loads(stdout)["nodes"] == 3


def test_a_node_that_does_not_answer_in_time_is_reported(cluster, tmp_path):
    out = tmp_path / "late"
    rc, stdout, err = run("fleet", "scan", "--ray", cluster.address, "-o", str(out), "--timeout", "0.05")
    assert rc == 1, stdout + err
    assert "timeout: node" in stdout and "no document within 0.05 s" in stdout
    summary = json.loads((out / ".envcheck-fleet-scan.json").read_text())
    assert {n["status"] for n in summary["nodes"]} <= {"ok", "timeout"} and len(summary["nodes"]) == 3


def cluster_nodes(cluster):
    import ray as _ray

    _ray.init(address=cluster.address, ignore_reinit_error=True, logging_level="ERROR", log_to_driver=False)
    try:
        return [n for n in _ray.nodes() if n.get("Alive")]
    finally:
        _ray.shutdown()
