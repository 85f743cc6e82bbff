"""The gate's policy loading and evaluation (pure), against the seed pod and fixture environments.

Policies: tests/fixtures/policies/*.yaml (good), bad/*.yaml (malformed; the first line says the expected
``line: message``), bad-eval/*.yaml (well-formed but naming what the environment does not have).
"""
from __future__ import annotations

import datetime as dt
import glob
import hashlib
import importlib.util
import os

import pytest

from envcheck.checks import run_checks
from envcheck.errors import InputError
from envcheck.gate import PolicyError, evaluate, load_policy, parse_policy
from envcheck.gate.values import impossible, parse_target_text
from envcheck.matrix.load import bundled_dir, load_matrix
from envcheck.model.document import load_env_file

HERE = os.path.dirname(os.path.abspath(__file__))
POL = os.path.join(HERE, "fixtures", "policies")
SEED = os.path.join(HERE, "fixtures", "envs", "seed-runpod-4090.yaml")
BROKEN = os.path.join(POL, "envs", "seed-after-trtllm-1.1.yaml")
H100 = os.path.join(POL, "envs", "k8s-h100-580.yaml")
TODAY = dt.date(2026, 11, 25)

needs_recommend = pytest.mark.skipif(
    importlib.util.find_spec("envcheck.recommend") is None,
    reason="envcheck.recommend (issue 7) is not in this checkout; the installable rule calls it")


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False, base=bundled_dir())


def verdict_for(policy_file, env_file, matrix, today=TODAY):
    policy = load_policy(os.path.join(POL, policy_file))
    env = load_env_file(env_file)
    return evaluate(policy, env, matrix, run_checks(env, matrix), f"from {os.path.basename(env_file)}", today, "test")


def by_id(v):
    return {o.rule.id: o for o in v.outcomes}


# ------------------------------------------------------------------------------------------ the cases
@needs_recommend
def test_seed_fails_trtllm_1_1_with_the_driver_reason(matrix):
    v = verdict_for("seed-trtllm-1.1.yaml", SEED, matrix)
    assert not v.passed
    o = by_id(v)["trtllm"]
    assert o.status == "fail"
    p = o.open_problems[0]
    assert p.code == "gate-not-installable"
    text = p.message + " ".join(p.evidence)
    assert "570.195.03" in text and "580.65.06" in text and "driver" in text   # the driver is the reason
    assert "CUDA 13" in text
    assert any("driver" in f for f in p.fix)                                     # and the fix says so


@needs_recommend
def test_seed_passes_trtllm_0_15_to_1_1_by_a_wheel_path(matrix):
    v = verdict_for("seed-pass.yaml", SEED, matrix)
    assert v.passed, [(o.rule.id, o.summary) for o in v.outcomes]
    o = by_id(v)["installable:tensorrt-llm>=0.15,<1.1"]
    assert o.status == "pass"
    assert "wheel path to tensorrt-llm" in o.summary
    version = o.summary.split("tensorrt-llm ")[1].split()[0]
    from packaging.specifiers import SpecifierSet
    assert version in SpecifierSet(">=0.15,<1.1")


def test_fail_policy_reports_each_rule_and_warn_does_not_fail(matrix):
    v = verdict_for("seed-fail.yaml", SEED, matrix)
    o = by_id(v)
    assert not v.passed
    assert o["driver-580"].status == "fail" and "570.195.03" in o["driver-580"].summary
    assert o["two-big-gpus"].status == "fail" and "24.0 GiB < 80" in o["two-big-gpus"].summary
    assert o["disk:/"].status == "fail" and "46 GiB free" in o["disk:/"].summary
    assert o["not-docker"].status == "warn"
    assert o["findings"].status == "fail"
    assert [p.code for p in o["findings"].open_problems] == ["dind-impossible"]
    assert v.counts()["fail"] == 4 and v.counts()["warn"] == 1


