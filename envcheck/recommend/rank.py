"""Judge every kind of path to a target on one machine, and rank them: the body of `envcheck recommend`."""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from envcheck.errors import InputError
from envcheck.recommend.answers import ALTERNATIVES, seed_answers
from envcheck.recommend.cpu import cpu_path
from envcheck.recommend.judge import Judgement, PathCandidate
from envcheck.recommend.machine import Machine, machine
from envcheck.recommend.model import BLOCKED, KINDS, OK, ORDER, RISKY, InstallPath, Recommendation
from envcheck.recommend.images import ReadImage, read_image_path
from envcheck.recommend.other import deploy_commands, driver_path, image_path, source_path
from envcheck.recommend.release import Release, package_release, release_for
from envcheck.recommend.targets import Target, parse_target, release_rows
from envcheck.recommend.wheel import wheel_path
from envcheck.versions import parse

KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def recommend(env, matrix, target: str, environment_source: str = "", into: Optional[str] = None,
              pip_args: Tuple[str, ...] = (), images: Sequence[ReadImage] = ()) -> Recommendation:
    """`into`: the environment prefix to install into, or where to create a venv (--venv); `pip_args`: added to
    every pip command of the wheel paths (--find-links DIR, --no-index: offline installs); `images`: images read
    from their files and judged on this machine by the command layer (recommend --image), each one more image path
    ranked before the matrix's own image paths of the same status."""
    t = parse_target(target)
    m = machine(env, matrix)
    read = [read_image_path(m, t, i, deploy_commands(m, i.ref, t.name, _read_version(t, i))) for i in images]
    if not t.in_matrix:
        return _package(m, t, matrix, environment_source, into, pip_args, read)
    rows = release_rows(matrix, t)          # InputError for an unknown version, naming those that exist
    rels = [release_for(m, t, r) for r in rows]
    wheels = [(rel, wheel_path(m, rel, [], into, pip_args)) for rel in rels]
    chosen = _pick_wheels(wheels, requested=t.spec is not None)
    raw: List[Tuple[Release, PathCandidate]] = list(chosen)
    cpu = cpu_path(m, t, rels, into, pip_args)     # no usable GPU: the CPU build, where the target has one
    if cpu is not None:
        raw.append(cpu)

    # image: the newest release with a container (or base image) that is not blocked, and requested ones
    imgs = [(rel, image_path(m, rel)) for rel in rels]
    imgs = [(r, p) for r, p in imgs if p is not None]
    raw += _pick_best(imgs, requested=t.spec is not None, limit=2)
    raw += read

    # source: tensorrt-llm only (paths.yaml says what a build needs)
    srcs = [(rel, source_path(m, rel)) for rel in rels]
    srcs = [(r, p) for r, p in srcs if p is not None]
    raw += _pick_best(srcs, requested=t.spec is not None, limit=1, by_blockers=True)

    # driver: what it would take to run the newest release the driver keeps out
    drv = _driver_candidate(m, wheels)
    if drv is not None:
        rel, w = drv
        p = driver_path(m, rel, w.verdict.needs_driver, w.verdict.needs_driver_ref)
        if p is not None:
            raw.append((rel, p))

    paths = _rank(t, raw)
    if t.spec is not None and t.name == "tensorrt-llm":
        # "can I have this one, and if not, what would it take?" needs the other releases too
        every = [release_for(m, t, r) for r in release_rows(matrix, parse_target(t.name))]
        all_wheels = [(rel, wheel_path(m, rel, [], into, pip_args)) for rel in every]
    else:
        all_wheels = wheels
    answers = _answers(m, t, paths, all_wheels, env, matrix) if t.name == "tensorrt-llm" else _short_answers(t, paths)
    return Recommendation(target=t.name, requested=t.text, matrix_version=matrix.version,
                          environment_source=environment_source, paths=tuple(paths),
                          missing_facts=tuple(m.missing), answers=tuple(answers))


def _package(m: Machine, t: Target, matrix, environment_source: str, into, pip_args, read=()) -> Recommendation:
    """A pinned pip package outside the matrix: one wheel path, judged on where it goes (and images read)."""
    rel = package_release(t)
    paths = _rank(t, [(rel, wheel_path(m, rel, [], into, pip_args))] + list(read))
    return Recommendation(target=t.name, requested=t.text, matrix_version=matrix.version,
                          environment_source=environment_source, paths=tuple(paths),
                          missing_facts=tuple(m.missing), answers=tuple(_short_answers(t, paths)))


def installable(rec: Recommendation, allow_risky: bool = False) -> Optional[InstallPath]:
    """The best path that is ok (or, with allow_risky, risky); None when every path is blocked."""
    ok = (OK, RISKY) if allow_risky else (OK,)
    for p in rec.paths:
        if p.status in ok:
            return p
    return None


