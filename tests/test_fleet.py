"""The fleet: NFD labels (every one checked against Kubernetes' label syntax), the verdict beside what a driver
change would take, `fleet report` over a directory and over JSON lines, `gate --fleet`, hostname and machine id
in the document, and the Kubernetes manifests (parsed, cross-checked against the CLI and NFD's paths)."""
from __future__ import annotations

import json
import os
import re
import shlex
import xml.etree.ElementTree as ET

import pytest
import yaml

from envcheck.fleet.k8s import (NFD_FEATURES_D, key_problems, label_problems, parse_feature_file, prefix_problems,
                                sanitize_value, value_problems)
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.model import Environment, environment_schema
from envcheck.probes import host as host_probe
from envcheck.root import Root

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVS = os.path.join(HERE, "fixtures", "envs")
K8S = os.path.join(REPO, "examples", "kubernetes")
TRT = "tensorrt-llm==1.1.0"


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(())


def doc(fixture: str, hostname=None, free=None) -> dict:
    d = load_env_file(os.path.join(ENVS, fixture + ".yaml")).to_dict()
    if hostname:
        d.setdefault("host", {})["hostname"] = hostname
    if free is not None:
        for disk in d.get("disk", []):
            disk["free_gib"] = free
    return d


def write_fleet(tmp_path, spec):
    """spec: [(fixture, count, free_gib or None)] -> a directory with one <host>.json per node."""
    d = tmp_path / "scans"
    d.mkdir()
    i = 0
    for fixture, count, free in spec:
        for _ in range(count):
            i += 1
            (d / f"file-{i:03d}.json").write_text(json.dumps(doc(fixture, f"gpu-{i:03d}", free)))
    return str(d)


# ------------------------------------------------------------------------------------ label syntax (k8s rules)
@pytest.mark.parametrize("key", ["feature.node.kubernetes.io/envcheck-driver", "a/b", "x", "example.com/A_b.c-9",
                                 "feature.node.kubernetes.io/" + "a" * 63, ".".join(["a" * 63] * 3 + ["b" * 61]) + "/n"])
def test_valid_keys(key):
    assert key_problems(key) == []


@pytest.mark.parametrize("key,words", [
    ("feature.node.kubernetes.io/" + "a" * 64, "64 characters"),
    ("feature.node.kubernetes.io/-x", "begin and end"),
    ("feature.node.kubernetes.io/x.", "begin and end"),
    ("feature.node.kubernetes.io/a b", "only"),
    ("Feature.node/x", "DNS subdomain"),
    ("-a.com/x", "DNS subdomain"),
    ("a..com/x", "DNS subdomain"),
    ("/x", "empty prefix"),
    ("a.com/", "empty name"),
    ("a" * 254 + "/x", "254 characters"),
    ("a" * 64 + ".com/x", "DNS subdomain"),
])
def test_invalid_keys(key, words):
    probs = key_problems(key)
    assert probs and words in probs[0]


@pytest.mark.parametrize("value,ok", [("", True), ("ok", True), ("580.95.05", True), ("NVIDIA-H100-80GB-HBM3", True),
                                      ("a" * 63, True), ("a" * 64, False), ("-x", False), ("x_", False),
                                      ("a b", False), ("12.8+", False)])
def test_values(value, ok):
    assert (value_problems(value) == []) is ok


@pytest.mark.parametrize("text", ["NVIDIA GeForce RTX 4090", "Tesla T4 (PCIe) ", "__weird__!!", "x" * 200, "", "é"])
def test_sanitize_gives_a_valid_value(text):
    assert value_problems(sanitize_value(text)) == []


