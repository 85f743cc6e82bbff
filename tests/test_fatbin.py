"""envcheck.fatbin: GPU architectures read from a CUDA binary's .nv_fatbin section, without loading it.

Real inputs only: a shared object nvcc 13.0 built (committed), one the C compiler built around fatbin bytes written
by the documented layout (committed, and rebuilt here when cc exists), pure-Python ELF files, and, where nvcc is on
PATH, a library compiled at test time with the brief's -gencode flags.
"""
from __future__ import annotations

import io
import os
import random
import shutil
import struct
import subprocess
import sys

import pytest

from envcheck.fatbin import FatbinArchs, read_archs, read_archs_path, runs_on
from envcheck.root import Root

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures", "fatbin")
sys.path.insert(0, FIX)
import fatbin_build as fb  # noqa: E402

NVCC_MULTI = os.path.join(FIX, "nvcc13-multi.so")
HANDMADE = os.path.join(FIX, "handmade.so")


def _read(path):
    with open(path, "rb") as fh:
        return read_archs(fh)


def _read_bytes(data: bytes) -> FatbinArchs:
    return read_archs(io.BytesIO(data))


# -- real files ---------------------------------------------------------------------------------------------------
def test_nvcc13_fixture():
    """Built by nvcc 13.0 from k.cu and k2.cu (commands in docs/fatbin.md): two containers, 10 entries."""
    a = _read(NVCC_MULTI)
    assert a.error is None
    assert a.sass == ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90a", "sm_100f", "sm_103a", "sm_120")
    assert a.ptx == ("compute_100f", "compute_120")
    assert (a.entries, a.compressed, a.containers) == (10, 4, 2)


def test_handmade_fixture_committed():
    a = _read(HANDMADE)
    assert a.error is None
    for key, want in fb.HANDMADE_EXPECTED.items():
        assert getattr(a, key) == want, key


@pytest.mark.skipif(fb.CC is None, reason="no C compiler (cc/gcc/clang) on PATH")
def test_handmade_built_with_cc_now(tmp_path):
    so = fb.cc_shared_object(str(tmp_path / "libhand.so"), fb.handmade_fatbin())
    a = _read(so)
    assert a.error is None
    for key, want in fb.HANDMADE_EXPECTED.items():
        assert getattr(a, key) == want, key


@pytest.mark.skipif(fb.CC is None, reason="no C compiler (cc/gcc/clang) on PATH")
def test_relfatbin_of_a_shared_object_is_not_what_runs(tmp_path):
    """In a linked library __nv_relfatbin keeps the device link's relocatable inputs; only .nv_fatbin is loaded
    (libnvshmem_host.so.3: 196 entries there, 6 in .nv_fatbin, and cuobjdump lists the 6)."""
    blob = fb.container([fb.entry(fb.ELF, 75, b"x" * 9)])
    so = fb.cc_shared_object(str(tmp_path / "librel.so"), blob, section="__nv_relfatbin")
    a = _read(so)
    assert (a.sass, a.entries, a.error) == ((), 0, None)


@pytest.mark.skipif(fb.CC is None, reason="no C compiler (cc/gcc/clang) on PATH")
def test_plain_library_has_no_device_code(tmp_path):
    src = tmp_path / "plain.c"
    src.write_text("int f(void) { return 1; }\n")
    so = str(tmp_path / "libplain.so")
    subprocess.run([fb.CC, "-shared", "-fPIC", "-o", so, str(src)], check=True, capture_output=True)
    a = _read(so)
    assert (a.sass, a.ptx, a.entries, a.error) == ((), (), 0, None)
    assert runs_on(a, "8.9")[0] is True


NVCC = shutil.which("nvcc")


