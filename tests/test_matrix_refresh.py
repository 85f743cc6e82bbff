"""`envcheck matrix refresh` against a package index served from a temp dir on 127.0.0.1 (no network)."""
import json
import os
import shutil

import pytest

from conftest import REPO
from refresh_index import Index, populate

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build the ELF files")
PAD = 4 << 20


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    idx = Index(str(root))
    populate(idx, str(root / "work"), pad=PAD)
    url = idx.start()
    yield idx, url
    idx.stop()


def _refresh(run_cli, url, out, *args):
    rc, stdout, err = run_cli("matrix", "refresh", "--index-url", url, "-o", str(out), *args)
    rep = json.load(open(out / "refresh-report.json")) if (out / "refresh-report.json").exists() else None
    return rc, stdout, err, rep


def _wheel_sizes(idx):
    return {fn: os.path.getsize(os.path.join(idx.files_dir, fn)) for fn in os.listdir(idx.files_dir)}


def test_new_versions_become_cited_candidate_rows_by_range_requests(run_cli, index, tmp_path):
    idx, url = index
    idx.ranges, idx.json_api, idx.pep658 = True, True, False
    out = tmp_path / "out"
    sent0 = idx.sent
    rc, stdout, err, rep = _refresh(run_cli, url, out)
    assert rc == 0, err
    new = {(c["subject"], c["version"]): c for c in rep["new"]}
    assert set(new) == {("vllm", "0.99.0"), ("torch", "2.99.0"), ("sglang", "0.9.0"), ("tensorrt", "99.0.0.1"),
                        ("tensorrt-llm", "9.0.0")}
    assert new["vllm", "0.99.0"]["row"] == {"torch": "==2.99.0", "python": ["3.11", "3.12", "3.13", "3.14"],
                                            "cuda": "13.1", "released": "2026-12-01"}
    assert new["torch", "2.99.0"]["row"] == {"default_cuda": "cu132", "python": ["3.11", "3.12", "3.13", "3.14"]}
    assert new["sglang", "0.9.0"]["row"]["cuda"] == "13.1"
    assert new["sglang", "0.9.0"]["row"]["python"] == ["3.11", "3.12", "3.13", "3.14"]  # capped by torch's wheels
    assert new["tensorrt", "99.0.0.1"]["row"] == {"cuda": ["12", "13"], "python": ["3.11", "3.12"], "pypi": [
        "tensorrt", "tensorrt-cu12", "tensorrt-cu12-bindings", "tensorrt-cu13", "tensorrt-cu13-bindings",
        "tensorrt-cu13-libs"]}
    trtllm = new["tensorrt-llm", "9.0.0"]["row"]
    assert trtllm["tensorrt"] == "99.0.0" and trtllm["python"] == ["3.10", "3.12"] and "cuda" not in trtllm
    assert trtllm["pypi"]["build_backend"] == "wheel_stub.buildapi" and trtllm["pypi"]["stub_only"] is False
    # bytes: a CUDA wheel is read through its ZIP directory and the few members a fact needs, never whole
    sizes = _wheel_sizes(idx)
    for key in (("vllm", "0.99.0"), ("torch", "2.99.0")):
        c = new[key]
        assert c["bytes_fetched"] < 0.01 * c["bytes_of_files_read"], c
    assert idx.sent - sent0 < 0.02 * sum(sizes.values())
    assert rep["servers_without_ranges"] == []
    # the written rows cite the exact file and hash, and make a valid matrix whose diff is the review
    text = (out / "vllm.yaml").read_text()
    sha = __import__("hashlib").sha256(open(os.path.join(idx.files_dir, "vllm-0.99.0-cp38-abi3-manylinux_2_28_x86_64.whl"),
                                            "rb").read()).hexdigest()
    assert 'derived_by: "refresh"' in text and sha in text and "vllm/_C.abi3.so" in text
    rc, vout, verr = run_cli("matrix", "validate", "--only", str(out))
    assert rc == 0, vout + verr
    rc, dout, _ = run_cli("matrix", "diff", os.path.join(REPO, "matrix"), str(out))
    assert "+ vllm 0.99.0" in dout and "+ torch 2.99.0" in dout and "+ tensorrt-llm 9.0.0" in dout
    assert "- " not in dout.replace("-> ", "")  # nothing removed


def test_existing_versions_report_agreement_and_each_disagreement(run_cli, index, tmp_path):
    idx, url = index
    idx.ranges, idx.json_api = True, True
    rc, stdout, err, rep = _refresh(run_cli, url, tmp_path / "o", "vllm", "--existing", "--version", "0.11.2",
                                    "--version", "0.12.0")
    assert rc == 0, err
    dis = [(d["version"], d["key"]) for d in rep["disagreements"]]
    assert dis == [("0.12.0", "torch"), ("0.12.0", "cuda")]  # the index says torch==2.9.1 and nvcc 12.8
    assert rep["agreement"]["facts"] == 8 and rep["agreement"]["agree"] == 6
    assert "agreement with the matrix: 6/8" in stdout and "vllm 0.12.0 torch: matrix '==2.9.0', derived '==2.9.1'" in stdout


