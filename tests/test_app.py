"""The application layer answers each question from an Inputs, with typed results, on the fixture environments;
and nothing below the interfaces imports envcheck.commands."""
import ast
import json
import os

import pytest

from envcheck.app.explain import explanations
from envcheck.app.fit import acquire_gpus, report_for
from envcheck.app.fleet_report import fleet_report
from envcheck.app.gate import gate_verdict
from envcheck.app.inputs import Inputs
from envcheck.app.labels import LabelsResult, node_labels
from envcheck.app.recommend import recommendation, recommend_document
from envcheck.app.scan import ScanResult, scan
from envcheck.errors import EXIT_USAGE, InputError

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVS = os.path.join(HERE, "fixtures", "envs")
H100 = os.path.join(ENVS, "host-580-h100.yaml")
R4090 = os.path.join(ENVS, "seed-runpod-4090.yaml")
LAPTOP = os.path.join(ENVS, "laptop-nogpu.yaml")
POLICIES = os.path.join(HERE, "fixtures", "policies")


@pytest.mark.parametrize("argv,message", [
    (dict(image="img.tar", env_file="pod.json"), "--image reads the image's files"),
    (dict(image="img.tar", root="/mnt"), "--image reads the image's files"),
    (dict(host_file="node.json"), "--host FILE goes with --image REF"),
])
def test_inputs_are_validated_once_at_construction(argv, message):
    with pytest.raises(InputError, match=message) as info:
        Inputs(**argv)
    assert info.value.exit_code == EXIT_USAGE


def test_host_as_the_node_reads_it_as_env_and_excludes_env():
    assert Inputs.on_node("node.json").env_file == "node.json"
    with pytest.raises(InputError, match="give it once"):
        Inputs.on_node("node.json", env_file="pod.json")


def test_inputs_are_frozen_and_hold_tuples():
    inputs = Inputs(search=["/opt"], matrix_dirs=["/m"])
    assert inputs.search == ("/opt",) and inputs.matrix_dirs == ("/m",)
    with pytest.raises(Exception):
        inputs.root = "/"


def test_scan_of_a_saved_environment():
    r = scan(Inputs(env_file=H100))
    assert isinstance(r, ScanResult)
    assert r.source == f"from {H100}"
    assert r.environment.driver.version is not None
    assert r.findings and {f.severity for f in r.findings} <= {"fail", "warn", "info", "ok"}
    doc = r.check_document()
    assert doc["matrix_version"] == r.matrix.version and len(doc["findings"]) == len(r.findings)


def test_recommend_ranks_paths_for_a_target():
    result = recommendation(Inputs(env_file=R4090), "vllm")
    rec = result.recommendation
    assert result.verify is None and rec.target == "vllm" and rec.paths
    assert result.environment.gpus and result.document() == recommend_document(rec)
    assert [p.rank for p in rec.paths] == list(range(1, len(rec.paths) + 1))
    assert recommend_document(rec)["target"] == "vllm"


def test_explain_names_a_known_error():
    msg = "RuntimeError: CUDA error: no kernel image is available for execution on the device"
    result = explanations(msg, Inputs(env_file=R4090))
    found = result.explanations
    assert found and found[0].code and result.source == f"from {R4090}"
    assert result.document()["explanations"][0]["code"] == found[0].code


def test_gate_gives_a_verdict():
    v = gate_verdict(os.path.join(POLICIES, "seed-pass.yaml"), Inputs(env_file=R4090), "2026-01-01")
    assert v.status in ("pass", "fail", "warn")
    assert sum(v.counts().values()) == len(v.outcomes)


def test_gate_names_a_missing_policy():
    with pytest.raises(InputError, match="no such file"):
        gate_verdict(os.path.join(POLICIES, "absent.yaml"), Inputs(env_file=R4090))


def test_fit_on_saved_gpus():
    gpus, source = acquire_gpus(H100, (), None)
    assert gpus and all(mem > 0 for _i, _n, mem in gpus) and source == f"from {H100}"
    rep, why = report_for(os.path.join(HERE, "fixtures", "models", "qwen2.5-0.5b"), None, None, 1, None, gpus, source)
    assert why and rep.to_dict()


def test_labels_of_a_saved_node():
    r = node_labels(Inputs(env_file=H100), ("vllm",), "feature.node.kubernetes.io/envcheck-", node_name="node-7")
    assert isinstance(r, LabelsResult)
    assert r.environment.host.hostname == "node-7"
    assert "node-7" in r.feature_file and r.document()["verdicts"]


def test_fleet_report_of_saved_scans(tmp_path):
    from envcheck.model.document import load_env_file

    for i, path in enumerate((H100, R4090, LAPTOP)):
        (tmp_path / f"n{i}.json").write_text(load_env_file(path).to_json())
    rep = fleet_report(str(tmp_path), ("vllm",), Inputs())
    assert rep.n == 3
    assert json.loads(json.dumps(rep.to_dict()))


def test_fleet_report_of_an_empty_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no scan documents"):
        fleet_report(str(tmp_path), (), Inputs())


def _imports(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_nothing_below_the_interfaces_imports_commands():
    allowed = {os.path.join("envcheck", "cli.py"), os.path.join("envcheck", "__main__.py")}
    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(REPO, "envcheck")):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, REPO)
            if not name.endswith(".py") or rel in allowed or rel.startswith(os.path.join("envcheck", "commands")):
                continue
            offenders += [f"{rel}: {m}" for m in _imports(path) if m == "envcheck.commands" or
                          m.startswith("envcheck.commands.")]
    assert offenders == []


def test_apply_plan_for_another_machine_is_a_dry_run_only():
    from envcheck.app.apply_plan import ApplyPlan, apply_plan

    planned = apply_plan(Inputs(env_file=R4090), "vllm", dry_run=True)
    assert isinstance(planned, ApplyPlan) and planned.recommendation.target == "vllm"
    assert planned.plan.steps or planned.plan.refusal
    with pytest.raises(InputError, match="describes another machine"):
        apply_plan(Inputs(env_file=R4090), "vllm")
