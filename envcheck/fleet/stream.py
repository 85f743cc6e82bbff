"""Node documents in, one at a time: a directory of scans (one JSON document a file, JSON lines in .jsonl files,
or one YAML environment document a .yaml/.yml file, as --env reads them) or a JSON-lines stream (stdin). Nothing is
held beyond the document being read.

Bounded: regular files only (no symlinks followed out of the directory), at most MAX_DOC bytes a JSON document and
YAML_BYTES a YAML one; a file or line that is not a document becomes a Node with an error, and the stream goes on.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Iterator, Optional

from envcheck.documents import YAML_BYTES, Bounds, DocumentError, file_kind, parse_json, parse_yaml

MAX_DOC = 64 << 20
BOUNDS = Bounds(max_bytes=MAX_DOC)
YAML_SUFFIXES = (".yaml", ".yml")
SUFFIXES = (".json", ".jsonl") + YAML_SUFFIXES
PATTERNS = ", ".join("*" + s for s in SUFFIXES)      # for messages: "*.json, *.jsonl, *.yaml, *.yml"


@dataclass(frozen=True)
class NodeDoc:
    name: str                   # the scan's host.hostname, else the file's stem (":line" for JSON lines)
    source: str                 # file path, or "<stdin>:N"
    data: Optional[dict]        # the document as parsed JSON; None with an error
    error: Optional[str] = None


def node_name(data: Optional[dict], fallback: str) -> str:
    host = data.get("host") if isinstance(data, dict) else None
    name = host.get("hostname") if isinstance(host, dict) else None
    return name if isinstance(name, str) and name.strip() else fallback


def _doc(text, fallback: str, source: str, yaml: bool = False) -> NodeDoc:
    try:
        data = (parse_yaml if yaml else parse_json)(text, source, BOUNDS)
    except DocumentError as exc:
        return NodeDoc(fallback, source, None, exc.message)
    if not isinstance(data, dict):
        return NodeDoc(fallback, source, None, f"expected an envcheck environment document (a mapping), got "
                                               f"{type(data).__name__}")
    return NodeDoc(node_name(data, fallback), source, data)


def read_lines(fh: IO[str], label: str = "<stdin>", stem: Optional[str] = None) -> Iterator[NodeDoc]:
    """One document a line; a line longer than MAX_DOC is passed over in bounded reads, never held whole."""
    n = 0
    while True:
        line = fh.readline(MAX_DOC + 1)
        if not line:
            return
        n += 1
        fallback = f"{stem}:{n}" if stem else f"line-{n}"
        if len(line) > MAX_DOC:
            while line and not line.endswith("\n"):
                line = fh.readline(MAX_DOC + 1)
            yield NodeDoc(fallback, f"{label}:{n}", None, f"line longer than {MAX_DOC} bytes")
            continue
        if line.strip():
            yield _doc(line, fallback, f"{label}:{n}")


def _not_regular(path: str) -> Optional[str]:
    """What `path` is when it is not a regular file, else None. A symbolic link is not followed: a node's document
    is a file in the directory, and a link could lead anywhere on this machine."""
    kind = file_kind(os.lstat(path).st_mode)
    return kind + ", not followed" if kind == "a symbolic link" else kind


def read_dir(path: str) -> Iterator[NodeDoc]:
    """Every *.json / *.jsonl / *.yaml / *.yml file directly in `path`, in name order; one that is not a regular file
    (a FIFO, a device, a directory, a symbolic link) is a node with that error, never opened."""
    names = sorted(e.name for e in os.scandir(path) if e.name.endswith(SUFFIXES) and not e.name.startswith("."))
    for name in names:
        full = os.path.join(path, name)
        stem = name.rsplit(".", 1)[0]
        try:
            kind = _not_regular(full)
            if kind:
                yield NodeDoc(stem, full, None, f"not a regular file ({kind}); not read")
                continue
            if name.endswith(".jsonl"):
                with open(full, encoding="utf-8", errors="replace") as fh:
                    yield from read_lines(fh, full, stem)
                continue
            yaml = name.endswith(YAML_SUFFIXES)
            limit = YAML_BYTES if yaml else MAX_DOC
            size = os.stat(full).st_size
            if size > limit:
                what = "a YAML document (save large scans as JSON)" if yaml else "a scan document"
                yield NodeDoc(stem, full, None, f"{size} bytes, more than the {limit} {what} may have")
                continue
            with open(full, "rb") as fh:
                raw = fh.read(limit + 1)
        except OSError as exc:
            yield NodeDoc(stem, full, None, f"cannot read: {exc.strerror or exc}")
            continue
        yield _doc(raw.decode("utf-8", errors="replace"), stem, full, yaml)
