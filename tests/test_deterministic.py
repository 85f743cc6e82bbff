"""The same machine, the same report (issue 12, item 4): two scans of one tree, in processes with different hash
seeds (set and frozenset order changes with PYTHONHASHSEED), give the same document and the same findings, apart
from the scan's own time stamps and durations. Before the fix, the order of pythons[].native and of findings
changed from run to run."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "native"))
from nativetest import make_lib, make_root, needs_cc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SP = "/workspace/venv/lib/python3.10/site-packages"


def _run(seed, *args):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", PYTHONHASHSEED=str(seed))
    env.pop("ENVCHECK_MATRIX_DIR", None)
    p = subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=300)
    assert p.returncode in (0, 1), p.stderr
    return p.stdout


def _without_clock(doc: dict) -> dict:
    """The document less what is not the machine's but the moment's: the scan's time stamps and durations, and
    free disk space (other processes write between two scans; under --root the free space is measured live too)."""
    doc = dict(doc)
    doc.pop("meta", None)   # scanned_at, duration_s, probe_s
    if "disk" in doc:
        doc["disk"] = [{k: v for k, v in d.items() if k != "free_gib"} for d in doc.get("disk") or ()]
    return doc


def _same(args):
    a, b = (_run(seed, *args) for seed in (1, 2))
    assert _without_clock(json.loads(a)) == _without_clock(json.loads(b))
    return json.loads(a)


def _lines(text: str):
    return [ln for ln in text.splitlines()[1:] if " GiB free of " not in ln]   # line 1: the time of the scan


def _tree(tmp_path) -> str:
    """A venv whose packages hold many extension modules, each missing a library: a long pythons[].native."""
    root = make_root(str(tmp_path / "root"))
    venv = root + "/workspace/venv"
    os.makedirs(venv + "/bin")
    with open(venv + "/pyvenv.cfg", "w") as fh:
        fh.write("home = /usr/bin\nversion = 3.10.12\n")
    gone = make_lib(str(tmp_path / "stubs" / "libgone.so.1"))
    for pkg, dist, ver in (("torch", "torch", "2.4.0"), ("vllm", "vllm", "0.6.0"), ("flashinfer", "flashinfer_python", "0.2.0"),
                           ("sgl_kernel", "sgl_kernel", "0.1.0"), ("tensorrt_llm", "tensorrt_llm", "0.12.0")):
        info = root + SP + f"/{dist}-{ver}.dist-info"
        os.makedirs(info)
        with open(info + "/METADATA", "w") as fh:
            fh.write(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {ver}\nRequires-Dist: missing-{pkg}\n\n")
        for i in range(4):
            make_lib(root + SP + f"/{pkg}/_m{i}.cpython-310-x86_64-linux-gnu.so", needs=[gone])
    return root


@needs_cc
def test_two_scans_of_a_tree_are_the_same(tmp_path):
    root = _tree(tmp_path)
    doc = _same(("scan", "--root", root, "--json"))
    venv = [p for p in doc["pythons"] if p.get("prefix") == "/workspace/venv"][0]
    assert len(venv["native"]) >= 20
    findings = _same(("check", "--root", root, "--json"))["findings"]
    assert len(findings) >= 5
    a, b = (_run(seed, "scan", "--root", root, "-v") for seed in (3, 4))
    assert _lines(a) == _lines(b)


def test_two_scans_of_this_machine_are_the_same():
    _same(("scan", "--json"))
    _same(("check", "--json"))
