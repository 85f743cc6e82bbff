"""findings.CODE_MODULES names every module that registers a finding code, so `envcheck codes` and policy waivers
see the same set."""
import pathlib
import re

from envcheck.findings import CODE_MODULES, registered_codes

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_code_modules_are_every_registering_module():
    registering = set()
    for path in (ROOT / "envcheck").rglob("*.py"):
        if re.search(r"^\w+ = register\(", path.read_text(), re.M):
            registering.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    assert registering == set(CODE_MODULES)


def test_registered_codes_include_checks_explain_and_gate():
    codes = registered_codes()
    assert any(c.startswith("driver-") for c in codes)
    assert any(c.startswith("gate-") for c in codes)
