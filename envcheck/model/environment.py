"""The Environment: every fact a scan found, as one tree of frozen data classes."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from envcheck.model.base import ModelError, field, from_plain, json_schema, to_plain
from envcheck.model.cuda import CudaToolkit, Library
from envcheck.model.image import Image
from envcheck.model.process import ProcessView
from envcheck.model.python import PythonEnv
from envcheck.model.system import Container, Disk, Driver, Gpu, Host

SCHEMA_NAME = "envcheck.environment"
SCHEMA_MAJOR = 1
SCHEMA = f"{SCHEMA_NAME}/{SCHEMA_MAJOR}"


@dataclass(frozen=True)
class Meta:
    """Where the document came from."""
    envcheck: Optional[str] = field("envcheck version that made it")
    scanned_at: Optional[str] = field("UTC time of the scan, ISO 8601")
    root: Optional[str] = field("filesystem root the file probes read ('/' for the live machine)")
    live: Optional[bool] = field("false under --root: no NVML, no subprocess")
    duration_s: Optional[float] = field("how long the scan took")
    probe_s: Optional[Dict[str, float]] = field("seconds each probe took (import included), in the order they ran")


@dataclass(frozen=True)
class Environment:
    """A machine, as envcheck saw it. A section left out (None) is unknown, not absent."""
    schema: str = SCHEMA
    meta: Optional[Meta] = field()
    host: Optional[Host] = field()
    disk: Optional[Tuple[Disk, ...]] = field()
    driver: Optional[Driver] = field()
    gpus: Optional[Tuple[Gpu, ...]] = field()
    cuda_toolkits: Optional[Tuple[CudaToolkit, ...]] = field()
    libraries: Optional[Tuple[Library, ...]] = field()
    pythons: Optional[Tuple[PythonEnv, ...]] = field()
    container: Optional[Container] = field()
    image: Optional[Image] = field("the container image these files came from (scan --image)")
    errors: Optional[Dict[str, str]] = field("probes that failed as a whole, with the reason")
    process: Optional[ProcessView] = field("what a CUDA program started here meets: the libcuda.so.1 it loads, the "
                                           "GPUs its variables leave it, the /dev/nvidia* nodes, the driver's "
                                           "user-space libraries against the kernel module")

    def to_dict(self) -> dict:
        return to_plain(self)

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False)

    @classmethod
    def from_dict(cls, data) -> "Environment":
        if not isinstance(data, dict):
            raise ModelError("", f"expected a mapping at the top level, got {type(data).__name__}")
        schema = data.get("schema", SCHEMA)
        check_schema(schema)
        return from_plain(cls, dict(data, schema=SCHEMA), "")

    def replace(self, **changes) -> "Environment":
        return dataclasses.replace(self, **changes)


def check_schema(schema) -> None:
    if not isinstance(schema, str) or "/" not in schema:
        raise ModelError("schema", f"expected '{SCHEMA}', got {schema!r}")
    name, _, major = schema.partition("/")
    if name != SCHEMA_NAME:
        raise ModelError("schema", f"not an envcheck environment document ({schema!r}; expected '{SCHEMA}')")
    if major.split(".")[0] != str(SCHEMA_MAJOR):
        raise ModelError("schema", f"schema {schema!r} is not supported by this envcheck (it reads '{SCHEMA}');"
                                   " upgrade envcheck or rescan with this version")
    # A minor version newer than this envcheck knows is refused too (docs/bounds.md): it was written by a newer
    # envcheck whose facts this one would read only in part, and a gate must not pass on half a document.
    if major not in (str(SCHEMA_MAJOR), f"{SCHEMA_MAJOR}.0"):
        raise ModelError("schema", f"schema {schema!r} is newer than this envcheck reads ('{SCHEMA}', minor 0): "
                                   "upgrade envcheck, or rescan with this version")


def environment_schema() -> dict:
    defs: dict = {}
    json_schema(Environment, defs)
    top = dict(defs.pop("Environment"))
    top["properties"] = dict(top["properties"], schema={"type": "string", "pattern": rf"^{SCHEMA_NAME}/{SCHEMA_MAJOR}(\.0)?$"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://envcheck.dev/schema/{SCHEMA_NAME}-{SCHEMA_MAJOR}.json",
        "title": "envcheck environment document",
        **top,
        "$defs": defs,
    }
