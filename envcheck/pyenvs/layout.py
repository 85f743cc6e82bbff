"""What an environment is, from its files: prefix, kind, Python version, base interpreter, site-packages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

PY_NAME = re.compile(r"^python(\d+(?:\.\d+)?)?$")
_LIBDIR = re.compile(r"^python(\d+)\.(\d+)t?$")
_FULL = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?(?!\d)")  # a Python version: 3.10.12, never 99999999999999999999.1
_PATCHLEVEL = re.compile(r'#define\s+PY_VERSION\s+"([^"]+)"')
_CONDA_PY = re.compile(r"^python-(\d+\.\d+\.\d+)-")


@dataclass
class Layout:
    prefix: str
    interpreter: str                     # the path shown (in-root)
    key: str                             # identity for de-duplication
    kind: str = "system"
    version: Optional[str] = None
    version_from: Optional[str] = None
    base: Optional[str] = None
    site_packages: Tuple[str, ...] = ()
    cfg: Dict[str, str] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)


def _err(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def read_cfg(root, path: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for line in root.read_text(path, 1 << 16).splitlines():
        k, sep, v = line.partition("=")
        if sep:
            out[k.strip().lower()] = v.strip()
    return out


def _norm_version(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    m = _FULL.search(text)
    if not m:
        return None
    return ".".join(x for x in m.groups() if x is not None)


def _safe_real(root, path: str) -> str:
    try:
        return root.realpath(path)
    except OSError:
        return path


def interpreter_in(root, prefix: str, want: Optional[str] = None) -> Tuple[Optional[str], List[str]]:
    """The interpreter of a prefix (bin/python3.X, bin/python3, bin/python), and notes on broken links."""
    notes: List[str] = []
    broken: Optional[str] = None
    names = ["python", "python3"] + ([f"python{want}"] if want else [])
    try:
        listing = root.listdir(prefix + "/bin")
    except OSError as exc:
        return None, [f"{prefix}/bin: {_err(exc)}"]
    names += sorted(n for n in listing if PY_NAME.match(n) and n not in names)
    for n in names:
        if n not in listing:
            continue
        cand = f"{prefix}/bin/{n}"
        if root.exists(cand):
            return cand, notes
        target = ""
        try:
            target = root.readlink(cand)
        except OSError:
            pass
        notes.append(f"{cand} -> {target or '?'}: broken symlink (target missing)")
        broken = broken or cand
    return broken, notes


def lib_versions(root, prefix: str) -> List[str]:
    found = []
    for lib in ("lib", "lib64"):
        try:
            for n in root.listdir(f"{prefix}/{lib}"):
                m = _LIBDIR.match(n)
                if m and f"{m.group(1)}.{m.group(2)}" not in found:
                    found.append(f"{m.group(1)}.{m.group(2)}")
        except OSError:
            continue
    return found


def _refine_patch(root, prefix: str, mm: str) -> Tuple[Optional[str], Optional[str]]:
    """A full X.Y.Z for an X.Y Python, from files: patchlevel.h, conda-meta."""
    for inc in (f"{prefix}/include/python{mm}/patchlevel.h", f"{prefix}/include/python{mm}t/patchlevel.h"):
        try:
            m = _PATCHLEVEL.search(root.read_text(inc, 1 << 16))
            if m and m.group(1).startswith(mm + "."):
                return _norm_version(m.group(1)), inc
        except OSError:
            continue
    return None, None


def conda_python(root, prefix: str) -> Optional[str]:
    for p in root.glob(prefix + "/conda-meta", "python-[0-9]*.json"):
        m = _CONDA_PY.match(p.rsplit("/", 1)[1])
        if m:
            return m.group(1)
    return None


def site_dirs(root, prefix: str, mm: Optional[str], kind: str, homes: Tuple[str, ...], cfg: Dict[str, str]) -> List[str]:
    """site-packages directories in sys.path order (those that exist)."""
    cands: List[str] = []
    vers = [mm] if mm else lib_versions(root, prefix)
    if kind in ("system", "pyenv", "conda", "uv-python") and not cfg:
        for h in homes:
            for v in vers:
                cands.append(f"{h}/.local/lib/python{v}/site-packages")
    for v in vers:
        if prefix == "/usr":  # Debian/Ubuntu layout, then the plain one
            cands += [f"/usr/local/lib/python{v}/dist-packages", "/usr/lib/python3/dist-packages",
                      f"/usr/lib/python{v}/dist-packages", f"/usr/local/lib/python{v}/site-packages",
                      f"/usr/lib/python{v}/site-packages", f"/usr/lib64/python{v}/site-packages"]
        else:
            cands += [f"{prefix}/lib/python{v}/site-packages", f"{prefix}/lib64/python{v}/site-packages",
                      f"{prefix}/lib/python{v}t/site-packages"]
    out, seen = [], set()
    for c in cands:
        if c in out or not root.is_dir(c):
            continue
        real = _safe_real(root, c)
        if real in seen:
            continue
        seen.add(real)
        out.append(c)
    return out


def _kind_and_cfg(root, prefix: str, pyenv_roots: Tuple[str, ...], errors: List[str]) -> Tuple[str, Dict[str, str]]:
    """What made the environment (venv, uv, pipx, conda, pyenv, system) and its pyvenv.cfg, if any."""
    cfg: Dict[str, str] = {}
    kind = "system"
    if root.exists(prefix + "/pyvenv.cfg"):
        try:
            cfg = read_cfg(root, prefix + "/pyvenv.cfg")
        except OSError as exc:
            errors.append(f"{prefix}/pyvenv.cfg: {_err(exc)}")
            cfg = {"?": "?"}
        kind = "uv" if "uv" in cfg else "venv"
        if "/pipx/venvs/" in prefix + "/":
            kind = "pipx"
    elif root.is_dir(prefix + "/conda-meta"):
        kind = "conda"
    elif any(prefix.startswith(r.rstrip("/") + "/versions/") for r in pyenv_roots):
        kind = "pyenv"
    elif "/uv/python/" in prefix + "/":
        kind = "uv"
    return kind, cfg


def _stated_version(root, prefix: str, kind: str, cfg: Dict[str, str]):
    """(version, where it was read) from what the environment states: pyvenv.cfg, conda-meta or its directory."""
    for key in ("version_info", "version"):
        if cfg.get(key):
            return _norm_version(cfg[key]), f"{prefix}/pyvenv.cfg"
    version = src = None
    if kind == "conda":
        version = conda_python(root, prefix)
        src = f"{prefix}/conda-meta" if version else None
    if version is None and kind == "pyenv":
        tail = prefix.rstrip("/").rsplit("/", 1)[1]
        if _FULL.fullmatch(tail):
            version, src = tail, "pyenv version directory"
    if version is None and kind == "uv":
        m = re.search(r"cpython-(\d+\.\d+\.\d+)", prefix)
        if m:
            version, src = m.group(1), "uv python directory"
    return version, src


def _version(root, prefix: str, kind: str, cfg: Dict[str, str], name_version: Optional[str]):
    """(version, where it was read): as stated, else X.Y from the interpreter's name or lib/pythonX.Y (with the
    patch level when something states it)."""
    version, src = _stated_version(root, prefix, kind, cfg)
    if version is not None:
        return version, src
    mm = None
    if name_version and "." in name_version:
        mm, src = name_version, "interpreter name"
    else:
        libs = lib_versions(root, prefix) if prefix != "/usr" else []
        if len(libs) == 1:
            mm, src = libs[0], f"{prefix}/lib/python{libs[0]}"
    if mm:
        full, where = _refine_patch(root, prefix, mm)
        if full:
            version, src = full, where
        else:
            version = mm
    return version, src


def _interpreter(root, prefix: str, interpreter: Optional[str], mm: Optional[str], errors: List[str]) -> str:
    """The interpreter to show: the one it was found by, else the one in prefix/bin; what is broken goes to errors."""
    shown, notes = (interpreter, []) if interpreter else interpreter_in(root, prefix, mm)
    if interpreter and not root.exists(interpreter):
        try:
            root.realpath(interpreter)
            why = "broken symlink (target missing)"
        except OSError as exc:
            why = f"cannot be resolved ({_err(exc)})"
        target = ""
        try:
            target = " -> " + root.readlink(interpreter)
        except OSError:
            pass
        errors.append(f"{interpreter}{target}: {why}")
    errors += notes
    if shown is not None and not root.exists(shown):
        errors.append(f"{shown}: no working interpreter in {prefix}/bin: the environment cannot start")
    if shown is None:
        shown = f"{prefix}/bin/python" + (mm.split(".")[0] if mm else "")
        if not notes:
            errors.append(f"{prefix}/bin: no python interpreter")
    return shown


def _base(root, cfg: Dict[str, str], mm: Optional[str], errors: List[str]) -> Optional[str]:
    """The base interpreter pyvenv.cfg names (executable, or python in home), checked to exist."""
    base = None
    if cfg and "?" not in cfg:
        exe = cfg.get("executable") or cfg.get("base-executable")
        home = cfg.get("home")
        if exe:
            base = exe
        elif home:
            base = home.rstrip("/") + "/" + (f"python{mm}" if mm and root.exists(f"{home.rstrip('/')}/python{mm}") else "python3")
        if base and not root.exists(base):
            errors.append(f"base interpreter {base} (pyvenv.cfg {'executable' if exe else 'home'}) does not exist: "
                          "the environment cannot start")
        elif home and not root.is_dir(home):
            errors.append(f"pyvenv.cfg home {home} does not exist: the environment cannot start")
    return base


def read_layout(root, prefix: str, interpreter: Optional[str], homes: Tuple[str, ...], pyenv_roots: Tuple[str, ...],
                name_version: Optional[str] = None) -> Layout:
    """Read one environment. `interpreter` is the path it was found by (None: found as a prefix)."""
    errors: List[str] = []
    kind, cfg = _kind_and_cfg(root, prefix, pyenv_roots, errors)
    version, src = _version(root, prefix, kind, cfg, name_version)
    if version is None and interpreter is None:
        errors.append("Python version unknown: no pyvenv.cfg version, lib/pythonX.Y or versioned interpreter")
    mm = ".".join(version.split(".")[:2]) if version else None
    shown = _interpreter(root, prefix, interpreter, mm, errors)
    base = _base(root, cfg, mm, errors)
    if cfg:
        key = "prefix:" + _safe_real(root, prefix)
    elif root.exists(shown):
        key = "bin:" + _safe_real(root, shown)
    else:
        key = f"prefix:{_safe_real(root, prefix)}:{mm}"
    sites = site_dirs(root, prefix, mm, kind, homes, cfg)
    if cfg.get("include-system-site-packages", "").lower() == "true" and base:
        bprefix = _prefix_of(_safe_real(root, base))
        sites += [s for s in site_dirs(root, bprefix, mm, "system", (), {}) if s not in sites]
    if not sites and (cfg or kind == "conda"):
        errors.append(f"no site-packages directory found under {prefix}")
    return Layout(prefix, shown, key, kind, version, src, base, tuple(sites), cfg, errors)


def _prefix_of(interpreter: str) -> str:
    d = interpreter.rsplit("/", 1)[0]
    return d.rsplit("/", 1)[0] or "/" if d.endswith("/bin") else d
