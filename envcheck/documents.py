"""One door in: every document a user or a network hands over is read here, bounded.

Bounds (size, nesting depth, items per container, total nodes, string length, finite numbers, integers that fit
in 64 bits) are checked while parsing, without recursion: a 100,000-deep JSON array is a DocumentError (exit 2),
never a RecursionError. YAML is read with a safe loader: no tags executed, no aliases (`*name`, which let a few
lines expand into a huge tree), duplicate keys refused with their line; mappings remember their lines (LinedDict).
"""
from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass
from typing import IO, Any, Dict, List, Optional, Tuple

import yaml

from envcheck.errors import InputError


@dataclass(frozen=True)
class Bounds:
    """What one document may hold; a surface passes its own where the defaults do not fit (docs/bounds.md)."""
    max_bytes: int = 64 << 20
    max_depth: int = 64
    max_items: int = 1_000_000          # entries in one mapping or list
    max_nodes: int = 5_000_000          # values in the whole document
    max_string: int = 1 << 20           # characters in one string
    max_digits: int = 20                # an integer's digits (any 64-bit integer has at most 20)


DEFAULT = Bounds()
YAML_BYTES = 2 << 20    # hand-written YAML; PyYAML reads ~1 MiB/s, so a larger YAML file is refused, not waited on
INT_MIN, INT_MAX = -(1 << 63), (1 << 64) - 1


class DocumentError(InputError):
    """A document that cannot be read within its bounds: file, line where known, and what is wrong (exit 2)."""

    def __init__(self, name: str, message: str, line: Optional[int] = None):
        self.name, self.line, self.message = name, line, message
        super().__init__(f"{name}{f':{line}' if line else ''}: {message}")


class NotJson(DocumentError):
    """The text is not JSON syntax (a caller may then try YAML)."""


class LinedDict(dict):
    """A YAML mapping that remembers its line and the line of each key."""
    line: int = 1
    key_lines: Dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# ------------------------------------------------------------------------------------------------- reading bytes
_FILE_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def file_kind(mode: int) -> Optional[str]:
    """What a file with this st_mode is when it is not a regular file ("a FIFO", "a symbolic link" from lstat,
    ...), else None: the one wording of every "not a regular file" refusal."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _FILE_KINDS if test(mode)), "not a file")


def read_bytes(path: str, limit: int, what: str = "a document") -> bytes:
    """At most `limit` bytes of a regular file or a pipe the user named (<(envcheck scan --json)); a directory,
    device or socket is refused, and a larger file is an error, never a long read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise DocumentError(path, "is a directory, not a file")
    if not (stat.S_ISREG(mode) or _named_pipe_from_shell(path, mode)):
        raise DocumentError(path, "not a regular file (a device, socket or FIFO is not read)")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise DocumentError(path, f"larger than {_size(limit)}, the limit for {what} (docs/bounds.md)")
    return raw


def _named_pipe_from_shell(path: str, mode: int) -> bool:
    """A process substitution (/dev/fd/N, /proc/self/fd/N) is a pipe the shell opened for us; a FIFO elsewhere in
    the file system is refused (its writer may never come)."""
    return stat.S_ISFIFO(mode) and (path.startswith("/dev/fd/") or path.startswith("/proc/self/fd/"))


def read_stream(fh: IO[bytes], limit: int, name: str = "<stdin>", what: str = "input") -> bytes:
    """At most `limit` bytes of a stream (stdin, a log); more is an error, not an unbounded read."""
    raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise DocumentError(name, f"larger than {_size(limit)}, the limit for {what} (docs/bounds.md)")
    return raw


def read_text(path: str, limit: int, what: str = "a log") -> str:
    """A text file (a log) of at most `limit` bytes; undecodable bytes become U+FFFD."""
    return read_bytes(path, limit, what).decode("utf-8", errors="replace")


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(name, "not UTF-8 text") from None


# ------------------------------------------------------------------------------------------------------- JSON
def _refuse_constant(name: str):
    def constant(word: str):
        raise DocumentError(name, f"{word} is not a number envcheck accepts (only finite numbers)")
    return constant


