"""CUDA toolkits from a fixture root: /usr/local/cuda*, CUDA_HOME, nvcc on PATH, version.json / version.txt."""
import json
import os

from envcheck.model import Environment
from envcheck.probes import ProbeContext
from envcheck.probes.cuda import probe
from envcheck.root import Root


def _tree(tmp_path, environ=None):
    r = tmp_path
    (r / "usr/local/cuda-12.4/bin").mkdir(parents=True)
    (r / "usr/local/cuda-12.4/lib64").mkdir()
    (r / "usr/local/cuda-12.4/version.json").write_text(json.dumps({"cuda": {"name": "CUDA SDK", "version": "12.4.1"}}))
    nvcc = r / "usr/local/cuda-12.4/bin/nvcc"
    nvcc.write_text("#!/bin/sh\nexit 1\n")  # never run: version.json answers
    nvcc.chmod(0o755)
    (r / "usr/local/cuda-11.8/lib64").mkdir(parents=True)
    (r / "usr/local/cuda-11.8/version.txt").write_text("CUDA Version 11.8.0\n")
    (r / "usr/local/cuda-13.0/lib64").mkdir(parents=True)            # no version file at all
    os.symlink("cuda-12.4", str(r / "usr/local/cuda"))
    os.symlink("/usr/local/cuda-12.4", str(r / "usr/local/cuda-12"))  # absolute: re-rooted
    (r / "usr/local/cudnn").mkdir()                                    # not a toolkit
    (r / "opt/nv/cuda-12.8/bin").mkdir(parents=True)
    (r / "opt/nv/cuda-12.8/version.json").write_text(json.dumps({"cuda": {"version": "12.8.93"}}))
    n2 = r / "opt/nv/cuda-12.8/bin/nvcc"
    n2.write_text("")
    n2.chmod(0o755)
    if environ:
        (r / "proc/self").mkdir(parents=True)
        (r / "proc/self/environ").write_bytes(b"".join(f"{k}={v}".encode() + b"\0" for k, v in environ.items()))
    return str(r)


def test_toolkits_versions_default_and_found_by(tmp_path):
    root = _tree(tmp_path, {"PATH": "/opt/nv/cuda-12.8/bin:/usr/bin", "CUDA_HOME": "/usr/local/cuda"})
    out = probe(ProbeContext(root=Root(root, live=False)), Environment())
    tks = {t.path: t for t in out["cuda_toolkits"]}
    assert set(tks) == {"/usr/local/cuda-12.4", "/usr/local/cuda-11.8", "/usr/local/cuda-13.0", "/opt/nv/cuda-12.8"}
    t = tks["/usr/local/cuda-12.4"]
    assert str(t.version) == "12.4.1" and t.default and t.nvcc
    assert t.found_by == ("/usr/local", "CUDA_HOME")
    assert str(tks["/usr/local/cuda-11.8"].version) == "11.8.0" and not tks["/usr/local/cuda-11.8"].nvcc
    assert tks["/usr/local/cuda-13.0"].version is None and "13.0" in tks["/usr/local/cuda-13.0"].error
    assert str(tks["/opt/nv/cuda-12.8"].version) == "12.8.93" and tks["/opt/nv/cuda-12.8"].found_by == ("nvcc on PATH",)
    assert out["cuda_toolkits"][0].path == "/usr/local/cuda-12.4"  # the default first
    env = Environment().replace(**out)
    assert Environment.from_dict(env.to_dict()) == env


def test_no_toolkits(tmp_path):
    (tmp_path / "usr/local").mkdir(parents=True)
    out = probe(ProbeContext(root=Root(str(tmp_path), live=False)), Environment())
    assert out == {"cuda_toolkits": ()}


def test_broken_version_json_and_symlink_loop(tmp_path):
    (tmp_path / "usr/local/cuda-12.1/bin").mkdir(parents=True)
    (tmp_path / "usr/local/cuda-12.1/version.json").write_text("{not json")
    os.symlink("cuda-loop", str(tmp_path / "usr/local/cuda-loop"))
    out = probe(ProbeContext(root=Root(str(tmp_path), live=False)), Environment())
    (t,) = out["cuda_toolkits"]
    assert t.version is None and "version.json unreadable" in t.error


def test_nvcc_wrapper_script_points_at_its_toolkit(tmp_path):
    (tmp_path / "usr/local/cuda-13.0/bin").mkdir(parents=True)
    (tmp_path / "usr/local/cuda-13.0/version.json").write_text(json.dumps({"cuda": {"version": "13.0.88"}}))
    (tmp_path / "usr/local/bin").mkdir(parents=True)
    w = tmp_path / "usr/local/bin/nvcc"
    w.write_text('#!/bin/sh\nexec /usr/local/cuda-13.0/bin/nvcc "$@"\n')
    w.chmod(0o755)
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/environ").write_bytes(b"PATH=/usr/local/bin:/usr/bin\0")
    out = probe(ProbeContext(root=Root(str(tmp_path), live=False)), Environment())
    (t,) = out["cuda_toolkits"]
    assert t.path == "/usr/local/cuda-13.0" and t.found_by == ("/usr/local", "nvcc on PATH")
