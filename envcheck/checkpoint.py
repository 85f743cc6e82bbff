"""Reading a model checkpoint's description: config.json, model.safetensors.index.json and the safetensors headers.

A MODEL argument is a local directory, or a Hugging Face id ("org/name") found in the local Hugging Face cache
($HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub: models--org--name/snapshots/<rev>/,
the revision refs/main names, else the only snapshot). Only when neither has it, and `huggingface_hub` is
installed and HF_HUB_OFFLINE is not set, are config.json and the index (two small files) downloaded.

Bounded: regular files only (the cache's snapshot symlinks are followed to their blobs inside the same
models--org--name folder), config.json <= 4 MiB, the index <= 64 MiB, at most 1024 safetensors files, and of each
only its header: the first 8 bytes (the header length, little-endian u64) and that many bytes of JSON, <= 64 MiB.
Tensor data is never read.
"""
from __future__ import annotations

import os
import re
import stat
import struct
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from envcheck.documents import Bounds, NotJson, parse_json
from envcheck.errors import InputError

SAFETENSORS_DTYPES = {"F32": "fp32", "BF16": "bf16", "F16": "fp16", "F8_E4M3": "fp8", "F8_E5M2": "fp8",
                      "I8": "int8", "U8": "int8"}
SAFETENSORS_BYTES = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "BF16": 2, "F16": 2, "I16": 2,
                     "U16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1, "BOOL": 1}


@dataclass(frozen=True)
class CheckpointFacts:
    """What envcheck.checkpoint read from a model directory (all optional but the config)."""
    where: str                                        # the directory (or HF cache snapshot) read
    config: dict
    header_params: Optional[int] = None               # sum of tensor sizes over every safetensors header read
    header_dtypes: Tuple[Tuple[str, int], ...] = ()   # (safetensors dtype, params), sorted
    shards_read: int = 0
    shards_missing: int = 0
    index_total_bytes: Optional[int] = None           # model.safetensors.index.json metadata.total_size
    notes: Tuple[str, ...] = ()

    def stored_dtype(self) -> Optional[str]:
        """The checkpoint's dominant dtype by parameters, from the headers."""
        if not self.header_dtypes:
            return None
        top = max(self.header_dtypes, key=lambda kv: (kv[1], kv[0]))[0]
        return SAFETENSORS_DTYPES.get(top)


CONFIG_LIMIT = 4 << 20
INDEX_LIMIT = 64 << 20
HEADER_LIMIT = 64 << 20
MAX_SHARDS = 1024
HF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
SHARD_NAME = re.compile(r"^[A-Za-z0-9._-]+\.safetensors$")


