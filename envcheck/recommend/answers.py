"""Plain answers to the five questions of the seed report, made from the judged paths and the matrix rows."""
from __future__ import annotations

from typing import List, Tuple

from envcheck.errors import InputError
from envcheck.recommend.machine import Machine
from envcheck.recommend.model import BLOCKED, KINDS, OK, RISKY, InstallPath
from envcheck.versions import parse


def _best(paths: List[InstallPath], kinds=KINDS):
    for st in (OK, RISKY):
        for p in paths:
            if p.status == st and p.kind in kinds:
                return p
    return None


# the other targets the seed report's fourth answer judges: (target, how the answer names it)
ALTERNATIVES = (("tensorrt", "TensorRT alone (e.g. for a flow-matching decoder exported to ONNX)"),
                ("vllm", "vLLM"), ("sglang", "SGLang"))


def seed_answers(m: Machine, t, paths: List[InstallPath], wheels, env, alternatives) -> List[Tuple[str, str]]:
    """`alternatives`: (name, why, its Recommendation or the InputError that stopped it), one per ALTERNATIVES."""
    drv = m.driver_fact()
    return [(f"Which {t.name} version should this machine install?", _which_version(m, t, paths, wheels, env, drv)),
            ("Are there prebuilt wheels for CUDA 12, and where?", _where_wheels(wheels)),
            _source_build(m, t, paths),
            ("Alternatives: TensorRT alone, vLLM, SGLang?", _alternatives(alternatives)),
            ("What would a driver/CUDA upgrade do to the other models?", _driver_upgrade(t, paths, drv))]


def _which_version(m: Machine, t, paths: List[InstallPath], wheels, env, drv: str) -> str:
    best = _best(paths, ("wheel",))
    blocked_new = [rel.version for rel, w in wheels if w.verdict.status == BLOCKED]
    risky = [rel.version for rel, w in wheels if w.verdict.status == RISKY]
    ok = [rel.version for rel, w in wheels if w.verdict.status == OK]
    if best is not None:
        a = f"{t.name} {best.version} ({best.status}), as a wheel {_where(best)}. {drv}."
    elif t.spec is not None and any(w.verdict.status != BLOCKED for _, w in wheels):
        wanted = ", ".join(p.version for p in paths if p.kind == "wheel") or (t.text or "")
        a = (f"{t.name}{t.text} ({wanted}) cannot be installed here; other releases can (see `envcheck recommend "
             f"--target {t.name}`). {drv}.")
        a += _what_it_takes(m, t, paths)
    else:
        a = f"No {t.name} wheel runs here as things stand ({drv})."
    if ok:
        a += f" Runs natively: {_span(ok)}."
    if risky:
        a += f" Only through minor-version compatibility (risky): {_span(risky)}."
    if blocked_new:
        a += f" Blocked here: {_span(blocked_new)}."
    tk = [str(tk.version) for tk in (env.cuda_toolkits or ()) if tk.version is not None]
    if tk:
        a += (f" The CUDA toolkit in the container ({', '.join(tk)}) does not limit wheels; the driver does.")
    return a


def _where(p: InstallPath) -> str:
    return (f"into {p.environment}" if p.environment else
            f"a fresh venv with {p.python}" if p.python else "a fresh venv")


def _where_wheels(wheels) -> str:
    by_major = {}
    for rel, _ in wheels:
        if rel.build_cuda is not None:
            by_major.setdefault(rel.build_cuda.major, []).append(rel)
    parts = []
    for major in sorted(by_major):
        rels = by_major[major]
        urls = sorted({a for r in rels for a in r.index_args if a.startswith("http")})
        stub = [r.version for r in rels if "stub" in r.view.build_backend]
        s = f"CUDA {major} builds: {_span([r.version for r in rels])}"
        if urls:
            s += f", real wheels on {', '.join(urls)} (name it: --extra-index-url)"
        if stub:
            s += (f"; the default index (pypi.org) holds only stub sdists for {_span(stub)} that download from "
                  f"NVIDIA's index at install time ({rels[0].ref} 'pypi')")
        parts.append(s)
    return "; ".join(parts) + "." if parts else "The matrix has no CUDA facts for it."


def _source_build(m: Machine, t, paths: List[InstallPath]) -> Tuple[str, str]:
    src = next((p for p in paths if p.kind == "source"), None)
    if src is None:
        return ("Can it be built from source here?", "The matrix has no source-build facts for it (matrix/paths.yaml).")
    a = f"{t.name} {src.version} from source is {src.status}"
    if src.disk_gib:
        a += f"; it needs ~{src.disk_gib:g} GiB ({m.disk_fact()})"
    if src.blockers:
        a += "; blocked by: " + " | ".join(src.blockers)
    else:
        a += "; " + " | ".join(r for r in src.reasons if "build time" in r or "Docker" in r)
    return ("Can it be built from source here, and what does it take?", a + ".")


def _alternatives(alternatives) -> str:
    alts = []
    for name, why, r in alternatives:
        if isinstance(r, InputError):
            alts.append(f"{why}: not judged ({r})")
            continue
        b = _best(list(r.paths), ("wheel",))
        if b is None:
            alts.append(f"{why}: no version runs here ({_first(r.paths)})")
        else:
            alts.append(f"{why}: {name} {b.version} ({b.status}), {_where(b)}; commands: envcheck recommend --target "
                        f"{name}=={b.version}")
    return "; ".join(alts) + "."


def _driver_upgrade(t, paths: List[InstallPath], drv: str) -> str:
    d = next((p for p in paths if p.kind == "driver"), None)
    if d is None:
        return f"No release in the matrix needs a newer driver than this one ({drv})."
    return (f"{t.name} {d.version} needs a newer host driver ({d.reasons[0] if d.reasons else ''}). "
            + (_sentence(d.blockers[0]) + ". " if d.blockers else "")
            + "Effects: " + "; ".join(d.affects) + ". Installing a newer CUDA toolkit inside the container changes "
            "none of this: the driver, not the toolkit, decides which CUDA builds load.")


def _first(paths) -> str:
    for p in paths:
        if p.blockers:
            return p.blockers[0]
    return "no path"


def _span(versions: List[str]) -> str:
    vs = sorted(versions, key=lambda v: parse(v))
    if len(vs) <= 3:
        return ", ".join(vs)
    return f"{vs[0]} .. {vs[-1]} ({len(vs)} releases)"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _what_it_takes(m: Machine, t, paths: List[InstallPath]) -> str:
    """For a requested release that is blocked: the driver it needs, and a source build where one is allowed."""
    out = []
    drv = next((p for p in paths if p.kind == "driver" and p.reasons), None)
    if drv is not None:
        need = drv.driver_stated(drv.reasons[0]) or "a newer driver"
        out.append(f"It would take a host with driver >= {need} (the wheel's CUDA, {drv.reasons[0]})")
    src = next((p for p in paths if p.kind == "source"), None)
    if src is not None:
        s = f"or a source build{' with CUDA ' + src.cuda_build if src.cuda_build else ''} (matrix/paths.yaml source_cuda)"
        if src.disk_gib:
            s += f" that needs ~{src.disk_gib:g} GiB of disk ({m.disk_fact()})"
        s += f": {src.status} here" + (" (" + " | ".join(src.blockers) + ")" if src.blockers else "")
        out.append(s)
    return (" " + "; ".join(out) + ".") if out else ""
