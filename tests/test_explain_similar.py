"""The known reports explain points to for a message no pattern knows (envcheck/explain/similar.py): compared with the
corpus and with the messages that are no environment fault, the threads most like it are named, never a cause."""
import gzip
import json
import os
import subprocess
import sys

import pytest
import yaml

from envcheck.explain import explain
from envcheck.explain import similar as S
from envcheck.explain.patterns import recognise
from envcheck.matrix.load import load_matrix
from envcheck.model import Environment

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "explain")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(DATA)))
MATRIX = pytest.fixture(scope="module", name="matrix")(lambda: load_matrix(include_user=False))


def _load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as fh:
        return yaml.safe_load(fh)["entries"]


def test_the_shipped_reports_are_the_corpus():
    """known_reports.json.gz is rebuilt from the corpus: `python benchmarks/explain_corpus.py --write-reports`."""
    want = S.build(_load("corpus.yaml"), _load("not_environment.yaml"))
    with open(S.INDEX, "rb") as fh:
        assert fh.read() == want, "stale: run python benchmarks/explain_corpus.py --write-reports"


# ordinary failures that are not an environment fault and are not in not_environment.yaml word for word
NOT_ENVIRONMENT = [
    "FileNotFoundError: [Errno 2] No such file or directory: 'runs/exp3/weights/best.pt'",
    "OSError: [Errno 28] No space left on device: '/tmp/tmpk2j3'",
    "RuntimeError: CUDA error: invalid resource handle\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side "
    "assertions.",
    "RuntimeError: CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be asynchronously "
    "reported at some other API call, so the stacktrace below might be incorrect.\nFor debugging consider passing "
    "CUDA_LAUNCH_BLOCKING=1",
    "Traceback (most recent call last):\n  File \"/usr/local/lib/python3.10/dist-packages/torch/nn/modules/module.py\","
    " line 1501, in _call_impl\n    return forward_call(*args, **kwargs)\nRuntimeError: CUDA error: operation not "
    "permitted when stream is capturing",
    "torch.distributed.DistStoreError: Timed out after 901 seconds waiting for clients. 1/2 clients joined.",
    "RuntimeError: NCCL error in: ../torch/csrc/distributed/c10d/NCCLUtils.hpp:219, invalid usage, NCCL version "
    "2.18.1\nncclInvalidUsage: This usually reflects invalid usage of NCCL library.",
    "RuntimeError: shape '[1, 32, 128]' is invalid for input of size 8192",
    "NameError: name 'tokenizer' is not defined",
    "ValueError: Expected a cuda device, but got: cpu",
    "KeyError: 'model.layers.0.self_attn.q_proj.weight'",
    "Segmentation fault",
]


@pytest.mark.parametrize("text", NOT_ENVIRONMENT)
def test_an_ordinary_failure_gets_no_answer_and_no_thread(text, matrix):
    assert not recognise(text)
    assert explain(text, Environment(), matrix) == []
    assert S.closest_reports(text) == []


BROKEN_CUDNN = "Loaded runtime CuD\nNN library: 8.1.0 but source was compiled with: 8.6.0."


def test_a_wording_no_pattern_knows_points_to_the_threads_like_it(matrix):
    # cuDNN's version check with the name broken over two lines (a terminal's width): no pattern reads it; the
    # corpus's other cuDNN mismatches are alike, and explain still answers nothing
    assert not recognise(BROKEN_CUDNN) and explain(BROKEN_CUDNN, Environment(), matrix) == []
    near = S.closest_reports(BROKEN_CUDNN, exclude="a message of its own")
    assert near and all(r.code == "explain-cudnn-version-mismatch" and sim >= S.MIN_SIMILAR for r, sim in near)
    assert len(near) <= S.SHOWN and [sim for _, sim in near] == sorted((sim for _, sim in near), reverse=True)


