"""Where the system loader of the machine (or --root tree) in hand would find the libraries a message names, for
the sonames the scan's library facts do not track (libmpi, libstdc++, libpython, ...) and to say why: the search
order of envcheck.loader (LD_LIBRARY_PATH, /etc/ld.so.cache, the default directories). Reads files through Root
only, like the libraries probe; `envcheck explain --env FILE` has no tree to read and skips this."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Tuple


@dataclass(frozen=True)
class LoaderView:
    soname: str
    path: Optional[str]
    via: str
    searched: Tuple[str, ...]

    def fact(self) -> str:
        where = ", ".join(self.searched)
        if self.path:
            return (f"loader: a program without RPATH/RUNPATH here loads {self.soname} from {self.path} "
                    f"(found by {self.via}; searched {where})")
        return f"loader: no {self.soname} for a program without RPATH/RUNPATH here (searched {where})"

    @property
    def system(self) -> bool:
        return self.path is not None and self.via in ("LD_LIBRARY_PATH", "ld.so.cache", "default-dir")


def look_up(root, sonames: Iterable[str], machine: str = "x86_64") -> Dict[str, LoaderView]:
    from envcheck.elf import ElfInfo
    from envcheck.loader import Loader

    names = sorted({s for s in sonames if s and ".so" in s and "/" not in s})[:16]
    if not names:
        return {}
    loader = Loader(root, root.environ().get("LD_LIBRARY_PATH"), machine)
    out = {}
    for so in names:
        hit, via, searched, _stop = loader.find(so, "/", ElfInfo("/", machine=machine))
        out[so] = LoaderView(so, hit, via or "", tuple(searched))
    return out
