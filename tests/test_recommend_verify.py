"""--verify: NVIDIA's stub sdist on the default index is recognised (never built), pip's resolver is asked with
binaries only, and no network is reported as such. A local index on 127.0.0.1 stands in for PyPI and NVIDIA's."""
import functools
import http.server
import io
import os
import socket
import tarfile
import threading
import zipfile

import pytest

from envcheck.recommend.model import InstallPath
from envcheck.recommend.verify import inspect_stub, verify

PYPROJECT = b'''[build-system]
requires = ["wheel-stub"]
build-backend = "wheel_stub.buildapi"

[tool.wheel_stub]
index_url = "https://pypi.nvidia.com/"
'''


def _stub_sdist(path):
    with tarfile.open(path, "w:gz") as tf:
        for name, data in (("tensorrt_llm-0.19.0/pyproject.toml", PYPROJECT),
                           ("tensorrt_llm-0.19.0/PKG-INFO", b"Metadata-Version: 2.1\nName: tensorrt-llm\nVersion: 0.19.0\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def _wheel(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("tensorrt_llm/__init__.py", "__version__ = '0.19.0'\n")
        z.writestr("tensorrt_llm-0.19.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tensorrt-llm\nVersion: 0.19.0\n")
        z.writestr("tensorrt_llm-0.19.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr("tensorrt_llm-0.19.0.dist-info/RECORD", "")


@pytest.fixture
def indexes(tmp_path):
    for idx, fname, make in (("pypi", "tensorrt_llm-0.19.0.tar.gz", _stub_sdist),
                             ("nvidia", "tensorrt_llm-0.19.0-py3-none-any.whl", _wheel)):
        d = tmp_path / idx / "tensorrt-llm"
        d.mkdir(parents=True)
        make(str(d / fname))
        (d / "index.html").write_text(f'<html><body><a href="{fname}">{fname}</a></body></html>')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def _path(extra):
    return InstallPath(rank=1, kind="wheel", target="tensorrt-llm", version="0.19.0", status="ok", reasons=(),
                       blockers=(), commands=("python -m venv /x",
                                              f'/x/bin/python -m pip install --no-cache-dir "tensorrt-llm==0.19.0" --extra-index-url {extra}'),
                       disk_gib=None, affects=(), python="/usr/bin/python3.10")


def _pipenv():
    e = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    e["PIP_CONFIG_FILE"] = os.devnull
    return e


def test_stub_recognised_and_resolver_confirms_from_nvidia_index(indexes):
    res = verify(_path(f"{indexes}/nvidia"), python_version="3.10", index_url=f"{indexes}/pypi", env=_pipenv(), timeout=120)
    assert res.stub is not None and res.stub["build_backend"] == "wheel_stub.buildapi"
    assert res.stub["index_url"] == "https://pypi.nvidia.com/"
    assert res.status == "confirmed", res.lines
    assert any("/nvidia/" in l for l in res.lines)


def test_stub_only_index_is_not_built(indexes):
    # NVIDIA's index left out: pip (binaries only) must refuse, not run the stub's download
    res = verify(_path(f"{indexes}/pypi"), python_version="3.10", index_url=f"{indexes}/pypi", env=_pipenv(), timeout=120)
    assert res.stub is not None
    assert res.status == "refused"


def test_no_network_is_said(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()          # nothing listens there
    res = verify(_path("https://pypi.nvidia.com"), index_url=f"http://127.0.0.1:{port}/simple", env=_pipenv(), timeout=10)
    assert res.status == "no-network" and "matrix answer stands" in res.summary()


def test_inspect_stub_reads_without_building(indexes):
    info = inspect_stub(f"{indexes}/pypi/tensorrt-llm/tensorrt_llm-0.19.0.tar.gz", timeout=10)
    assert info["bytes"] < 2048 and "wheel_stub" in info["build_backend"]
