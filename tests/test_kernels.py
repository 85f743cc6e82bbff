"""Kernel images in the scan: probes/kernels.py reads the .nv_fatbin of torch/vllm/... per Python environment,
checks/kernels.py predicts "no kernel image is available for execution on the device".

Fixture roots are built in tmp_path from committed files only: the pythons 'seed' tree (a venv with torch
2.4.0+cu121), /proc/driver/nvidia of the runpod-4090 root (an RTX 4090 by name, driver 570), and the ELF fixtures
of tests/fixtures/fatbin copied in as torch/lib/libtorch_cuda.so (nvcc 13 output, the hand-made .so, or an ELF
written by fatbin_build.py's documented layout). The CLI runs in a subprocess, as a user runs it.
"""
from __future__ import annotations

import json
import os
import shutil
import sys

import jsonschema
import pytest

from conftest import FIXTURES, ROOTS
from envcheck.model import Environment, environment_schema
from envcheck.model.python import GpuArchs, PythonEnv
from envcheck.probes import ProbeContext
from envcheck.probes import kernels as kprobe
from envcheck.root import Root

FATBIN = os.path.join(FIXTURES, "fatbin")
sys.path.insert(0, FATBIN)
import fatbin_build as fb  # noqa: E402

SP = "workspace/venv/lib/python3.10/site-packages"
LIB = f"{SP}/torch/lib/libtorch_cuda.so"
HANDMADE = ("sm_80", "sm_86", "sm_90a", "sm_120")   # + PTX compute_90, compute_120f


def _root(tmp_path, lib_bytes=None, lib_file=None, gpu=True):
    r = tmp_path / "root"
    shutil.copytree(os.path.join(FIXTURES, "pythons", "seed"), r, symlinks=True)
    if gpu:
        shutil.copytree(os.path.join(ROOTS, "runpod-4090", "proc", "driver"), r / "proc" / "driver")
    dst = r / LIB
    dst.parent.mkdir(parents=True, exist_ok=True)
    if lib_file:
        shutil.copyfile(os.path.join(FATBIN, lib_file), dst)
    elif lib_bytes is not None:
        dst.write_bytes(lib_bytes)
    return r


def _old_torch_lib(ptx=()):
    """What a torch built for 5.0..9.0 carries (TORCH_CUDA_ARCH_LIST without 10.0/12.0), as a real ELF file."""
    ents = [fb.entry(fb.ELF, a) for a in (50, 60, 70, 75, 80, 86, 90)] + [fb.entry(fb.PTX, a) for a in ptx]
    return fb.elf_with_sections({".nv_fatbin": fb.container(ents)})


def _scan(run_cli, root):
    rc, out, err = run_cli("scan", "--root", str(root), "--json")
    assert rc == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, environment_schema())
    return doc


def _venv(doc):
    (p,) = [p for p in doc["pythons"] if p["path"] == "/workspace/venv/bin/python"]
    return p


def _check(run_cli, tmp_path, doc, gpus=None, driver=None, *extra):
    if gpus is not None:
        doc = dict(doc, gpus=gpus)
    if driver is not None:
        doc = dict(doc, driver=driver)
    f = tmp_path / "env.json"
    f.write_text(json.dumps(doc))
    rc, out, err = run_cli("check", "--env", str(f), "--json", *extra)
    assert rc in (0, 1), err
    return rc, [x for x in json.loads(out)["findings"] if x["code"].startswith(("no-kernel", "kernel-image"))]


RTX5090 = [{"index": 0, "name": "NVIDIA GeForce RTX 5090", "compute_capability": "12.0"}]
B200 = [{"index": 0, "name": "NVIDIA B200", "compute_capability": "10.0"}]
T4 = [{"index": 0, "name": "Tesla T4", "compute_capability": "7.5"}]


