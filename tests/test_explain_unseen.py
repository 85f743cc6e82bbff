"""explain on the families its first corpus lacked (NCCL's /dev/shm, companions built for another torch, a CPU-only
torch, GPU memory, NumPy 1.x/2, WSL's libcuda.so, Triton's invalid image), the package to reinstall named from the
traceback, answers that say both causes where the message has two (unversioned libcudart.so, CUDA error 804), a
confidence, and the commands for one environment only."""
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from envcheck.explain import explain
from envcheck.matrix.load import load_matrix
from envcheck.model import Environment
from envcheck.model.document import load_env_file
from envcheck.model.system import Disk

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVS = os.path.join(HERE, "fixtures", "envs")


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


@pytest.fixture(scope="module")
def seed():
    return load_env_file(os.path.join(ENVS, "seed-runpod-4090.yaml"))


@pytest.fixture(scope="module")
def h100():
    return load_env_file(os.path.join(ENVS, "host-580-h100.yaml"))


def _shm(env, mib):
    return dataclasses.replace(env, disk=(Disk(path="/dev/shm", role="shm", total_gib=mib / 1024, free_gib=mib / 1024),))


NCCL = "RuntimeError: NCCL error in ProcessGroupNCCL.cpp:290, unhandled system error"
SHM = "include/shm.h:28 NCCL WARN Call to posix_fallocate failed: No space left on device"


def test_nccl_with_the_shm_line_is_certain_and_a_64m_shm_confirms_it(seed, matrix):
    (e,) = explain(NCCL + "\n" + SHM, _shm(seed, 64), matrix)
    assert e.code == "explain-nccl-shm" and e.confidence == "high"
    assert "64 MiB" in e.cause and any("--ipc=host" in a for a in e.actions)
    assert any("disk[0]: /dev/shm is 64 MiB" in f for f in e.facts)


def test_a_bare_unhandled_system_error_is_medium_and_a_large_shm_makes_it_low(seed, matrix):
    (e,) = explain(NCCL, Environment(), matrix)
    assert e.code == "explain-nccl-shm" and e.confidence == "medium"
    assert "not known" in " ".join(e.facts)
    (e,) = explain(NCCL, _shm(seed, 16384), matrix)
    assert e.confidence == "low" and "enough" in e.cause


def test_nccl_permission_denied_is_permissions_not_size(seed, matrix):
    (e,) = explain(NCCL + "\nNCCL WARN Call to shm_open failed : Permission denied", seed, matrix)
    assert "not writable" in e.cause and any("chmod 1777" in a for a in e.actions)


@pytest.mark.parametrize("msg, code, subject", [
    ("RuntimeError: operator torchvision::nms does not exist", "explain-companion-mismatch", "torchvision::nms"),
    ("RuntimeError: operator torchaudio::sox_io_load does not exist", "explain-companion-mismatch", "torchaudio::sox_io_load"),
    ("xFormers was built for:\n    PyTorch 2.0.1+cu118 with CUDA 1108 (you have 2.1.0+cu121)", "explain-companion-mismatch", "xFormers"),
    ("xFormers was built for:\n    PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.1.2+cpu)", "explain-torch-cpu-only", "xFormers"),
    ("AssertionError: Torch not compiled with CUDA enabled", "explain-torch-cpu-only", "torch"),
])
def test_companions_and_cpu_only_torch(seed, matrix, msg, code, subject):
    (e,) = explain(msg, seed, matrix)
    assert (e.code, e.subject) == (code, subject)


def test_cpu_torch_when_every_torch_here_is_a_cuda_build_says_another_environment(seed, matrix):
    (e,) = explain("AssertionError: Torch not compiled with CUDA enabled", seed, matrix)
    assert "another environment" in e.cause
    assert not any("--force-reinstall torch" in a for a in e.advice)


def test_oom_larger_than_the_gpu_and_held_by_another_process(seed, matrix):
    (e,) = explain("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 55.57 GiB. GPU 0 has a total "
                   "capacty of 24.00 GiB of which 9.02 GiB is free.", seed, matrix)
    assert "more than the whole GPU" in e.cause
    assert any(a.startswith("nvidia-smi --query-compute-apps=pid,used_memory --format=csv") for a in e.advice)
    (e,) = explain("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB of which "
                   "1.00 GiB is free. Including non-PyTorch memory, this process has 4.00 GiB memory in use.", seed, matrix)
    assert "other processes" in e.cause and e.confidence == "high"
    (e,) = explain("RuntimeError: CUDA error: out of memory", seed, matrix)
    assert e.confidence == "medium" and "not known" in e.cause


def test_numpy_abi_names_the_compiled_package_from_the_traceback(seed, matrix):
    msg = ('  File "/opt/v/lib/python3.12/site-packages/numexpr/__init__.py", line 24, in <module>\n'
           "ImportError: \nA module that was compiled using NumPy 1.x cannot be run in\nNumPy 2.0.0 as it may crash.")
    (e,) = explain(msg, seed, matrix)
    assert e.code == "explain-numpy-abi" and "numexpr" in e.cause and "2.0.0" in e.cause
    assert any("'numpy<2'" in a for a in e.advice) and any("--upgrade numexpr" in a for a in e.advice)
    assert all(a.startswith("/opt/v/bin/python ") for a in e.advice)     # the traceback's environment


