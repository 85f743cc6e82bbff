"""Hostile images and registries: each gets a clear error (exit 2 from the CLI) or is read safely, and nothing is
written outside envcheck's own temporary directory (which is removed afterwards)."""
from __future__ import annotations

import gzip
import json
import os
import sys

import pytest

from conftest import FIXTURES

sys.path.insert(0, os.path.join(FIXTURES, "images"))
import imagebuild as ib  # noqa: E402
from registry_server import Registry  # noqa: E402

from envcheck.image.limits import ImageError, Limits  # noqa: E402
from envcheck.image.read import read_image  # noqa: E402

BASE = [("etc/os-release", "file", b'PRETTY_NAME="Tiny"\nID=tiny\n')]


def layout(tmp, layers, name="oci", compress=True):
    blobs = ib.Blobs()
    m = ib.image(blobs, [ib.tar_entries(l) for l in layers], compress=compress)
    return ib.write_oci_layout(os.path.join(str(tmp), name), blobs, {"schemaVersion": 2, "manifests": [m]}), blobs, m


def read(ref, tmp, **kw):
    parent = os.path.join(str(tmp), "envcheck-tmp")
    os.makedirs(parent, exist_ok=True)
    try:
        return read_image(ref, limits=kw.pop("limits", Limits()), tmp_parent=parent, **kw)
    finally:
        pass


def leftover(tmp):
    p = os.path.join(str(tmp), "envcheck-tmp")
    return os.listdir(p) if os.path.isdir(p) else []


@pytest.mark.parametrize("name,msg", [("/etc/passwd", "absolute path"), ("../../escape", "'..'"),
                                      ("usr/../../escape", "'..'")])
def test_escaping_names_refused(tmp_path, name, msg):
    ref, _, _ = layout(tmp_path, [BASE + [(name, "file", b"x")]])
    with pytest.raises(ImageError, match=msg):
        read(ref, tmp_path)
    assert leftover(tmp_path) == [] and not os.path.exists(str(tmp_path) + "/escape")


