"""explain on real messages: every entry of tests/data/explain/corpus.yaml (error lines from public issue threads,
each with its source and the cause the thread established) is recognised and given the right cause; the answers
hold the advice rules (commands to paste; what is not a command in words), say unknown facts are unknown, and
say when the facts here contradict the message."""
import os
import re
import subprocess
import sys

import pytest
import yaml

from envcheck.explain import explain
from envcheck.explain.patterns import recognise
from envcheck.findings import REGISTRY
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.model import Environment, Library
from envcheck.report.recommend import render_explanation
from envcheck.versions import parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVS = os.path.join(HERE, "fixtures", "envs")
with open(os.path.join(HERE, "data", "explain", "corpus.yaml"), encoding="utf-8") as fh:
    CORPUS = yaml.safe_load(fh)["entries"]
IDS = [f"{e['id']}-{e['source']}" for e in CORPUS]
# entries the message cannot separate from another cause (the entry's known_miss says why): reported, never overfit
# and the latest held-out round's misses, recorded as measured before they are generalised (`pending` says which)
CASES = [pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=e.get("known_miss") or e["pending"]))
         if e.get("known_miss") or e.get("pending") else e
         for e in CORPUS]
# the first word of every command line explain gives: an interpreter path or one of these programs
COMMANDS = {"python3", "ldconfig", "envcheck", "nvidia-smi", "ls", "echo", "cat", "unset", "export", "docker",
            "nvidia-ctk", "systemctl", "kubectl", "apt-get", "conda", "strings", "which", "ldd", "sudo", "nvcc", "df",
            "ln", "find", "file", "grep", "where", "podman", "dkms", "lspci",
            "vulkaninfo", "modinfo", "nsys", "ncu", "dmesg", "free",
            "powershell"}   # where, powershell: a Windows prompt's, for Windows messages


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


@pytest.fixture(scope="module")
def envs():
    out = {n: load_env_file(os.path.join(ENVS, n)) for n in ("seed-runpod-4090.yaml", "laptop-nogpu.yaml",
                                                              "host-580-h100.yaml")}
    out["nothing-known"] = Environment()
    return out


def test_corpus_is_real_and_large_enough():
    assert len(CORPUS) >= 100
    assert len({e["id"] for e in CORPUS}) == len(CORPUS)
    for e in CORPUS:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+#\d+|https?://[\w.-]+/\S+", e["source"]), e     # an issue, or a forum page
        assert e["text"].strip() and e["cause"].strip() and e["fix"].strip(), e
        assert e["split"] in ("train", "heldout")
    held = [e for e in CORPUS if e["split"] == "heldout"]
    assert len(held) >= 0.2 * len(CORPUS)


def test_every_class_of_issue_17_is_in_the_corpus():
    have = {e["code"] for e in CORPUS}
    import envcheck.explain  # noqa: F401  (registers the codes)
    explain_codes = {c for c in REGISTRY if c.startswith("explain-")}
    assert have <= explain_codes
    assert explain_codes - have <= {"explain-forward-compat-unsupported"} - have      # every code has real messages
    for code in ("explain-missing-library", "explain-libcuda-missing", "explain-driver-insufficient",
                 "explain-gpu-arch-unsupported", "explain-no-kernel-image", "explain-dnn-init-failed",
                 "explain-glibc-too-old", "explain-libstdcxx-too-old", "explain-extension-abi-mismatch",
                 "explain-cuda-symbol-mismatch", "explain-cudnn-version-mismatch", "explain-cuda-toolkit-mismatch",
                 "explain-container-cuda-requirement", "explain-container-no-gpu-runtime", "explain-dind-overlay",
                 "explain-dind-iptables", "explain-nvml-mismatch", "explain-nvml-unknown-error", "explain-no-driver",
                 "explain-no-cuda-device"):
        assert code in have, code
    sources = " ".join(e["source"] for e in CORPUS)
    for project in ("pytorch/", "NVIDIA/TensorRT", "NVIDIA/TensorRT-LLM", "vllm-project/vllm", "sgl-project/sglang",
                    "jax-ml/jax", "onnxruntime", "PaddlePaddle/", "deepspeedai/DeepSpeed", "NVIDIA/nvidia-container-toolkit"):
        assert project in sources, project


