"""`envcheck gate` and `envcheck init-policy` as a user runs them: exit codes, the five outputs (JUnit parsed back
with a real XML parser), and the ready-made examples in examples/."""
from __future__ import annotations

import glob
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from envcheck.cli import main

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
POL = os.path.join(HERE, "fixtures", "policies")
SEED = os.path.join(HERE, "fixtures", "envs", "seed-runpod-4090.yaml")
H100 = os.path.join(POL, "envs", "k8s-h100-580.yaml")
EXAMPLES = os.path.join(REPO, "examples")

needs_recommend = pytest.mark.skipif(
    importlib.util.find_spec("envcheck.recommend") is None,
    reason="envcheck.recommend (issue 7) is not in this checkout; the installable rule calls it")


def gate(cli, policy, *more, env=SEED):
    return cli("gate", "--policy", policy, "--env", env, "--today", "2026-11-25", *more)


# ------------------------------------------------------------------------------------------ exit codes
def test_exit_0_on_pass_and_verdict_names_matrix_and_digest(cli):
    path = os.path.join(POL, "seed-waived.yaml")
    rc, out, err = gate(cli, path)
    assert rc == 0, out + err
    assert "VERDICT: PASS" in out
    assert "matrix 20" in out.splitlines()[-1]
    assert "sha256:" + hashlib.sha256(open(path, "rb").read()).hexdigest() in out


def test_exit_1_on_fail(cli):
    rc, out, _ = gate(cli, os.path.join(POL, "seed-fail.yaml"))
    assert rc == 1 and "VERDICT: FAIL" in out
    assert "driver 570.195.03 is below the policy's minimum 580.65.06" in out


def test_exit_1_on_expired_waiver(cli):
    rc, out, _ = gate(cli, os.path.join(POL, "seed-expired.yaml"))
    assert rc == 1
    assert "waiver for dind-impossible expired on 2025-01-31" in out
    rc, _, _ = cli("gate", "--policy", os.path.join(POL, "seed-expired.yaml"), "--env", SEED, "--today", "2025-01-01")
    assert rc == 0


@pytest.mark.parametrize("name", ["unknown-rule", "wrong-type", "impossible-range", "waiver-bad-date", "bad-yaml"])
def test_exit_2_on_malformed_policy_with_file_line(cli, name):
    path = os.path.join(POL, "bad", name + ".yaml")
    rc, out, err = gate(cli, path)
    line = open(path).readline().split()[2].rstrip(":")
    assert rc == 2 and out == ""
    assert err.startswith(f"envcheck: {path}:{line}: ")
    assert "Traceback" not in err


def test_exit_2_on_environment_the_scan_lacks(cli):
    path = os.path.join(POL, "bad-eval", "missing-env.yaml")
    rc, out, err = gate(cli, path)
    assert rc == 2 and f"{path}:6:" in err and "environments there: /usr, /workspace/venv" in err


def test_exit_2_on_missing_env_file(cli, tmp_path):
    rc, out, err = gate(cli, os.path.join(POL, "seed-pass.yaml"), env=str(tmp_path / "scan.json"))
    assert rc == 2
    assert "no such file" in err and "envcheck scan --json" in err


def test_exit_2_on_bad_env_file(cli, tmp_path):
    bad = tmp_path / "scan.json"
    bad.write_text('{"schema": "envcheck.environment/1", "drivr": {}}')
    rc, _, err = gate(cli, os.path.join(POL, "seed-pass.yaml"), env=str(bad))
    assert rc == 2 and "drivr" in err


def test_exit_2_on_missing_policy_and_usage(cli, tmp_path):
    rc, _, err = gate(cli, str(tmp_path / "none.yaml"))
    assert rc == 2 and "no such file" in err and "none.yaml:1:" not in err
    rc, _, err = cli("gate", "--env", SEED)
    assert rc == 2 and "--policy" in err
    rc, _, err = cli("gate", "--policy", os.path.join(POL, "seed-pass.yaml"), "--env", SEED, "--today", "soon")
    assert rc == 2 and "--today" in err


def test_subprocess_exit_codes(run_cli):
    """The real entry point, in a process of its own: 0, 1, 2."""
    assert run_cli("gate", "--policy", os.path.join(POL, "seed-waived.yaml"), "--env", SEED)[0] == 0
    assert run_cli("gate", "--policy", os.path.join(POL, "seed-fail.yaml"), "--env", SEED)[0] == 1
    rc, out, err = run_cli("gate", "--policy", os.path.join(POL, "bad", "unknown-key.yaml"), "--env", SEED)
    assert rc == 2 and "unknown-key.yaml:6:" in err and "Traceback" not in err