# ------------------------------------------------------------------------------------------- envcheck labels
@pytest.mark.parametrize("fixture", sorted(f[:-5] for f in os.listdir(ENVS) if f.endswith(".yaml")))
def test_every_label_of_every_fixture_is_valid(cli, fixture):
    rc, out, err = cli("labels", "--env", os.path.join(ENVS, fixture + ".yaml"), "--target", TRT, "--target", "vllm",
                       "--target", "torch>=2.6,<2.9", "--expiry-hours", "2")
    assert rc == 0, err
    assert len(out.encode()) < 64 * 1024
    lines = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
    assert lines and all("=" in ln for ln in lines)
    for ln in lines:
        k, _, v = ln.partition("=")
        assert label_problems(k, v) == [], ln
        assert k.startswith("feature.node.kubernetes.io/envcheck-")
    labels = parse_feature_file(out)
    for slug in ("tensorrt-llm-1.1.0", "vllm", "torch-ge2.6-lt2.9"):
        assert labels["feature.node.kubernetes.io/envcheck-" + slug] in ("ok", "risky", "blocked")
    expiry = [ln for ln in out.splitlines() if ln.startswith("# +expiry-time=")]
    assert len(expiry) == 1 and re.fullmatch(r"# \+expiry-time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expiry[0])


def test_labels_facts_and_verdict_beside_what_a_driver_would_take(cli):
    rc, out, _ = cli("labels", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"), "--target", TRT)
    assert rc == 0
    lb = parse_feature_file(out)
    p = "feature.node.kubernetes.io/envcheck-"
    assert lb[p + "driver"] == "570.195.03" and lb[p + "driver.cuda"] == "12.8"
    assert lb[p + "gpu.compute"] == "8.9" and lb[p + "gpu.count"] == "1"
    assert lb[p + "gpu.model"] == "NVIDIA-GeForce-RTX-4090"
    # TensorRT-LLM 1.1.0 is a CUDA 13 build; driver 570 runs CUDA <= 12.8 and a GeForce card has no forward
    # compatibility: blocked as the node stands, and a 580 driver is what it would take
    assert lb[p + "tensorrt-llm-1.1.0"] == "blocked"
    assert lb[p + "tensorrt-llm-1.1.0.needs"].startswith("driver-580")


def test_labels_verdict_is_never_the_driver_path(cli):
    """On the H100 host with driver 580 the wheel is ok; on the A100 pod (535) only forward compatibility bridges
    it (risky), and the driver path is reported beside, not as the verdict."""
    rc, out, _ = cli("labels", "--env", os.path.join(ENVS, "host-580-h100.yaml"), "--target", TRT)
    lb = parse_feature_file(out)
    assert lb["feature.node.kubernetes.io/envcheck-tensorrt-llm-1.1.0"] == "ok"
    assert "feature.node.kubernetes.io/envcheck-tensorrt-llm-1.1.0.needs" not in lb
    rc, out, _ = cli("labels", "--env", os.path.join(ENVS, "pod-535-a100.yaml"), "--target", TRT, "--json")
    d = json.loads(out)
    assert d["labels"]["feature.node.kubernetes.io/envcheck-tensorrt-llm-1.1.0"] == "risky"
    v = d["verdicts"][0]
    assert v["kind"] in ("wheel", "image") and v["needs"].startswith("driver-580")


def test_labels_gpu_architecture_block_needs_no_driver(cli):
    # a T4 (sm_75) has no kernels in TensorRT-LLM 1.1.0: no driver would help, so no `.needs=driver`
    rc, out, _ = cli("labels", "--env", os.path.join(ENVS, "vm-570-t4-py39.yaml"), "--target", TRT, "--json")
    v = json.loads(out)["verdicts"][0]
    assert v["status"] == "blocked" and v["reason"] == "GPU sm_75 not supported" and v["needs"] is None


def test_labels_output_file_is_atomic_and_scan_saved(cli, tmp_path):
    fd = tmp_path / "features.d"
    rc, out, err = cli("labels", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"), "--target", TRT,
                       "-o", str(fd / "envcheck"), "--save-scan", str(tmp_path / "scan.json"), "--node-name", "node-7",
                       "--json")
    assert rc == 0, err
    assert sorted(os.listdir(fd)) == ["envcheck"]          # no dot file left behind
    assert parse_feature_file((fd / "envcheck").read_text()) == json.loads(out)["labels"]
    saved = json.loads((tmp_path / "scan.json").read_text())
    assert saved["host"]["hostname"] == "node-7"
    assert Environment.from_dict(saved).driver.version is not None


def test_labels_bad_inputs_exit_2(cli):
    rc, _, err = cli("labels", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"), "--target", "tensorrt-llm==9.9.9")
    assert rc == 2 and "9.9.9" in err
    rc, _, err = cli("labels", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"), "--prefix", "noslash")
    assert rc == 2 and "prefix" in err
    rc, _, err = cli("labels", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"), "--prefix", "a.b/" + "x" * 60,
                     "--target", TRT)
    assert rc == 2 and "not a valid Kubernetes label key" in err


# -------------------------------------------------------------------------------- hostname and machine id
def _tree(tmp_path, files):
    for rel, text in files.items():
        p = tmp_path / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return Root(str(tmp_path), live=False)


def test_hostname_and_machine_id_from_a_tree(tmp_path):
    raw = "0123456789abcdef0123456789abcdef"
    root = _tree(tmp_path, {"/etc/hostname": "gpu-node-17\n", "/etc/machine-id": raw + "\n"})
    assert host_probe.hostname(root) == "gpu-node-17"
    mid = host_probe.machine_id(root)
    assert re.fullmatch(r"[0-9a-f]{32}", mid) and mid != raw           # derived, never the raw id
    assert mid == host_probe.app_specific_id(raw)                        # stable


def test_kernel_hostname_wins_and_bad_ids_are_no_id(tmp_path):
    root = _tree(tmp_path, {"/proc/sys/kernel/hostname": "uts-name\n", "/etc/hostname": "file-name\n",
                            "/etc/machine-id": "uninitialized\n", "/var/lib/dbus/machine-id": "not hex\n"})
    assert host_probe.hostname(root) == "uts-name"
    assert host_probe.machine_id(root) is None
    assert host_probe.hostname(_tree(tmp_path / "empty", {})) is None


def test_old_documents_load_and_new_fields_round_trip():
    old = doc("seed-runpod-4090")
    assert "hostname" not in old["host"]
    env = Environment.from_dict(old)
    assert env.host.hostname is None and env.host.machine_id is None
    new = dict(old, host=dict(old["host"], hostname="n1", machine_id="ab" * 16))
    assert Environment.from_dict(new).to_dict() == new
    props = environment_schema()["$defs"]["Host"]["properties"]
    assert "hostname" in props and "machine_id" in props


# ------------------------------------------------------------------------------------------- fleet report
def test_report_groups_drift_and_verdicts(cli, tmp_path):
    d = write_fleet(tmp_path, [("host-580-h100", 12, None), ("seed-runpod-4090", 30, None)])
    rc, out, err = cli("fleet", "report", d, "--target", TRT, "--json")
    assert rc == 0, err
    r = json.loads(out)
    assert r["nodes"] == 42
    assert [len(g["nodes"]) for g in r["groups"]] == [30, 12]
    assert r["groups"][0]["stack"]["driver"] == "570.195.03"
    assert r["groups"][1]["nodes"][0] == "gpu-001"                         # named by the scan's hostname
    drift = {x["node"]: x for x in r["drift"]}
    assert len(drift) == 12
    fields = {f["field"]: f for f in drift["gpu-001"]["differences"]}
    assert fields["driver"] == {"field": "driver", "node": "580.95.05", "fleet": "570.195.03"}
    v = r["verdicts"][TRT]
    assert (v["ok"], v["risky"], v["blocked"]) == (12, 0, 30)
    assert v["top_reason"] == "driver below 580.65.06"
    assert v["needs"] == {"driver-580.65.06": 30}
    assert sorted(v["nodes"]["ok"]) == [f"gpu-{i:03d}" for i in range(1, 13)]
    rc, text, _ = cli("fleet", "report", d, "--target", TRT)
    assert f"{TRT}: 12 ok; 30 blocked: driver below 580.65.06" in text


def test_report_reads_json_lines_on_stdin_and_names_by_file_stem(cli, tmp_path, monkeypatch):
    import io
    a = doc("pod-535-a100")                    # no hostname: named by its line
    b = doc("pod-535-a100", "pod-b")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(a) + "\n\n" + json.dumps(b) + "\nnot json\n"))
    rc, out, _ = cli("fleet", "report", "-", "--target", "vllm", "--json")
    r = json.loads(out)
    assert r["nodes"] == 2 and r["groups"][0]["nodes"] == ["line-1", "pod-b"]
    assert r["unreadable"][0]["node"] == "line-4" and "not JSON" in r["unreadable"][0]["error"]
    d = tmp_path / "dir"
    d.mkdir()
    (d / "stem-name.json").write_text(json.dumps(a))
    (d / "notes.txt").write_text("ignored")
    rc, out, _ = cli("fleet", "report", str(d), "--json")
    assert json.loads(out)["groups"][0]["nodes"] == ["stem-name"]


def test_report_reads_yaml_documents_beside_json(cli, tmp_path):
    """A directory of hand-written YAML environment documents (the --env fixtures as they are, .yaml and .yml) is
    reported as the same documents saved as JSON are; a broken YAML file is one unreadable node with its line."""
    import shutil
    y, j = tmp_path / "yaml", tmp_path / "json"
    y.mkdir()
    j.mkdir()
    names = ["host-580-h100", "seed-runpod-4090", "pod-535-a100", "laptop-nogpu"]
    for i, name in enumerate(names):
        shutil.copy(os.path.join(ENVS, name + ".yaml"), y / (name + (".yml" if i % 2 else ".yaml")))
        (j / (name + ".json")).write_text(json.dumps(doc(name)))
    rc_y, out_y, err_y = cli("fleet", "report", str(y), "--target", "vllm", "--target", TRT, "--json")
    rc_j, out_j, _ = cli("fleet", "report", str(j), "--target", "vllm", "--target", TRT, "--json")
    assert rc_y == rc_j == 0, err_y
    assert json.loads(out_y) == json.loads(out_j) and json.loads(out_y)["nodes"] == 4
    (y / "zz-broken.yaml").write_text("host:\n  os: [unclosed\n")
    rc, out, _ = cli("fleet", "report", str(y), "--json")
    bad = json.loads(out)["unreadable"]
    assert json.loads(out)["nodes"] == 4 and bad[0]["node"] == "zz-broken" and "not YAML" in bad[0]["error"]
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, _, err = cli("fleet", "report", str(empty))
    assert rc == 2 and "no scan documents (*.json, *.jsonl, *.yaml, *.yml)" in err


def test_report_free_disk_shares_verdicts_but_not_across_thresholds(matrix):
    """Nodes that differ only in free disk share one verdict computation, and the verdict still differs where a
    threshold of matrix/paths.yaml lies between them."""
    from envcheck.fleet.report import FleetReport, disk_thresholds
    from envcheck.fleet.stream import NodeDoc

    ts = disk_thresholds(matrix)
    assert ts and all(t > 0 for t in ts)
    rep = FleetReport(matrix, ["torch"])
    for i, free in enumerate([500.0, 400.0, 300.0, 0.5, 0.25]):
        d = doc("host-580-h100", f"n{i}", free)
        rep.add(NodeDoc(f"n{i}", "-", d))
    out = rep.to_dict()
    assert out["nodes"] == 5 and len(out["groups"]) == 1                  # free disk is not part of the stack
    assert rep.recommend_calls == 2                                        # two buckets: plenty, too little
    v = out["verdicts"]["torch"]
    assert v["ok"] == 3 and v["blocked"] == 2 and v["top_reason"] == "not enough free disk"
    # the same answer as judging each node on its own
    from envcheck.fleet.verdict import node_verdict
    for free, want in ((300.0, "ok"), (0.5, "blocked")):
        assert node_verdict(Environment.from_dict(doc("host-580-h100", "x", free)), matrix, "torch").status == want


def test_report_duplicate_hostnames_and_invalid_documents(cli, tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "a.json").write_text(json.dumps(doc("pod-535-a100", "same")))
    (d / "b.json").write_text(json.dumps(doc("pod-535-a100", "same")))
    bad = doc("pod-535-a100", "broken")
    bad["gpus"][0]["bogus"] = 1
    (d / "c.json").write_text(json.dumps(bad))
    (d / "d.json").write_text("[1, 2]")
    rc, out, _ = cli("fleet", "report", str(d), "--target", TRT, "--json")
    r = json.loads(out)
    assert r["groups"][0]["nodes"] == ["same", "same#2"]
    errs = {u["node"]: u["error"] for u in r["unreadable"]}
    assert "gpus[0]" in errs["broken"] and "bogus" in errs["broken"]
    assert "mapping" in errs["d"]


def test_report_usage_errors(cli, tmp_path):
    rc, _, err = cli("fleet", "report", str(tmp_path / "nope"))
    assert rc == 2 and "not a directory" in err
    rc, _, err = cli("fleet", "report", str(tmp_path))
    assert rc == 2 and "no scan documents" in err
    rc, _, err = cli("fleet", "report", str(tmp_path), "--target", "nosuch")
    assert rc == 2 and "unknown target" in err


def test_fleet_scan_without_an_engine_is_a_usage_error(cli, tmp_path):
    rc, _, err = cli("fleet", "scan", "-o", str(tmp_path))
    assert rc == 2 and "--ray" in err


# ------------------------------------------------------------------------------------------- gate --fleet
POLICY = """schema: envcheck.policy/1
name: fleet
rules:
  - rule: driver
    min_version: "575"
  - rule: gpu
    min_compute_capability: "8.0"
"""


def test_gate_fleet_verdict_per_node_and_junit_case_per_node_and_rule(cli, tmp_path):
    d = write_fleet(tmp_path, [("host-580-h100", 2, None), ("seed-runpod-4090", 1, None)])
    with open(os.path.join(d, "zz-broken.json"), "w") as fh:
        fh.write("{")
    pol = tmp_path / "p.yaml"
    pol.write_text(POLICY)
    junit = tmp_path / "j.xml"
    rc, out, err = cli("gate", "--policy", str(pol), "--fleet", d, "--junit", str(junit), "--today", "2026-11-25")
    assert rc == 1, err
    assert "2 node(s) pass, 2 fail" in out
    assert re.search(r"gpu-003\s+FAIL\s+driver", out)
    root = ET.parse(junit).getroot()
    cases = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert ("gpu-001", "driver") in cases and ("gpu-003", "gpu") in cases and ("zz-broken", "document") in cases
    assert len(cases) == 3 * 2 + 1
    assert root.get("failures") == "1" and root.get("errors") == "1" and root.get("tests") == "7"
    rc, out, _ = cli("gate", "--policy", str(pol), "--fleet", d, "--json", "--today", "2026-11-25")
    j = json.loads(out)
    assert j["verdict"] == "fail" and j["nodes_failed"] == 2
    assert {n["node"]: n["verdict"] for n in j["nodes"]}["gpu-001"] == "pass"


def test_gate_fleet_all_pass_and_exclusions(cli, tmp_path):
    d = write_fleet(tmp_path, [("host-580-h100", 2, None)])
    pol = tmp_path / "p.yaml"
    pol.write_text(POLICY)
    rc, out, _ = cli("gate", "--policy", str(pol), "--fleet", d, "--today", "2026-11-25")
    assert rc == 0 and "2 node(s) pass, 0 fail" in out
    rc, _, err = cli("gate", "--policy", str(pol), "--fleet", d, "--env", os.path.join(ENVS, "pod-535-a100.yaml"))
    assert rc == 2 and "excludes" in err


# ------------------------------------------------------------------------------------------ the manifests
def _docs(name):
    with open(os.path.join(K8S, name)) as fh:
        return [d for d in yaml.safe_load_all(fh) if d]


def _labels_params():
    from envcheck.commands.fleet import labels
    return {o for p in labels.params for o in p.opts}


def test_daemonset_parses_and_references_what_exists():
    docs = _docs("envcheck-labels-daemonset.yaml")
    ds = next(d for d in docs if d["kind"] == "DaemonSet")
    spec = ds["spec"]["template"]["spec"]
    assert ds["spec"]["selector"]["matchLabels"].items() <= ds["spec"]["template"]["metadata"]["labels"].items()
    assert spec["runtimeClassName"] == "nvidia"
    volumes = {v["name"]: v for v in spec["volumes"]}
    containers = spec["initContainers"] + spec["containers"]
    for c in containers:
        assert c["resources"]["limits"]["cpu"] and c["resources"]["limits"]["memory"]
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
        for m in c.get("volumeMounts", ()):
            assert m["name"] in volumes, m
    scanner = next(c for c in spec["containers"] if c["name"] == "envcheck")
    assert scanner["securityContext"]["runAsNonRoot"] is True
    env = {e["name"]: e for e in scanner["env"]}
    assert env["NVIDIA_VISIBLE_DEVICES"]["value"] == "all"
    assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    # the command it runs: every option exists in `envcheck labels`, every target parses
    script = " ".join(scanner["args"]).replace("\\\n", " ")
    argv = shlex.split(script[script.index("python3 -m envcheck labels"):].split("&&")[0])[3:]
    opts = [a for a in argv if a.startswith("-")]
    assert set(opts) <= _labels_params(), set(opts) - _labels_params()
    from envcheck.recommend.targets import parse_target
    for i, a in enumerate(argv):
        if a == "--target":
            parse_target(argv[i + 1])
    out_file = argv[argv.index("-o") + 1]
    scan_file = argv[argv.index("--save-scan") + 1]
    # the hand-over copies exactly those files into the NFD directory and the scans directory
    pub = next(c for c in spec["containers"] if c["name"] == "publish")
    mounts = {m["name"]: m["mountPath"] for c in containers for m in c.get("volumeMounts", ())}
    pscript = " ".join(pub["args"])
    assert f"cp {out_file} {mounts['features-d']}/.envcheck.tmp" in pscript
    assert f"mv {mounts['features-d']}/.envcheck.tmp {mounts['features-d']}/envcheck" in pscript
    assert f"cp {scan_file} {mounts['scans']}/" in pscript
    assert os.path.dirname(out_file) == mounts["out"] == os.path.dirname(scan_file)
    assert volumes["features-d"]["hostPath"]["path"] == NFD_FEATURES_D
    assert volumes["machine-id"]["hostPath"]["path"] == "/etc/machine-id"
    ro = {m["name"]: m.get("readOnly", False) for m in scanner["volumeMounts"]}
    assert ro["machine-id"] is True and ro["envcheck"] is True


def test_example_pod_selects_a_label_the_daemonset_writes(cli):
    pod = _docs("pod-needs-trtllm.yaml")[0]
    (key, value), = pod["spec"]["nodeSelector"].items()
    assert label_problems(key, value) == []
    ds = next(d for d in _docs("envcheck-labels-daemonset.yaml") if d["kind"] == "DaemonSet")
    script = " ".join(ds["spec"]["template"]["spec"]["containers"][0]["args"])
    targets = re.findall(r"--target (\S+)", script)
    rc, out, _ = cli("labels", "--env", os.path.join(ENVS, "host-580-h100.yaml"), *[x for t in targets for x in ("--target", t)])
    assert parse_feature_file(out)[key] == value              # an H100 on driver 580 gets exactly that label
    assert prefix_problems(key.partition("/")[0]) == []


def test_labels_mixed_gpus_and_unknown_sections(matrix):
    from envcheck.fleet.labels import build_labels

    d = doc("host-580-h100")
    d["gpus"] = [dict(d["gpus"][0], index=0), {"index": 1, "name": "NVIDIA L4", "compute_capability": "8.9"}]
    labels, _ = build_labels(Environment.from_dict(d), matrix, [])
    lb = {x.key.rpartition("envcheck-")[2]: x.value for x in labels}
    assert lb["gpu.model"] == "mixed" and lb["gpu.compute"] == "8.9" and lb["gpu.count"] == "2"
    # a document that says nothing about driver and GPUs gets no fact labels for them (unknown is not absent)
    labels, _ = build_labels(Environment.from_dict({"schema": "envcheck.environment/1"}), matrix, [])
    assert [x.key.rpartition("envcheck-")[2] for x in labels] == ["matrix"]


def test_report_reads_jsonl_files_in_a_directory(cli, tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "rack1.jsonl").write_text(json.dumps(doc("pod-535-a100", "a")) + "\n" + json.dumps(doc("pod-535-a100")) + "\n")
    (d / ".hidden.json").write_text("{")
    os.symlink(os.path.join(ENVS, "pod-535-a100.yaml"), d / "link.json")        # not followed, listed
    rc, out, _ = cli("fleet", "report", str(d), "--json")
    r = json.loads(out)
    assert r["groups"][0]["nodes"] == ["a", "rack1:2"]
    assert [(u["node"], u["error"]) for u in r["unreadable"]] == [("link", "not a regular file (a symbolic link, "
                                                                           "not followed); not read")]


def test_base_install_stays_light():
    """Ray is imported only inside `fleet scan --ray`: labels, report and gate --fleet never load it."""
    import subprocess
    import sys
    code = ("import sys, envcheck.commands.fleet, envcheck.fleet.report, envcheck.fleet.labels, envcheck.fleet.gate; "
            "print('ray' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                       env=dict(os.environ, PYTHONPATH=REPO), timeout=60)
    assert p.stdout.strip() == "False", p.stderr


def test_gate_fleet_reads_json_lines_on_stdin(cli, tmp_path, monkeypatch):
    import io
    pol = tmp_path / "p.yaml"
    pol.write_text(POLICY)
    lines = json.dumps(doc("host-580-h100", "a")) + "\n" + json.dumps(doc("pod-535-a100", "b")) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    rc, out, _ = cli("gate", "--policy", str(pol), "--fleet", "-", "--json", "--today", "2026-11-25")
    j = json.loads(out)
    assert rc == 1 and [(n["node"], n["verdict"]) for n in j["nodes"]] == [("a", "pass"), ("b", "fail")]
