"""`envcheck matrix diff`, `bundle` and `update`: comparing matrices and replacing the installed one safely.

An update downloads a bundle (a .tar.gz of the matrix's YAML files), checks its sha256, validates it as a whole,
and only then switches the `current` link of the user's matrix store to it in one atomic rename. Any failure
leaves the old matrix untouched and says why.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import tempfile
import zlib
from typing import List, Optional, Tuple

from envcheck.documents import parse_yaml
from envcheck.errors import InputError
from envcheck.image.limits import ImageError
from envcheck.image.stream import Counted
from envcheck.matrix.load import FILE_LIMIT, Matrix, load_matrix, store_dir
from envcheck.output import switch_link, write_bytes, write_text
from envcheck.root import open_regular

MAX_BUNDLE = 32 << 20         # the .tar.gz as downloaded
MAX_UNPACKED = 64 << 20       # its tar stream after gzip (the bundled matrix: ~0.3 MiB)
MAX_FILES = 256               # YAML files in one bundle (the bundled matrix: 9)


# -- diff ---------------------------------------------------------------------------------------------------
def diff(old: Matrix, new: Matrix) -> List[str]:
    lines: List[str] = []
    if old.version != new.version:
        lines.append(f"version: {old.version} -> {new.version}")
    for subject in sorted(set(old.subjects) | set(new.subjects)):
        a = {r.version: r.data for r in old.rows(subject)}
        b = {r.version: r.data for r in new.rows(subject)}
        for v in sorted(set(b) - set(a)):
            lines.append(f"+ {subject} {v}")
        for v in sorted(set(a) - set(b)):
            lines.append(f"- {subject} {v}")
        for v in sorted(set(a) & set(b)):
            for key in sorted(set(a[v]) | set(b[v])):
                if key == "sources" and a[v].get(key) != b[v].get(key):
                    lines.append(f"~ {subject} {v}: sources changed")
                elif a[v].get(key) != b[v].get(key):
                    lines.append(f"~ {subject} {v}: {key}: {a[v].get(key)!r} -> {b[v].get(key)!r}")
        ea, eb = old.extra(subject), new.extra(subject)
        for key in sorted(set(ea) | set(eb)):
            if ea.get(key) != eb.get(key):
                lines.append(f"~ {subject} ({key}) changed")
    return lines


# -- bundle -------------------------------------------------------------------------------------------------
def make_bundle(matrix_dir: str, out_path: str) -> str:
    """Write a .tar.gz of the matrix's YAML files and OUT.sha256 beside it; returns the hex digest."""
    names = sorted(n for n in os.listdir(matrix_dir) if n.endswith((".yaml", ".yml")))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for n in names:
            path = os.path.join(matrix_dir, n)
            try:
                fh = open_regular(path)     # a FIFO named *.yaml would block, a device never end
            except OSError as exc:
                raise InputError(f"matrix bundle: {path}: {exc.strerror or exc}") from None
            with fh:
                info = tar.gettarinfo(arcname=n, fileobj=fh)
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                tar.addfile(info, fh)
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    write_bytes(out_path, data, "bundle")
    write_text(out_path + ".sha256", f"{digest}  {os.path.basename(out_path)}\n", "bundle")
    return digest


# -- update -------------------------------------------------------------------------------------------------
CONFIG_MAX = 1 << 20


def config_file() -> str:
    return os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "envcheck", "config.yaml")


def configured_url() -> Optional[str]:
    """Where `matrix update` looks by default: $ENVCHECK_MATRIX_URL, else `matrix_url:` in the config file (the
    URL of the newest bundle a publisher keeps, e.g. a release asset `.../releases/latest/download/matrix.tar.gz`)."""
    env = os.environ.get("ENVCHECK_MATRIX_URL")
    if env:
        return env
    path = config_file()
    try:
        import stat as _stat
        st = os.stat(path)
        if not _stat.S_ISREG(st.st_mode) or st.st_size > CONFIG_MAX:
            raise InputError(f"{path}: not a regular file of at most {CONFIG_MAX >> 10} KiB")
        with open(path, "rb") as fh:
            doc = parse_yaml(fh.read(CONFIG_MAX + 1).decode("utf-8"), path)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({exc})") from None
    if doc is None:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("matrix_url", ""), str):
        raise InputError(f"{path}: expected a mapping with `matrix_url: URL`")
    return doc.get("matrix_url") or None


def _get(url: str, timeout: float) -> bytes:
    import requests

    try:
        resp = requests.get(url, timeout=timeout, stream=True)
    except requests.RequestException as exc:
        raise InputError(f"matrix update: cannot reach {url}: {type(exc).__name__}: {exc}; the installed matrix is unchanged") from None
    if resp.status_code != 200:
        raise InputError(f"matrix update: {url} answered HTTP {resp.status_code}; the installed matrix is unchanged")
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(1 << 16):
            size += len(chunk)
            if size > MAX_BUNDLE:
                raise InputError(f"matrix update: {url} is larger than {MAX_BUNDLE >> 20} MiB; the installed matrix is unchanged")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise InputError(f"matrix update: download from {url} broke off ({type(exc).__name__}); the installed matrix is unchanged") from None
    expected = resp.headers.get("Content-Length")
    data = b"".join(chunks)
    if expected and expected.isdigit() and int(expected) != len(data):
        raise InputError(f"matrix update: truncated download ({len(data)} of {expected} bytes); the installed matrix is unchanged")
    return data


