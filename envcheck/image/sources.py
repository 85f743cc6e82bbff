"""Where an image's blobs come from: an OCI layout directory, a save archive (tar, tar.gz), a registry, a daemon.

A source either resolves a manifest and hands out layer blobs in order (`Ordered`: OCI layout, registry), or is
one sequential stream whose layers arrive in any order (`archive_pass`: docker/podman save, the daemon)."""
from __future__ import annotations

import gzip
import os
import tarfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Dict, Optional

from envcheck.documents import DocumentError, parse_json
from envcheck.image import oci
from envcheck.image.limits import ImageError, Limits
from envcheck.image.stream import Counted, check_streamed, decompressed, verify
from envcheck.root import open_regular


class OciLayout:
    """A directory with oci-layout, index.json and blobs/sha256/."""
    kind = "oci-layout"

    def __init__(self, path: str, limits: Limits, tag: Optional[str] = None):
        self.path = path
        self.limits = limits
        self.tag = tag

    def _blob_path(self, digest: str) -> str:
        alg, _, hexd = oci.check_digest(digest, self.path).partition(":")
        return os.path.join(self.path, "blobs", alg, hexd)

    def fetch(self, desc: dict) -> bytes:
        digest = oci.check_digest(desc.get("digest"), self.path)
        with self.open_blob(desc) as fh:
            c = Counted(fh, self.limits.max_json_bytes, f"{self.path}: blob {digest}",
                        bound="the bound for a manifest, index or config")
            data = c.read(self.limits.max_json_bytes + 1)
            c.read(1)
        verify(c.digest, digest, f"{self.path}: blob {digest}")
        check_streamed(desc, c.count, f"{self.path}: blob {digest}")
        return data

    def top(self):
        p = os.path.join(self.path, "index.json")
        try:
            with open_regular(p) as fh:
                data = fh.read(self.limits.max_json_bytes + 1)
        except OSError as exc:
            raise ImageError(f"{self.path}: not an OCI image layout (index.json: {exc.strerror})") from None
        if len(data) > self.limits.max_json_bytes:
            raise ImageError(f"{p}: larger than {self.limits.max_json_bytes} bytes")
        doc = oci.loads(data, p)
        if self.tag:
            ms = [m for m in doc.get("manifests") or () if isinstance(m, dict)
                  and (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == self.tag]
            if not ms:
                raise ImageError(f"{self.path}: no manifest tagged {self.tag!r} in index.json")
            doc = dict(doc, manifests=ms)
        return doc, None

    def open_blob(self, desc: dict) -> BinaryIO:
        """The blob's file, if it is a regular file (a blob that is a FIFO, or a link to /dev/zero, would block or
        never end: refused before a byte is read)."""
        digest = oci.check_digest(desc.get("digest"), self.path)
        try:
            return open_regular(self._blob_path(digest))
        except FileNotFoundError:
            raise ImageError(f"{self.path}: blob {digest} missing") from None
        except OSError as exc:
            raise ImageError(f"{self.path}: blob {digest}: {exc.strerror or exc}") from None

    def close(self):
        pass


@dataclass
class ArchivePass:
    """What one pass over a save archive found: JSON documents and the captured layers, by member name."""
    json: Dict[str, bytes] = field(default_factory=dict)
    layers: Dict[str, object] = field(default_factory=dict)       # name -> (LayerCapture, compressed, diff digest)
    aliases: Dict[str, str] = field(default_factory=dict)         # symlink member -> target member


def _norm_member(name: str) -> str:
    parts = []
    for p in name.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    return "/".join(parts)


def archive_pass(fileobj: BinaryIO, what: str, limits: Limits,
                 on_layer: Callable[[str, BinaryIO], object]) -> ArchivePass:
    """Read a save archive once. JSON members are kept (bounded); every member that looks like a layer (a tar,
    gzip or zstd stream) goes to `on_layer(name, stream)` as it passes."""
    out = ArchivePass()
    bound = "the cap for a save archive's tar stream; ENVCHECK_IMAGE_MAX_ARCHIVE_BYTES raises it"
    raw = Counted(fileobj, limits.max_archive_bytes, what, hashing=False, bound=bound)
    plain = Counted(decompressed(raw, what), limits.max_archive_bytes, what + " unpacked", hashing=False, bound=bound)
    try:
        _members(tarfile.open(fileobj=plain, mode="r|", bufsize=1 << 20), out, limits, on_layer)
    except tarfile.ReadError as exc:
        raise ImageError(f"{what}: not a tar archive ({exc})") from None
    except tarfile.TarError as exc:
        raise ImageError(f"{what}: broken tar archive ({exc})") from None
    except EOFError:
        raise ImageError(f"{what}: the archive ends in the middle of a member (truncated)") from None
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise ImageError(f"{what}: corrupt compressed archive ({exc})") from None
    except Exception as exc:
        if type(exc).__module__.startswith("zstandard"):
            raise ImageError(f"{what}: corrupt zstd archive ({exc})") from None
        raise
    return out


def _members(tf, out: ArchivePass, limits: Limits, on_layer) -> None:
    for m in tf:
        name = _norm_member(m.name)
        if m.issym() or m.islnk():
            target = m.linkname if m.islnk() else _norm_member(os.path.dirname(name) + "/" + m.linkname)
            out.aliases[name] = _norm_member(target)
            continue
        if not m.isreg() or m.size == 0:
            continue
        fh = tf.extractfile(m)
        head = fh.read(512) if m.size >= 512 else fh.read(m.size)
        stream = _Prefixed(head, fh)
        if head[:1] in (b"{", b"[") and m.size <= limits.max_json_bytes:
            out.json[name] = head + fh.read(m.size - len(head))
        elif head[:2] == b"\x1f\x8b" or head[:4] == b"\x28\xb5\x2f\xfd" or head[257:262] == b"ustar":
            out.layers[name] = on_layer(name, stream)


class _Prefixed:
    def __init__(self, head: bytes, fh):
        self.head = head
        self.fh = fh

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n is None or n < 0:
                data, self.head = self.head + self.fh.read(), b""
                return data
            data, self.head = self.head[:n], self.head[n:]
            if len(data) < n:
                data += self.fh.read(n - len(data))
            return data
        return self.fh.read(n)


def archive_manifest(found: ArchivePass, what: str, want: oci.Platform, limits: Limits, tag: Optional[str]):
    """(Resolved, [layer member names]) from index.json (OCI-in-tar) or manifest.json (docker save)."""
    def member(name: str) -> str:
        seen = 0
        while name in found.aliases and seen < 40:
            name, seen = found.aliases[name], seen + 1
        return name

    def blob_member(digest: str) -> str:
        alg, _, hexd = oci.check_digest(digest, what).partition(":")
        return member(f"blobs/{alg}/{hexd}")

    def fetch(desc: dict) -> bytes:
        d = oci.check_digest(desc.get("digest"), what)
        data = found.json.get(blob_member(d))
        if data is None:
            raise ImageError(f"{what}: blob {d} is not in the archive")
        import hashlib
        verify("sha256:" + hashlib.sha256(data).hexdigest(), d, f"{what}: blob {d}")
        return data

    if "manifest.json" in found.json:       # docker save (also written beside index.json by docker >= 25)
        doc = _json_list(found.json["manifest.json"], what)
        entries = [e for e in doc if isinstance(e, dict)]
        if tag:
            entries = [e for e in entries if any(isinstance(t, str) and (t == tag or t.endswith("/" + tag) or
                                                                          t.split(":")[-1] == tag)
                                                 for t in (e.get("RepoTags") if isinstance(e.get("RepoTags"), list)
                                                           else ()))]
        if not entries:
            raise ImageError(f"{what}: manifest.json lists no image{' tagged ' + tag if tag else ''}")
        e = entries[0]
        cfg_name = member(_norm_member(str(e.get("Config", ""))))
        if cfg_name not in found.json:
            raise ImageError(f"{what}: the config {e.get('Config')!r} is not in the archive")
        config = oci.check_config(oci.loads(found.json[cfg_name], f"{what}: {cfg_name}"), f"{what}: {cfg_name}")
        listed = e.get("Layers") or []
        if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
            raise ImageError(f"{what}: manifest.json: Layers is not a list of member names")
        layers = [member(_norm_member(x)) for x in listed]
        hexd = os.path.basename(cfg_name)[:-5] if cfg_name.endswith(".json") else os.path.basename(cfg_name)
        cdigest = "sha256:" + hexd if len(hexd) == 64 else ""
        res = oci.Resolved(None, {}, config, cdigest, tuple({"digest": None} for _ in layers),
                           oci.platform_of(config))
        return res, layers
    if "index.json" in found.json:          # an OCI layout in a tar (podman save --format oci-archive, ...)
        top = oci.loads(found.json["index.json"], f"{what}: index.json")
        res = oci.resolve(top, None, fetch, want, limits, what)
        return res, [blob_member(d["digest"]) for d in res.layers]
    raise ImageError(f"{what}: neither manifest.json (docker save) nor index.json (OCI) in the archive")


def _json_list(data: bytes, what: str) -> list:
    try:
        doc = parse_json(data.decode("utf-8"), what)
    except UnicodeDecodeError as exc:
        raise ImageError(f"{what}: manifest.json is not JSON ({exc})") from None
    except DocumentError as exc:
        raise ImageError(f"{what}: manifest.json is not JSON ({exc.message.replace('not JSON: ', '', 1)})") from None
    if not isinstance(doc, list):
        raise ImageError(f"{what}: manifest.json is not a list")
    return doc
