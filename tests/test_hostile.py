"""Hostile input survived (issue 12, item 3): FIFOs under --root, huge and deeply nested --env and policy files,
impossible values, unvalidated matrix overlays, terminal control characters, a METADATA with 200,000 lines, a junk
pyvenv.cfg version, 10,000 venvs. Each case was reproduced before it was fixed; each runs the real CLI or the real
loaders on real files."""
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from hostile_tree import DIST, SYSTEM_FILES, VENV_FILES, fifo, make_tree

from envcheck.errors import InputError
from envcheck.model.document import JSON_LIMIT, YAML_LIMIT, load_env_file
from envcheck.root import Root

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED = os.path.join(HERE, "fixtures", "envs", "seed-runpod-4090.yaml")
POLICY = os.path.join(HERE, "fixtures", "policies", "seed-pass.yaml")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def cli(*args, timeout=60, cwd=None):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    env.pop("ENVCHECK_MATRIX_DIR", None)
    p = subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True, env=env,
                       cwd=cwd or REPO, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


# -- FIFOs and other non-regular files under --root --------------------------------------------------------------
def test_root_reads_refuse_a_fifo_at_once(tmp_path):
    os.mkfifo(tmp_path / "f")
    (tmp_path / "d").mkdir()
    r = Root(str(tmp_path), live=False)
    for path in ("/f", "/d"):
        t = time.monotonic()
        with pytest.raises(OSError) as exc:
            r.read_text(path)
        assert "not a regular file" in str(exc.value)
        with pytest.raises(OSError):
            r.open_binary(path)
        assert time.monotonic() - t < 5   # generous: a blocking open would never return


@pytest.mark.parametrize("files", [SYSTEM_FILES, VENV_FILES, ("workspace/venv/pyvenv.cfg",)],
                         ids=["system-files", "venv-files", "pyvenv.cfg"])
def test_scan_with_fifos_in_place_of_every_file_finishes(tmp_path, files):
    root = make_tree(str(tmp_path / "root"))
    for rel in files:
        fifo(root, rel)
    rc, out, err = cli("scan", "--root", root, "--json", timeout=60)   # before the fix: blocked forever
    assert rc == 0, err
    doc = json.loads(out)
    if files is SYSTEM_FILES:
        assert "os" not in (doc.get("host") or {})      # unknown, not invented
    if files is VENV_FILES:
        venv = [p for p in doc["pythons"] if p.get("prefix") == "/workspace/venv"][0]
        assert any("not a regular file" in e for e in venv.get("errors", [])), venv


def test_elf_reader_never_opens_a_fifo(tmp_path):
    from envcheck.elf import read_elf

    os.mkfifo(tmp_path / "libx.so")
    info = read_elf("/libx.so", str(tmp_path / "libx.so"))
    assert info.error and "not a regular file" in info.error


