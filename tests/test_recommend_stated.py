"""The facts an install path's lines state (the driver minimum, the CUDA the build uses, the GPU's missing sm) are
typed fields on InstallPath: they agree with the text a user reads, they stay out of the JSON document, and the
fleet verdict and recommend's answers are built from them (on the fixture machines, from the real matrix)."""
from __future__ import annotations

import os

import pytest

from envcheck.fleet.verdict import verdict_of
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.recommend import recommend

ENVS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "envs")
FIXTURES = sorted(f[:-5] for f in os.listdir(ENVS) if f.endswith(".yaml"))
TARGETS = ["tensorrt-llm==1.1.0", "tensorrt-llm==0.19.0", "tensorrt-llm", "vllm==0.11.2", "sglang"]
DOC_KEYS = {"rank", "kind", "target", "version", "status", "reasons", "blockers", "commands", "disk_gib", "affects",
            "python", "environment", "venv", "risks", "judged_from"}


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(())


def rec_on(matrix, fixture: str, target: str):
    return recommend(load_env_file(os.path.join(ENVS, fixture + ".yaml")), matrix, target)


@pytest.mark.parametrize("fixture", FIXTURES)
@pytest.mark.parametrize("target", TARGETS)
def test_typed_facts_agree_with_the_lines(matrix, fixture, target):
    for p in rec_on(matrix, fixture, target).paths:
        lines = p.reasons + p.blockers
        for line, driver in p.stated_drivers:
            assert line in lines
            assert f">= {driver} (" in line or f"floor {driver} (" in line, (line, driver)
        if p.cuda_build is not None:
            assert any(f"is built with CUDA {p.cuda_build} (" in r for r in lines), (p.kind, p.cuda_build)
        arch = [b for b in p.blockers if "not among the architectures" in b]
        if p.missing_arch is not None:
            assert arch and all(f"(sm_{p.missing_arch}, " in b for b in arch)
        else:
            assert not arch or "gpus unknown" in arch[0]
        if p.kind == "driver":
            assert p.driver_stated(p.reasons[0]) is not None
        assert set(p.to_dict()) == DOC_KEYS     # the facts live in the text of the document, not beside it


def test_consumer_gpu_below_the_cuda_13_driver(matrix):
    """RTX 4090 on driver 570: the wheel is blocked by a line stating the driver CUDA 13 needs; the verdict's
    reason, its `needs` and recommend's answer name that driver, and the source build's CUDA."""
    rec = rec_on(matrix, "seed-runpod-4090", "tensorrt-llm==1.1.0")
    wheel = next(p for p in rec.paths if p.kind == "wheel")
    need = wheel.driver_stated(wheel.blockers[0])
    assert need == "580.65.06" and f"build needs driver >= {need} (" in wheel.blockers[0]
    driver = next(p for p in rec.paths if p.kind == "driver")
    assert driver.driver_stated(driver.reasons[0]) == need
    assert f"natively that needs driver >= {need} (" in driver.reasons[0]
    v = verdict_of(rec, "tensorrt-llm==1.1.0")
    assert (v.status, v.reason, v.needs) == ("blocked", f"driver below {need}", f"driver-{need}")
    source = next(p for p in rec.paths if p.kind == "source")
    assert source.cuda_build == "12.9"
    answer = next(a for _, a in rec.answers if "It would take" in a)
    assert f"It would take a host with driver >= {need} (" in answer
    assert "or a source build with CUDA 12.9 (" in answer


def test_data_center_gpu_bridged_by_forward_compatibility(matrix):
    """A100 on driver 535: risky through cuda-compat; the native driver in the verdict is the driver path's."""
    rec = rec_on(matrix, "pod-535-a100", "tensorrt-llm==1.1.0")
    driver = next(p for p in rec.paths if p.kind == "driver")
    need = driver.driver_stated(driver.reasons[0])
    assert need is not None and f">= {need} (" in driver.reasons[0]
    v = verdict_of(rec, "tensorrt-llm==1.1.0")
    assert v.status == "risky" and v.reason == f"forward compatibility only (native: driver >= {need})"


def test_gpu_without_kernels_names_its_sm(matrix):
    """T4 (sm_75) with tensorrt-llm 1.1.0: every path misses sm_75, and the verdict says so."""
    rec = rec_on(matrix, "vm-570-t4-py39", "tensorrt-llm==1.1.0")
    assert {p.missing_arch for p in rec.paths} == {"75"}
    assert all(any("(sm_75, " in b for b in p.blockers) for p in rec.paths)
    assert verdict_of(rec, "tensorrt-llm==1.1.0").reason == "GPU sm_75 not supported"
