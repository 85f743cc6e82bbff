"""`envcheck apply`: real wheels (built here as zip files, the format pip installs), real venvs in temp dirs, the
real CLI in a subprocess with no terminal on stdin, no network (--find-links DIR --no-index)."""
import base64
import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ENVS, REPO

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures", "native"))
from nativetest import make_lib, needs_cc  # noqa: E402

from envcheck.apply.plan import plan, step_refusal  # noqa: E402
from envcheck.apply.run import Step, run_step, start_shell  # noqa: E402
from envcheck.recommend.model import InstallPath  # noqa: E402

SEED = os.path.join(ENVS, "seed-runpod-4090.yaml")


def envcheck(*args, timeout=180):
    """The real CLI; stdin is /dev/null, as in CI or a pipeline (no terminal to ask on)."""
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("ENVCHECK_MATRIX_DIR", None)
    p = subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def make_wheel(wheelhouse, name, version, files):
    """A real, pure wheel: the package's files, METADATA, WHEEL, top_level.txt and a RECORD with hashes."""
    di = f"{name}-{version}.dist-info"
    content = {k: (v if isinstance(v, bytes) else v.encode()) for k, v in files.items()}
    content[f"{di}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    content[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: envcheck-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    content[f"{di}/top_level.txt"] = f"{name}\n".encode()

    def digest(data):
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record = "".join(f"{n},{digest(d)},{len(d)}\n" for n, d in content.items()) + f"{di}/RECORD,,\n"
    content[f"{di}/RECORD"] = record.encode()
    os.makedirs(wheelhouse, exist_ok=True)
    path = os.path.join(wheelhouse, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as z:
        for n, d in sorted(content.items()):
            z.writestr(n, d)
    return path


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """--venv DIR that is no environment yet: recommend's steps create a venv there (python -m venv, pip), then
    the install step fails on purpose (an empty wheelhouse). Returns (DIR, the apply run or None). The venv is
    then reused by the other tests, so one venv is made per run."""
    base = tmp_path_factory.mktemp("apply")
    new, wheels = str(base / "venv"), str(base / "empty")
    os.makedirs(wheels)
    args = ("apply", "--target", "tinypkg==0.1.0", "--venv", new, "--find-links", wheels, "--no-index", "--path", "1")
    rc, out, err = envcheck(*args, "--dry-run", "--json")
    steps = [s["command"] for s in json.loads(out)["plan"]["steps"]]
    assert f"-m venv {new}" in steps[0], steps
    if any("apt-get" in s for s in steps):    # this machine's Python needs its venv package: not run by a test
        subprocess.run([sys.executable, "-m", "venv", new], check=True, timeout=300)
        return new, None
    return new, envcheck(*args, "--yes")


@pytest.fixture(scope="module")
def venv(fresh):
    assert os.path.exists(os.path.join(fresh[0], "bin", "python"))
    return fresh[0]


def test_fresh_venv_path_reports_which_steps_ran_before_the_failure(fresh):
    new, run = fresh
    if run is None:
        pytest.skip("this machine's Python needs its venv package first (an apt step): not run by a test")
    rc, out, err = run
    assert rc == 1, out + err
    assert "step 3 failed (exit code 1)" in out and "already run: 1, 2; not run: 4" in out
    assert "No matching distribution found for tinypkg==0.1.0" in out
    assert os.path.exists(os.path.join(new, "bin", "python"))       # what ran before stays


def installed(venv_dir, dist):
    p = subprocess.run([os.path.join(venv_dir, "bin", "python"), "-I", "-c",
                        f"import importlib.metadata as m; print(m.version({dist!r}))"], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def test_installs_a_local_wheel_into_a_real_venv_and_proves_it(tmp_path, venv):
    wheels = str(tmp_path / "wheels")
    make_wheel(wheels, "tinypkg", "0.1.0", {"tinypkg/__init__.py": '__version__ = "0.1.0"\n'})
    rc, out, err = envcheck("apply", "--target", "tinypkg==0.1.0", "--venv", venv, "--find-links", wheels,
                            "--no-index", "--path", "1", "--yes")
    assert rc == 0, out + err
    assert f"[1/2] $ {venv}/bin/python -m pip install --no-cache-dir \"tinypkg==0.1.0\" --find-links {wheels} --no-index" in out
    assert "  | Successfully installed tinypkg-0.1.0" in out          # pip's own output, streamed
    assert f"files: tinypkg 0.1.0 in {venv}" in out
    assert f"import tinypkg: 0.1.0 from {venv}/lib/" in out
    assert out.rstrip().endswith("installed and verified")
    assert installed(venv, "tinypkg") == "0.1.0"


def test_json_result_carries_steps_and_proof(tmp_path, venv):
    wheels = str(tmp_path / "wheels")
    make_wheel(wheels, "tinyjson", "2.0", {"tinyjson/__init__.py": ""})
    rc, out, err = envcheck("apply", "--target", "tinyjson==2.0", "--venv", venv, "--find-links", wheels,
                            "--no-index", "--path", "1", "--yes", "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert [s["exit_code"] for s in d["steps"]] == [0, 0] and d["failed_step"] is None
    assert d["verified"] and d["proof"]["version_installed"] == "2.0" and d["proof"]["modules"] == ["tinyjson"]
    assert d["proof"]["import"]["dist_version"] == "2.0"
    assert "Successfully installed tinyjson-2.0" in err              # step output went to stderr


def test_a_failing_step_stops_with_its_exit_code_and_output(tmp_path, venv):
    wheels = str(tmp_path / "wheels")
    make_wheel(wheels, "tinyfail", "0.1.0", {"tinyfail/__init__.py": ""})
    rc, out, err = envcheck("apply", "--target", "tinyfail==0.3.0", "--venv", venv, "--find-links", wheels,
                            "--no-index", "--path", "1", "--yes")
    assert rc == 1, out + err
    assert "step 1 failed (exit code 1)" in out
    assert "No matching distribution found for tinyfail==0.3.0" in out.split("last lines of its output:")[1]
    assert "already run: no step before it; not run: 2" in out
    assert "[2/2]" not in out and "Proving" not in out


@needs_cc
def test_native_library_that_does_not_resolve_fails_the_proof(tmp_path, venv):
    """The top-level import works (nothing imports the extension module), but the package's extension module
    needs a soname that is nowhere, so importing it would fail: installed, not verified. (A plain library that
    nothing loads at import would only be reported as info: see tests/test_truth_subset.py.)"""
    build = tmp_path / "build"
    absent = make_lib(str(build / "libenvcheck_absent.so.1"))
    lib = make_lib(str(build / "libtinynative.so"), needs=[absent])
    with open(lib, "rb") as fh:
        data = fh.read()
    wheels = str(tmp_path / "wheels")
    make_wheel(wheels, "tinynative", "1.0", {"tinynative/__init__.py": "", "tinynative/_core.abi3.so": data})
    rc, out, err = envcheck("apply", "--target", "tinynative==1.0", "--venv", venv, "--find-links", wheels,
                            "--no-index", "--path", "1", "--yes")
    assert rc == 1, out + err
    assert "import tinynative" in out and "native: 1 shared object(s) of tinynative checked; 1 problem(s)" in out
    assert "libenvcheck_absent.so.1" in out
    assert "not verified:" in out and installed(venv, "tinynative") == "1.0"


def test_dry_run_prints_the_commands_recommend_shows_and_runs_nothing():
    rc, out, err = envcheck("recommend", "--target", "tensorrt-llm", "--env", SEED, "--json")
    best = next(p for p in json.loads(out)["paths"] if p["status"] == "ok")
    rc, out, err = envcheck("apply", "--target", "tensorrt-llm", "--env", SEED, "--dry-run")
    assert rc == 0, err
    assert f"path #{best['rank']}: wheel {best['version']} (ok)" in out
    for i, c in enumerate(best["commands"], 1):
        assert f"  {i}. {c}\n" in out
    assert "dry run: nothing was run" in out and "[1/" not in out


def test_env_input_runs_only_as_dry_run():
    rc, out, err = envcheck("apply", "--target", "tensorrt-llm", "--env", SEED)
    assert rc == 2 and "only --dry-run works" in err and "Traceback" not in err


def test_without_yes_and_without_a_terminal_it_refuses(tmp_path, venv):
    wheels = str(tmp_path / "wheels")
    make_wheel(wheels, "tinyask", "1.0", {"tinyask/__init__.py": ""})
    rc, out, err = envcheck("apply", "--target", "tinyask==1.0", "--venv", venv, "--find-links", wheels,
                            "--no-index", "--path", "1")
    assert rc == 2 and "no terminal to ask on: pass --yes" in err
    assert installed(venv, "tinyask") is None


def test_default_path_is_the_first_ok_one_and_risky_must_be_named(tmp_path, venv):
    rc, out, err = envcheck("apply", "--target", "tinypkg==0.1.0", "--venv", venv, "--dry-run")
    assert rc == 1 and "path #1: wheel 0.1.0 (risky)" in out and "-m pip install" in out
    assert "apply would refuse this path: no path for tinypkg==0.1.0 is ok here, only risky ones (#1 wheel 0.1.0" in out
    assert "--path N" in out
    rc, out, err = envcheck("apply", "--target", "tinypkg==0.1.0", "--venv", venv, "--yes")
    assert rc == 2 and "only risky ones (#1 wheel 0.1.0" in err and "--path N" in err


def test_driver_and_image_paths_are_refused():
    rc, out, err = envcheck("recommend", "--target", "tensorrt-llm", "--env", SEED, "--json")
    paths = json.loads(out)["paths"]
    drv = next(p for p in paths if p["kind"] == "driver")
    img = next(p for p in paths if p["kind"] == "image")
    rc, out, err = envcheck("apply", "--target", "tensorrt-llm", "--env", SEED, "--dry-run", "--path", str(drv["rank"]))
    assert rc == 1 and "changes the host's NVIDIA driver" in out and f"path #{drv['rank']}: driver" in out
    rc, out, err = envcheck("apply", "--target", "tensorrt-llm", "--env", SEED, "--dry-run", "--path", str(img["rank"]))
    assert rc == 1 and "replaces this machine or pod" in out


def test_dry_run_marks_the_step_it_would_refuse_and_exits_1():
    """A normal user's T4 VM: step 1 of TensorRT-LLM's path installs libopenmpi-dev with sudo."""
    args = ("apply", "--target", "tensorrt-llm", "--env", os.path.join(ENVS, "vm-570-t4-py39.yaml"), "--dry-run")
    rc, out, err = envcheck(*args)
    assert rc == 1 and "Traceback" not in err, err
    lines = out.splitlines()
    assert lines[1].startswith("  1. sudo apt-get") and lines[1].endswith("[apply would refuse this step: see below]")
    assert not any("would refuse this step" in line for line in lines[2:-1])
    assert "apply would refuse this path: step 1 runs sudo" in lines[-1]
    rc, out, err = envcheck(*args, "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["refused"] is True and doc["plan"]["refused_step"] == 1
    assert "step 1 runs sudo" in doc["plan"]["refusal"]


def test_dry_run_where_every_path_is_blocked_shows_the_plan_and_what_would_unblock_it():
    args = ("apply", "--target", "vllm", "--env", os.path.join(ENVS, "laptop-nogpu.yaml"), "--dry-run")
    rc, out, err = envcheck(*args)
    assert rc == 1 and "Traceback" not in err, err
    assert "path #1: wheel" in out and "(blocked)" in out and '-m pip install --no-cache-dir "vllm==' in out
    assert "apply would refuse this path: #1 wheel vllm" in out and "no NVIDIA driver" in out
    assert "what it would take: path #2 (driver):" in out and "needs driver >=" in out
    rc, out, err = envcheck(*args[:-1])
    assert rc == 2 and "only --dry-run works" in err


def _path(commands, kind="wheel", status="ok"):
    return InstallPath(rank=1, kind=kind, target="vllm", version="0.11.2", status=status, reasons=(), blockers=(),
                       commands=tuple(commands), disk_gib=None, affects=(), python="/usr/bin/python3",
                       environment="/workspace/venv")


@pytest.mark.parametrize("command, why", [
    ("sudo apt-get install -y python3.10-venv", "runs sudo"),
    ("apt-get update && sudo apt-get install -y libopenmpi-dev", "runs sudo"),
    ("apt-get install -y nvidia-driver-580", "installs an NVIDIA driver package"),
    ("sh NVIDIA-Linux-x86_64-580.65.06.run --silent", "runs NVIDIA's driver installer"),
    ("# unpack TensorRT into /usr/local/tensorrt first", "is for a person"),
])
def test_refusals_are_decided_before_anything_runs(command, why):
    pl = plan(_path(["/workspace/venv/bin/python -m pip install vllm==0.11.2", command]))
    assert pl.refusal is not None and why in pl.refusal and pl.refusal.startswith("step 2") and pl.refused_step == 2
    assert step_refusal(plan(_path(["python -m pip install 'pseudo-sudo==1'"])).steps) == (None, None)


def test_steps_share_one_shell_directory_and_exports_and_a_timeout_stops_a_step(tmp_path):
    shell = start_shell(cwd=str(tmp_path))
    (tmp_path / "sub").mkdir()
    lines = []
    assert run_step(Step(1, "cd sub && export ENVCHECK_T=carried    # as pasted", False), shell, 30, lines.append).ok
    r = run_step(Step(2, 'echo "$ENVCHECK_T in $(basename "$PWD")"', False), shell, 30, lines.append)
    assert r.ok and lines == ["carried in sub"]
    r = run_step(Step(3, "echo started; sleep 30", False), shell, 1, lines.append)
    assert r.timed_out and not r.ok and r.tail == ("started",)