def _regular(path: str, limit: int, allowed_root: Optional[str] = None) -> Optional[str]:
    """The real path of a regular file no larger than limit, or None when absent; InputError when unsafe."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file")
    real = os.path.realpath(path)
    if allowed_root is not None and not (real + os.sep).startswith(os.path.realpath(allowed_root) + os.sep):
        raise InputError(f"{path}: links outside {allowed_root}")
    if st.st_size > limit:
        raise InputError(f"{path}: {st.st_size} bytes, more than the {limit >> 20} MiB envcheck reads")
    return real


def _read_json(path: str, limit: int, allowed_root: Optional[str]):
    real = _regular(path, limit, allowed_root)
    if real is None:
        return None
    with open(real, "rb") as fh:
        raw = fh.read(limit + 1)
    try:
        return parse_json(raw.decode("utf-8"), path, Bounds(max_bytes=limit))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    except NotJson as exc:
        raise InputError(f"{path}: not valid JSON ({exc.message[len('not JSON: '):]})") from None


def read_header(path: str, allowed_root: Optional[str] = None) -> Dict[str, dict]:
    """The JSON header of one .safetensors file (tensor name -> {dtype, shape, data_offsets}), without data."""
    real = _regular(path, 1 << 50, allowed_root)
    if real is None:
        raise FileNotFoundError(path)
    size = os.stat(real).st_size
    with open(real, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise InputError(f"{path}: shorter than a safetensors header")
        (n,) = struct.unpack("<Q", head)
        if n > HEADER_LIMIT or n + 8 > size:
            raise InputError(f"{path}: header length {n} is not plausible (file {size} bytes, limit "
                             f"{HEADER_LIMIT >> 20} MiB)")
        raw = fh.read(n)
    try:
        header = parse_json(raw.decode("utf-8"), path, Bounds(max_bytes=HEADER_LIMIT))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: safetensors header is not JSON ({exc})") from None
    except NotJson as exc:
        raise InputError(f"{path}: safetensors header is not JSON ({exc.message[len('not JSON: '):]})") from None
    if not isinstance(header, dict):
        raise InputError(f"{path}: safetensors header is not a JSON object")
    room = size - 8 - n
    for name, t in header.items():
        offsets = t.get("data_offsets") if isinstance(t, dict) else None
        if isinstance(offsets, list) and offsets and type(offsets[-1]) is int and offsets[-1] > room:
            raise InputError(f"{path}: tensor {name[:80]!r} ends at byte {offsets[-1]:,} of the data, which has "
                             f"{room:,}")
    return header


def header_counts(header: Dict[str, dict], where: str) -> Dict[str, int]:
    """safetensors dtype -> parameters in one header. Each tensor's shape must be whole numbers whose product, in
    its dtype's bytes, is the length of its data_offsets: a header cannot claim more than the file stores."""
    out: Dict[str, int] = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(t, dict) or not isinstance(t.get("shape"), list) or not isinstance(t.get("dtype"), str) \
                or t["dtype"] not in SAFETENSORS_BYTES:
            raise InputError(f"{where}: tensor {name[:80]!r} has no known dtype/shape")
        n = 1
        for d in t["shape"]:
            if isinstance(d, bool) or not isinstance(d, int) or d < 0:
                raise InputError(f"{where}: tensor {name[:80]!r} has a bad shape {_short(t['shape'])}")
            n *= d
        offsets = t.get("data_offsets")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(x) is int for x in offsets)
                and 0 <= offsets[0] <= offsets[1] and offsets[1] - offsets[0] == n * SAFETENSORS_BYTES[t["dtype"]]):
            raise InputError(f"{where}: tensor {name[:80]!r}: data_offsets {_short(offsets)} do not hold its shape "
                             f"{_short(t['shape'])} of {t['dtype']}")
        out[t["dtype"]] = out.get(t["dtype"], 0) + n
    return out


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def hf_cache_dirs(environ: Dict[str, str]) -> List[str]:
    dirs = []
    for key in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if environ.get(key):
            dirs.append(environ[key])
    if environ.get("HF_HOME"):
        dirs.append(os.path.join(environ["HF_HOME"], "hub"))
    home = environ.get("HOME") or os.path.expanduser("~")
    dirs.append(os.path.join(home, ".cache", "huggingface", "hub"))
    return list(dict.fromkeys(dirs))    # first of each, in order


def find_in_cache(model_id: str, environ: Dict[str, str]) -> Tuple[Optional[str], Optional[str], List[str]]:
    """(snapshot directory, its repo folder, the places looked) for an "org/name" id."""
    looked = []
    folder_name = "models--" + model_id.replace("/", "--")
    for cache in hf_cache_dirs(environ):
        repo = os.path.join(cache, folder_name)
        looked.append(repo)
        snaps = os.path.join(repo, "snapshots")
        if not os.path.isdir(snaps):
            continue
        ref = os.path.join(repo, "refs", "main")
        rev = None
        if _regular(ref, 4096, repo):
            with open(ref, encoding="utf-8", errors="replace") as fh:
                rev = fh.read(100).strip()
        names = sorted(n for n in os.listdir(snaps) if os.path.isdir(os.path.join(snaps, n)))
        if rev and rev in names:
            return os.path.join(snaps, rev), repo, looked
        if names:
            return os.path.join(snaps, names[-1]), repo, looked
    return None, None, looked