def _local_path(url: str) -> Optional[str]:
    """A bundle on this machine: a plain path or a file:// URL (offline install of what `matrix bundle` made)."""
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            raise InputError(f"matrix update: {url}: a file:// URL must name a local path; the installed matrix is unchanged")
        return unquote(parsed.path)
    if "://" not in url:
        return url
    return None


def _read_local(path: str) -> bytes:
    import stat as _stat
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(f"matrix update: cannot read {path}: {exc.strerror}; the installed matrix is unchanged") from None
    if not _stat.S_ISREG(st.st_mode):
        raise InputError(f"matrix update: {path} is not a regular file; the installed matrix is unchanged")
    if st.st_size > MAX_BUNDLE:
        raise InputError(f"matrix update: {path} is larger than {MAX_BUNDLE >> 20} MiB; the installed matrix is unchanged")
    try:
        with open_regular(path) as fh:
            return fh.read(MAX_BUNDLE + 1)
    except OSError as exc:
        raise InputError(f"matrix update: cannot read {path}: {exc.strerror}; the installed matrix is unchanged") from None


def fetch(url: str, timeout: float) -> bytes:
    """The bytes at `url`: http(s), file:// or a local path."""
    local = _local_path(url)
    return _read_local(local) if local is not None else _get(url, timeout)


def update(url: str, sha256: Optional[str] = None, timeout: float = 30.0) -> Tuple[str, str, List[str]]:
    """Install the bundle at `url` (http(s), file:// or a local path). Returns (old version, new version, diff
    lines). Raises InputError on any failure."""
    from envcheck.matrix.validate import validate_dirs

    data = fetch(url, timeout)
    if sha256 is None:
        sums = fetch(url + ".sha256", timeout).decode("ascii", "replace").split()
        if not sums:
            raise InputError(f"matrix update: {url}.sha256 is empty; the installed matrix is unchanged")
        sha256 = sums[0]
    digest = hashlib.sha256(data).hexdigest()
    if digest.lower() != sha256.strip().lower():
        raise InputError(f"matrix update: checksum mismatch (expected {sha256.strip()}, got {digest}); "
                         "the installed matrix is unchanged")
    store = store_dir()
    os.makedirs(store, exist_ok=True)
    new_dir = tempfile.mkdtemp(prefix="matrix-", dir=store)
    try:
        _unpack(data, new_dir)
        problems = validate_dirs([new_dir])
        if problems:
            raise InputError("matrix update: the new matrix is invalid; the installed matrix is unchanged:\n  "
                             + "\n  ".join(str(p).replace(new_dir + os.sep, "") for p in problems[:20]))
    except BaseException:       # an error, Ctrl-C or SIGTERM: the half-unpacked directory goes
        _rmtree(new_dir)
        raise
    old = load_matrix(include_user=False)
    new = load_matrix(include_user=False, base=new_dir)
    link = os.path.join(store, "current")
    previous = os.path.realpath(link) if os.path.islink(link) else None
    try:
        switch_link(link, os.path.basename(new_dir), "the matrix store's `current` link")
    except BaseException:
        _rmtree(new_dir)
        raise
    if previous and os.path.isdir(previous) and previous != os.path.realpath(new_dir):
        _rmtree(previous)
    return old.version, new.version, diff(old, new)


def _unpack(data: bytes, new_dir: str) -> None:
    """The bundle's YAML files into `new_dir`, every decompression bounded: the gzip stream to MAX_UNPACKED bytes,
    one file to FILE_LIMIT, the number of files to MAX_FILES (a 4 MB bundle can expand to gigabytes)."""
    unchanged = "; the installed matrix is unchanged"
    stream = Counted(gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb"), MAX_UNPACKED, "matrix update: the bundle",
                     hashing=False, bound=f"{MAX_UNPACKED >> 20} MiB, the bound on an unpacked bundle")
    count = 0
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                name = os.path.basename(member.name)
                if not member.isfile() or name != member.name or not name.endswith((".yaml", ".yml")):
                    raise InputError(f"matrix update: unexpected entry {member.name[:200]!r} in the bundle{unchanged}")
                count += 1
                if count > MAX_FILES:
                    raise InputError(f"matrix update: more than {MAX_FILES} files in the bundle (the bound on its "
                                     f"files){unchanged}")
                if member.size > FILE_LIMIT:
                    raise InputError(f"matrix update: {name[:200]!r} unpacks to {member.size} bytes, more than "
                                     f"{FILE_LIMIT >> 20} MiB (the bound on one matrix file){unchanged}")
                write_bytes(os.path.join(new_dir, name), tar.extractfile(member).read(FILE_LIMIT + 1), "matrix update")
    except ImageError as exc:       # the stream passed MAX_UNPACKED
        raise InputError(f"{exc}{unchanged}") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise InputError(f"matrix update: not a readable .tar.gz bundle ({exc}){unchanged}") from None


def _rmtree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
