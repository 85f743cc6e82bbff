"""Rules about ABI breaks no metadata declares: a compiled module built against numpy 1.x under numpy 2 (read
from the module's own files by probes/abi.py), and floors a library enforces in its code (matrix/floors.yaml).
torch's C++ ABI (an extension built against another torch, torch under an older NCCL) is a symbol check: see
native-symbol-missing in checks/native.py."""
from __future__ import annotations

from typing import List, Optional

from envcheck.checks.pythons import _q, _subject
from envcheck.findings import Finding, env_name, fact, register
from envcheck.pyenvs.metadata import parse_requirement, unmet
from envcheck.versions import parse

NUMPY_ABI = register("numpy-abi-mismatch", "fail", "A compiled module was built against numpy 1.x; numpy 2 is installed",
    """The module's import_array() names numpy.core._multiarray_umath, the name numpy 1.x's headers write; a module
    built with numpy 2's headers names numpy._core's too. numpy 2 changed the C ABI (the dtype struct, the ABI
    version 0x2000000), so such a module fails to import: 'numpy.dtype size changed, may indicate binary
    incompatibility' or 'module compiled against ABI version 0x1000009 but this version of numpy is 0x2000000'.
    Its metadata may not say so: pandas 1.5.3 declares no numpy upper bound.""")
FLOOR = register("code-floor-unmet", "fail", "A library's own code refuses the installed torch",
    """Some libraries check the torch version in their code, not in their metadata (matrix/floors.yaml cites the
    line): pip installs them beside an older torch and `import` works, but below the floor they switch off what
    they are used for (torchao skips its compiled kernels, transformers disables PyTorch and every model class).""")


def numpy_abi(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        pk = p.packages or {}
        numpy = pk.get("numpy")
        for dist, module in sorted((p.numpy1_modules or {}).items()):
            ver = pk.get(dist)
            py = p.path or "python"
            yield Finding(NUMPY_ABI, "fail",
                          f"{dist} {ver or ''} in {env_name(p)} was built against numpy 1.x ({module}); numpy {numpy} "
                          "is installed".replace("  ", " "),
                          evidence=(fact(f"pythons[{i}].numpy1_modules.{dist}", module),
                                    fact(f"pythons[{i}].packages.numpy", numpy)),
                          why=f"`import {dist.replace('-', '_')}` fails under numpy 2: 'numpy.dtype size changed, may "
                              "indicate binary incompatibility' or 'module compiled against ABI version 0x1000009 but "
                              "this version of numpy is 0x2000000'.",
                          fix=(f"{py} -m pip install --upgrade {dist}    # a release built against numpy 2, "
                               "if there is one",
                               f"{py} -m pip install {_q('numpy<2')}    # or keep numpy 1.x for this {dist}"),
                          subject=_subject(p))


def _floor_row(matrix, target: str, have):
    """The floors row that applies to release ``have`` of ``target`` (the newest at or below it), and the rows."""
    rows = sorted((r for r in (matrix.rows("floors") if matrix is not None else []) if r.get("target") == target
                   and parse(r.version) is not None), key=lambda r: parse(r.version))
    applies = [r for r in rows if parse(r.version) <= have]
    return (applies[-1] if applies else None), rows


def _older_release(rows, pk) -> Optional[str]:
    """The first floors row whose floor the installed packages miss, from which on every later one misses too:
    releases before it accept what is installed."""
    first = None
    for r in reversed(rows):
        if unmet(str(r.get("requires")), pk) is None:
            break
        first = r
    return first.version if first is not None else None


def code_floors(env, matrix):
    for i, p in enumerate(env.pythons or ()):
        pk = p.packages or {}
        for target in sorted({str(r.get("target")) for r in (matrix.rows("floors") if matrix is not None else [])}):
            have = pk.get(target)
            if have is None:
                continue
            row, rows = _floor_row(matrix, target, have)
            req = str(row.get("requires")) if row is not None else ""
            why = unmet(req, pk) if row is not None else None
            if why is None or why == "not installed":
                continue
            name = (parse_requirement(req) or (req,))[0]
            py = p.path or "python"
            fix: List[str] = [f"{py} -m pip install {_q(req)}    # what {target} {have} checks for"]
            older = _older_release(rows, pk)
            if older:
                fix.append(f"{py} -m pip install {_q(target + '<' + older)}    # or a {target} release that accepts "
                           f"{name} {pk.get(name)}")
            yield Finding(FLOOR, str(row.get("severity") or "fail"),
                          f"{target} {have} in {env_name(p)} needs {req} in its code; {name} {pk.get(name)} is installed",
                          evidence=(fact(f"pythons[{i}].packages.{target}", have),
                                    fact(f"pythons[{i}].packages.{name}", pk.get(name)), row.ref()),
                          why=f"`import {target}` works, then it says '{row.get('effect')}' and switches that off. "
                              "pip does not see it: the floor is not in the metadata's requirements.",
                          fix=tuple(fix), subject=_subject(p))


RULES = [numpy_abi, code_floors]