# -- the scan ------------------------------------------------------------------------------------------------------
def test_scan_records_archs_and_covered_gpu_has_no_finding(run_cli, tmp_path):
    root = _root(tmp_path, lib_file="handmade.so")
    doc = _scan(run_cli, root)
    ga = _venv(doc)["gpu_archs"]["torch"]
    assert ga == {"library": "/" + LIB, "sass": list(HANDMADE), "ptx": ["compute_90", "compute_120f"]}
    # the system Python has torch's METADATA but no libtorch_cuda.so: nothing recorded, nothing invented
    assert all("gpu_archs" not in p for p in doc["pythons"] if p["path"] != "/workspace/venv/bin/python")
    # --root: /proc/driver/nvidia names an RTX 4090 (no capability there); the check takes 8.9 from matrix/gpus.yaml
    rc, out, err = run_cli("check", "--root", str(root), "--json")
    assert rc == 0, out + err
    found = [f for f in json.loads(out)["findings"] if "kernel" in f["code"]]
    assert [f["code"] for f in found] == ["kernel-image-ok"]
    assert "sm_89" in found[0]["title"] and "gpus.yaml" not in found[0]["title"]
    # the human report row says it briefly
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(dict(doc, gpus=[{"index": 0, "name": "NVIDIA GeForce RTX 4090", "compute_capability": "8.9"}])))
    rc, out, _ = run_cli("scan", "--env", str(saved))
    assert "kernels for sm_89: torch yes" in out


def test_old_torch_on_rtx5090_fails_with_the_archs_and_a_fix(run_cli, tmp_path):
    doc = _scan(run_cli, _root(tmp_path, lib_bytes=_old_torch_lib()))
    rc, found = _check(run_cli, tmp_path, doc, RTX5090)
    assert rc == 1
    (f,) = found
    assert f["code"] == "no-kernel-image" and f["severity"] == "fail"
    assert f["title"] == ("torch 2.4.0+cu121 in /workspace/venv has no kernels for this GPU (NVIDIA GeForce RTX 5090, "
                          "compute capability 12.0): SASS sm_50..sm_90 (7), PTX none")
    assert "no SASS for sm_120 and no PTX <= 12.0" in f["why"]
    assert "no kernel image is available" in f["why"]
    assert "pythons[2].gpu_archs.torch.sass = sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90" in f["evidence"]
    # driver 570 runs CUDA 12.8: the newest torch build in the matrix at or below cu128, then the way to verify
    assert f["fix"][0].startswith("/workspace/venv/bin/python -m pip install --upgrade 'torch==")
    assert "--index-url https://download.pytorch.org/whl/cu128" in f["fix"][0]
    assert "get_arch_list" in f["fix"][1] and "sm_120" in f["fix"][1]


def test_not_covered_hand_made_on_t4(run_cli, tmp_path):
    doc = _scan(run_cli, _root(tmp_path, lib_file="handmade.so"))
    rc, found = _check(run_cli, tmp_path, doc, T4)
    assert rc == 1
    (f,) = found
    assert f["code"] == "no-kernel-image"
    assert "SASS sm_80 sm_86 sm_90a sm_120, PTX compute_90 compute_120f" in f["title"]


def test_ptx_only_is_a_warning(run_cli, tmp_path):
    # sm_80..sm_120 SASS, PTX compute_90: a B200 (10.0) has no SASS here; PTX compute_90 JITs (docs/fatbin.md)
    doc = _scan(run_cli, _root(tmp_path, lib_file="handmade.so"))
    rc, found = _check(run_cli, tmp_path, doc, B200)
    assert rc == 0
    (f,) = found
    assert (f["code"], f["severity"]) == ("kernel-image-ptx-only", "warn")
    assert "PTX compute_90 JIT-compiled" in f["why"]
    rc, out, _ = run_cli("scan", "--env", str(tmp_path / "env.json"))
    assert "kernels for sm_100: torch PTX only" in out


def test_ptx_only_with_a_driver_too_old_for_the_ptx_fails(run_cli, tmp_path):
    # old torch + compute_90 PTX on an RTX 5090 JITs; but torch's CUDA 12.1 PTX on a CUDA 12.0 driver cannot
    doc = _scan(run_cli, _root(tmp_path, lib_bytes=_old_torch_lib(ptx=(90,))))
    rc, found = _check(run_cli, tmp_path, doc, RTX5090)
    assert [(f["code"], f["severity"]) for f in found] == [("kernel-image-ptx-only", "warn")]
    rc, found = _check(run_cli, tmp_path, doc, RTX5090, {"version": "525.60.13", "cuda": "12.0"})
    assert rc == 1
    (f,) = found
    assert (f["code"], f["severity"]) == ("kernel-image-ptx-only", "fail")
    assert "CUDA_ERROR_UNSUPPORTED_PTX_VERSION" in f["why"]


