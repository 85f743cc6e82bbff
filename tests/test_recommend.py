"""Golden tests of whole recommendations: the ranking and the key reasons, not the wording."""
import json
import os

import pytest

from envcheck.errors import InputError
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.recommend import installable, recommend

HERE = os.path.dirname(os.path.abspath(__file__))
ENVS = os.path.join(HERE, "fixtures", "envs")


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


def env(name):
    return load_env_file(os.path.join(ENVS, name + ".yaml"))


def by(rec, kind, version=None):
    return [p for p in rec.paths if p.kind == kind and (version is None or p.version == version)]


def test_seed_best_is_cuda12_wheel_in_fresh_venv(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "tensorrt-llm", "seed")
    best = installable(rec)
    assert best.kind == "wheel" and best.status == "ok"
    row = matrix.row("tensorrt-llm", best.version)
    assert row.get("cuda").startswith("12.") and row.get("cublas_soname") == "libcublasLt.so.12"
    # the driver (570 -> 12.8) decides, not the 12.4 toolkit: a 12.8 build is ok
    assert best.version == "0.19.0"
    assert any("CUDA <= 12.8" in r and "natively" in r for r in best.reasons)
    # the venv's torch 2.4.0 does not fit 0.19.0's pin: a fresh venv, never the working one
    assert best.environment is None and best.python == "/usr/bin/python3.10"
    assert any("not into /workspace/venv" in r for r in best.reasons)
    cmds = "\n".join(best.commands)
    assert "-m venv" in cmds and '"tensorrt-llm==0.19.0"' in cmds and "https://pypi.nvidia.com" in cmds
    assert best.commands[-1].endswith('-c "import tensorrt_llm; print(tensorrt_llm.__version__)"')
    assert any("untouched" in a for a in best.affects)


def test_seed_statuses_by_cuda(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "tensorrt-llm")
    statuses = [p.status for p in rec.paths]
    assert statuses == sorted(statuses, key=["ok", "risky", "blocked"].index)   # ranked
    risky = by(rec, "wheel", "1.0.0")[0]
    assert risky.status == "risky" and any("minor-version compatibility" in r for r in risky.reasons)
    blocked = [p for p in by(rec, "wheel") if p.status == "blocked"][0]
    assert matrix.row("tensorrt-llm", blocked.version).get("cuda").startswith("13")
    assert any("580" in b and "data-center GPUs only" in b for b in blocked.blockers)   # no forward compat on GeForce


def test_seed_requested_1_1_0_is_blocked_and_says_what_it_takes(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "tensorrt-llm==1.1.0")
    assert rec.requested == "==1.1.0"
    assert installable(rec, allow_risky=True) is None
    assert {p.version for p in rec.paths} == {"1.1.0"}
    w = by(rec, "wheel")[0]
    assert any(">= 580.65.06" in b for b in w.blockers)
    img = by(rec, "image")[0]
    assert any("CAP_SYS_ADMIN" in r and "overlay" in r for r in img.reasons)   # why DinD fails, from the caps
    drv = by(rec, "driver")[0]
    assert drv.status == "blocked" and any("container" in b for b in drv.blockers)
    assert any("keeps working" in a for a in drv.affects)
    src = by(rec, "source")[0]
    assert any("63 GiB" in b for b in src.blockers)     # 46 GiB free


def test_seed_answers_five_questions(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "tensorrt-llm")
    assert len(rec.answers) == 5
    text = json.dumps(rec.to_dict())
    for q in ("version", "CUDA 12", "source", "Alternatives", "upgrade"):
        assert any(q in a[0] for a in rec.answers), q
    alt = rec.answers[3][1]
    assert "tensorrt" in alt and "vllm" in alt.lower() and "sglang" in alt.lower()
    assert "keeps working" in rec.answers[4][1]
    d = rec.to_dict()
    assert set(d) >= {"target", "matrix_version", "environment_source", "paths"}
    assert set(d["paths"][0]) >= {"rank", "kind", "version", "status", "reasons", "blockers", "commands", "disk_gib", "affects"}
    assert "stub" in text


def test_newer_driver_datacenter_host(matrix):
    rec = recommend(env("host-580-h100"), matrix, "tensorrt-llm")
    best = installable(rec)
    assert best.kind == "wheel" and best.version == "1.1.0"         # CUDA 13.0 on a 580 driver
    assert by(rec, "wheel", "1.2.1")[0].status == "risky"            # 13.1 on 13.0: minor-version compatibility
    assert by(rec, "driver")[0].status == "risky"                    # a bare host: possible, with a reboot
    assert by(rec, "image")[0].commands[0].startswith("docker run")  # not a container: docker works here


