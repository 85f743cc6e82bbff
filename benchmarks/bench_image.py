"""Reading a multi-GB image: `envcheck scan --image` (streamed, kept in part) beside the obvious alternative on
the same image (extract every layer with `tar -x`, then `envcheck scan --root`).

    PYTHONPATH=. python3 benchmarks/bench_image.py [--work /tmp/envcheck-bench-image] [--random-gib 1.5]
    PYTHONPATH=. python3 benchmarks/bench_image.py --layers-from /root/.pyenv/versions/3.11.7 /work/venv --search /work/venv

Builds (once, reused) an OCI layout of ~2.5 GB: a layer of random-content files (weights), a CUDA layer with real
ELF libraries of 100-300 MB (made with cc + .incbin, so their .dynamic lies after hundreds of MB), a Python layer
with a 400 MB libtorch_cuda.so whose .nv_fatbin holds ~100 containers, 3,000 small files and dist-info. Reports
bytes read, peak disk in envcheck's temp dir, peak RSS, wall time and MB/s for both ways, and whether both scans
found the same libraries and Python facts. Prints JSON (and writes $OUT/bench_image.json when $OUT is set).
Nothing here is a test: timings never gate CI.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "fixtures", "images"))
sys.path.insert(0, os.path.join(REPO, "tests", "fixtures", "fatbin"))
import imagebuild as ib  # noqa: E402
import fatbin_build as fb  # noqa: E402

MB = 1 << 20


def _incbin_so(path: str, payload_path: str, soname: str, section: str = ".rodata.big") -> None:
    """A real shared object whose read-only data (after .text) is the payload file, via the assembler's .incbin."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    src = path + ".c"
    with open(src, "w") as fh:
        fh.write(f'__asm__(".section {section},\\"a\\"\\n.balign 8\\n.incbin \\"{payload_path}\\"\\n.previous");\n'
                 f"int f_{abs(hash(soname)) % 100000}(void) {{ return 1; }}\n")
    subprocess.run([ib.CC, "-shared", "-fPIC", "-o", path, src, f"-Wl,-soname,{soname}"], check=True, timeout=600)
    os.unlink(src)


def _random_file(path: str, size: int) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            n = min(left, 8 * MB)
            fh.write(os.urandom(n))
            left -= n


