"""The CLI as a user runs it: `python -m envcheck ...` in a subprocess."""
import json
import os

import jsonschema
import pytest

from envcheck.model import environment_schema
from conftest import ENVS, ROOTS

SEED = f"{ENVS}/seed-runpod-4090.yaml"


def test_scan_root_json_validates_against_the_published_schema(run_cli):
    rc, out, err = run_cli("scan", "--root", f"{ROOTS}/runpod-4090", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, environment_schema())
    assert doc["schema"] == "envcheck.environment/1"
    assert doc["meta"]["live"] is False


def test_live_scan_json_validates_and_feeds_back_through_env(run_cli, tmp_path):
    rc, out, err = run_cli("scan", "--json")
    assert rc == 0, err
    jsonschema.validate(json.loads(out), environment_schema())
    saved = tmp_path / "scan.json"
    saved.write_text(out)
    rc2, out2, _ = run_cli("scan", "--env", str(saved), "--json")
    assert rc2 == 0
    assert json.loads(out2) == json.loads(out)


def test_schema_command_prints_the_schema(run_cli):
    rc, out, _ = run_cli("schema")
    assert rc == 0 and json.loads(out) == environment_schema()


def test_human_report_has_sections_marks_and_fixes(run_cli):
    rc, out, _ = run_cli("scan", "--env", SEED)
    assert rc == 0
    for section in ("Host", "Disk", "Driver & GPUs", "Container", "Findings"):
        assert f"\n{section}" in out
    assert "✗" in out or "!" in out
    assert "dind-impossible" in out and "$ " in out  # a finding with a command to paste


def test_partial_env_says_unknown_not_absent(run_cli, tmp_path):
    f = tmp_path / "partial.yaml"
    f.write_text("driver: {version: '570.195.03', cuda: '12.8'}\n")
    rc, out, _ = run_cli("scan", "--env", str(f))
    assert rc == 0
    assert "Host\n  ? unknown: not in this document" in out
    assert "Python environments\n  ? unknown" in out


def test_markdown_report(run_cli):
    rc, out, _ = run_cli("scan", "--env", SEED, "--markdown")
    assert rc == 0
    assert out.startswith("# envcheck report") and "| | fact | value |" in out and "```sh" in out


def test_check_json_has_codes_and_exit_code(run_cli):
    rc, out, _ = run_cli("check", "--env", SEED, "--json")
    doc = json.loads(out)
    assert set(doc) >= {"matrix_version", "findings"}
    codes = {f["code"] for f in doc["findings"]}
    assert "dind-impossible" in codes
    for f in doc["findings"]:
        assert set(f) >= {"code", "severity", "title", "evidence", "fix"}
    fails = [f for f in doc["findings"] if f["severity"] == "fail"]
    assert rc == (1 if fails else 0)


@pytest.mark.parametrize("content, words", [
    ("{not json nor: [yaml", "neither JSON nor YAML"),
    ("- just\n- a list\n", "expected a mapping"),
    ("host: {os: 1}\n", "host.os: expected a string"),
    ("hots: {}\n", "hots: unknown key"),
    ("schema: envcheck.environment/9\n", "schema"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_bad_env_files_exit_2_with_file_and_key(run_cli, tmp_path, content, words):
    f = tmp_path / "bad.yaml"
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    rc, out, err = run_cli("scan", "--env", str(f))
    assert rc == 2
    assert str(f) in err and words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_root_and_missing_env_exit_2(run_cli, tmp_path):
    rc, _, err = run_cli("scan", "--root", str(tmp_path / "nope"))
    assert rc == 2 and "no such directory" in err
    rc, _, err = run_cli("scan", "--env", str(tmp_path / "nope.json"))
    assert rc == 2 and "cannot read" in err


def test_codes_lists_every_registered_code(run_cli):
    rc, out, _ = run_cli("codes", "--json")
    codes = {c["code"] for c in json.loads(out)}
    assert {"no-nvidia-driver", "driver-max-cuda", "nvml-failing", "dind-impossible", "low-disk"} <= codes
    # recommend, explain and the gate register codes too: `envcheck codes` must list them
    assert {"native-lib-missing", "torch-cuda-too-new-for-driver", "gate-waiver-expired"} & codes == \
        {"native-lib-missing", "torch-cuda-too-new-for-driver", "gate-waiver-expired"}


def test_docs_codes_page_is_current(run_cli):
    from conftest import REPO
    rc, out, _ = run_cli("codes", "--markdown")
    with open(os.path.join(REPO, "docs", "codes.md"), encoding="utf-8") as fh:
        page = fh.read()
    assert rc == 0 and page.strip() == out.strip(), "regenerate: envcheck codes --markdown > docs/codes.md"


def test_help_imports_nothing_heavy(run_cli):
    import subprocess
    import sys
    from conftest import REPO
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "envcheck", "--help"], capture_output=True,
                       text=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO))
    assert p.returncode == 0
    imported = {line.split("|")[-1].strip() for line in p.stderr.splitlines() if "|" in line}
    for heavy in ("torch", "pynvml", "yaml", "requests", "tabulate", "envcheck.probes", "envcheck.matrix.load"):
        assert heavy not in imported, heavy


def test_scan_groups_libraries_by_directory_and_v_lists_each(run_cli, tmp_path):
    doc = {"schema": "envcheck.environment/1", "libraries": [
        {"soname": "libcublas.so.12", "path": "/usr/local/cuda-12.4/lib64/libcublas.so.12.4.5.8", "via": "ld.so.cache",
         "version": "12.4.5.8", "cuda_major": 12},
        {"soname": "libcublasLt.so.12", "path": "/usr/local/cuda-12.4/lib64/libcublasLt.so.12.4.5.8",
         "via": "ld.so.cache", "version": "12.4.5.8", "cuda_major": 12},
        {"soname": "libcudart.so.12", "path": "/workspace/venv/lib/python3.10/site-packages/nvidia/cuda_runtime/lib/libcudart.so.12",
         "via": "wheel", "version": "12.1.105", "cuda_major": 12, "environment": "/workspace/venv"},
        {"soname": "libcublasLt.so.13", "via": "wheel"}]}
    f = tmp_path / "libs.json"
    f.write_text(json.dumps(doc))
    rc, out, _ = run_cli("scan", "--env", str(f))
    assert rc == 0
    assert "/usr/local/cuda-12.4/lib64" in out and "2 · CUDA 12 · ld.so.cache: cublas, cublasLt 12.4.5.8" in out
    assert "nvidia/cuda_runtime/lib in /workspace/venv" in out
    assert "libcublasLt.so.13" in out and "not found" in out
    rc, out, _ = run_cli("scan", "--env", str(f), "-v")
    assert "libcublas.so.12 " in out and "libcublasLt.so.12 " in out and "2 · CUDA 12" not in out
