"""recommend on a machine without a usable GPU: torch's CPU build is an `ok` path (installed from PyTorch's CPU
index, or "already installed" where an environment has a +cpu torch), with what a GPU build would need; targets
without a CPU build stay blocked, and GPU machines' answers do not change."""
import json
import os

import pytest

from conftest import ENVS
from envcheck.matrix.load import load_matrix
from envcheck.model import Environment
from envcheck.model.document import load_env_file
from envcheck.recommend import installable, recommend

CPU_INDEX = "--index-url https://download.pytorch.org/whl/cpu"
LAPTOP = os.path.join(ENVS, "laptop-nogpu.yaml")


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


def laptop_with_cpu_torch(version="2.13.0+cpu") -> Environment:
    """The laptop with a venv that has torch's CPU build (as `pip install torch --index-url .../cpu` leaves it)."""
    d = load_env_file(LAPTOP).to_dict()
    d["pythons"].append({"path": "/home/me/venv/bin/python", "kind": "venv", "version": "3.10.12",
                         "prefix": "/home/me/venv", "base": "/usr/bin/python3", "packages": {"torch": version}})
    return Environment.from_dict(d)


def test_no_gpu_torch_offers_the_cpu_build_and_says_what_a_gpu_build_needs(matrix):
    rec = recommend(load_env_file(LAPTOP), matrix, "torch")
    best = installable(rec)
    assert best is rec.paths[0] and best.kind == "wheel" and best.version.endswith("+cpu")
    newest = matrix.sorted_rows("torch")[0].version
    assert best.version == f"{newest}+cpu"
    assert any(f'-m pip install --no-cache-dir "torch=={newest}+cpu" {CPU_INDEX}' in c for c in best.commands)
    assert any("runs here" in r and "CPU build" in r and "no usable GPU" in r for r in best.reasons)
    gpu = next(r for r in best.reasons if r.startswith("a GPU build instead needs an NVIDIA GPU and driver >= "))
    assert "cuda.yaml:" in gpu and f"torch {newest}'s cu" in gpu
    assert best.disk_gib == 2 and not best.blockers
    cuda = [p for p in rec.paths if p.kind == "wheel" and not p.version.endswith("+cpu")]
    assert cuda and all(p.status == "blocked" for p in cuda)              # the CUDA build is still blocked
    assert rec.answers[0][1] == f"torch {newest}+cpu (wheel, ok)"


def test_a_pinned_release_gets_its_own_cpu_build(matrix):
    rec = recommend(load_env_file(LAPTOP), matrix, "torch==2.9.1")
    best = installable(rec)
    assert best.version == "2.9.1+cpu" and best.python == "/usr/bin/python3"      # Python 3.10 fits 2.9.1
    assert any(f'"torch==2.9.1+cpu" {CPU_INDEX}' in c for c in best.commands)


def test_a_cpu_torch_already_installed_is_the_answer(matrix):
    rec = recommend(laptop_with_cpu_torch(), matrix, "torch")
    best = rec.paths[0]
    assert best.status == "ok" and best.version == "2.13.0+cpu" and best.environment == "/home/me/venv"
    assert best.commands == ('/home/me/venv/bin/python -c "import torch; print(torch.__version__)"',)
    assert best.reasons[0].startswith("already installed: /home/me/venv (pythons[1], Python 3.10.12) has torch "
                                      "2.13.0+cpu")
    assert any(r.startswith("a GPU build instead needs") for r in best.reasons)
    # a pin the installed build does not satisfy: a fresh CPU install of that release, the venv untouched
    rec = recommend(laptop_with_cpu_torch(), matrix, "torch==2.9.1")
    best = installable(rec)
    assert best.version == "2.9.1+cpu" and best.environment is None
    assert any("not into /home/me/venv" in r and "2.13.0+cpu" in r for r in best.reasons)
    # a CUDA torch in the venv is not the CPU build
    rec = recommend(laptop_with_cpu_torch("2.9.1+cu128"), matrix, "torch")
    assert installable(rec).environment is None and installable(rec).version.endswith("+cpu")


@pytest.mark.parametrize("target", ["tensorrt-llm", "tensorrt", "vllm", "sglang"])
def test_targets_without_a_cpu_build_in_the_matrix_stay_blocked(matrix, target):
    rec = recommend(load_env_file(LAPTOP), matrix, target)
    assert installable(rec, allow_risky=True) is None
    assert not any(p.version.endswith("+cpu") for p in rec.paths)


@pytest.mark.parametrize("fixture", ["seed-runpod-4090", "host-580-h100", "pod-535-a100", "vm-570-t4-py39",
                                     "partial-gpu-only"])
def test_gpu_machines_and_unknown_drivers_get_no_cpu_path(matrix, fixture):
    rec = recommend(load_env_file(os.path.join(ENVS, fixture + ".yaml")), matrix, "torch")
    assert not any(p.version.endswith("+cpu") or "CPU build" in " ".join(p.reasons) for p in rec.paths)


def test_cli_recommend_and_apply_dry_run_on_the_laptop(run_cli):
    rc, out, err = run_cli("recommend", "--target", "torch", "--env", LAPTOP)
    assert rc == 0, err
    assert " 1. " in out and "+cpu" in out.splitlines()[2] and "a GPU build instead needs" in out
    rc, out, err = run_cli("recommend", "--target", "torch", "--env", LAPTOP, "--json")
    assert json.loads(out)["paths"][0]["status"] == "ok"
    rc, out, err = run_cli("apply", "--target", "torch", "--env", LAPTOP, "--dry-run")
    assert rc == 0 and CPU_INDEX in out and "dry run: nothing was run" in out, err
