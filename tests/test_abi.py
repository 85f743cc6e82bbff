"""ABI breaks no metadata declares: torch extensions resolved against the installed libtorch (and torch against
its NCCL), numpy-1.x builds under numpy 2, floors libraries enforce in code, nvidia-* wheels judged by direction.
Fixture roots with real ELF objects built here (the C compiler names the symbols, C++ mangled ones included)."""
import os
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "native"))
from nativetest import make_root  # noqa: E402
import elfbuild  # noqa: E402

from envcheck.checks import run_checks  # noqa: E402
from envcheck.matrix.load import load_matrix  # noqa: E402
from envcheck.matrix.rowcheck import check_rows  # noqa: E402
from envcheck.matrix.tables import Matrix, Row, Subject  # noqa: E402
from envcheck.model import Environment, Host, PythonEnv  # noqa: E402
from envcheck.probes import ProbeContext  # noqa: E402
from envcheck.probes import abi as abi_probe  # noqa: E402
from envcheck.probes.libraries import probe  # noqa: E402
from envcheck.root import Root  # noqa: E402
from envcheck.versions import Version  # noqa: E402

VENV = "/workspace/venv"
SP = VENV + "/lib/python3.11/site-packages"
needs_cc = pytest.mark.skipif(elfbuild.CC is None, reason=elfbuild.SKIP_REASON)


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


