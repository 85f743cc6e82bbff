"""The libraries probe and the native checks on fixture roots with real ELF objects (built at test time)."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "native"))
from nativetest import MATRIX, ldconfig_cache, make_lib, make_root, needs_cc, needs_ldconfig  # noqa: E402

from envcheck.checks import run_checks  # noqa: E402
from envcheck.matrix.load import load_matrix  # noqa: E402
from envcheck.model import Driver, Environment, Host, PythonEnv  # noqa: E402
from envcheck.probes import ProbeContext  # noqa: E402
from envcheck.probes.libraries import probe  # noqa: E402
from envcheck.root import Root  # noqa: E402
from envcheck.versions import Version  # noqa: E402

VENV = "/workspace/venv"
SP = VENV + "/lib/python3.10/site-packages"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(packages, sp=SP, driver="570.195.03"):
    return Environment(
        host=Host(arch="x86_64", glibc=Version("2.35")),
        driver=Driver(version=Version(driver)) if driver else None,
        pythons=(PythonEnv(path=VENV + "/bin/python", prefix=VENV, site_packages=(sp,), kind="venv",
                           packages={k: Version(v) for k, v in packages.items()}),))


def _scan(root, env):
    out = probe(ProbeContext(root=Root(root, live=False)), env)
    return env.replace(**out)


def _seed_root(tmp_path):
    """The seed pod: a venv with only cu12 wheels and a tensorrt_llm whose bindings need libcublasLt.so.13."""
    root = make_root(str(tmp_path / "root"), conf_dirs=["/usr/local/cuda-12.4/lib64"])
    r = lambda p: root + p  # noqa: E731
    s13 = make_lib(str(tmp_path / "stubs" / "libcublasLt.so.13"), versions=["libcublasLt.so.13"])
    s12 = make_lib(r(SP + "/nvidia/cublas/lib/libcublasLt.so.12"), versions=["libcublasLt.so.12"])
    make_lib(r(SP + "/nvidia/cuda_runtime/lib/libcudart.so.12"))
    make_lib(r("/usr/local/cuda-12.4/lib64/libcublasLt.so.12.4.5.8"), soname="libcublasLt.so.12")
    make_lib(r(SP + "/tensorrt_llm/bindings.cpython-310-x86_64-linux-gnu.so"), needs=[s13],
             runpath="$ORIGIN/../nvidia/cu13/lib")
    make_lib(r(SP + "/tensorrt_llm/libs/libth_common.so"), needs=[s12], runpath="$ORIGIN/../../nvidia/cublas/lib")
    return root


@needs_cc
@needs_ldconfig
def test_seed_tensorrt_llm_needs_cublaslt_13_with_only_cu12_libs(tmp_path):
    root = _seed_root(tmp_path)
    ldconfig_cache(root)
    env = _scan(root, _env({"tensorrt-llm": "1.1.0", "nvidia-cublas-cu12": "12.1.3.1",
                            "nvidia-cuda-runtime-cu12": "12.1.105"}))
    native = env.pythons[0].native
    assert len(native) == 1, native
    link = native[0]
    assert link.package == "tensorrt-llm" and link.kind == "extension"
    assert link.missing == ("libcublasLt.so.13",)
    assert link.searched == ("LD_LIBRARY_PATH (unset)", "RUNPATH $ORIGIN/../nvidia/cu13/lib", "ld.so.cache", "default dirs")

    findings = run_checks(env, load_matrix(base=MATRIX, include_user=False))
    f = [x for x in findings if x.code == "native-lib-missing"]
    assert len(f) == 1 and f[0].severity == "fail"
    t = f[0].title
    assert t.startswith("tensorrt-llm 1.1.0 in /workspace/venv cannot load: "
                        "tensorrt_llm/bindings.cpython-310-x86_64-linux-gnu.so needs libcublasLt.so.13 (CUDA 13)")
    assert "not found in: LD_LIBRARY_PATH (unset), RUNPATH $ORIGIN/../nvidia/cu13/lib, ld.so.cache" in t
    assert "CUDA 13 also needs driver >= 580.65.06; this host has 570.195.03" in t
    assert "envcheck recommend --target tensorrt-llm" in f[0].fix
    # the document round-trips with the new facts
    assert Environment.from_dict(env.to_dict()) == env

    # with the real matrix too, once it has CUDA 13
    real = load_matrix(base=os.path.join(REPO, "matrix"), include_user=False)
    if real.row("cuda", "13.0") is None:
        pytest.skip("matrix/cuda.yaml has no 13.0 row yet")
    f = [x for x in run_checks(env, real) if x.code == "native-lib-missing"]
    assert f and "CUDA 13 also needs driver >= 580" in f[0].title


@needs_cc
@needs_ldconfig
def test_libraries_rows_system_then_wheels(tmp_path):
    root = _seed_root(tmp_path)
    make_lib(root + "/usr/local/nvidia/lib64/libcuda.so.570.195.03", soname="libcuda.so.1")
    os.symlink("libcuda.so.570.195.03", root + "/usr/local/nvidia/lib64/libcuda.so.1")
    ldconfig_cache(root)
    env = _scan(root, _env({"nvidia-cublas-cu12": "12.1.3.1"}))
    rows = [(l.soname, l.via, l.environment, l.package, str(l.version) if l.version else None, l.cuda_major)
            for l in env.libraries]
    assert ("libcublasLt.so.12", "ld.so.cache", None, None, "12.4.5.8", 12) in rows
    assert ("libcuda.so.1", "driver-dir (not on the loader's path)", None, None, "570.195.03", None) in rows
    assert ("libcublasLt.so.12", "wheel", VENV, "nvidia-cublas-cu12", "12.1.3.1", 12) in rows
    assert any(r[0] == "libcudart.so.12" and r[1] == "wheel" for r in rows)
    # system rows come before the environment's
    vias = [r[1] for r in rows]
    assert vias.index("wheel") > vias.index("ld.so.cache")


@needs_cc
def test_torch_extensions_find_libc10_loaded_by_import_torch_and_cu13_layout(tmp_path):
    """vllm's _C needs libc10.so with no RUNPATH: it resolves because `import torch` loaded it. torch 2.9+ cu13
    wheels keep every CUDA library in nvidia/cu13/lib."""
    root = make_root(str(tmp_path / "root"))
    r = lambda p: root + p  # noqa: E731
    cu13 = SP + "/nvidia/cu13/lib"
    cublas = make_lib(r(cu13 + "/libcublas.so.13"))
    cudart = make_lib(r(cu13 + "/libcudart.so.13"))
    c10 = make_lib(r(SP + "/torch/lib/libc10.so"))
    tcuda = make_lib(r(SP + "/torch/lib/libtorch_cuda.so"), needs=[c10, cublas, cudart],
                     runpath="$ORIGIN:$ORIGIN/../../nvidia/cu13/lib")
    make_lib(r(SP + "/torch/_C.cpython-310-x86_64-linux-gnu.so"), needs=[tcuda, c10], runpath="$ORIGIN/lib")
    make_lib(r(SP + "/vllm/_C.abi3.so"), needs=[c10, cudart])          # no RUNPATH at all
    make_lib(r(SP + "/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so"), needs=[c10, tcuda])
    env = _scan(root, _env({"torch": "2.9.1+cu130", "vllm": "0.11.0", "flash-attn": "2.8.3", "nvidia-cublas": "13.0.0.19"},
                           driver="580.95.05"))
    assert env.pythons[0].native == (), env.pythons[0].native
    libs = {(l.soname, l.package, l.cuda_major) for l in env.libraries if l.via == "wheel"}
    assert ("libcublas.so.13", "nvidia-cublas", 13) in libs
    findings = run_checks(env, load_matrix(base=MATRIX, include_user=False))
    assert any(f.code == "native-ok" for f in findings)
    assert not [f for f in findings if f.code.startswith("native-") and f.severity == "fail"]


@needs_cc
def test_cuda_major_mixed(tmp_path):
    root = make_root(str(tmp_path / "root"))
    r = lambda p: root + p  # noqa: E731
    a = make_lib(r(SP + "/nvidia/cuda_runtime/lib/libcudart.so.12"))
    b = make_lib(r(SP + "/nvidia/cu13/lib/libcublasLt.so.13"))
    make_lib(r(SP + "/sgl_kernel/common_ops.abi3.so"), needs=[a, b],
             runpath="$ORIGIN/../nvidia/cuda_runtime/lib:$ORIGIN/../nvidia/cu13/lib")
    env = _scan(root, _env({"sgl-kernel": "0.3.0"}, driver="580.95.05"))
    (link,) = env.pythons[0].native
    assert link.cuda_majors == (12, 13) and not link.missing
    f = [x for x in run_checks(env, load_matrix(base=MATRIX, include_user=False)) if x.code == "cuda-major-mixed"]
    assert f and f[0].severity == "warn"


@needs_cc
def test_glibc_too_old_under_root(tmp_path):
    root = make_root(str(tmp_path / "root"))
    r = lambda p: root + p  # noqa: E731
    libc = make_lib(str(tmp_path / "newlibc" / "libfakec.so.7"), versions=["GLIBC_2.17", "GLIBC_2.99"])
    make_lib(r(SP + "/torch/_C.cpython-310-x86_64-linux-gnu.so"), needs=[libc], runpath="$ORIGIN/lib")
    make_lib(r(SP + "/torch/lib/libfakec.so.7"), versions=["GLIBC_2.17"])
    env = _scan(root, _env({"torch": "2.9.1"}))
    (link,) = env.pythons[0].native
    assert link.missing_versions and "GLIBC_2.99" in link.missing_versions[0]
    f = [x for x in run_checks(env, load_matrix(base=MATRIX, include_user=False)) if x.code == "glibc-too-old"]
    assert f and "2.99" in f[0].title


@needs_cc
def test_odd_trees_do_not_hang_or_crash(tmp_path):
    root = make_root(str(tmp_path / "root"))
    r = lambda p: root + p  # noqa: E731
    pkg = r(SP + "/torch")
    os.makedirs(pkg + "/lib")
    os.symlink("..", pkg + "/lib/up")                       # a directory loop
    os.symlink("a.so", pkg + "/b.so")
    os.symlink("b.so", pkg + "/a.so")                       # a symlink loop named .so
    os.mkfifo(pkg + "/fifo.so")                             # a FIFO named .so (opening it would block)
    with open(pkg + "/huge.so", "wb") as fh:                # 2 GB, sparse
        fh.truncate(2 << 30)
    with open(pkg + "/lfs.cpython-310-x86_64-linux-gnu.so", "w") as fh:
        fh.write("version https://git-lfs.github.com/spec/v1\n")
    os.makedirs(pkg + "/locked")
    make_lib(pkg + "/locked/_x.cpython-310-x86_64-linux-gnu.so")
    os.chmod(pkg + "/locked", 0)
    try:
        t0 = time.perf_counter()
        env = _scan(root, _env({"torch": "2.9.1"}))
        assert time.perf_counter() - t0 < 30
    finally:
        os.chmod(pkg + "/locked", 0o755)
    errors = {os.path.basename(n.file): n.error for n in env.pythons[0].native}
    assert "magic" in errors["huge.so"] and "magic" in errors["lfs.cpython-310-x86_64-linux-gnu.so"]
    assert "fifo.so" not in errors  # not a regular file: never opened
    findings = run_checks(env, load_matrix(base=MATRIX, include_user=False))
    assert any(f.code == "native-unreadable" for f in findings)


def test_environment_without_pythons_and_missing_site_packages(tmp_path):
    (tmp_path / "etc").mkdir()
    env = Environment(pythons=(PythonEnv(path="/nope/bin/python", site_packages=("/nope/site-packages",)),))
    out = probe(ProbeContext(root=Root(str(tmp_path), live=False)), env)
    assert out["pythons"][0].native is None and out["libraries"] == ()
    out = probe(ProbeContext(root=Root(str(tmp_path), live=False)), Environment())
    assert "pythons" not in out and out["libraries"] == ()


@needs_cc
def test_torch_preload_of_wheel_cuda_libs_read_from_its_init(tmp_path):
    """torch/lib/libtorch_global_deps.so has no path to nvidia/*: torch's __init__ dlopens the wheels' libraries
    by path first (its `cuda_libs` table, read from the environment's own torch/__init__.py)."""
    root = make_root(str(tmp_path / "root"))
    r = lambda p: root + p  # noqa: E731
    cudart = make_lib(r(SP + "/nvidia/cuda_runtime/lib/libcudart.so.12"))
    make_lib(r(SP + "/torch/lib/libtorch_global_deps.so"), needs=[cudart])
    make_lib(r(SP + "/torch/_C.cpython-310-x86_64-linux-gnu.so"), needs=[cudart])
    with open(r(SP + "/torch/__init__.py"), "w") as fh:
        fh.write('cuda_libs: list[tuple[str, str]] = [\n    ("cuda_runtime", "libcudart.so.*[0-9]"),\n]\n')
    env = _scan(root, _env({"torch": "2.11.0+cu128"}))
    assert env.pythons[0].native == ()
    # without the table entry the same tree fails
    with open(r(SP + "/torch/__init__.py"), "w") as fh:
        fh.write('cuda_libs = [("cublas", "libcublas.so.*[0-9]")]\n')
    env = _scan(root, _env({"torch": "2.11.0+cu128"}))
    broken = {os.path.basename(n.file): (n.stage, n.missing) for n in env.pythons[0].native}
    # `import torch` dlopens libtorch_global_deps.so itself: its failure is the import's (torch re-raises it,
    # the error naming no library of its table), as is torch._C's
    assert broken["libtorch_global_deps.so"] == ("import", ("libcudart.so.12",))
    assert broken["_C.cpython-310-x86_64-linux-gnu.so"] == ("import", ("libcudart.so.12",))
