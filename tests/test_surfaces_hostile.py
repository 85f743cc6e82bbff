"""Every surface meets the core's bar: environment files, gate policies, matrix overlays, `fit` (config.json and
safetensors headers), `fleet report` / `gate --fleet`, and `explain` on long logs. Each case below broke a surface
in a fuzz run (a crash, a hang or a wrong answer); each is now refused with exit 2 and one line naming the file
(and line where there is one), or answered right. Fixture files are built here; FIFOs are real FIFOs."""
import json
import os
import re
import struct
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVS = os.path.join(HERE, "fixtures", "envs")
MODELS = os.path.join(HERE, "fixtures", "models")
HOST = os.path.join(ENVS, "host-580-h100.yaml")
POLICY = os.path.join(REPO, "examples", "envcheck-policy.yaml")
H100 = "NVIDIA H100 80GB HBM3"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EVIL = "evil\x1b]0;pwned\x07\u202eabc"


def one_line_error(rc, err, *names):
    assert rc == 2, err
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line and not CONTROL.search(line), err
    for name in names:
        assert name in line, (name, line)
    return line


def host_doc() -> dict:
    with open(HOST) as fh:
        return yaml.safe_load(fh)


# ------------------------------------------------------------------------------------------ environment files
@pytest.mark.parametrize("where", ["host.memory_gib", "disk.free_gib", "host.cpus"])
@pytest.mark.parametrize("digits", [400, 5000])
def test_env_huge_integer_is_refused_in_yaml_and_json(cli, tmp_path, where, digits):
    huge = "1" + "0" * (digits - 1)
    text = open(HOST).read()
    old = {"host.memory_gib": "memory_gib: 1007.0", "disk.free_gib": "free_gib: 800.0", "host.cpus": "cpus: 64"}[where]
    (tmp_path / "e.yaml").write_text(text.replace(old, old.split(":")[0] + ": " + huge))
    rc, _, err = cli("check", "--env", str(tmp_path / "e.yaml"))
    assert f"e.yaml:{3 if where.startswith('host') else 5}:" in one_line_error(rc, err)
    body = json.dumps(host_doc())
    key, value = old.split(": ")
    (tmp_path / "e.json").write_text(body.replace(f'"{key}": {value}', f'"{key}": {huge}'))
    rc, _, err = cli("check", "--env", str(tmp_path / "e.json"))
    assert f"an integer of {digits} digits" in one_line_error(rc, err, "e.json")


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_env_duplicate_schema_key_is_refused(cli, tmp_path, kind):
    if kind == "yaml":
        text = open(HOST).read() + "schema: envcheck.environment/1\n"
    else:
        text = json.dumps(host_doc())[:-1] + ', "schema": "envcheck.environment/1"}'
    path = tmp_path / f"dup.{kind}"
    path.write_text(text)
    for command in (["check"], ["fit", os.path.join(MODELS, "qwen3-8b")]):
        rc, _, err = cli(*command, "--env", str(path))
        line = one_line_error(rc, err, f"dup.{kind}", "duplicate key 'schema'")
        if kind == "yaml":
            assert f"dup.yaml:{len(text.splitlines())}:" in line


def test_env_fifo_without_writer_is_refused_before_it_is_opened(tmp_path):
    os.mkfifo(tmp_path / "scan.json")
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    for args in (["check"], ["fit", os.path.join(MODELS, "qwen3-8b")]):
        p = subprocess.run([sys.executable, "-m", "envcheck", *args, "--env", str(tmp_path / "scan.json")],
                           capture_output=True, text=True, env=env, cwd=REPO, timeout=60)  # before: blocked
        one_line_error(p.returncode, p.stderr, "scan.json", "not a regular file")