def test_older_driver_datacenter_pod_forward_compat(matrix):
    rec = recommend(env("pod-535-a100"), matrix, "tensorrt-llm==1.1.0")
    w = by(rec, "wheel")[0]
    assert w.status == "risky" and any("forward compatibility" in r for r in w.reasons)
    assert w.environment is None                                     # conda torch 2.4.0 does not fit 1.1.0's pin
    assert by(rec, "driver")[0].status == "blocked"


def test_turing_gpu_and_no_matching_python(matrix):
    rec = recommend(env("vm-570-t4-py39"), matrix, "tensorrt-llm")
    best = installable(rec)
    assert "75" in matrix.row("tensorrt-llm", best.version).get("sm")
    newest = by(rec, "wheel", "1.2.1")[0]
    assert newest.status == "blocked" and any("sm_75" in b for b in newest.blockers)
    assert any("uv python install" in c for c in best.commands)      # only Python 3.9 here
    assert by(rec, "source")[0].status == "blocked"                   # 30 GiB free


def test_no_gpu_everything_blocked(matrix):
    rec = recommend(env("laptop-nogpu"), matrix, "tensorrt-llm")
    assert rec.paths and all(p.status == "blocked" for p in rec.paths)
    assert installable(rec, allow_risky=True) is None


def test_partial_env_names_missing_facts_and_judges_the_rest(matrix):
    rec = recommend(env("partial-gpu-only"), matrix, "tensorrt-llm")
    assert any(m.startswith("driver") for m in rec.missing_facts)
    assert any(m.startswith("disk") for m in rec.missing_facts)
    w = by(rec, "wheel")
    assert w and all(p.status in ("risky", "blocked") for p in w)


@pytest.mark.parametrize("target", ["vllm", "sglang", "tensorrt", "torch"])
def test_other_targets_on_seed(matrix, target):
    rec = recommend(env("seed-runpod-4090"), matrix, target)
    best = installable(rec, allow_risky=True)
    assert best is not None and best.kind == "wheel"
    assert any(" install " in c and "==" in c for c in best.commands)


def test_torch_on_seed_picks_a_build_the_driver_runs(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "torch")
    best = installable(rec)
    assert best.status == "ok"
    assert not any("cu13" in c for c in best.commands)


def test_tensorrt_alone_on_seed_is_cu12(matrix):
    best = installable(recommend(env("seed-runpod-4090"), matrix, "tensorrt"), allow_risky=True)
    assert any("tensorrt-cu12==" in c for c in best.commands)
    # the matrix has only the CUDA major of a TensorRT build: the minor is unknown, so risky, and it says so
    assert best.status == "risky"
    assert any("minor version is not in the matrix" in r for r in best.reasons)
    assert not any("runs it natively" in r for r in best.reasons)


def test_bad_input(matrix):
    e = env("seed-runpod-4090")
    with pytest.raises(InputError, match="unknown target"):
        recommend(e, matrix, "tensorflow")
    with pytest.raises(InputError, match="0.19.0"):          # names the versions that exist
        recommend(e, matrix, "tensorrt-llm==0.99.0")
    with pytest.raises(InputError):
        recommend(e, matrix, "tensorrt-llm>>1")


def test_cli_json_markdown_and_errors(run_cli):
    seed = os.path.join(ENVS, "seed-runpod-4090.yaml")
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--env", seed, "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert d["target"] == "tensorrt-llm" and d["paths"][0]["version"] == "0.19.0"
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm==1.1.0", "--env", seed, "--markdown")
    assert rc == 1 and out.startswith("## envcheck recommend") and "```bash" in out
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm==9.9.9", "--env", seed)
    assert rc == 2 and "Traceback" not in err and "1.1.0" in err
    rc, out, err = run_cli("recommend", "--target", "nope", "--env", seed)
    assert rc == 2 and "unknown target" in err
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--env", seed)
    assert rc == 0 and out.index(" 1. ") < out.index(" 2. ")


