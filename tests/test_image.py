"""scan/check --image: real images built in a temp dir (layers made with tarfile from staged trees holding ELF
files compiled with cc), read as an OCI layout, docker-save archives (plain, gzipped, layers in reverse order), an
OCI layout in a tar, and from a registry served on 127.0.0.1 by test code."""
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
FATBIN_SO = os.path.join(FIXTURES, "fatbin", "nvcc13-multi.so")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed's TensorRT-LLM image, once, in every form."""
    t = str(tmp_path_factory.mktemp("img"))
    layers = ib.trtllm_layers(os.path.join(t, "stage"))
    blobs = ib.Blobs()
    amd = ib.image(blobs, layers, env=ib.TRTLLM_ENV, Entrypoint=["/opt/nvidia/nvidia_entrypoint.sh"],
                   Labels={"org.opencontainers.image.version": "1.1.0", "build.secret_token": "abc"})
    arm = ib.image(blobs, [ib.tar_entries([("etc/os-release", "file", b'PRETTY_NAME="Arm Linux"\nID=arm\n')])],
                   arch="arm64")
    top = ib.index(blobs, [(amd, "linux/amd64"), (arm, "linux/arm64")])
    top_desc = blobs.add_json(top, ib.OCI_INDEX)
    oci = ib.write_oci_layout(os.path.join(t, "oci"), blobs, top)
    return {
        "tmp": t, "layers": layers, "amd": amd, "blobs": blobs, "top": top_desc, "oci": oci,
        "save": ib.write_docker_save(os.path.join(t, "save.tar"), layers, env=ib.TRTLLM_ENV),
        "save_gz": ib.write_docker_save(os.path.join(t, "save.tar.gz"), layers, env=ib.TRTLLM_ENV, gzip_outer=True),
        "oci_tar": ib.write_oci_archive(os.path.join(t, "oci.tar"), oci),
    }


def _scan(ref, **kw):
    from envcheck.probes.image import scan_image
    return scan_image(ref, **kw)


def _assert_trtllm(env):
    libs = {l.soname: l for l in env.libraries}
    assert libs["libcublasLt.so.13"].cuda_major == 13
    assert libs["libcublasLt.so.13"].path == "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublasLt.so.13.0.2.14"
    (py,) = env.pythons
    assert py.path == "/usr/bin/python3" and str(py.version) == "3.12.3"
    assert str(py.packages["tensorrt-llm"]) == "1.1.0" and str(py.torch_cuda) == "13.0"
    assert py.native == ()            # libtensorrt_llm.so's DT_NEEDED all resolve inside the image
    assert env.host.os == "Ubuntu 24.04.3 LTS" and env.host.glibc is not None
    assert [str(t.version) for t in env.cuda_toolkits] == ["13.0.1"]
    img = env.image
    assert img.platform == "linux/amd64" and img.layers == 3
    assert img.env["CUDA_VERSION"] == "13.0.1" and img.env["NVIDIA_REQUIRE_CUDA"] == "cuda>=13.0"
    assert "HF_TOKEN" not in img.env           # not on the allow-list: secrets never reach a report
    assert img.cuda_compat == ("/usr/local/cuda-13.0/compat/libcuda.so.580.82.07",)
    assert img.kept_bytes < img.uncompressed_bytes


def test_oci_layout_multi_platform(built):
    env = _scan(built["oci"])
    _assert_trtllm(env)
    assert env.image.source == "oci-layout" and env.image.digest == built["amd"]["digest"]
    assert env.image.labels["build.secret_token"] == "<redacted>"
    assert env.image.entrypoint == ("/opt/nvidia/nvidia_entrypoint.sh",)
    assert env.driver is None and env.gpus is None            # an image has no driver: unknown, not absent
    assert env.__class__.from_dict(json.loads(env.to_json())) == env


def test_platform_selection(built):
    from envcheck.image.limits import ImageError
    env = _scan(built["oci"], platform="linux/arm64")
    assert env.host.os == "Arm Linux" and env.image.platform == "linux/arm64"
    with pytest.raises(ImageError, match="no manifest for platform linux/s390x.*linux/amd64, linux/arm64"):
        _scan(built["oci"], platform="linux/s390x")