def _download(model_id: str, environ: Dict[str, str]) -> Optional[str]:
    """config.json (and the index, when there is one) through huggingface_hub; None when offline/not installed."""
    if environ.get("HF_HUB_OFFLINE") or environ.get("TRANSFORMERS_OFFLINE"):
        return None
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        return None
    try:
        cfg = hf_hub_download(model_id, "config.json")
    except Exception:  # noqa: BLE001 - offline, private, absent: the caller says what was looked at
        return None
    try:
        hf_hub_download(model_id, "model.safetensors.index.json")
    except Exception:  # noqa: BLE001 - single-file checkpoints have no index
        pass
    return os.path.dirname(cfg)


def resolve(model: str, environ: Optional[Dict[str, str]] = None) -> Tuple[str, Optional[str], str]:
    """(directory, the folder its files may link into, how it was found)."""
    environ = dict(os.environ) if environ is None else environ
    if os.path.isdir(model):
        return model, None, "local directory"
    if HF_ID.match(model):
        snap, repo, looked = find_in_cache(model, environ)
        if snap:
            return snap, repo, f"Hugging Face cache {snap}"
        got = _download(model, environ)
        if got:
            snap, repo, _ = find_in_cache(model, environ)
            return (snap or got), repo, "downloaded config.json with huggingface_hub"
        raise InputError(f"{model}: not a directory, and not in the Hugging Face cache (looked in "
                         f"{', '.join(looked)}); download it (huggingface-cli download {model} config.json "
                         f"model.safetensors.index.json) or give its directory")
    raise InputError(f"{model}: not a directory, nor a Hugging Face id like org/name")


def read(directory: str, allowed_root: Optional[str] = None) -> CheckpointFacts:
    cfg = _read_json(os.path.join(directory, "config.json"), CONFIG_LIMIT, allowed_root)
    if cfg is None:
        raise InputError(f"{directory}: no config.json")
    if not isinstance(cfg, dict):
        raise InputError(f"{directory}/config.json: not a JSON object")
    notes: List[str] = []
    index = _read_json(os.path.join(directory, "model.safetensors.index.json"), INDEX_LIMIT, allowed_root)
    total_bytes = None
    shards: List[str] = []
    if isinstance(index, dict):
        meta = index.get("metadata") or {}
        total = meta.get("total_size") if isinstance(meta, dict) else None
        if total is not None and (type(total) is not int or total <= 0):
            raise InputError(f"{directory}/model.safetensors.index.json: metadata.total_size should be the "
                             f"checkpoint's size in bytes (a whole number above 0), not {_short(total)}")
        total_bytes = total
        wm = index.get("weight_map") or {}
        if isinstance(wm, dict):
            shards = sorted({v for v in wm.values() if isinstance(v, str)})
    else:
        shards = sorted(n for n in os.listdir(directory) if n.endswith(".safetensors"))
    bad = [s for s in shards if not SHARD_NAME.match(s)]
    if bad:
        raise InputError(f"{directory}: the index names a file outside the directory: {bad[0]!r}")
    if len(shards) > MAX_SHARDS:
        raise InputError(f"{directory}: {len(shards)} safetensors files, more than the {MAX_SHARDS} envcheck reads")
    dtypes: Dict[str, int] = {}
    read_n = missing = 0
    for name in shards:
        path = os.path.join(directory, name)
        try:
            counts = header_counts(read_header(path, allowed_root), path)
        except FileNotFoundError:
            missing += 1
            continue
        read_n += 1
        for k, v in counts.items():
            dtypes[k] = dtypes.get(k, 0) + v
    if missing:
        notes.append(f"{missing} of {len(shards)} safetensors files are not here (not downloaded); "
                     f"the parameter count comes from the index or the architecture")
    return CheckpointFacts(where=directory, config=cfg,
                           header_params=sum(dtypes.values()) if read_n else None,
                           header_dtypes=tuple(sorted(dtypes.items())), shards_read=read_n, shards_missing=missing,
                           index_total_bytes=total_bytes, notes=tuple(notes))