def test_fresh_venv_with_a_python_lacking_ensurepip_installs_python3x_venv_first(tmp_path, run_cli):
    # Ubuntu's python3.10 without the python3.10-venv package: `python3.10 -m venv` stops with
    # "ensurepip is not available". The scan sees it from files (venv_module = false); the commands fix it first.
    import yaml
    doc = yaml.safe_load(open(os.path.join(ENVS, "seed-runpod-4090.yaml")))
    for p in doc["pythons"]:
        if p.get("kind") == "venv":
            p["venv_module"] = False
    f = tmp_path / "pod.yaml"
    f.write_text(yaml.safe_dump(doc))
    rc, out, _ = run_cli("recommend", "--target", "tensorrt-llm", "--env", str(f), "--json")
    best = json.loads(out)["paths"][0]
    assert best["kind"] == "wheel" and best["python"] == "/usr/bin/python3.10"
    i = next(i for i, c in enumerate(best["commands"]) if " -m venv " in c)
    assert best["commands"][i - 1].startswith("apt-get install -y python3.10-venv")
    assert any("ensurepip is not available" in r for r in best["reasons"])


def test_has_ensurepip_is_read_from_the_stdlib(tmp_path):
    from envcheck.probes.pythons import has_ensurepip
    from envcheck.pyenvs.layout import Layout
    from envcheck.root import Root
    lib = tmp_path / "usr/lib/python3.10"
    lib.mkdir(parents=True)
    (lib / "os.py").write_text("")
    root = Root(str(tmp_path), live=False)
    venv = Layout(prefix="/workspace/venv", interpreter="/workspace/venv/bin/python", key="v", kind="venv",
                  version="3.10.12", base="/usr/bin/python3.10")
    system = Layout(prefix="/usr", interpreter="/usr/bin/python3.10", key="s", kind="system", version="3.10.12")
    assert has_ensurepip(root, venv) is False and has_ensurepip(root, system) is False
    (lib / "ensurepip").mkdir()
    (lib / "ensurepip/__init__.py").write_text("")
    assert has_ensurepip(root, venv) is True and has_ensurepip(root, system) is True
    # uv's project .venv (kind "uv", with a base) is a venv too: its base's stdlib answers, never externally managed
    from envcheck.probes.pythons import is_externally_managed
    uv = Layout(prefix="/opt/torch/.venv", interpreter="/opt/torch/.venv/bin/python", key="u", kind="uv",
                version="3.10.12", base="/usr/bin/python3.10")
    assert has_ensurepip(root, uv) is True and is_externally_managed(root, uv) is False
    # no stdlib found: not known, never a guess
    assert has_ensurepip(root, Layout(prefix="/opt/x", interpreter="/opt/x/bin/python", key="x", kind="system",
                                      version="3.12.1")) is None


SEED = os.path.join(ENVS, "seed-runpod-4090.yaml")
POD535 = os.path.join(ENVS, "pod-535-a100.yaml")


def _blocks(out):
    """{rank line: following lines} of the text view."""
    import re
    parts = re.split(r"\n(?= ?\d+\. )", out)
    return [p for p in parts if re.match(r" ?\d+\. ", p)]


@pytest.mark.parametrize("args", [["--target", "tensorrt-llm==1.1.0", "-v"], ["--target", "tensorrt-llm", "-v"],
                                  ["--target", "tensorrt-llm==1.1.0"]])
def test_blocked_paths_print_no_runnable_commands(run_cli, args):
    rc, out, _ = run_cli("recommend", "--env", SEED, "--ascii", *args)
    for b in _blocks(out):
        if " blocked " not in b.splitlines()[0]:
            continue
        assert "run:" not in b
        assert "pip install" not in b.split("as comments:")[0]
        if "as comments:" in b:
            cmd_lines = b.split("as comments:")[1].strip("\n").split("\n\n")[0].splitlines()
            assert cmd_lines and all(l.strip().startswith("#") for l in cmd_lines), cmd_lines
    rc, md, _ = run_cli("recommend", "--env", SEED, "--target", "tensorrt-llm==1.1.0", "--markdown")
    for block in md.split("```bash")[1:]:
        body = block.split("```")[0].strip().splitlines()
        assert all(l.startswith("#") for l in body), body       # every path of 1.1.0 is blocked here
    assert "| wheel |" in md and "| image |" in md and "own image" in md and "built on this machine" in md


def test_explain_with_every_path_blocked_says_so(run_cli):
    rc, out, _ = run_cli("explain", "libcublasLt.so.13: cannot open shared object file", "--ascii",
                         "--env", os.path.join(ENVS, "laptop-nogpu.yaml"))
    assert "no install path works here" in out and "best path" not in out
    assert "pip install" not in out.split("no install path works here")[1]


