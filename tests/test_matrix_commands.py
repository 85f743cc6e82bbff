"""`envcheck matrix validate|show|diff|update|bundle` on small matrices built for the test."""
import functools
import hashlib
import http.server
import json
import os
import shutil
import threading

import pytest

from conftest import FIXTURES

MINI = os.path.join(FIXTURES, "matrix-mini")


@pytest.fixture
def mini(tmp_path):
    d = tmp_path / "m"
    shutil.copytree(MINI, d)
    return d


def test_the_fixture_matrix_is_valid(run_cli):
    rc, out, err = run_cli("matrix", "validate", "--only", MINI)
    assert rc == 0, out + err


@pytest.mark.parametrize("file, text, expect", [
    ("cuda.yaml", "schema: envcheck.matrix.cuda/1\nrows:\n  - {version: '12.4', min_driver: '550.54.14'\n", "cuda.yaml:4: not valid YAML"),
    ("cuda.yaml", "schema: envcheck.matrix.cuda/1\nrows:\n  - {version: '12.4', min_driver: '550.54.14', sources: [a]}\n"
                  "  - {version: '12.4', min_driver: '550.54.14', sources: [a]}\n", "cuda.yaml:4: duplicate cuda row '12.4'"),
    ("cuda.yaml", "schema: envcheck.matrix.cuda/1\nrows:\n  - {version: '12.4', min_driver: '550.54.14'}\n", "cuda.yaml:3: cuda 12.4: every row needs 'sources:'"),
    ("cuda.yaml", "schema: envcheck.matrix.cuda/1\nrows:\n  - {version: '12.4', min_drvier: '550', sources: [a]}\n", "cuda.yaml:3: cuda 12.4: unknown key 'min_drvier'"),
    ("cuda.yaml", "schema: envcheck.matrix.cuda/1\nrows:\n  - {version: '12.4', min_driver: '550.54.14', sources: [a]}\n"
                  "  - {version: '12.8', min_driver: '535.1', sources: [a]}\n", "cuda.yaml:4: cuda 12.8: min_driver 535.1 is lower"),
    ("tensorrt.yaml", "schema: envcheck.matrix.tensorrt/1\nrows:\n  - {version: 'ten', cuda: ['12'], sources: [a]}\n", "tensorrt.yaml:3: tensorrt version 'ten' does not parse"),
    ("tensorrt.yaml", "schema: envcheck.matrix.tensorrt/1\nrows:\n  - {version: '10.7.0', cuda: '12', sources: [a]}\n", "'cuda' should be a list"),
    ("tensorrt-llm.yaml", "schema: envcheck.matrix.tensorrt-llm/1\nrows:\n  - {version: '0.16.0', tensorrt: '10.9.0', torch: '>=2.5,<<2.6', sources: [a]}\n", "TensorRT 10.9.0 is not in tensorrt.yaml"),
    ("tensorrt-llm.yaml", "schema: envcheck.matrix.tensorrt-llm/1\nrows:\n  - {version: '0.16.0', torch: '>=2.5,<<2.6', sources: [a]}\n", "is not a PEP 440 specifier"),
    ("gpus.yaml", "schema: envcheck.matrix.gpu/1\nrows: []\n", "gpus.yaml:1: schema must be 'envcheck.matrix.gpus/1'"),
    ("gpus.yaml", "schema: envcheck.matrix.gpus/1\nrows: {a: 1}\n", "gpus.yaml:1: 'rows' must be a list"),
])
def test_validate_reports_file_line_and_exits_1(run_cli, mini, file, text, expect):
    (mini / file).write_text(text)
    rc, out, err = run_cli("matrix", "validate", "--only", str(mini))
    assert rc == 1, out + err
    assert expect in out, out
    assert "Traceback" not in out + err


def test_a_malformed_matrix_is_exit_2_for_other_commands(run_cli, mini):
    (mini / "cuda.yaml").write_text("schema: envcheck.matrix.cuda/1\nrows: [\n")
    rc, out, err = run_cli("check", "--env", os.path.join(FIXTURES, "envs", "seed-runpod-4090.yaml"),
                           "--matrix", str(mini))
    assert rc == 2 and "cuda.yaml:" in err and "Traceback" not in err