def sym_lib(path, defines=(), undefined=(), needs=(), runpath=None):
    """A shared object that defines and calls symbols by their exact (mangled) names, linked against ``needs``."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines, calls = [], []
    for i, s in enumerate(defines):
        lines.append(f'int d{i}(void) __asm__("{s}"); int d{i}(void) {{ return {i}; }}')
    for i, s in enumerate(undefined):
        lines.append(f'extern int u{i}(void) __asm__("{s}");')
        calls.append(f"u{i}()")
    lines.append(f"int entry(void) {{ return {' + '.join(calls) or '0'}; }}")
    args = [elfbuild.CC, "-shared", "-fPIC", "-o", path, "-Wl,--no-as-needed", f"-Wl,-soname,{os.path.basename(path)}"]
    for n in needs:
        args += [f"-L{os.path.dirname(n)}", f"-l:{os.path.basename(n)}"]
    if runpath:
        args += [f"-Wl,-rpath,{runpath}", "-Wl,--enable-new-dtags"]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "x.c")
        with open(src, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        subprocess.run(args + [src], check=True, capture_output=True, timeout=60)
    return path


def dist_info(root, name, version, files=(), requires=()):
    d = root + SP + f"/{name}-{version}.dist-info"
    os.makedirs(d, exist_ok=True)
    with open(d + "/METADATA", "w") as fh:
        fh.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                 + "".join(f"Requires-Dist: {r}\n" for r in requires) + "\n")
    with open(d + "/RECORD", "w") as fh:
        for f in files:
            fh.write(f"{f},,{os.path.getsize(root + SP + '/' + f)}\n")


def _env(packages, requires=None):
    return Environment(host=Host(arch="x86_64", glibc=Version("2.35")),
                       pythons=(PythonEnv(path=VENV + "/bin/python", prefix=VENV, site_packages=(SP,), kind="venv",
                                          packages={k: Version(v) for k, v in packages.items()},
                                          requires={k: tuple(v) for k, v in (requires or {}).items()}),))


def _torch_root(tmp_path, c10_defines, nccl_defines=("ncclCommInitRank", "ncclGroupSimulateEnd")):
    root = make_root(str(tmp_path / "root"))
    r = lambda p: root + p  # noqa: E731
    nccl = sym_lib(r(SP + "/nvidia/nccl/lib/libnccl.so.2"), defines=nccl_defines)
    c10 = sym_lib(r(SP + "/torch/lib/libc10.so"), defines=c10_defines)
    tcuda = sym_lib(r(SP + "/torch/lib/libtorch_cuda.so"), needs=[c10, nccl],
                    undefined=("ncclCommInitRank", "ncclGroupSimulateEnd"),
                    runpath="$ORIGIN:$ORIGIN/../../nvidia/nccl/lib")
    sym_lib(r(SP + "/torch/_C.cpython-311-x86_64-linux-gnu.so"), needs=[tcuda, c10], runpath="$ORIGIN/lib")
    # torchaudio: its library links libc10.so (found because `import torch` loaded it) and calls a c10 function;
    # cudaGetDevice is no torch symbol (the driver stack provides it): never counted here
    sym_lib(r(SP + "/torchaudio/lib/libtorchaudio.so"), needs=[c10],
            undefined=("_ZNK3c106SymInt6sym_neERKS0_", "cudaGetDevice", "aoti_torch_abi_version"))
    dist_info(root, "torchaudio", "2.4.1", ["torchaudio/lib/libtorchaudio.so"], ["torch==2.4.1"])
    dist_info(root, "torch", "2.5.1", ["torch/lib/libc10.so", "torch/lib/libtorch_cuda.so"])
    dist_info(root, "nvidia_nccl_cu12", "2.21.5", ["nvidia/nccl/lib/libnccl.so.2"])
    return root


def _scan(root, env):
    return env.replace(**probe(ProbeContext(root=Root(root, live=False)), env))


TORCH_PKGS = {"torch": "2.5.1", "torchaudio": "2.4.1", "nvidia-nccl-cu12": "2.21.5"}
TORCH_REQ = {"torch": ["nvidia-nccl-cu12==2.21.5"], "torchaudio": ["torch==2.4.1"]}


@needs_cc
def test_torch_extension_built_against_another_torch_fails_naming_symbol_versions_and_companion(tmp_path, matrix):
    root = _torch_root(tmp_path, c10_defines=("_ZN3c106SymInt6sym_eqERKS0_", "aoti_torch_abi_version"))
    env = _scan(root, _env(TORCH_PKGS, TORCH_REQ))
    fs = [f for f in run_checks(env, matrix) if f.code == "native-symbol-missing"]
    assert len(fs) == 1 and fs[0].severity == "fail", [f.title for f in fs]
    t = fs[0].title
    assert "torchaudio 2.4.1" in t and "libtorchaudio.so" in t and "'undefined symbol: _ZNK3c106SymInt6sym_neERKS0_'" in t
    assert "torchaudio requires torch==2.4.1; torch 2.5.1 is installed" in t
    assert "cudaGetDevice" not in t and "nor" not in t   # aoti_torch_abi_version is defined: one symbol lacking
    if elfbuild.shutil.which("c++filt"):
        assert "c10::SymInt::sym_ne(c10::SymInt const&) const" in t
    assert fs[0].fix[0].startswith(VENV + "/bin/python -m pip install 'torchaudio==2.5.1'")
    assert fs[0].fix[1].startswith(VENV + "/bin/python -m pip install 'torch==2.4.1'")


@needs_cc
def test_torch_extension_matching_torch_is_silent(tmp_path, matrix):
    root = _torch_root(tmp_path, c10_defines=("_ZNK3c106SymInt6sym_neERKS0_", "aoti_torch_abi_version"))
    env = _scan(root, _env(dict(TORCH_PKGS, torchaudio="2.5.1"), {"torchaudio": ["torch==2.5.1"]}))
    assert env.pythons[0].native == (), env.pythons[0].native


@needs_cc
def test_torch_under_an_older_nccl_fails_with_the_pinned_nccl(tmp_path, matrix):
    root = _torch_root(tmp_path, c10_defines=("_ZNK3c106SymInt6sym_neERKS0_", "aoti_torch_abi_version"),
                       nccl_defines=("ncclCommInitRank",))
    env = _scan(root, _env(dict(TORCH_PKGS, **{"nvidia-nccl-cu12": "2.20.5", "torchaudio": "2.5.1"}),
                           {"torch": ["nvidia-nccl-cu12==2.21.5"], "torchaudio": ["torch==2.5.1"]}))
    fs = [f for f in run_checks(env, matrix) if f.code == "native-symbol-missing"]
    assert len(fs) == 1 and fs[0].severity == "fail", [f.title for f in fs]
    assert "'undefined symbol: ncclGroupSimulateEnd'" in fs[0].title and "libtorch_cuda.so" in fs[0].title
    assert "nvidia-nccl-cu12 2.20.5 installed; torch 2.5.1 was built with 2.21.5" in fs[0].title
    assert fs[0].fix[0].startswith(VENV + "/bin/python -m pip install 'nvidia-nccl-cu12==2.21.5'")


def _numpy_root(tmp_path):
    root = str(tmp_path / "np")
    for name, ver, marks in (("pandas", "1.5.3", [b"numpy.core._multiarray_umath"]),
                             ("scipy", "1.13.1", [b"numpy._core._multiarray_umath", b"numpy.core._multiarray_umath"]),
                             ("plain", "1.0", [])):
        rel = f"{name}/_libs/lib.cpython-311-x86_64-linux-gnu.so"
        os.makedirs(os.path.dirname(root + SP + "/" + rel), exist_ok=True)
        with open(root + SP + "/" + rel, "wb") as fh:
            fh.write(b"\x7fELF" + b"\0" * 60 + b"\0".join(marks) + b"\0")
        dist_info(root, name, ver, [rel], ["numpy>=1.21.0; python_version >= \"3.10\""] if name != "plain" else [])
    return root


def test_numpy1_build_under_numpy2_is_read_from_the_module_and_fails(tmp_path, matrix):
    root = _numpy_root(tmp_path)
    env = _env({"numpy": "2.1.3", "pandas": "1.5.3", "scipy": "1.13.1", "plain": "1.0"})
    p = abi_probe.python_env(Root(root, live=False), env.pythons[0])
    assert p.numpy1_modules == {"pandas": "pandas/_libs/lib.cpython-311-x86_64-linux-gnu.so"}
    fs = [f for f in run_checks(env.replace(pythons=(p,)), matrix) if f.code == "numpy-abi-mismatch"]
    assert [(f.severity, f.title) for f in fs] == [(
        "fail", f"pandas 1.5.3 in {VENV} was built against numpy 1.x (pandas/_libs/lib.cpython-311-x86_64-linux-gnu.so); "
                "numpy 2.1.3 is installed")]
    assert fs[0].fix[0].startswith(VENV + "/bin/python -m pip install --upgrade pandas")
    # under numpy 1.x nothing is read or said
    old = _env({"numpy": "1.26.4", "pandas": "1.5.3"})
    assert abi_probe.python_env(Root(root, live=False), old.pythons[0]).numpy1_modules is None


@pytest.mark.parametrize("pkgs,want", [
    ({"torchao": "0.18.0", "torch": "2.5.1"}, ("torchao 0.18.0", "torch>=2.11.0", "'torchao<0.18.0'")),
    ({"transformers": "5.18.0", "torch": "2.4.1"}, ("transformers 5.18.0", "torch>=2.5", "'transformers<5.15.0'")),
    ({"transformers": "5.18.0", "torch": "2.1.0"}, ("transformers 5.18.0", "torch>=2.5", "'transformers<5.0.0'")),
    ({"transformers": "5.25.0", "torch": "2.5.1"}, ("transformers 5.25.0", "torch>=2.6", "'transformers<5.20.0'")),
    ({"transformers": "5.14.0", "torch": "2.4.1"}, None),
    ({"torchao": "0.18.0", "torch": "2.11.0"}, None),
])
def test_code_floors_from_the_matrix(matrix, pkgs, want):
    fs = [f for f in run_checks(_env(pkgs), matrix) if f.code == "code-floor-unmet"]
    if want is None:
        assert fs == []
        return
    (f,) = fs
    assert f.severity == "fail" and want[0] in f.title and f"needs {want[1]} in its code" in f.title
    assert f"pip install '{want[1]}'" in f.fix[0] and want[2] in f.fix[1]
    assert any("floors.yaml:" in e for e in f.evidence)


@pytest.mark.parametrize("wheel,have,severity", [
    ("nvidia-cudnn-cu12", "9.11.0.98", "info"), ("nvidia-cudnn-cu12", "9.1.0.70", "fail"),
    ("nvidia-cudnn-cu12", "10.0.0.1", "fail"), ("nvidia-nccl-cu12", "2.28.3", "info"),
    ("nvidia-nccl-cu12", "2.20.5", "info")])   # an older NCCL: the symbol check decides (test above)
def test_nvidia_wheels_judged_by_direction(matrix, wheel, have, severity):
    pin = {"nvidia-cudnn-cu12": "9.10.2.21", "nvidia-nccl-cu12": "2.27.3"}[wheel]
    env = _env({"torch": "2.8.0", wheel: have}, {"torch": [f"{wheel}=={pin}"]})
    fs = [f for f in run_checks(env, matrix) if f.code == "requirement-unmet"]
    assert [f.severity for f in fs] == [severity]


def test_floors_rows_are_validated():
    rows = [Row("floors", {"version": "1.0", "target": "x", "requires": "torch", "severity": "loud",
                           "sources": ["read"]}, "floors.yaml", 3)]
    probs = check_rows(Matrix("t", {"floors": Subject("floors", "floors.yaml", "envcheck.matrix.floors/1", rows)}, ()))
    msgs = " ".join(p.message for p in probs)
    assert "must be a requirement with a version" in msgs and "severity must be fail, warn or info" in msgs


@needs_cc
def test_torch_stable_c_abi_symbols_count(tmp_path, matrix):
    """torchaudio 2.11 imports torch's stable C ABI (aoti_torch_abi_version), which torch 2.5.1 lacks."""
    root = _torch_root(tmp_path, c10_defines=("_ZNK3c106SymInt6sym_neERKS0_",))
    env = _scan(root, _env(dict(TORCH_PKGS, torchaudio="2.11.1"), {"torchaudio": ["torch>=2.11"]}))
    (f,) = [f for f in run_checks(env, matrix) if f.code == "native-symbol-missing"]
    assert "'undefined symbol: aoti_torch_abi_version'" in f.title
    assert "torchaudio requires torch>=2.11; torch 2.5.1 is installed" in f.title
    assert f.fix[0].startswith(VENV + "/bin/python -m pip install 'torchaudio==2.5.1'")
