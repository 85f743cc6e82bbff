"""What a scan reads, so what a layer's files must keep. Derived from the probes (envcheck/probes, pyenvs, elf,
fatbin, ldcache): a file is kept whole, kept as its first bytes, kept as an ELF (headers, dynamic section, the
strings and version tables they point to, and for kernel libraries the fatbin headers), or reduced to an empty
sparse stub of the right size (it exists, its size and mode are right, its bytes are not)."""
from __future__ import annotations

import fnmatch
import posixpath
from typing import Optional

WHOLE_NAMES = frozenset({
    "version.json", "version.txt",          # probes/cuda.py: the toolkit's version
    "pyvenv.cfg", "patchlevel.h",           # pyenvs/layout.py
    "EXTERNALLY-MANAGED", "environments.txt",
    "ld.so.cache", "os-release",            # ldcache.py, probes/host.py
    "libc.so.6",                            # probes/host.py reads its version banner (first 8 MiB)
    "requires.txt",
})
DIST_WHOLE = frozenset({"WHEEL", "requires.txt"})          # pyenvs/metadata.py reads these whole
DIST_HEADERS = frozenset({"METADATA", "PKG-INFO"})        # ... and only the header part of these
RECORD_DISTS = ("nvidia", "tensorrt")                     # RECORD is read for nvidia-* / tensorrt-cu* wheels only
META_BYTES = 64 << 10
WHOLE_SUFFIXES = (".pth", "/torch/version.py", "/torch/__init__.py")
HEAD_BYTES = 4096


def _kernel_names():
    from envcheck.fatbin import KERNEL_LIBRARIES
    return tuple(sorted({posixpath.basename(p) for _, pats in KERNEL_LIBRARIES for p in pats}))


KERNEL_NAMES = _kernel_names()   # ELF files whose .nv_fatbin headers probes/kernels.py reads


def whole_or_head(path: str) -> Optional[str]:
    """'whole', 'meta' (the first 64 KiB: a METADATA header), 'head' (the first 4 KiB) or None (a stub) for a
    regular file at in-image path `path` (no leading '/')."""
    base = posixpath.basename(path)
    if base in WHOLE_NAMES or path.endswith(WHOLE_SUFFIXES) or fnmatch.fnmatch(base, "libc-*.so"):
        return "whole"
    parts = path.split("/")
    if path.startswith("etc/"):
        return "whole"
    if len(parts) >= 2 and parts[-2].endswith((".dist-info", ".egg-info")):
        if base in DIST_HEADERS:
            return "meta"
        if base in DIST_WHOLE or (base == "RECORD" and parts[-2].lower().startswith(RECORD_DISTS)):
            return "whole"
        return None           # LICENSE files, RECORD of other wheels, entry points: not read
    if base.endswith(".egg-info"):   # a single-file egg-info is its PKG-INFO
        return "meta"
    if len(parts) >= 2 and parts[-2] == "conda-meta" and base.endswith(".json"):
        return "whole"
    if len(parts) >= 2 and parts[-2] in ("bin", "sbin"):
        return "head"             # pyenvs/discover.py tells an interpreter from a script by its first bytes
    return None


def fatbin_wanted(path: str) -> bool:
    base = posixpath.basename(path)
    return any(fnmatch.fnmatch(base, n) for n in KERNEL_NAMES)


def elf_candidate(path: str, mode: int) -> bool:
    """Could the probes read this file as ELF? Shared objects (`*.so`, `*.so.N`, extension modules) and
    executables (an execute bit): everything envcheck's loader, library, native and kernel probes open by ELF.
    Other files are not even opened while their bytes stream past."""
    base = posixpath.basename(path)
    return ".so" in base or bool(mode & 0o111)


# Which files and directories are materialised at all. A stub costs an inode and every directory a 4 KiB block, so
# an image of many small files (a venv: 85,000 files in 12,000 directories) would use more disk in empty
# directories than in kept bytes. The probes look at: interpreters and scripts in bin/, libraries in lib*/, the
# top level of site-packages, a few marker files, shallow trees (/usr/local/cuda-X.Y, /opt/conda, ~/.pyenv), and
# ELF objects anywhere (kept as ELF). Everything else (.pyc caches, a package's modules and data, headers) is
# not materialised; its directories appear only as parents of what is.
LISTED_DIRS = frozenset({"bin", "sbin", "site-packages", "dist-packages", "conda-meta", "envs", "versions",
                         "include", "targets", "nvvm", "compat", "ld.so.conf.d"})
MARKERS = ("/os.py", "/ensurepip/__init__.py", "/cuda.h", "/pyvenv.cfg")
SHALLOW = 4


def _listed(parent: str) -> bool:
    name = posixpath.basename(parent)
    return name in LISTED_DIRS or name.startswith("lib") or name.startswith("python")


def needs_stub(path: str) -> bool:
    """Should a file that is neither kept nor possibly ELF still exist (as an empty stub) in the tree?"""
    if "/__pycache__/" in "/" + path:
        return False
    if path.count("/") < SHALLOW or ("/" + path).endswith(MARKERS):
        return True
    return _listed(posixpath.dirname(path))


def needs_dir(path: str) -> bool:
    """Should a directory entry be created even when nothing below it is?"""
    if "__pycache__" in path.split("/"):
        return False
    if path.count("/") < SHALLOW:
        return True
    return posixpath.basename(path) in LISTED_DIRS or _listed(posixpath.dirname(path))
