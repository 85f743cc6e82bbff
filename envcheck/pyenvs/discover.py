"""Where Python environments are: PATH, the usual bin dirs, pyenv, conda/mamba, uv, pipx, pyvenv.cfg under the
home directories, the current directory, /workspace and /opt (bounded depth), VIRTUAL_ENV/CONDA_PREFIX and
--search. Only directory listings and small files are read; nothing is executed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from envcheck.pyenvs.layout import PY_NAME

WALK_DEPTH = 4
WALK_BUDGET = 20000  # directories listed per starting point at most
SKIP_DIRS = frozenset({
    "node_modules", ".git", ".hg", ".svn", "__pycache__", "site-packages", "dist-packages", ".cache", "pkgs",
    "proc", "sys", "dev", ".npm", ".cargo", ".rustup", "go", ".local", ".pyenv", ".conda", "include", "share",
    "man", "locale", ".tox", ".nox", "checkpoints", "datasets", "hub", ".ipynb_checkpoints",
})
CONDA_ROOT_NAMES = ("miniconda3", "miniconda", "anaconda3", "anaconda", "miniforge3", "mambaforge", "micromamba",
                    "conda", "miniforge")


@dataclass
class Candidate:
    prefix: str
    interpreter: Optional[str]      # the path it was found by, when found as an interpreter
    name_version: Optional[str]     # X.Y from the interpreter's name (python3.11), if any
    found_by: str


def homes(root, environ: Dict[str, str]) -> Tuple[str, ...]:
    out: List[str] = []
    if environ.get("HOME"):
        out.append(environ["HOME"].rstrip("/") or "/")
    out.append("/root")
    try:
        out += [f"/home/{n}" for n in root.listdir("/home")]
    except OSError:
        pass
    seen, res = set(), []
    for h in out:
        if h not in seen and root.is_dir(h):
            seen.add(h)
            res.append(h)
    return tuple(res)


def pyenv_roots(root, environ: Dict[str, str], home_dirs: Tuple[str, ...]) -> Tuple[str, ...]:
    cands = ([environ["PYENV_ROOT"]] if environ.get("PYENV_ROOT") else []) + [f"{h}/.pyenv" for h in home_dirs] + \
        ["/usr/local/pyenv", "/opt/pyenv"]
    return tuple(dict.fromkeys(c.rstrip("/") for c in cands if root.is_dir(c + "/versions")))


def _is_binary(root, path: str) -> bool:
    """True for an ELF file (or one we cannot read): pyenv shims and wrapper scripts are not interpreters."""
    try:
        with root.open_binary(path) as fh:
            head = fh.read(4)
    except OSError:
        return root.exists(path) or root.is_symlink(path)
    return head == b"\x7fELF"


def from_interpreter(root, path: str, found_by: str) -> Optional[Candidate]:
    name = path.rsplit("/", 1)[1]
    m = PY_NAME.match(name)
    nv = m.group(1) if m else None
    d = path.rsplit("/", 1)[0]
    if d.endswith("/bin"):
        p = d[:-4] or "/"
        if root.exists(p + "/pyvenv.cfg") or root.is_dir(p + "/conda-meta"):
            return Candidate(p, path, nv, found_by)
    if not _is_binary(root, path):
        return None
    try:
        real = root.realpath(path)
    except OSError:
        real = path
    rm = PY_NAME.match(real.rsplit("/", 1)[1])
    if rm and rm.group(1) and "." in rm.group(1):
        nv = rm.group(1)
    if not root.exists(real):   # dangling: the environment is where the link is
        real = path
    rd = real.rsplit("/", 1)[0]
    prefix = (rd[:-4] or "/") if rd.endswith("/bin") else rd
    if prefix == "":
        prefix = "/"
    return Candidate(prefix, path, nv, found_by)


def _bin_dir(root, d: str, found_by: str) -> Iterator[Candidate]:
    try:
        names = root.listdir(d)
    except OSError:
        return
    # python3 before python3.11: the name a user types is the one shown (the version comes from the link target)
    for n in sorted((n for n in names if PY_NAME.match(n)), key=lambda n: (len(n), n)):
        c = from_interpreter(root, f"{d}/{n}", found_by)
        if c:
            yield c


def _conda_roots(root, environ, home_dirs) -> List[str]:
    roots = []
    for var in ("CONDA_ROOT", "MAMBA_ROOT_PREFIX", "CONDA_EXE_ROOT"):
        if environ.get(var):
            roots.append(environ[var])
    if environ.get("CONDA_EXE"):
        roots.append(environ["CONDA_EXE"].rsplit("/", 2)[0])
    for base in ("/opt",) + tuple(home_dirs) + ("/usr/local", "/"):
        for n in CONDA_ROOT_NAMES:
            roots.append(f"{base.rstrip('/')}/{n}")
    return list(dict.fromkeys(r for r in roots if root.is_dir(r)))


def walk(root, start: str, found_by: str, depth: int = WALK_DEPTH) -> Iterator[Candidate]:
    """Prefixes with pyvenv.cfg or conda-meta (or bin/python3 next to lib/) below `start`, without following
    symlinked directories (no loops), skipping big well-known trees, within a budget."""
    try:
        start_real = root.realpath(start)
    except OSError:
        return
    stack = [(start_real, 0)]
    budget = WALK_BUDGET
    while stack and budget > 0:
        d, level = stack.pop()
        budget -= 1
        try:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in root.scandir(d)]
        except OSError:
            continue
        names = {n for n, _ in entries}
        if "pyvenv.cfg" in names:
            yield Candidate(d, None, None, found_by)
            continue
        if "conda-meta" in names:
            yield Candidate(d, None, None, found_by)
            if "envs" in names:
                stack.append((d.rstrip("/") + "/envs", level + 1))
            continue
        if "bin" in names and "lib" in names and (root.exists(d + "/bin/python3") or root.exists(d + "/bin/python")):
            yield Candidate(d, None, None, found_by)
            continue
        if level >= depth:
            continue
        for n, is_dir in sorted(entries, reverse=True):
            if is_dir and n not in SKIP_DIRS:
                stack.append((d.rstrip("/") + "/" + n, level + 1))


def _pyenv_candidates(root, pyroots) -> List[Candidate]:
    """pyenv's versions and the pyenv-virtualenv environments inside them."""
    out: List[Candidate] = []
    for r in pyroots:
        try:
            versions = root.listdir(r + "/versions")
        except OSError:
            versions = []
        for v in versions:
            p = f"{r}/versions/{v}"
            if root.is_symlink(p):   # pyenv-virtualenv's short name -> versions/X/envs/name
                continue
            out.append(Candidate(p, None, None, "pyenv"))
            try:
                envs = root.listdir(p + "/envs")
            except OSError:
                envs = []
            for e in envs:
                out.append(Candidate(f"{p}/envs/{e}", None, None, "pyenv-virtualenv"))
    return out


