"""The process view: the libcuda.so.1 a process loads (a stub or the driver, read from the file), the GPUs
CUDA_VISIBLE_DEVICES leaves it, its /dev/nvidia* nodes, the driver's libraries against the kernel module; from
fixture sysroots with ELF files built here, and from real environment variables on the live machine."""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures", "native"))
from nativetest import MA, make_lib, make_root, needs_cc  # noqa: E402

from envcheck.checks import run_checks  # noqa: E402
from envcheck.model import Environment, Gpu  # noqa: E402
from envcheck.probes import ProbeContext, scan  # noqa: E402
from envcheck.probes.process import parse_visible  # noqa: E402
from envcheck.root import Root  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = "580.95.05"
PROC_VERSION = f"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {KERNEL}  Release Build\n"
CODES = ("libcuda-stub", "libcuda-unusable", "cuda-no-visible-gpu", "cuda-visible-devices-partial", "nvidia-device-node",
         "driver-library-mismatch", "nvml-library-mismatch")


def _driver(root: str, version: str = KERNEL, directory: str = MA) -> str:
    real = make_lib(root + f"{directory}/libcuda.so.{version}", soname="libcuda.so.1", defines=("cuInit",),
                    strings=("/dev/nvidiactl", "/dev/nvidia%d"))
    os.symlink(os.path.basename(real), root + f"{directory}/libcuda.so.1")
    nvml = make_lib(root + f"{directory}/libnvidia-ml.so.{version}", soname="libnvidia-ml.so.1")
    os.symlink(os.path.basename(nvml), root + f"{directory}/libnvidia-ml.so.1")
    return real


def _stub(root: str) -> str:
    """The toolkit's stubs/libcuda.so, and the libcuda.so.1 link a Dockerfile makes beside it."""
    d = root + "/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs"
    make_lib(d + "/libcuda.so", soname="libcuda.so.1", defines=("cuInit", "cuDeviceGet"))
    os.symlink("libcuda.so", d + "/libcuda.so.1")
    return "/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs"


def _gpu_proc(root: str, uuid: str = "GPU-5e1f0000-aaaa-bbbb-cccc-000000000001", version: str = KERNEL):
    os.makedirs(root + "/proc/driver/nvidia/gpus/0000:18:00.0", exist_ok=True)
    with open(root + "/proc/driver/nvidia/version", "w") as fh:
        fh.write(PROC_VERSION.replace(KERNEL, version))
    with open(root + "/proc/driver/nvidia/gpus/0000:18:00.0/information", "w") as fh:
        fh.write(f"Model: NVIDIA H100 80GB HBM3\nDevice Minor: 0\nGPU UUID: {uuid}\nBus Location: 0000:18:00.0\n")


def _dev(root: str, names=("nvidiactl", "nvidia-uvm", "nvidia0"), mode: int = 0o666):
    os.makedirs(root + "/dev", exist_ok=True)
    for n in names:
        with open(root + "/dev/" + n, "w"):
            pass
        os.chmod(root + "/dev/" + n, mode)


def _scan(root: str) -> Environment:
    return scan(ProbeContext(root=Root(root, live=False)))


def _mine(env: Environment):
    return {f.code: f for f in run_checks(env, None) if f.code in CODES}


@needs_cc
def test_stub_first_on_ld_library_path_is_a_fail_with_the_exact_fix(tmp_path):
    root = str(tmp_path / "root")
    make_root(root, environ={"LD_LIBRARY_PATH": f"/opt/build:{'/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs'}"
                                                f":/usr/local/nvidia/lib64"})
    _driver(root)
    stubs = _stub(root)
    _gpu_proc(root)
    env = _scan(root)
    (cuda,) = env.process.libcuda
    assert cuda.stub is True and cuda.path == stubs + "/libcuda.so"
    assert cuda.via == f"LD_LIBRARY_PATH ({stubs})"
    assert "never names /dev/nvidia*, in a stubs/ directory" in cuda.stub_evidence
    assert cuda.driver_copy == MA + "/libcuda.so.1"
    found = _mine(env)
    stub = found["libcuda-stub"]
    assert stub.severity == "fail" and "CUDA driver is a stub library" in stub.title
    assert stub.fix[0].startswith("export LD_LIBRARY_PATH=/opt/build:/usr/local/nvidia/lib64    # drops " + stubs)
    # the saved scan carries the same facts and the same verdict
    again = Environment.from_dict(json.loads(env.to_json()))
    assert again.process == env.process
    assert _mine(again)["libcuda-stub"].title == stub.title