@pytest.mark.parametrize("form", ["save", "save_gz", "oci_tar"])
def test_archives(built, form):
    env = _scan(built[form])
    _assert_trtllm(env)


def test_whiteouts_opaque_links_applied(built):
    from envcheck.image.read import read_image
    r = read_image(built["oci"])
    try:
        root = r.rootfs
        assert not os.path.exists(root + "/tmp/build-cache/junk.bin")      # .wh.junk.bin in the top layer
        assert os.listdir(root + "/opt/old") == ["new.txt"]                # .wh..wh..opq: lower content gone
        assert os.readlink(root + "/usr/local/cuda") == "cuda-13.0"
        lt = root + "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublasLt.so.13.0.2.14"
        st = os.stat(lt)
        assert st.st_size > 4096 and open(lt, "rb").read(4) == b"\x7fELF"
        assert not any(n.startswith(".wh.") for _, _, fs in os.walk(root) for n in fs)
    finally:
        r.cleanup()
    assert not os.path.exists(r.tmp)


def test_registry_with_token_and_redirects(built):
    with Registry(built["blobs"], {"1.1.0": built["top"]["digest"]}, token=True, redirect_blobs=True) as reg:
        env = _scan(f"{reg.host}/nvidia/tensorrt-llm/release:1.1.0")
        by_digest = _scan(f"{reg.host}/nvidia/tensorrt-llm/release@{built['top']['digest']}")
    _assert_trtllm(env)
    assert env.image.source == "registry" and env.image.digest == built["amd"]["digest"]   # the manifest read
    assert by_digest.image.digest == built["amd"]["digest"]
    assert any(p.startswith("/token?") for p in reg.requests) and any(p.startswith("/_blob/") for p in reg.requests)


def test_registry_basic_auth_from_docker_config(built, tmp_path, monkeypatch):
    import base64
    cfg = tmp_path / "docker"
    cfg.mkdir()
    secret = base64.b64encode(b"alice:s3cret").decode()
    with Registry(built["blobs"], {"1": built["top"]["digest"]}, basic="Basic " + secret) as reg:
        (cfg / "config.json").write_text(json.dumps({"auths": {reg.host: {"auth": secret}}}))
        monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
        env = _scan(f"{reg.host}/nvidia/tensorrt-llm/release:1")
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "nothing"))
        from envcheck.image.limits import ImageError
        with pytest.raises(ImageError, match="access denied"):
            _scan(f"{reg.host}/nvidia/tensorrt-llm/release:1")
    assert env.image.layers == 3


def test_seed_case_image_on_4090_host_fails(built, run_cli):
    """The seed's question: TensorRT-LLM 1.1 (CUDA 13 libraries) on the RunPod RTX 4090 with driver 570."""
    rc, out, err = run_cli("check", "--image", built["save"], "--host", SEED_HOST, "--json")
    assert rc == 1, err
    found = {f["code"]: f for f in json.loads(out)["findings"]}
    f = found["image-cuda-too-new-for-driver"]
    assert f["severity"] == "fail"
    text = f["title"] + " ".join(f["evidence"]) + f["why"]
    assert "libcublasLt.so.13" in text and "570.195.03" in text and "580" in text
    assert "GeForce" in f["why"] and "data-center GPUs only" in f["why"]
    assert found["image-require-cuda-unmet"]["severity"] == "fail"
    assert found["torch-cuda-too-new-for-driver"]["severity"] == "fail"     # the ordinary checks, unchanged


def test_same_image_on_h100_580_host_runs(built, run_cli):
    rc, out, err = run_cli("check", "--image", built["oci"], "--host", H100_HOST, "--json")
    found = {f["code"]: f for f in json.loads(out)["findings"]}
    assert "image-cuda-too-new-for-driver" not in found and "image-require-cuda-unmet" not in found, out
    assert found["image-runs-on-host"]["severity"] == "ok"


