"""Source archives (.tar.gz sdists) read in one streaming pass, every byte bounded by the project's blob streams
(`image.stream.Counted`: what the archive unpacks to, skipped members' data and pax headers included)."""
from __future__ import annotations

import io
import tarfile
import zlib
from typing import Callable, Dict

from envcheck.documents import DocumentError
from envcheck.image.limits import ImageError
from envcheck.image.stream import Counted, decompressed

SDIST_UNPACKED = 64 << 20     # all of an sdist's members, unpacked (a stub sdist is kB; a 4 MB .tar.gz can be GBs)
SDIST_MEMBERS = 10_000


def sdist_files(data: bytes, name: str, keep: Callable[[str], bool], max_member: int) -> Dict[str, bytes]:
    """The regular members of a .tar.gz (or plain .tar) source archive whose name `keep` accepts and whose size is at
    most `max_member`, read in one streaming pass with every bound checked: SDIST_UNPACKED bytes in all,
    SDIST_MEMBERS entries. A damaged archive or a passed bound is a DocumentError naming `name`."""
    raw = Counted(io.BytesIO(data), len(data), name, hashing=False)
    plain = Counted(decompressed(raw, name), SDIST_UNPACKED, name, hashing=False)
    out: Dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=plain, mode="r|") as tar:
            for count, m in enumerate(tar, 1):
                if count > SDIST_MEMBERS:
                    raise DocumentError(name, f"more than {SDIST_MEMBERS} entries, the bound on a source archive")
                if m.isfile() and m.size <= max_member and keep(m.name):
                    out[m.name] = tar.extractfile(m).read(max_member + 1)
    except ImageError as exc:
        if plain.count > SDIST_UNPACKED:
            raise DocumentError(name, f"unpacks to more than {SDIST_UNPACKED >> 20} MiB, the bound on a source "
                                      f"archive") from None
        raise DocumentError(name, f"not a readable source archive ({exc})") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise DocumentError(name, f"not a readable source archive ({exc})") from None
    return out
