"""`envcheck labels` on hostile options and facts: each refused with exit 2 and one clean line, or answered right;
nothing it writes replaces a device, FIFO, socket or symbolic link."""
from __future__ import annotations

import json
import os
import socket
import stat

import pytest

from conftest import FIXTURES

H100 = os.path.join(FIXTURES, "envs", "host-580-h100.yaml")
ESC = "\x1b]0;owned\x07\u202e"


def _one_clean_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "\x1b" not in err and "\u202e" not in err and "Traceback" not in err


@pytest.mark.parametrize("prefix, words", [
    ("x.com/-", "the name after '/' must begin with [A-Za-z0-9]"),
    ("a" * 300, "(300 characters): a label prefix needs a domain and '/'"),
    ("x.com/" + "a" * 300, "the name after '/' would be longer than 63 characters"),
    ("Bad_Domain/x-", "the domain must be a DNS subdomain"),
    ("/x-", "the domain before '/' is empty"),
    ("x.com/" + ESC + "\n", "the name after '/' must begin"),
])
def test_invalid_prefixes_refused_with_one_clean_line(cli, prefix, words):
    rc, out, err = cli("labels", "--env", H100, "--prefix", prefix)      # no --target: the facts' keys alone
    assert rc == 2 and out == "" and words in err and _one_clean_line(err), err


@pytest.mark.parametrize("hours", ["nan", "inf", "-inf", "1e300", "0"])
def test_expiry_hours_must_be_finite_and_bounded(cli, hours):
    rc, out, err = cli("labels", "--env", H100, "--target", "vllm", "--expiry-hours", hours)
    assert rc == 2 and out == "" and "--expiry-hours" in err and _one_clean_line(err), err


def test_unknown_target_refused_naming_the_known_ones(cli):
    rc, out, err = cli("labels", "--env", H100, "--target", "nonexistent==1")    # before: "risky"
    assert rc == 2 and out == "" and _one_clean_line(err)
    assert "not a target envcheck gives verdicts for" in err and "tensorrt-llm, vllm, sglang" in err


def test_hostile_facts_and_node_name_are_shown_as_escapes(cli, tmp_path):
    text = open(H100).read()
    text = text.replace("source: nvml", 'source: "nvml\\e]0;owned\\a\\u202e"')
    text = text.replace('name: "NVIDIA H100 80GB HBM3"', 'name: "NVIDIA\\e[2J H100\\u202e\\nx.com/injected=1"')
    env = tmp_path / "evil.yaml"
    env.write_text(text)
    rc, out, err = cli("labels", "--env", str(env), "--target", "vllm", "--node-name", "n" + ESC + "\nx.com/y=1")
    assert rc == 0, err
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07\\u202e" in out and "\\u202e" in out
    keys = [line.split("=")[0] for line in out.splitlines() if line and not line.startswith("#")]
    assert all(k.startswith("feature.node.kubernetes.io/envcheck-") for k in keys), keys   # no injected line
    rc, out, _ = cli("labels", "--env", str(env), "--target", "vllm", "--json")
    assert rc == 0 and "\x1b" not in out and "\u202e" not in out and json.loads(out)


def _fifo(tmp_path):
    p = str(tmp_path / "fifo")
    os.mkfifo(p)
    return p


def _symlink(tmp_path):
    target = tmp_path / "target"
    target.write_text("keep me")
    p = str(tmp_path / "link")
    os.symlink(str(target), p)
    return p


def _socket(tmp_path):
    p = str(tmp_path / "sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.close()
    return p


@pytest.mark.parametrize("option", ["-o", "--save-scan"])
@pytest.mark.parametrize("make, kind", [(lambda t: "/dev/full", "a character device"),
                                        (lambda t: "/dev/null", "a character device"),
                                        (_fifo, "a FIFO"), (_symlink, "a symbolic link"), (_socket, "a socket")])
def test_writes_never_replace_a_device_fifo_socket_or_link(cli, tmp_path, option, make, kind):
    path = make(tmp_path)
    before = os.lstat(path)
    rc, out, err = cli("labels", "--env", H100, "--target", "vllm", option, path)
    assert rc == 2 and kind in err and _one_clean_line(err), err
    after = os.lstat(path)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
    assert not [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")]
    if kind == "a symbolic link":
        assert (tmp_path / "target").read_text() == "keep me"