@pytest.mark.parametrize("entry", CASES, ids=IDS)
def test_real_message_is_recognised_with_the_right_cause(entry):
    found = recognise(entry["text"])
    assert found, "not recognised"
    assert found[0].code == entry["code"], [m.code for m in found]
    if entry["code"] in ("explain-missing-library", "explain-libcuda-missing") and ".so" in found[0].get("subject", ""):
        # the soname was taken from the message itself (a Windows DLL name is read as its soname, a comma typed for
        # the dot in 'libcudart,so.11.0' as the dot)
        text = re.sub(r"(lib[\w+\-]+),so", r"\1.so", entry["text"])
        assert found[0].get("subject") in text or found[0].get("dll") in entry["text"]


# every third entry that explain recognises (a known_miss's answer holds the rules too)
ADVICE = [(e, i) for e, i in zip(CORPUS[::3], IDS[::3])
          if not (e.get("known_miss") or e.get("pending")) or recognise(e["text"])]


@pytest.mark.parametrize("entry", [e for e, _ in ADVICE], ids=[i for _, i in ADVICE])
def test_answers_follow_the_advice_rules(entry, envs, matrix):
    for name, env in envs.items():
        out = explain(entry["text"], env, matrix)
        assert out and out[0].root
        for e in out:
            text = render_explanation(e)
            assert not re.search(r"sm_\?|<= \?|\bNone\b|\{py\}|: \?", text), (name, text)
            for cmd in e.advice:
                first = cmd.split()[0]
                assert first.startswith("/") or first in COMMANDS, (name, cmd)
                assert not re.search(r"\breboot\b", cmd.split("#")[0]), cmd


def _env(name, **changes):
    return load_env_file(os.path.join(ENVS, name)).replace(**changes)


def test_libcuda_in_a_container_without_the_runtime(matrix):
    env = _env("seed-runpod-4090.yaml", driver=None, gpus=())
    env = env.replace(driver=load_env_file(os.path.join(ENVS, "laptop-nogpu.yaml")).driver)
    (e,) = explain("/server: error while loading shared libraries: libcuda.so.1: cannot open shared object file: "
                   "No such file or directory", env, matrix)
    assert e.code == "explain-libcuda-missing" and "never from pip" in e.cause
    assert "container started without the NVIDIA runtime" in e.cause
    assert any("--gpus all" in a for a in e.actions)
    assert not any("--gpus" in c or "pip install" in c for c in e.advice)


def test_nvml_mismatch_says_reboot_in_words_only(matrix):
    for name in ("seed-runpod-4090.yaml", "host-580-h100.yaml"):
        (e,) = explain("Failed to initialize NVML: Driver/library version mismatch", _env(name), matrix)
        assert not any("reboot" in c.lower() for c in e.advice), e.advice
        assert any("reboot" in a for a in e.actions)


def test_unknown_facts_are_said_unknown_not_placeholders(matrix):
    nothing = Environment()
    for msg in ("RuntimeError: CUDA error: no kernel image is available for execution on the device",
                "RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version",
                "ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found",
                "NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation."):
        (e,) = explain(msg, nothing, matrix)
        text = render_explanation(e)
        assert "?" not in text.replace("?)", ")"), text
        assert "not known" in text, text
        assert any(c.startswith("nvidia-smi") or c.startswith("ldd") for c in e.advice), e.advice


