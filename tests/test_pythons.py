"""Python environments: discovery and reading from files (fixture roots and real venvs made here), the checks."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from envcheck.checks import pythons as checks
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.model import Environment
from envcheck.model.system import Driver
from envcheck.probes import ProbeContext
from envcheck.probes.pythons import probe, run_interpreter
from envcheck.pyenvs.discover import walk
from envcheck.pyenvs.metadata import unmet
from envcheck.root import Root
from envcheck.versions import Version

HERE = os.path.dirname(os.path.abspath(__file__))
PYFIX = os.path.join(HERE, "fixtures", "pythons")
REPO = os.path.dirname(HERE)
PYENV = os.environ.get("PYENV_ROOT", "/root/.pyenv")


def scan_root(name, search=()):
    root = Root(os.path.join(PYFIX, name), live=False)
    return list(probe(ProbeContext(root, search=tuple(search)), Environment())["pythons"])


def by_prefix(envs):
    return {p.prefix: p for p in envs}


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


def findings(envs, matrix, driver_cuda=None, driver_version=None):
    env = Environment(pythons=tuple(envs),
                      driver=Driver(version=Version(driver_version) if driver_version else None,
                                    cuda=Version(driver_cuda) if driver_cuda else None, source="fixture"))
    out = []
    for rule in checks.RULES:
        out += list(rule(env, matrix))
    return out


# -- fixture roots --------------------------------------------------------------------------------------------

def test_seed_two_environments_match_the_seed_document():
    envs = by_prefix(scan_root("seed"))
    by_path = {p.path: p for p in envs.values()} | {p.path: p for p in scan_root("seed")}
    seed = load_env_file(os.path.join(HERE, "fixtures", "envs", "seed-runpod-4090.yaml"))
    for want in seed.pythons:
        got = by_path[want.path]
        assert got.prefix == want.prefix
        assert got.path == want.path
        assert got.kind == want.kind
        assert got.site_packages[:len(want.site_packages)] == want.site_packages
        assert got.torch_cuda == want.torch_cuda
        for name, ver in want.packages.items():
            assert got.packages[name] == ver, name
    assert str(envs["/workspace/venv"].version) == "3.10.12"   # pyvenv.cfg
    assert envs["/workspace/venv"].base == "/usr/bin/python3.10"
    system = by_path["/usr/bin/python3"]
    assert str(system.version) == "3.11.10"  # patchlevel.h refines python3.11
    assert system.torch_local == "cu128"
    assert system.found_by == ("PATH", "/usr/bin")


def test_seed_symlinked_interpreters_are_one_environment():
    envs = scan_root("seed")
    paths311 = [p for p in envs if p.version and p.version.major_minor() == "3.11"]
    assert len(paths311) == 1   # /usr/bin/python3 -> python3.11, both on PATH and in /usr/bin
    assert len(envs) == 3       # python3.11, python3.10 (the venv's base) and the venv


def test_seed_no_python_findings_under_the_seed_driver(matrix):
    assert findings(scan_root("seed"), matrix, "12.8", "570.195.03") == []


def test_device_uv_venv_torch_cu130_and_unsuffixed_cuda13_wheels():
    p = by_prefix(scan_root("device"))["/opt/torch/.venv"]
    assert p.kind == "uv"
    assert str(p.version) == "3.12.3"
    assert str(p.packages["torch"]) == "2.11.0"        # PyPI's CUDA 13 wheel carries no +cu130 tag
    assert str(p.torch_cuda) == "13.0" and p.torch_local is None
    assert p.torch_git
    assert p.cuda_wheels["nvidia-cublas"] == "cu13"          # no -cu13 in the name: nvidia/cu13/ in RECORD
    assert p.cuda_wheels["nvidia-cuda-runtime"] == "cu13"
    assert p.cuda_wheels["nvidia-cufft"] == "cu13"           # cufft 12.x is still a CUDA 13 wheel
    assert p.cuda_wheels["nvidia-nccl-cu13"] == "cu13"
    assert "nvidia-ml-py" not in p.cuda_wheels
    assert set(p.cuda_wheels.values()) == {"cu13"}
    assert p.found_by[0] == "VIRTUAL_ENV"
    assert any(r.startswith("nvidia-cudnn-cu13") for r in p.requires["torch"])
    assert not any("extra ==" in r for rs in p.requires.values() for r in rs)


def test_device_torch_cu130_under_driver_570_fails_with_a_fix(matrix):
    envs = scan_root("device")
    fs = [f for f in findings(envs, matrix, "12.8", "570.195.03") if f.code == "torch-cuda-too-new-for-driver"]
    assert len(fs) == 1
    f = fs[0]
    assert f.severity == "fail" and f.subject == "/opt/torch/.venv"
    i = envs.index(by_prefix(envs)["/opt/torch/.venv"])
    assert f"pythons[{i}].torch_cuda = 13.0" in f.evidence
    assert f.fix[0].startswith("/opt/torch/.venv/bin/python -m pip install --force-reinstall 'torch==2.11.0' "
                               "--index-url https://download.pytorch.org/whl/cu128")
    assert findings(envs, matrix, "13.0", "580.65.06") == []


def test_conda_layout():
    envs = by_prefix(scan_root("conda"))
    base, trt = envs["/opt/conda"], envs["/opt/conda/envs/trt"]
    assert base.kind == trt.kind == "conda"
    assert str(base.version) == "3.11.9" and str(trt.version) == "3.10.14"  # conda-meta/python-*.json
    assert "CONDA_PREFIX" in base.found_by and "conda environments.txt" in trt.found_by
    assert "/opt/conda/envs/gone" not in envs
    assert trt.cuda_wheels == {"tensorrt-cu12": "cu12"}


def test_conda_tensorrt_llm_pin_unmet_is_a_failure(matrix):
    envs = scan_root("conda")
    fs = [f for f in findings(envs, matrix, "12.8") if f.code == "requirement-unmet"]
    assert [(f.severity, f.title) for f in fs] == [
        ("fail", "tensorrt-llm 0.19.0 requires torch<=2.7.1,>=2.6.0: 2.8.0+cu128 installed")]
    assert fs[0].fix[0] == "/opt/conda/envs/trt/bin/python -m pip install 'torch<=2.7.1,>=2.6.0'    " \
                           "# or a tensorrt-llm release that matches what is installed"


def test_bad_input_is_recorded_per_environment_and_nothing_crashes(matrix):
    envs = scan_root("bad")
    e = by_prefix(envs)
    messy = e["/workspace/messy"]
    errs = "\n".join(messy.errors)
    assert "latin-1.0.dist-info/METADATA: not UTF-8" in errs
    assert "noversion-0.0.dist-info/METADATA: no Version (directory name says 0.0)" in errs
    assert "Version 'banana' is not a version" in errs
    assert "empty-1.0.dist-info/METADATA: No such file or directory" in errs
    assert str(messy.packages["latin"]) == "1.0" and str(messy.packages["legacy"]) == "0.5"
    assert str(messy.packages["single"]) == "2.0"
    assert "six>=1.0" in (messy.requires or {}).get("legacy", ())   # missing: pip check would say so
    orphan = e["/workspace/orphan"]
    assert any("does not exist: the environment cannot start" in x for x in orphan.errors)
    assert any("broken symlink" in x for x in orphan.errors)
    assert orphan.path == "/workspace/orphan/bin/python"
    assert any("Not a directory" in x or "no site-packages" in x for x in e["/opt/notadir"].errors)
    loops = [p for p in envs if p.path == "/usr/bin/python3"][0]
    assert any("Too many levels of symbolic links" in x for x in loops.errors)
    dangling = [p for p in envs if p.path == "/usr/bin/python3.11"][0]
    assert any("/nonexistent/python3.11: broken symlink" in x for x in dangling.errors)

    codes = {(f.code, f.title.split(" ")[0]) for f in findings(envs, matrix, "13.0")}
    assert ("cuda-wheels-mixed", "/workspace/messy") in codes
    assert ("wheel-python-mismatch", "oldwheel") in codes
    assert ("wheel-python-mismatch", "macwheel") in codes
    assert ("wheel-python-mismatch", "stableabi") not in codes   # cp38-abi3 runs on 3.12
    assert ("python-base-missing", "/workspace/orphan:") in codes
    mixed = [f for f in findings(envs, matrix, "13.0") if f.code == "cuda-wheels-mixed"][0]
    assert mixed.fix[0] == "/workspace/messy/bin/python -m pip uninstall -y nvidia-cublas-cu12 nvidia-cuda-runtime-cu12"


def test_round_trip_through_the_document():
    envs = tuple(scan_root("device") + scan_root("bad") + scan_root("conda"))
    e = Environment(pythons=envs)
    again = Environment.from_dict(json.loads(json.dumps(e.to_dict())))
    assert again == e


def test_search_adds_places_and_accepts_an_interpreter(tmp_path):
    root = tmp_path / "r"
    shutil.copytree(os.path.join(PYFIX, "seed"), root, symlinks=True)
    deep = root / "data/a/b/c/proj"
    shutil.copytree(root / "workspace/venv", deep / ".venv", symlinks=True)
    r = Root(str(root), live=False)
    plain = probe(ProbeContext(r), Environment())["pythons"]
    assert "/data/a/b/c/proj/.venv" not in {p.prefix for p in plain}
    found = probe(ProbeContext(r, search=("/data",)), Environment())["pythons"]
    assert by_prefix(found)["/data/a/b/c/proj/.venv"].found_by == ("search",)


def test_walk_does_not_follow_directory_links(tmp_path):
    (tmp_path / "a").mkdir()
    os.symlink("..", tmp_path / "a" / "up")
    os.symlink("a", tmp_path / "loop")
    (tmp_path / "a" / "v").mkdir()
    (tmp_path / "a" / "v" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.1\n")
    got = [c.prefix for c in walk(Root(str(tmp_path), live=False), "/", "search", 10)]
    assert got == ["/a/v"]


def test_permission_denied_directories_as_an_unprivileged_user():
    import tempfile
    top = tempfile.mkdtemp(prefix="envcheck-perm-")
    try:
        os.chmod(top, 0o755)
        sp = os.path.join(top, "v/lib/python3.12/site-packages")
        os.makedirs(sp)
        with open(os.path.join(top, "v/pyvenv.cfg"), "w") as fh:
            fh.write("home = /usr/bin\nversion = 3.12.1\n")
        os.makedirs(os.path.join(top, "locked/deep"))
        for d in (os.path.join(top, "v"), os.path.join(top, "v/lib"), os.path.join(top, "v/lib/python3.12")):
            os.chmod(d, 0o755)
        os.chmod(sp, 0)
        os.chmod(os.path.join(top, "locked"), 0)
        dropped = False
        if os.geteuid() == 0:   # root reads mode-000 directories: look as an unprivileged user
            os.seteuid(65534)
            dropped = True
        try:
            envs = probe(ProbeContext(Root(top, live=False), search=("/v", "/locked")), Environment())["pythons"]
        finally:
            if dropped:
                os.seteuid(0)
        v = by_prefix(envs)["/v"]
        assert any("site-packages: Permission denied" in e for e in v.errors), v.errors
    finally:
        for d, _, _ in os.walk(top):
            os.chmod(d, 0o755)
        shutil.rmtree(top)


def test_unmet_semantics():
    pk = {"torch": Version("2.7.1+cu128"), "tensorrt": Version("10.9.0.34")}
    assert unmet("torch<=2.7.1,>=2.6.0", pk) is None     # local versions match a public pin (pip agrees)
    assert unmet("torch==2.7.1", pk) is None
    assert unmet("tensorrt~=10.11.0", pk) == "10.9.0.34 installed"
    assert unmet("flashinfer-python", pk) == "not installed"


# -- real venvs made with this machine's Pythons ----------------------------------------------------------------

VERSIONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]


def _pyenv_python(mm):
    vdir = os.path.join(PYENV, "versions")
    if not os.path.isdir(vdir):
        return None
    for v in sorted(os.listdir(vdir), reverse=True):
        if v.startswith(mm + ".") and v[len(mm) + 1:].isdigit():
            exe = os.path.join(vdir, v, "bin", "python" + mm)
            if os.path.exists(exe):
                return exe, v
    return None


@pytest.mark.parametrize("mm", VERSIONS)
def test_real_venv(tmp_path, mm):
    found = _pyenv_python(mm)
    if found is None:
        pytest.skip(f"no pyenv Python {mm} on this machine")
    exe, full = found
    v = tmp_path / "proj" / ".venv"
    subprocess.run([exe, "-m", "venv", "--without-pip", str(v)], check=True, timeout=120)
    sp = v / "lib" / f"python{mm}" / "site-packages"
    # a wheel's dist-info as pip writes it, copied from the fixture, and one built for another Python
    shutil.copytree(os.path.join(PYFIX, "seed/workspace/venv/lib/python3.10/site-packages/transformers-4.44.2.dist-info"),
                    sp / "transformers-4.44.2.dist-info")
    shutil.copytree(os.path.join(PYFIX, "bad/workspace/messy/lib/python3.12/site-packages/oldwheel-1.0.dist-info"),
                    sp / "oldwheel-1.0.dist-info")
    envs = probe(ProbeContext(Root("/"), search=(str(tmp_path),)), Environment())["pythons"]
    p = by_prefix(envs)[str(v)]
    assert p.kind == "venv"
    assert str(p.version) == full
    assert p.path == f"{v}/bin/python"
    assert p.site_packages == (str(sp),)
    assert str(p.packages["transformers"]) == "4.44.2"
    assert "search" in p.found_by
    assert os.path.realpath(p.base) == os.path.realpath(exe)
    # transformers' requirements are missing: pip check's answer
    assert unmet("tokenizers<0.20,>=0.19", p.packages) == "not installed"
    codes = {f.code for f in findings([p], None, "12.8")}
    assert ("wheel-python-mismatch" in codes) == (mm != "3.10")
    ran = run_interpreter(Root("/"), p)
    assert ran.executed["version"] == full
    assert "differs" not in ran.executed, ran.executed


def test_real_venv_exec_differs_when_files_lie(tmp_path):
    found = _pyenv_python("3.12") or _pyenv_python("3.11")
    if found is None:
        pytest.skip("no pyenv Python 3.11/3.12")
    exe, full = found
    v = tmp_path / "v"
    subprocess.run([exe, "-m", "venv", "--without-pip", str(v)], check=True, timeout=120)
    cfg = (v / "pyvenv.cfg").read_text().replace(f"version = {full}", "version = 3.7.0")
    (v / "pyvenv.cfg").write_text(cfg)
    envs = probe(ProbeContext(Root("/"), search=(str(v),), exec_pythons=True), Environment())["pythons"]
    p = by_prefix(envs)[str(v)]
    assert "version: files say 3.7.0, interpreter says " + full in p.executed["differs"]
    fs = findings([p], None)
    assert [f.code for f in fs if f.code == "python-exec-differs"] == ["python-exec-differs"]


def test_nothing_is_executed_without_exec(tmp_path):
    # an "interpreter" that would leave a mark if run
    mark = tmp_path / "ran"
    v = tmp_path / "v"
    (v / "bin").mkdir(parents=True)
    (v / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.1\n")
    (v / "bin" / "python").write_text(f"#!/bin/sh\ntouch {mark}\n")
    (v / "bin" / "python").chmod(0o755)
    probe(ProbeContext(Root("/"), search=(str(v),)), Environment())
    assert not mark.exists()


def test_cli_scan_under_root_json(run_cli):
    rc, out, err = run_cli("scan", "--root", os.path.join(PYFIX, "device"), "--json")
    assert rc == 0, err
    doc = json.loads(out)
    p = [x for x in doc["pythons"] if x["prefix"] == "/opt/torch/.venv"][0]
    assert p["packages"]["torch"] == "2.11.0" and p["torch_cuda"] == "13.0" and p["kind"] == "uv"


def test_forked_reading_gives_the_same_answer(tmp_path, monkeypatch):
    root = tmp_path / "r"
    shutil.copytree(os.path.join(PYFIX, "seed"), root, symlinks=True)
    for i in range(9):
        shutil.copytree(root / "workspace/venv", root / f"workspace/copy{i}", symlinks=True)
    r = Root(str(root), live=False)
    forked = probe(ProbeContext(r), Environment())["pythons"]
    monkeypatch.setenv("ENVCHECK_NO_FORK", "1")
    plain = probe(ProbeContext(r), Environment())["pythons"]
    assert len(plain) == 12 and forked == plain


def test_externally_managed_system_python_gets_an_os_package_fix_not_pip(matrix, tmp_path):
    # Debian 12 / Ubuntu 23.04+: PEP 668's EXTERNALLY-MANAGED file makes `pip install` fail outright
    from envcheck.checks.pythons import requirements_unmet
    from envcheck.model import Environment, PythonEnv
    from envcheck.probes.pythons import is_externally_managed
    from envcheck.pyenvs.layout import Layout
    from envcheck.root import Root
    from envcheck.versions import Version
    lib = tmp_path / "usr/lib/python3.11"
    lib.mkdir(parents=True)
    (lib / "os.py").write_text("")
    lay = Layout(prefix="/usr", interpreter="/usr/bin/python3", key="s", kind="system", version="3.11.2")
    root = Root(str(tmp_path), live=False)
    assert is_externally_managed(root, lay) is False
    (lib / "EXTERNALLY-MANAGED").write_text("[externally-managed]\n")
    assert is_externally_managed(root, lay) is True
    env = Environment(pythons=(PythonEnv(path="/usr/bin/python3", prefix="/usr", kind="system",
                                         version=Version("3.11.2"), externally_managed=True,
                                         packages={"pygobject": Version("3.42.2")},
                                         requires={"pygobject": ("pycairo>=1.16.0",)}),))
    (f,) = list(requirements_unmet(env, matrix))
    assert "/usr/bin/python3" in f.why and "/usr:" not in f.title
    assert f.fix[0].startswith("apt-cache search") and "EXTERNALLY-MANAGED" in f.fix[0]
    assert not any(x.startswith("/usr/bin/python3 -m pip install") for x in f.fix)
