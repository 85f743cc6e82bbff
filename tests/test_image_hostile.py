"""Hostile images and registries: each gets a clear error (exit 2 from the CLI) or is read safely, and nothing is
written outside envcheck's own temporary directory (which is removed afterwards)."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, REPO

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


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_read_removes_the_temporary_directory(tmp_path, signum, code):
    """A CI timeout (SIGTERM) or Ctrl-C (SIGINT) while a registry is slow to answer: the run stops and its
    envcheck-image-* directory goes with it."""
    tmpdir = tmp_path / "t"
    tmpdir.mkdir()
    env = dict(os.environ, PYTHONPATH=REPO, TMPDIR=str(tmpdir), ENVCHECK_IMAGE_TIMEOUT_S="60")
    with Registry(ib.Blobs(), {}, hang=True) as reg:
        p = subprocess.Popen([sys.executable, "-m", "envcheck", "scan", "--image", f"{reg.host}/a/b:1"], cwd=REPO,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not (reg.requests and any(n.startswith("envcheck-image-") for n in os.listdir(tmpdir))):
            assert p.poll() is None and time.monotonic() < deadline, p.communicate()
            time.sleep(0.05)
        p.send_signal(signum)
        _, err = p.communicate(timeout=60)
    assert p.returncode == code and "Traceback" not in err, err
    assert os.listdir(tmpdir) == []


@pytest.mark.parametrize("field,value,msg", [
    ("Env", {"a": 1}, "config.Env is an object, expected a list of strings"),
    ("Labels", [1], "config.Labels is a list, expected an object of strings"),
    ("architecture", 5, "architecture is a number, expected a string")])
def test_config_fields_of_the_wrong_type_refused(tmp_path, run_cli, field, value, msg):
    layer = ib.tar_entries(BASE)
    cfg = ib.config_doc([ib.sha(layer)])
    (cfg["config"] if field in ("Env", "Labels") else cfg)[field] = value
    ref, _ = _with_manifest(tmp_path, lambda m: None, cfg)
    rc, _, err = run_cli("scan", "--image", ref)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1, err


def _with_manifest(tmp_path, edit, config=None):
    """An OCI layout whose one manifest `edit` has changed (sizes, types) before it is written."""
    blobs = ib.Blobs()
    layer = ib.tar_entries(BASE)
    man = {"schemaVersion": 2, "mediaType": ib.OCI_MANIFEST,
           "config": blobs.add_json(config or ib.config_doc([ib.sha(layer)]), ib.OCI_CONFIG),
           "layers": [blobs.add(ib.gz(layer), ib.LAYER_GZ)]}
    edit(man)
    top = {"schemaVersion": 2, "manifests": [blobs.add_json(man, ib.OCI_MANIFEST)]}
    return ib.write_oci_layout(str(tmp_path / "oci"), blobs, top), man


@pytest.mark.parametrize("size,msg", [(-1, "declares size -1, outside 0..68719476736 bytes"),
                                      (1 << 62, "declares size 4611686018427387904, outside"),
                                      ("12", "size is a string, expected a whole number of bytes"),
                                      (3, "more than 3 bytes (the size its manifest declares)")])
def test_layer_sizes_bounded_and_matched(tmp_path, run_cli, size, msg):
    ref, _ = _with_manifest(tmp_path, lambda m: m["layers"][0].update(size=size))
    rc, _, err = run_cli("scan", "--image", ref)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1, err


def test_a_layer_shorter_than_declared_refused(tmp_path):
    ref, man = _with_manifest(tmp_path, lambda m: m["layers"][0].update(size=m["layers"][0]["size"] + 10))
    with pytest.raises(ImageError, match=r"declares \d+ bytes, \d+ bytes were served"):
        read(ref, tmp_path)
    assert leftover(tmp_path) == []


def test_layers_not_a_list_refused(tmp_path, run_cli):
    ref, _ = _with_manifest(tmp_path, lambda m: m.update(layers="x"))
    rc, _, err = run_cli("scan", "--image", ref)
    assert rc == 2 and "the manifest's layers is a string, expected a list" in err


def test_a_100000_deep_index_refused(tmp_path, run_cli):
    ref, _ = _with_manifest(tmp_path, lambda m: None)
    with open(os.path.join(ref, "index.json"), "w") as fh:
        fh.write("[" * 100000 + "]" * 100000)
    rc, _, err = run_cli("scan", "--image", ref)
    assert rc == 2 and "nested deeper than 64 levels" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["zero", "fifo", "index"])
def test_a_layer_blob_that_is_not_a_regular_file_refused_at_once(tmp_path, run_cli, kind):
    ref, man = _with_manifest(tmp_path, lambda m: None)
    blob = os.path.join(ref, "blobs", "sha256", man["layers"][0]["digest"][7:])
    if kind == "index":
        blob = os.path.join(ref, "index.json")
    os.unlink(blob)
    os.symlink("/dev/zero", blob) if kind == "zero" else os.mkfifo(blob)
    rc, _, err = run_cli("scan", "--image", ref)       # before, both never returned
    assert rc == 2 and ("a character device" if kind == "zero" else "a FIFO") in err, err


@pytest.mark.parametrize("ref", ["", " "])
def test_an_empty_image_reference_refused(run_cli, ref):
    rc, out, err = run_cli("scan", "--image", ref)      # before, the host was scanned instead
    assert rc == 2 and out == "" and "an empty image reference" in err


def test_an_image_path_that_is_a_fifo_or_device_refused(tmp_path, run_cli):
    os.mkfifo(str(tmp_path / "fifo"))
    for ref in (str(tmp_path / "fifo"), "/dev/zero"):
        rc, _, err = run_cli("scan", "--image", ref)
        assert rc == 2 and "not a regular file or a directory" in err


def test_a_gzip_archive_bomb_is_bounded(tmp_path, run_cli):
    """A docker-save archive compressed as a whole: its unpacked stream is held to its own cap."""
    layers = [ib.tar_entries(BASE + [("zeros", "file", bytes(4 << 20))])]
    path = ib.write_docker_save(str(tmp_path / "img.tar.gz"), layers, gzip_outer=True)
    assert os.path.getsize(path) < (1 << 20)
    rc, _, err = run_cli("scan", "--image", path, env={"ENVCHECK_IMAGE_MAX_ARCHIVE_BYTES": str(2 << 20)})
    assert rc == 2 and "more than 2097152 bytes (the cap for a save archive's tar stream;" in err, err
    rc, _, err = run_cli("scan", "--image", path)
    assert rc == 0, err


def test_a_corrupt_zstd_archive_is_an_input_error(tmp_path, run_cli):
    zstandard = pytest.importorskip("zstandard")
    plain = open(ib.write_docker_save(str(tmp_path / "img.tar"), [ib.tar_entries(BASE)]), "rb").read()
    data = zstandard.ZstdCompressor().compress(plain)
    (tmp_path / "img.tar.zst").write_bytes(data[:len(data) // 2] + bytes(50) + data[len(data) // 2:])
    rc, _, err = run_cli("scan", "--image", str(tmp_path / "img.tar.zst"))
    assert rc == 2 and "corrupt zstd archive" in err and "internal error" not in err, err


def test_docker_config_that_is_a_fifo_is_no_credentials(tmp_path):
    """~/.docker/config.json as a FIFO with no writer: read as "no credentials" at once, never waited on."""
    os.mkfifo(str(tmp_path / "config.json"))
    code = "from envcheck.image.auth import _config; import sys; print(_config({'DOCKER_CONFIG': sys.argv[1]}))"
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, PYTHONPATH=REPO))
    assert p.returncode == 0 and p.stdout.strip() == "{}", p.stderr