# ------------------------------------------------------------------------------------------------ gate policy
@pytest.mark.parametrize("rule, words", [
    ("{rule: driver, min_version: '99999999999999999999.1'}", "min_version must be a plausible version"),
    ("{rule: driver, min_cuda: '12.123456'}", "min_cuda must be a plausible version"),
    ("{rule: gpu, min_compute_capability: '1.2.3.4.5'}", "must be a plausible version"),
    ("{rule: container, seccomp: 5}", "seccomp must be one of disabled, strict, filter"),
    ("{rule: container, seccomp: [filter, sandboxed]}", "seccomp must be one of disabled, strict, filter"),
    ("{rule: container, runtime: 5}", "runtime must be a name"),
    ("{rule: container, capabilities_required: [5]}", "must be a capability name"),
    ("{rule: container, capabilities_forbidden: [SYS_EVERYTHING]}", "is not a Linux capability"),
    ("{rule: {a: 1}}", "'rule:' must be a name, one of: installable"),
    ("{rule: [driver]}", "'rule:' must be a name, one of: installable"),
])
def test_policy_values_are_validated(cli, tmp_path, rule, words):
    path = tmp_path / "policy.yaml"
    path.write_text(f"schema: envcheck.policy/1\nrules:\n  - rule: findings\n  - {rule}\n")
    rc, _, err = cli("gate", "--policy", str(path), "--env", HOST)
    one_line_error(rc, err, "policy.yaml:4:", words)


@pytest.mark.parametrize("top, words", [("name: .nan", "name must be a string, got nan"),
                                        ("name: [a]", "name must be a string"),
                                        ("description: {a: 1}", "description must be a string")])
def test_policy_name_and_description_are_text(cli, tmp_path, top, words):
    path = tmp_path / "policy.yaml"
    path.write_text(f"schema: envcheck.policy/1\n{top}\nrules:\n  - rule: findings\n")
    rc, _, err = cli("gate", "--policy", str(path), "--env", HOST)
    one_line_error(rc, err, "policy.yaml:2:", words)