def test_a_report_left_out_is_not_its_own_evidence():
    """Measuring a corpus message against the others: its own report (and its '#msgN' siblings) is left out."""
    e = next(e for e in _load("corpus.yaml") if e["source"] == "jax-ml/jax#7118" or e["id"] == "h1436")
    alone = S.Index([S.Report(e["source"], e["code"], "", e["text"])])
    assert alone.closest(e["text"])[0][1] == pytest.approx(1.0)
    assert alone.closest(e["text"], exclude=e["source"]) == []
    assert alone.closest(e["text"], exclude=e["source"] + "#msg2") == []


def test_the_words_no_report_has_make_a_message_less_alike():
    idx = S.Index([S.Report("a/b#1", "explain-cuda-home-missing", "", "No such file or directory: nvcc"),
                   S.Report("a/b#2", "explain-numpy-abi", "", "numpy.dtype size changed")])
    same = idx.closest("No such file or directory: nvcc")[0][1]
    more = idx.closest("No such file or directory: nvcc while building quantum flux capacitor kernels")[0][1]
    assert same == pytest.approx(1.0) and more < 0.8


def test_a_message_like_one_that_is_no_environment_fault_gets_no_thread():
    reports = [S.Report(f"a/b#{i}", "explain-cuda-home-missing", "", f"No such file or directory: '/usr/local/cuda-1{i}"
                        f"/bin/nvcc'") for i in range(3)]
    reports += [S.Report(f"not-environment#{i}", "", "", "FileNotFoundError: No such file or directory: 'data.csv'")
                for i in range(5)]
    idx = S.Index(reports)
    assert S.closest_reports("FileNotFoundError: No such file or directory: 'data.csv'", idx) == []
    near = S.closest_reports("No such file or directory: '/usr/local/cuda-12/bin/nvcc'", idx)
    assert near and near[0][0].code == "explain-cuda-home-missing"
    assert all(r.code for r, _ in near)          # a failure that is no environment fault is never shown


def test_a_whole_log_is_not_compared():
    assert S.closest_reports("numpy.dtype size changed\n" * (S.MAX_QUERY // 10)) == []


def test_an_unreadable_index_is_silence(tmp_path, monkeypatch):
    for name, body in (("empty.gz", b""), ("not-gzip.gz", b"plain text"),
                       ("not-json.gz", gzip.compress(b"{not json")), ("wrong-shape.gz", gzip.compress(b"[1, 2]")),
                       ("too-big.gz", gzip.compress(b" " * (S.MAX_INDEX + 2)))):
        path = tmp_path / name
        path.write_bytes(body)
        monkeypatch.setattr(S, "INDEX", str(path))
        S.shipped.cache_clear()
        index = S.shipped()
        assert index is None or index.reports == []
        assert S.closest_reports(BROKEN_CUDNN) == []
    S.shipped.cache_clear()


def test_links():
    assert S.link("pytorch/pytorch#123") == "https://github.com/pytorch/pytorch/issues/123"
    assert S.link("pytorch/pytorch#123#msg2") == "https://github.com/pytorch/pytorch/issues/123"
    assert S.link("https://forums.developer.nvidia.com/t/x/1#msg3") == "https://forums.developer.nvidia.com/t/x/1"


def test_the_command_line_points_to_the_threads_and_says_it_does_not_recognise_the_message():
    run = subprocess.run([sys.executable, "-m", "envcheck", "explain", "--json", "-"], input=BROKEN_CUDNN, cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    out = json.loads(run.stdout)
    assert run.returncode == 1 and out["explanations"] == []
    first = out["similar_reports"][0]
    assert first["code"] == "explain-cudnn-version-mismatch" and first["url"].startswith("https://github.com/")
    assert first["similarity"] >= S.MIN_SIMILAR and first["cause"] and "message" in first
    plain = subprocess.run([sys.executable, "-m", "envcheck", "explain", "-"], input=BROKEN_CUDNN, cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 1
    assert plain.stdout.startswith("envcheck does not recognise this message.")
    assert "not a diagnosis" in plain.stdout and "https://github.com/" in plain.stdout and "It knows:" in plain.stdout
    none = subprocess.run([sys.executable, "-m", "envcheck", "explain", "--json", "KeyError: 'input_ids'"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert none.returncode == 1 and "similar_reports" not in json.loads(none.stdout)