def build(work: str, random_gib: float) -> str:
    oci = os.path.join(work, "oci")
    if os.path.exists(os.path.join(oci, "index.json")):
        return oci
    stage = os.path.join(work, "stage")
    shutil.rmtree(stage, ignore_errors=True)
    # layer 1: weights-like random files
    w = os.path.join(stage, "l0")
    for i in range(int(random_gib * 1024 // 8)):
        _random_file(f"{w}/opt/models/shard-{i:04d}.bin", 8 * MB)
    # layer 2: OS bits and CUDA libraries, big ones made real with .incbin
    c = os.path.join(stage, "l1")
    libc = ib.host_libc()
    os.makedirs(f"{c}/usr/lib/x86_64-linux-gnu", exist_ok=True)
    shutil.copy(libc, f"{c}/usr/lib/x86_64-linux-gnu/libc.so.6")
    ld = os.path.join(os.path.dirname(libc), "ld-linux-x86-64.so.2")
    if os.path.exists(ld):
        shutil.copy(ld, f"{c}/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
    ib._write(f"{c}/etc/os-release", 'PRETTY_NAME="Ubuntu 24.04.3 LTS"\nID=ubuntu\nVERSION_ID="24.04"\n')
    ib._write(f"{c}/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
    ib._write(f"{c}/etc/ld.so.conf.d/cuda.conf", "/usr/local/cuda-13.0/targets/x86_64-linux/lib\n/usr/lib/x86_64-linux-gnu\n")
    lib = f"{c}/usr/local/cuda-13.0/targets/x86_64-linux/lib"
    tmpd = os.path.join(work, "payload")
    for name, soname, size in (("libcublasLt.so.13.0.2.14", "libcublasLt.so.13", 300 * MB),
                               ("libcublas.so.13.0.2.14", "libcublas.so.13", 100 * MB),
                               ("libcusparse.so.13.0.0.1", "libcusparse.so.13", 150 * MB)):
        _random_file(f"{tmpd}/{name}", size)
        _incbin_so(f"{lib}/{name}", f"{tmpd}/{name}", soname)
        os.symlink(name, f"{lib}/{soname}")
    ib.make_lib(f"{lib}/libcudart.so.13.0.96", soname="libcudart.so.13")
    os.symlink("libcudart.so.13.0.96", f"{lib}/libcudart.so.13")
    ib._write(f"{c}/usr/local/cuda-13.0/version.json", json.dumps({"cuda": {"version": "13.0.1"}}))
    os.symlink("cuda-13.0", f"{c}/usr/local/cuda")
    ib.make_lib(f"{c}/usr/bin/python3.12", exe=True)
    os.symlink("python3.12", f"{c}/usr/bin/python3")
    ib._write(f"{c}/usr/lib/python3.12/os.py", "# stdlib\n")
    ib._write(f"{c}/usr/include/python3.12/patchlevel.h", '#define PY_VERSION "3.12.3"\n')
    from elfbuild import ldconfig_cache
    ldconfig_cache(c)
    # layer 3: Python packages
    p = os.path.join(stage, "l2")
    sp = f"{p}/usr/local/lib/python3.12/dist-packages"
    for name, version in (("torch", "2.9.0a0+nv25.10"), ("tensorrt_llm", "1.1.0"), ("numpy", "2.1.2")):
        ib._write(f"{sp}/{name}-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
        ib._write(f"{sp}/{name}-{version}.dist-info/RECORD", "x,,\n" * 2000)
    ib._write(f"{sp}/torch/version.py", "cuda = '13.0'\nhip = None\n")
    for i in range(3000):
        ib._write(f"{sp}/torch/_modules/m{i:04d}.py", ("# generated module\nX = %d\n" % i) * 40)
    rnd = os.urandom(4 * MB)
    fat = b"".join(fb.container([fb.entry(fb.ELF, a, rnd), fb.entry(fb.PTX, a, rnd[:MB])])
                   for a in [80, 86, 89, 90] * 24)
    with open(f"{tmpd}/fat.bin", "wb") as fh:
        fh.write(fat)
    _incbin_so(f"{sp}/torch/lib/libtorch_cuda.so", f"{tmpd}/fat.bin", "libtorch_cuda.so", ".nv_fatbin")
    ib.make_lib(f"{sp}/tensorrt_llm/libs/libtensorrt_llm.so",
                needs=[f"{lib}/libcublasLt.so.13.0.2.14=libcublasLt.so.13", f"{lib}/libcudart.so.13.0.96=libcudart.so.13"])
    shutil.rmtree(tmpd)
    # write the layout: tar each layer, hash, gzip -1
    blobs_dir = os.path.join(oci, "blobs", "sha256")
    os.makedirs(blobs_dir, exist_ok=True)
    descs, diff_ids = [], []
    for layer in ("l0", "l1", "l2"):
        tar = os.path.join(work, layer + ".tar")
        subprocess.run(["tar", "-C", os.path.join(stage, layer), "--sort=name", "-cf", tar, "."], check=True)
        diff_ids.append(_sha_file(tar))
        gzp = tar + ".gz"
        with open(gzp, "wb") as out:
            subprocess.run(["gzip", "-1", "-c", tar], stdout=out, check=True)
        os.unlink(tar)
        d = _sha_file(gzp)
        os.rename(gzp, os.path.join(blobs_dir, d.split(":")[1]))
        descs.append({"mediaType": ib.LAYER_GZ, "digest": d, "size": os.path.getsize(os.path.join(blobs_dir, d.split(":")[1]))})
    shutil.rmtree(stage)

    def put(doc, mt):
        data = json.dumps(doc).encode()
        d = ib.sha(data)
        with open(os.path.join(blobs_dir, d.split(":")[1]), "wb") as fh:
            fh.write(data)
        return {"mediaType": mt, "digest": d, "size": len(data)}

    cfg = put(ib.config_doc(diff_ids, {"CUDA_VERSION": "13.0.1", "NVIDIA_REQUIRE_CUDA": "cuda>=13.0"}), ib.OCI_CONFIG)
    man = put({"schemaVersion": 2, "mediaType": ib.OCI_MANIFEST, "config": cfg, "layers": descs}, ib.OCI_MANIFEST)
    with open(os.path.join(oci, "oci-layout"), "w") as fh:
        json.dump({"imageLayoutVersion": "1.0.0"}, fh)
    with open(os.path.join(oci, "index.json"), "w") as fh:
        json.dump({"schemaVersion": 2, "manifests": [man]}, fh)
    return oci


def build_from_dirs(work: str, dirs) -> str:
    """An OCI layout with one uncompressed layer per directory of this machine, at the same paths (a real image:
    e.g. a venv and the Python under it)."""
    oci = os.path.join(work, "oci-dirs")
    if os.path.exists(os.path.join(oci, "index.json")):
        return oci
    blobs_dir = os.path.join(oci, "blobs", "sha256")
    os.makedirs(blobs_dir, exist_ok=True)
    descs, diff_ids = [], []
    for i, d in enumerate(dirs):
        tar = os.path.join(work, f"dir{i}.tar")
        subprocess.run(["tar", "-C", "/", "-cf", tar, os.path.relpath(os.path.abspath(d), "/")], check=True)
        dg = _sha_file(tar)
        diff_ids.append(dg)
        os.rename(tar, os.path.join(blobs_dir, dg.split(":")[1]))
        descs.append({"mediaType": ib.LAYER_TAR, "digest": dg, "size": os.path.getsize(os.path.join(blobs_dir, dg.split(":")[1]))})

    def put(doc, mt):
        data = json.dumps(doc).encode()
        d = ib.sha(data)
        with open(os.path.join(blobs_dir, d.split(":")[1]), "wb") as fh:
            fh.write(data)
        return {"mediaType": mt, "digest": d, "size": len(data)}

    cfg = put(ib.config_doc(diff_ids, {"PATH": "/usr/bin:/bin"}), ib.OCI_CONFIG)
    man = put({"schemaVersion": 2, "mediaType": ib.OCI_MANIFEST, "config": cfg, "layers": descs}, ib.OCI_MANIFEST)
    with open(os.path.join(oci, "oci-layout"), "w") as fh:
        json.dump({"imageLayoutVersion": "1.0.0"}, fh)
    with open(os.path.join(oci, "index.json"), "w") as fh:
        json.dump({"schemaVersion": 2, "manifests": [man]}, fh)
    return oci


def _sha_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(8 * MB), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def disk_bytes(path: str) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for n in dirnames + filenames:
            try:
                total += os.lstat(os.path.join(dirpath, n)).st_blocks * 512
            except OSError:
                pass
    return total


class DiskPeak:
    """Polls the disk used under a directory (st_blocks, so sparse files count as what they occupy)."""

    def __init__(self, path: str, every: float = 0.2):
        self.path, self.every, self.peak = path, every, 0
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, disk_bytes(self.path))
            self.stop.wait(self.every)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        self.t.join()


# A small launcher measures the command's peak RSS: on Linux a child's ru_maxrss starts from its parent's RSS at
# fork, so measuring straight from this (large) process would report this process's size.
LAUNCH = ("import os,sys\n"
          "pid = os.fork()\n"
          "if pid == 0:\n    os.execvp(sys.argv[1], sys.argv[1:])\n"
          "_, st, ru = os.wait4(pid, 0)\n"
          "sys.stderr.write('\\nMAXRSS %d CPU %.3f\\n' % (ru.ru_maxrss, ru.ru_utime + ru.ru_stime))\n"
          "sys.exit(os.waitstatus_to_exitcode(st))\n")


def run(args, env=None):
    """(wall seconds, peak RSS bytes, stdout) of one command; its CPU seconds are added to CPU_S."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", LAUNCH, *args], capture_output=True, env=env)
    wall = time.perf_counter() - t0
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{args}: {err[-2000:]}")
    tail = err.rsplit("MAXRSS ", 1)[1].split()
    CPU_S.append(float(tail[2]))
    return wall, int(tail[0]) * 1024, p.stdout


CPU_S: list = []


def facts(doc: dict) -> dict:
    """What both scans should agree on."""
    return {"libraries": [(l["soname"], l.get("path")) for l in doc.get("libraries") or ()],
            "pythons": sorted((p["path"], json.dumps([p.get(k) for k in ("packages", "requires", "wheel_tags", "torch_cuda",
                                                                          "native", "gpu_archs", "prefix", "kind")]))
                              for p in doc.get("pythons") or ()),
            "cuda_toolkits": doc.get("cuda_toolkits"), "os": (doc.get("host") or {}).get("os")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/envcheck-bench-image")
    ap.add_argument("--random-gib", type=float, default=1.5)
    ap.add_argument("--layers-from", nargs="+", metavar="DIR",
                    help="instead of the synthetic image: one layer per directory of this machine (a real image)")
    ap.add_argument("--search", nargs="*", default=[], metavar="DIR", help="passed to both scans (e.g. the venv)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    t0 = time.perf_counter()
    oci = build_from_dirs(a.work, a.layers_from) if a.layers_from else build(a.work, a.random_gib)
    extra = [x for d in a.search for x in ("--search", d)]
    built_s = time.perf_counter() - t0
    index = json.load(open(os.path.join(oci, "index.json")))
    man = json.load(open(os.path.join(oci, "blobs", "sha256", index["manifests"][0]["digest"].split(":")[1])))
    blob_bytes = sum(d["size"] for d in man["layers"])
    env = dict(os.environ, PYTHONPATH=REPO)
    py = sys.executable

    # envcheck scan --image
    tmp = os.path.join(a.work, "envcheck-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with DiskPeak(tmp) as dp:
        wall, rss, out = run([py, "-m", "envcheck", "scan", "--image", oci, "--json", *extra], dict(env, TMPDIR=tmp))
    doc = json.loads(out)
    img = doc["image"]
    ours_cpu = CPU_S.pop()
    ours = {"wall_s": round(wall, 2), "peak_rss_mib": round(rss / MB, 1), "bytes_read": img["compressed_bytes"],
            "uncompressed_bytes": img["uncompressed_bytes"], "kept_bytes": img["kept_bytes"],
            "peak_disk_mib": round(dp.peak / MB, 2), "disk_pct_of_image": round(100 * dp.peak / img["uncompressed_bytes"], 3),
            "mb_per_s": round(img["compressed_bytes"] / MB / wall, 1), "cpu_s": round(ours_cpu, 2),
            "partial": img.get("partial")}

    # the alternative: tar -x every layer, then scan --root
    rootfs = os.path.join(a.work, "rootfs")
    shutil.rmtree(rootfs, ignore_errors=True)
    os.makedirs(rootfs)
    tar_wall, tar_rss = 0.0, 0
    for d in man["layers"]:
        w, r, _ = run(["tar", "-xf", os.path.join(oci, "blobs", "sha256", d["digest"].split(":")[1]), "-C", rootfs])
        tar_wall += w
        tar_rss = max(tar_rss, r)
    root_disk = disk_bytes(rootfs)
    w2, r2, out2 = run([py, "-m", "envcheck", "scan", "--root", rootfs, "--json", *extra], env)
    doc2 = json.loads(out2)
    shutil.rmtree(rootfs)
    theirs_cpu = sum(CPU_S)
    theirs = {"wall_s": round(tar_wall + w2, 2), "tar_x_s": round(tar_wall, 2), "scan_root_s": round(w2, 2),
              "peak_rss_mib": round(max(tar_rss, r2) / MB, 1), "bytes_read": blob_bytes,
              "peak_disk_mib": round(root_disk / MB, 1), "mb_per_s": round(blob_bytes / MB / (tar_wall + w2), 1),
              "cpu_s": round(theirs_cpu, 2)}
    result = {"image": {"layers": len(man["layers"]), "blob_bytes": blob_bytes,
                        "uncompressed_bytes": img["uncompressed_bytes"], "built_s": round(built_s, 1)},
              "scan_image": ours, "tar_x_then_scan_root": theirs,
              "same_facts": facts(doc) == facts(doc2), "cpus": os.cpu_count(),
              "load_avg_1m": round(os.getloadavg()[0], 1)}
    if not result["same_facts"]:
        result["diff"] = {"image": facts(doc), "root": facts(doc2)}
    text = json.dumps(result, indent=2)
    print(text)
    if os.environ.get("OUT"):
        with open(os.path.join(os.environ["OUT"], "bench_image.json"), "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