def test_policy_plausible_values_still_load(cli, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("schema: envcheck.policy/1\nrules:\n  - {rule: driver, min_version: '570.133.20', min_cuda: '12.8'}"
                    "\n  - {rule: container, seccomp: [filter, disabled], runtime: [docker, none], "
                    "capabilities_forbidden: [sys_admin, CAP_NET_ADMIN], optional: true}\n")
    rc, out, err = cli("gate", "--policy", str(path), "--env", HOST)
    assert rc == 0, out + err


# ------------------------------------------------------------------------------------------- matrix overlays
VLLM_ROW = {"version": "0.99.0", "torch": "==2.9.0", "cuda": "12.8", "python": ["3.12"], "sources": ["a test"]}
GPU_ROW = {"version": "NVIDIA Test GPU", "name": "NVIDIA Test GPU", "compute_capability": "9.0", "memory_gib": 80,
           "sources": ["a test"]}


def overlay(tmp_path, subject: str, body: str):
    d = tmp_path / "overlay"
    d.mkdir()
    (d / f"{subject}.yaml").write_text(f"schema: envcheck.matrix.{subject}/1\nrows:\n{body}")
    return str(d)


def row_yaml(row: dict, **change) -> str:
    row = dict(row, **change)
    return "".join(f"  {'- ' if i == 0 else '  '}{k}: {json.dumps(v)}\n" for i, (k, v) in enumerate(row.items()))


@pytest.mark.parametrize("subject, body, line, words", [
    ("vllm", row_yaml(VLLM_ROW, version=1.5), 3, "'version' must be a string, got float"),
    ("torch", row_yaml({"version": 1.5, "cuda": ["x"], "sources": 5}), 3, "'version' must be a string"),
    ("vllm", row_yaml(VLLM_ROW, cuda=["x"]), 3, "'cuda' should be a string, got list"),
    ("vllm", row_yaml(VLLM_ROW, cuda=12.8), 3, "'cuda' should be a string, got float"),
    ("vllm", row_yaml(VLLM_ROW, sources=5), 3, "every row needs 'sources:'"),
    ("gpus", row_yaml(GPU_ROW, memory_gib=-5), 3, "'memory_gib' should be a number above 0"),
    ("gpus", row_yaml(GPU_ROW, fp16_tflops=1e12), 3, "'fp16_tflops' should be a number above 0"),
    ("vllm", row_yaml(VLLM_ROW) + "    cuda: \"12.9\"\n", 8, "duplicate key 'cuda' (first on line 5)"),
    ("gpus", row_yaml(GPU_ROW).replace("memory_gib: 80", "memory_gib: " + "9" * 5000), 6,
     "an integer of 5000 digits; at most 20"),
])
def test_overlay_rows_of_wrong_types_or_sizes_are_refused(cli, tmp_path, subject, body, line, words):
    d = overlay(tmp_path, subject, body)
    for command in (["check", "--env", HOST], ["recommend", "--target", "vllm", "--env", HOST],
                    ["fit", os.path.join(MODELS, "qwen3-8b"), "--gpu", H100]):
        rc, _, err = cli(*command, "--matrix", d)
        one_line_error(rc, err, f"{subject}.yaml:{line}:", words)
    rc, out, err = cli("matrix", "validate", "--matrix", d)
    assert rc == 1 and words.split(" (")[0] in out + err


def test_overlay_gpu_row_that_is_right_is_used(cli, tmp_path):
    d = overlay(tmp_path, "gpus", row_yaml(GPU_ROW))
    rc, out, err = cli("fit", os.path.join(MODELS, "qwen3-8b"), "--gpu", "NVIDIA Test GPU", "--matrix", d)
    assert rc == 0 and "NVIDIA Test GPU" in out, err


# ------------------------------------------------------------------------------------------------------- fit
def model_dir(tmp_path, name="m", config=None, raw=None) -> str:
    d = tmp_path / name
    d.mkdir()
    if raw is None:
        with open(os.path.join(MODELS, "qwen3-8b", "config.json")) as fh:
            raw = json.dumps(dict(json.load(fh), **(config or {})))
    (d / "config.json").write_text(raw)
    return str(d)


@pytest.mark.parametrize("key", ["hidden_size", "num_hidden_layers", "num_key_value_heads", "vocab_size",
                                 "intermediate_size", "num_attention_heads"])
def test_fit_refuses_a_zero_dimension(cli, tmp_path, key):
    rc, out, err = cli("fit", model_dir(tmp_path, config={key: 0}), "--gpu", H100)   # before: "0 params ... fits"
    one_line_error(rc, err, "config.json:", f"{key!r} should be a whole number from 1")


@pytest.mark.parametrize("value, words", [(10 ** 30, "an integer of 31 digits"),
                                          (10 ** 18, "'num_attention_heads' should be a whole number from 1 to 4,096"),
                                          (-3, "'num_attention_heads' should be a whole number")])
def test_fit_refuses_implausible_head_counts(cli, tmp_path, value, words):
    rc, out, err = cli("fit", model_dir(tmp_path, config={"num_attention_heads": value}), "--gpu", H100)
    one_line_error(rc, err, "config.json", words)


def test_fit_refuses_more_kv_heads_than_heads(cli, tmp_path):
    rc, out, err = cli("fit", model_dir(tmp_path, config={"num_key_value_heads": 64}), "--gpu", H100)
    one_line_error(rc, err, "config.json:", "'num_key_value_heads' (64) is more than 'num_attention_heads' (32)")


def test_fit_sanitizes_model_type(cli, tmp_path):
    rc, out, err = cli("fit", model_dir(tmp_path, config={"model_type": EVIL}), "--gpu", H100)
    assert rc == 0, err
    assert not CONTROL.search(out) and "\\x1b]0;pwned\\x07\\u202eabc" in out


@pytest.mark.parametrize("raw", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_fit_refuses_a_deep_config_json(cli, tmp_path, raw):
    rc, _, err = cli("fit", model_dir(tmp_path, raw=raw), "--gpu", H100)
    one_line_error(rc, err, "config.json", "nested deeper than 64 levels")


def safetensors(path, header) -> None:
    raw = header.encode() if isinstance(header, str) else json.dumps(header).encode()
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(raw)) + raw + b"\0" * 64)


@pytest.mark.parametrize("header, words", [
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
    ({"w": {"dtype": "BF16", "shape": [1 << 40, 1 << 20], "data_offsets": [0, 64]}}, "do not hold its shape"),
    ({"w": {"dtype": "BF16", "shape": [64, 4], "data_offsets": [0, 512]}}, "ends at byte 512 of the data, which has"),
    ({"w": {"dtype": "BF16", "shape": [2, 2]}}, "data_offsets None do not hold"),
    ({"w": {"dtype": {"a": 1}, "shape": [2, 4], "data_offsets": [0, 16]}}, "has no known dtype/shape"),
    ({"w": {"dtype": ["BF16"], "shape": [2, 4], "data_offsets": [0, 16]}}, "has no known dtype/shape"),
])
def test_fit_refuses_a_bad_safetensors_header(cli, tmp_path, header, words):
    d = model_dir(tmp_path)
    safetensors(os.path.join(d, "model.safetensors"), header)
    rc, _, err = cli("fit", d, "--gpu", H100)
    one_line_error(rc, err, "model.safetensors", words)


