"""explain on the messages programs print when the environment is wrong, read from their own source
(tests/data/explain/source_wordings.yaml: the file and line, the format string, an instance, the cause its
condition means). Every message answered with its cause stays answered; the rest are listed, not asserted."""
import os
import re

import pytest
import yaml

from envcheck.explain import FILL_FAILED, explain
from envcheck.explain.patterns import recognise
from envcheck.findings import REGISTRY
from envcheck.matrix.load import load_matrix
from envcheck.model import Environment
from envcheck.report.recommend import render_explanation

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "data", "explain", "source_wordings.yaml"), encoding="utf-8") as fh:
    ENTRIES = yaml.safe_load(fh)["entries"]
ANSWERED = [e for e in ENTRIES if e["answered"]]


def test_the_harvest_is_well_formed():
    assert len(ENTRIES) >= 636 and len(ANSWERED) >= 463
    for e in ENTRIES:
        assert e["code"] in REGISTRY, e["code"]
        assert e["program"].count("/") == 1 and ":" in e["where"], e["where"]
        assert e["message"].strip() and e["template"].strip() and e["condition"].strip()


@pytest.mark.parametrize("entry", ANSWERED, ids=[f"{e['program']}:{e['where']}" for e in ANSWERED])
def test_a_programs_own_message_keeps_its_cause(entry):
    found = recognise(entry["message"])
    assert found and found[0].code == entry["code"], [m.code for m in found]


def test_every_answer_is_filled_in_without_placeholders():
    """explain on every harvested message (answered or not): each answer is the family's own, filled in from the
    message (none fell back on the cause's summary), with no empty slot or unformatted placeholder in it."""
    matrix = load_matrix(include_user=False)
    for e in ENTRIES:
        for ex in explain(e["message"], Environment(), matrix):
            text = render_explanation(ex)
            assert FILL_FAILED not in text, (e["where"], text)
            assert not re.search(r" \(\)|\{py\}|\bNone\b|\w  is\b|sm_\?|: \?|\bfor CUDA \)|CUDA (?:to|for) (?:[,.)]|$)", text), (e["where"], text)