@needs_cc
def test_the_driver_s_libcuda_is_not_a_stub_and_a_healthy_root_is_silent(tmp_path):
    root = str(tmp_path / "root")
    make_root(root, environ={"CUDA_VISIBLE_DEVICES": "0"})
    _driver(root)
    _gpu_proc(root)
    _dev(root)
    env = _scan(root)
    (cuda,) = env.process.libcuda
    assert cuda.stub is False and "names /dev/nvidia*" in cuda.stub_evidence
    assert str(cuda.version) == KERNEL and str(env.process.kernel_module) == KERNEL
    assert str(env.process.nvml_library_version) == KERNEL
    assert env.process.devices.visible == ("0 (GPU-5e1f0000-aaaa-bbbb-cccc-000000000001)",)
    assert [n.path for n in env.process.device_nodes] == ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0"]
    assert all(n.present and n.kind == "file" for n in env.process.device_nodes)
    # the fixture's nodes are plain files: not what the driver made, so named (on a real machine they are char devs)
    assert set(_mine(env)) == {"nvidia-device-node"}
    assert "/dev/nvidiactl is a file, not a character device" in _mine(env)["nvidia-device-node"].title


def _empty_libcuda_root(tmp_path) -> str:
    """A GPU machine whose LD_LIBRARY_PATH puts an empty libcuda.so.1 ahead of the driver's."""
    root = str(tmp_path / "root")
    make_root(root, environ={"LD_LIBRARY_PATH": "/opt/empty:/usr/local/nvidia/lib64"})
    _driver(root)
    os.makedirs(root + "/opt/empty")
    open(root + "/opt/empty/libcuda.so.1", "w").close()
    _gpu_proc(root)
    _dev(root, mode=0o666)
    return root


@needs_cc
def test_an_empty_libcuda_first_on_ld_library_path_stops_the_loader(tmp_path):
    """An empty libcuda.so.1 ahead of the driver's: glibc stops at it ('file too short'), so torch finds no driver
    (the device run: 'Found no NVIDIA driver on your system'). The fix drops its directory from the path."""
    env = _scan(_empty_libcuda_root(tmp_path))
    (cuda,) = env.process.libcuda
    assert cuda.path is None and cuda.unusable == "/opt/empty/libcuda.so.1: file too short"
    assert cuda.via == "LD_LIBRARY_PATH" and cuda.driver_copy == MA + "/libcuda.so.1"
    found = _mine(env)["libcuda-unusable"]
    assert found.severity == "fail"
    assert "the loader stops at /opt/empty/libcuda.so.1 (file too short, found by LD_LIBRARY_PATH)" in found.title
    assert found.fix == ("export LD_LIBRARY_PATH=/usr/local/nvidia/lib64    # drops /opt/empty, where the unusable "
                         "copy is",)
    assert "libcuda-stub" not in _mine(env)
    again = Environment.from_dict(json.loads(env.to_json()))
    assert _mine(again)["libcuda-unusable"].title == found.title


@needs_cc
def test_an_image_s_empty_placeholder_is_reported_in_a_container_and_only_info_without_a_gpu(tmp_path):
    root = str(tmp_path / "root")
    make_root(root)
    os.makedirs(root + MA, exist_ok=True)
    open(root + MA + "/libcuda.so.1", "w").close()
    open(root + "/.dockerenv", "w").close()
    env = _scan(root)
    (cuda,) = env.process.libcuda
    assert cuda.unusable == MA + "/libcuda.so.1: file too short" and cuda.via == "default-dir"
    found = _mine(env)["libcuda-unusable"]
    assert found.severity == "info" and "on a GPU machine every CUDA program would find no driver" in found.title
    _gpu_proc(root)
    found = _mine(_scan(root))["libcuda-unusable"]
    assert found.severity == "fail" and found.fix[0].startswith("docker run --gpus all")


@needs_cc
def test_stub_on_a_machine_without_a_gpu_is_only_info(tmp_path):
    root = str(tmp_path / "root")
    stubs = "/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs"
    make_root(root, environ={"LD_LIBRARY_PATH": stubs, "CUDA_VISIBLE_DEVICES": ""})
    _stub(root)
    env = _scan(root)
    found = _mine(env)
    assert set(found) == {"libcuda-stub"} and found["libcuda-stub"].severity == "info"
    assert env.process.device_nodes is None and env.process.devices.visible is None


@needs_cc
@pytest.mark.parametrize("value, words", [("", "the value is empty"), ("7", "index 7 does not exist"),
                                          ("GPU-deadbeef", "matches no GPU's UUID"),
                                          ("MIG-GPU-5e1f/1/0", "no GPU here has MIG on")])
