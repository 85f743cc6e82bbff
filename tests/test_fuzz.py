"""The fuzz harness's CI sample: a few generated hostile inputs from every surface, each run through the real CLI
and judged as `python benchmarks/fuzz.py` judges the full run (ok, traceback, exit 3, hang, wrong). Also checks
that the judge itself sees what it must: a wrong exit code, a raw control byte, a replaced FIFO, a leftover
temporary file."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "benchmarks"))

import fuzz  # noqa: E402
from fuzzcases import ANSWERED, REFUSED, SEED_ENV, Case, _fifo, all_cases, write  # noqa: E402

SAMPLE = all_cases(seed=7, scale=0.012)


def test_the_sample_covers_every_surface():
    from fuzzcases import SURFACES
    assert {c.surface for c in SAMPLE} == set(SURFACES)
    assert len(all_cases(scale=1.0)) >= 2500


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_sampled_hostile_input(case):
    res = fuzz.run_case(case)
    assert res.klass == "ok", f"{res.klass}: {res.why}"


def test_the_judge_sees_a_good_input_refused_and_a_bad_one_answered():
    res = fuzz.run_case(Case("t", "refuse-good", ["scan", "--env", SEED_ENV], lambda d: None, expect=REFUSED))
    assert (res.klass, res.rc) == ("wrong", 0)
    res = fuzz.run_case(Case("t", "answer-bad", ["scan", "--env", "{d}/missing.json"], lambda d: None,
                             expect=ANSWERED))
    assert (res.klass, res.rc) == ("wrong", 2)


def test_the_judge_sees_a_replaced_fifo_and_a_leftover_temp_file(tmp_path):
    def build(d):
        _fifo(os.path.join(d, "out"))
    # the judge itself: a FIFO replaced by a file (as a careless writer would) is "wrong"
    case = Case("t", "fifo", ["scan", "--env", SEED_ENV], build, protect=("out",))
    d = str(tmp_path)
    for sub in ("home", "tmp"):
        os.makedirs(os.path.join(d, sub))
    case.build(d)
    state = {"out": fuzz._state(os.path.join(d, "out"))}
    before = fuzz._tree(d)
    os.remove(os.path.join(d, "out"))
    write(os.path.join(d, "out"), b"replaced")
    assert fuzz.judge(case, d, 0, "", "", state, before)[0] == "wrong"
    os.remove(os.path.join(d, "out"))
    _fifo(os.path.join(d, "out"))
    state = {"out": fuzz._state(os.path.join(d, "out"))}
    write(os.path.join(d, "tmp", "envcheck-image-x"), b"")
    klass, why = fuzz.judge(case, d, 0, "", "", state, fuzz._tree(d))
    assert klass == "wrong" and "temporary" in why


def test_the_judge_sees_raw_control_bytes(tmp_path):
    case = Case("t", "ctl", ["scan"], lambda d: None)
    d = str(tmp_path)
    os.makedirs(os.path.join(d, "tmp"))
    assert fuzz.judge(case, d, 0, "GPU \x1b[31mred", "", {}, {})[0] == "wrong"
    assert fuzz.judge(case, d, 0, "GPU \\x1b[31mred", "", {}, fuzz._tree(d))[0] == "ok"
