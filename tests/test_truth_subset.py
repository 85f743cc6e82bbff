"""The truth suite's CI subset: real environments' native skeletons, rebuilt as tiny real ELF files, judged by
envcheck against what reality said when the real files were removed.

tests/fixtures/truth/<env>.json is written by benchmarks/truth/skeleton.py from a real venv made by pip (torch's
CPU, CUDA 12 and CUDA 13 builds with their nvidia-* wheels) and from the truth suite's trials on it: every
shared object's DT_SONAME, DT_NEEDED and RUNPATH/RPATH, where the machine's own loader found the libraries the
wheels do not ship, torch's preload table, and for each file whether `import torch` really failed without it.
Here each object is rebuilt with the same dynamic section, and envcheck must say `fail` exactly where the import
failed, and nothing louder than `info` where it worked.
"""
import glob
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "native"))
from nativetest import MA, make_lib, make_root, needs_cc  # noqa: E402

from envcheck.checks import run_checks  # noqa: E402
from envcheck.findings import SEVERITIES  # noqa: E402
from envcheck.matrix.load import load_matrix  # noqa: E402
from envcheck.model import Environment, Host, PythonEnv  # noqa: E402
from envcheck.probes import ProbeContext  # noqa: E402
from envcheck.probes.libraries import probe  # noqa: E402
from envcheck.root import Root  # noqa: E402
from envcheck.versions import Version  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SKELETONS = sorted(glob.glob(os.path.join(HERE, "fixtures", "truth", "*.json")))
PREFIX = "/venv"
RANK = {s: i for i, s in enumerate(SEVERITIES)}


def _build(sk, tmp):
    root = make_root(str(tmp / "root"))
    sp = PREFIX + "/" + sk["python_dir"]
    outside = str(tmp / "outside")      # libraries the machine did not have: linked against, absent from the root
    by_name = {}
    for o in sk["objects"]:
        by_name.setdefault(o["soname"] or os.path.basename(o["path"]), o)
        by_name.setdefault(os.path.basename(o["path"]), o)
    built = {}

    def ext_lib(n):
        where = sk["system"].get(n)
        path = (root + MA + "/" + n) if where else os.path.join(outside, n)
        if not os.path.exists(path):
            make_lib(path, soname=n)
        return path + "=" + n

    def build(o, depth=0):
        if o["path"] in built:
            return built[o["path"]]
        assert depth < 64, "dependency cycle in the skeleton"
        needs = []
        for n in o["needed"]:
            dep = by_name.get(n)
            if dep is None or dep is o:
                needs.append(ext_lib(n))
                continue
            built_dep = build(dep, depth + 1)
            if (dep["soname"] or os.path.basename(dep["path"])) != n:
                # auditwheel names the file (and the needer's DT_NEEDED) libgomp-a34b3233.so.1 but leaves its
                # SONAME libgomp.so.1: link against a copy whose soname is the needed name, as the real needer was
                stub = os.path.join(str(tmp / "link-as"), n)
                if not os.path.exists(stub):
                    make_lib(stub, soname=n)
                built_dep = stub + "=" + n
            needs.append(built_dep)
        path = root + sp + "/" + o["path"]
        make_lib(path, soname=o["soname"] or os.path.basename(o["path"]), needs=needs,
                 runpath=o["runpath"], rpath=o["rpath"])
        built[o["path"]] = path + "=" + (o["soname"] or os.path.basename(o["path"]))
        return built[o["path"]]

    for n, where in sk["system"].items():
        if where:
            ext_lib(n)
    for o in sk["objects"]:
        build(o)
    with open(root + sp + "/torch/__init__.py", "w") as fh:
        fh.write(sk["torch_init"])
    with open(root + sp + "/torch/version.py", "w") as fh:
        fh.write(sk["torch_version_py"])
    return root, sp


def _worst(root, sp):
    env = Environment(host=Host(arch="x86_64"),
                      pythons=(PythonEnv(path=PREFIX + "/bin/python", prefix=PREFIX, kind="venv", site_packages=(sp,),
                                         packages={"torch": Version("2.0.0")}),))
    env = env.replace(**probe(ProbeContext(root=Root(root, live=False)), env))
    findings = [f for f in run_checks(env, load_matrix(include_user=False)) if f.subject == PREFIX]
    worst = max((f.severity for f in findings), key=RANK.get, default="ok")
    return worst, findings


@needs_cc
@pytest.mark.parametrize("skeleton", SKELETONS, ids=[os.path.basename(s)[:-5] for s in SKELETONS])
def test_verdicts_match_reality(skeleton, tmp_path):
    with open(skeleton) as fh:
        sk = json.load(fh)
    root, sp = _build(sk, tmp_path)
    worst, findings = _worst(root, sp)
    assert RANK[worst] <= RANK["info"], f"healthy {sk['env']}: {[(f.severity, f.title) for f in findings]}"
    wrong = []
    for rel, verdict in sorted(sk["removed"].items()):
        path = root + sp + "/" + rel
        if not os.path.exists(path):
            continue
        os.rename(path, path + ".away")
        try:
            worst, findings = _worst(root, sp)
        finally:
            os.rename(path + ".away", path)
        said_fail = worst == "fail"
        if said_fail == verdict["import_ok"] or (verdict["import_ok"] and RANK[worst] > RANK["info"]):
            wrong.append(f"{rel}: reality {'ok' if verdict['import_ok'] else verdict['error']}; envcheck {worst}: "
                         f"{[f.title for f in findings if RANK[f.severity] >= RANK['warn']][:2]}")
    assert not wrong, "\n".join(wrong)
    assert len(sk["removed"]) >= 10   # the skeleton carries reality's answers, not an empty key
