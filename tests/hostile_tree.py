"""Fixture trees for the hostile-input tests: a copy of the runpod-4090 root with a venv, a CUDA toolkit and an
ld.so.cache, so that every kind of text file a scan reads under --root exists and can be swapped for a FIFO."""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
RUNPOD = os.path.join(HERE, "fixtures", "roots", "runpod-4090")
VENV = "/workspace/venv"
SP = VENV + "/lib/python3.10/site-packages"
DIST = SP + "/foo-1.0.dist-info"

# every text file the probes read in this tree (and the interpreter, whose first bytes are read)
SYSTEM_FILES = ("etc/os-release", "proc/meminfo", "proc/cpuinfo", "proc/self/mountinfo", "proc/self/status",
                "proc/self/environ", "proc/self/cgroup", "proc/1/cgroup", "proc/driver/nvidia/version",
                "proc/sys/kernel/osrelease", "proc/sys/user/max_user_namespaces", "etc/ld.so.cache", "etc/ld.so.conf",
                "usr/local/cuda-12.4/version.json", "usr/bin/python3.10")
VENV_FILES = (DIST[1:] + "/METADATA", DIST[1:] + "/WHEEL", DIST[1:] + "/RECORD", SP[1:] + "/torch/version.py",
              SP[1:] + "/torch-2.4.0+cu121.dist-info/METADATA")


def make_tree(dst: str, pyvenv_version: str = "3.10.12", metadata: str = None) -> str:
    shutil.copytree(RUNPOD, dst, symlinks=True)
    v = dst + VENV
    os.makedirs(v + "/bin")
    os.makedirs(dst + DIST)
    with open(v + "/pyvenv.cfg", "w") as fh:
        fh.write(f"home = /usr/bin\nversion = {pyvenv_version}\ninclude-system-site-packages = false\n")
    os.symlink("/usr/bin/python3.10", v + "/bin/python")
    os.makedirs(dst + "/usr/bin")
    with open(dst + "/usr/bin/python3.10", "wb") as fh:
        fh.write(b"\x7fELF" + b"\0" * 60)
    with open(dst + DIST + "/METADATA", "w") as fh:
        fh.write(metadata or "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n\n")
    with open(dst + DIST + "/WHEEL", "w") as fh:
        fh.write("Wheel-Version: 1.0\nTag: py3-none-any\n")
    with open(dst + DIST + "/RECORD", "w") as fh:
        fh.write("foo/__init__.py,,\n")
    t = dst + SP + "/torch-2.4.0+cu121.dist-info"
    os.makedirs(t)
    with open(t + "/METADATA", "w") as fh:
        fh.write("Metadata-Version: 2.1\nName: torch\nVersion: 2.4.0+cu121\n\n")
    os.makedirs(dst + SP + "/torch")
    with open(dst + SP + "/torch/version.py", "w") as fh:
        fh.write("__version__ = '2.4.0+cu121'\ncuda = '12.1'\nhip = None\n")
    os.makedirs(dst + "/usr/local/cuda-12.4/bin")
    with open(dst + "/usr/local/cuda-12.4/version.json", "w") as fh:
        fh.write('{"cuda": {"name": "CUDA SDK", "version": "12.4.1"}}')
    with open(dst + "/etc/ld.so.cache", "wb") as fh:
        fh.write(b"glibc-ld.so.cache1.1" + b"\0" * 28)
    with open(dst + "/etc/ld.so.conf", "w") as fh:
        fh.write("/usr/local/cuda-12.4/lib64\n")
    return dst


def fifo(root: str, rel: str) -> None:
    """Replace a file of the tree by a FIFO that no one ever writes to."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.remove(path)
    os.mkfifo(path)