def test_cuda_visible_devices_that_leave_no_gpu_fail(tmp_path, value, words):
    root = str(tmp_path / "root")
    make_root(root, environ={"CUDA_VISIBLE_DEVICES": value})
    _driver(root)
    _gpu_proc(root)
    found = _mine(_scan(root))
    f = found["cuda-no-visible-gpu"]
    assert f.severity == "fail" and words in f.title and "No CUDA GPUs are available" in f.title
    assert f.fix == ("unset CUDA_VISIBLE_DEVICES    # every GPU", "export CUDA_VISIBLE_DEVICES=0")


def test_parse_visible_stops_at_the_first_invalid_entry():
    gpus = [Gpu(index=0, uuid="GPU-aaaa-1"), Gpu(index=1, uuid="GPU-bbbb-2")]
    vis, ignored, why = parse_visible("1,7,0", gpus)
    assert [g.index for g in vis] == [1] and ignored == ["7", "0"] and "index 7" in why
    vis, ignored, _ = parse_visible("GPU-bb,0", gpus)
    assert [g.index for g in vis] == [1, 0] and ignored == []
    assert parse_visible("GPU-", gpus)[0] == [] and parse_visible("-1", gpus)[0] == []
    vis, ignored, why = parse_visible("0,0", gpus)
    assert [g.index for g in vis] == [0] and "already listed" in why


def test_partial_list_is_info_naming_what_cuda_uses():
    env = Environment.from_dict({
        "gpus": [{"index": 0, "uuid": "GPU-a"}, {"index": 1, "uuid": "GPU-b"}],
        "process": {"devices": {"cuda_visible_devices": "1,5,0", "visible": ["1 (GPU-b)"], "ignored": ["5", "0"],
                                "reason": "index 5 does not exist"}}})
    f = _mine(env)["cuda-visible-devices-partial"]
    assert f.severity == "info" and f.fix[0].startswith("export CUDA_VISIBLE_DEVICES=1 ")


@needs_cc
def test_missing_and_unopenable_device_nodes(tmp_path):
    root = str(tmp_path / "root")
    make_root(root)
    _driver(root)
    _gpu_proc(root)
    _dev(root, names=("nvidiactl", "nvidia0"))
    env = _scan(root)
    uvm = [n for n in env.process.device_nodes if n.path == "/dev/nvidia-uvm"][0]
    assert uvm.present is False
    assert "/dev/nvidia-uvm missing" in _mine(env)["nvidia-device-node"].title
    # a saved scan whose nodes are char devices, one not openable: the verdict names it
    doc = json.loads(env.to_json())
    doc["process"]["device_nodes"] = [{"path": "/dev/nvidiactl", "present": True, "kind": "char", "openable": False,
                                       "mode": "0600"}]
    f = _mine(Environment.from_dict(doc))["nvidia-device-node"]
    assert f.severity == "fail" and "not openable read-write by this user (mode 0600)" in f.title
    doc["process"]["device_nodes"][0]["openable"] = True
    assert "nvidia-device-node" not in _mine(Environment.from_dict(doc))


@needs_cc
def test_missing_nodes_are_made_by_cuda_for_root_with_cap_mknod(tmp_path):
    # as root with CAP_MKNOD, the first CUDA op made /dev/nvidia-uvm and /dev/nvidiactl again (an H100 container):
    # info; the same tree for another user, or without CAP_MKNOD, stays fail
    root = str(tmp_path / "root")
    make_root(root)
    _driver(root)
    _gpu_proc(root)
    _dev(root, names=("nvidia0",))
    doc = json.loads(_scan(root).to_json())
    doc["container"] = dict(doc.get("container") or {}, uid=0, capabilities=["CAP_CHOWN", "CAP_MKNOD"])
    for n in doc["process"]["device_nodes"]:       # the fixture's /dev/nvidia0 is a file: make it the char device
        if n["present"]:
            n.update(kind="char", openable=True)
    f = _mine(Environment.from_dict(doc))["nvidia-device-node"]
    assert f.severity == "info" and "made by CUDA's first call" in f.title and "/dev/nvidia-uvm missing" in f.title
    doc["container"]["uid"] = 1000
    assert _mine(Environment.from_dict(doc))["nvidia-device-node"].severity == "fail"
    doc["container"].update(uid=0, capabilities=["CAP_CHOWN"])
    assert _mine(Environment.from_dict(doc))["nvidia-device-node"].severity == "fail"


