"""The one door in (envcheck/documents.py): hostile documents are a clean DocumentError (exit 2) naming the file,
through real files and through the real surfaces (--env, --policy, fleet report)."""
from __future__ import annotations

import json
import os

import pytest

from envcheck.documents import (Bounds, DocumentError, LinedDict, load_json, load_json_or_yaml, load_yaml,
                                parse_json, parse_yaml, read_stream)
from envcheck.errors import EXIT_USAGE, InputError

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "fixtures", "envs", "seed-runpod-4090.yaml")
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))

HOSTILE = [
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested"),
    ("deepobj.json", '{"a":' * 100_000 + "1" + "}" * 100_000, "nested"),
    ("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested"),
    ("digits.json", '{"a": ' + "9" * 5000 + "}", "digits"),
    ("digits.yaml", "a: " + "9" * 5000 + "\n", "digits"),
    ("big.json", '{"a": 18446744073709551616}', "64 bits"),
    ("nan.json", '{"a": NaN}', "finite"),
    ("inf.json", '{"a": -Infinity}', "finite"),
    ("huge.json", '{"a": 1e999}', "finite"),
    ("nan.yaml", "a: .nan\n", "finite"),
    ("inf.yaml", "a: .inf\n", "finite"),
    ("dup.json", '{"a": 1, "a": 2}', "duplicate key 'a'"),
    ("dup.yaml", "a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first on line 1)"),
    ("tag.yaml", "a: !!python/object/apply:os.system ['echo pwned']\n", "python/object"),
    ("tag2.yaml", "!!python/object:builtins.dict {}\n", "python/object"),
    ("bomb.yaml", BOMB, "aliases"),
    ("nul.yaml", "schema: \x00\x00\n", "U+0000"),
    ("bell.yaml", "a: \x07\n", "U+0007"),
]


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("name,text,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_documents_are_a_clean_document_error(tmp_path, name, text, words):
    path = _write(tmp_path, name, text)
    load = load_json if name.endswith(".json") else load_yaml
    for reader in (load, load_json_or_yaml):
        with pytest.raises(DocumentError) as exc:
            reader(path)
        assert isinstance(exc.value, InputError) and exc.value.exit_code == EXIT_USAGE
        assert str(exc.value).startswith(path) and words in str(exc.value), str(exc.value)


def test_yaml_errors_carry_the_line(tmp_path):
    with pytest.raises(DocumentError) as exc:
        load_yaml(_write(tmp_path, "x.yaml", "a: 1\nb: [1, 2]\nc: .inf\n"))
    assert exc.value.line == 3 and ":3: " in str(exc.value)
    doc = parse_yaml("a: 1\nb:\n  c: 2\n", "x")
    assert isinstance(doc, LinedDict) and doc.line_of("b") == 2 and doc["b"].line_of("c") == 3


def test_counts_and_strings_are_bounded():
    small = Bounds(max_items=3, max_nodes=9, max_string=5, max_depth=3)
    for text, words in (("[1, 2, 3, 4]", "entries"), ("[[1, 2], [3, 4], [5, 6]]", "values"),
                        ('["abcdef"]', "string longer"), ("[[[[1]]]]", "nested deeper")):
        with pytest.raises(DocumentError, match=words):
            parse_json(text, "doc", small)
        with pytest.raises(DocumentError, match=words):
            parse_yaml(text, "doc", small)
    assert parse_json('{"a": [1, 2.5, "x", null, true]}', "doc") == {"a": [1, 2.5, "x", None, True]}


def test_an_oversized_file_is_refused_after_reading_at_most_the_limit(tmp_path):
    path = _write(tmp_path, "big.json", "[" + "1," * 1000 + "1]")
    with pytest.raises(DocumentError, match="larger than 1000 bytes"):
        load_json(path, Bounds(max_bytes=1000))


def test_a_fifo_a_directory_and_a_missing_file_are_refused(tmp_path):
    fifo = str(tmp_path / "pipe.json")
    os.mkfifo(fifo)
    for path, words in ((fifo, "not a regular file"), (str(tmp_path), "directory"),
                        (str(tmp_path / "none.json"), "cannot read")):
        with pytest.raises(DocumentError, match=words):
            load_json(path)


def test_stdin_reading_is_capped(tmp_path):
    path = _write(tmp_path, "log", "x" * 5000)
    with open(path, "rb") as fh:
        with pytest.raises(DocumentError, match="<stdin>: larger than 1000 bytes"):
            read_stream(fh, 1000)
    with open(path, "rb") as fh:
        assert len(read_stream(fh, 5000)) == 5000


@pytest.mark.parametrize("name,text,words", [h for h in HOSTILE if h[0] not in ("big.json",)],
                         ids=[h[0] for h in HOSTILE if h[0] not in ("big.json",)])
def test_check_env_refuses_hostile_documents_with_exit_2(cli, tmp_path, name, text, words):
    path = _write(tmp_path, name, text)
    rc, _, err = cli("check", "--env", path)
    assert rc == 2, err
    assert path in err and "internal error" not in err and "Traceback" not in err


def test_check_env_in_a_subprocess_100k_deep(run_cli, tmp_path):
    path = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    rc, _, err = run_cli("check", "--env", path)
    assert rc == 2 and path in err and "Traceback" not in err, err


@pytest.mark.parametrize("extra,words", [
    ("description: 18446744073709551616\n", "64 bits"),
    ("description: !!python/object/apply:os.system ['true']\n", "python/object"),
    ("description: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
])
def test_policy_refuses_hostile_documents(cli, tmp_path, extra, words):
    p = tmp_path / "p.yaml"
    p.write_text("schema: envcheck.policy/1\nrules:\n  - {rule: findings}\n" + extra)
    rc, _, err = cli("gate", "--policy", str(p), "--env", SEED)
    assert rc == 2 and "p.yaml:" in err and words in err, err


def test_fleet_report_lists_the_bad_document_and_reports_the_rest(cli, tmp_path):
    rc, out, _ = cli("scan", "--env", SEED, "--json")
    doc = json.loads(out)
    for n in (1, 2):
        doc.setdefault("host", {})["hostname"] = f"good-{n}"
        (tmp_path / f"good-{n}.json").write_text(json.dumps(doc))
    (tmp_path / "bad.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "nan.json").write_text('{"host": {"hostname": "n", "memory_gib": NaN}}')
    rc, out, err = cli("fleet", "report", str(tmp_path))
    text = out + err
    assert "good-1" in text and "good-2" in text, text
    assert "bad" in text and "nested" in text and "nan" in text and "finite" in text, text


def _targz(members, fmt=None) -> bytes:
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=fmt or tarfile.PAX_FORMAT) as tar:
        for name, data, pax in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            if pax:
                info.pax_headers = pax
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_sdist_files_reads_the_members_asked_for():
    from envcheck.archives import sdist_files
    data = _targz([("pkg-1.0/PKG-INFO", b"Name: pkg\n", None), ("pkg-1.0/pyproject.toml", b"[x]\n", None),
                   ("pkg-1.0/big.txt", b"y" * 5000, None)])
    got = sdist_files(data, "pkg-1.0.tar.gz", lambda n: not n.endswith(".txt"), 1024)
    assert got == {"pkg-1.0/PKG-INFO": b"Name: pkg\n", "pkg-1.0/pyproject.toml": b"[x]\n"}
    assert sdist_files(data, "pkg-1.0.tar.gz", lambda n: True, 1024).keys() == got.keys()   # 5000 > 1024: skipped


def test_sdist_files_bounds_what_a_small_archive_unpacks_to():
    from envcheck import archives, documents
    bomb = _targz([("pkg/zeros", b"\0" * (archives.SDIST_UNPACKED + 1024), None), ("pkg/PKG-INFO", b"x", None)])
    assert len(bomb) < archives.SDIST_UNPACKED // 100          # ~65 KiB of gzip
    with pytest.raises(documents.DocumentError, match="unpacks to more than 64 MiB"):
        archives.sdist_files(bomb, "bomb.tar.gz", lambda n: n.endswith("PKG-INFO"), 1 << 20)
    pax = _targz([("pkg/PKG-INFO", b"x", {"comment": "c" * (archives.SDIST_UNPACKED + 1)})])
    with pytest.raises(documents.DocumentError, match="unpacks to more than"):   # a pax header is counted too
        archives.sdist_files(pax, "pax.tar.gz", lambda n: True, 1 << 20)
    with pytest.raises(documents.DocumentError, match="not a readable source archive"):
        archives.sdist_files(b"\x1f\x8b" + b"junk" * 10, "junk.tar.gz", lambda n: True, 1 << 20)