# -- --env: size, nesting, aliases, dates, numbers, versions, schema ----------------------------------------------
def _env_file(tmp_path, text, name="e.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def _refused(path, *words):
    with pytest.raises(InputError) as exc:
        load_env_file(path)
    msg = str(exc.value)
    assert msg.startswith(path), msg
    for w in words:
        assert w in msg, msg
    return msg


def test_env_yaml_over_the_limit_is_refused_at_once(tmp_path):
    p = tmp_path / "big.yaml"
    line = "# " + "x" * 97 + "\n"
    p.write_text("schema: envcheck.environment/1\n" + line * (YAML_LIMIT // len(line) + 10))
    t = time.monotonic()
    _refused(str(p), "2 MiB", "JSON")
    assert time.monotonic() - t < 10   # before: 36-53 s for 50 MB of YAML
    rc, _, err = cli("check", "--env", str(p))
    assert rc == 2 and "larger than" in err


def test_env_json_over_the_limit_is_refused(tmp_path):
    p = tmp_path / "big.json"
    with open(p, "w") as fh:
        fh.write('{"schema": "envcheck.environment/1", "errors": {"x": "')
        fh.write("y" * (JSON_LIMIT + 1))
        fh.write('"}}')
    _refused(str(p), "64 MiB")


@pytest.mark.parametrize("text,name", [
    ("schema: envcheck.environment/1\nhost: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml"),
    ('{"schema": "envcheck.environment/1", "host": ' + "[" * 5000 + "]" * 5000 + "}", "deep.json"),
    ("host: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "deepmap.yaml"),
])
def test_deeply_nested_env_is_an_input_error_naming_the_file(tmp_path, text, name):
    path = _env_file(tmp_path, text, name)
    _refused(path)
    rc, _, err = cli("check", "--env", path)
    assert rc == 2, err                          # before: RecursionError, exit 3
    assert path in err and "internal error" not in err


@pytest.mark.parametrize("body,words", [
    ("host: {cpus: -4}", ["host.cpus", ">= 0"]),
    ("host: {memory_gib: -1.5}", ["host.memory_gib"]),
    ("host: {memory_gib: .nan}", ["finite"]),
    ("disk: [{path: /, free_gib: -10}]", ["disk[0].free_gib"]),
    ("disk: [{path: /, free_gib: .inf}]", ["finite"]),
    ("driver: {version: '-570.195.03'}", ["driver.version", "digits first"]),
    ("pythons: [{path: /x/bin/python, version: '99999999999999999999.1'}]", ["pythons[0].version"]),
    ("a: &x [1]\nb: *x", ["aliases"]),
    ("schema: envcheck.environment/1.5", ["newer than this envcheck"]),
    ("schema: envcheck.environment/2", ["not supported"]),
])
def test_impossible_env_values_are_refused_with_their_key(tmp_path, body, words):
    _refused(_env_file(tmp_path, body + "\n"), *words)


def test_env_dates_are_text_and_a_file_without_schema_is_a_hand_written_description(tmp_path):
    env = load_env_file(_env_file(tmp_path, "host: {os: 2027-02-30}\n"))   # before: ValueError, exit 3
    assert env.host.os == "2027-02-30"
    assert load_env_file(_env_file(tmp_path, "schema: envcheck.environment/1.0\n")).schema == "envcheck.environment/1"


# -- policies --------------------------------------------------------------------------------------------------
def _gate(tmp_path, policy_text):
    p = tmp_path / "p.yaml"
    p.write_text(policy_text)
    return cli("gate", "--policy", str(p), "--env", SEED)


def test_policy_impossible_date_is_file_line(tmp_path):
    rc, _, err = _gate(tmp_path, "schema: envcheck.policy/1\nrules:\n  - {rule: findings, fail_on: fail}\n"
                                 "waivers:\n  - code: requirement-unmet\n    reason: known and accepted\n"
                                 "    expires: 2027-02-30\n")
    assert rc == 2 and re.search(r"p\.yaml:7: '2027-02-30' is not a date", err), err


def test_policy_nan_and_negative_thresholds_are_refused(tmp_path):
    for value in (".nan", ".inf", "-5"):
        rc, _, err = _gate(tmp_path, f"schema: envcheck.policy/1\nrules:\n  - {{rule: disk, path: /, min_free_gib: {value}}}\n")
        assert rc == 2 and "p.yaml:3:" in err and "min_free_gib" in err, (value, err)


def test_policy_deep_nesting_and_newer_schema(tmp_path):
    rc, _, err = _gate(tmp_path, "schema: envcheck.policy/1\nrules:\n  - " + "[" * 5000 + "]" * 5000 + "\n")
    assert rc == 2 and "p.yaml:1: nested too deeply" in err, err
    rc, _, err = _gate(tmp_path, "schema: envcheck.policy/1.5\nrules:\n  - {rule: findings}\n")
    assert rc == 2 and "p.yaml:1:" in err and "not supported" in err, err


def test_aliases_are_refused_in_policies_and_matrix_overlays(tmp_path):
    """A nested alias bomb (`b: &b [*a, *a, ...]`) expands a few lines into a tree too large to print or copy."""
    bomb = "".join(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    rc, _, err = _gate(tmp_path, "schema: envcheck.policy/1\na: &a [x]\n" + bomb +
                       "rules:\n  - {rule: findings}\ndescription: *i\n")
    assert rc == 2 and "p.yaml:" in err and "aliases" in err, err
    d = tmp_path / "ov"
    d.mkdir()
    (d / "cuda.yaml").write_text("schema: envcheck.matrix.cuda/1\nrows:\n"
                                 "  - &r {version: \"99.0\", min_driver: \"999.1\", sources: [x]}\n  - *r\n")
    rc, _, err = cli("check", "--env", SEED, "--matrix", str(d))
    assert rc == 2 and "cuda.yaml:3:" in err and "aliases" in err, err


def test_policy_over_the_limit(tmp_path):
    rc, _, err = _gate(tmp_path, "schema: envcheck.policy/1\n" + "#" * (1 << 20) + "\nrules: []\n")
    assert rc == 2 and "larger than 1 MiB" in err


# -- matrix overlays -------------------------------------------------------------------------------------------
def test_matrix_overlay_rows_are_validated_on_load(tmp_path):
    d = tmp_path / "ov"
    d.mkdir()
    (d / "tensorrt-llm.yaml").write_text(
        "schema: envcheck.matrix.tensorrt-llm/1\nrows:\n"
        "  - version: \"9.0.0\"\n    cuda: [1]\n    python: [\"3.10\"]\n    sm: [\"89\"]\n"
        "  - version: \"9.1.0\"\n    cuda: \"12.4\"\n    python: [\"3.10\"]\n    sm: [\"89\"]\n    sources: [\"a\"]\n"
        "  - version: \"9.1.0\"\n    cuda: \"12.8\"\n    python: [\"3.10\"]\n    sm: [\"89\"]\n    sources: [\"b\"]\n")
    rc, out, err = cli("recommend", "--target", "tensorrt-llm", "--env", SEED, "--matrix", str(d))
    assert rc == 2, out                       # before: 9.1.0 recommended as ok
    assert f"{d}/tensorrt-llm.yaml:3:" in err and "sources" in err and "more" in err
    # each row alone: the type, then the duplicate
    (d / "tensorrt-llm.yaml").write_text(
        "schema: envcheck.matrix.tensorrt-llm/1\nrows:\n"
        "  - version: \"9.0.0\"\n    cuda: [1]\n    python: [\"3.10\"]\n    sm: [\"89\"]\n    sources: [\"a\"]\n")
    rc, _, err = cli("recommend", "--target", "tensorrt-llm", "--env", SEED, "--matrix", str(d))
    assert rc == 2 and ":3:" in err and "'cuda' should be a str" in err, err


def test_a_valid_overlay_still_loads(tmp_path):
    d = tmp_path / "ov"
    d.mkdir()
    (d / "tensorrt-llm.yaml").write_text(
        "schema: envcheck.matrix.tensorrt-llm/1\nrows:\n"
        "  - version: \"0.19.0\"\n    cuda: \"12.8.1\"\n    python: [\"3.10\", \"3.12\"]\n    sm: [\"89\"]\n"
        "    sources: [\"an internal build note\"]\n")
    rc, out, err = cli("recommend", "--target", "tensorrt-llm==0.19.0", "--env", SEED, "--matrix", str(d))
    assert rc in (0, 1), err
    assert "+local" in out


# -- control characters from the environment --------------------------------------------------------------------
EVIL = "Ubuntu \x1b]0;pwned\x07 22.04 \u202eevil\x00 \x9b2J"


def test_control_characters_never_reach_any_renderer(tmp_path):
    doc = {"schema": "envcheck.environment/1", "host": {"os": EVIL, "arch": "x86_64"},
           "driver": {"version": "570.195.03", "cuda": "12.8"},
           "disk": [{"path": "/\x1b[2J", "free_gib": 10.0, "total_gib": 20.0}],
           "pythons": [{"path": "/w/\x1b[31mv\u202e/bin/python", "prefix": "/w/\x1b[31mv\u202e", "kind": "venv",
                        "version": "3.10.12", "packages": {"torch": "2.4.0+cu121"},
                        "requires": {"torch": ["evil\x1b]8;;http://x\x07>=1"]}}]}
    env = tmp_path / "evil.json"
    env.write_text(json.dumps(doc))
    policy = tmp_path / "p.yaml"
    policy.write_text("schema: envcheck.policy/1\nrules:\n  - {rule: disk, path: /, min_free_gib: 100}\n"
                      "  - {rule: findings, fail_on: warn}\n")
    runs = [("scan", "--env", str(env)), ("scan", "--env", str(env), "--markdown"), ("check", "--env", str(env)),
            ("check", "--env", str(env), "--markdown"), ("recommend", "--target", "torch", "--env", str(env), "-v"),
            ("recommend", "--target", "torch", "--env", str(env), "--markdown"),
            ("gate", "--policy", str(policy), "--env", str(env), "--github", "--junit", str(tmp_path / "j.xml"),
             "--markdown", str(tmp_path / "g.md")),
            ("explain", "ImportError: libcudnn.so.9: cannot open shared object file", "--env", str(env))]
    for args in runs:
        rc, out, err = cli(*args)
        assert rc in (0, 1), (args, err)
        assert not CONTROL.search(out + err), (args, [m for m in CONTROL.findall(out + err)][:5])
    assert "\\x1b]0;pwned\\x07" in cli("scan", "--env", str(env))[1]     # shown, visibly
    for f in ("j.xml", "g.md"):
        text = (tmp_path / f).read_text()
        assert not CONTROL.search(text), f
    ET.parse(tmp_path / "j.xml")   # well-formed XML: it could not carry a NUL or an ESC


def test_a_venv_directory_named_with_escapes_is_shown_escaped(tmp_path):
    root = make_tree(str(tmp_path / "root"))
    os.rename(root + "/workspace/venv", root + "/workspace/v\x1b]0;x\x07env")
    rc, out, err = cli("scan", "--root", root)
    assert rc == 0, err
    assert "/workspace/v\\x1b]0;x\\x07env" in out and not CONTROL.search(out + err)


# -- METADATA and pyvenv.cfg -------------------------------------------------------------------------------------
def test_a_huge_metadata_is_read_in_whole_lines_and_reported_once(tmp_path):
    lines = ["Metadata-Version: 2.1", "Name: foo", "Version: 1.0", "Requires-Dist: bar ; python_version >>> '3'"]
    lines += [f"Requires-Dist: dep{i:06d}>=1.0" for i in range(200000)]
    root = make_tree(str(tmp_path / "root"), metadata="\n".join(lines) + "\n\nbody\n")
    rc, out, err = cli("scan", "--root", root, "--json")
    assert rc == 0, err
    venv = [p for p in json.loads(out)["pythons"] if p.get("prefix") == "/workspace/venv"][0]
    reqs = venv["requires"]["foo"]
    assert all(re.fullmatch(r"dep\d{6}>=1\.0", r) for r in reqs)   # never a line cut in the middle
    assert len(reqs) == 256
    notes = [e for e in venv["errors"] if DIST + "/METADATA" in e]
    assert len([n for n in notes if "larger than 256 KiB" in n]) == 1
    assert len([n for n in notes if "only the first 256" in n]) == 1
    assert len([n for n in notes if "cannot be evaluated" in n]) == 1
    assert not any(r.startswith("bar") for r in reqs)               # an invalid marker does not apply
    rc, out, _ = cli("check", "--root", root, "--json")
    unmet = [f for f in json.loads(out)["findings"] if f["code"] == "requirement-unmet"]
    assert len(unmet) == 21                                           # before: 8,757
    assert any("236 more requirements not met" in f["title"] for f in unmet), [f["title"] for f in unmet]


def test_a_junk_pyvenv_version_never_reaches_a_command(tmp_path):
    root = make_tree(str(tmp_path / "root"), pyvenv_version="99999999999999999999.1")
    rc, out, err = cli("scan", "--root", root, "--json")
    assert rc == 0, err
    venv = [p for p in json.loads(out)["pythons"] if p.get("prefix") == "/workspace/venv"][0]
    assert venv.get("version") != "99999999999999999999.1"
    for args in (("recommend", "--target", "torch", "-v"), ("recommend", "--target", "tensorrt-llm", "-v")):
        rc, out, err = cli(*args, "--root", root)
        assert "99999999999999999999" not in out + err


# -- many environments ----------------------------------------------------------------------------------------
def _many(n):
    pythons = [{"path": "/usr/bin/python3.10", "kind": "system", "version": "3.10.12"}]
    pythons += [{"path": f"/workspace/v{i:05d}/bin/python", "prefix": f"/workspace/v{i:05d}", "kind": "venv",
                 "version": "3.10.12", "base": "/usr/bin/python3.10", "packages": {"torch": "2.4.0+cu121"}}
                for i in range(n)]
    return {"schema": "envcheck.environment/1", "driver": {"version": "570.195.03", "cuda": "12.8"},
            "gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 4090", "compute_capability": "8.9"}],
            "disk": [{"path": "/", "role": "root", "free_gib": 500.0, "total_gib": 1000.0}], "pythons": pythons}


def test_recommend_judges_environments_once_per_kind_and_lists_a_bounded_number(tmp_path):
    """10,000 identical venvs are one group: the reasons and effects of an install path name a few and count the
    rest, so the report (and the work) does not grow by a line per venv for every release."""
    from envcheck.matrix.load import load_matrix
    from envcheck.model import Environment
    from envcheck.recommend import recommend

    matrix = load_matrix(include_user=False)
    sizes = {}
    for n in (20, 2000):
        rec = recommend(Environment.from_dict(_many(n)), matrix, "vllm")
        d = json.dumps(rec.to_dict())
        sizes[n] = len(d)
        assert f"{n - 3:,} more with the same Python and packages" in d
    assert sizes[2000] < sizes[20] * 1.2, sizes


# -- the fuzzers: any text in, exit 2 or success out ---------------------------------------------------------------
def test_fuzz_env_and_policy_loaders(tmp_path):
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from envcheck.gate.policy import parse_policy

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                        st.text(max_size=20), st.sampled_from(["570.195.03", "3.10.12", "2027-02-30", ".nan", "-1",
                                                               "envcheck.environment/1", "envcheck.policy/1"]))
    keys = st.sampled_from(["schema", "host", "os", "cpus", "memory_gib", "disk", "path", "free_gib", "driver",
                            "version", "gpus", "index", "pythons", "packages", "rules", "rule", "waivers", "code",
                            "reason", "expires", "min_free_gib", "min_version", "target", "x"])
    docs = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                        st.dictionaries(keys, kids, max_size=5)), max_leaves=25)
    yamlish = st.one_of(docs.map(lambda d: json.dumps(d, default=str)),
                        st.text(alphabet="{}[]:-,&*!|>'\"#\n 0123456789abcdeEnvcheck./", max_size=200))
    envf = tmp_path / "fuzz.yaml"

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(yamlish)
    def check(text):
        envf.write_text(text)
        try:
            load_env_file(str(envf))
        except InputError:
            pass
        try:
            parse_policy(text.encode(), "fuzz.yaml", set())
        except InputError:
            pass

    check()
