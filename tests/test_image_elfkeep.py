"""The ELF head (.dynsym, .dynstr, .gnu.version_r, relocations: everything before .text) is held in memory while a
file streams, never on disk: peak disk is what is kept, not the head. A real library built with cc whose head is
hundreds of KiB (thousands of long exported names), fed in chunks as a layer stream would feed it."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import FIXTURES

sys.path.insert(0, os.path.join(FIXTURES, "native"))
from elfbuild import CC, make_lib  # noqa: E402

pytestmark = pytest.mark.skipif(CC is None, reason="no C compiler")


def _big_head_lib(tmp_path) -> str:
    dep = make_lib(str(tmp_path / "libdep.so"), soname="libdep.so.3", versions=["DEP_1.0"])
    src = tmp_path / "big.c"
    names = [f"envcheck_an_exported_function_with_a_long_mangled_like_name_{i:05d}" for i in range(6000)]
    src.write_text("extern int f_libdep_so_3(void);\n" + "".join(f"int {n}(void) {{ return {i}; }}\n"
                                                                 for i, n in enumerate(names))
                   + "int use(void) { return f_libdep_so_3(); }\n")
    out = str(tmp_path / "libbig.so")
    subprocess.run([CC, "-shared", "-fPIC", "-O0", "-o", out, str(src), f"-L{tmp_path}", "-l:libdep.so",
                    "-Wl,-soname,libbig.so.1", "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags"],
                   check=True, capture_output=True, timeout=120)
    assert dep
    return out


def _allocated(fd: int) -> int:
    return os.fstat(fd).st_blocks * 512


def test_head_never_on_disk_and_facts_kept(tmp_path):
    from envcheck.elf import read_elf
    from envcheck.image.elfkeep import ElfKeeper, _layout

    src = _big_head_lib(tmp_path)
    data = open(src, "rb").read()
    size = len(data)
    head_end = _layout(data[:1 << 20], size, 32 << 20).head_end
    assert head_end > 512 << 10                       # the read-only head before .text is large
    dest = str(tmp_path / "kept.so")
    fd = os.open(dest, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, size)
        step = 64 << 10
        k = ElfKeeper(fd, size, data[:step], 32 << 20, False)
        peak = 0
        for pos in range(0, size, step):
            k.feed(pos, data[pos:pos + step])
            peak = max(peak, _allocated(fd))
        kept, partial = k.finish("/usr/lib/libbig.so")
        final = _allocated(fd)
    finally:
        os.close(fd)
    assert not partial
    assert peak < 128 << 10, peak                     # the dynamic section, not the ~MiB head
    assert final <= 128 << 10 and kept < head_end
    want, got = read_elf(src), read_elf("/usr/lib/libbig.so", dest)
    assert got.error is None, got.error
    assert (got.soname, got.needed, got.runpath, got.version_needs) == \
        (want.soname, want.needed, want.runpath, want.version_needs)
    assert got.soname == "libbig.so.1" and "libdep.so.3" in got.needed and got.runpath == ("$ORIGIN/../lib",)
