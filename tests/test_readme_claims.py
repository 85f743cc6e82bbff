"""What the README and docs/gate.md, docs/recommend.md promise, as a user meets it (issue 12, item 5): an optional
rule whose environment is absent is skipped, a starter policy passes where it was written, `gate -q` prints only
what did not pass, a missing policy file is named as such, a version range keeps its best install paths, and the
short view of `recommend` says why a path is risky."""
from __future__ import annotations

import glob
import json
import os

import pytest
import yaml

from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.recommend import recommend
from envcheck.recommend.model import ORDER
from envcheck.versions import parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVS = os.path.join(HERE, "fixtures", "envs")
POL = os.path.join(HERE, "fixtures", "policies")
SEED = os.path.join(ENVS, "seed-runpod-4090.yaml")
EXAMPLE = os.path.join(REPO, "examples", "envcheck-policy.yaml")
ENV_FILES = sorted(glob.glob(os.path.join(ENVS, "*.yaml")) + glob.glob(os.path.join(POL, "envs", "*.yaml")))
ROOT_DIRS = sorted(d for d in glob.glob(os.path.join(HERE, "fixtures", "roots", "*")) if os.path.isdir(d))


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


def _rule(doc, rid):
    return next(r for r in doc["rules"] if r["id"] == rid)


# ------------------------------------------------------------------------------- optional rule, environment absent
def test_example_policy_on_a_machine_without_its_venv_skips_the_optional_rule(cli):
    """examples/envcheck-policy.yaml names /workspace/venv with `optional: true`: on a machine without it (the
    H100 host has only /usr) the rule is skipped with a note, never exit 2."""
    env = load_env_file(os.path.join(ENVS, "host-580-h100.yaml"))
    assert "/workspace/venv" not in {p.prefix for p in env.pythons or ()}
    rc, out, err = cli("gate", "--policy", EXAMPLE, "--env", os.path.join(ENVS, "host-580-h100.yaml"), "--json")
    assert rc in (0, 1), err
    loadable = next(r for r in json.loads(out)["rules"] if r["rule"] == "loadable")
    assert loadable["optional"] and loadable["status"] == "skipped"
    assert "/workspace/venv" in loadable["summary"] and "not in the scan" in loadable["summary"]
    assert "/usr" in loadable["summary"]          # names the environments that are there


def test_example_policy_on_this_machine_is_a_verdict_not_a_usage_error(cli):
    rc, out, err = cli("gate", "--policy", EXAMPLE, "--json")
    assert rc in (0, 1), err
    loadable = next(r for r in json.loads(out)["rules"] if r["rule"] == "loadable")
    assert loadable["status"] in ("skipped", "pass", "fail")


def test_a_required_rule_naming_an_absent_environment_is_still_a_policy_error(cli, tmp_path):
    text = open(EXAMPLE, encoding="utf-8").read().replace("    optional: true                        # skip",
                                                          "    optional: false                       # skip")
    assert "optional: false" in text
    pol = tmp_path / "p.yaml"
    pol.write_text(text, encoding="utf-8")
    rc, _, err = cli("gate", "--policy", str(pol), "--env", os.path.join(ENVS, "host-580-h100.yaml"))
    assert rc == 2 and "/workspace/venv" in err and "optional: true" in err


def test_native_libs_rule_with_an_absent_environment_skips_when_optional(cli, tmp_path):
    pol = tmp_path / "p.yaml"
    pol.write_text("schema: envcheck.policy/1\nrules:\n  - rule: native-libs\n    environments: [/nowhere/venv]\n"
                   "    optional: true\n", encoding="utf-8")
    rc, out, err = cli("gate", "--policy", str(pol), "--env", SEED, "--json")
    assert rc == 0, err
    rule = json.loads(out)["rules"][0]
    assert rule["status"] == "skipped" and "/nowhere/venv" in rule["summary"]


# ------------------------------------------------------------------------------- init-policy passes where written
def _init_then_gate(cli, tmp_path, *inputs):
    pol = tmp_path / "envcheck-policy.yaml"
    rc, _, err = cli("init-policy", *inputs, "-o", str(pol), "--force")
    assert rc == 0, err
    rc, out, err = cli("gate", "--policy", str(pol), *inputs, "--json")
    return rc, json.loads(out) if out.strip().startswith("{") else None, pol.read_text(encoding="utf-8"), err


