"""OCI / Docker manifests, indexes and platforms: pure functions over parsed JSON."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from envcheck.documents import DocumentError, parse_json
from envcheck.image.limits import ImageError, Limits

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json",
                  "application/vnd.docker.distribution.manifest.v2+json")
ACCEPT = ", ".join(INDEX_TYPES + MANIFEST_TYPES)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Platform:
    os: str = "linux"
    architecture: str = "amd64"
    variant: Optional[str] = None

    def __str__(self):
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


def parse_platform(text: str) -> Platform:
    parts = [p for p in (text or "").strip().split("/") if p]
    if len(parts) not in (2, 3):
        raise ImageError(f"--platform {text!r}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64")
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(parts[1], parts[1])
    return Platform(parts[0], arch, parts[2] if len(parts) == 3 else None)


def _matches(p: dict, want: Platform) -> bool:
    if not isinstance(p, dict):
        return False
    if p.get("os") != want.os or p.get("architecture") != want.architecture:
        return False
    if want.variant is None:
        return True
    got = p.get("variant") or ("v8" if want.architecture == "arm64" else None)
    return got == want.variant


def check_digest(d, what: str) -> str:
    if not isinstance(d, str) or not _DIGEST.match(d):
        raise ImageError(f"{what}: {d!r} is not a sha256 digest")
    return d


def _kind_of(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _expect(value, types, expected: str, what: str, key: str):
    if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
        raise ImageError(f"{what}: {key} is {_kind_of(value)}, expected {expected}")
    return value


def check_size(desc: dict, what: str, where: str, cap: int) -> Optional[int]:
    """A descriptor's declared `size`: a whole number of bytes from 0 to `cap`; None when it has none."""
    size = desc.get("size")
    if size is None:
        return None
    _expect(size, (int,), "a whole number of bytes", what, f"{where} size")
    if not 0 <= size <= cap:
        raise ImageError(f"{what}: {where} declares size {size}, outside 0..{cap} bytes (the bound for it)")
    return size


def check_descriptor(desc, what: str, where: str, cap: int) -> dict:
    """A content descriptor: an object with a sha256 digest and a bounded non-negative size."""
    _expect(desc, (dict,), "an object (a content descriptor)", what, where)
    check_digest(desc.get("digest"), f"{what}: {where}")
    check_size(desc, what, where, cap)
    if desc.get("mediaType") is not None:
        _expect(desc["mediaType"], (str,), "a string", what, f"{where} mediaType")
    if desc.get("platform") is not None:
        _expect(desc["platform"], (dict,), "an object", what, f"{where} platform")
        for key in ("os", "architecture", "variant"):
            if desc["platform"].get(key) is not None:
                _expect(desc["platform"][key], (str,), "a string", what, f"{where} platform.{key}")
    return desc


def check_config(config: dict, what: str) -> dict:
    """The fields envcheck reads from an image config, of the types the OCI image spec gives them."""
    for key in ("architecture", "os", "variant"):
        if config.get(key) is not None:
            _expect(config[key], (str,), "a string", what, key)
    inner = config.get("config")
    if inner is not None:
        _expect(inner, (dict,), "an object", what, "config")
        for key in ("Env", "Entrypoint", "Cmd"):
            if inner.get(key) is not None:
                _expect(inner[key], (list,), "a list of strings", what, f"config.{key}")
                for item in inner[key]:
                    _expect(item, (str,), "a string", what, f"an item of config.{key}")
        labels = inner.get("Labels")
        if labels is not None:
            _expect(labels, (dict,), "an object of strings", what, "config.Labels")
            for key, value in labels.items():
                _expect(value, (str,), "a string", what, f"config.Labels[{key[:60]!r}]")
    rootfs = config.get("rootfs")
    if rootfs is not None:
        _expect(rootfs, (dict,), "an object", what, "rootfs")
        ids = rootfs.get("diff_ids")
        if ids is not None:
            _expect(ids, (list,), "a list of digests", what, "rootfs.diff_ids")
            for d in ids:
                check_digest(d, f"{what}: rootfs.diff_ids")
    return config


def loads(data: bytes, what: str) -> dict:
    try:
        doc = parse_json(data.decode("utf-8"), what)
    except UnicodeDecodeError as exc:
        raise ImageError(f"{what}: not JSON ({exc})") from None
    except DocumentError as exc:
        raise ImageError(f"{what}: not JSON ({exc.message.replace('not JSON: ', '', 1)})") from None
    if not isinstance(doc, dict):
        raise ImageError(f"{what}: expected a JSON object")
    return doc


