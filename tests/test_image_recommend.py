"""recommend --image: images read from their files ranked beside the matrix's own image paths. The seed's
TensorRT-LLM 1.1 image (built as test_image.py builds it) on the driver-570 RTX 4090 pod and on a 580/H100 host."""
from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import ENVS, FIXTURES

sys.path.insert(0, os.path.join(FIXTURES, "images"))
import imagebuild as ib  # noqa: E402
from registry_server import Registry  # noqa: E402

pytestmark = pytest.mark.skipif(ib.CC is None, reason="no C compiler")
SEED_HOST = os.path.join(ENVS, "seed-runpod-4090.yaml")
H100_HOST = os.path.join(ENVS, "host-580-h100.yaml")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    t = str(tmp_path_factory.mktemp("img"))
    layers = ib.trtllm_layers(os.path.join(t, "stage"))
    blobs = ib.Blobs()
    amd = ib.image(blobs, layers, env=ib.TRTLLM_ENV, Entrypoint=["/opt/nvidia/nvidia_entrypoint.sh"])
    top = ib.index(blobs, [(amd, "linux/amd64")])
    top_desc = blobs.add_json(top, ib.OCI_INDEX)
    return {"amd": amd, "blobs": blobs, "top": top_desc,
            "oci": ib.write_oci_layout(os.path.join(t, "oci"), blobs, top),
            "save": ib.write_docker_save(os.path.join(t, "save.tar"), layers, env=ib.TRTLLM_ENV)}


def _paths(out):
    doc = json.loads(out)
    read = [p for p in doc["paths"] if p["kind"] == "image" and (p["judged_from"] or "").startswith("read from")]
    matrix = [p for p in doc["paths"] if p["kind"] == "image" and p["judged_from"] == "judged from the matrix alone"]
    return doc, read, matrix


def test_seed_image_read_and_blocked_on_4090(built, run_cli):
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--image", built["save"], "--host", SEED_HOST,
                           "--json")
    assert rc == 0, err                 # a CUDA 12.8 wheel still works on this pod
    doc, read, matrix = _paths(out)
    assert doc["environment_source"] == f"from {SEED_HOST}"
    (p,) = read
    assert p["status"] == "blocked" and p["version"] == "1.1.0"      # tensorrt-llm read from the image's dist-info
    assert p["judged_from"] == "read from the image's files (a docker-save archive, no manifest digest, linux/amd64)"
    blockers = " ".join(p["blockers"])
    assert "[image-cuda-too-new-for-driver]" in blockers and "[image-require-cuda-unmet]" in blockers
    assert "CUDA 13" in blockers and "driver 570.195.03" in blockers and ">= 580" in blockers
    assert "GeForce" in blockers
    assert not any("dind-impossible" in b for b in p["blockers"] + p["reasons"])   # the host's own, not the image's
    assert p["commands"][0].startswith("# ") and "push it to a registry" in p["commands"][0]
    assert any("RunPod console" in c and built["save"] in c for c in p["commands"])
    assert matrix and all(any("judged from the matrix" in r for r in m["reasons"]) for m in matrix)


def test_same_image_ok_on_h100_and_ranked_before_the_matrix_image(built, run_cli):
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--image", built["oci"], "--host", H100_HOST,
                           "--json")
    assert rc == 0, err
    doc, read, matrix = _paths(out)
    (p,) = read
    assert p["status"] == "ok" and p["blockers"] == [], p
    assert p["judged_from"] == f"read from the image's files (digest {built['amd']['digest']}, linux/amd64)"
    assert any("[image-runs-on-host]" in r for r in p["reasons"])
    assert any(r.startswith("tensorrt-llm 1.1.0 in /usr/bin/python3") for r in p["reasons"])
    assert p["commands"][0].startswith("# ") and any(c.startswith("docker run") for c in p["commands"])
    images = [x for x in doc["paths"] if x["kind"] == "image"]
    assert matrix and images.index(p) < images.index(matrix[0])   # read before matrix-only, same status
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--image", built["oci"], "--host", H100_HOST)
    assert "read from the image's files" in out and "judged from the matrix alone" in out


def test_pinned_target_the_image_lacks_and_registry_digest(built, run_cli):
    with Registry(built["blobs"], {"1.1.0": built["top"]["digest"]}) as reg:
        ref = f"{reg.host}/nvidia/tensorrt-llm/release:1.1.0"
        rc, out, err = run_cli("recommend", "--target", "tensorrt-llm==1.0.0", "--image", ref, "--host", H100_HOST,
                               "--json")
    assert rc == 0, err
    _, read, _ = _paths(out)
    (p,) = read
    assert p["status"] == "blocked" and "the image's tensorrt-llm 1.1.0 is not ==1.0.0" in p["blockers"]
    assert built["amd"]["digest"] in p["judged_from"]
    assert not p["commands"][0].startswith("# ")        # a registry reference deploys as it is


def test_image_input_errors(built, run_cli, tmp_path):
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--image", str(tmp_path / "none.tar"),
                           "--host", H100_HOST)
    assert rc == 2 and "no such file" in err and "Traceback" not in err
    rc, out, err = run_cli("recommend", "--target", "tensorrt-llm", "--host", H100_HOST, "--env", SEED_HOST)
    assert rc == 2 and "give it once" in err


def test_recommend_stays_pure_with_judged_images(built):
    """recommend() takes images already read and judged; it reads nothing itself."""
    from envcheck.checks import run_checks
    from envcheck.probes.image import scan_image
    from envcheck.matrix.load import load_matrix
    from envcheck.model.document import load_env_file
    from envcheck.model.merge import image_on_host
    from envcheck.recommend import recommend
    from envcheck.recommend.images import read_image

    matrix = load_matrix()
    host = load_env_file(SEED_HOST)
    merged = image_on_host(scan_image(built["oci"]), host, "host seed")
    img = read_image(built["oci"], merged, run_checks(merged, matrix), run_checks(host, matrix), "host seed")
    assert {f.code for f in img.findings if f.severity == "fail"} >= {"image-cuda-too-new-for-driver"}
    rec = recommend(host, matrix, "tensorrt-llm", "seed", images=[img])
    again = recommend(host, matrix, "tensorrt-llm", "seed", images=[img])
    assert rec == again
    (p,) = [p for p in rec.paths if p.judged_from and p.judged_from.startswith("read")]
    assert p.status == "blocked" and p.version == "1.1.0"