def test_fit_reads_a_good_safetensors_header(cli, tmp_path):
    d = model_dir(tmp_path)
    safetensors(os.path.join(d, "model.safetensors"), {"w": {"dtype": "BF16", "shape": [4, 8], "data_offsets": [0, 64]}})
    rc, out, err = cli("fit", d, "--gpu", H100, "--json")
    assert rc == 0 and json.loads(out)["params"] == 32, err


@pytest.mark.parametrize("total", [-5, 0, "12"])
def test_fit_refuses_an_index_total_size_that_is_not_a_size(cli, tmp_path, total):
    d = model_dir(tmp_path)
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as fh:
        json.dump({"metadata": {"total_size": total}, "weight_map": {}}, fh)
    rc, _, err = cli("fit", d, "--gpu", H100)
    one_line_error(rc, err, "model.safetensors.index.json", "metadata.total_size should be")


# ---------------------------------------------------------------------------------------------------- fleets
def scan_doc(hostname, **host):
    d = host_doc()
    d["host"] = dict(d["host"], hostname=hostname, **host)
    return d


def fleet_dir(tmp_path, good=200):
    d = tmp_path / "scans"
    d.mkdir()
    for i in range(good):
        (d / f"node{i:03d}.json").write_text(json.dumps(scan_doc(f"node{i:03d}")))
    (d / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (d / "badhost.json").write_text(json.dumps(scan_doc(5)))
    (d / "evil.json").write_text(json.dumps(scan_doc(EVIL)))
    return str(d)


def test_fleet_report_lists_bad_documents_and_reports_the_rest(cli, tmp_path):
    d = fleet_dir(tmp_path)
    rc, out, err = cli("fleet", "report", d, "--target", "vllm")
    assert rc == 0, err
    assert not CONTROL.search(out) and "evil\\x1b" in out
    assert "201 node(s)" in out and "2 unreadable" in out
    assert "unreadable: deep (" in out and "nested deeper than 64 levels" in out
    assert "unreadable: badhost (" in out and "host.hostname: expected a string, got 5" in out
    rc, out, err = cli("fleet", "report", d, "--target", "vllm", "--json")
    doc = json.loads(out)
    assert doc["nodes"] == 201 and sum(doc["verdicts"]["vllm"][s] for s in ("ok", "risky", "blocked")) == 201
    assert {u["node"] for u in doc["unreadable"]} == {"deep", "badhost"}


def test_gate_fleet_lists_bad_documents_and_judges_the_rest(cli, tmp_path):
    d = fleet_dir(tmp_path, good=20)
    rc, out, err = cli("gate", "--policy", POLICY, "--fleet", d, "--json")
    doc = json.loads(out)
    errors = {n["node"]: n["error"] for n in doc["nodes"] if n["verdict"] == "error"}
    assert doc["nodes_total"] == 23 and set(errors) == {"deep", "badhost"}
    assert "nested deeper than 64 levels" in errors["deep"] and "host.hostname" in errors["badhost"]
    rc, out, err = cli("gate", "--policy", POLICY, "--fleet", d)
    assert rc == 1 and not CONTROL.search(out) and "evil\\x1b" in out
    assert "ERROR" in out and "deep.json: nested deeper than 64 levels" in out


def test_fleet_deep_line_on_stdin(tmp_path):
    lines = json.dumps(scan_doc("a")) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + json.dumps(scan_doc("b")) + "\n"
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    for args in (["fleet", "report", "-", "--json"], ["gate", "--policy", POLICY, "--fleet", "-", "--json"]):
        p = subprocess.run([sys.executable, "-m", "envcheck", *args], input=lines, capture_output=True, text=True,
                           env=env, cwd=REPO, timeout=120)
        assert p.returncode in (0, 1), p.stderr
        assert "<stdin>:2" in p.stdout and "nested deeper than 64 levels" in p.stdout


def test_gate_fleet_verdicts_are_the_single_node_verdicts(cli, tmp_path):
    """Nodes with the same facts share one run of the checks and of recommend; each verdict must still be exactly
    what `gate --env` says of that node alone (a node with other free space gets its own evidence)."""
    d = tmp_path / "scans"
    d.mkdir()
    docs = {"a": scan_doc("a"), "b": scan_doc("b"), "c": scan_doc("c")}
    docs["c"]["disk"][0]["free_gib"] = 12.5
    for name, doc in docs.items():
        (d / f"{name}.json").write_text(json.dumps(doc))
    rc, out, err = cli("gate", "--policy", POLICY, "--fleet", str(d), "--json", "--today", "2026-12-01")
    fleet = {n["node"]: n["rules"] for n in json.loads(out)["nodes"]}
    for name in docs:
        rc, out, err = cli("gate", "--policy", POLICY, "--env", str(d / f"{name}.json"), "--json",
                           "--today", "2026-12-01")
        assert json.loads(out)["rules"] == fleet[name], name
    same = json.dumps(fleet["a"]).replace("/a.json", "/b.json")    # the evidence names each node's own file
    assert same == json.dumps(fleet["b"]) and same.replace("/b.json", "/c.json") != json.dumps(fleet["c"])


# ---------------------------------------------------------------------------------------------------- explain
ROOT_CAUSE = "ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory"
LATE = "RuntimeError: CUDA error: no kernel image is available for execution on the device"


def test_explain_reads_a_window_of_a_long_log_and_says_what_it_skipped(cli, tmp_path):
    log = tmp_path / "train.log"
    with open(log, "w") as fh:
        fh.write(ROOT_CAUSE + "\n")
        for i in range(100_000):
            fh.write(f"step {i} loss=0.{i:05d} padding padding padding padding padding\n")
        fh.write(LATE + "\n")
    rc, out, err = cli("explain", "--env", HOST, "--file", str(log), "--json")
    doc = json.loads(out)
    codes = [e["code"] for e in doc["explanations"]]
    assert codes[0] == "explain-missing-library" and len(codes) == 2, codes        # the root cause first, the late one found
    m = re.search(r"read the first ([\d,]+) and the last ([\d,]+) lines; ([\d,]+) lines \(([\d,]+) bytes\)",
                  doc["skipped"])
    assert m and sum(int(g.replace(",", "")) for g in m.groups()[:3]) == 100_002
    rc, out, err = cli("explain", "--env", HOST, "--file", str(log))
    assert out.startswith(f"{log}: read the first") and "root cause:" in out


def test_explain_stdin_of_10_mb(tmp_path):
    data = (LATE + "\n") + ("x" * 99 + "\n") * 100_000
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "envcheck", "explain", "--env", HOST, "-"], input=data,
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("stdin: read the first") and "bytes) between them were skipped" in p.stdout


