"""The Environment model: lossless round trips, partial documents, strict loading, the published schema."""
import json

import jsonschema
import pytest
import yaml

from envcheck.model import Environment, ModelError, environment_schema
from envcheck.versions import Version
from conftest import ENVS

SEED = f"{ENVS}/seed-runpod-4090.yaml"


def seed_dict():
    with open(SEED) as fh:
        return yaml.safe_load(fh)


def test_round_trip_is_lossless():
    env = Environment.from_dict(seed_dict())
    again = Environment.from_dict(json.loads(env.to_json()))
    assert again == env
    assert again.to_dict() == env.to_dict()


def test_versions_keep_their_text_and_order_numerically():
    env = Environment.from_dict(seed_dict())
    assert str(env.driver.version) == "570.195.03"  # packaging alone would print 570.195.3
    assert env.driver.version < Version("580.65.06")
    assert env.pythons[1].packages["torch"].local == "cu121"


def test_partial_document_leaves_unknown_as_none():
    env = Environment.from_dict({"driver": {"version": "570.195.03"}})
    assert env.host is None and env.gpus is None and env.pythons is None
    assert env.driver.cuda is None
    assert "gpus" not in env.to_dict()  # unknown stays unknown, not "absent"


def test_empty_list_is_known_absent():
    env = Environment.from_dict({"gpus": []})
    assert env.gpus == ()
    assert env.to_dict()["gpus"] == []


@pytest.mark.parametrize("doc, where, words", [
    ({"drivers": {}}, "drivers", "unknown key"),
    ({"pythons": [{"path": "/x", "pakages": {}}]}, "pythons[0].pakages", "unknown key"),
    ({"gpus": [{"index": "zero"}]}, "gpus[0].index", "expected an integer"),
    ({"gpus": [{"name": "x"}]}, "gpus[0].index", "required"),
    ({"driver": {"version": 570}}, None, None),  # a number is accepted as a version
    ({"driver": {"version": ["570"]}}, "driver.version", "expected a version string"),
    ({"disk": {"path": "/"}}, "disk", "expected a list"),
    ({"schema": "envcheck.environment/2"}, "schema", "not supported"),
    ({"schema": "something-else/1"}, "schema", "not an envcheck environment"),
])
def test_strict_loading_names_the_key(doc, where, words):
    if where is None:
        assert str(Environment.from_dict(doc).driver.version) == "570"
        return
    with pytest.raises(ModelError) as exc:
        Environment.from_dict(doc)
    assert exc.value.where == where
    assert words in exc.value.message


def test_schema_validates_documents_and_rejects_unknown_keys():
    schema = environment_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    env = Environment.from_dict(seed_dict())
    jsonschema.validate(env.to_dict(), schema)
    bad = env.to_dict()
    bad["host"]["colour"] = "blue"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
