"""explain on a message as it arrives: in colour, HTML-escaped, JSON-escaped by a log collector, with a prefix on
every line (CI timestamps, containerd, docker compose, journald, a quoted reply), with CRLF, or wrapped by a
terminal or a web page. The message under the dress is read as if pasted bare; the corpus's own messages, dressed
each way, keep their answers."""
import json
import os
import textwrap

import pytest
import yaml

from envcheck.explain.paste import plain, rejoined, undressed, unprefixed
from envcheck.explain.patterns import recognise

HERE = os.path.dirname(os.path.abspath(__file__))

OOM = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
       "23.55 GiB of which 1.06 GiB is free.")
CUBLAS = ("ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory")
REQUIRE = ("nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.8, please update your "
           "driver to a newer version, or use an earlier cuda container: unknown")
TORCH_ARCH = ("NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch "
              "installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 "
              "sm_86 sm_90.")


def code(text):
    found = recognise(text)
    return found[0].code if found else None


def test_bare_messages_are_known():
    assert code(OOM) == "explain-cuda-out-of-memory"
    assert code(CUBLAS) == "explain-missing-library"
    assert code(REQUIRE) == "explain-container-cuda-requirement"
    assert code(TORCH_ARCH) == "explain-no-kernel-image"


def test_terminal_colours_and_crlf_are_dropped():
    coloured = "\x1b[1;31mERROR\x1b[0m: " + OOM.replace(" CUDA ", " \x1b[33mCUDA\x1b[0m ") + "\x1b]8;;\x07"
    assert plain(coloured) == "ERROR: " + OOM
    assert code(coloured) == "explain-cuda-out-of-memory"
    assert code(TORCH_ARCH.replace("\n", "\r\n")) == "explain-no-kernel-image"
    assert plain("50%|##   |\r100%|#####|\r\nOK") == "50%|##   |\n100%|#####|\nOK"


def test_html_entities_are_read():
    escaped = REQUIRE.replace(">", "&gt;")
    assert code(escaped) == "explain-container-cuda-requirement"
    assert plain("it&#39;s &quot;sm_120&quot;") == 'it\'s "sm_120"'
    assert plain("R&D: a & b") == "R&D: a & b"            # a bare ampersand is text


def test_json_escaped_log_is_read_as_its_message():
    field = json.dumps({"log": "Traceback (most recent call last):\n  File \"x.py\", line 1\n" + CUBLAS + "\n"})
    assert "\n" not in field
    assert code(field) == "explain-missing-library"
    assert undressed(field).count("\n") >= 3
    two = json.dumps(TORCH_ARCH + "\nwarn(\"again\")\n")
    assert code(two) == "explain-no-kernel-image"


def test_windows_path_is_not_taken_for_json():
    text = r"OSError: [WinError 126] Error loading 'C:\Users\nvidia\venv\lib\site-packages\torch\lib\cudnn_cnn_infer64_8.dll' \n x \n"
    assert undressed(text) == text                          # '\U' is a path, not an escape
    assert code(text) == code(text.split(" \\n")[0]) == "explain-missing-library"


@pytest.mark.parametrize("prefix", [
    "2025-03-01T10:00:00.1234567Z ",                        # a CI runner's log
    "2025-03-01T10:00:00.123456789+00:00 stderr F ",        # containerd, as /var/log/pods holds it
    "[2025-03-01 10:00:00,123] ",
    "worker-1  | ",                                         # docker compose
    "Mar  1 10:00:00 gpu-node-3 python3[4121]: ",           # journald
    "> ",                                                   # a quoted reply
    ">> ",
])
def test_a_prefix_on_every_line_is_not_the_message(prefix):
    dressed = "\n".join(prefix + ln for ln in TORCH_ARCH.split("\n"))
    assert undressed(dressed) == TORCH_ARCH
    assert code(dressed) == "explain-no-kernel-image"


def test_absl_time_prefix_and_its_colon():
    log = "2021-03-10 10:10:10.123456: Failed to Initialize NVML\n2021-03-10 10:10:10.123456: next line"
    assert undressed(log) == "Failed to Initialize NVML\nnext line"
    assert code(log) == "explain-nvml-unknown-error"


def test_a_drive_letter_path_is_not_json():
    text = (r'OSError: [WinError 126] The specified module could not be found. Error loading '
            r'"D:\tools\nvidia\nccl\bin\nvrtc64_120_0.dll" or one of its dependencies.')
    assert undressed(text) == text and unprefixed(text) == text
    assert recognise(text)[0].get("dll") == "nvrtc64_120_0.dll"


def test_soft_wrap_does_not_join_log_records():
    log = ("INFO 2024 loader: checking devices on this node, compute capability 8.6 found ok\n"
           "INFO 2024 loader: nothing is lower than the minimum required 9.0 for sm90 kernels")
    assert rejoined(log, soft=True) == log
    assert recognise(log) == []


def test_one_prefixed_line_is_kept_unless_nothing_else_is_known():
    text = "> see below\nnothing here"
    assert undressed(text) == text                          # not every line: kept as pasted
    assert unprefixed(text) == "see below\nnothing here"
    assert code("> " + CUBLAS + "\nthe end") == "explain-missing-library"


def test_terminal_hard_wrap_is_joined():
    wrapped = "\n".join(CUBLAS[i:i + 60] for i in range(0, len(CUBLAS), 60))
    assert rejoined(wrapped) == CUBLAS
    assert code(wrapped) == "explain-missing-library"


def test_word_wrap_is_joined():
    wrapped = textwrap.fill(REQUIRE, 70)
    assert code(wrapped) == "explain-container-cuda-requirement"
    assert rejoined("short\nlines", soft=True) == "short\nlines"


def test_dress_is_linear_and_bounded():
    big = ("> " + "x" * 200 + "\n") * 20_000
    assert undressed(big).startswith("x")
    assert recognise("\\n" * 100_000) == []
    assert recognise("\x1b[" * 100_000) == []


with open(os.path.join(HERE, "data", "explain", "corpus.yaml"), encoding="utf-8") as fh:
    CORPUS = [e for e in yaml.safe_load(fh)["entries"] if not e.get("known_miss")]

DRESSES = {
    "ansi": lambda t: "\x1b[31m" + t.replace("\n", "\x1b[0m\n\x1b[31m") + "\x1b[0m",
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "html": lambda t: t.replace("'", "&#39;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"),
    "json": lambda t: json.dumps(t, ensure_ascii=False)[1:-1],
    "ci-time": lambda t: "\n".join("2025-03-01T10:00:00.1234567Z " + ln for ln in t.split("\n")),
    "reply": lambda t: "\n".join("> " + ln for ln in t.split("\n")),
}


@pytest.mark.parametrize("dress", sorted(DRESSES))
def test_corpus_messages_keep_their_answer_when_dressed(dress):
    """Every fifth message of the corpus that is answered right, dressed: the same first answer (a handful of
    Windows paths JSON-escaped excepted: their backslashes are ambiguous)."""
    sample = CORPUS[::5]
    changed = []
    for e in sample:
        want = code(e["text"])
        if want != e["code"]:
            continue
        got = code(DRESSES[dress](e["text"]))
        if got != want:
            changed.append((e["id"], want, got))
    assert len(changed) <= (3 if dress == "json" else 0), changed
