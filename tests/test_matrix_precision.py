"""Issue 12 item 6: a build on CUDA X.Y Update N needs that update's minimum driver; GPU rows cite NVIDIA."""
import pytest

from envcheck.matrix.compat import min_driver_for_cuda
from envcheck.matrix.load import load_matrix
from envcheck.matrix.validate import validate_dirs


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


@pytest.mark.parametrize("cuda, driver", [
    ("12.8", "570.26"), ("12.8.0", "570.26"),      # GA
    ("12.8.1", "570.124.06"),                      # CUDA 12.8 Update 1 (Table 3)
    ("12.6.3", "560.35.05"), ("12.6.2", "560.35.03"), ("12.5.1", "555.42.06"),
    ("13.0.2", "580.95.05"),
    ("12.3.2", "545.23.08"),                       # not in the table: the newest listed update below it
    ("11.8.0", "520.61.05"),                       # no updates listed
])
def test_update_minimum(matrix, cuda, driver):
    need, row = min_driver_for_cuda(matrix, cuda)
    assert str(need) == driver and row.subject == "cuda"


def test_trtllm_rows_built_on_12_8_1_show_the_update_minimum(run_cli):
    import json
    rc, out, err = run_cli("matrix", "show", "tensorrt-llm", "--json")
    assert rc == 0, err
    rows = {r["version"]: r for r in json.loads(out)["rows"]}
    for v in ("0.18.0", "0.18.1", "0.18.2", "0.19.0"):
        assert rows[v]["cuda"] == "12.8.1" and rows[v]["min_driver"] == "570.124.06", rows[v]
    assert rows["0.17.0"]["min_driver"] == "570.26"  # 12.8.0 = GA


def test_recommend_blocks_a_12_8_1_build_on_a_ga_driver(run_cli, tmp_path):
    """A 570.86 driver is above 12.8 GA's 570.26 but below 12.8 Update 1's 570.124.06."""
    import os
    from conftest import ENVS
    src = open(os.path.join(ENVS, "seed-runpod-4090.yaml")).read()
    assert "570.195.03" in src
    env = tmp_path / "env.yaml"
    env.write_text(src.replace("570.195.03", "570.86.10"))
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm==0.19.0", "--env", str(env), "--json")
    assert rc in (0, 1), err
    assert "570.124.06" in out, out


@pytest.mark.parametrize("updates, words", [
    ('{"12.9.1": "570.130"}', "is not an X.Y.N update of 12.8"),
    ('{"12.8.1": "570.1"}', "lower than the GA's 570.26"),
    ('{"12.8.1": "570.124.06", "12.8.2": "570.100"}', "lower than an earlier update's"),
    ('{"12.8.1": 570}', "must be a quoted version string"),
    ('["12.8.1"]', "updates must be a mapping"),
])
def test_validate_checks_updates(tmp_path, updates, words):
    (tmp_path / "cuda.yaml").write_text(
        "schema: envcheck.matrix.cuda/1\nrows:\n"
        f"  - {{version: '12.8', min_driver: '570.26', updates: {updates}, sources: [a]}}\n")
    problems = [str(p) for p in validate_dirs([str(tmp_path)])]
    assert any(words in p for p in problems), problems


RETAILERS = ("mullet.se", "omegaco.ae", "sourcecode.com", "saulelectric.com", "cputronic.com", "gpu.blog")


def test_gpu_rows_cite_no_retailer_and_h100_matches_its_page(matrix):
    for r in matrix.rows("gpus"):
        for s in r.sources:
            assert not any(d in s for d in RETAILERS), (r.version, s)
    sxm = matrix.row("gpus", "NVIDIA H100 80GB HBM3")
    assert sxm["memory_bandwidth_gbs"] == 3350
    assert any("nvidia.com/en-us/data-center/h100/" in s and "3.35TB/s" in s for s in sxm.sources)
    pcie = matrix.row("gpus", "NVIDIA H100 PCIe")
    assert pcie["memory_bandwidth_gbs"] == 2000
    assert any("PB-11133-001" in s and "2,000" in s for s in pcie.sources)
    for name in ("NVIDIA H200", "NVIDIA L4", "NVIDIA L40S", "NVIDIA A100-SXM4-80GB", "Tesla T4"):
        assert any("nvidia.com/" in s for s in matrix.row("gpus", name).sources if "cuda-gpus" not in s), name
