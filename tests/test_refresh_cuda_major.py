"""`matrix refresh` on a vLLM release whose extension links libcudart.so.13 but names no nvcc release: the row
records the major it read (`cuda: "13"`), the matrix stays valid, and recommend blocks that build on a driver
below CUDA 13's minimum (a 570 GeForce pod) and calls it risky on a CUDA 13 driver (the minor is unknown).
The index is served from a temp dir on 127.0.0.1; the extension is a real ELF file built with cc."""
import json
import os
import shutil

import pytest

from conftest import ENVS
from refresh_index import Index, build_ext, wheel

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build the ELF files")
VERSION = "0.98.0"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """(refresh's exit code, its report, the matrix DIR it wrote)."""
    import subprocess
    import sys
    from conftest import REPO
    root = tmp_path_factory.mktemp("index13")
    idx = Index(str(root))
    ext = build_ext(str(root / "cc"), 13, None, "ext13_no_nvcc")
    fn = f"vllm-{VERSION}-cp38-abi3-manylinux_2_28_x86_64.whl"
    # torch==2.9.1 (a CUDA 12.8 torch the 570 driver runs): only vLLM's own CUDA 13 build can block it
    wheel(os.path.join(idx.files_dir, fn), "vllm", VERSION, requires=["torch==2.9.1"],
          requires_python="<3.14,>=3.10", members={"vllm/_C.abi3.so": ext}, pad=1 << 20)
    idx.add("vllm", fn, "2026-12-05T10:00:00Z")
    url = idx.start()
    out = tmp_path_factory.mktemp("refreshed") / "m"
    env = dict(os.environ, PYTHONPATH=REPO)
    p = subprocess.run([sys.executable, "-m", "envcheck", "matrix", "refresh", "vllm", "--index-url", url, "-o",
                        str(out)], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    idx.stop()
    rep = json.load(open(out / "refresh-report.json")) if (out / "refresh-report.json").exists() else None
    return p.returncode, p.stderr, rep, out


def test_the_row_records_the_cuda_major_read_from_the_file(refreshed, run_cli):
    rc, err, rep, out = refreshed
    assert rc == 0, err
    new = {c["version"]: c for c in rep["new"]}[VERSION]
    assert new["row"]["cuda"] == "13"
    notes = " ".join(new["notes"])
    assert "cuda is the major only" in notes and "libcudart.so.13" in notes and "a human sets the minor" in notes
    text = (out / "vllm.yaml").read_text()
    assert f'- version: "{VERSION}"' in text and 'cuda: "13"' in text
    rc, vout, verr = run_cli("matrix", "validate", "--only", str(out))
    assert rc == 0, vout + verr


def test_recommend_blocks_the_build_below_the_majors_driver_minimum(refreshed, run_cli):
    rc, err, rep, out = refreshed
    seed = os.path.join(ENVS, "seed-runpod-4090.yaml")      # driver 570.195.03 (CUDA 12.8), GeForce
    rc, text, err = run_cli("recommend", "--target", f"vllm=={VERSION}", "--env", seed, "--matrix", str(out), "--json")
    wheel_path = next(p for p in json.loads(text)["paths"] if p["kind"] == "wheel")
    assert wheel_path["status"] == "blocked", wheel_path
    blocker = wheel_path["blockers"][0]
    assert f"vllm {VERSION} is built with CUDA 13 (vllm.yaml:" in blocker
    assert "a CUDA 13 build needs driver >= 580.65.06" in blocker
    drv = next(p for p in json.loads(text)["paths"] if p["kind"] == "driver")
    assert any("natively that needs driver >= 580.65.06" in r for r in drv["reasons"])


def test_recommend_on_a_cuda_13_driver_is_risky_the_minor_unknown(refreshed, run_cli):
    rc, err, rep, out = refreshed
    h100 = os.path.join(ENVS, "host-580-h100.yaml")          # driver 580.95.05 (CUDA 13.0)
    rc, text, err = run_cli("recommend", "--target", f"vllm=={VERSION}", "--env", h100, "--matrix", str(out), "--json")
    wheel_path = next(p for p in json.loads(text)["paths"] if p["kind"] == "wheel")
    assert wheel_path["status"] == "risky" and "the minor version is not in the matrix" in wheel_path["risks"][0]


def test_a_major_only_fact_agrees_with_a_hand_written_minor():
    from envcheck.matrix.refresh.compare import same
    assert same("cuda", "13.0", "13") and same("cuda", "12.8", "12") and not same("cuda", "12.8", "13")
    assert not same("cuda", "12.8", "12.9")


def test_validate_refuses_a_cuda_major_the_cuda_file_does_not_have(refreshed, tmp_path, run_cli):
    rc, err, rep, out = refreshed
    bad = tmp_path / "m"
    shutil.copytree(out, bad)
    text = (bad / "vllm.yaml").read_text().replace('cuda: "13"', 'cuda: "99"')
    (bad / "vllm.yaml").write_text(text)
    rc, vout, verr = run_cli("matrix", "validate", "--only", str(bad))
    assert rc != 0 and f"vllm {VERSION}: CUDA 99 is not in cuda.yaml" in vout + verr