def test_symlinks_resolve_inside_the_image(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host file")
    layers = [BASE + [("etc/abs", "sym", str(outside)), ("rel", "sym", "../../../../../../" + str(outside))],
              [("etc/abs/passwd", "file", b"written through an absolute link"),
               ("rel/x", "file", b"written through a relative link")]]
    ref, _, _ = layout(tmp_path, layers)
    r = read(ref, tmp_path)
    try:
        assert sorted(os.listdir(outside)) == ["secret"]                  # the host's directory is untouched
        inside = r.rootfs + str(outside)
        assert open(inside + "/passwd").read() == "written through an absolute link"
        assert os.path.getsize(inside + "/x") == len(b"written through a relative link")   # a stub: not kept
    finally:
        r.cleanup()
    assert leftover(tmp_path) == []


def test_hard_link_to_a_host_file_through_a_symlink_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host file")
    ref, _, _ = layout(tmp_path, [BASE + [("d", "sym", str(outside))], [("h", "hard", "d/secret")]])
    with pytest.raises(ImageError, match="hard link /h -> /d/secret: the target is not in the image"):
        read(ref, tmp_path)
    assert (outside / "secret").stat().st_nlink == 1 and leftover(tmp_path) == []


def test_devices_and_fifos_are_not_created(tmp_path):
    ref, _, _ = layout(tmp_path, [BASE + [("dev/null", "chr", b""), ("run/fifo", "fifo", b"")]])
    r = read(ref, tmp_path)
    try:
        assert not os.path.lexists(r.rootfs + "/dev/null") and not os.path.lexists(r.rootfs + "/run/fifo")
        assert r.skipped == ("/dev/null", "/run/fifo")
    finally:
        r.cleanup()


def test_decompression_bomb_capped(tmp_path, run_cli):
    ref, _, _ = layout(tmp_path, [BASE + [("zeros", "file", bytes(8 << 20))]])
    assert os.path.getsize(ref + "/blobs/sha256/" + os.listdir(ref + "/blobs/sha256")[0]) < (1 << 20)
    tmpdir = tmp_path / "t"
    tmpdir.mkdir()
    rc, out, err = run_cli("scan", "--image", ref, env={"ENVCHECK_IMAGE_MAX_LAYER_BYTES": str(1 << 20),
                                                         "TMPDIR": str(tmpdir)})
    assert rc == 2 and "more than 1048576 bytes (the cap" in err and "Traceback" not in err
    assert os.listdir(tmpdir) == []


def test_digest_mismatch(tmp_path, run_cli):
    ref, blobs, m = layout(tmp_path, [BASE])
    layer = json.loads(blobs.blobs[m["digest"]])["layers"][0]["digest"]
    p = ref + "/blobs/sha256/" + layer.split(":")[1]
    data = gzip.decompress(open(p, "rb").read()) + b"\0" * 512
    open(p, "wb").write(gzip.compress(data))
    rc, out, err = run_cli("scan", "--image", ref)
    assert rc == 2 and "digest mismatch" in err


def test_index_pointing_to_itself(tmp_path):
    from envcheck.image import oci
    idx = {"schemaVersion": 2, "mediaType": oci.INDEX_TYPES[0],
           "manifests": [{"mediaType": oci.INDEX_TYPES[0], "digest": "sha256:" + "a" * 64, "size": 1,
                          "platform": {"os": "linux", "architecture": "amd64"}}]}
    with pytest.raises(ImageError, match="refers to itself"):
        oci.resolve(idx, "sha256:" + "a" * 64, lambda d: json.dumps(idx).encode(), oci.Platform(), Limits(), "x")
    # on disk the loop can only be made by lying about a digest: that is caught first
    ref = tmp_path / "loop"
    (ref / "blobs" / "sha256").mkdir(parents=True)
    (ref / "blobs" / "sha256" / ("a" * 64)).write_text(json.dumps(idx))
    (ref / "index.json").write_text(json.dumps(idx))
    with pytest.raises(ImageError, match="digest mismatch|refers to itself"):
        read(str(ref), tmp_path)


def test_registry_that_never_answers(tmp_path, run_cli):
    with Registry(ib.Blobs(), {}, hang=True) as reg:
        rc, out, err = run_cli("scan", "--image", f"{reg.host}/a/b:1", env={"ENVCHECK_IMAGE_TIMEOUT_S": "1"})
    assert rc == 2 and "timeout" in err


def test_registry_that_redirects_forever(tmp_path):
    with Registry(ib.Blobs(), {}, redirect_loop=True, repo="a/b") as reg:
        with pytest.raises(ImageError, match="more than 5 redirects"):
            read(f"{reg.host}/a/b:1", tmp_path)
        assert len(reg.requests) <= 7
    assert leftover(tmp_path) == []


def test_registry_serving_wrong_bytes(tmp_path):
    ref, blobs, m = layout(tmp_path, [BASE])
    layer = json.loads(blobs.blobs[m["digest"]])["layers"][0]["digest"]
    with Registry(blobs, {"1": m["digest"]}, corrupt={layer}, repo="a/b") as reg:
        with pytest.raises(ImageError, match="digest mismatch"):
            read(f"{reg.host}/a/b:1", tmp_path)
    assert leftover(tmp_path) == []


def test_not_an_image(tmp_path, run_cli):
    (tmp_path / "plain").mkdir()
    rc, _, err = run_cli("scan", "--image", str(tmp_path / "plain"))
    assert rc == 2 and "not an OCI image layout" in err and "--root" in err
    (tmp_path / "x.tar").write_bytes(b"not a tar at all" * 100)
    rc, _, err = run_cli("scan", "--image", str(tmp_path / "x.tar"))
    assert rc == 2 and "tar" in err
    rc, _, err = run_cli("scan", "--image", "Not A Ref!")
    assert rc == 2 and "not an image reference" in err


def test_symlink_loop_refused(tmp_path):
    ref, _, _ = layout(tmp_path, [BASE + [("a", "sym", "b"), ("b", "sym", "a")], [("a/x", "file", b"x")]])
    with pytest.raises(ImageError, match="too many levels of symbolic links"):
        read(ref, tmp_path)
    assert leftover(tmp_path) == []