def test_explain_a_short_log_is_read_whole(cli, tmp_path):
    log = tmp_path / "short.log"
    log.write_text("hello\n" + ROOT_CAUSE + "\n")
    rc, out, err = cli("explain", "--env", HOST, "--file", str(log), "--json")
    assert "skipped" not in json.loads(out) and rc == 0


def test_explain_recognises_a_log_of_many_errors():
    from envcheck.explain.patterns import recognise

    text = "".join(f"OSError: libfoo{i % 50}.so.1: cannot open shared object file\n" for i in range(20_000))
    found = recognise(text)    # before: every match compared with every earlier one (minutes)
    assert len(found) == 50


def test_fleet_lists_files_that_are_not_regular_and_links(cli, tmp_path):
    d = tmp_path / "scans"
    d.mkdir()
    (tmp_path / "elsewhere.json").write_text(json.dumps(scan_doc("linked")))
    (d / "a.json").write_text(json.dumps(scan_doc("a")))
    os.mkfifo(d / "fifo.json")                 # no writer: opening it would block for ever
    os.symlink("/dev/zero", d / "zero.json")   # endless
    (d / "dir.json").mkdir()
    os.symlink(tmp_path / "elsewhere.json", d / "linked.json")
    for args in (["fleet", "report", str(d), "--json"], ["gate", "--policy", POLICY, "--fleet", str(d), "--json"]):
        rc, out, err = cli(*args)
        assert rc in (0, 1), err
        text = out
        for name, kind in (("fifo", "a FIFO"), ("zero", "a symbolic link, not followed"), ("dir", "a directory"),
                           ("linked", "a symbolic link, not followed")):
            assert f"not a regular file ({kind})" in text, (args, name)
    doc = json.loads(cli("fleet", "report", str(d), "--json")[1])
    assert doc["nodes"] == 1 and {u["node"] for u in doc["unreadable"]} == {"fifo", "zero", "dir", "linked"}