@pytest.mark.parametrize("env_file", ENV_FILES, ids=os.path.basename)
def test_init_policy_passes_on_the_env_file_it_was_written_from(cli, tmp_path, env_file):
    rc, doc, text, err = _init_then_gate(cli, tmp_path, "--env", env_file)
    assert rc == 0, (err, [(r["id"], r["status"], r["summary"]) for r in doc["rules"] if r["status"] == "fail"])
    assert yaml.safe_load(text)["schema"] == "envcheck.policy/1"


@pytest.mark.parametrize("root", ROOT_DIRS, ids=os.path.basename)
def test_init_policy_passes_on_the_root_it_was_written_from(cli, tmp_path, root):
    rc, doc, _, err = _init_then_gate(cli, tmp_path, "--root", root)
    assert rc == 0, (err, doc and [(r["id"], r["summary"]) for r in doc["rules"] if r["status"] == "fail"])


def test_init_policy_passes_on_this_machine(cli, tmp_path):
    rc, doc, _, err = _init_then_gate(cli, tmp_path)
    assert rc == 0, (err, doc and [(r["id"], r["summary"]) for r in doc["rules"] if r["status"] == "fail"])


def test_init_policy_comments_out_what_fails_and_says_why(cli, tmp_path):
    """No driver on the laptop: a TensorRT-LLM wheel cannot be installable there. The rule is written, commented
    out, under a note with the reason; uncommented, it fails (the note told the truth)."""
    env = os.path.join(ENVS, "laptop-nogpu.yaml")
    rc, doc, text, _ = _init_then_gate(cli, tmp_path, "--env", env)
    assert rc == 0 and "installable" not in [r["rule"] for r in doc["rules"]]
    assert "  # - rule: installable" in text and "Not active: this rule fails" in text and "no NVIDIA driver" in text
    revived = text.replace("  # - rule: installable", "  - rule: installable").replace(
        '  #   target: "tensorrt-llm"', '    target: "tensorrt-llm"')
    pol = tmp_path / "revived.yaml"
    pol.write_text(revived, encoding="utf-8")
    rc, out, _ = cli("gate", "--policy", str(pol), "--env", env, "--json")
    assert rc == 1 and _rule(json.loads(out), "installable:tensorrt-llm")["status"] == "fail"


def test_init_policy_waives_the_findings_present_with_an_expiry(cli, tmp_path):
    """After `pip install tensorrt-llm` (1.1.0, CUDA 13) on the seed's pod: native-lib-missing is there now. The
    starter waives it by code, per rule, until a date, and the verdict shows it as waived, not passed."""
    rc, doc, text, _ = _init_then_gate(cli, tmp_path, "--env", os.path.join(POL, "envs", "seed-after-trtllm-1.1.yaml"))
    assert rc == 0
    waivers = yaml.safe_load(text)["waivers"]
    assert {(w["code"], w["rule"]) for w in waivers} >= {("native-lib-missing", "findings"),
                                                         ("native-lib-missing", "native-libs")}
    assert all(w["reason"] and w["expires"] for w in waivers)
    assert {_rule(doc, "findings")["status"], _rule(doc, "native-libs")["status"]} == {"waived"}
    assert "libcublasLt.so.13" in text       # the comment above each waiver says what was found


# ------------------------------------------------------------------------------- gate -q, missing policy
def test_gate_quiet_prints_only_what_did_not_pass_and_the_verdict(cli):
    rc, out, _ = cli("gate", "--policy", EXAMPLE, "--env", SEED, "-q", "--today", "2026-11-25")
    assert rc == 1
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[-2].startswith("VERDICT: FAIL") and lines[-1].lstrip().startswith("reproduce:")
    rules = lines[:-2]
    assert rules and all(any(s in line for s in (" FAIL ", " WARN ", " SKIPPED ")) for line in rules), rules
    assert not any(" PASS " in line or " WAIVED " in line for line in out.splitlines())
    assert not any(line.lstrip().startswith(("seen:", "fix:")) for line in lines)
    rc, out, _ = cli("gate", "--policy", os.path.join(POL, "seed-pass.yaml"), "--env", SEED, "-q")
    assert rc == 0 and out.splitlines()[0].startswith("VERDICT: PASS") and len(out.splitlines()) == 2


