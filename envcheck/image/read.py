"""REF -> an Environment of the image's files: layers streamed and kept in part, the probes run on the result."""
from __future__ import annotations

import gzip
import os
import re
import zlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from envcheck.image import oci
from envcheck.image.capture import LayerCapture, capture_layer
from envcheck.image.limits import ImageError, Limits
from envcheck.image.rootfs import RootfsBuilder
from envcheck.image.stream import Counted, check_streamed, decompressed, verify

ENV_NAMES = ("PATH", "LD_LIBRARY_PATH", "LIBRARY_PATH", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "HOME", "LANG")
ENV_PREFIXES = ("CUDA_", "NVIDIA_", "NV_", "CUDNN_", "NCCL_", "TRT", "TENSORRT", "TORCH_", "PYTORCH_", "PYTHON",
                "UV_", "PIP_")
_TOKENISH = re.compile(r"(?i)(token|secret|passw|api[_-]?key|credential|auth)")


def _tokenish_value(v: str) -> bool:
    return bool(re.search(r"(ghp_|hf_|glpat-|sk-|xox[bp]-)[A-Za-z0-9]", v)) or \
        (len(v) >= 32 and re.fullmatch(r"[A-Za-z0-9+/_=-]+", v) is not None and re.search(r"\d", v) is not None
         and re.search(r"[A-Za-z]", v) is not None and "/" not in v)


def safe_env(env: Dict[str, str]) -> Dict[str, str]:
    out = {}
    for k, v in sorted(env.items()):
        if k in ENV_NAMES or k.startswith(ENV_PREFIXES):
            out[k] = "<redacted>" if _TOKENISH.search(k) or _tokenish_value(v) else v
    return out


def safe_labels(labels) -> Dict[str, str]:
    if not isinstance(labels, dict):
        return {}
    return {str(k): ("<redacted>" if _TOKENISH.search(str(k)) or _tokenish_value(str(v)) else str(v))
            for k, v in sorted(labels.items())[:200]}


@dataclass
class Progress:
    """Bytes read so far against the total, drawn on stderr when it is a terminal."""
    total: int = 0
    done: int = 0
    draw: Optional[Callable[[int, int], None]] = None
    last: float = 0.0

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.draw and now - self.last > 0.2:
            self.last = now
            self.draw(self.done, self.total)


@dataclass
class ImageRead:
    rootfs: str
    tmp: str
    resolved: oci.Resolved
    source: str
    ref: str
    compressed: int = 0
    uncompressed: int = 0
    kept: int = 0
    skipped: tuple = ()
    partial: tuple = ()
    layers: int = 0

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def _capture(raw, what: str, workdir: str, limits: Limits, progress, expect: Optional[str], counts: dict,
             size: Optional[int] = None) -> LayerCapture:
    """One layer blob, `size` bytes when its manifest declares it: a longer or shorter stream is refused."""
    if size is None:
        outer = Counted(raw, limits.max_blob_bytes, what, progress)
    else:
        outer = Counted(raw, size, what, progress, bound="the size its manifest declares")
    plain = outer.peek(4)[:2] != b"\x1f\x8b" and outer.peek(4) != b"\x28\xb5\x2f\xfd"
    # the diff_id (sha256 of the tar stream) is hashed only when it says more than the blob's own digest: a
    # compressed blob without a verified digest (a docker-save layer.tar is the tar itself, hashed as `outer`)
    inner = Counted(decompressed(outer, what), limits.max_layer_bytes, what + " unpacked", hashing=not expect and
                    not plain, bound="the cap for one layer's unpacked tar stream; ENVCHECK_IMAGE_MAX_LAYER_BYTES "
                                     "raises it")
    try:
        cap = capture_layer(inner, workdir, what, limits)
        inner.drain()
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:   # a damaged stream: say whether the bytes were wrong
        outer.drain()
        verify(outer.digest, expect, what)
        raise ImageError(f"{what}: corrupt compressed stream ({exc})") from None
    except ImageError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith("zstandard"):
            raise ImageError(f"{what}: corrupt zstd stream ({exc})") from None
        raise
    outer.drain()
    verify(outer.digest, expect, what)
    if size is not None:
        check_streamed({"size": size}, outer.count, what)
    cap.diff_id = outer.digest if plain else inner.digest
    counts["compressed"] += outer.count
    counts["uncompressed"] += inner.count
    return cap