def test_overlay_adds_and_overrides_rows(run_cli, tmp_path):
    over = tmp_path / "over"
    over.mkdir()
    (over / "tensorrt-llm.yaml").write_text(
        "schema: envcheck.matrix.tensorrt-llm/1\nrows:\n"
        "  - {version: '0.16.0', cuda: '12.4', sources: [internal build log]}\n"
        "  - {version: '0.16.0.dev9', cuda: '12.4', sources: [internal build log]}\n")
    from envcheck.matrix.load import load_matrix
    m = load_matrix([str(over)], include_user=False, base=MINI)
    assert m.row("tensorrt-llm", "0.16.0").get("cuda") == "12.4"
    assert m.row("tensorrt-llm", "0.16.0.dev9") is not None
    assert m.version == "2000-01-01+local"


def test_show_json_and_table(run_cli):
    rc, out, _ = run_cli("matrix", "show", "tensorrt-llm", "--json", "--matrix", MINI)
    doc = json.loads(out)
    assert rc == 0 and "version" in doc and any(r["version"] == "0.16.0" for r in doc["rows"])
    rc, out, _ = run_cli("matrix", "show", "cuda", "--matrix", MINI)
    assert rc == 0 and "min_driver" in out
    rc, _, err = run_cli("matrix", "show", "nope")
    assert rc == 2 and "no subject 'nope'" in err


def test_diff(run_cli, mini):
    (mini / "index.yaml").write_text('schema: envcheck.matrix/1\nversion: "2000-02-01"\n')
    text = (mini / "cuda.yaml").read_text().replace('min_driver: "570.26"', 'min_driver: "570.86.10"')
    (mini / "cuda.yaml").write_text(text + '  - {version: "13.1", min_driver: "590.1", sources: [x]}\n')
    rc, out, _ = run_cli("matrix", "diff", MINI, str(mini))
    assert rc == 0
    assert "version: 2000-01-01 -> 2000-02-01" in out
    assert "+ cuda 13.1" in out
    assert "~ cuda 12.8: min_driver: '570.26' -> '570.86.10'" in out


