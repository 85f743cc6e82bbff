"""An environment document from a file: a saved scan (JSON) or a hand-written, possibly partial description
(YAML), read through the one bounded loader (envcheck.documents) and validated into an Environment."""
from __future__ import annotations

from envcheck.documents import (YAML_BYTES, Bounds, DocumentError, NotJson, parse_json, parse_yaml,
                                read_bytes)
from envcheck.errors import InputError
from envcheck.model.base import ModelError
from envcheck.model.environment import Environment

JSON_LIMIT = 64 << 20   # a saved scan (JSON) of a machine with 10,000 venvs is ~7 MiB
YAML_LIMIT = YAML_BYTES
ENV_BOUNDS = Bounds(max_bytes=JSON_LIMIT)
_DEEP = "nested too deeply to be an environment document"


def load_env_file(path: str) -> Environment:
    """Errors name the file and, where known, the line or key; every bound is an InputError (exit 2)."""
    raw = read_bytes(path, JSON_LIMIT, "an environment document")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a JSON or YAML environment document") from None
    try:
        data = parse_json(text, path, ENV_BOUNDS)
    except NotJson:
        data = _yaml(raw, text, path)
    except DocumentError as exc:
        raise _deep(exc) from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping (an envcheck environment document, schema "
                         f"envcheck.environment/1), got {type(data).__name__}")
    try:
        return Environment.from_dict(data)
    except ModelError as exc:
        raise InputError(f"{path}: {exc.where}: {exc.message}") from None
    except RecursionError:
        raise InputError(f"{path}: {_DEEP}") from None


def _yaml(raw: bytes, text: str, path: str):
    if len(raw) > YAML_LIMIT:
        raise InputError(f"{path}: not JSON, and larger than {YAML_LIMIT >> 20} MiB, the limit for a YAML "
                         f"environment file (save large scans as JSON: envcheck scan --json)")
    try:
        return parse_yaml(text, path, ENV_BOUNDS)
    except DocumentError as exc:
        if exc.message.startswith("not YAML: "):
            where = f":{exc.line}" if exc.line else ""
            raise InputError(f"{path}{where}: neither JSON nor YAML: {exc.message[10:]}") from None
        raise _deep(exc) from None


def _deep(exc: DocumentError) -> DocumentError:
    """Too deep keeps the wording users have seen; every other bound says what it is."""
    if exc.message.startswith("nested deeper"):
        return DocumentError(exc.name, _DEEP, exc.line)
    return exc
