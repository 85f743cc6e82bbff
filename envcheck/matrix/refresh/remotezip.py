"""A wheel's ZIP read through range requests: the end-of-central-directory record, the central directory, then
the local header and compressed data of just the members asked for. Every read is bounded."""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional

from envcheck.matrix.refresh.http import Http

EOCD_SIG, EOCD64_SIG, EOCD64_LOC_SIG = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
CEN_SIG, LOC_SIG = b"PK\x01\x02", b"PK\x03\x04"
FIRST_TAIL = 8 << 10            # first try: EOCD (+ a small central directory, read in the same request)
TAIL = (64 << 10) + 22          # EOCD + a comment of at most 65535 bytes
MAX_CENTRAL = 32 << 20          # a central directory larger than this is refused (torch's is ~1.5 MB)
MAX_ENTRIES = 1 << 18
STORED, DEFLATED = 0, 8


class ZipError(Exception):
    """Not a ZIP we can read remotely (bad signature, zip64 oddity, unsupported compression, over a bound)."""


@dataclass(frozen=True)
class Member:
    name: str
    method: int
    compressed: int
    size: int
    header_offset: int


class RemoteWheel:
    """The members of the ZIP at `url` (of `size` bytes, when the index said so)."""

    def __init__(self, http: Http, url: str, size: Optional[int] = None):
        self.http, self.url = http, url
        self.size = size if size else http.size(url)
        if not self.size:
            raise ZipError(f"{url}: size unknown")
        self._members: Optional[Dict[str, Member]] = None

    # -- directory -------------------------------------------------------------------------------------------
    def members(self) -> Dict[str, Member]:
        if self._members is None:
            self._members = self._read_directory()
        return self._members

    def _read_directory(self) -> Dict[str, Member]:
        tail_len = min(self.size, FIRST_TAIL)   # no archive comment (every wheel seen): EOCD is the last 22 bytes
        tail = self.http.range(self.url, self.size - tail_len, tail_len, "zip-directory")
        at = tail.rfind(EOCD_SIG)
        if (at < 0 or len(tail) - at < 22) and tail_len < min(self.size, TAIL):
            tail_len = min(self.size, TAIL)
            tail = self.http.range(self.url, self.size - tail_len, tail_len, "zip-directory")
            at = tail.rfind(EOCD_SIG)
        if at < 0 or len(tail) - at < 22:
            raise ZipError(f"{self.url}: no end-of-central-directory record in the last {tail_len} bytes")
        (_sig, _d, _dcd, _n_here, n_total, cd_size, cd_offset, _clen) = struct.unpack("<4sHHHHIIH", tail[at:at + 22])
        if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:  # zip64
            loc = tail.rfind(EOCD64_LOC_SIG, 0, at)
            if loc < 0:
                raise ZipError(f"{self.url}: zip64 locator missing")
            (eocd64_off,) = struct.unpack("<Q", tail[loc + 8:loc + 16])
            rec = self.http.range(self.url, eocd64_off, 56, "zip-directory")
            if rec[:4] != EOCD64_SIG:
                raise ZipError(f"{self.url}: bad zip64 end record")
            n_total, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
        if cd_size > MAX_CENTRAL or n_total > MAX_ENTRIES:
            raise ZipError(f"{self.url}: central directory of {cd_size} bytes / {n_total} entries is over the bound")
        start_in_tail = cd_offset - (self.size - tail_len)
        if 0 <= start_in_tail and start_in_tail + cd_size <= len(tail):
            cd = tail[start_in_tail:start_in_tail + cd_size]
        else:
            cd = self.http.range(self.url, cd_offset, cd_size, "zip-directory")
        return _parse_central(cd, n_total, self.url)

    # -- members ---------------------------------------------------------------------------------------------
    def _data_offset(self, m: Member) -> int:
        head = self.http.range(self.url, m.header_offset, 30, "member")
        if head[:4] != LOC_SIG:
            raise ZipError(f"{m.name}: bad local header")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        return m.header_offset + 30 + name_len + extra_len

    def stream(self, name: str, max_compressed: int, chunk: int = 256 << 10):
        """(compressed bytes read, decompressed bytes) of the member, chunk by chunk, reading at most `max_compressed` compressed bytes (the
        caller stops early when it has what it needs: only what was consumed is fetched)."""
        m = self.members().get(name)
        if m is None:
            raise ZipError(f"{self.url}: no member {name}")
        if m.method not in (STORED, DEFLATED):
            raise ZipError(f"{name}: compression method {m.method} is not supported")
        start = self._data_offset(m)
        d = zlib.decompressobj(-15) if m.method == DEFLATED else None
        pos, limit = 0, min(m.compressed, max_compressed)
        while pos < limit:
            part = self.http.range(self.url, start + pos, min(chunk, limit - pos), "member")
            if not part:
                return
            pos += len(part)
            yield len(part), (d.decompress(part, 64 << 20) if d is not None else part)

    def read(self, name: str, max_compressed: int) -> bytes:
        """The whole (decompressed) member `name`; ZipError when its compressed size is over `max_compressed`."""
        m = self.members().get(name)
        if m is None:
            raise ZipError(f"{self.url}: no member {name}")
        if m.compressed > max_compressed:
            raise ZipError(f"{name}: {m.compressed} compressed bytes, over the {max_compressed}-byte bound")
        data = self.http.range(self.url, self._data_offset(m), m.compressed, "member")
        if len(data) != m.compressed:
            raise ZipError(f"{name}: short read ({len(data)} of {m.compressed} bytes)")
        if m.method == STORED:
            return data
        if m.method == DEFLATED:
            d = zlib.decompressobj(-15)
            out = d.decompress(data, m.size + 1)
            if len(out) != m.size:
                raise ZipError(f"{name}: inflated to {len(out)} bytes, the directory says {m.size}")
            return out
        raise ZipError(f"{name}: compression method {m.method} is not supported")


