"""recommend's install options (pure): --venv DIR, --find-links/--no-index, and pinned packages outside the matrix."""
import os

import pytest

from envcheck.errors import InputError
from envcheck.matrix.load import load_matrix
from envcheck.model.document import load_env_file
from envcheck.recommend import recommend

SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "envs", "seed-runpod-4090.yaml")
OFFLINE = ("--find-links", "/srv/wheel house", "--no-index")


@pytest.fixture(scope="module")
def both():
    return load_env_file(SEED), load_matrix()


def test_pip_args_go_on_every_pip_command_quoted(both):
    e, m = both
    best = recommend(e, m, "tensorrt-llm", pip_args=OFFLINE).paths[0]
    pips = [c for c in best.commands if " -m pip " in c]
    assert len(pips) == 2 and all(c.endswith("--find-links '/srv/wheel house' --no-index") for c in pips)
    assert best.venv == "/workspace/tensorrt-llm-0.19.0" and best.environment is None


def test_venv_names_the_fresh_venv_or_the_existing_environment(both):
    e, m = both
    fresh = recommend(e, m, "tensorrt-llm", into="/data/trt").paths[0]
    assert fresh.venv == "/data/trt" and any(c.endswith("-m venv /data/trt    # Python 3.10.12 (pythons[1].base)")
                                              for c in fresh.commands)
    into = recommend(e, m, "tensorrt-llm==0.13.0", into="/workspace/venv").paths[0]
    assert into.environment == "/workspace/venv" and into.status == "ok" and into.venv is None
    # an existing environment that does not fit is blocked, never swapped for another place
    no = next(p for p in recommend(e, m, "tensorrt-llm==1.0.0", into="/workspace/venv").paths if p.kind == "wheel")
    assert no.status == "blocked" and any("--venv /workspace/venv is an existing environment" in b for b in no.blockers)


def test_a_pinned_package_outside_the_matrix_is_judged_on_placement_only(both):
    e, m = both
    rec = recommend(e, m, "My_Pkg==1.2.3", into="/opt/x")
    (p,) = rec.paths
    assert (p.kind, p.target, p.version, p.status, p.venv) == ("wheel", "my-pkg", "1.2.3", "risky", "/opt/x")
    assert '"my-pkg==1.2.3"' in p.commands[-2] and "m.version('my-pkg')" in p.commands[-1]
    assert any("not a target the matrix describes" in r for r in p.reasons)


@pytest.mark.parametrize("target, message", [
    ("my-pkg", "must be pinned to one version"),
    ("my-pkg>=1", "must be pinned to one version"),
    ("tensorrt-lm==1.0", "did you mean tensorrt-llm?"),
    ("vlm==0.1", "did you mean vllm?"),
])
def test_unpinned_or_near_miss_names_are_refused(both, target, message):
    e, m = both
    with pytest.raises(InputError, match=message.replace("?", r"\?")):
        recommend(e, m, target)