def test_gate_missing_policy_says_so_without_a_line_number(cli, tmp_path):
    rc, out, err = cli("gate", "--policy", "nope.yaml", "--env", SEED)
    assert rc == 2 and out == ""
    assert "nope.yaml: no such file" in err and "nope.yaml:1" not in err and "init-policy" in err
    rc, _, err = cli("gate", "--policy", str(tmp_path), "--env", SEED)
    assert rc == 2 and "not a regular file" in err and ":1:" not in err


# ------------------------------------------------------------------------------- recommend with a range
def test_range_keeps_the_ok_image_that_the_unranged_view_lists(cli, matrix):
    env = load_env_file(SEED)
    full = recommend(env, matrix, "tensorrt-llm", "seed")
    ranged = recommend(env, matrix, "tensorrt-llm>=0.15,<1.1", "seed")
    ok_image = next(p for p in full.paths if p.kind == "image" and p.status == "ok")
    assert ok_image.version == "0.18.2"
    assert any(p.kind == "image" and p.version == "0.18.2" and p.status == "ok" for p in ranged.paths)
    assert all(parse("0.15") <= parse(p.version) < parse("1.1") for p in ranged.paths)


@pytest.mark.parametrize("env_file", [SEED, os.path.join(ENVS, "pod-535-a100.yaml")], ids=os.path.basename)
@pytest.mark.parametrize("spec", [">=0.15,<1.1", ">=0.19"])
def test_a_range_shows_the_best_path_of_each_kind_that_its_versions_have(matrix, env_file, spec):
    """For each kind (wheel, image, source), the best status shown for a range is the best status any single
    version in that range gets when asked for alone."""
    env = load_env_file(env_file)
    ranged = recommend(env, matrix, "tensorrt-llm" + spec, "t")
    versions = [r.version for r in matrix.rows("tensorrt-llm")]
    inside = [v for v in versions if _in(v, spec)]
    for kind in ("wheel", "image", "source"):
        alone = [p.status for v in inside for p in recommend(env, matrix, f"tensorrt-llm=={v}", "t").paths
                 if p.kind == kind]
        shown = [p.status for p in ranged.paths if p.kind == kind]
        if alone:
            assert shown and min(map(ORDER.get, shown)) == min(map(ORDER.get, alone)), (kind, shown, alone)


def _in(version: str, spec: str) -> bool:
    from packaging.specifiers import SpecifierSet
    return SpecifierSet(spec).contains(version, prereleases=True)


def test_short_view_says_why_each_risky_and_blocked_path_is_so(cli):
    rc, out, _ = cli("recommend", "--target", "tensorrt-llm>=0.15,<1.1", "--env", SEED)
    assert rc == 0
    blocks, cur = [], None
    for line in out.splitlines():
        if line[:4].strip().rstrip(".").isdigit():
            cur = [line]
            blocks.append(cur)
        elif cur is not None and line.startswith("       "):
            cur.append(line)
    assert any(b[0].split()[3] == "image" and "0.18.2" in b[0] and "ok" in b[0] for b in blocks), out
    for b in blocks:
        body = " ".join(" ".join(b[1:]).split())
        if " risky " in b[0] and " image " in b[0]:
            assert "risky: " in body and "minor-version compatibility" in body, b
        if " blocked " in b[0]:
            assert "blocked: " in body, b
    rc, out, _ = cli("recommend", "--target", "tensorrt-llm>=0.15,<1.1", "--env", SEED, "--json")
    for p in json.loads(out)["paths"]:
        assert bool(p["risks"]) == (p["status"] == "risky"), p
        assert all(r in p["reasons"] for r in p["risks"])


def test_the_parametrized_inputs_exist():
    assert len(ENV_FILES) >= 6 and len(ROOT_DIRS) >= 3


def test_init_policy_with_a_target_the_matrix_does_not_know_is_exit_2_without_a_draft_line(cli, tmp_path):
    rc, _, err = cli("init-policy", "--env", SEED, "--target", "tensorrt-llm==9.9", "-o", str(tmp_path / "p.yaml"))
    assert rc == 2 and "tensorrt-llm==9.9" in err and "envcheck-policy.yaml:" not in err and "p.yaml:" not in err
    assert not (tmp_path / "p.yaml").exists()