def _parse_central(cd: bytes, n: int, url: str) -> Dict[str, Member]:
    out: Dict[str, Member] = {}
    pos = 0
    for _ in range(n):
        if cd[pos:pos + 4] != CEN_SIG or pos + 46 > len(cd):
            raise ZipError(f"{url}: bad central directory entry at {pos}")
        (method, _t, _dt, _crc, csize, usize, nlen, xlen, clen, _disk, _ia, _ea, hoff) = struct.unpack(
            "<HHHIIIHHHHHII", cd[pos + 10:pos + 46])
        name = cd[pos + 46:pos + 46 + nlen].decode("utf-8", "replace")
        extra = cd[pos + 46 + nlen:pos + 46 + nlen + xlen]
        if 0xFFFFFFFF in (csize, usize, hoff):
            csize, usize, hoff = _zip64_extra(extra, csize, usize, hoff)
        out[name] = Member(name, method, csize, usize, hoff)
        pos += 46 + nlen + xlen + clen
    return out


def _zip64_extra(extra: bytes, csize: int, usize: int, hoff: int):
    p = 0
    while p + 4 <= len(extra):
        tag, ln = struct.unpack("<HH", extra[p:p + 4])
        if tag == 1:
            vals = list(struct.unpack("<" + "Q" * (ln // 8), extra[p + 4:p + 4 + (ln // 8) * 8]))
            if usize == 0xFFFFFFFF and vals:
                usize = vals.pop(0)
            if csize == 0xFFFFFFFF and vals:
                csize = vals.pop(0)
            if hoff == 0xFFFFFFFF and vals:
                hoff = vals.pop(0)
            break
        p += 4 + ln
    return csize, usize, hoff


def dist_info_member(members: List[str], name: str = "METADATA") -> Optional[str]:
    """The top-level `*.dist-info/METADATA` of a wheel (one, shortest path)."""
    hits = sorted((m for m in members if m.count("/") == 1 and m.endswith(".dist-info/" + name)), key=len)
    return hits[0] if hits else None