def test_forward_compat_path_installs_cuda_compat_and_lists_cuda12(matrix):
    rec = recommend(env("pod-535-a100"), matrix, "tensorrt-llm")
    best = installable(rec, allow_risky=True)
    assert best.version == "1.2.1" and best.status == "risky"
    cmds = list(best.commands)
    i = next(i for i, c in enumerate(cmds) if "apt-get install -y cuda-compat-13-1" in c)
    j = next(i for i, c in enumerate(cmds) if c.startswith("export LD_LIBRARY_PATH=/usr/local/cuda-13.1/compat:"))
    assert i < j < len(cmds) - 1 and "import tensorrt_llm" in cmds[-1]
    cuda12 = [p for p in by(rec, "wheel") if matrix.row("tensorrt-llm", p.version).get("cuda").startswith("12.")]
    assert cuda12 and all(p.status == "risky" for p in cuda12)
    assert any("minor-version compatibility" in r for r in cuda12[0].reasons)


def test_short_view_cuts_at_clauses_and_v_never_truncates(run_cli):
    rc, out, _ = run_cli("recommend", "--target", "tensorrt-llm", "--env", SEED, "--ascii")
    assert "compatibi..." not in out and "580.65.0..." not in out
    assert "needs driver >=" in out and "data-center GPUs only" in out      # the deciding clauses stay
    assert "-v for every reason" in out
    rc, out, _ = run_cli("recommend", "--target", "tensorrt-llm", "--env", SEED, "--ascii", "-v")
    assert "..." not in out.replace("[...]", "") or "'API call is not supported" in out
    assert "'API call is n..." not in out and "(-v: all)" not in out
    assert "-v for every reason" not in out
    for tok in ("--no-cache-dir", "tensorrt-llm.yaml:43", "--extra-index-url"):
        for line in out.splitlines():
            assert not line.rstrip().endswith(tok[:-2]), line          # no token broken at a line end
    assert ": --no-cache-dir" not in out                                 # no command fragments in Alternatives
    assert "envcheck recommend --target vllm==" in out
    assert "))). the driver" not in out


def test_requested_blocked_release_says_others_can_and_what_it_takes(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "tensorrt-llm==1.1.0")
    a = dict(rec.answers)
    which = next(v for k, v in a.items() if "Which" in k)
    assert "No tensorrt-llm wheel runs here" not in which
    assert "cannot be installed here; other releases can" in which and "envcheck recommend --target tensorrt-llm`" in which
    assert "driver >= 580.65.06" in which and "CUDA 12.9" in which and "63 GiB" in which
    cuda12 = next(v for k, v in a.items() if "CUDA 12" in k)
    assert "0.12.0 .. 1.0.0" in cuda12


def test_torch_with_unknown_build_list_is_not_blocked_on_a_guess(matrix):
    rec = recommend(env("seed-runpod-4090"), matrix, "torch")
    p = by(rec, "wheel", "2.15.0")[0]
    assert p.status == "risky"
    assert any("not in the matrix" in r and "cu132" in r for r in p.reasons)
    assert any("pip download" in c and "cu128" in c for c in p.commands)


def test_source_recipe_builds_in_a_venv_with_its_prerequisites(matrix):
    rec = recommend(env("pod-535-a100"), matrix, "tensorrt-llm")
    src = by(rec, "source")[0]
    cmds = "\n".join(src.commands)
    assert "python3 -m pip install ./build" not in cmds
    assert " -m venv " in cmds and "-build/bin/python -m pip install ./build/tensorrt_llm-" in cmds
    assert "cuda-toolkit-13-1" in cmds and "libnccl-dev" in cmds
    assert "# TensorRT" in cmds and "not on this machine" in cmds           # --trt_root is not assumed to exist
    assert any("make -C docker release_build" in r and "blocked" in r for r in src.reasons)


def test_cli_exit_codes_documented():
    doc = open(os.path.join(HERE, "..", "docs", "recommend.md")).read()
    assert "exits 1 when every path is blocked" in doc and "explain` exits 1" in doc


def test_a_driver_below_every_cuda12_minimum_blocks_cuda12_builds_instead_of_unknown(tmp_path):
    f = tmp_path / "old.yaml"
    f.write_text('schema: envcheck.environment/1\ndriver: {version: "470.82.01", source: procfs}\n')
    rec = recommend(load_env_file(str(f)), load_matrix(include_user=False), "torch")
    assert rec.paths and all(p.status == "blocked" for p in rec.paths if p.kind == "wheel")
    assert "no build for CUDA 12.0 or newer runs on it" in rec.paths[0].blockers[0]
    assert not any(m.startswith("driver.cuda") for m in rec.missing_facts)