def _conda_candidates(root, environ: Dict[str, str], home_dirs) -> List[Candidate]:
    """The environments ~/.conda/environments.txt lists, then each conda root and its envs/."""
    out: List[Candidate] = []
    for h in home_dirs:
        try:
            lines = root.read_text(h + "/.conda/environments.txt", 1 << 20).splitlines()
        except OSError:
            lines = []
        for line in lines:
            line = line.strip()
            if line and root.is_dir(line):
                out.append(Candidate(line.rstrip("/"), None, None, "conda environments.txt"))
    for r in _conda_roots(root, environ, home_dirs):
        if root.is_dir(r + "/conda-meta"):
            out.append(Candidate(r, None, None, "conda"))
        try:
            envs = root.listdir(r + "/envs")
        except OSError:
            envs = []
        for e in envs:
            if root.is_dir(f"{r}/envs/{e}/conda-meta"):
                out.append(Candidate(f"{r}/envs/{e}", None, None, "conda"))
    return out


def discover(root, environ: Dict[str, str], search: Tuple[str, ...] = (), cwd: Optional[str] = None) -> Tuple[List[Candidate], Tuple[str, ...], Tuple[str, ...]]:
    """All candidates in discovery order (duplicates included; the probe merges them), the home dirs and the
    pyenv roots."""
    home_dirs = homes(root, environ)
    pyroots = pyenv_roots(root, environ, home_dirs)
    out: List[Candidate] = []
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        if environ.get(var) and root.is_dir(environ[var]):
            out.append(Candidate(environ[var].rstrip("/"), None, None, var))
    path_var = environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    for d in path_var.split(":"):
        if d and not any(d.startswith(r + "/shims") for r in pyroots) and not d.endswith("/.pyenv/shims"):
            out += _bin_dir(root, d.rstrip("/") or "/", "PATH")
    for d in ("/usr/local/bin", "/usr/bin"):
        out += _bin_dir(root, d, d)
    out += _pyenv_candidates(root, pyroots)
    out += _conda_candidates(root, environ, home_dirs)
    uv_dirs = ([environ["UV_PYTHON_INSTALL_DIR"]] if environ.get("UV_PYTHON_INSTALL_DIR") else []) + \
        [f"{h}/.local/share/uv/python" for h in home_dirs]
    for d in uv_dirs:
        try:
            names = root.listdir(d)
        except OSError:
            continue
        for n in names:
            if n.startswith("cpython-") and root.is_dir(f"{d}/{n}/bin"):
                out.append(Candidate(f"{d}/{n}", None, None, "uv python"))
    pipx = ([environ["PIPX_HOME"] + "/venvs"] if environ.get("PIPX_HOME") else []) + \
        [f"{h}/.local/pipx/venvs" for h in home_dirs] + [f"{h}/.local/share/pipx/venvs" for h in home_dirs]
    for d in pipx:
        try:
            names = root.listdir(d)
        except OSError:
            continue
        out += [Candidate(f"{d}/{n}", None, None, "pipx") for n in names if root.exists(f"{d}/{n}/pyvenv.cfg")]
    starts: List[Tuple[str, str]] = [(h, "pyvenv.cfg under home") for h in home_dirs]
    if cwd:
        starts.append((cwd, "current directory"))
    starts += [("/workspace", "/workspace"), ("/opt", "/opt")]
    for s in search:
        starts.append((s.rstrip("/") or "/", "search"))
    for s, how in starts:
        if how == "search" and root.is_file(s):
            c = from_interpreter(root, s, "search")
            if c:
                out.append(c)
            continue
        if root.is_dir(s):
            out += walk(root, s, how, WALK_DEPTH if how != "search" else WALK_DEPTH + 2)
    return out, home_dirs, pyroots
