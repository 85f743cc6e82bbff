"""explain: each known message gives its cause on this machine and the recommend advice."""
import os

import pytest

from envcheck.explain import explain
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file

ENVS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "envs")


@pytest.fixture(scope="module")
def seed():
    return load_env_file(os.path.join(ENVS, "seed-runpod-4090.yaml")), load_matrix(include_user=False)


@pytest.mark.parametrize("msg,code", [
    ("ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory", "explain-missing-library"),
    ("OSError: libcudart.so.12: cannot open shared object file", "explain-missing-library"),
    ("libcudnn_cnn_infer.so.8: cannot open shared object file", "explain-missing-library"),
    ("libnvinfer.so.10: cannot open shared object file", "explain-missing-library"),
    ("RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version", "explain-driver-insufficient"),
    ("CUDA error: no kernel image is available for execution on the device", "explain-no-kernel-image"),
    ("Failed to initialize NVML: Driver/library version mismatch", "explain-nvml-mismatch"),
    ("failed to mount overlay: operation not permitted", "explain-dind-overlay"),
    ("iptables failed: iptables --wait -t nat -N DOCKER: Permission denied (you must be root)", "explain-dind-iptables"),
    ("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found", "explain-glibc-too-old"),
])
def test_known_messages(seed, msg, code):
    env, matrix = seed
    found = explain(msg, env, matrix)
    assert [e.code for e in found] == [code]
    assert found[0].cause
    # a recommendation only where an install target fits the message (a CUDA-major mismatch: tensorrt-llm)
    fits = code == "explain-driver-insufficient" or "libcudart" in msg or "libcublas" in msg or "libnvinfer" in msg
    assert (found[0].best is not None) == fits, found[0].best
    assert not any(a.startswith("python ") for a in found[0].advice)     # no bare `python` (Ubuntu has none)


def test_cublas13_on_570_says_driver_not_pip(seed):
    env, matrix = seed
    (e,) = explain("ImportError: libcublasLt.so.13: cannot open shared object file", env, matrix)
    assert "CUDA 13" in e.cause and "12.8" in e.cause
    assert not any("nvidia-cublas-cu13" in a for a in e.advice)       # installing it would not help
    assert e.best.version == "0.19.0" and e.best.status == "ok"


@pytest.mark.parametrize("msg, cause, pip", [
    # CUDA 13 toolkit components ship unsuffixed (nvidia-cublas-cu13 is a 0.0.1 placeholder on PyPI) ...
    ("libcublasLt.so.13: cannot open shared object file", "built for CUDA 13", "'nvidia-cublas==13.*'"),
    ("libcublasLt.so.12: cannot open shared object file", "built for CUDA 12", "nvidia-cublas-cu12"),
    # ... cuFFT's soname number is not the CUDA major: libcufft.so.12 is CUDA 13's, nvidia-cufft 12.x
    ("libcufft.so.12: cannot open shared object file", "built for CUDA 13", "nvidia-cufft    #"),
    # ... and the separately versioned libraries keep the suffix: nvidia-cudnn-cu13 (there is no nvidia-cudnn)
    ("libcudnn.so.9: cannot open shared object file", "cuDNN 9", "nvidia-cudnn-cu13"),
])
def test_missing_library_names_the_wheel_pypi_has(msg, cause, pip):
    env = load_env_file(os.path.join(ENVS, "host-580-h100.yaml"))
    (e,) = explain(msg, env, load_matrix(include_user=False))
    assert cause in e.cause
    assert any(a.startswith("/usr/bin/python3 -m pip install " + pip) for a in e.advice), e.advice


def test_seed_docker_log_gives_both_refusals(seed):
    env, matrix = seed
    log = ("failed to mount overlay: operation not permitted\nfailed to start daemon: Error initializing network "
           "controller:\n  iptables failed: iptables --wait -t nat -N DOCKER:\n  Permission denied (you must be root)")
    codes = [e.code for e in explain(log, env, matrix)]
    assert codes == ["explain-dind-overlay", "explain-dind-iptables"]
    assert any("CAP_SYS_ADMIN" in e.cause for e in explain(log, env, matrix))


def test_unknown_message(seed, run_cli):
    env, matrix = seed
    assert explain("segmentation fault somewhere", env, matrix) == []
    rc, out, err = run_cli("explain", "nothing I know", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"))
    assert rc == 1 and "does not recognise" in out and "Traceback" not in err


def test_cli_explain(run_cli):
    rc, out, err = run_cli("explain", "ImportError: libcublasLt.so.13: cannot open shared object file",
                           "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"))
    assert rc == 0, err
    assert "libcublasLt.so.13" in out and "tensorrt-llm==0.19.0" in out


def test_explain_target_fits_the_message(seed):
    env, matrix = seed
    (e,) = explain("RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
                   "  File \"/workspace/venv/lib/python3.10/site-packages/torch/cuda/__init__.py\"", env, matrix)
    assert e.best is not None and e.best.target == "torch"
    (e,) = explain("libcudnn_cnn_infer.so.8: cannot open shared object file", env, matrix)
    assert e.best is None                                   # not a TensorRT-LLM matter: no tensorrt-llm advice
    assert all(a.split()[0] in ("/usr/bin/python3", "/workspace/venv/bin/python", "ldconfig", "envcheck")
               for a in e.advice), e.advice
