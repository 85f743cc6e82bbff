"""glibc's search order, ld.so.cache in both formats (made by the real ldconfig), ld.so.conf includes."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "native"))
from nativetest import MA, ldconfig_cache, make_lib, make_root, needs_cc, needs_ldconfig  # noqa: E402

from envcheck.ldcache import parse_cache, read_cache, read_conf  # noqa: E402
from envcheck.loader import CRASHES, Loader  # noqa: E402
from envcheck.root import Root  # noqa: E402


@needs_cc
@needs_ldconfig
@pytest.mark.parametrize("fmt", ["new", "old", "compat"])
def test_ldconfig_cache_formats(tmp_path, fmt):
    root = make_root(str(tmp_path / "r"), conf_dirs=["/opt/cuda/lib64"])
    make_lib(root + "/opt/cuda/lib64/libcublasLt.so.12.4.5.8", soname="libcublasLt.so.12")
    path = ldconfig_cache(root, fmt)
    cache = parse_cache(open(path, "rb").read())
    assert cache.format == fmt, cache.error
    entry = cache.lookup("libcublasLt.so.12", "x86_64")
    # ldconfig made the soname link and cached it
    assert entry is not None and entry.path == "/opt/cuda/lib64/libcublasLt.so.12"
    assert cache.lookup("libcublasLt.so.12", "aarch64") is None


def test_corrupt_cache_is_an_error_not_an_exception():
    for data in (b"", b"ld.so-1.7.0\0\xff\xff\xff\xff", b"glibc-ld.so.cache1.1" + b"\0" * 10,
                 b"glibc-ld.so.cache9.9" + b"\0" * 40, b"garbage" * 10):
        c = parse_cache(data)
        assert c.format is None and c.error


def test_ld_so_conf_includes(tmp_path):
    (tmp_path / "etc" / "ld.so.conf.d").mkdir(parents=True)
    (tmp_path / "etc" / "ld.so.conf").write_text("# comment\ninclude ld.so.conf.d/*.conf\n/usr/local/lib\n")
    (tmp_path / "etc" / "ld.so.conf.d" / "a-cuda.conf").write_text("/usr/local/cuda/lib64  # trailing\n")
    (tmp_path / "etc" / "ld.so.conf.d" / "b-nvidia.conf").write_text("/usr/local/nvidia/lib64\n/usr/local/nvidia/lib\n")
    (tmp_path / "etc" / "ld.so.conf.d" / "ignored.txt").write_text("/nope\n")
    dirs, errors = read_conf(Root(str(tmp_path), live=False))
    assert dirs == ["/usr/local/cuda/lib64", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/local/lib"]
    assert errors == []


@needs_cc
@needs_ldconfig
def test_search_order(tmp_path):
    """RPATH > LD_LIBRARY_PATH > RUNPATH > ld.so.cache > default dirs; RUNPATH disables RPATH; $ORIGIN."""
    root = make_root(str(tmp_path / "r"), conf_dirs=["/cache"])
    r = lambda p: root + p  # noqa: E731
    for d in ("/rpath", "/llp", "/runpath", "/cache", MA):
        make_lib(r(d + "/libv.so.1"))
    ldconfig_cache(root)
    rp = make_lib(r("/app/with_rpath.so"), needs=[r("/cache/libv.so.1")], rpath="/rpath")
    run = make_lib(r("/app/with_runpath.so"), needs=[r("/cache/libv.so.1")], runpath="$ORIGIN/../runpath")
    plain = make_lib(r("/app/plain.so"), needs=[r("/cache/libv.so.1")])
    R = Root(root, live=False)

    def where(obj, llp):
        c = Loader(R, llp).load(obj)
        assert not c.missing, c.missing
        return c.found["libv.so.1"]

    assert where("/app/with_rpath.so", "/llp") == ("/rpath/libv.so.1", "RPATH")
    assert where("/app/with_runpath.so", "/llp") == ("/llp/libv.so.1", "LD_LIBRARY_PATH")
    assert where("/app/with_runpath.so", None) == ("/runpath/libv.so.1", "RUNPATH")
    assert where("/app/plain.so", None) == ("/cache/libv.so.1", "ld.so.cache")
    os.remove(r("/etc/ld.so.cache"))
    assert where("/app/plain.so", None) == (MA + "/libv.so.1", "default-dir")
    assert rp and run and plain


@needs_cc
def test_runpath_is_not_inherited_but_rpath_is_and_loaded_sonames_are_reused(tmp_path):
    root = make_root(str(tmp_path / "r"))
    r = lambda p: root + p  # noqa: E731
    leaf = make_lib(r("/deps/libleaf.so.1"))
    mid = make_lib(r("/mid/libmid.so.1"), needs=[leaf])                       # no path of its own to /deps
    make_lib(r("/a/runpath_top.so"), needs=[mid], runpath="/mid:/deps")
    make_lib(r("/a/rpath_top.so"), needs=[mid], rpath="/mid:/deps")
    R = Root(root, live=False)
    c = Loader(R, None).load("/a/runpath_top.so")
    assert [m.soname for m in c.missing] == ["libleaf.so.1"]      # RUNPATH applies to direct needs only
    assert c.missing[0].needer == "/mid/libmid.so.1"
    c = Loader(R, None).load("/a/rpath_top.so")
    assert not c.missing and c.found["libleaf.so.1"][1] == "RPATH"  # RPATH of the loader chain applies
    # once libleaf.so.1 is loaded (by soname), the runpath object's child finds it
    c = Loader(R, None).load("/a/runpath_top.so", preloaded={"libleaf.so.1": "/deps/libleaf.so.1"})
    assert not c.missing


@needs_cc
def test_missing_symbol_version(tmp_path):
    root = make_root(str(tmp_path / "r"))
    r = lambda p: root + p  # noqa: E731
    new = make_lib(str(tmp_path / "build" / "libcublasLt.so.12"), versions=["libcublasLt.so.12"])
    make_lib(r("/app/ext.so"), needs=[new], runpath="$ORIGIN/lib")
    make_lib(r("/app/lib/libcublasLt.so.12"))   # the same soname without the version node
    c = Loader(Root(root, live=False), None).load("/app/ext.so")
    assert not c.missing
    assert [(v.soname, v.version) for v in c.version_missing] == [("libcublasLt.so.12", "libcublasLt.so.12")]
    assert c.glibc_required is None or c.glibc_required.startswith("2.")


@needs_cc
def test_symlink_loops_and_unreadable_candidates(tmp_path):
    root = make_root(str(tmp_path / "r"))
    r = lambda p: root + p  # noqa: E731
    good = make_lib(r("/good/libz9.so.1"))
    make_lib(r("/app/ext.so"), needs=[good], runpath="/bad:/loop:/good")
    os.makedirs(r("/bad"))
    with open(r("/bad/libz9.so.1"), "w") as fh:
        fh.write("not elf")
    os.makedirs(r("/loop"))
    os.symlink("libz9.so.1", r("/loop/libz9.so.1"))
    c = Loader(Root(root, live=False), None).load("/app/ext.so")
    assert [m.stop for m in c.missing] == [("/bad/libz9.so.1", "file too short")]   # glibc stops at it
    make_lib(r("/app/ext2.so"), needs=[good], runpath="/loop:/good:/bad")
    c = Loader(Root(root, live=False), None).load("/app/ext2.so")
    assert not c.missing and c.found["libz9.so.1"] == ("/good/libz9.so.1", "RUNPATH")   # a loop is skipped


def _elf(**patch) -> bytes:
    """A 64-bit x86_64 ET_DYN header with one program header, then padding; ``patch`` sets bytes at offsets."""
    head = bytearray(b"\x7fELF\x02\x01\x01" + bytes(9) + (3).to_bytes(2, "little") + (62).to_bytes(2, "little")
                     + (1).to_bytes(4, "little") + bytes(8) + (64).to_bytes(8, "little") + bytes(8) + bytes(4)
                     + (64).to_bytes(2, "little") + (56).to_bytes(2, "little") + (1).to_bytes(2, "little") + bytes(6))
    for off, value in patch.values():
        head[off:off + len(value)] = value
    return bytes(head) + bytes(200)


BAD_CANDIDATES = [
    ("empty", b"", "file too short"),
    ("a text file", b"INPUT(-lcudart_static)\n" * 4, "invalid ELF header"),
    ("a 32-bit library", _elf(cls=(4, b"\x01")), None),             # another class: skipped, the search goes on
    ("an aarch64 library", _elf(em=(18, b"\xb7\x00")), None),       # another machine: skipped
    ("big-endian", _elf(data=(5, b"\x02")), "ELF file data encoding not little-endian"),
    ("ident version", _elf(v=(6, b"\x02")), "ELF file version ident does not match current one"),
    ("OS ABI", _elf(osabi=(7, b"\x61")), "ELF file OS ABI invalid"),
    ("ABI version", _elf(abiv=(8, b"\x05")), "ELF file ABI version invalid"),
    ("padding", _elf(pad=(9, b"\x01")), "nonzero padding in e_ident"),
    ("e_version", _elf(ev=(20, b"\x02")), "ELF file version does not match current one"),
    ("an ELF core file", _elf(t=(16, b"\x04\x00")), "only ET_DYN and ET_EXEC can be loaded"),
    ("phentsize", _elf(ph=(54, b"\x20\x00")), "ELF file's phentsize not the expected size"),
    ("program headers cut off", _elf(phoff=(32, (4096).to_bytes(8, "little"))), "cannot read file data"),
    ("a directory", None, "cannot read file data"),
]


@needs_cc
@pytest.mark.parametrize("what,content,error", BAD_CANDIDATES, ids=[c[0] for c in BAD_CANDIDATES])
def test_a_candidate_glibc_refuses_stops_the_search(tmp_path, what, content, error):
    """glibc's open_verify: a file it opens but cannot use ends the search ('file too short'), one of another ELF
    class is skipped. The real loader's verdict on the same tree is checked in test_real_loader_agrees."""
    root = make_root(str(tmp_path / "r"))
    r = lambda p: root + p  # noqa: E731
    good = make_lib(r("/good/libz8.so.1"))
    make_lib(r("/app/ext.so"), needs=[good], runpath="/bad:/good")
    if content is None:
        os.makedirs(r("/bad/libz8.so.1"))
    else:
        os.makedirs(r("/bad"))
        with open(r("/bad/libz8.so.1"), "wb") as fh:
            fh.write(content)
    c = Loader(Root(root, live=False), None).load("/app/ext.so")
    if error is None:
        assert not c.missing and c.found["libz8.so.1"] == ("/good/libz8.so.1", "RUNPATH")
    else:
        assert [m.stop for m in c.missing] == [("/bad/libz8.so.1", error)]
        assert c.missing[0].searched[-1] == f"stopped at /bad/libz8.so.1 ({error})"