def kind(doc: dict) -> str:
    mt = doc.get("mediaType")
    if mt in INDEX_TYPES or (mt is None and isinstance(doc.get("manifests"), list)):
        return "index"
    if mt in MANIFEST_TYPES or (mt is None and isinstance(doc.get("layers"), list)):
        return "manifest"
    if doc.get("schemaVersion") == 1:
        raise ImageError("Docker schema 1 manifests are not supported (deprecated since 2017; re-push the image)")
    raise ImageError(f"unknown manifest media type {mt!r}")


@dataclass(frozen=True)
class Resolved:
    digest: Optional[str]            # the manifest's digest
    manifest: dict
    config: dict
    config_digest: str
    layers: Tuple[dict, ...]         # descriptors, in order
    platform: Optional[str]


def resolve(top: dict, top_digest: Optional[str], fetch: Callable[[dict], bytes], want: Platform,
            limits: Limits, what: str) -> Resolved:
    """Walk an index down to the manifest for `want` and read its config. `fetch(descriptor)` returns a blob's
    bytes (already digest-verified, bounded)."""
    doc, digest, seen, depth = top, top_digest, set(), 0
    chosen_platform = None
    while kind(doc) == "index":
        if digest:
            if digest in seen:
                raise ImageError(f"{what}: the index {digest} refers to itself (a loop)")
            seen.add(digest)
        depth += 1
        if depth > limits.max_index_depth:
            raise ImageError(f"{what}: indexes nested more than {limits.max_index_depth} deep")
        manifests = _expect(doc.get("manifests") or [], (list,), "a list", what, "the index's manifests")
        for m in manifests:
            check_descriptor(m, what, "a manifest in the index", limits.max_json_bytes)
        pick = [m for m in manifests if _matches(m.get("platform"), want)]
        if not pick:
            plain = [m for m in manifests if "platform" not in m]
            if len(plain) == 1 and len(manifests) == 1:
                pick = plain
        if not pick:
            have = sorted({str(Platform(m["platform"].get("os", "?"), m["platform"].get("architecture", "?"),
                                        m["platform"].get("variant"))) for m in manifests
                           if isinstance(m.get("platform"), dict)} - {"unknown/unknown"})
            raise ImageError(f"{what}: no manifest for platform {want} (the index has: {', '.join(have) or 'none'});"
                             f" pass --platform")
        desc = pick[0]
        chosen_platform = desc.get("platform")
        digest = check_digest(desc.get("digest"), what)
        if digest in seen:
            raise ImageError(f"{what}: the index {digest} refers to itself (a loop)")
        doc = loads(fetch(desc), f"{what}: manifest {digest}")
    cdesc = doc.get("config")
    if not isinstance(cdesc, dict):
        raise ImageError(f"{what}: the manifest has no config descriptor")
    check_descriptor(cdesc, what, "the config descriptor", limits.max_json_bytes)
    config = check_config(loads(fetch(cdesc), f"{what}: config {cdesc.get('digest')}"), f"{what}: config")
    layers = tuple(_expect(doc.get("layers") or [], (list,), "a list", what, "the manifest's layers"))
    if len(layers) > limits.max_layers:
        raise ImageError(f"{what}: {len(layers)} layers (more than the cap of {limits.max_layers})")
    for d in layers:
        check_descriptor(d, what, "a layer", limits.max_blob_bytes)
    plat = platform_of(config) or (str(Platform(chosen_platform.get("os"), chosen_platform.get("architecture"),
                                                chosen_platform.get("variant"))) if chosen_platform else None)
    return Resolved(digest, doc, config, cdesc["digest"], layers, plat)


def platform_of(config: dict) -> Optional[str]:
    if config.get("os") and config.get("architecture"):
        return str(Platform(config["os"], config["architecture"], config.get("variant")))
    return None


def diff_ids(config: dict) -> List[str]:
    ids = (config.get("rootfs") or {}).get("diff_ids") or []
    return [d for d in ids if isinstance(d, str)]


def config_env(config: dict) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for item in (config.get("config") or {}).get("Env") or ():
        if isinstance(item, str) and "=" in item:
            k, _, v = item.partition("=")
            out[k] = v
    return out
