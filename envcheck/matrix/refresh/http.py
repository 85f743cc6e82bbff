"""Bounded HTTP for refresh: every byte received is counted, range reads fall back to a capped download."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

MAX_PAGE = 64 << 20           # a simple-API page (torch's JSON page is ~10 MB)
DEFAULT_FULL_CAP = 64 << 20   # without range support, a file is downloaded whole only up to this size
CHUNK = 1 << 16


class FetchError(Exception):
    """The index could not give what was asked (HTTP status, size cap, network); the message says which."""


@dataclass
class Counter:
    """Bytes received, per purpose ('index', 'metadata', 'zip-directory', 'member', 'full-download')."""
    by_kind: Dict[str, int] = field(default_factory=dict)
    requests: int = 0

    def add(self, kind: str, n: int) -> None:
        self.by_kind[kind] = self.by_kind.get(kind, 0) + n

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


class Http:
    """A requests session that counts bytes and knows whether a host honours Range."""

    def __init__(self, timeout: float = 60.0, full_cap: int = DEFAULT_FULL_CAP, session=None):
        import requests

        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "envcheck-matrix-refresh")
        self.timeout = timeout
        self.full_cap = full_cap
        self.counter = Counter()
        self._full: Dict[str, bytes] = {}       # url -> whole body (servers without ranges)
        self.no_range_urls: set = set()
        self._sizes: Dict[str, Optional[int]] = {}   # url -> size learnt from Content-Range

    def get(self, url: str, kind: str, headers: Optional[dict] = None, cap: int = MAX_PAGE) -> Tuple[bytes, dict]:
        """GET a whole (small) resource, streamed and cut off at `cap` bytes. Returns (body, headers)."""
        import requests

        try:
            resp = self.session.get(url, headers=headers or {}, timeout=self.timeout, stream=True)
        except requests.RequestException as exc:
            raise FetchError(f"cannot reach {url}: {type(exc).__name__}") from None
        self.counter.requests += 1
        with resp:
            if resp.status_code != 200:
                raise FetchError(f"{url} answered HTTP {resp.status_code}")
            body = self._read(resp, url, kind, cap)
            return body, dict(resp.headers)

    def _read(self, resp, url: str, kind: str, cap: int) -> bytes:
        chunks, size = [], 0
        for chunk in resp.iter_content(CHUNK):
            size += len(chunk)
            self.counter.add(kind, len(chunk))
            if size > cap:
                raise FetchError(f"{url} is larger than the {cap >> 20} MiB cap (stopped after {size} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)

    def range(self, url: str, start: int, length: int, kind: str, total: Optional[int] = None) -> bytes:
        """Bytes [start, start+length) of `url`. A server that ignores Range (answers 200) is remembered: the file is
        then downloaded whole once, if it is at most `full_cap` bytes (else FetchError), and served from memory."""
        import requests

        if length <= 0:
            return b""
        if url in self._full:
            return self._full[url][start:start + length]
        if url not in self.no_range_urls:
            try:
                resp = self.session.get(url, headers={"Range": f"bytes={start}-{start + length - 1}"},
                                        timeout=self.timeout, stream=True)
            except requests.RequestException as exc:
                raise FetchError(f"cannot reach {url}: {type(exc).__name__}") from None
            self.counter.requests += 1
            with resp:
                if resp.status_code == 206:
                    return self._read(resp, url, kind, length + CHUNK)[:length]
                if resp.status_code == 416:
                    return b""
                if resp.status_code != 200:
                    raise FetchError(f"{url} answered HTTP {resp.status_code} to a range request")
                # no range support: this body is the whole file; read it (capped) instead of asking again
                self.no_range_urls.add(url)
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.full_cap:
                    raise FetchError(f"{url} ignores HTTP ranges and is {int(declared)} bytes, more than the "
                                     f"{self.full_cap >> 20} MiB download cap (--full-cap)")
                body = self._read(resp, url, "full-download", self.full_cap)
                self._full[url] = body
                return body[start:start + length]
        body, _ = self.get(url, "full-download", cap=self.full_cap)
        self._full[url] = body
        return body[start:start + length]

    def size(self, url: str) -> Optional[int]:
        """The file's size from a 1-byte range request's Content-Range (or a capped download)."""
        import requests

        if url in self._full:
            return len(self._full[url])
        if url in self._sizes:
            return self._sizes[url]
        self._sizes[url] = self._size(url)
        return self._sizes[url]

    def _size(self, url: str) -> Optional[int]:
        import requests

        try:
            resp = self.session.get(url, headers={"Range": "bytes=0-0"}, timeout=self.timeout, stream=True)
        except requests.RequestException as exc:
            raise FetchError(f"cannot reach {url}: {type(exc).__name__}") from None
        self.counter.requests += 1
        with resp:
            if resp.status_code == 206:
                self._read(resp, url, "zip-directory", CHUNK)
                cr = resp.headers.get("Content-Range", "")
                tail = cr.rsplit("/", 1)[-1]
                return int(tail) if tail.isdigit() else None
            if resp.status_code == 200:
                self.no_range_urls.add(url)
                body = self._read(resp, url, "full-download", self.full_cap)
                self._full[url] = body
                return len(body)
            raise FetchError(f"{url} answered HTTP {resp.status_code}")
