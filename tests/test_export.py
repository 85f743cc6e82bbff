"""`envcheck export --for uv|conda|pixi|pip`: the torch build weighs the GPU's architecture as well as the driver,
the conda/pixi values are the driver's CUDA and the host's glibc, and every output parses as what it claims to be
(TOML with tomllib/tomli, shell lines by shape, pip constraints with packaging)."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

import pytest
from packaging.requirements import Requirement

from envcheck.fatbin import parse_cc
from envcheck.matrix.load import load_matrix
from envcheck.matrix.rows import TorchArch
from envcheck.matrix.tables import MatrixError, Row
from envcheck.model.document import load_env_file
from envcheck.recommend.backend import covers, torch_build
from envcheck.recommend.machine import machine

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = pytest.importorskip("tomli")

HERE = os.path.dirname(os.path.abspath(__file__))
ENVS = os.path.join(HERE, "fixtures", "envs")

# fixture -> (uv backend, conda CUDA, glibc)
EXPECTED = {
    "seed-runpod-4090": ("cu128", "12.8", "2.35"),     # driver 570, Ada sm_89 (runs sm_86 code)
    "vm-570-t4-py39": ("cu128", "12.8", "2.31"),       # driver 570, Turing sm_75
    "desktop-570-gtx1080": ("cu126", "12.8", "2.39"),  # driver 570, but Pascal sm_61: cu128 dropped it
    "desktop-570-rtx5090": ("cu128", "12.8", "2.39"),  # Blackwell sm_120 on 570: cu128 has it
    "desktop-560-rtx5090": ("cpu", "12.6", "2.35"),    # Blackwell on 560: nothing it runs natively has sm_120
    "host-580-h100": ("cu130", "13.0", None),
    "laptop-nogpu": ("cpu", "", "2.35"),               # no driver: __cuda left out
    "partial-gpu-only": ("cpu", "", None),             # driver unknown: the safe answer
}


def _env(name):
    return os.path.join(ENVS, f"{name}.yaml")


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


def _export(cli, name, fmt, *extra):
    rc, out, err = cli("export", "--for", fmt, "--env", _env(name), *extra)
    assert rc == 0, err
    assert "Traceback" not in err
    return out


def _glibc(name):
    env = load_env_file(_env(name))
    return str(env.host.glibc) if env.host is not None and env.host.glibc is not None else None


# ----------------------------------------------------------------------------------------------- the torch build
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_uv_backend_per_fixture(cli, name):
    out = _export(cli, name, "uv")
    lines = [ln for ln in out.splitlines() if not ln.startswith("#")]
    assert lines == [f"export UV_TORCH_BACKEND={EXPECTED[name][0]}"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_chosen_build_runs_on_the_driver_and_carries_the_gpus_code(matrix, name):
    """Whatever is chosen: its CUDA is at most the driver's (natively), and where it says its GPU code was
    checked, the arch list in matrix/torch.yaml does cover the GPU's compute capability."""
    m = machine(load_env_file(_env(name)), matrix)
    b = torch_build(m)
    assert b.why and all(isinstance(w, str) and w for w in b.why)
    if b.backend == "cpu":
        assert b.index_url.endswith("/whl/cpu")
        return
    assert (b.cuda.major, b.cuda.minor) <= (m.cuda.major, m.cuda.minor)
    assert b.index_url.endswith(f"/whl/{b.backend}")
    if b.arch_checked:
        assert covers(TorchArch.of(matrix.rows("torch-arch")).of_build(b.torch, b.backend), m.gpu_cc)


def test_pascal_on_a_570_driver_gets_cu126_and_says_why_not_cu128(cli):
    out = _export(cli, "desktop-570-gtx1080", "uv")
    assert "export UV_TORCH_BACKEND=cu126" in out
    assert "not cu128" in out and "no code for sm_61" in out


def test_blackwell_on_a_560_driver_is_cpu_and_names_the_driver_it_needs(cli):
    out = _export(cli, "desktop-560-rtx5090", "uv")
    assert "export UV_TORCH_BACKEND=cpu" in out
    assert "sm_120" in out and "cu128" in out and "570.26" in out


def test_no_driver_section_is_unknown_not_absent(cli):
    doc = json.loads(_export(cli, "partial-gpu-only", "uv", "--json"))
    assert doc["torch"]["backend"] == "cpu" and doc["torch"]["known"] is False
    assert doc["driver"]["known"] is False
    doc = json.loads(_export(cli, "laptop-nogpu", "uv", "--json"))
    assert doc["torch"]["backend"] == "cpu" and doc["torch"]["known"] is True