def test_unknown_gpu_gives_no_finding(run_cli, tmp_path):
    doc = _scan(run_cli, _root(tmp_path, lib_file="handmade.so"))
    for gpus in ([{"index": 0, "name": "Some Future GPU"}], [], [{"index": 0}]):
        rc, found = _check(run_cli, tmp_path, doc, gpus)
        assert rc == 0 and found == [], gpus
    rc, out, err = run_cli("scan", "--env", str(tmp_path / "env.json"))
    assert rc == 0 and "torch kernels sm_80..sm_120 +PTX" in out, err


def test_truncated_library_is_an_error_and_the_scan_goes_on(run_cli, tmp_path):
    data = open(os.path.join(FATBIN, "nvcc13-multi.so"), "rb").read()
    root = _root(tmp_path, lib_bytes=data[: len(data) // 3])
    doc = _scan(run_cli, root)
    p = _venv(doc)
    assert p["gpu_archs"]["torch"]["error"].startswith("truncated")
    assert any("libtorch_cuda.so: GPU architectures read only in part: truncated" in e for e in p["errors"])
    assert len(doc["pythons"]) == 3 and not doc.get("errors")
    rc, found = _check(run_cli, tmp_path, doc, RTX5090)
    assert found == []      # cannot tell: not claimed either way


def test_not_an_elf_is_an_error(run_cli, tmp_path):
    doc = _scan(run_cli, _root(tmp_path, lib_bytes=b"version https://git-lfs.github.com/spec/v1\n"))
    assert _venv(doc)["gpu_archs"]["torch"]["error"] == "not an ELF file"


def test_other_packages_use_their_kernel_library(run_cli, tmp_path):
    root = _root(tmp_path, lib_file="handmade.so")
    sp = root / SP
    for dist, version, rel, src in (("vllm", "0.6.3", "vllm/_C.abi3.so", "nvcc13-multi.so"),
                                    ("flash_attn", "2.6.3", "flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so", "handmade.so")):
        di = sp / f"{dist}-{version}.dist-info"
        di.mkdir()
        (di / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n\n")
        (sp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(os.path.join(FATBIN, src), sp / rel)
    ga = _venv(_scan(run_cli, root))["gpu_archs"]
    assert sorted(ga) == ["flash-attn", "torch", "vllm"]
    assert ga["vllm"]["sass"] == ["sm_75", "sm_80", "sm_86", "sm_89", "sm_90a", "sm_100f", "sm_103a", "sm_120"]
    assert ga["flash-attn"]["library"].endswith("/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so")


# -- when the probe reads, and the model ------------------------------------------------------------------------
def test_live_machine_without_gpu_reads_nothing(tmp_path):
    root = _root(tmp_path, lib_file="handmade.so")
    from envcheck.versions import Version
    p = PythonEnv(path="/workspace/venv/bin/python", prefix="/workspace/venv", site_packages=("/" + SP,),
                  packages={"torch": Version("2.4.0")})
    env = Environment(pythons=(p,))
    live = Root(str(root), live=True)
    assert kprobe.probe(ProbeContext(root=live), env) == {}
    from envcheck.model import Gpu
    got = kprobe.probe(ProbeContext(root=live), env.replace(gpus=(Gpu(index=0, name="NVIDIA GeForce RTX 4090"),)))
    assert got["pythons"][0].gpu_archs["torch"].sass == HANDMADE


def test_model_round_trip():
    p = PythonEnv(path="/v/bin/python", gpu_archs={
        "torch": GpuArchs(library="/v/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so",
                          sass=("sm_80", "sm_90a"), ptx=("compute_90",)),
        "vllm": GpuArchs(sass=(), ptx=(), error="truncated: ...")})
    e = Environment(pythons=(p,))
    assert Environment.from_dict(e.to_dict()) == e
    jsonschema.validate(json.loads(json.dumps(e.to_dict())), environment_schema())


@pytest.mark.parametrize("cc,ok", [("8.9", True), ("12.1", True), ("7.0", False), ("11.0", False)])
def test_nvcc_fixture_against_capabilities(run_cli, tmp_path, cc, ok):
    doc = _scan(run_cli, _root(tmp_path, lib_file="nvcc13-multi.so"))
    rc, found = _check(run_cli, tmp_path, doc, [{"index": 0, "name": "X", "compute_capability": cc}])
    assert [f["code"] for f in found] == (["kernel-image-ok"] if ok else ["no-kernel-image"])