def _pick_wheels(wheels, requested: bool, limit: int = 4):
    if requested and len(wheels) <= limit:
        return wheels
    out = []
    seen = set()

    def add(item):
        if item is not None and item[0].version not in seen and len(out) < limit:
            seen.add(item[0].version)
            out.append(item)
    newest_ok = next((w for w in wheels if w[1].verdict.status == OK), None)
    into_env = next((w for w in wheels if w[1].environment and w[1].verdict.status == OK), None)
    newest_risky = next((w for w in wheels if w[1].verdict.status == RISKY), None)
    add(newest_ok)
    add(into_env)
    if newest_risky is not None and (newest_ok is None or parse(newest_risky[0].version) > parse(newest_ok[0].version)):
        add(newest_risky)
    # the newest release of each CUDA major that is not blocked: on an older data-center driver the newest release
    # may run through forward compatibility while a CUDA 12 release runs through minor-version compatibility
    majors = {w[0].build_cuda.major for w in out if w[0].build_cuda is not None and w[1].verdict.status != BLOCKED}
    for w in wheels:
        bc = w[0].build_cuda
        if bc is not None and bc.major not in majors and w[1].verdict.status != BLOCKED:
            majors.add(bc.major)
            limit += 1
            add(w)
    add(wheels[0] if wheels else None)  # the newest release, whatever its status: why it is not first
    if not out and wheels:
        add(wheels[0])
    return out


def _pick_best(items, requested: bool, limit: int, by_blockers: bool = False):
    """The best item (ok before risky before blocked, then fewer blockers when by_blockers, then newest). For a
    requested version or range (`items` is already cut to it), up to `limit`: the best, the newest in the range
    (why it is not the best), then the next best. Never the newest `limit` alone: a range's ok release must not
    fall out because newer ones in it are risky."""
    if not items:
        return []
    ranked = sorted(items, key=lambda it: (ORDER[it[1].verdict.status], len(it[1].verdict.blockers) if by_blockers
                                           else 0, -_key(it[0].version)))
    if not requested:
        return ranked[:1]
    out = [ranked[0]]
    for it in [items[0]] + ranked[1:]:
        if len(out) >= limit:
            break
        if all(it[0].version != o[0].version for o in out):
            out.append(it)
    return out


def _key(version: str) -> float:
    v = parse(version)
    r = v.release if v is not None else (0,)
    return sum(x / (1000.0 ** i) for i, x in enumerate(r[:4]))


def _driver_candidate(m: Machine, wheels):
    """The newest release whose wheel needs a newer driver (blocked or risky for the driver's sake)."""
    for rel, w in wheels:
        v: Judgement = w.verdict
        if v.needs_driver is not None and m.driver_version is not None and v.needs_driver > m.driver_version:
            return rel, w
        if v.needs_driver is not None and m.driver_version is not None and v.status == RISKY:
            return rel, w
    if m.no_driver and wheels:
        return wheels[0]
    return None


def _rank(t: Target, raw) -> List[InstallPath]:
    raw = sorted(raw, key=lambda it: (ORDER[it[1].verdict.status], KIND_ORDER[it[1].kind], not it[1].read,
                                      -_key(it[0].version)))
    out = []
    for i, (rel, p) in enumerate(raw, 1):
        v: Judgement = p.verdict
        out.append(InstallPath(rank=i, kind=p.kind, target=t.name, version=rel.version, status=v.status,
                               reasons=tuple(_dedupe(v.reasons)), blockers=tuple(_dedupe(v.blockers)),
                               commands=tuple(p.commands), disk_gib=p.disk, affects=tuple(p.affects),
                               python=p.python, environment=p.environment, venv=p.venv,
                               risks=tuple(_dedupe(v.risks)) if v.status == RISKY else (),
                               judged_from=p.judged_from, stated_drivers=tuple(v.stated_drivers.items()),
                               cuda_build=v.cuda_build, missing_arch=v.missing_arch))
    return out


def _read_version(t: Target, img: ReadImage) -> str:
    return next((ver for _, name, ver in img.packages if name == t.dist), "image")


def _dedupe(items):
    return list(dict.fromkeys(items))    # first of each, in order


def _short_answers(t: Target, paths: List[InstallPath]):
    best = next((p for p in paths if p.status == OK), None) or next((p for p in paths if p.status == RISKY), None)
    if best is None:
        return [(f"Which {t.name} version?", "None works here: " + _first_blocker(paths))]
    return [(f"Which {t.name} version?", f"{t.name} {best.version} ({best.kind}, {best.status})")]


def _first_blocker(paths: List[InstallPath]) -> str:
    for p in paths:
        if p.blockers:
            return p.blockers[0]
    return "no path in the matrix"


def _answers(m: Machine, t: Target, paths: List[InstallPath], wheels, env, matrix):
    return seed_answers(m, t, paths, wheels, env, _alternatives(env, matrix))


def _alternatives(env, matrix):
    """(name, why, its Recommendation or the InputError that stopped it) for each alternative the answers name."""
    out = []
    for name, why in ALTERNATIVES:
        try:
            out.append((name, why, recommend(env, matrix, name)))
        except InputError as exc:
            out.append((name, why, exc))
    return out