def test_compute_capability_coverage_follows_cuda_binary_compatibility():
    assert covers(["sm_80", "sm_86"], "8.9")          # X.y SASS runs on X.z, z >= y
    assert not covers(["sm_80", "sm_86"], "8.0") or covers(["sm_80"], "8.0")
    assert not covers(["sm_70", "sm_90"], "6.1")      # no Pascal code
    assert not covers(["sm_50", "sm_60", "sm_90"], "12.0")   # SASS never crosses a major
    assert covers(["sm_90", "compute_120"], "12.1")   # PTX JIT-compiles upward
    assert not covers(["sm_90a"], "9.1") and parse_cc("9.1") == (9, 1)


def test_matrix_validate_names_a_malformed_arch_row(tmp_path):
    """An overlay torch-arch row with a bad code list, or for a release torch.yaml lacks, is named by validate."""
    from envcheck.matrix.validate import validate_dirs

    base = os.path.join(os.path.dirname(HERE), "matrix")
    over = tmp_path / "over"
    over.mkdir()
    (over / "torch-arch.yaml").write_text(
        'schema: envcheck.matrix.torch-arch/1\nrows:\n'
        '  - version: "2.8.0"\n    builds: {cu128: ["sm_86", "8.9"]}\n    sources: ["x"]\n'
        '  - version: "9.9.9"\n    builds: {cu128: ["sm_86"]}\n    sources: ["x"]\n')
    problems = [str(p) for p in validate_dirs([base, str(over)])]
    assert any("torch-arch 2.8.0: builds cu128" in p for p in problems), problems
    assert any("torch-arch 9.9.9: no such release" in p for p in problems), problems
    with pytest.raises(MatrixError):            # loading refuses such an overlay too
        load_matrix([str(over)], include_user=False)
    row = Row("torch-arch", {"version": "2.8.0", "builds": {"cu128": ["sm_86", "8.9"]}}, "x.yaml", 1)
    assert TorchArch.of([row]).of_build("2.8.0", "cu128") is None     # a malformed list reads as absent


# ------------------------------------------------------------------------------------------ conda, pixi, pip
def _shell_exports(out):
    """The non-comment lines: each `export NAME="VALUE"` / `export NAME=VALUE`, parsed as a shell would."""
    values = {}
    for ln in out.splitlines():
        if not ln or ln.startswith("#"):
            continue
        words = shlex.split(ln)
        assert words[0] == "export" and len(words) == 2, ln
        key, _, value = words[1].partition("=")
        assert re.fullmatch(r"[A-Z_]+", key), ln
        values[key] = value
    return values


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_conda_overrides(cli, name):
    values = _shell_exports(_export(cli, name, "conda"))
    _, cuda, glibc = EXPECTED[name]
    assert values["CONDA_OVERRIDE_CUDA"] == cuda
    assert re.fullmatch(r"(\d+\.\d+)?", values["CONDA_OVERRIDE_CUDA"])
    assert values.get("CONDA_OVERRIDE_GLIBC") == (glibc or _glibc(name))
    if values.get("CONDA_OVERRIDE_GLIBC") is not None:
        assert re.fullmatch(r"\d+\.\d+", values["CONDA_OVERRIDE_GLIBC"])


