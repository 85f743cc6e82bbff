"""The bounds that a hostile image or registry cannot exceed (stated in docs/image.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

from envcheck.errors import InputError


class ImageError(InputError):
    """The image cannot be read, or refuses to be read safely: one clear line, exit 2."""


@dataclass(frozen=True)
class Limits:
    max_layer_bytes: int = 256 << 30        # one layer's tar stream after decompression
    max_blob_bytes: int = 64 << 30          # one compressed blob as served
    max_archive_bytes: int = 512 << 30      # a save archive's tar stream after decompression (all its layers)
    max_json_bytes: int = 4 << 20           # a manifest, index or config
    max_entries: int = 2_000_000            # tar entries in one layer
    max_layers: int = 1000
    max_path: int = 4096                    # bytes of one path or link target
    max_keep_file: int = 8 << 20            # a metadata file kept whole (METADATA, RECORD, version.json, ...)
    elf_head: int = 32 << 20                # an ELF file's first bytes held in memory (zlib) while it streams
    max_index_depth: int = 4                # nested indexes
    timeout_s: float = 30.0                 # connect/read timeout of one registry request
    max_redirects: int = 5

    @classmethod
    def from_environ(cls, environ=None) -> "Limits":
        """Overrides from ENVCHECK_IMAGE_MAX_LAYER_BYTES, ..._MAX_BLOB_BYTES, ..._MAX_ARCHIVE_BYTES, ..._TIMEOUT_S
        (tests, odd images)."""
        environ = os.environ if environ is None else environ
        out = cls()
        for name, key, conv in (("max_layer_bytes", "ENVCHECK_IMAGE_MAX_LAYER_BYTES", int),
                                ("max_blob_bytes", "ENVCHECK_IMAGE_MAX_BLOB_BYTES", int),
                                ("max_archive_bytes", "ENVCHECK_IMAGE_MAX_ARCHIVE_BYTES", int),
                                ("timeout_s", "ENVCHECK_IMAGE_TIMEOUT_S", float)):
            if environ.get(key):
                try:
                    out = replace(out, **{name: conv(environ[key])})
                except ValueError:
                    raise InputError(f"{key}={environ[key]!r}: not a number") from None
        return out
