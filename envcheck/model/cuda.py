"""Facts about CUDA on the machine: toolkits, the CUDA libraries by soname and where the loader finds them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from envcheck.model.base import field
from envcheck.versions import Version


@dataclass(frozen=True)
class CudaToolkit:
    """A CUDA toolkit installed on disk (a /usr/local/cuda-X.Y tree, CUDA_HOME, nvcc on PATH)."""
    path: str
    version: Optional[Version] = field("from version.json or version.txt, else nvcc's name")
    nvcc: Optional[bool] = field("bin/nvcc present")
    default: Optional[bool] = field("/usr/local/cuda points here")
    found_by: Optional[Tuple[str, ...]] = field("how it was found: /usr/local, CUDA_HOME, PATH, ...")
    error: Optional[str] = field()


@dataclass(frozen=True)
class Library:
    """A CUDA library by soname, and the file the dynamic loader (or a wheel's RUNPATH) would use."""
    soname: str
    path: Optional[str] = field("the real file")
    via: Optional[str] = field("where it was found: ld.so.cache, LD_LIBRARY_PATH, driver-dir, wheel, toolkit")
    version: Optional[Version] = field("from the file name or the ELF")
    cuda_major: Optional[int] = field("the CUDA major version it belongs to")
    environment: Optional[str] = field("the Python environment (prefix) whose wheel carries it, if any")
    package: Optional[str] = field("the distribution that ships it, e.g. nvidia-cublas-cu12")


@dataclass(frozen=True)
class NativeLink:
    """One native extension of a Python package, and the sonames it needs that do not resolve."""
    package: str
    file: str
    missing: Tuple[str, ...] = ()
    searched: Optional[Tuple[str, ...]] = field("where the loader would look, in order")
    glibc_required: Optional[Version] = field("highest GLIBC_2.x symbol version the file needs")
    error: Optional[str] = field("why the file could not be read")
    kind: Optional[str] = field("extension (a Python module, loaded at import) or library (loaded on demand)")
    needed_by: Optional[Dict[str, str]] = field("missing soname -> the object whose DT_NEEDED names it, "
                                                "where that is not the file itself")
    missing_versions: Optional[Tuple[str, ...]] = field("symbol versions no provider defines: "
                                                        "'libstdc++.so.6 GLIBCXX_3.4.32 (needed by X, provider Y)'")
    cuda_majors: Optional[Tuple[int, ...]] = field("CUDA majors of the CUDA libraries loading it would bring into "
                                                   "the process (resolved or needed)")
    stage: Optional[str] = field("when it loads: import (`import <package>` loads it, so a problem fails the import), "
                                 "submodule (an extension module loaded when its submodule is imported), on-demand "
                                 "(a library nothing loads at import: a plugin, a bootstrap, a transport)")
    feature: Optional[str] = field("for an on-demand library: the feature that loads it (what a problem takes away)")
    unusable: Optional[Dict[str, str]] = field("missing soname -> the file of that name the loader met first and "
                                               "cannot load, with glibc's error (the search stops there): "
                                               "'/opt/lib/libcudart.so.12: file too short'")
    missing_symbols: Optional[Tuple[str, ...]] = field(
        "undefined symbols no loaded object would define: 'SYMBOL (needed by X; Y, found by LD_LIBRARY_PATH, "
        "lacks it; Z has it)'")

    @property
    def at_import(self) -> bool:
        """Loaded by the package's own import (documents without `stage`: every extension was counted so)."""
        if self.stage is not None:
            return self.stage == "import"
        return self.kind != "library"
