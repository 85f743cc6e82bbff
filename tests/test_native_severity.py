"""Severity follows consequence (DESIGN.md, Findings): what `import` loads fails, an extension module loaded by a
submodule warns, a library nothing loads at import is info naming its feature, and passes the gate unless the
policy names that feature. Fixes name packages that exist: the wheel that ships a CUDA library (by RECORD), the OS
package for a system library, nothing to install for the driver's own libraries. The cases are the truth suite's
false alarms on a stock torch 2.14.1+cu130 venv (benchmarks/truth), as the scan records them."""
from envcheck.checks import run_checks
from envcheck.gate import evaluate, parse_policy
from envcheck.matrix.load import load_matrix
from envcheck.model import Driver, Environment, Host, NativeLink, PythonEnv
from envcheck.versions import Version

SP = "/venv/lib/python3.11/site-packages"


def _env(*links, driver=None):
    return Environment(host=Host(arch="x86_64", glibc=Version("2.36")),
                       driver=Driver(version=None, error="no NVIDIA driver") if driver is None else driver, gpus=(),
                       pythons=(PythonEnv(path="/venv/bin/python", prefix="/venv", kind="venv", site_packages=(SP,),
                                          packages={"torch": Version("2.14.1"), "nvidia-nvshmem-cu13": Version("3.4.5"),
                                                    "nvidia-cufile": Version("1.15.1.6")},
                                          native=tuple(links)),))


MPI = NativeLink(package="nvidia-nvshmem-cu13", file=SP + "/nvidia/nvshmem/lib/nvshmem_bootstrap_mpi.so.3",
                 missing=("libmpi.so.40",), kind="library", stage="on-demand",
                 feature="NVSHMEM's MPI bootstrap (multi-node NVSHMEM started by mpirun)")
RDMA = NativeLink(package="nvidia-cufile", file=SP + "/nvidia/cu13/lib/libcufile_rdma.so.1", missing=("libmlx5.so.1",),
                  kind="library", stage="on-demand", feature="GPUDirect Storage over RDMA (cuFile)")
NVRTC = NativeLink(package="torch", file=SP + "/torch/lib/libcaffe2_nvrtc.so", missing=("libcuda.so.1",),
                   kind="library", stage="on-demand",
                   feature="kernels compiled at run time (NVRTC: torch.cuda.jiterator and fused ops)")
CUBLASLT = NativeLink(package="torch", file=SP + "/torch/_C.cpython-311-x86_64-linux-gnu.so",
                      missing=("libcublasLt.so.13",), kind="extension", stage="import",
                      needed_by={"libcublasLt.so.13": SP + "/nvidia/cu13/lib/libcublas.so.13"},
                      searched=("RPATH $ORIGIN/../../nvidia/cu13/lib", "LD_LIBRARY_PATH (unset)", "ld.so.cache"))


def _native(env):
    return [f for f in run_checks(env, load_matrix(include_user=False)) if f.code.startswith("native-")]


def test_on_demand_libraries_are_info_and_name_their_feature():
    found = _native(_env(MPI, RDMA, NVRTC))
    assert found and all(f.severity == "info" for f in found), [(f.severity, f.title) for f in found]
    titles = " | ".join(f.title for f in found)
    assert "MPI bootstrap" in titles and "GPUDirect Storage over RDMA" in titles and "NVRTC" in titles
    fixes = [c for f in found for c in f.fix]
    assert any(c.startswith("apt-get install -y openmpi-bin") for c in fixes)        # libmpi.so.40: an OS package
    assert any(c.startswith("apt-get install -y ibverbs-providers") for c in fixes)  # libmlx5.so.1
    assert all(c.count("apt-get install") <= 1 for c in fixes)
    assert not any("pip install" in c and "nvidia-cu13" in c for c in fixes)         # no made-up distribution
    assert not any("libcuda" in c and "pip" in c for c in fixes)                      # the driver is never pip's


def test_a_library_missing_at_import_fails_with_the_seed_message():
    found = _native(_env(CUBLASLT, MPI))
    fail = [f for f in found if f.severity == "fail"]
    assert len(fail) == 1 and "libcublasLt.so.13" in fail[0].title and "cannot load" in fail[0].title
    assert "ImportError: libcublasLt.so.13: cannot open shared object file" in fail[0].why
    assert any("nvidia-cublas" in c for c in fail[0].fix)


def test_submodule_extension_warns():
    sub = NativeLink(package="torch", file=SP + "/torch/_C/_extra.cpython-311-x86_64-linux-gnu.so",
                     missing=("libfoo.so.1",), kind="extension", stage="submodule")
    found = _native(_env(sub))
    assert [f.severity for f in found] == ["warn"] and "submodules" in found[0].title


def test_documents_without_stage_keep_their_old_meaning():
    old_ext = NativeLink(package="tensorrt-llm", file=SP + "/tensorrt_llm/bindings.cpython-310-x86_64-linux-gnu.so",
                         missing=("libcublasLt.so.13",), kind="extension")
    old_lib = NativeLink(package="torch", file=SP + "/torch/lib/libcaffe2_nvrtc.so", missing=("libcuda.so.1",),
                         kind="library")
    assert old_ext.at_import and not old_lib.at_import
    sev = {f.title.split(":")[0]: f.severity for f in _native(_env(old_ext, old_lib))}
    assert sorted(sev.values()) == ["fail", "info"]


def _gate(env, policy_text):
    matrix = load_matrix(include_user=False)
    policy = parse_policy(policy_text.encode(), "p.yaml")
    return evaluate(policy, env, matrix, run_checks(env, matrix), "test")


def test_gate_passes_on_demand_libraries_unless_the_policy_names_the_feature():
    env = _env(MPI, RDMA, NVRTC)
    assert _gate(env, "schema: envcheck.policy/1\nrules:\n  - {rule: native-libs}\n").passed
    v = _gate(env, "schema: envcheck.policy/1\nrules:\n  - {rule: native-libs, features: [mpi]}\n")
    assert not v.passed
    probs = [p.message for o in v.outcomes for p in o.problems]
    assert len(probs) == 1 and "MPI" in probs[0]
    # and a library missing at import fails the gate whatever the features
    assert not _gate(_env(CUBLASLT), "schema: envcheck.policy/1\nrules:\n  - {rule: native-libs}\n").passed