@pytest.mark.skipif(NVCC is None, reason="nvcc not on PATH: cannot compile a CUDA library at test time")
def test_nvcc_built_now(tmp_path):
    cu = tmp_path / "k.cu"
    cu.write_text("__global__ void k(float *x) { x[threadIdx.x] *= 2.0f; }\n"
                  "extern \"C\" void launch(float *x) { k<<<1, 32>>>(x); }\n")
    so = str(tmp_path / "libk.so")
    p = subprocess.run([NVCC, "-shared", "-Xcompiler", "-fPIC", "-cudart", "none",
                        "-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=compute_90",
                        "-o", so, str(cu)], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        pytest.skip(f"nvcc could not build sm_80 + compute_90 here: {p.stderr.strip()[-300:]}")
    a = _read(so)
    assert a.error is None
    assert a.sass == ("sm_80",)
    assert a.ptx == ("compute_90",)
    assert runs_on(a, "8.0") == (True, "SASS sm_80")
    assert runs_on(a, "8.9") == (True, "SASS sm_80 (binary-compatible with 8.9)")
    assert runs_on(a, "12.0") == (True, "PTX compute_90 JIT-compiled by the driver (slow first start)")
    assert runs_on(a, "7.5") == (False, "no SASS for sm_75 and no PTX <= 7.5")


# -- pure-Python ELF files: layout details ------------------------------------------------------------------------
@pytest.mark.parametrize("e_type,want", [
    (3, (("sm_70",), ("compute_70",), 2, 2, None)),                # ET_DYN: .nv_fatbin only
    (1, (("sm_70", "sm_72"), ("compute_70",), 3, 3, None)),       # ET_REL: __nv_relfatbin too
])
def test_multiple_sections_and_containers(e_type, want):
    data = fb.elf_with_sections({
        ".text": b"\x90" * 40,
        ".nv_fatbin": fb.container([fb.entry(fb.ELF, 70)]) + fb.container([fb.entry(fb.PTX, 70)]),
        "__nv_relfatbin": fb.container([fb.entry(fb.ELF, 72, b"abc")]),
    }, e_type=e_type)
    a = _read_bytes(data)
    assert (a.sass, a.ptx, a.entries, a.containers, a.error) == want


def test_duplicates_are_merged_and_sorted_numerically():
    blob = fb.container([fb.entry(fb.ELF, a) for a in (120, 90, 80, 90, 100)])
    a = _read_bytes(fb.elf_with_sections({".nv_fatbin": blob}))
    assert a.sass == ("sm_80", "sm_90", "sm_100", "sm_120")
    assert a.entries == 5


def test_unknown_kind_is_counted_not_listed():
    blob = fb.container([fb.entry(0x40, 90), fb.entry(fb.ELF, 90)])
    a = _read_bytes(fb.elf_with_sections({".nv_fatbin": blob}))
    assert (a.sass, a.entries, a.other_kinds, a.error) == (("sm_90",), 2, (0x40,), None)


def test_bare_fatbin_file():
    a = _read_bytes(fb.container([fb.entry(fb.ELF, 89), fb.entry(fb.PTX, 89)]))
    assert (a.sass, a.ptx, a.error) == (("sm_89",), ("compute_89",), None)


def test_payload_is_never_read():
    """A payload of 1 GiB described by the header: the reader seeks past it (only headers are read)."""
    class CountingIO(io.BytesIO):
        read_bytes = 0

        def read(self, n=-1):
            out = super().read(n)
            CountingIO.read_bytes += len(out)
            return out

    big = 1 << 20
    blob = fb.container([fb.entry(fb.ELF, 80, b"\xAB" * big), fb.entry(fb.ELF, 90, b"\xCD" * big)])
    fh = CountingIO(fb.elf_with_sections({".nv_fatbin": blob}))
    a = read_archs(fh)
    assert a.sass == ("sm_80", "sm_90")
    assert CountingIO.read_bytes < 4096


# -- errors --------------------------------------------------------------------------------------------------------
def test_not_elf():
    a = _read_bytes(b"#!/bin/sh\necho hi\n")
    assert a.error == "not an ELF file"
    assert runs_on(a, "8.9")[0] is False
    assert _read_bytes(b"").error == "not an ELF file"


@pytest.mark.parametrize("cls,data", [(1, 1), (2, 2)])
def test_unsupported_elf(cls, data):
    a = _read_bytes(fb.elf_with_sections({".nv_fatbin": fb.container([])}, elf_class=cls, data=data))
    assert a.error.startswith("unsupported ELF")


def test_container_past_section_end():
    blob = bytearray(fb.container([fb.entry(fb.ELF, 80, b"x" * 16)]))
    struct.pack_into("<Q", blob, 8, 10_000)
    a = _read_bytes(fb.elf_with_sections({".nv_fatbin": bytes(blob)}))
    assert "runs past the end of the section" in a.error


def test_entry_payload_past_container_keeps_what_was_read():
    e1 = fb.entry(fb.ELF, 80, b"x" * 8)
    e2 = bytearray(fb.entry(fb.ELF, 90, b"y" * 8))
    struct.pack_into("<Q", e2, 8, 1 << 40)
    a = _read_bytes(fb.elf_with_sections({".nv_fatbin": fb.container([e1, bytes(e2)])}))
    assert a.sass == ("sm_80",)
    assert "payload runs past" in a.error
    ok, why = runs_on(a, "9.0")
    assert ok is False and "read only in part" in why


def test_garbage_in_section():
    a = _read_bytes(fb.elf_with_sections({".nv_fatbin": b"\x01" * 64}))
    assert "no fatbin container here" in a.error


def test_unknown_version():
    blob = bytearray(fb.container([fb.entry(fb.ELF, 80)]))
    struct.pack_into("<H", blob, 4, 2)
    assert "unknown fatbin container version" in _read_bytes(fb.elf_with_sections({".nv_fatbin": bytes(blob)})).error


def test_truncated_file_section_past_end():
    data = open(NVCC_MULTI, "rb").read()
    a = _read_bytes(data[: len(data) // 2])
    assert a.error is not None and "truncated" in a.error


def test_read_archs_path(tmp_path):
    shutil.copy(HANDMADE, tmp_path / "libx.so")
    os.symlink("libx.so", tmp_path / "libx.so.1")
    (tmp_path / "dir").mkdir()
    root = Root(str(tmp_path))
    assert read_archs_path(root, "/libx.so.1").sass == fb.HANDMADE_EXPECTED["sass"]
    assert read_archs_path(root, "/missing.so").error == "/missing.so: no such file"
    assert read_archs_path(root, "/dir").error == "/dir: not a regular file"


# -- fuzz: never raises --------------------------------------------------------------------------------------------
def _check(a):
    assert isinstance(a, FatbinArchs)
    for s in a.sass:
        assert s.startswith("sm_")
    for p in a.ptx:
        assert p.startswith("compute_")
    runs_on(a, "8.9")


@pytest.mark.parametrize("path", [HANDMADE, NVCC_MULTI])
def test_fuzz_every_truncation(path):
    data = open(path, "rb").read()
    step = max(1, len(data) // 3000)
    lengths = set(range(0, len(data), step)) | set(range(0, 128)) | set(range(len(data) - 64, len(data)))
    for n in sorted(lengths):
        _check(_read_bytes(data[:n]))


@pytest.mark.parametrize("path", [HANDMADE, NVCC_MULTI])
def test_fuzz_bit_flips(path):
    data = open(path, "rb").read()
    rng = random.Random(0xBA55ED50)
    # where the interesting bytes are: ELF header, section headers, the fatbin section
    with open(path, "rb") as fh:
        head = fh.read(64)
    shoff = struct.unpack_from("<Q", head, 0x28)[0]
    hot = list(range(64)) + list(range(shoff, len(data)))
    fat = _read(path)
    assert fat.error is None
    for i in range(3000):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 1, 2, 8))):
            pos = rng.choice(hot) if i % 2 else rng.randrange(len(buf))
            buf[pos] ^= 1 << rng.randrange(8)
        _check(_read_bytes(bytes(buf)))


def test_fuzz_fatbin_headers_only():
    """Flip bits inside the fatbin bytes themselves (the densest part of the format)."""
    blob = fb.handmade_fatbin()
    rng = random.Random(7)
    for _ in range(3000):
        buf = bytearray(blob)
        for _ in range(rng.choice((1, 2, 4))):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        _check(_read_bytes(fb.elf_with_sections({".nv_fatbin": bytes(buf)})))
        _check(_read_bytes(bytes(buf)))


def test_fuzz_random_bytes():
    rng = random.Random(1)
    for _ in range(500):
        n = rng.randrange(0, 300)
        body = bytes(rng.randrange(256) for _ in range(n))
        _check(_read_bytes(b"\x7fELF\x02\x01" + body))
        _check(_read_bytes(struct.pack("<IHHQ", fb.MAGIC, 1, 16, n) + body))


# -- runs_on -------------------------------------------------------------------------------------------------------
def A(sass=(), ptx=()):
    return FatbinArchs(tuple(sass), tuple(ptx), len(sass) + len(ptx), 0)


@pytest.mark.parametrize("archs,cc,want", [
    (A(["sm_80", "sm_86", "sm_89", "sm_90"]), "8.9", (True, "SASS sm_89")),
    (A(["sm_80", "sm_86"]), "8.9", (True, "SASS sm_86 (binary-compatible with 8.9)")),
    (A(["sm_80"], ["compute_80"]), "9.0", (True, "PTX compute_80 JIT-compiled by the driver (slow first start)")),
    (A(["sm_80", "sm_90"], ["compute_90"]), "12.0",
     (True, "PTX compute_90 JIT-compiled by the driver (slow first start)")),
    (A(["sm_80", "sm_86", "sm_90"]), "12.0", (False, "no SASS for sm_120 and no PTX <= 12.0")),
    (A(["sm_90"], ["compute_90"]), "8.9", (False, "no SASS for sm_89 and no PTX <= 8.9")),
    # arch-specific code runs on exactly that compute capability
    (A(["sm_90a"]), "9.0", (True, "SASS sm_90a")),
    (A(["sm_100a"]), "10.3", (False, "no SASS for sm_103 and no PTX <= 10.3")),
    (A([], ["compute_120a"]), "12.1", (False, "no SASS for sm_121 and no PTX <= 12.1")),
    # family-specific code runs on the family (same major, same or higher minor)
    (A(["sm_100f"]), "10.3", (True, "SASS sm_100f (binary-compatible with 10.3)")),
    (A(["sm_100f"]), "12.0", (False, "no SASS for sm_120 and no PTX <= 12.0")),
    (A([], ["compute_100f"]), "10.3", (True, "PTX compute_100f JIT-compiled by the driver (slow first start)")),
    (A([], ["compute_100f"]), "12.0", (False, "no SASS for sm_120 and no PTX <= 12.0")),
    (A(["sm_120"]), "12.1", (True, "SASS sm_120 (binary-compatible with 12.1)")),
    # the PTX with the highest version that still fits is the one picked
    (A([], ["compute_75", "compute_80", "compute_90"]), "8.6",
     (True, "PTX compute_80 JIT-compiled by the driver (slow first start)")),
])
def test_runs_on(archs, cc, want):
    assert runs_on(archs, cc) == want


def test_runs_on_bad_cc():
    ok, why = runs_on(A(["sm_80"]), "ampere")
    assert ok is False and "not a compute capability" in why


def test_runs_on_unreadable():
    ok, why = runs_on(FatbinArchs((), (), 0, 0, error="not an ELF file"), "8.9")
    assert (ok, why) == (False, "cannot tell: not an ELF file")
