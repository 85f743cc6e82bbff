"""A package index on 127.0.0.1 for the refresh tests and benchmark: real wheels (ZIP files with real METADATA and
ELF extension modules built with cc) and stub sdists, served through the simple API (PEP 503 HTML and PEP 691
JSON) with or without HTTP range support; every byte sent is counted."""
from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import subprocess
import tarfile
import threading
import zipfile

CUDART_C = "int cudaGetDeviceCount(int *n) { *n = 0; return 0; }\n"
EXT_C = ('extern int cudaGetDeviceCount(int *n);\n'
         'const char nvcc_ident[] = "Cuda compilation tools, release {rel}, V{rel}.93";\n'
         'int probe(void) {{ int n; return cudaGetDeviceCount(&n) + (int)nvcc_ident[0]; }}\n')
EXT_C_PLAIN = 'extern int cudaGetDeviceCount(int *n);\nint probe(void) { int n; return cudaGetDeviceCount(&n); }\n'


def build_ext(work: str, cuda_major: int, release, name: str) -> bytes:
    """A real shared object that needs libcudart.so.<major> (DT_NEEDED) and carries nvcc's release string (none
    when `release` is None: a module whose first bytes never name the toolkit)."""
    os.makedirs(work, exist_ok=True)
    cudart = os.path.join(work, f"libcudart.so.{cuda_major}")
    if not os.path.exists(cudart):
        src = os.path.join(work, "cudart.c")
        open(src, "w").write(CUDART_C)
        subprocess.run(["cc", "-shared", "-fPIC", "-o", cudart, src, f"-Wl,-soname,libcudart.so.{cuda_major}"], check=True)
    src = os.path.join(work, name + ".c")
    open(src, "w").write(EXT_C.format(rel=release) if release else EXT_C_PLAIN)
    out = os.path.join(work, name + ".so")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", out, src, cudart], check=True)
    return open(out, "rb").read()


def wheel(path: str, name: str, version: str, requires=(), requires_python=None, members=None, pad: int = 0):
    """A wheel at `path`: METADATA, WHEEL, RECORD, `members` ({arcname: bytes}) and `pad` bytes of incompressible
    data (stands in for the GB of a CUDA library: refresh must not read it)."""
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        meta.append(f"Requires-Python: {requires_python}")
    meta += [f"Requires-Dist: {r}" for r in requires]
    files = dict(members or {})
    if pad:
        files[f"{name.replace('-', '_')}/lib/libbig.so"] = os.urandom(pad)
    files[f"{dist}/METADATA"] = ("\n".join(meta) + "\n\n").encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n"
    record = "".join(f"{n},,\n" for n in files) + f"{dist}/RECORD,,\n"
    files[f"{dist}/RECORD"] = record.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            z.writestr(n, data)


