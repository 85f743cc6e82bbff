"""Blob streams: count and hash what is read, enforce caps, decompress on the fly (gzip; zstd with `zstandard`).

Nothing here buffers a blob: every read is bounded by the caller's size, so memory stays flat whatever the layer."""
from __future__ import annotations

import gzip
import hashlib
from typing import BinaryIO, Callable, Optional

from envcheck.image.limits import ImageError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class Counted:
    """A read-only stream that hashes (sha256) and counts the bytes read from it, and refuses to pass `cap`."""

    def __init__(self, raw: BinaryIO, cap: int, what: str, progress: Optional[Callable[[int], None]] = None,
                 hashing: bool = True, bound: str = "the cap for a compressed blob; ENVCHECK_IMAGE_MAX_BLOB_BYTES "
                                                   "raises it"):
        self.raw = raw
        self.cap = cap
        self.bound = bound
        self.what = what
        self.count = 0
        self.sha = hashlib.sha256() if hashing else None
        self.progress = progress
        self._peek = b""

    def peek(self, n: int) -> bytes:
        while len(self._peek) < n:
            more = self.raw.read(n - len(self._peek))
            if not more:
                break
            self._peek += more
        return self._peek[:n]

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = 1 << 20
        if self._peek:
            data, self._peek = self._peek[:n], self._peek[n:]
            if len(data) < n:
                data += self.raw.read(n - len(data)) or b""
        else:
            data = self.raw.read(n) or b""
        if data:
            self.count += len(data)
            if self.count > self.cap:
                raise ImageError(f"{self.what}: more than {self.cap} bytes ({self.bound})")
            if self.sha is not None:
                self.sha.update(data)
            if self.progress:
                self.progress(len(data))
        return data

    def readable(self):
        return True

    def drain(self, chunk: int = 1 << 20) -> None:
        while self.read(chunk):
            pass

    @property
    def digest(self) -> Optional[str]:
        return "sha256:" + self.sha.hexdigest() if self.sha is not None else None


def decompressed(raw: Counted, what: str) -> BinaryIO:
    """The layer's tar stream, whatever its compression (detected from the magic bytes, not the media type)."""
    head = raw.peek(4)
    if head[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if head == ZSTD_MAGIC:
        try:
            import zstandard
        except ImportError:
            raise ImageError(f"{what} is zstd-compressed: pip install zstandard (or pip install 'envcheck[image]')") from None
        return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    return raw


def check_streamed(desc: dict, count: int, what: str) -> None:
    """The bytes that streamed match the size the descriptor declared (a blob is exactly what its manifest says)."""
    size = desc.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size != count:
        raise ImageError(f"{what}: the manifest declares {size} bytes, {count} bytes were served")


def verify(got: Optional[str], expected: Optional[str], what: str) -> None:
    """`got` None: not hashed (the blob's own digest already vouched for these bytes)."""
    if got is not None and expected and expected.startswith("sha256:") and got != expected:
        raise ImageError(f"{what}: digest mismatch: the content hashes to {got}, the manifest says {expected}")
