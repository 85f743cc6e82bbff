"""The outputs of scan, check, recommend, gate, explain, fit, labels and fleet report on the fixture
environments, byte for byte (tests/golden/cases.py says how they are made and normalised). A change that alters
what a user reads must update them on purpose: `python tests/golden/cases.py --update`, and the diff shows it."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "golden"))

import cases  # noqa: E402


@pytest.fixture(scope="module")
def outputs():
    return cases.outputs()


@pytest.mark.parametrize("name", [n for n, _ in cases.CASES])
def test_golden_output_unchanged(outputs, name):
    with open(os.path.join(cases.OUT, name + ".txt")) as fh:
        expected = fh.read()
    assert outputs[name] == expected, f"{name}: output changed; if on purpose: python tests/golden/cases.py --update"


def test_every_golden_file_has_a_case():
    names = {n for n, _ in cases.CASES}
    stale = sorted(f[:-4] for f in os.listdir(cases.OUT) if f[:-4] not in names)
    assert not stale, f"golden outputs without a case: {stale}"