def _half(tmp_path) -> bytes:
    """A real library cut in half: its header and program headers pass, its segments run past the end."""
    data = open(make_lib(str(tmp_path / "whole" / "libw.so.1")), "rb").read()
    return data[:len(data) // 2]


def _pie(tmp_path) -> bytes:
    return open(make_lib(str(tmp_path / "exe" / "prog"), exe=True), "rb").read()


def _no_dynamic(tmp_path) -> bytes:
    """A real library whose PT_DYNAMIC header is turned into PT_NULL."""
    data = bytearray(open(make_lib(str(tmp_path / "nodyn" / "libn.so.1")), "rb").read())
    phoff, phentsize, phnum = (int.from_bytes(data[32:40], "little"), int.from_bytes(data[54:56], "little"),
                               int.from_bytes(data[56:58], "little"))
    for i in range(phnum):
        at = phoff + i * phentsize
        if int.from_bytes(data[at:at + 4], "little") == 2:
            data[at:at + 4] = (0).to_bytes(4, "little")
    return bytes(data)


# files that take a real library or a device to make: checked against the real loader only
REAL_ONLY = [
    ("a link to /dev/null", "/dev/null", "file too short"),
    ("a library cut in half", _half, CRASHES),
    ("a position-independent executable", _pie, "cannot dynamically load position-independent executable"),
    ("no dynamic section", _no_dynamic, "object file has no dynamic section"),
]


@needs_cc
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's loader")
@pytest.mark.parametrize("what,content,error", BAD_CANDIDATES + REAL_ONLY, ids=[c[0] for c in BAD_CANDIDATES + REAL_ONLY])
def test_real_loader_agrees(tmp_path, what, content, error):
    """The same trees, loaded for real by this machine's glibc (dlopen in a child process): where envcheck says the
    search stops, dlopen fails with that error; where it says the candidate is skipped, dlopen succeeds."""
    import subprocess
    good = make_lib(str(tmp_path / "good" / "libz7.so.1"))
    ext = make_lib(str(tmp_path / "app" / "ext.so"), needs=[good],
                   runpath=f"{tmp_path}/bad:{tmp_path}/good")
    bad = tmp_path / "bad" / "libz7.so.1"
    if content is None:
        bad.mkdir(parents=True)
    elif isinstance(content, str):
        bad.parent.mkdir(parents=True)
        bad.symlink_to(content)
    else:
        bad.parent.mkdir(parents=True)
        bad.write_bytes(content(tmp_path) if callable(content) else content)
    run = subprocess.run([sys.executable, "-c", f"import ctypes; ctypes.CDLL({ext!r})"], capture_output=True,
                         text=True, env={"PATH": os.environ.get("PATH", "")})
    c = Loader(Root("/", live=False), None).load(ext)
    stops = [m.stop for m in c.missing if m.soname == "libz7.so.1"]
    if error is None:
        assert run.returncode == 0, run.stderr
        assert not stops and c.found["libz7.so.1"][0] == good
    elif error == CRASHES:
        assert run.returncode == -7, (run.returncode, run.stderr)    # SIGBUS, no error message
        assert stops == [(str(bad), error)]
    else:   # glibc names the path, or for the checks after open_verify the name it was asked for
        assert f"{bad}: {error}" in run.stderr or f"libz7.so.1: {error}" in run.stderr, run.stderr
        assert stops == [(str(bad), error)]