# -- update, against a local HTTP server on 127.0.0.1 ---------------------------------------------------------
@pytest.fixture
def server(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _store(tmp_path):
    return {"ENVCHECK_HOME": str(tmp_path / "home")}


def _installed_version(run_cli, env):
    rc, out, _ = run_cli("matrix", "show", "--json", env=env)
    return json.loads(out)["version"]


def test_update_installs_a_valid_newer_bundle_atomically(run_cli, server, tmp_path, mini):
    www, url = server
    (mini / "index.yaml").write_text('schema: envcheck.matrix/1\nversion: "2999-01-01"\n')
    rc, out, err = run_cli("matrix", "bundle", str(www / "m.tar.gz"), "--matrix", str(mini))
    assert rc == 0, err
    env = _store(tmp_path)
    rc, out, err = run_cli("matrix", "update", "--from", f"{url}/m.tar.gz", env=env)
    assert rc == 0, err
    assert "-> 2999-01-01" in out
    assert _installed_version(run_cli, env) == "2999-01-01"
    assert os.path.islink(tmp_path / "home" / "matrix" / "current")


@pytest.mark.parametrize("damage, words", [
    ("checksum", "checksum mismatch"),
    ("truncate", "not a readable .tar.gz"),
    ("invalid", "the new matrix is invalid"),
    ("missing", "HTTP 404"),
])
def test_failed_updates_leave_the_old_matrix(run_cli, server, tmp_path, mini, damage, words):
    www, url = server
    env = _store(tmp_path)
    (mini / "index.yaml").write_text('schema: envcheck.matrix/1\nversion: "2999-01-01"\n')
    run_cli("matrix", "bundle", str(www / "good.tar.gz"), "--matrix", str(mini))
    assert run_cli("matrix", "update", "--from", f"{url}/good.tar.gz", env=env)[0] == 0
    before = _installed_version(run_cli, env)
    bad = mini / "bad"
    shutil.copytree(mini, bad, ignore=shutil.ignore_patterns("bad"))
    (bad / "index.yaml").write_text('schema: envcheck.matrix/1\nversion: "3000-01-01"\n')
    if damage == "invalid":
        (bad / "cuda.yaml").write_text("schema: envcheck.matrix.cuda/1\nrows:\n  - {version: '12.4'}\n")
    run_cli("matrix", "bundle", str(www / "b.tar.gz"), "--matrix", str(bad))
    if damage == "checksum":
        (www / "b.tar.gz.sha256").write_text("0" * 64 + "  b.tar.gz\n")
    if damage == "truncate":
        data = (www / "b.tar.gz").read_bytes()[:100]
        (www / "b.tar.gz").write_bytes(data)
        (www / "b.tar.gz.sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    target = f"{url}/{'nothing' if damage == 'missing' else 'b'}.tar.gz"
    rc, out, err = run_cli("matrix", "update", "--from", target, env=env)
    assert rc == 2 and words in err and "unchanged" in err, err
    assert _installed_version(run_cli, env) == before


def test_update_without_network_says_so(run_cli, tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    rc, _, err = run_cli("matrix", "update", "--from", f"http://127.0.0.1:{port}/m.tar.gz", env=_store(tmp_path))
    assert rc == 2 and "cannot reach" in err and "unchanged" in err


def _bomb(path, members):
    """A .tar.gz bundle of `members` (name, size) whose files are all zeros: tiny packed, large unpacked."""
    import gzip
    import hashlib
    import tarfile

    class Zeros:
        def __init__(self, n):
            self.left = n

        def read(self, n=-1):
            n = self.left if n is None or n < 0 else min(n, self.left)
            self.left -= n
            return bytes(n)

    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w|") as tar:
            for name, size in members:
                info = tarfile.TarInfo(name)
                info.size = size
                tar.addfile(info, Zeros(size))
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.mark.parametrize("members, words", [
    ([("index.yaml", 100 << 20)], "unpacks to 104857600 bytes, more than 16 MiB (the bound on one matrix file)"),
    ([(f"m{i}.yaml", 15 << 20) for i in range(5)], "the bundle: more than 67108864 bytes (64 MiB, the bound on an unpacked bundle)"),
    ([(f"m{i}.yaml", 0) for i in range(300)], "more than 256 files in the bundle (the bound on its files)"),
])
def test_update_bounds_what_a_bundle_unpacks_to(run_cli, tmp_path, members, words):
    """A few hundred KB that expand to gigabytes (the sha256 given, so the bytes are what the user asked for)."""
    bundle = str(tmp_path / "bomb.tar.gz")
    digest = _bomb(bundle, members)
    assert os.path.getsize(bundle) < (1 << 20)
    env = _store(tmp_path)
    rc, out, err = run_cli("matrix", "update", "--from", bundle, "--sha256", digest, env=env)
    assert rc == 2 and words in err and "installed matrix is unchanged" in err, err
    store = tmp_path / "home" / "matrix"
    assert not store.exists() or os.listdir(str(store)) == []


def test_update_refuses_a_current_that_is_not_a_link(run_cli, tmp_path, mini):
    bundle = str(tmp_path / "m.tar.gz")
    assert run_cli("matrix", "bundle", bundle, "--matrix", str(mini))[0] == 0
    store = tmp_path / "home" / "matrix"
    (store / "current").mkdir(parents=True)
    rc, _, err = run_cli("matrix", "update", "--from", bundle, env=_store(tmp_path))
    assert rc == 2 and "refusing to replace it: it is not a symbolic link" in err, err
    assert sorted(os.listdir(str(store))) == ["current"]


def test_bundle_refuses_a_fifo_among_the_yaml_files(run_cli, tmp_path, mini):
    os.mkfifo(str(mini / "zz.yaml"))
    rc, _, err = run_cli("matrix", "bundle", str(tmp_path / "m.tar.gz"), "--matrix", str(mini))
    assert rc == 2 and "zz.yaml: not a regular file (a FIFO)" in err, err
    assert not (tmp_path / "m.tar.gz").exists()