def test_wsl_dlopen_libcuda(seed, matrix):
    (e,) = explain("RuntimeError: Failed to dlopen libcuda.so", seed, matrix)
    assert e.code == "explain-libcuda-missing" and e.confidence == "medium"
    assert "/usr/lib/wsl/lib" in e.cause
    (e,) = explain("WSL2 Ubuntu: RuntimeError: Failed to dlopen libcuda.so", seed, matrix)
    assert e.confidence == "high"
    assert e.advice[0].startswith("export LD_LIBRARY_PATH=/usr/lib/wsl/lib:")


def test_triton_invalid_image_is_a_driver_too_old_for_its_ptx(seed, matrix):
    (e,) = explain("RuntimeError: Triton Error [CUDA]: device kernel image is invalid", seed, matrix)
    assert e.code == "explain-ptx-too-new"


def test_unversioned_libcudart_is_a_cuda_major_question_not_present_here(seed, matrix):
    (e,) = explain("OSError: libcudart.so: cannot open shared object file: No such file or directory", seed, matrix)
    assert "present here" not in e.title and e.confidence == "medium"
    assert "CUDA major" in e.cause and "unversioned" in e.cause


def test_forward_compat_says_both_causes_unless_the_gpu_decides(seed, h100, matrix):
    msg = "CUDA error: forward compatibility was attempted on non supported HW"
    (e,) = explain(msg, Environment(), matrix)
    assert e.confidence == "low" and "cuda-compat" in e.cause and "reboot" in e.cause
    (e,) = explain(msg, h100, matrix)
    assert e.cause.startswith("most likely the driver was left in a bad state")
    (e,) = explain(msg, seed, matrix)                       # a GeForce: compat first
    assert e.cause.startswith("most likely cuda-compat")


AUTOGPTQ = ('  File "/usr/local/lib/python3.10/dist-packages/auto_gptq/nn_modules/qlinear/qlinear_exllama.py", line 14\n'
            "    import exllama_kernels\n"
            "ImportError: libcudart.so.11.0: cannot open shared object file: No such file or directory")


def test_the_package_to_reinstall_is_the_one_that_needed_the_library(h100, matrix):
    (e,) = explain(AUTOGPTQ, h100, matrix)
    assert "auto-gptq" in e.cause and "CUDA 11" in e.cause
    pips = [a for a in e.advice if " pip install " in a]
    assert len(pips) == 1 and "--force-reinstall --no-cache-dir auto-gptq" in pips[0]
    assert pips[0].startswith("/usr/local/bin/python3.10 ")     # the traceback's interpreter, not one found here
    assert not any("nvidia-cuda-runtime-cu11" in a for a in e.advice)


def test_an_extensions_own_missing_kernels_point_at_the_extension(seed, matrix):
    msg = ('  File "/workspace/venv/lib/python3.10/site-packages/mmcv/ops/nms.py", line 27, in forward\n'
           "RuntimeError: CUDA error: no kernel image is available for execution on the device")
    (e,) = explain(msg, seed, matrix)
    assert e.title.startswith("mmcv has no kernels for sm_89")
    assert not any("get_arch_list" in a for a in e.advice)
    assert any("--no-binary mmcv mmcv" in a for a in e.advice)


def test_a_pure_python_caller_is_never_blamed_for_missing_kernels(seed, matrix):
    msg = ('  File "/workspace/venv/lib/python3.10/site-packages/transformers/modeling_utils.py", line 9\n'
           "RuntimeError: CUDA error: no kernel image is available for execution on the device")
    (e,) = explain(msg, seed, matrix)
    assert "transformers" not in e.title and any("get_arch_list" in a for a in e.advice)


def test_one_command_not_one_per_interpreter(seed, matrix):
    (e,) = explain("ImportError: libcublasLt.so.12: cannot open shared object file", seed, matrix)
    pips = [a for a in e.advice if " pip install " in a]
    assert len(pips) == 1 and "envcheck explain --python PATH" in pips[0]
    (e,) = explain("ImportError: libcublasLt.so.12: cannot open shared object file", seed, matrix,
                   python="/workspace/venv")
    pips = [a for a in e.advice if " pip install " in a]
    assert len(pips) == 1 and pips[0].startswith("/workspace/venv/bin/python ") and "--python" not in pips[0]
    assert any("as named" in f for f in e.facts)


def test_json_has_confidence_and_the_cli_takes_python():
    out = subprocess.run([sys.executable, "-m", "envcheck", "explain", "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"),
                          "--python", "/workspace/venv/bin/python", "--json",
                          "ImportError: libcublasLt.so.12: cannot open shared object file"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    (e,) = json.loads(out.stdout)["explanations"]
    assert e["confidence"] == "high"
    assert all(not a.startswith("/usr/bin/python3 ") for a in e["advice"])