def _int(name: str, bounds: Bounds):
    def parse(digits: str) -> int:
        if len(digits.lstrip("-")) > bounds.max_digits:
            raise DocumentError(name, f"an integer of {len(digits.lstrip('-'))} digits; at most "
                                      f"{bounds.max_digits} are accepted")
        value = int(digits)
        if not INT_MIN <= value <= INT_MAX:
            raise DocumentError(name, f"integer {digits} does not fit in 64 bits")
        return value
    return parse


def _float(name: str):
    def parse(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise DocumentError(name, f"{text[:40]} is not a finite number")
        return value
    return parse


def _pairs(name: str):
    def hook(pairs: List[Tuple[str, Any]]) -> dict:
        out: dict = {}
        for key, value in pairs:
            if key in out:
                raise DocumentError(name, f"duplicate key {key[:80]!r}; keep one")
            out[key] = value
        return out
    return hook


def parse_json(text: str, name: str = "<input>", bounds: Bounds = DEFAULT) -> Any:
    """One JSON document within `bounds`; anything else is a DocumentError naming `name` (and line, for syntax)."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant(name), parse_int=_int(name, bounds),
                          parse_float=_float(name), object_pairs_hook=_pairs(name))
    except RecursionError:
        raise DocumentError(name, f"nested deeper than {bounds.max_depth} levels") from None
    except json.JSONDecodeError as exc:
        raise NotJson(name, f"not JSON: {exc}", exc.lineno) from None
    except ValueError as exc:     # Python's own cap on int() digits
        raise DocumentError(name, f"not JSON: {exc}") from None
    check(data, name, bounds)
    return data


def check(data: Any, name: str, bounds: Bounds = DEFAULT) -> None:
    """Depth, items, nodes and string length of a parsed document, walked without recursion."""
    stack: List[Tuple[Any, int]] = [(data, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > bounds.max_nodes:
            raise DocumentError(name, f"more than {bounds.max_nodes} values")
        if isinstance(value, str):
            if len(value) > bounds.max_string:
                raise DocumentError(name, f"a string longer than {bounds.max_string} characters")
            continue
        _check_number(value, name)
        if not isinstance(value, (dict, list)):
            continue
        if depth > bounds.max_depth:
            raise DocumentError(name, f"nested deeper than {bounds.max_depth} levels", getattr(value, "line", None))
        if len(value) > bounds.max_items:
            raise DocumentError(name, f"a container of more than {bounds.max_items} entries",
                                getattr(value, "line", None))
        children = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children)


def _check_number(value: Any, name: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise DocumentError(name, f"{value} is not a finite number")
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        raise DocumentError(name, "an integer that does not fit in 64 bits")


# ------------------------------------------------------------------------------------------------------- YAML
class BoundedLoader(yaml.SafeLoader):
    """The safe loader (tags such as !!python/object are refused, never run) plus: no aliases, a depth and a node
    count checked as nodes are composed, duplicate keys refused, numbers finite and 64-bit, dates kept as text."""
    bounds: Bounds = DEFAULT
    depth = 0
    nodes = 0

    def _fail(self, mark, message: str):
        raise DocumentError(self.name, message, mark.line + 1 if mark else None)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.events.AliasEvent):
            self._fail(event.start_mark, "YAML aliases (*name) are not accepted; write the values out")
        self.nodes += 1
        if self.nodes > self.bounds.max_nodes:
            self._fail(event.start_mark, f"more than {self.bounds.max_nodes} values")
        self.depth += 1
        if self.depth > self.bounds.max_depth:
            self._fail(event.start_mark, f"nested deeper than {self.bounds.max_depth} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mapping(loader: BoundedLoader, node) -> LinedDict:
    out = LinedDict()
    out.line, out.key_lines = node.start_mark.line + 1, {}
    loader.flatten_mapping(node)
    if len(node.value) > loader.bounds.max_items:
        loader._fail(node.start_mark, f"a mapping of more than {loader.bounds.max_items} entries")
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = key if isinstance(key, str) else str(key)
        line = key_node.start_mark.line + 1
        if key in out:
            loader._fail(key_node.start_mark, f"duplicate key {key[:80]!r} (first on line {out.key_lines[key]}); "
                                              "keep one")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _sequence(loader: BoundedLoader, node) -> list:
    if len(node.value) > loader.bounds.max_items:
        loader._fail(node.start_mark, f"a list of more than {loader.bounds.max_items} entries")
    return [loader.construct_object(child, deep=True) for child in node.value]


def construct_bounded_int(loader, node) -> int:
    """A YAML integer within the loader's bounds (digits, 64 bits); any loader with `bounds` and `_fail(mark,
    message)` may use it (the matrix's libyaml loader does)."""
    digits = str(node.value).replace("_", "")
    if len(digits.lstrip("+-")) > loader.bounds.max_digits + 2:      # room for 0x / 0o / 0b
        loader._fail(node.start_mark, f"an integer of {len(digits)} digits; at most {loader.bounds.max_digits} "
                                      "are accepted")
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    if not INT_MIN <= value <= INT_MAX:
        loader._fail(node.start_mark, f"integer {node.value} does not fit in 64 bits")
    return value


def _yaml_float(loader: BoundedLoader, node) -> float:
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        loader._fail(node.start_mark, f"{node.value} is not a finite number")
    return value


def _yaml_str(loader: BoundedLoader, node) -> str:
    value = yaml.SafeLoader.construct_yaml_str(loader, node)
    if len(value) > loader.bounds.max_string:
        loader._fail(node.start_mark, f"a string longer than {loader.bounds.max_string} characters")
    return value


BoundedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
BoundedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
BoundedLoader.add_constructor("tag:yaml.org,2002:int", construct_bounded_int)
BoundedLoader.add_constructor("tag:yaml.org,2002:float", _yaml_float)
BoundedLoader.add_constructor("tag:yaml.org,2002:str", _yaml_str)
BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _yaml_str)   # 2027-02-30 is text, not a crash


def parse_yaml(text: str, name: str = "<input>", bounds: Bounds = DEFAULT) -> Any:
    """One YAML document within `bounds`, mappings as LinedDict; anything else is a DocumentError with its line."""
    try:
        loader = BoundedLoader(text)   # the reader refuses unprintable characters (NUL, most C0) already here
    except yaml.reader.ReaderError as exc:
        raise DocumentError(name, f"not YAML: character U+{exc.character:04X} at offset {exc.position} is not "
                                  "allowed in YAML") from None
    loader.name, loader.bounds = name, bounds
    try:
        return loader.get_single_data()
    except RecursionError:
        raise DocumentError(name, f"nested deeper than {bounds.max_depth} levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DocumentError(name, f"not YAML: {getattr(exc, 'problem', None) or exc}",
                            mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


# ----------------------------------------------------------------------------------------------- from a path
def load_json(path: str, bounds: Bounds = DEFAULT, what: str = "a JSON document") -> Any:
    return parse_json(_decode(read_bytes(path, bounds.max_bytes, what), path), path, bounds)


def load_yaml(path: str, bounds: Bounds = DEFAULT, what: str = "a YAML document") -> Any:
    return parse_yaml(_decode(read_bytes(path, min(bounds.max_bytes, YAML_BYTES), what), path), path, bounds)


def load_json_or_yaml(path: str, bounds: Bounds = DEFAULT, what: str = "a document") -> Any:
    """JSON when the text is JSON (a saved scan), else YAML (hand-written), which is held to YAML_BYTES."""
    raw = read_bytes(path, bounds.max_bytes, what)
    text = _decode(raw, path)
    try:
        return parse_json(text, path, bounds)
    except NotJson:
        pass
    if len(raw) > YAML_BYTES:
        raise DocumentError(path, f"not JSON, and larger than {_size(YAML_BYTES)}, the limit for YAML")
    return parse_yaml(text, path, bounds)

