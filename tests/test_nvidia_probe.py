"""The driver probe's live sources, without a GPU: the real pynvml over a stand-in libnvidia-ml.so.1 built here
from tests/fixtures/fake_nvml.c, and a stand-in nvidia-smi on PATH."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO

pytestmark = pytest.mark.skipif(os.path.exists("/proc/driver/nvidia/version"),
                                reason="a real NVIDIA driver is loaded here; these tests need a machine without one")


@pytest.fixture(scope="module")
def fake_nvml(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler to build the stand-in libnvidia-ml.so.1")
    d = tmp_path_factory.mktemp("nvml")
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(d / "libnvidia-ml.so.1"), os.path.join(FIXTURES, "fake_nvml.c")],
                   check=True)
    return str(d)


def scan(env_extra):
    env = dict(os.environ, PYTHONPATH=REPO, **env_extra)
    p = subprocess.run([sys.executable, "-m", "envcheck", "scan", "--json"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def check(env_extra):
    env = dict(os.environ, PYTHONPATH=REPO, **env_extra)
    p = subprocess.run([sys.executable, "-m", "envcheck", "check", "--json"], capture_output=True, text=True,
                       env=env, timeout=60)
    return p.returncode, json.loads(p.stdout)


def test_nvml_answers_driver_cuda_and_gpu(fake_nvml):
    doc = scan({"LD_LIBRARY_PATH": fake_nvml, "FAKE_NVML_MODE": "ok"})
    assert doc["driver"]["source"] == "nvml"
    assert doc["driver"]["version"] == "570.195.03" and doc["driver"]["cuda"] == "12.8"
    (gpu,) = doc["gpus"]
    assert gpu["name"] == "NVIDIA GeForce RTX 4090" and gpu["compute_capability"] == "8.9"
    assert gpu["memory_mib"] == 24564 and gpu["mig"] is False and gpu["bus_id"] == "00000000:01:00.0"


# pynvml words error 18 itself ("RM has detected an NVML/RM version mismatch."), nvidia-smi says
# "Driver/library version mismatch": the finding keys on NVML's own text either way.
@pytest.mark.parametrize("mode, said, fix_word", [("mismatch", "version mismatch", "reboot"),
                                                  ("noperm", "Insufficient Permissions", "/dev/nvidia")])
def test_nvml_failing_is_recorded_with_its_message_and_a_fix(fake_nvml, mode, said, fix_word):
    extra = {"LD_LIBRARY_PATH": fake_nvml, "FAKE_NVML_MODE": mode}
    doc = scan(extra)
    assert said in doc["driver"]["attempts"]["nvml"]
    rc, out = check(extra)
    (f,) = [f for f in out["findings"] if f["code"] == "nvml-failing"]
    assert said in f["title"] and any(fix_word in c for c in f["fix"])
    assert rc == 1


def test_hung_nvml_is_reported_and_the_scan_goes_on(fake_nvml):
    doc = scan({"LD_LIBRARY_PATH": fake_nvml, "FAKE_NVML_MODE": "hang", "ENVCHECK_NVML_TIMEOUT": "1"})
    assert doc["driver"]["attempts"]["nvml"].startswith("NVML did not answer within 1 s")
    assert doc["host"]["os"] and doc["pythons"]  # the rest of the scan stands


def test_nvidia_smi_is_the_last_resort(tmp_path):
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\n"
                   "case \"$1\" in --query-gpu=*) echo '0, NVIDIA L4, 8.9, 23034, 550.127.05, GPU-1234, 00000000:00:03.0';;\n"
                   "*) echo '| NVIDIA-SMI 550.127.05     Driver Version: 550.127.05     CUDA Version: 12.4     |';; esac\n")
    smi.chmod(0o755)
    doc = scan({"PATH": f"{tmp_path}:{os.environ['PATH']}", "LD_LIBRARY_PATH": str(tmp_path)})
    assert doc["driver"]["source"] == "nvidia-smi"
    assert doc["driver"]["version"] == "550.127.05" and doc["driver"]["cuda"] == "12.4"
    assert doc["gpus"][0]["name"] == "NVIDIA L4" and doc["gpus"][0]["compute_capability"] == "8.9"