def test_a_library_present_here_is_not_called_missing(matrix):
    lib = Library(soname="libcublasLt.so.13", path="/usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libcublasLt.so.13",
                  via="ld.so.cache", version=parse("13.0.0.19"), cuda_major=13)
    env = _env("host-580-h100.yaml", libraries=(lib,))
    (e,) = explain("ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory", env, matrix)
    assert "missing" not in e.title and "present here" in e.title
    assert "another machine" in e.cause and "LD_LIBRARY_PATH" in e.cause
    assert any("libcublasLt.so.13 at /usr/local" in f for f in e.facts)


def test_ld_library_path_shadowing_is_named(matrix):
    lib = Library(soname="libnvJitLink.so.12", path="/usr/local/cuda-12.1/lib64/libnvJitLink.so.12.1.105",
                  via="LD_LIBRARY_PATH", version=parse("12.1.105"), cuda_major=12)
    env = _env("host-580-h100.yaml", libraries=(lib,))
    (e,) = explain("ImportError: /usr/local/lib/python3.10/dist-packages/torch/lib/../../nvidia/cusparse/lib/"
                   "libcusparse.so.12: undefined symbol: __nvJitLinkAddData_12_1, version libnvJitLink.so.12", env, matrix)
    assert e.code == "explain-cuda-symbol-mismatch"
    assert "here LD_LIBRARY_PATH puts a copy first too" in e.cause
    assert any(c.startswith("unset LD_LIBRARY_PATH") for c in e.advice)


def test_pytorch_driver_integer_and_another_machine(matrix):
    (e,) = explain("RuntimeError: The NVIDIA driver on your system is too old (found version 11040).",
                   _env("seed-runpod-4090.yaml"), matrix)
    assert "11040 = CUDA 11.4" in e.cause and "another machine" in e.cause and "12.8" in e.cause
    (e,) = explain("NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch "
                   "installation.", _env("seed-runpod-4090.yaml"), matrix)
    assert "sm_89" in e.cause and "another machine" in e.cause and "CUDA >= 12.8" in e.cause


LOG = """Traceback (most recent call last):
  File "train.py", line 3, in <module>
    import onnxruntime
2024-07-06 10:56:25.700705931 [E:onnxruntime:Default, provider_bridge_ort.cc:1745 TryGetProviderInfo_CUDA] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1426 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcurand.so.10: cannot open shared object file: No such file or directory
E0000 00:00:1738697930.202924    7665 cuda_dnn.cc:522] Loaded runtime CuDNN library: 9.1.0 but source was compiled with: 9.3.0.  CuDNN library needs to have matching major version and equal or higher minor version.
2025-02-04 20:38:50.230519: W tensorflow/core/framework/op_kernel.cc:1841] OP_REQUIRES failed at xla_ops.cc:577 : FAILED_PRECONDITION: DNN library initialization failed. Look at the errors above for more details.
RuntimeError: CUDA error: no kernel image is available for execution on the device
"""


def test_a_log_leads_with_the_root_cause(matrix):
    # lines of tests/data: cnstark/pytorch-docker#21, tensorflow/tensorflow#60913 (both in their threads as shown)
    out = explain(LOG, _env("seed-runpod-4090.yaml"), matrix)
    assert [e.code for e in out] == ["explain-missing-library", "explain-cudnn-version-mismatch",
                                     "explain-dnn-init-failed", "explain-no-kernel-image"]
    assert out[0].root and out[0].subject == "libcurand.so.10" and not any(e.root for e in out[1:])


def _cli(args, stdin=None):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    env.pop("ENVCHECK_MATRIX_DIR", None)
    p = subprocess.run([sys.executable, "-m", "envcheck", *args], input=stdin, capture_output=True, text=True,
                       env=env, cwd=REPO, timeout=120)
    return p.returncode, p.stdout, p.stderr


