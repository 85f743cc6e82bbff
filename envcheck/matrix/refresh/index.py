"""The package index's simple API (PEP 691 JSON, else PEP 503 HTML): the files of a project with their sizes,
hashes, upload times and PEP 658 metadata links."""
from __future__ import annotations

import html.parser
import re
import urllib.parse
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from envcheck.documents import parse_json
from envcheck.matrix.refresh.http import FetchError, Http
from envcheck.pyenvs.metadata import norm as normalize  # PEP 503: the index's project names

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


@dataclass(frozen=True)
class IndexFile:
    filename: str
    url: str
    sha256: Optional[str]
    size: Optional[int]
    upload_time: Optional[str]
    requires_python: Optional[str]
    metadata_sha256: Optional[str]   # set when the index serves `<url>.metadata` (PEP 658/714)
    has_metadata: bool
    yanked: bool

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")




class Index:
    def __init__(self, http: Http, index_url: str = "https://pypi.org/simple/"):
        self.http = http
        self.url = index_url.rstrip("/") + "/"
        self._cache: Dict[str, List[IndexFile]] = {}

    def files(self, project: str) -> List[IndexFile]:
        key = normalize(project)
        if key not in self._cache:
            self._cache[key] = self._fetch(key)
        return self._cache[key]

    def _fetch(self, key: str) -> List[IndexFile]:
        page = self.url + key + "/"
        try:
            body, headers = self.http.get(page, "index", headers={"Accept": ACCEPT})
        except FetchError as exc:
            if "HTTP 404" in str(exc):
                return []
            raise
        ctype = (headers.get("Content-Type") or headers.get("content-type") or "").split(";")[0].strip()
        if ctype == JSON_TYPE or body[:1] == b"{":
            return _from_json(parse_json(body.decode("utf-8"), page), page)
        return _from_html(body.decode("utf-8", "replace"), page)


def _from_json(doc: dict, page: str) -> List[IndexFile]:
    out = []
    for f in doc.get("files") or []:
        meta = f.get("core-metadata", f.get("data-dist-info-metadata"))
        meta_sha = meta.get("sha256") if isinstance(meta, dict) else None
        out.append(IndexFile(
            filename=f["filename"], url=urllib.parse.urljoin(page, f["url"]),
            sha256=(f.get("hashes") or {}).get("sha256"), size=f.get("size"),
            upload_time=f.get("upload-time"), requires_python=f.get("requires-python"),
            metadata_sha256=meta_sha, has_metadata=bool(meta), yanked=bool(f.get("yanked"))))
    return sorted(out, key=lambda f: f.filename)


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: List[Tuple[Dict[str, Optional[str]], str]] = []
        self._cur: Optional[Dict[str, Optional[str]]] = None
        self._text: List[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._cur, self._text = dict(attrs), []

    def handle_data(self, data):
        if self._cur is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._cur is not None:
            self.links.append((self._cur, "".join(self._text).strip()))
            self._cur = None


def _from_html(text: str, page: str) -> List[IndexFile]:
    p = _Links()
    p.feed(text)
    out = []
    for attrs, label in p.links:
        href = attrs.get("href") or ""
        url, _, frag = href.partition("#")
        sha = frag[len("sha256="):] if frag.startswith("sha256=") else None
        filename = label or urllib.parse.unquote(url.rsplit("/", 1)[-1])
        meta = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        meta_sha = meta[len("sha256="):] if meta and meta.startswith("sha256=") else None
        out.append(IndexFile(filename=filename, url=urllib.parse.urljoin(page, url), sha256=sha, size=None,
                             upload_time=None, requires_python=attrs.get("data-requires-python"),
                             metadata_sha256=meta_sha, has_metadata=meta is not None and meta != "false",
                             yanked="data-yanked" in attrs))
    return sorted(out, key=lambda f: f.filename)


# -- file names -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WheelName:
    name: str
    version: str
    python: Tuple[str, ...]
    abi: Tuple[str, ...]
    platform: Tuple[str, ...]


def parse_wheel(filename: str) -> Optional[WheelName]:
    if not filename.endswith(".whl"):
        return None
    parts = filename[:-4].split("-")
    if len(parts) == 6:
        parts = parts[:2] + parts[3:]  # drop the build tag
    if len(parts) != 5:
        return None
    name, version, py, abi, plat = parts
    return WheelName(normalize(name), version, tuple(py.split(".")), tuple(abi.split(".")), tuple(plat.split(".")))


def sdist_version(filename: str, project: str) -> Optional[str]:
    for ext in (".tar.gz", ".zip"):
        if filename.endswith(ext):
            stem = filename[:-len(ext)]
            name, _, version = stem.rpartition("-")
            if normalize(name) == normalize(project):
                return version
    return None


def file_version(f: IndexFile, project: str) -> Optional[str]:
    w = parse_wheel(f.filename)
    if w is not None:
        return w.version if w.name == normalize(project) else None
    return sdist_version(f.filename, project)


def linux_x86_64(w: WheelName) -> bool:
    return any(p.startswith(("manylinux", "linux")) and p.endswith("x86_64") for p in w.platform)


def cpython_minors(w: WheelName) -> List[str]:
    """'cp312' -> '3.12' for version-specific CPython wheels (free-threaded 'cp313t' abi excluded)."""
    if any(a.endswith("t") and a.startswith("cp") for a in w.abi):
        return []
    out = []
    for t in w.python:
        m = re.fullmatch(r"cp3(\d+)", t)
        if m and not any(a == "abi3" for a in w.abi):
            out.append(f"3.{m.group(1)}")
    return out
