"""Turning the Environment's frozen data classes into plain data and back, and their JSON Schema.

One generic mechanism, driven by the type hints of each data class, so that a new field is a one-line change:
``Optional[X]`` is "unknown when missing", ``Tuple[X, ...]`` is a list, ``Dict[str, X]`` a mapping,
``Version`` a string. Loading is strict: an unknown key or a wrong type raises ModelError naming the key path.
"""
from __future__ import annotations

import dataclasses
import math
import typing
from typing import Any, Dict, Optional, Tuple, Union

from envcheck.versions import MAX_DIGITS, MAX_VERSION, Version, sane_version

_NoneType = type(None)


class ModelError(ValueError):
    """A loaded document does not fit the model. ``where`` is a key path like ``pythons[0].packages``."""

    def __init__(self, where: str, message: str):
        self.where = where or "(top level)"
        self.message = message
        super().__init__(f"{self.where}: {message}")


_HINTS: Dict[type, Dict[str, Any]] = {}


def hints(cls) -> Dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _unwrap_optional(tp):
    if typing.get_origin(tp) is Union:
        args = [a for a in typing.get_args(tp) if a is not _NoneType]
        if len(args) == 1:
            return args[0], True
    return tp, False


def to_plain(value) -> Any:
    """A data class tree as JSON-ready data; None fields (unknown) are left out."""
    if dataclasses.is_dataclass(value):
        out = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if v is None:
                continue
            out[f.name] = to_plain(v)
        return out
    if isinstance(value, Version):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def as_dict(obj, drop_none: bool = False) -> dict:
    """Every field of a data class, in order: tuples and lists as lists, a value with its own ``to_dict`` through
    it, other data classes likewise field by field. Unlike to_plain, None fields stay (as null) unless drop_none."""
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if v is not None or not drop_none:
            out[f.name] = _as_plain(v)
    return out


def _as_plain(value) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return as_dict(value)
    if isinstance(value, (tuple, list)):
        return [_as_plain(v) for v in value]
    return value


class Plain:
    """A data class whose plain form is every field in order (see as_dict)."""

    def to_dict(self) -> dict:
        return as_dict(self)


def _type_name(tp) -> str:
    tp, _ = _unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if origin in (tuple, Tuple):
        return "a list"
    if origin in (dict, Dict):
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    if tp is Version:
        return "a version string"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(tp, str(tp))


def from_plain(tp, data, where: str = ""):
    """Build a value of type ``tp`` from plain data, strictly."""
    tp, optional = _unwrap_optional(tp)
    if data is None:
        if optional:
            return None
        raise ModelError(where, f"expected {_type_name(tp)}, got null")
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ModelError(where, f"expected a mapping, got {type(data).__name__}")
        fields = hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        for key in data:
            if key not in known:
                raise ModelError(_join(where, key), f"unknown key (expected one of: {', '.join(sorted(known))})")
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = from_plain(fields[f.name], data[f.name], _join(where, f.name))
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ModelError(_join(where, f.name), "required key is missing")
        return tp(**kwargs)
    if origin in (tuple, Tuple):
        if not isinstance(data, (list, tuple)):
            raise ModelError(where, f"expected a list, got {type(data).__name__}")
        (item,) = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return tuple(from_plain(item, v, f"{where}[{i}]") for i, v in enumerate(data))
    if origin in (dict, Dict):
        if not isinstance(data, dict):
            raise ModelError(where, f"expected a mapping, got {type(data).__name__}")
        _, item = typing.get_args(tp)
        return {str(k): from_plain(item, v, _join(where, str(k))) for k, v in data.items()}
    if tp is Version:
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            raise ModelError(where, f"expected a version string, got {type(data).__name__}")
        if isinstance(data, float):  # YAML reads 12.10 as 12.1 and 570.10 as 570.1: the text is already lost
            raise ModelError(where, f"expected a version string, got the number {data!r}: write versions in quotes "
                                    f"(YAML reads 12.10 as the number 12.1)")
        if not sane_version(str(data)):
            raise ModelError(where, f"expected a version string (digits first, at most {MAX_DIGITS} digits a part, "
                                    f"{MAX_VERSION} characters), got {_short(data)}")
        try:
            return Version(str(data))
        except ValueError:
            raise ModelError(where, f"expected a version string, got {data!r}") from None
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise ModelError(where, f"expected a number, got {data!r}")
        _measure(where, data)
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise ModelError(where, f"expected an integer, got {data!r}")
        _measure(where, data)
        return data
    if tp is bool:
        if not isinstance(data, bool):
            raise ModelError(where, f"expected true or false, got {data!r}")
        return data
    if tp is str:
        if not isinstance(data, str):
            raise ModelError(where, f"expected a string, got {data!r}")
        return data
    raise TypeError(f"model type not handled: {tp!r}")  # a bug in the model, not in the input


# Every number in the model counts or measures something (CPUs, GiB, MiB, an index, a uid, seconds): finite and not
# negative. Versions must pass versions.sane_version: a hostile --env file cannot put 99999999999999999999.1 or
# -570 into a command.
def _measure(where: str, value) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ModelError(where, f"expected a finite number, got {value!r}")
    if value < 0:
        raise ModelError(where, f"expected a number >= 0 (a count or a size), got {value!r}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def json_schema(tp, defs: Optional[dict] = None) -> dict:
    """The JSON Schema (draft 2020-12) of a model type; data classes go to ``$defs``."""
    tp, optional = _unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        assert defs is not None
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # reserve (recursion)
            props = {}
            required = []
            fields = hints(tp)
            for f in dataclasses.fields(tp):
                sub = json_schema(fields[f.name], defs)
                doc = (f.metadata or {}).get("doc")
                if doc:
                    sub = dict(sub, description=doc)
                props[f.name] = sub
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    required.append(f.name)
            body = {"type": "object", "properties": props, "additionalProperties": False}
            if required:
                body["required"] = required
            if tp.__doc__:
                body["description"] = " ".join(tp.__doc__.split())
            defs[name] = body
        return {"$ref": f"#/$defs/{name}"}
    if origin in (tuple, Tuple):
        (item,) = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return {"type": "array", "items": json_schema(item, defs)}
    if origin in (dict, Dict):
        _, item = typing.get_args(tp)
        return {"type": "object", "additionalProperties": json_schema(item, defs)}
    if tp is Version:
        return {"type": "string", "pattern": r"\d"}
    return {str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
            bool: {"type": "boolean"}}[tp]


def field(doc: str = "", **kw):
    """A data class field that is unknown (None) unless set, with a description for the JSON Schema."""
    kw.setdefault("default", None)
    return dataclasses.field(metadata={"doc": doc}, **kw)
