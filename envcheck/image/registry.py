"""The OCI distribution API over `requests`, bounded: a timeout on every request, a redirect limit, size caps on
manifests and blobs, the digest of everything verified as it streams (stream.py), auth per auth.py.

Why not a library: oras-py 0.2.43 (the maintained Python OCI client) sends requests without a timeout (provider.py
do_request), retries with sleeps of up to 2+3^5 s (decorator.retry), runs credential helpers without a timeout
(auth/base.py), does not verify streamed blob digests and pulls whole blobs to files; bounding it would mean
wrapping most of it. The docker SDK needs a daemon. The protocol subset a pull needs is small (docs/image.md)."""
from __future__ import annotations

import hashlib
import os
import re
from typing import Optional, Tuple

from envcheck.documents import DocumentError, load_json, parse_json
from envcheck.image import oci
from envcheck.image.auth import SMALL_JSON, credentials, parse_challenge
from envcheck.image.limits import ImageError, Limits
from envcheck.image.stream import check_streamed, verify

DOCKER_HUB = "registry-1.docker.io"
_REF = re.compile(r"^(?:(?P<host>[^/]+\.[^/]+|[^/]+:\d+|localhost)/)?(?P<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
                  r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")


def parse_ref(ref: str) -> Tuple[str, str, str]:
    """'nvcr.io/nvidia/x:1' -> ('nvcr.io', 'nvidia/x', '1'); 'python:3.12' -> (docker hub, 'library/python', ...)."""
    m = _REF.match(ref.strip())
    if not m:
        raise ImageError(f"{ref!r} is not an image reference (registry/repository[:tag][@sha256:...]), an OCI "
                         f"layout directory or a save archive")
    host = m.group("host") or DOCKER_HUB
    if host in ("docker.io", "index.docker.io"):
        host = DOCKER_HUB
    repo = m.group("repo")
    if host == DOCKER_HUB and "/" not in repo:
        repo = "library/" + repo
    return host, repo, m.group("digest") or m.group("tag") or "latest"


def _mirrors(host: str) -> list:
    """Docker's registry-mirrors (daemon.json, docker.io only) and ENVCHECK_REGISTRY_MIRRORS (host=mirror,...)."""
    out = []
    for item in (os.environ.get("ENVCHECK_REGISTRY_MIRRORS") or "").split(","):
        src, _, mirror = item.partition("=")
        if mirror and src.strip() in (host, "docker.io" if host == DOCKER_HUB else host):
            out.append(mirror.strip().rstrip("/"))
    if host == DOCKER_HUB:
        try:
            doc = load_json("/etc/docker/daemon.json", SMALL_JSON, "docker's daemon.json")
            mirrors = doc.get("registry-mirrors") if isinstance(doc, dict) else None
            out += [m.rstrip("/") for m in mirrors if isinstance(m, str)] if isinstance(mirrors, list) else []
        except DocumentError:
            pass
    return out


def _insecure(host: str) -> bool:
    plain = {h.strip() for h in (os.environ.get("ENVCHECK_INSECURE_REGISTRIES") or "").split(",") if h.strip()}
    name = host.rsplit(":", 1)[0]
    return host in plain or name in ("localhost", "127.0.0.1", "::1")


class _Body:
    """A streamed response body as a file object (raw bytes, no content decoding)."""

    def __init__(self, resp):
        self.resp = resp

    def read(self, n: int = -1) -> bytes:
        return self.resp.raw.read(n if n and n > 0 else 1 << 20, decode_content=False)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.resp.close()


class RegistrySource:
    kind = "registry"
    tag = None

    def __init__(self, ref: str, limits: Limits):
        import requests

        self.ref = ref
        self.limits = limits
        self.host, self.repo, self.reference = parse_ref(ref)
        self.session = requests.Session()
        self.session.max_redirects = limits.max_redirects
        self.session.headers["User-Agent"] = "envcheck (image reader)"
        self.token: Optional[str] = None
        self.basic = None
        mirrors = _mirrors(self.host)
        self.bases = [m if "://" in m else "https://" + m for m in mirrors] + \
            [("http://" if _insecure(self.host) else "https://") + self.host]
        self.base = self.bases[-1]

    # -- requests ----------------------------------------------------------------------------------------
    def _get(self, path: str, accept: Optional[str] = None, stream: bool = True):
        import requests

        headers = {"Accept": accept} if accept else {}
        last_error = None
        for base in self.bases:
            url = f"{base}/v2/{self.repo}/{path}"
            try:
                resp = self._send(url, headers, stream)
            except requests.exceptions.TooManyRedirects:
                raise ImageError(f"{self.ref}: more than {self.limits.max_redirects} redirects for {url}") from None
            except requests.exceptions.Timeout:
                last_error = f"no answer from {base} within {self.limits.timeout_s:g} s (timeout)"
                continue
            except requests.exceptions.RequestException as exc:
                last_error = f"cannot reach {base}: {type(exc).__name__}: {exc}"
                continue
            if resp.status_code == 200:
                self.base = base
                return resp
            code = resp.status_code
            resp.close()
            if base != self.bases[-1] and code in (404, 401, 403, 429, 500, 502, 503):
                continue   # a mirror without the image: try the next, then the registry itself
            if code == 404:
                raise ImageError(f"{self.ref}: not found ({url}: 404)")
            if code in (401, 403):
                raise ImageError(f"{self.ref}: access denied ({code}) at {self.host}: log in (docker login "
                                 f"{self.host}) or check ~/.docker/config.json")
            raise ImageError(f"{self.ref}: {url} answered HTTP {code}")
        raise ImageError(f"{self.ref}: {last_error}")

    def _send(self, url: str, headers: dict, stream: bool):
        t = (self.limits.timeout_s, self.limits.timeout_s)

        def once():
            h = dict(headers)
            if self.token:
                h["Authorization"] = "Bearer " + self.token
            return self.session.get(url, headers=h, stream=stream, timeout=t, auth=self.basic)

        resp = once()
        if resp.status_code == 401 and self._login(resp):   # one login per request, then one retry
            resp.close()
            resp = once()
        return resp

    def _login(self, resp) -> bool:
        import requests

        scheme, params = parse_challenge(resp.headers.get("WWW-Authenticate", ""))
        creds = credentials(self.host, timeout=self.limits.timeout_s)
        if scheme == "basic":
            if creds is None:
                return False
            self.basic = creds
            return True
        if scheme != "bearer" or not params.get("realm", "").startswith(("https://", "http://")):
            return False
        q = {"service": params.get("service", ""), "scope": params.get("scope") or f"repository:{self.repo}:pull"}
        try:
            r = self.session.get(params["realm"], params=q, auth=creds if creds and creds[0] != "<token>" else None,
                                 timeout=(self.limits.timeout_s, self.limits.timeout_s))
            body = r.content[:1 << 20] if r.status_code == 200 else b""
        except requests.exceptions.RequestException as exc:
            raise ImageError(f"{self.ref}: token request to {params['realm']} failed: {type(exc).__name__}") from None
        try:
            doc = parse_json((body or b"{}").decode("utf-8"), f"{params['realm']} (token)")
        except (ValueError, DocumentError):
            doc = {}
        tok = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not tok:
            return False
        self.token = str(tok)
        return True

    def _bounded(self, resp, cap: int, what: str) -> bytes:
        data = resp.raw.read(cap + 1, decode_content=True)
        resp.close()
        if len(data) > cap:
            raise ImageError(f"{what}: larger than {cap} bytes")
        return data

    # -- the source interface ------------------------------------------------------------------------------
    def top(self):
        resp = self._get(f"manifests/{self.reference}", oci.ACCEPT)
        data = self._bounded(resp, self.limits.max_json_bytes, f"{self.ref}: manifest")
        got = "sha256:" + hashlib.sha256(data).hexdigest()
        if self.reference.startswith("sha256:"):
            verify(got, self.reference, f"{self.ref}: manifest")
        return oci.loads(data, f"{self.ref}: manifest"), got

    def fetch(self, desc: dict) -> bytes:
        d = oci.check_digest(desc.get("digest"), self.ref)
        mt = desc.get("mediaType") or ""
        path = f"manifests/{d}" if (mt in oci.INDEX_TYPES or mt in oci.MANIFEST_TYPES) else f"blobs/{d}"
        resp = self._get(path, oci.ACCEPT if path.startswith("manifests") else None)
        data = self._bounded(resp, self.limits.max_json_bytes, f"{self.ref}: {d}")
        verify("sha256:" + hashlib.sha256(data).hexdigest(), d, f"{self.ref}: {d}")
        check_streamed(desc, len(data), f"{self.ref}: {d}")
        return data

    def open_blob(self, desc: dict):
        d = oci.check_digest(desc.get("digest"), self.ref)
        return _Body(self._get(f"blobs/{d}"))

    def close(self):
        self.session.close()