def test_cli_reads_a_log_from_stdin_and_from_a_file(tmp_path):
    seed = os.path.join(ENVS, "seed-runpod-4090.yaml")
    rc, out, err = _cli(["explain", "-", "--env", seed, "--ascii"], stdin=LOG)
    assert rc == 0, err
    assert "4 known errors in this log" in out
    assert out.index("root cause: libcurand.so.10") < out.index("then (2): cuDNN 9.1.0 loaded")
    assert "and (not commands):" in out
    log = tmp_path / "run.log"
    log.write_text(LOG)
    rc, out2, err = _cli(["explain", "--file", str(log), "--env", seed, "--ascii"])
    assert rc == 0 and out2 == out, err
    rc, _, err = _cli(["explain", "--file", str(tmp_path / "nope.log"), "--env", seed])
    assert rc == 2 and "Traceback" not in err
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    rc, _, err = _cli(["explain", "--file", str(fifo), "--env", seed])
    assert rc == 2 and "not a regular file" in err


def test_cli_json_has_actions_and_root():
    import json

    rc, out, err = _cli(["explain", "Failed to initialize NVML: Driver/library version mismatch", "--json",
                         "--env", os.path.join(ENVS, "seed-runpod-4090.yaml")])
    assert rc == 0, err
    (e,) = json.loads(out)["explanations"]
    assert e["code"] == "explain-nvml-mismatch" and e["root"] and e["actions"]


sys.path.insert(0, os.path.join(HERE, "fixtures", "native"))
from nativetest import make_lib, make_root, needs_cc  # noqa: E402


@needs_cc
def test_root_tree_names_the_copy_the_loader_would_pick(tmp_path):
    """--root: the loader of the tree in hand is asked about the soname the message names (libmpi is not one the
    libraries scan tracks): present there via LD_LIBRARY_PATH, so the message came from elsewhere."""
    root = make_root(str(tmp_path / "tree"), environ={"LD_LIBRARY_PATH": "/opt/mpi/lib"})
    os.makedirs(root + "/opt/mpi/lib")
    make_lib(root + "/opt/mpi/lib/libmpi.so.40", soname="libmpi.so.40")
    import json

    rc, out, err = _cli(["explain", "ImportError: libmpi.so.40: cannot open shared object file: No such file or "
                         "directory", "--root", root, "--json"])
    assert rc == 0, err
    (e,) = json.loads(out)["explanations"]
    assert e["title"] == "libmpi.so.40 could not be loaded where the error happened (it is present here)"
    assert any("loads libmpi.so.40 from /opt/mpi/lib/libmpi.so.40 (found by LD_LIBRARY_PATH" in f for f in e["facts"])
    assert not any("install" in c for c in e["advice"])
    rc, out, err = _cli(["explain", "ImportError: libmpi.so.12: cannot open shared object file", "--root", root])
    assert rc == 0 and "libmpi.so.12 is missing" in out and "no libmpi.so.12 for a program" in out, out


def test_hostile_text_is_bounded():
    """Every pattern and every detail read from a line is bounded: a 100,000-character symbol or a run of 'lib'
    is read in linear time (the unbounded first version took minutes on these)."""
    (m,) = recognise("ImportError: /x/libfoo.so: undefined symbol: " + "x" * 100000)
    assert m.code == "explain-undefined-symbol" and m.get("object") == "/x/libfoo.so"
    assert recognise("lib" * 100000) == []
    assert recognise("GLIBCXX_" + "3." * 50000) == []


def test_the_traceback_names_the_environment(matrix):
    seed = _env("seed-runpod-4090.yaml")
    (e,) = explain('RuntimeError: CUDA error: no kernel image is available for execution on the device\n'
                   '  File "/workspace/venv/lib/python3.10/site-packages/torch/cuda/__init__.py", line 3', seed, matrix)
    assert any("the traceback ran in /workspace/venv (pythons[1]" in f for f in e.facts)
    assert all(not c.startswith("/usr/bin/python3") for c in e.advice), e.advice
    # sgl-project/sglang#851's path: an environment that is not on this machine
    (e,) = explain("/opt/conda/lib/python3.10/site-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: "
                   "undefined symbol: _ZN3c104cuda9SetDeviceEi", seed, matrix)
    assert any("/opt/conda/lib/python3.10/site-packages is not in any environment found here" in f for f in e.facts)
