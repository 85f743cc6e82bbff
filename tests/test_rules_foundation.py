"""The foundation's rules, each fed a few lines of facts (Environment documents) and a small matrix."""
import pytest

from envcheck.checks import run_checks
from envcheck.matrix.load import load_matrix
from envcheck.model import Environment


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    d = tmp_path_factory.mktemp("matrix")
    (d / "index.yaml").write_text('schema: envcheck.matrix/1\nversion: "2000-01-01"\n')
    (d / "cuda.yaml").write_text("""schema: envcheck.matrix.cuda/1
rows:
  - {version: "12.4", min_driver: "550.54.14", min_driver_mvc: "525.60.13", sources: [test]}
  - {version: "12.8", min_driver: "570.26", min_driver_mvc: "525.60.13", sources: [test]}
  - {version: "13.0", min_driver: "580.65.06", min_driver_mvc: "580.65.06", sources: [test]}
""")
    (d / "gpus.yaml").write_text("""schema: envcheck.matrix.gpus/1
rows:
  - {name: "NVIDIA GeForce RTX 4090", aliases: ["RTX 4090"], compute_capability: "8.9", class: consumer, sources: [test]}
""")
    return load_matrix(base=str(d), include_user=False)


def codes(doc, matrix):
    return {f.code: f for f in run_checks(Environment.from_dict(doc), matrix, debug=True)}


def test_no_driver_is_a_warning_with_a_fix(matrix):
    f = codes({"driver": {"error": "no NVIDIA driver found", "attempts": {"nvml": "NVML Shared Library Not Found"}}},
              matrix)["no-nvidia-driver"]
    assert f.severity == "warn" and f.fix


def test_driver_cuda_from_nvml_and_the_next_major_needs(matrix):
    f = codes({"driver": {"version": "570.195.03", "cuda": "12.8", "source": "nvml"}}, matrix)["driver-max-cuda"]
    assert "CUDA <= 12.8" in f.title and "CUDA 13 needs driver >= 580.65.06" in f.title


def test_driver_cuda_derived_from_the_matrix_when_procfs_answered(matrix):
    f = codes({"driver": {"version": "570.195.03", "source": "procfs"}}, matrix)["driver-max-cuda"]
    assert "CUDA <= 12.8" in f.title and "cuda.yaml" in f.title


def test_driver_outside_the_matrix_is_unknown(matrix):
    # runs the matrix's oldest CUDA through minor-version compatibility, but none natively: the maximum is unknown
    assert "driver-cuda-unknown" in codes({"driver": {"version": "530.1", "source": "procfs"}}, matrix)


def test_driver_older_than_every_cuda_is_too_old_not_unknown(matrix):
    found = codes({"driver": {"version": "470.82.01", "source": "procfs"}}, matrix)
    f = found["driver-too-old"]
    assert f.severity == "fail" and "runs no CUDA 12.4 or newer build (those need a driver >= 525.60.13)" in f.title
    assert "driver-cuda-unknown" not in found


def test_a_bare_driver_branch_is_its_series(matrix):
    f = codes({"driver": {"version": "570", "source": "procfs"}}, matrix)["driver-max-cuda"]
    assert "runs CUDA <= 12.8" in f.title


@pytest.mark.parametrize("said, fix_word", [
    ("Driver/library version mismatch", "reboot"),
    ("Insufficient Permissions", "/dev/nvidia"),
])
def test_nvml_failing_gives_nvmls_message_and_a_fix(matrix, said, fix_word):
    found = codes({"driver": {"error": "x", "attempts": {"nvml": said}}}, matrix)
    assert "no-nvidia-driver" not in found
    f = found["nvml-failing"]
    assert f.severity == "fail" and said in f.title and any(fix_word in c for c in f.fix)


def test_toolkit_older_than_driver_is_explained_not_blamed(matrix):
    doc = {"driver": {"version": "570.195.03", "cuda": "12.8"},
           "cuda_toolkits": [{"path": "/usr/local/cuda-12.4", "version": "12.4.1"}]}
    f = codes(doc, matrix)["toolkit-is-not-driver"]
    assert f.severity == "info" and "12.8" in f.title


def test_toolkit_newer_major_than_driver_fails(matrix):
    doc = {"driver": {"version": "570.195.03", "cuda": "12.8"},
           "cuda_toolkits": [{"path": "/usr/local/cuda-13.0", "version": "13.0.1"}]}
    assert codes(doc, matrix)["toolkit-newer-than-driver"].severity == "fail"


def test_dind_impossible_names_the_missing_capabilities(matrix):
    doc = {"container": {"in_container": True, "runtime": "docker", "privileged": False, "vendor": "runpod",
                         "capabilities": ["CAP_CHOWN", "CAP_NET_RAW"], "seccomp": "filter"}}
    f = codes(doc, matrix)["dind-impossible"]
    assert "overlay" in f.title and "iptables" in f.title
    assert any("CAP_SYS_ADMIN" in e for e in f.evidence)
    assert any("Template" in c for c in f.fix)  # RunPod: the image becomes the pod


def test_privileged_container_can_run_dind(matrix):
    found = codes({"container": {"in_container": True, "privileged": True, "capabilities": ["CAP_SYS_ADMIN"]}}, matrix)
    assert "dind-impossible" not in found and "container-privileged" in found


@pytest.mark.parametrize("free, severity", [(5.0, "fail"), (18.0, "warn"), (46.0, None)])
def test_low_disk_thresholds(matrix, free, severity):
    found = codes({"disk": [{"path": "/", "role": "root", "free_gib": free, "total_gib": 50.0}]}, matrix)
    if severity is None:
        assert "low-disk" not in found
    else:
        assert found["low-disk"].severity == severity


def test_gpu_matched_by_nvml_name_is_not_reported_unknown(matrix):
    found = codes({"gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 4090"}]}, matrix)
    assert "gpu-not-in-matrix" not in found
    found = codes({"gpus": [{"index": 0, "name": "NVIDIA Imaginary X1"}]}, matrix)
    assert "gpu-not-in-matrix" in found