def test_conda_lines_set_the_variables_in_a_real_shell(cli, tmp_path):
    script = tmp_path / "conda.sh"
    script.write_text(_export(cli, "seed-runpod-4090", "conda"))
    out = subprocess.run(["sh", "-c", f'. "{script}" && echo "$CONDA_OVERRIDE_CUDA $CONDA_OVERRIDE_GLIBC"'],
                         capture_output=True, text=True, timeout=30, env={"PATH": os.environ.get("PATH", "")})
    assert out.returncode == 0 and out.stdout.strip() == "12.8 2.35"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pixi_table_is_valid_toml(cli, name):
    doc = tomllib.loads(_export(cli, name, "pixi"))
    req = doc["system-requirements"]
    _, cuda, glibc = EXPECTED[name]
    assert req.get("cuda", "") == cuda
    glibc = glibc or _glibc(name)
    assert req.get("libc") == ({"family": "glibc", "version": glibc} if glibc else None)
    assert set(req) <= {"cuda", "libc"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_uv_pyproject_snippet_is_valid_toml_and_names_the_backend_index(cli, name):
    out = _export(cli, name, "uv")
    snippet = out[out.index("# [[tool.uv.index]]"):]
    doc = tomllib.loads("\n".join(ln[2:] if ln.startswith("# ") else "" for ln in snippet.splitlines()))
    backend = EXPECTED[name][0]
    (index,) = doc["tool"]["uv"]["index"]
    assert index == {"name": f"pytorch-{backend}", "url": f"https://download.pytorch.org/whl/{backend}",
                     "explicit": True}
    assert doc["tool"]["uv"]["sources"]["torch"] == [{"index": f"pytorch-{backend}"}]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pip_constraints_parse_and_fit_the_driver(cli, name):
    out = _export(cli, name, "pip")
    reqs = {}
    for ln in out.splitlines():
        if ln and not ln.startswith("#"):
            r = Requirement(ln)
            reqs[r.name] = r
    backend, cuda, _ = EXPECTED[name]
    assert f"--index-url https://download.pytorch.org/whl/{backend}" in out
    if backend == "cpu":
        assert reqs == {}
        return
    (pin,) = list(reqs["torch"].specifier)
    assert pin.operator == "=="
    major, minor = (int(x) for x in cuda.split("."))
    assert not reqs["nvidia-cuda-runtime"].specifier.contains(f"{major}.{minor + 1}.0")
    assert reqs["nvidia-cuda-runtime"].specifier.contains(f"{major}.{minor}.90")
    if major == 12:
        assert not reqs["cuda-toolkit"].specifier.contains("13.0.2")     # torch 2.11+'s CUDA 13 libraries
        assert "nvidia-cuda-runtime-cu12" in reqs


def test_pip_pins_the_local_build_where_pypi_has_another(cli):
    assert "torch==2.10.0+cu126" in _export(cli, "desktop-570-gtx1080", "pip").splitlines()
    assert "torch==2.10.0" in _export(cli, "seed-runpod-4090", "pip").splitlines()   # PyPI's 2.10.0 is cu128


# ------------------------------------------------------------------------------------- the door in, the door out
def test_output_file_goes_through_the_safe_writer(cli, tmp_path):
    target = tmp_path / "constraints.txt"
    rc, out, err = cli("export", "--for", "pip", "--env", _env("seed-runpod-4090"), "-o", str(target))
    assert rc == 0 and out == "" and target.read_text().startswith("# envcheck")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    rc, out, err = cli("export", "--for", "pip", "--env", _env("seed-runpod-4090"), "-o", str(link))
    assert rc == 2 and "symbolic link" in err


def test_hostile_document_values_stay_in_comments(cli, tmp_path):
    """A GPU name with a newline and shell text, a glibc that is not a version: nothing reaches a value line."""
    doc = tmp_path / "evil.json"
    doc.write_text(json.dumps({
        "schema": "envcheck.environment/1",
        "host": {"glibc": "2.35\"; touch /tmp/pwned; echo \""},
        "driver": {"version": "570.195.03", "cuda": "12.8", "source": "nvml"},
        "gpus": [{"index": 0, "name": "GPU\nexport EVIL=1 \u202e", "compute_capability": "8.9"}]}))
    for fmt in ("uv", "conda", "pixi", "pip"):
        rc, out, err = cli("export", "--for", fmt, "--env", str(doc))
        if rc == 2:      # the loader refused the glibc: as good
            assert "glibc" in err
            return
        assert rc == 0, err
        assert "EVIL" not in "\n".join(ln for ln in out.splitlines() if not ln.startswith("#"))
        assert "pwned" not in "\n".join(ln for ln in out.splitlines() if not ln.startswith("#"))
        assert "\u202e" not in out


def test_bad_format_is_a_usage_error(cli):
    rc, out, err = cli("export", "--for", "poetry", "--env", _env("seed-runpod-4090"))
    assert rc == 2 and "poetry" in err


def test_json_carries_the_text_and_the_facts(cli):
    doc = json.loads(_export(cli, "seed-runpod-4090", "conda", "--json"))
    assert doc["format"] == "conda" and doc["driver"]["cuda"] == "12.8" and doc["glibc"] == "2.35"
    assert 'export CONDA_OVERRIDE_CUDA="12.8"' in doc["text"]
    assert doc["torch"]["backend"] == "cu128" and doc["torch"]["arch_checked"] is True


def test_runs_as_a_program_on_this_machine():
    """No --env: the live machine (whatever it has); exit 0 and one UV_TORCH_BACKEND line."""
    out = subprocess.run([sys.executable, "-m", "envcheck", "export", "--for", "uv"], capture_output=True,
                         text=True, timeout=120, cwd=os.path.dirname(HERE))
    assert out.returncode == 0, out.stderr
    assert len([ln for ln in out.stdout.splitlines() if ln.startswith("export UV_TORCH_BACKEND=")]) == 1


def test_root_tree_is_read_like_any_other_input(cli):
    """--root DIR (a fixture sysroot): the driver branch from its files, glibc from its libc."""
    rc, out, err = cli("export", "--for", "conda", "--root", os.path.join(HERE, "fixtures", "roots", "runpod-4090"))
    assert rc == 0, err
    assert _shell_exports(out) == {"CONDA_OVERRIDE_CUDA": "12.8", "CONDA_OVERRIDE_GLIBC": "2.35"}
    assert "scan of" in out.splitlines()[0]