def stub_sdist(path: str, name: str, version: str, requires=(), classifiers=(), backend="wheel_stub.buildapi",
               index_url="https://pypi.nvidia.com/", stub_only=False):
    top = f"{name.replace('-', '_')}-{version}"
    pkg = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    pkg += [f"Classifier: {c}" for c in classifiers] + [f"Requires-Dist: {r}" for r in requires]
    pyproject = (f'[build-system]\nrequires = ["wheel-stub"]\nbuild-backend = "{backend}"\n\n'
                 f'[tool.wheel_stub]\nindex_url = "{index_url}"\n')
    if stub_only:
        pyproject += "\n[tool.wheel_stub.extra]\nstub_only = true\n"
    with tarfile.open(path, "w:gz") as tar:
        for n, text in (("PKG-INFO", "\n".join(pkg) + "\n\n"), ("pyproject.toml", pyproject)):
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{n}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class Index:
    """Files under `root/files/`, listed per project; `ranges` and `json_api` switch server behaviour."""

    def __init__(self, root: str):
        self.root = root
        self.files_dir = os.path.join(root, "files")
        os.makedirs(self.files_dir, exist_ok=True)
        self.projects = {}          # normalized name -> [(filename, upload_time)]
        self.ranges = True
        self.json_api = True
        self.pep658 = False
        self.sent = 0
        self.range_requests = 0
        self._httpd = None

    def add(self, project: str, filename: str, upload_time: str = "2026-01-01T00:00:00Z"):
        key = re.sub(r"[-_.]+", "-", project).lower()
        self.projects.setdefault(key, []).append((filename, upload_time))

    def _listing(self, key: str, want_json: bool):
        rows = []
        for fn, when in sorted(self.projects.get(key, [])):
            data = open(os.path.join(self.files_dir, fn), "rb").read()
            rows.append((fn, when, hashlib.sha256(data).hexdigest(), len(data)))
        if want_json:
            files = []
            for fn, when, sha, size in rows:
                f = {"filename": fn, "url": f"../../files/{fn}", "hashes": {"sha256": sha}, "size": size,
                     "upload-time": when}
                if self.pep658 and fn.endswith(".whl"):
                    f["core-metadata"] = {"sha256": self._metadata_sha(fn)}
                files.append(f)
            return json.dumps({"meta": {"api-version": "1.1"}, "name": key, "files": files}).encode(), \
                "application/vnd.pypi.simple.v1+json"
        links = "".join(f'<a href="../../files/{fn}#sha256={sha}">{fn}</a>\n' for fn, _w, sha, _s in rows)
        return f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode(), "text/html"

    def _metadata(self, fn: str) -> bytes:
        with zipfile.ZipFile(os.path.join(self.files_dir, fn)) as z:
            name = next(n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            return z.read(name)

    def _metadata_sha(self, fn: str) -> str:
        return hashlib.sha256(self._metadata(fn)).hexdigest()

    def start(self) -> str:
        idx = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, code, body, ctype="application/octet-stream", extra=None):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                    idx.sent += len(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                path = self.path.split("?")[0]
                m = re.fullmatch(r"/simple/([^/]+)/", path)
                if m:
                    if m.group(1) not in idx.projects:
                        return self._send(404, b"not found", "text/plain")
                    want = idx.json_api and "application/vnd.pypi.simple.v1+json" in (self.headers.get("Accept") or "")
                    body, ctype = idx._listing(m.group(1), want)
                    return self._send(200, body, ctype)
                m = re.fullmatch(r"/files/([^/]+)", path)
                if not m:
                    return self._send(404, b"not found", "text/plain")
                fn = m.group(1)
                if fn.endswith(".metadata") and idx.pep658:
                    return self._send(200, idx._metadata(fn[:-len(".metadata")]))
                full = os.path.join(idx.files_dir, fn)
                if not os.path.isfile(full):
                    return self._send(404, b"not found", "text/plain")
                data = open(full, "rb").read()
                rng = self.headers.get("Range")
                mr = re.fullmatch(r"bytes=(\d+)-(\d+)", rng or "")
                if idx.ranges and mr:
                    idx.range_requests += 1
                    a, b = int(mr.group(1)), min(int(mr.group(2)), len(data) - 1)
                    if a >= len(data):
                        return self._send(416, b"", extra={"Content-Range": f"bytes */{len(data)}"})
                    return self._send(206, data[a:b + 1], extra={"Content-Range": f"bytes {a}-{b}/{len(data)}"})
                return self._send(200, data)

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/simple/"

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()


def populate(idx: Index, work: str, pad: int = 4 << 20) -> dict:
    """The test index: one new version per subject plus vllm 0.11.2 (a version the bundled matrix holds, written
    to agree with it) and vllm 0.12.0 (written to disagree: torch==2.9.1 where the matrix says ==2.9.0)."""
    f = idx.files_dir
    ext12 = build_ext(os.path.join(work, "cc"), 12, "12.8", "ext12")
    ext13 = build_ext(os.path.join(work, "cc"), 13, "13.1", "ext13")
    # vllm: abi3 wheels with their own kernels
    for ver, torch, ext, when, rp in (("0.11.2", "==2.9.0", ext12, "2025-11-20T10:00:00Z", "<3.14,>=3.10"),
                                      ("0.12.0", "==2.9.1", ext12, "2025-12-03T10:00:00Z", "<3.14,>=3.10"),
                                      ("0.99.0", "==2.99.0", ext13, "2026-12-01T10:00:00Z", "<3.15,>=3.11")):
        fn = f"vllm-{ver}-cp38-abi3-manylinux_2_28_x86_64.whl"
        wheel(os.path.join(f, fn), "vllm", ver, requires=[f"torch{torch}", 'pytest; extra == "test"'],
              requires_python=rp, members={"vllm/_C.abi3.so": ext}, pad=pad)
        idx.add("vllm", fn, when)
    # torch: CPython wheels whose METADATA pins the CUDA runtime wheel
    for cp in ("cp311", "cp312", "cp313", "cp314"):
        fn = f"torch-2.99.0-{cp}-{cp}-manylinux_2_28_x86_64.whl"
        wheel(os.path.join(f, fn), "torch", "2.99.0", pad=pad,
              requires=['nvidia-cuda-runtime==13.2.51; platform_system == "Linux"', "filelock"],
              requires_python=">=3.11")
        idx.add("torch", fn, "2026-12-02T10:00:00Z")
    fn = "torch-2.99.0-cp314-cp314t-manylinux_2_28_x86_64.whl"   # free-threaded: not a Python minor of its own
    wheel(os.path.join(f, fn), "torch", "2.99.0", requires=["nvidia-cuda-runtime==13.2.51"])
    idx.add("torch", fn, "2026-12-02T10:00:00Z")
    # sglang: pure wheel pinning a kernel wheel that carries the CUDA build
    fn = "sglang-0.9.0-py3-none-any.whl"
    wheel(os.path.join(f, fn), "sglang", "0.9.0", requires=["torch==2.99.0", "sglang-kernel==0.9.1"],
          requires_python=">=3.10")
    idx.add("sglang", fn, "2026-12-03T10:00:00Z")
    fn = "sglang_kernel-0.9.1-cp310-abi3-manylinux2014_x86_64.whl"
    wheel(os.path.join(f, fn), "sglang-kernel", "0.9.1", members={"sgl_kernel/common_ops.abi3.so": ext13}, pad=pad)
    idx.add("sglang-kernel", fn, "2026-12-03T09:00:00Z")
    # tensorrt: meta sdists + bindings wheels per CPython
    for proj in ("tensorrt", "tensorrt-cu12", "tensorrt-cu13", "tensorrt-cu13-libs"):
        fn = f"{proj.replace('-', '_')}-99.0.0.1.tar.gz"
        stub_sdist(os.path.join(f, fn), proj, "99.0.0.1")
        idx.add(proj, fn)
    for cp in ("cp311", "cp312"):
        for major in ("12", "13"):
            fn = f"tensorrt_cu{major}_bindings-99.0.0.1-{cp}-none-manylinux_2_28_x86_64.whl"
            wheel(os.path.join(f, fn), f"tensorrt-cu{major}-bindings", "99.0.0.1")
            idx.add(f"tensorrt-cu{major}-bindings", fn)
    # tensorrt-llm: a wheel_stub sdist
    fn = "tensorrt_llm-9.0.0.tar.gz"
    stub_sdist(os.path.join(f, fn), "tensorrt-llm", "9.0.0",
               requires=["tensorrt~=99.0.0", "torch<=2.99.0,>=2.98.0", "nvidia-nccl-cu13"],
               classifiers=["Programming Language :: Python :: 3.10", "Programming Language :: Python :: 3.12"])
    idx.add("tensorrt-llm", fn, "2026-12-04T10:00:00Z")
    return {"pad": pad}