def read_image(ref: str, platform: str = "linux/amd64", limits: Optional[Limits] = None,
               draw: Optional[Callable[[int, int], None]] = None, tmp_parent: Optional[str] = None) -> ImageRead:
    """Read REF into a temporary tree (the caller scans it, then calls .cleanup())."""
    from envcheck.image.ref import open_ref

    limits = limits or Limits()
    want = oci.parse_platform(platform)
    tmp = tempfile.mkdtemp(prefix="envcheck-image-", dir=tmp_parent)
    try:
        return _read(ref, want, limits, draw, tmp, open_ref(ref, limits))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _read(ref, want, limits, draw, tmp, src) -> ImageRead:
    builder = RootfsBuilder(os.path.join(tmp, "rootfs"))
    progress = Progress(draw=draw)
    counts = {"compressed": 0, "uncompressed": 0}
    caps: List[LayerCapture] = []
    try:
        if hasattr(src, "top"):       # layers fetched in manifest order and applied as they come
            top, top_digest = src.top()
            res = oci.resolve(top, top_digest, src.fetch, want, limits, ref)
            progress.total = sum(d.get("size") or 0 for d in res.layers)
            ids = oci.diff_ids(res.config)
            for i, desc in enumerate(res.layers):
                what = f"{ref}: layer {i + 1}/{len(res.layers)} ({desc['digest'][:19]})"
                with src.open_blob(desc) as raw:
                    cap = _capture(raw, what, os.path.join(tmp, f"layer{i}"), limits, progress, desc["digest"], counts,
                                   desc.get("size"))
                if i < len(ids):
                    verify(cap.diff_id, ids[i], what + " uncompressed")
                builder.apply(cap, what)
                shutil.rmtree(cap.workdir, ignore_errors=True)
                caps.append(cap)
        else:                           # one pass over an archive: capture every layer, apply in manifest order
            from envcheck.image.sources import archive_manifest, archive_pass

            progress.total = src.size or 0
            n = [0]

            def on_layer(name, stream):
                n[0] += 1
                expect = None
                if name.startswith("blobs/sha256/") and len(name) == 13 + 64:
                    expect = "sha256:" + name[13:]
                return _capture(stream, f"{ref}: {name}", os.path.join(tmp, f"blob{n[0]}"), limits, None, expect,
                                counts)

            with src.open(progress) as fh:
                found = archive_pass(fh, ref, limits, on_layer)
            res, names = archive_manifest(found, ref, want, limits, src.tag)
            ids = oci.diff_ids(res.config)
            for i, name in enumerate(names):
                cap = found.layers.get(name)
                what = f"{ref}: layer {i + 1}/{len(names)} ({name})"
                if cap is None:
                    raise ImageError(f"{what}: not in the archive")
                if i < len(ids):
                    verify(cap.diff_id, ids[i], what + " uncompressed")
                builder.apply(cap, what)
                shutil.rmtree(cap.workdir, ignore_errors=True)
                caps.append(cap)
            for cap in found.layers.values():   # layers of other images/platforms in the same archive
                shutil.rmtree(cap.workdir, ignore_errors=True)
    finally:
        src.close()
    if draw:
        draw(progress.total or progress.done, progress.total or progress.done)
    return ImageRead(rootfs=builder.base, tmp=tmp, resolved=res, source=src.kind, ref=ref,
                     compressed=counts["compressed"], uncompressed=counts["uncompressed"],
                     kept=sum(c.kept_bytes for c in caps), layers=len(caps),
                     skipped=tuple(sorted({p for c in caps for p in c.skipped}))[:20],
                     partial=tuple(sorted({p for c in caps for p in c.partial}))[:20])
