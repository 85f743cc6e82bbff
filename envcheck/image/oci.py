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
        manifests = [m for m in doc.get("manifests") or () if isinstance(m, dict)]
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
    check_digest(cdesc.get("digest"), what)
    config = loads(fetch(cdesc), f"{what}: config {cdesc.get('digest')}")
    layers = tuple(d for d in doc.get("layers") or () if isinstance(d, dict))
    if len(layers) > limits.max_layers:
        raise ImageError(f"{what}: {len(layers)} layers (more than the cap of {limits.max_layers})")
    for d in layers:
        check_digest(d.get("digest"), what)
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