@needs_cc
def test_user_space_driver_older_than_the_kernel_module_fails(tmp_path):
    root = str(tmp_path / "root")
    make_root(root)
    _driver(root, version="570.195.03")
    _gpu_proc(root)
    f = _mine(_scan(root))["driver-library-mismatch"]
    assert f.severity == "fail" and "570.195.03" in f.title and KERNEL in f.title
    assert "Driver/library version mismatch" in f.title


def test_a_scan_without_the_process_section_still_loads():
    env = Environment.from_dict({"gpus": [{"index": 0}], "driver": {"version": "580.95.05"}})
    assert env.process is None and _mine(env) == {}


def test_live_machine_real_environment_variables_without_a_gpu_say_nothing_loud(tmp_path):
    """This machine has no GPU: CUDA_VISIBLE_DEVICES empty or out of range is no alarm here."""
    for value in ("", "7"):
        env = dict(os.environ, CUDA_VISIBLE_DEVICES=value, PYTHONPATH=REPO, NO_COLOR="1")
        p = subprocess.run([sys.executable, "-m", "envcheck", "scan", "--json"], capture_output=True, text=True,
                           env=env, cwd=REPO, timeout=300)
        doc = json.loads(p.stdout)
        assert doc["process"]["devices"]["cuda_visible_devices"] == value
        if doc.get("gpus"):
            pytest.skip("this machine has a GPU")
        assert not [f for f in run_checks(Environment.from_dict(doc), None)
                    if f.code in CODES and f.severity in ("warn", "fail")]


@pytest.mark.parametrize("message", [
    "RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
    "NumCudaDevices() that might have already set an error? Error 34: CUDA driver is a stub library",
    "cuInit failed: CUDA_ERROR_STUB_LIBRARY",
    "NCCL WARN Cuda failure 'CUDA driver is a stub library'",
    "cudaGetDeviceCount returned cudaErrorStubLibrary"])
def test_explain_recognises_the_stub_in_its_wordings(message):
    from envcheck.explain import explain
    (first, *_) = explain(message, Environment(), None)
    assert first.code == "explain-libcuda-stub" and "stub" in first.title


@needs_cc
def test_explain_names_the_scanned_stub_and_the_visible_devices(tmp_path):
    from envcheck.explain import explain
    from envcheck.matrix.load import load_matrix
    matrix = load_matrix(include_user=False)
    root = str(tmp_path / "root")
    stubs = "/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs"
    make_root(root, environ={"LD_LIBRARY_PATH": stubs, "CUDA_VISIBLE_DEVICES": "7"})
    _driver(root)
    _stub(root)
    _gpu_proc(root)
    env = _scan(root)
    (stub, *_) = explain("Error 34: CUDA driver is a stub library", env, matrix)
    assert any(stubs + "/libcuda.so, found by LD_LIBRARY_PATH" in f and "the toolkit's stub" in f for f in stub.facts)
    assert "unset LD_LIBRARY_PATH    # drops " + stubs in stub.advice[-1]
    (nodev, *_) = explain("RuntimeError: No CUDA GPUs are available", env, matrix)
    assert nodev.code == "explain-no-cuda-device"
    assert any("cuda_visible_devices: '7'; CUDA sees no GPU (index 7 does not exist" in f for f in nodev.facts)


@needs_cc
def test_explain_blames_the_empty_libcuda_the_scan_found(tmp_path):
    """'Found no NVIDIA driver' on a machine whose loader stops at an empty libcuda.so.1 ahead of the driver's: the
    answer names that file and the LD_LIBRARY_PATH that drops it, not 'the message came from another machine'."""
    from envcheck.explain import explain
    from envcheck.matrix.load import load_matrix
    env = _scan(_empty_libcuda_root(tmp_path))
    (a, *_) = explain("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU "
                      "and installed a driver", env, load_matrix(include_user=False))
    assert a.code == "explain-no-driver" and "/opt/empty/libcuda.so.1 first (file too short" in a.cause
    assert "another machine" not in a.cause
    assert a.advice[0].startswith("export LD_LIBRARY_PATH=/usr/local/nvidia/lib64    # drops /opt/empty")
    smi = explain("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver", env,
                  load_matrix(include_user=False))[0]
    assert smi.code == "explain-no-driver" and "unusable" not in smi.title   # nvidia-smi never loads libcuda
    warp = explain("Warp CUDA error: Could not open libcuda.so.", env, load_matrix(include_user=False))[0]
    assert warp.code == "explain-libcuda-missing" and warp.title == "An unusable libcuda.so.1 hides the driver"