def test_only_warn_rules_failing_passes(matrix):
    raw = b"schema: envcheck.policy/1\nrules:\n  - {rule: disk, path: /, min_free_gib: 100, severity: warn}\n"
    v = evaluate(parse_policy(raw, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY)
    assert v.passed and v.outcomes[0].status == "warn"


def test_waiver_turns_a_failing_finding_into_waived(matrix):
    v = verdict_for("seed-waived.yaml", SEED, matrix)
    assert v.passed
    o = by_id(v)["findings"]
    assert o.status == "waived"
    assert o.waived_problems[0].code == "dind-impossible"
    states = {w.waiver.code: w for w in v.waivers}
    assert states["dind-impossible"].used == 1 and not states["dind-impossible"].expired
    assert states["gate-disk"].used == 0          # unused: reported, does not fail


def test_expired_waiver_fails_and_says_so(matrix):
    v = verdict_for("seed-expired.yaml", SEED, matrix)
    assert not v.passed
    assert by_id(v)["findings"].status == "fail"          # the finding is not waived any more
    assert [w.waiver.code for w in v.expired] == ["dind-impossible"]
    from envcheck.gate.verdict import expired_message
    assert "expired on 2025-01-31" in expired_message(v.expired[0])


def test_expiry_is_judged_on_the_given_day(matrix):
    v = verdict_for("seed-expired.yaml", SEED, matrix, today=dt.date(2025, 1, 31))
    assert v.passed                                      # the last day of a waiver still counts
    v = verdict_for("seed-expired.yaml", SEED, matrix, today=dt.date(2025, 2, 1))
    assert not v.passed


def test_expired_waiver_fails_even_when_nothing_it_covers_is_found(matrix):
    raw = (b"schema: envcheck.policy/1\nrules:\n  - {rule: driver, min_version: '550'}\nwaivers:\n"
           b"  - {code: low-disk, reason: 'old scratch disk', expires: 2020-01-01}\n")
    from envcheck.gate.policy import known_codes
    v = evaluate(parse_policy(raw, "p.yaml", known_codes()), load_env_file(SEED), matrix, [], "", TODAY)
    assert not v.passed and v.outcomes[0].status == "pass" and len(v.expired) == 1


def test_unknown_fact_fails_unless_optional(matrix):
    v = verdict_for("seed-unknown.yaml", SEED, matrix)
    o = by_id(v)
    assert o["native-strict"].status == "fail"
    assert o["native-strict"].open_problems[0].code == "gate-fact-unknown"
    assert "pythons[/workspace/venv].native" in o["native-strict"].summary
    assert o["native-optional"].status == "skipped"
    assert o["torch-native"].status == "fail"
    assert not v.passed


def test_partial_environment_never_passes_by_accident(matrix):
    from envcheck.model import Environment

    env = Environment.from_dict({"schema": "envcheck.environment/1"})   # knows nothing
    raw = open(os.path.join(POL, "k8s-h100.yaml"), "rb").read()
    raw = raw.replace(b"  - {rule: installable", b"  # - {rule: installable")
    raw = raw.replace(b"environment: /opt/venv", b"environment: /opt/venv, optional: true")
    from envcheck.gate.policy import known_codes
    pol = parse_policy(raw, "k8s-h100.yaml", known_codes())
    v = evaluate(pol, env, matrix, run_checks(env, matrix), "", TODAY)
    assert not v.passed
    for o in v.outcomes:
        assert o.status in ("fail", "skipped"), (o.rule.id, o.status)
        if o.status == "fail":
            assert o.open_problems[0].code == "gate-fact-unknown"


def test_no_driver_is_a_known_failure_not_an_unknown(matrix):
    from envcheck.model import Environment

    env = Environment.from_dict({"driver": {"error": "NVML Shared Library Not Found"}})
    pol = parse_policy(b"schema: envcheck.policy/1\nrules:\n  - {rule: driver, min_version: '550'}\n", "p.yaml", set())
    o = evaluate(pol, env, matrix, [], "", TODAY).outcomes[0]
    assert o.status == "fail" and o.open_problems[0].code == "gate-driver"
    assert "NVML Shared Library Not Found" in o.summary


def test_broken_native_library_fails_native_and_loadable(matrix):
    v = verdict_for("broken-native.yaml", BROKEN, matrix)
    o = by_id(v)
    assert o["native-libs"].status == "fail"
    assert o["native-libs"].open_problems[0].code == "native-lib-missing"
    assert "libcublasLt.so.13" in o["native-libs"].summary
    assert o["trtllm-loads"].status == "fail" and "libcublasLt.so.13" in o["trtllm-loads"].summary


@needs_recommend
def test_installable_falls_back_from_loadable(matrix):
    v = verdict_for("broken-native.yaml", BROKEN, matrix)
    o = by_id(v)["trtllm-or-loaded"]
    assert o.status == "pass" and "wheel path" in o.summary
    assert any("not loadable in /usr" in n for n in o.notes)


def test_native_finding_can_be_waived_by_code(matrix):
    raw = open(os.path.join(POL, "broken-native.yaml"), "rb").read().split(b"  - {rule: loadable")[0]
    raw += b"waivers:\n  - {code: native-lib-missing, subject: /usr, reason: 'trtllm is unused there', " \
           b"expires: 2099-01-01}\n"
    from envcheck.gate.policy import known_codes
    pol = parse_policy(raw, "p.yaml", known_codes())
    env = load_env_file(BROKEN)
    v = evaluate(pol, env, matrix, run_checks(env, matrix), "", TODAY)
    assert v.passed and v.outcomes[0].status == "waived"
    # a waiver for another subject does not cover it
    pol = parse_policy(raw.replace(b"subject: /usr,", b"subject: /workspace/venv,"), "p.yaml", known_codes())
    assert not evaluate(pol, env, matrix, run_checks(env, matrix), "", TODAY).passed


@needs_recommend
def test_datacenter_node_passes_trtllm_1_1(matrix):
    v = verdict_for("k8s-h100.yaml", H100, matrix)
    assert v.passed, [(o.rule.id, o.status, o.summary) for o in v.outcomes]
    o = by_id(v)
    assert "/models" in " ".join(o["disk:/models/llama"].notes)    # the filesystem that holds the path
    assert "container.uid = 1000" in o["container"].notes


def test_container_rules(matrix):
    raw = (b"schema: envcheck.policy/1\nrules:\n"
           b"  - {rule: container, id: c1, privileged: false, run_as_root: false}\n"
           b"  - {rule: container, id: c2, capabilities_required: [SYS_ADMIN], capabilities_forbidden: [CAP_NET_RAW]}\n")
    v = evaluate(parse_policy(raw, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY)
    o = by_id(v)
    assert o["c1"].status == "fail" and "uid 0 (root)" in o["c1"].summary
    msgs = [p.message for p in o["c2"].open_problems]
    assert msgs == ["lacks CAP_SYS_ADMIN", "has CAP_NET_RAW"]


def test_matrix_pin(matrix):
    pin = f"schema: envcheck.policy/1\nrules:\n  - {{rule: matrix, version: '{matrix.version}'}}\n".encode()
    assert evaluate(parse_policy(pin, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY).passed
    old = b"schema: envcheck.policy/1\nrules:\n  - {rule: matrix, version: '2020-01-01'}\n"
    o = evaluate(parse_policy(old, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY).outcomes[0]
    assert o.status == "fail" and "not the pinned 2020-01-01" in o.summary
    newer = b"schema: envcheck.policy/1\nrules:\n  - {rule: matrix, min_version: '2999-01-01'}\n"
    o = evaluate(parse_policy(newer, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY).outcomes[0]
    assert o.status == "fail" and "older than" in o.summary


def test_gpu_names_and_matrix_fallback(matrix):
    from envcheck.model import Environment

    env = Environment.from_dict({"gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 4090"}]})   # no cc, no memory
    raw = b"schema: envcheck.policy/1\nrules:\n  - {rule: gpu, min_compute_capability: '8.9', min_memory_gib: 24, " \
          b"names: [RTX 4090, L40S]}\n"
    o = evaluate(parse_policy(raw, "p.yaml", set()), env, matrix, [], "", TODAY).outcomes[0]
    assert o.status == "pass", o.summary          # cc and memory from matrix/gpus.yaml
    raw = raw.replace(b"RTX 4090, L40S", b"H100")
    o = evaluate(parse_policy(raw, "p.yaml", set()), env, matrix, [], "", TODAY).outcomes[0]
    assert o.status == "fail" and "not one of H100" in o.summary


def test_digest_is_sha256_of_the_file_bytes():
    path = os.path.join(POL, "seed-pass.yaml")
    assert load_policy(path).digest == hashlib.sha256(open(path, "rb").read()).hexdigest()


# ------------------------------------------------------------------------------------------ malformed policies
BAD = sorted(glob.glob(os.path.join(POL, "bad", "*.yaml")))


def _expect(path):
    first = open(path, encoding="utf-8").readline()
    assert first.startswith("# expect: "), path
    line, _, text = first[len("# expect: "):].strip().partition(": ")
    return int(line), text


@pytest.mark.parametrize("path", BAD, ids=[os.path.basename(p) for p in BAD])
def test_malformed_policy_names_file_and_line(path):
    line, text = _expect(path)
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    assert exc.value.exit_code == 2
    assert str(exc.value).startswith(f"{path}:{line}: "), str(exc.value)
    assert text in str(exc.value)


BAD_EVAL = sorted(glob.glob(os.path.join(POL, "bad-eval", "*.yaml")))


@pytest.mark.parametrize("path", BAD_EVAL, ids=[os.path.basename(p) for p in BAD_EVAL])
def test_policy_naming_what_the_environment_lacks_is_exit_2(path, matrix):
    if "released" in path or "range" in path:
        if importlib.util.find_spec("envcheck.recommend") is None:
            pytest.skip("envcheck.recommend (issue 7) is not in this checkout")
    line, text = _expect(path)
    policy = load_policy(path)
    env = load_env_file(SEED)
    with pytest.raises(InputError) as exc:
        evaluate(policy, env, matrix, run_checks(env, matrix), "", TODAY)
    assert exc.value.exit_code == 2
    assert str(exc.value).startswith(f"{path}:{line}: "), str(exc.value)
    assert text in str(exc.value)


def test_missing_policy_file():
    with pytest.raises(PolicyError) as exc:
        load_policy("/nonexistent/policy.yaml")
    assert "/nonexistent/policy.yaml:1: cannot read the policy" in str(exc.value)
    assert "init-policy" in str(exc.value)


def test_not_utf8_policy():
    with pytest.raises(PolicyError) as exc:
        parse_policy(b"schema: envcheck.policy/1\nrules:\n  - {rule: \xff}\n", "p.yaml", set())
    assert str(exc.value).startswith("p.yaml:3: not UTF-8")


@pytest.mark.parametrize("spec,why", [
    (">=1.1,<0.19", ">=1.1 is above <0.19"),
    (">1.0,<=1.0", ">1.0 is above <=1.0"),
    ("==2.7.*,>=2.8", ">=2.8 is above ==2.7.*"),
    ("~=1.2,<1.0", "~=1.2 is above <1.0"),
    ("==1.0,!=1.0", "exclude each other"),
])
def test_impossible_ranges(spec, why):
    from packaging.specifiers import SpecifierSet
    assert why in impossible(SpecifierSet(spec))


@pytest.mark.parametrize("spec", [">=0.19,<1.1", "==2.7.*", "~=1.0", ">=1.0,<=1.0", "!=1.0", "==1.1.0", ">=2.7,<2.8"])
def test_possible_ranges(spec):
    from packaging.specifiers import SpecifierSet
    assert impossible(SpecifierSet(spec)) is None


def test_target_text():
    assert parse_target_text("TensorRT_LLM>=0.19,<1.1")[0] == "tensorrt-llm"
    assert parse_target_text("torch")[1] is None
    with pytest.raises(ValueError):
        parse_target_text("torch 2.7")


def test_rule_table_codes_are_registered_and_cover_the_gate_codes():
    from envcheck.findings import registered_codes
    from envcheck.gate.rules import UNKNOWN, WAIVER_EXPIRED
    from envcheck.gate.table import RULES

    codes = registered_codes()
    carried = {c for spec in RULES.values() for c in spec.codes or ()}
    assert carried <= set(codes)
    gate_codes = {c for c in codes if c.startswith("gate-")} - {UNKNOWN, WAIVER_EXPIRED}
    assert gate_codes <= carried
    assert all(name == spec.name for name, spec in RULES.items())


# ------------------------------------------------------------------------------------------ init-policy
def test_starter_policy_is_valid_and_passes_where_it_was_written(matrix):
    from envcheck.gate.policy import known_codes
    from envcheck.gate.starter import starter_policy

    for env_file, target in ((SEED, "tensorrt-llm>=0.15,<1.1"), (H100, "tensorrt-llm>=1.1,<1.2")):
        env = load_env_file(env_file)
        text = starter_policy(env, matrix, "test", target, today=TODAY)
        pol = parse_policy(text.encode(), "starter.yaml", known_codes())
        kinds = [r.kind for r in pol.rules]
        assert kinds[:3] == ["matrix", "installable", "loadable"] and "findings" in kinds
        if importlib.util.find_spec("envcheck.recommend") is None:
            continue
        v = evaluate(pol, env, matrix, run_checks(env, matrix), "", TODAY)
        bad = [(o.rule.id, o.summary) for o in v.outcomes if o.status == "fail"]
        assert not bad, bad       # written from this machine, so it holds here


# ------------------------------------------------------------------------------------------ review fixes
def _disk_env(rows):
    import dataclasses
    from envcheck.model.system import Disk
    env = load_env_file(SEED)
    return dataclasses.replace(env, disk=tuple(Disk(**r) for r in rows))


def _disk_verdict(matrix, rows, path, extra=""):
    raw = (f"schema: envcheck.policy/1\nrules:\n  - {{rule: disk, path: {path}, min_free_gib: 40{extra}}}\n").encode()
    return evaluate(parse_policy(raw, "p.yaml", set()), _disk_env(rows), matrix, [], "", TODAY).outcomes[0]


ROOT_ROW = {"path": "/", "role": "root,home,pip-cache,hf-cache", "free_gib": 46.0, "total_gib": 50.0, "mount": "/",
            "fstype": "overlay"}
SHM_ROW = {"path": "/dev/shm", "role": "shm", "free_gib": 62.0, "total_gib": 62.0, "mount": "/dev/shm",
           "fstype": "tmpfs"}


def test_disk_does_not_invent_workspace_from_root(matrix):
    # the seed has only disk[/]: /workspace (often its own volume on RunPod) is unknown, not "46 GiB free"
    o = _disk_verdict(matrix, [ROOT_ROW, SHM_ROW], "/workspace")
    assert o.status == "fail" and o.problems[0].code == "gate-fact-unknown", o.summary
    assert "no row for /workspace" in o.summary and "46 GiB free" not in o.summary
    assert _disk_verdict(matrix, [ROOT_ROW, SHM_ROW], "/workspace", ", optional: true").status == "skipped"
    # the example policy against the seed says the same
    v = verdict_for(os.path.join(HERE, "..", "examples", "envcheck-policy.yaml"), SEED, matrix)
    assert by_id(v)["disk:/workspace"].status == "fail"
    assert by_id(v)["disk:/workspace"].problems[0].code == "gate-fact-unknown"


def test_disk_knows_workspace_from_its_row_role_or_mount(matrix):
    ws = {"path": "/workspace", "role": "workspace", "free_gib": 900.0, "total_gib": 1000.0, "mount": "/workspace",
          "fstype": "fuse"}
    o = _disk_verdict(matrix, [ROOT_ROW, ws], "/workspace")
    assert o.status == "pass" and "900 GiB free" in o.summary
    o = _disk_verdict(matrix, [ROOT_ROW, ws], "/workspace/models")       # inside the mount /workspace
    assert o.status == "pass" and "900 GiB free" in o.summary
    merged = dict(ROOT_ROW, role="root,home,workspace")                   # the probe merged /workspace into /
    o = _disk_verdict(matrix, [merged], "/workspace")
    assert o.status == "pass" and "role" in o.notes[0]
    below = {"path": "/workspace/.cache/pip", "role": "pip-cache", "free_gib": 46.0, "mount": "/"}
    o = _disk_verdict(matrix, [ROOT_ROW, below], "/workspace")            # a path below it is on mount /
    assert o.status == "pass"


def test_shm_row_never_stands_in_for_another_path(matrix):
    for path in ("/dev", "/dev/shm/x", "/tmp", "/workspace"):
        o = _disk_verdict(matrix, [SHM_ROW], path)
        assert o.problems and o.problems[0].code == "gate-fact-unknown", (path, o.summary)
    assert _disk_verdict(matrix, [SHM_ROW], "/dev/shm").status == "pass"


@needs_recommend
def test_installable_notes_carry_every_command_of_the_path(matrix):
    v = verdict_for(os.path.join(HERE, "..", "examples", "envcheck-policy.yaml"), SEED, matrix)
    notes = by_id(v)["trtllm"].notes
    assert any('pip install --no-cache-dir "tensorrt-llm==0.19.0"' in n or 'install "tensorrt-llm==0.19.0"' in n
               for n in notes), notes
    assert any("import tensorrt_llm" in n for n in notes), notes


def test_loadable_fix_installs_into_the_named_environment(matrix):
    import dataclasses
    raw = (b"schema: envcheck.policy/1\nrules:\n"
           b"  - {rule: loadable, target: 'torch==2.6.*', environment: /workspace/venv}\n")
    pol = parse_policy(raw, "p.yaml", set())
    env = load_env_file(SEED)
    fix = evaluate(pol, env, matrix, [], "", TODAY).outcomes[0].problems[0].fix
    assert fix[0].startswith("/workspace/venv/bin/python -m pip install 'torch==2.6.*'")
    assert "replaces torch 2.4.0+cu121" in fix[0] and "depend" not in fix[0]   # the seed lists no requires
    assert fix[1].startswith("envcheck recommend --target 'torch==2.6.*'")
    venv = dataclasses.replace(env.pythons[1], requires={"transformers": ("torch>=1.11", "numpy>=1.17"),
                                                         "numpy": ()})
    env = dataclasses.replace(env, pythons=(env.pythons[0], venv))
    fix = evaluate(pol, env, matrix, [], "", TODAY).outcomes[0].problems[0].fix
    assert "transformers (torch>=1.11)" in fix[0] and "numpy" not in fix[0]


def test_markdown_code_spans_survive_backticks_and_text_says_each_sentence_once(matrix):
    from envcheck.gate.render import _code, render_human, render_markdown
    from envcheck.report.junit import render_junit
    assert _code("a `b` c") == "``a `b` c``"
    assert _code("`x`") == "`` `x` ``"
    # the seed has no native facts: an unknown whose hint has backticks
    raw = b"schema: envcheck.policy/1\nrules:\n  - {rule: native-libs, environments: all}\n"
    v = evaluate(parse_policy(raw, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY)
    md = render_markdown(v)
    assert "- seen: `unknown:" not in md                     # no code span broken by the inner backticks
    for line in md.splitlines():
        if "seen:" in line:
            assert line.count("``") >= 2
    hint = "may say `native: []`"
    human = render_human(v)
    assert human.count(hint) == 1, human
    junit = render_junit(v)
    assert junit.count(hint) == 1, junit


def test_evidence_uses_the_document_spelling(matrix):
    raw = b"schema: envcheck.policy/1\nrules:\n  - {rule: container, privileged: false, docker_socket: true}\n"
    o = evaluate(parse_policy(raw, "p.yaml", set()), load_env_file(SEED), matrix, [], "", TODAY).outcomes[0]
    text = " ".join(o.notes + [e for p in o.problems for e in p.evidence])
    assert "container.privileged = false" in text and "container.docker_socket = false" in text
    assert "False" not in text and "None" not in text
