"""Image paths from images envcheck has read (`recommend --image REF`), beside those judged from the matrix alone.

Pure: the command layer reads each image (envcheck/image/), merges it with the host (model/merge.py) and runs the
checks; ``read_image`` turns that into a ReadImage (the facts and the findings the image brings to this host),
and ``read_image_path`` judges it as an install path: any failing finding blocks it, a warning makes it risky."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from envcheck.findings import Finding
from envcheck.recommend.judge import Judgement, PathCandidate
from envcheck.recommend.machine import Machine
from envcheck.recommend.targets import Target


@dataclass(frozen=True)
class ReadImage:
    """An image read from its files and judged on a host by the checks."""
    ref: str
    digest: Optional[str]                       # the platform manifest read (none for a docker-save archive)
    platform: Optional[str]
    source: Optional[str]                       # oci-layout, docker-archive, oci-archive, registry, docker-daemon
    host: str                                   # where the driver, GPUs and runtime came from
    packages: Tuple[Tuple[str, str, str], ...]  # (python path, normalized name, version) of every environment
    findings: Tuple[Finding, ...]               # fail/warn/ok findings the image brings (not the host's own)


@dataclass(frozen=True)
class _Rel:
    """What ranking needs of a release: its version."""
    version: str


def read_image(ref: str, env, findings: Sequence[Finding], host_findings: Sequence[Finding],
               host: str) -> ReadImage:
    """`env`: the image merged on the host; `findings`: the checks on it; `host_findings`: the checks on the host
    alone. A finding the host has by itself (Docker-in-Docker, its disk) is not the image's doing and is left out."""
    own = {(f.code, f.title) for f in host_findings}
    mine = tuple(f for f in findings if (f.code, f.title) not in own and f.severity in ("fail", "warn", "ok"))
    img = env.image
    pkgs = []
    for p in env.pythons or ():
        for name, ver in sorted((p.packages or {}).items()):
            pkgs.append((p.path, name, str(ver)))
    return ReadImage(ref=ref, digest=img.digest if img is not None else None,
                     platform=img.platform if img is not None else None,
                     source=img.source if img is not None else None, host=host,
                     packages=tuple(pkgs), findings=mine)


def label(img: ReadImage) -> str:
    how = f"digest {img.digest}" if img.digest else "a docker-save archive, no manifest digest"
    return f"read from the image's files ({how}{', ' + img.platform if img.platform else ''})"


def read_image_path(m: Machine, t: Target, img: ReadImage, deploy: List[str]) -> Tuple[_Rel, PathCandidate]:
    """`deploy`: the commands that make the image the pod/machine (recommend/other.py deploy_commands)."""
    v = Judgement()
    v.reasons.append(f"image {img.ref} {label(img)} and judged by envcheck's checks on {img.host}: its own "
                     f"libraries, Python environments and config under the host's driver, GPUs and runtime")
    found = [(py, ver) for py, name, ver in img.packages if name == t.dist]
    version = "?"
    if not found:
        v.block(f"the image has no {t.dist} in its Python environments (pythons[].packages): it is not a "
                f"{t.name} image")
    else:
        py, version = found[0]
        v.reasons.append(f"{t.dist} {version} in {py} (pythons[].packages, read from the image)")
        if t.spec is not None and not t.spec.contains(version, prereleases=True):
            v.block(f"the image's {t.dist} {version} is not {t.text}")
    for f in sorted(img.findings, key=lambda f: ({"fail": 0, "warn": 1, "ok": 2}[f.severity], f.code, f.title)):
        if f.severity == "fail":
            v.block(f"{f.title} [{f.code}]" + (f": {f.why}" if f.why else ""))
        elif f.severity == "warn":
            v.risk(f"{f.title} [{f.code}]")
        else:
            v.reasons.append(f"{f.title} [{f.code}]")
    cmds = list(deploy)
    if img.source != "registry" and img.source != "docker-daemon":
        cmds.insert(0, f"# {img.ref} is a local {img.source or 'image'}: push it to a registry the node pulls from "
                       f"(e.g. skopeo copy), then deploy that reference")
    cmds.append(f"envcheck check --image {img.ref} --host node.json    # every finding, with evidence and fixes")
    affects = ["this pod/container: replaced by a new one; what lives only on its container disk does not come "
               "along" if m.in_container else "the machine: one more container; other environments untouched"]
    return _Rel(version), PathCandidate(kind="image", version=version, verdict=v, commands=cmds, disk=None,
                                        affects=affects, read=True, judged_from=label(img))