# ------------------------------------------------------------------------------------------ outputs
def test_json_output(cli):
    path = os.path.join(POL, "seed-fail.yaml")
    rc, out, _ = gate(cli, path, "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["verdict"] == "fail" and doc["passed"] is False
    assert doc["policy"]["sha256"] == hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert re.match(r"\d{4}-\d{2}-\d{2}", doc["matrix_version"])
    rules = {r["id"]: r for r in doc["rules"]}
    assert rules["driver-580"]["status"] == "fail" and rules["driver-580"]["line"] == 5
    assert rules["driver-580"]["problems"][0]["code"] == "gate-driver"
    assert rules["not-docker"]["status"] == "warn"
    assert doc["counts"] == {"pass": 0, "fail": 4, "warn": 1, "waived": 0, "skipped": 0, "expired_waivers": 0}


def _parse_junit(path):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return root, suites[0]


def test_junit_one_testcase_per_rule(cli, tmp_path):
    xml = tmp_path / "out" / "report.xml"
    path = os.path.join(POL, "seed-fail.yaml")
    rc, _, _ = gate(cli, path, "--junit", str(xml))
    assert rc == 1
    root, suite = _parse_junit(xml)
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["driver-580", "two-big-gpus", "disk:/", "not-docker", "findings"]
    assert suite.get("tests") == "5" and suite.get("failures") == "4" and suite.get("errors") == "0"
    assert root.get("failures") == "4"
    failed = {c.get("name"): c.find("failure") for c in cases}
    assert failed["not-docker"] is None                      # warn: a passing testcase with the warning in system-out
    assert "WARNING" in cases[3].find("system-out").text
    f = failed["driver-580"]
    assert f.get("type") == "gate-driver" and "580.65.06" in f.get("message") and "fix:" in f.text
    assert cases[0].get("classname") == "envcheck.gate.driver" and cases[0].get("line") == "5"
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["policy_sha256"] == hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert props["verdict"] == "fail" and props["matrix_version"]


def test_junit_waived_skipped_and_expired(cli, tmp_path):
    xml = tmp_path / "r.xml"
    gate(cli, os.path.join(POL, "seed-unknown.yaml"), "--junit", str(xml))
    _, suite = _parse_junit(xml)
    assert suite.get("skipped") == "1"
    assert suite.find("testcase[@name='native-optional']/skipped") is not None
    gate(cli, os.path.join(POL, "seed-expired.yaml"), "--junit", str(xml))
    _, suite = _parse_junit(xml)
    case = suite.find("testcase[@name='waiver:dind-impossible']")
    assert case is not None and case.find("failure").get("type") == "gate-waiver-expired"
    assert suite.get("tests") == "2" and suite.get("failures") == "2"
    gate(cli, os.path.join(POL, "seed-waived.yaml"), "--junit", str(xml))
    _, suite = _parse_junit(xml)
    assert suite.get("failures") == "0"
    assert "waived dind-impossible" in suite.find("testcase[@name='findings']/system-out").text


def test_junit_escapes_markup(cli, tmp_path):
    xml = tmp_path / "r.xml"
    pol = tmp_path / "p.yaml"
    pol.write_text('schema: envcheck.policy/1\nname: "<&\\"quotes\\">"\nrules:\n'
                   '  - {rule: loadable, target: "torch>=2.5,<3", environment: /workspace/venv, check_native: false}\n')
    rc, _, _ = gate(cli, str(pol), "--junit", str(xml))
    assert rc == 1
    _, suite = _parse_junit(xml)                                  # parses: < & " are escaped
    assert suite.get("name") == 'envcheck gate: <&"quotes">'
    assert suite.find("testcase").get("name") == "loadable:torch>=2.5,<3@/workspace/venv"


def test_github_annotations_and_step_summary(cli, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    path = os.path.join(POL, "seed-fail.yaml")
    with pytest.raises(SystemExit) as exc:
        main(["gate", "--policy", path, "--env", SEED, "--github"])
    assert exc.value.code == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n## envcheck gate: ❌ FAIL")          # appended, not overwritten
    assert "| ✗ | `driver-580` | fail |" in text


def test_github_annotation_format(cli):
    rc, out, _ = gate(cli, os.path.join(POL, "seed-fail.yaml"), "--github")
    lines = [l for l in out.splitlines() if l.startswith("::")]
    errors = [l for l in lines if l.startswith("::error ")]
    warnings = [l for l in lines if l.startswith("::warning ")]
    assert len(errors) == 4 and len(warnings) == 1
    policy = os.path.join(POL, "seed-fail.yaml")
    assert errors[0].startswith(f"::error file={policy},line=5,title=envcheck gate%3A driver-580::")
    assert all("\n" not in l for l in lines)
    assert lines[-1].startswith("::notice title=envcheck gate verdict::envcheck gate FAIL")


def test_github_with_json_keeps_stdout_json(cli):
    rc, out, err = gate(cli, os.path.join(POL, "seed-fail.yaml"), "--github", "--json")
    json.loads(out)
    assert "::error " in err


def test_markdown_file(cli, tmp_path):
    md = tmp_path / "summary.md"
    rc, _, _ = gate(cli, os.path.join(POL, "seed-waived.yaml"), "--markdown", str(md))
    text = md.read_text()
    assert rc == 0 and text.startswith("## envcheck gate: ✅ PASS — seed-waived")
    assert "### Waived" in text and "until 2099-12-31" in text


def test_github_escaping():
    from envcheck.report.github import command

    assert command("error", "50% done\nnext", "a,b:c.yaml", 3, "t: x") == \
        "::error file=a%2Cb%3Ac.yaml,line=3,title=t%3A x::50%25 done%0Anext"


@needs_recommend
def test_seed_trtllm_cli(cli):
    rc, out, _ = gate(cli, os.path.join(POL, "seed-trtllm-1.1.yaml"))
    assert rc == 1 and "580.65.06" in out and "570.195.03" in out
    rc, out, _ = gate(cli, os.path.join(POL, "seed-pass.yaml"))
    assert rc == 0, out


# ------------------------------------------------------------------------------------------ init-policy
def test_init_policy_writes_refuses_overwrite_and_passes(cli, tmp_path):
    out = tmp_path / "envcheck-policy.yaml"
    rc, _, err = cli("init-policy", "--env", H100, "-o", str(out), "--target", "tensorrt-llm>=1.1,<1.2")
    assert rc == 0 and out.exists() and "wrote" in err
    text = out.read_text()
    assert text.startswith("# envcheck gate policy") and "schema: envcheck.policy/1" in text
    assert 'min_version: "580.95.05"' in text and 'min_compute_capability: "9.0"' in text
    rc, _, err = cli("init-policy", "--env", H100, "-o", str(out))
    assert rc == 2 and "--force" in err
    if importlib.util.find_spec("envcheck.recommend") is not None:
        rc, o, _ = cli("gate", "--policy", str(out), "--env", H100)
        assert rc == 0, o


def test_init_policy_stdout(cli):
    rc, out, _ = cli("init-policy", "--env", SEED, "-o", "-")
    assert rc == 0 and yaml.safe_load(out)["schema"] == "envcheck.policy/1"


# ------------------------------------------------------------------------------------------ examples/
def test_example_policy_against_the_seed(cli):
    policy = os.path.join(EXAMPLES, "envcheck-policy.yaml")
    rc, out, _ = cli("gate", "--policy", policy, "--env", SEED, "--json", "--today", "2026-11-25")
    doc = json.loads(out)
    st = {r["id"]: r["status"] for r in doc["rules"]}
    assert st["loadable:torch==2.6.*@/workspace/venv"] == "fail"       # the venv has torch 2.4
    assert st["native-libs"] == "fail"                                  # the hand-written seed has no native facts
    assert st["findings"] == "waived" and st["roomy-disk"] == "warn" and st["driver"] == "pass"
    assert rc == 1


def test_example_policy_after_expiry_fails_on_the_waiver(cli):
    policy = os.path.join(EXAMPLES, "envcheck-policy.yaml")
    rc, out, _ = cli("gate", "--policy", policy, "--env", SEED, "--json", "--today", "2030-01-01")
    assert [w["code"] for w in json.loads(out)["waivers"] if w["expired"]] == ["dind-impossible"]


def test_every_example_policy_loads():
    from envcheck.gate import load_policy

    files = [f for f in glob.glob(os.path.join(EXAMPLES, "**", "*.y*ml"), recursive=True)
             if "envcheck.policy/" in open(f).read()]
    assert files
    for f in files:
        assert load_policy(f).rules


def _commands(text):
    text = text.replace('", "', " ")          # a command written as a JSON/YAML list
    return [m.group(0) for m in re.finditer(r"envcheck gate [^\n\"']*", text)]


def test_ci_examples_are_valid_and_use_real_options():
    from envcheck.commands.gate import gate as gate_cmd

    opts = {o for p in gate_cmd.params for o in getattr(p, "opts", [])}
    files = [os.path.join(EXAMPLES, "github-actions", "envcheck-gate.yml"),
             os.path.join(EXAMPLES, "gitlab-ci", ".gitlab-ci.yml"),
             os.path.join(EXAMPLES, "kubernetes", "gate-job.yaml"),
             os.path.join(EXAMPLES, "kubernetes", "deployment-init-gate.yaml"),
             os.path.join(EXAMPLES, "pre-deploy.sh")]
    for f in files:
        text = open(f).read()
        if f.endswith((".yml", ".yaml")):
            docs = [d for d in yaml.safe_load_all(text) if d]
            assert docs, f
        used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", " ".join(_commands(text))))
        assert used, f
        assert used <= opts, (f, used - opts)
    gha = yaml.safe_load(open(files[0]))
    assert "--junit" in str(gha["jobs"]["gate"]["steps"]) and "--github" in str(gha["jobs"]["gate"]["steps"])
    gl = yaml.safe_load(open(files[1]))
    assert gl["envcheck-gate"]["artifacts"]["reports"]["junit"] == "envcheck-gate.xml"
    job = list(yaml.safe_load_all(open(files[2])))[0]
    spec = job["spec"]["template"]["spec"]
    assert job["kind"] == "Job" and spec["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1
    dep = yaml.safe_load(open(files[3]))
    assert [c["name"] for c in dep["spec"]["template"]["spec"]["initContainers"]][-1] == "envcheck-gate"


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_pre_deploy_sh_syntax():
    subprocess.run(["bash", "-n", os.path.join(EXAMPLES, "pre-deploy.sh")], check=True)


# ------------------------------------------------------------------------------------------ review fixes
@needs_recommend
def test_junit_and_json_carry_every_command_of_the_installable_path(cli, tmp_path):
    policy = os.path.join(EXAMPLES, "envcheck-policy.yaml")
    junit = tmp_path / "r.xml"
    rc, out, _ = cli("gate", "--policy", policy, "--env", SEED, "--json", "--junit", str(junit),
                     "--today", "2026-11-25")
    notes = "\n".join(next(r for r in json.loads(out)["rules"] if r["id"] == "trtllm")["notes"])
    xml = junit.read_text()
    for text in (notes, xml):
        assert "-m pip install --upgrade pip" in text
        assert '"tensorrt-llm==0.19.0" --extra-index-url' in text
        assert "import tensorrt_llm" in text


def test_markdown_has_no_broken_code_span(cli, tmp_path):
    md = tmp_path / "s.md"
    cli("gate", "--policy", os.path.join(EXAMPLES, "envcheck-policy.yaml"), "--env", SEED, "--markdown", str(md),
        "--today", "2026-11-25")
    text = md.read_text()
    assert "seen: `unknown: pythons" not in text and text.count("may say `native: []`") == 2   # table + what to fix
    assert "/workspace/venv/bin/python -m pip install 'torch==2.6.*'" in text


def test_init_policy_names_its_real_path_and_the_refusal_names_file_and_flag(cli, tmp_path):
    out = tmp_path / "p.yaml"
    rc, _, _ = cli("init-policy", "--env", SEED, "-o", str(out))
    assert rc == 0
    assert f"# Run:  envcheck gate --policy {out} " in out.read_text()
    assert "--policy envcheck-policy.yaml" not in out.read_text()
    before = out.read_text()
    rc, _, err = cli("init-policy", "--env", SEED, "-o", str(out))
    assert rc == 2 and str(out) in err and "--force" in err and out.read_text() == before
    rc, _, _ = cli("init-policy", "--env", SEED, "-o", str(out), "--force")
    assert rc == 0


def test_init_policy_writes_no_disk_rule_for_dev_shm(cli, tmp_path):
    import yaml as _yaml
    scan = _yaml.safe_load(open(SEED))
    scan["disk"].append({"path": "/dev/shm", "role": "shm", "free_gib": 0.0625, "total_gib": 0.0625,
                         "mount": "/dev/shm", "fstype": "tmpfs"})
    env = tmp_path / "scan.yaml"
    env.write_text(_yaml.safe_dump(scan))
    rc, out, _ = cli("init-policy", "--env", str(env), "-o", "-")
    assert rc == 0 and "/dev/shm" not in out