def test_scan_image_cli_json_and_human(built, run_cli):
    rc, out, err = run_cli("scan", "--image", built["save_gz"], "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["image"]["source"] == "docker-archive" and doc["meta"]["root"] == f"image {built['save_gz']}"
    assert built["tmp"] not in json.dumps(doc["pythons"])       # paths are the image's, not envcheck's temp dir
    rc, out, err = run_cli("scan", "--image", built["oci"])
    assert rc == 0 and "CUDA 13.0" in out or "13.0" in out


def test_merge_takes_machine_from_host_files_from_image(built):
    from envcheck.model.document import load_env_file
    from envcheck.model.merge import image_on_host
    env = image_on_host(_scan(built["oci"]), load_env_file(SEED_HOST), "host seed")
    assert str(env.driver.version) == "570.195.03" and env.gpus[0].name == "NVIDIA GeForce RTX 4090"
    assert env.host.os == "Ubuntu 24.04.3 LTS" and env.host.kernel == "6.8.0-49-generic"
    assert str(env.pythons[0].packages["tensorrt-llm"]) == "1.1.0" and env.image.on_host == "host seed"
    assert env.container.vendor == "runpod"


def test_big_kernel_library_kept_as_headers_only(tmp_path):
    """A torch-style libtorch_cuda.so with 12 MB of fatbin payloads: its GPU architectures come out exactly as
    fatbin.py reads them from the whole file, while envcheck keeps only a few KiB of it on disk (sparse)."""
    sys.path.insert(0, os.path.join(FIXTURES, "fatbin"))
    import fatbin_build as fb
    from envcheck.fatbin import read_archs
    from envcheck.image.read import read_image

    rnd = os.urandom(1 << 20)
    fat = fb.container([fb.entry(fb.ELF, 80, rnd * 4), fb.entry(fb.ELF, 89, rnd * 3), fb.entry(fb.PTX, 90, rnd)]) + \
        b"\0" * 64 + fb.container([fb.entry(fb.ELF, 120, rnd * 4, header_size=112)])
    so = str(tmp_path / "libtorch_cuda.so")
    (tmp_path / "fat.bin").write_bytes(fat)
    (tmp_path / "k.c").write_text('__asm__(".section .nv_fatbin,\\"a\\"\\n.balign 8\\n.incbin \\"%s\\"\\n.previous");\n'
                                  'int not_cuda(void) { return 42; }\n' % (tmp_path / "fat.bin"))
    import subprocess
    subprocess.run([ib.CC, "-shared", "-fPIC", "-o", so, str(tmp_path / "k.c")], check=True, timeout=60)
    want = read_archs(open(so, "rb"))
    assert want.sass == ("sm_80", "sm_89", "sm_120") and want.error is None
    sp = "usr/lib/python3.12/site-packages"
    layer = ib.tar_entries([
        ("etc/os-release", "file", b"ID=x\n"),
        (f"{sp}/torch-2.9.0.dist-info/METADATA", "file", b"Metadata-Version: 2.1\nName: torch\nVersion: 2.9.0\n\n"),
        (f"{sp}/torch/lib/libtorch_cuda.so", "file", open(so, "rb").read(), 0o755)])
    blobs = ib.Blobs()
    m = ib.image(blobs, [layer])
    ref = ib.write_oci_layout(str(tmp_path / "oci"), blobs, {"schemaVersion": 2, "manifests": [m]})
    r = read_image(ref)
    try:
        kept = r.rootfs + "/" + sp + "/torch/lib/libtorch_cuda.so"
        st = os.stat(kept)
        assert st.st_size == os.path.getsize(so)                     # the real size ...
        assert st.st_blocks * 512 < 256 << 10                         # ... in a few blocks on disk
        assert read_archs(open(kept, "rb")) == want                   # and the same answer
        assert r.kept < os.path.getsize(so) // 100
    finally:
        r.cleanup()
    env = _scan(ref)
    (py,) = [p for p in env.pythons or () if p.gpu_archs] or [None]
    if py is not None:     # found as an environment only when the image has an interpreter; the read is the point
        assert py.gpu_archs["torch"].sass == want.sass


def test_docker_daemon_socket(built, tmp_path, monkeypatch):
    """docker://NAME through a daemon's Unix socket (a test server answering GET /images/NAME/get)."""
    import socketserver
    import threading
    from http.server import BaseHTTPRequestHandler

    data = open(built["save"], "rb").read()

    class H(BaseHTTPRequestHandler):
        def address_string(self):
            return "unix"

        def log_message(self, *a):
            pass

        def do_GET(self):
            ok = self.path == "/images/example%2Fimg%3A1/get"
            self.send_response(200 if ok else 404)
            body = data if ok else b'{"message":"No such image"}'
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

    sock = str(tmp_path / "docker.sock")
    srv = S(sock, H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("DOCKER_HOST", "unix://" + sock)
    try:
        env = _scan("docker://example/img:1")
        from envcheck.image.limits import ImageError
        with pytest.raises(ImageError, match="404"):
            _scan("docker://nothing:here")
    finally:
        srv.shutdown()
        srv.server_close()
    _assert_trtllm(env)
    assert env.image.source == "docker-daemon"


def test_gate_image_runs(built, run_cli, tmp_path):
    pol = tmp_path / "p.yaml"
    pol.write_text("schema: envcheck.policy/1\nname: image on node kinds\nrules:\n  - rule: image-runs\n")
    rc, out, err = run_cli("gate", "--policy", str(pol), "--image", built["oci"], "--host", SEED_HOST, "--json")
    assert rc == 1, err
    v = json.loads(out)
    codes = {p["code"] for r in v["rules"] for p in r.get("problems", [])}
    assert {"image-cuda-too-new-for-driver", "image-require-cuda-unmet"} <= codes
    rc, out, err = run_cli("gate", "--policy", str(pol), "--image", built["oci"], "--host", H100_HOST)
    assert rc == 0, out + err
    rc, out, err = run_cli("gate", "--policy", str(pol), "--env", SEED_HOST)
    assert rc == 1 and "--image REF" in out


def test_zstd_layers(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    layer = ib.tar_entries([("etc/os-release", "file", b'PRETTY_NAME="Zstd Linux"\nID=z\n')])
    blobs = ib.Blobs()
    z = blobs.add(zstandard.ZstdCompressor().compress(layer), "application/vnd.oci.image.layer.v1.tar+zstd")
    cfg = blobs.add_json(ib.config_doc([ib.sha(layer)]), ib.OCI_CONFIG)
    m = blobs.add_json({"schemaVersion": 2, "mediaType": ib.OCI_MANIFEST, "config": cfg, "layers": [z]},
                       ib.OCI_MANIFEST)
    ref = ib.write_oci_layout(str(tmp_path / "oci"), blobs, {"schemaVersion": 2, "manifests": [m]})
    assert _scan(ref).host.os == "Zstd Linux"


def test_arm64_manifest_on_x86_host_fails(built, run_cli):
    rc, out, err = run_cli("check", "--image", built["oci"], "--platform", "linux/arm64", "--host", SEED_HOST, "--json")
    found = {f["code"]: f for f in json.loads(out)["findings"]}
    assert rc == 1 and found["image-arch-mismatch"]["evidence"] == ["image.platform = linux/arm64",
                                                                  "host.arch = x86_64"]


def test_docker25_save_layout(built, tmp_path):
    """docker >= 25 writes an OCI layout into the tar plus a manifest.json whose Layers are blobs/sha256/... paths."""
    import shutil
    import tarfile
    d = tmp_path / "d25"
    shutil.copytree(built["oci"], d)
    man = json.loads(built["blobs"].blobs[built["amd"]["digest"]])
    (d / "manifest.json").write_text(json.dumps([{
        "Config": "blobs/sha256/" + man["config"]["digest"].split(":")[1], "RepoTags": ["nvcr.io/x/trtllm:1.1.0"],
        "Layers": ["blobs/sha256/" + l["digest"].split(":")[1] for l in man["layers"]]}]))
    tar = str(tmp_path / "d25.tar")
    with tarfile.open(tar, "w") as tf:
        for name in sorted(os.listdir(d)):
            tf.add(str(d / name), arcname=name)
    env = _scan(tar + ":1.1.0")
    _assert_trtllm(env)


def test_registry_credential_helper_and_mirror(built, tmp_path, monkeypatch):
    import base64
    secret = base64.b64encode(b"bob:from-helper").decode()
    helper_dir = tmp_path / "bin"
    helper_dir.mkdir()
    helper = helper_dir / "docker-credential-envtest"
    helper.write_text('#!/bin/sh\nread host\necho "{\\"ServerURL\\": \\"$host\\", \\"Username\\": \\"bob\\", '
                      '\\"Secret\\": \\"from-helper\\"}"\n')
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper_dir}:{os.environ['PATH']}")
    cfg = tmp_path / "docker"
    cfg.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    with Registry(built["blobs"], {"1": built["top"]["digest"]}, basic="Basic " + secret) as reg:
        (cfg / "config.json").write_text(json.dumps({"credHelpers": {reg.host: "envtest"}}))
        assert _scan(f"{reg.host}/nvidia/tensorrt-llm/release:1").image.layers == 3
    # a mirror that has the image answers for a registry that does not
    with Registry(built["blobs"], {}) as empty, Registry(built["blobs"], {"1": built["top"]["digest"]}) as mirror:
        monkeypatch.setenv("ENVCHECK_REGISTRY_MIRRORS", f"{empty.host}=http://{mirror.host}")
        env = _scan(f"{empty.host}/nvidia/tensorrt-llm/release:1")
    assert env.image.layers == 3 and mirror.requests and not empty.requests


def test_patchelf_layout_strings_after_dynamic(tmp_path):
    """auditwheel-repaired wheels (numpy, scipy, ...) are patchelf'd: .dynstr lies after .dynamic, beyond the head
    envcheck keeps. The dynamic section is read as it passes and the strings it points to are kept when they come."""
    from envcheck.elf import read_elf
    from envcheck.image.read import read_image

    lib = str(tmp_path / "stage" / "libdep.so")
    ib.make_lib(lib, soname="libdep.so.3", versions=["DEP_1.0"])
    so = str(tmp_path / "stage" / "_ext.cpython-312-x86_64-linux-gnu.so")
    ib.make_lib(so, needs=[lib + "=libdep.so.3"], runpath="$ORIGIN/../dep.libs")
    before = read_elf(so)
    ib.move_dynstr_to_end(so)
    after = read_elf(so)
    assert after.needed == before.needed and "libdep.so.3" in after.needed
    assert after.runpath == ("$ORIGIN/../dep.libs",) and after.version_needs == before.version_needs
    layer = ib.tar_entries([("etc/os-release", "file", b"ID=x\n"),
                            ("opt/pkg/_ext.so", "file", open(so, "rb").read(), 0o755)])
    blobs = ib.Blobs()
    m = ib.image(blobs, [layer])
    ref = ib.write_oci_layout(str(tmp_path / "oci"), blobs, {"schemaVersion": 2, "manifests": [m]})
    r = read_image(ref)
    try:
        got = read_elf("/opt/pkg/_ext.so", r.rootfs + "/opt/pkg/_ext.so")
        assert (got.needed, got.runpath, got.version_needs, got.soname) == \
            (after.needed, after.runpath, after.version_needs, after.soname)
        assert r.partial == ()
    finally:
        r.cleanup()


def test_check_image_without_host_uses_this_machine(built, run_cli):
    rc, out, err = run_cli("check", "--image", built["oci"], "--json")
    assert rc in (0, 1), err
    doc = json.loads(out)
    assert doc["environment_source"].endswith("on this machine")
    codes = {f["code"] for f in doc["findings"]}
    # this CI machine has no NVIDIA driver: the image's needs are stated, not judged against a driver
    assert "image-cuda" in codes or "image-cuda-too-new-for-driver" in codes or "image-runs-on-host" in codes