def test_html_index_and_pep658_metadata(run_cli, index, tmp_path):
    idx, url = index
    idx.ranges, idx.json_api, idx.pep658 = True, False, False
    rc, _, err, rep = _refresh(run_cli, url, tmp_path / "h", "torch")
    assert rc == 0, err
    assert rep["new"][0]["row"]["default_cuda"] == "cu132"
    assert rep["new"][0]["bytes_of_files_read"] > PAD and rep["new"][0]["fraction"] < 0.01  # size from Content-Range
    idx.json_api, idx.pep658 = True, True
    rc, _, err, rep = _refresh(run_cli, url, tmp_path / "p", "torch")
    idx.pep658 = False
    assert rc == 0, err
    assert rep["bytes_by_kind"].get("zip-directory", 0) == 0 and rep["bytes_by_kind"]["metadata"] > 0
    assert "PEP 658" in " ".join(json.load(open(tmp_path / "p" / "refresh-report.json"))["new"][0]["sources"])


def test_a_server_without_ranges_is_read_whole_up_to_the_cap(run_cli, index, tmp_path):
    idx, url = index
    idx.ranges = False
    try:
        rc, stdout, err, rep = _refresh(run_cli, url, tmp_path / "n", "vllm")
        assert rc == 0, err
        assert rep["new"][0]["row"]["cuda"] == "13.1"
        assert rep["servers_without_ranges"] and "downloaded whole" in stdout
        assert rep["bytes_by_kind"]["full-download"] >= PAD
        rc, stdout, err, rep = _refresh(run_cli, url, tmp_path / "c", "vllm", "--full-cap", str(1 << 20))
        assert rc == 0, err
        assert "ignores HTTP ranges" in rep["new"][0]["error"] and "cap" in rep["new"][0]["error"]
        assert rep["bytes_by_kind"].get("full-download", 0) <= (1 << 20) + (1 << 16)  # stopped early
    finally:
        idx.ranges = True


def test_usage_errors(run_cli, tmp_path):
    rc, _, err = run_cli("matrix", "refresh", "nope", "-o", str(tmp_path))
    assert rc == 2 and "unknown subject" in err
    rc, _, err = run_cli("matrix", "refresh", "--since", "yesterday", "-o", str(tmp_path))
    assert rc == 2 and "YYYY-MM-DD" in err


def test_the_workflow_example_runs_commands_that_exist(run_cli, tmp_path):
    """examples/github-actions/matrix-refresh.yml: valid YAML; its envcheck commands parse (their --help works),
    and the publish step's bundle installs with `matrix update --from PATH`."""
    import re
    import yaml
    text = open(os.path.join(REPO, "examples", "github-actions", "matrix-refresh.yml")).read()
    doc = yaml.safe_load(text)
    assert {"refresh", "publish"} <= set(doc["jobs"])
    cmds = sorted(set(re.findall(r"envcheck (matrix \w+)", text)))
    assert cmds == ["matrix bundle", "matrix diff", "matrix refresh", "matrix update", "matrix validate"]
    for c in cmds:
        rc, _, err = run_cli(*c.split(), "--help")
        assert rc == 0, err
    rc, _, err = run_cli("matrix", "bundle", str(tmp_path / "matrix.tar.gz"), "--matrix", os.path.join(REPO, "matrix"))
    assert rc == 0, err
    rc, out, err = run_cli("matrix", "update", "--from", str(tmp_path / "matrix.tar.gz"),
                           env={"ENVCHECK_HOME": str(tmp_path / "home")})
    assert rc == 0 and "matrix updated" in out, err


def test_an_unreachable_index_is_exit_2(run_cli, tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    rc, _, err = run_cli("matrix", "refresh", "torch", "--index-url", f"http://127.0.0.1:{port}/simple/",
                         "-o", str(tmp_path / "o"))
    assert rc == 2 and "cannot reach" in err and "nothing was written" in err
    assert not (tmp_path / "o").exists()


def test_remote_zip_reads_past_a_comment_and_zip64_records(tmp_path):
    """The ZIP end record behind a 20 kB archive comment, zip64 entries; bytes read stay a small part."""
    import zipfile
    from refresh_index import Index as LocalIndex
    from envcheck.matrix.refresh.http import Http
    from envcheck.matrix.refresh.remotezip import RemoteWheel, dist_info_member

    idx = LocalIndex(str(tmp_path))
    path = os.path.join(idx.files_dir, "z-1.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.comment = b"c" * 20000
        with z.open("z/big.bin", "w", force_zip64=True) as fh:
            fh.write(os.urandom(1 << 20))
        z.writestr("z-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: z\nVersion: 1.0\n")
    url = idx.start()
    try:
        http = Http()
        w = RemoteWheel(http, url.replace("/simple/", "/files/z-1.0-py3-none-any.whl"))
        assert set(w.members()) == {"z/big.bin", "z-1.0.dist-info/METADATA"}
        assert w.read(dist_info_member(list(w.members())), 1 << 20).startswith(b"Metadata-Version")
        assert http.counter.total < 0.1 * os.path.getsize(path)
        assert len(w.read("z/big.bin", 2 << 20)) == 1 << 20
    finally:
        idx.stop()


def test_written_rows_quote_every_version(run_cli, index, tmp_path):
    idx, url = index
    rc, _, err, _ = _refresh(run_cli, url, tmp_path / "q", "vllm")
    assert rc == 0, err
    tail = (tmp_path / "q" / "vllm.yaml").read_text().split('version: "0.33.0"')[1]
    assert '- version: "0.99.0"' in tail and 'torch: "==2.99.0"' in tail and 'cuda: "13.1"' in tail
