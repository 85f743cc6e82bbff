"""The ELF reader on real objects built at test time, on odd files, and under fuzzing."""
import os
import random
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "native"))
from nativetest import make_lib, needs_cc  # noqa: E402

from envcheck.elf import glibc_needed, read_elf, read_elf_bytes  # noqa: E402


@needs_cc
def test_soname_needed_runpath_rpath_and_versions(tmp_path):
    dep = make_lib(str(tmp_path / "dep" / "libcublasLt.so.13"), versions=["libcublasLt.so.13"])
    ext = make_lib(str(tmp_path / "pkg" / "bindings.cpython-310-x86_64-linux-gnu.so"), soname="bindings.so",
                   needs=[dep], runpath="$ORIGIN/../nvidia/cu13/lib:/opt/x")
    old = make_lib(str(tmp_path / "pkg" / "libold.so.1"), needs=[dep], rpath="$ORIGIN")

    d = read_elf(dep)
    assert d.ok and d.soname == "libcublasLt.so.13" and d.machine == os.uname().machine.replace("amd64", "x86_64")
    assert "libcublasLt.so.13" in d.version_defs

    e = read_elf(ext)
    assert e.ok, e.error
    assert e.soname == "bindings.so"
    assert "libcublasLt.so.13" in e.needed and "libc.so.6" in e.needed
    assert e.runpath == ("$ORIGIN/../nvidia/cu13/lib", "/opt/x") and e.has_runpath and not e.has_rpath
    assert e.version_needs["libcublasLt.so.13"] == ("libcublasLt.so.13",)

    o = read_elf(old)
    assert o.rpath == ("$ORIGIN",) and o.has_rpath and not o.has_runpath


@needs_cc
def test_agrees_with_readelf(tmp_path):
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("no readelf to compare with")
    lib = make_lib(str(tmp_path / "libx.so.1"), runpath="$ORIGIN/a:$ORIGIN/b")
    out = subprocess.run([readelf, "-d", lib], capture_output=True, text=True).stdout
    info = read_elf(lib)
    for n in info.needed:
        assert f"[{n}]" in out
    assert "[libx.so.1]" in out and info.soname == "libx.so.1"
    assert "[$ORIGIN/a:$ORIGIN/b]" in out


def test_glibc_needed_of_a_system_binary():
    for p in ("/bin/true", "/usr/bin/true", "/bin/ls"):
        if os.path.exists(p):
            info = read_elf(p)
            assert info.ok, info.error
            if info.dynamic:
                assert glibc_needed(info) is None or glibc_needed(info).startswith("2.")
            return
    pytest.skip("no system binary to read")


def test_odd_files_are_errors_not_exceptions(tmp_path):
    (tmp_path / "empty.so").write_bytes(b"")
    (tmp_path / "text.so").write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\n")
    (tmp_path / "dir.so").mkdir()
    os.mkfifo(str(tmp_path / "fifo.so"))
    os.symlink("loop2.so", str(tmp_path / "loop1.so"))
    os.symlink("loop1.so", str(tmp_path / "loop2.so"))
    big = tmp_path / "huge.so"
    with open(big, "wb") as fh:  # a sparse 2 GB file: must not be read whole
        fh.truncate(2 << 30)
    for name in ("empty.so", "text.so", "dir.so", "fifo.so", "loop1.so", "huge.so", "missing.so"):
        info = read_elf(str(tmp_path / name))
        assert not info.ok and info.error, name
    assert "magic" in read_elf(str(tmp_path / "huge.so")).error


def _corpus(tmp_path):
    files = []
    if shutil.which("cc"):
        dep = make_lib(str(tmp_path / "c" / "libdep.so.1"), versions=["DEP_1.0", "DEP_2.0"])
        files.append(make_lib(str(tmp_path / "c" / "libmain.so"), needs=[dep], runpath="$ORIGIN"))
        files.append(dep)
    for p in ("/bin/true", "/usr/bin/true"):
        if os.path.exists(p):
            files.append(os.path.realpath(p))
            break
    return [open(f, "rb").read() for f in files]


def test_fuzz_truncated_and_bitflipped_never_raise(tmp_path):
    corpus = _corpus(tmp_path)
    if not corpus:
        pytest.skip("no ELF files to mutate (no cc, no /bin/true)")
    rng = random.Random(20261125)
    n = errors = 0
    for blob in corpus:
        for _ in range(1000):
            data = bytearray(blob)
            choice = rng.random()
            if choice < 0.3:
                data = data[:rng.randrange(0, len(data))]
            else:
                # flips concentrated in the headers and the dynamic data, where they matter
                hot = min(len(data), 0x4000)
                for _f in range(rng.randint(1, 8)):
                    pos = rng.randrange(0, hot if rng.random() < 0.8 else len(data))
                    data[pos] ^= 1 << rng.randrange(8)
            info = read_elf_bytes("fuzz.so", bytes(data))  # must not raise
            n += 1
            errors += not info.ok
            if info.ok:
                assert isinstance(info.needed, tuple)
    assert n >= 2000 and errors > 0
