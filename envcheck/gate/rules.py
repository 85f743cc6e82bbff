"""Evaluating a policy's rules against an Environment and the matrix (pure: no I/O).

Each rule gives an Outcome: the problems it found (each with a finding code, so a waiver can name it), or that a
fact it needs is unknown. An unknown fact fails the rule unless the policy marks it ``optional: true``: the gate
never passes by accident. table.py lists each evaluator with the parameters the policy gives it.
"""
from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from envcheck.errors import InputError
from envcheck.findings import Finding, fact, register
from envcheck.gate.records import Policy, PolicyError, Rule, TargetSpec
from envcheck.pyenvs.metadata import norm
from envcheck.recommend.model import KINDS, OK, RISKY, usable
from envcheck.versions import Version, parse

NOT_INSTALLABLE = register("gate-not-installable", "fail", "A policy's target cannot be installed here",
    """No install path that `envcheck recommend` ranks (wheel, image, source; the kinds the rule allows) is ok
    for the version range the policy asks for. The blockers of the best paths say why, citing the facts and
    the matrix rows.""")
NOT_LOADABLE = register("gate-not-loadable", "fail", "A policy's package is not loadable in the named environment",
    """The package is missing from the environment, installed at a version outside the policy's range, or one of
    its native extensions would not load (a library that does not resolve).""")
DRIVER = register("gate-driver", "fail", "The NVIDIA driver is below the policy's minimum",
    """The driver version, or the highest CUDA it runs, is below what the policy requires.""")
GPU = register("gate-gpu", "fail", "Not enough GPUs meet the policy's compute capability / memory bounds",
    """Counts the GPUs in the scan that meet every bound the rule gives (compute capability, memory, name).""")
DISK = register("gate-disk", "fail", "Too little free disk at a path the policy names",
    """The filesystem that holds the path has less free space than the policy requires.""")
CONTAINER = register("gate-container", "fail", "A container fact differs from the policy",
    """The container is privileged when the policy requires an unprivileged one, runs under another runtime,
    lacks or has a capability the policy names, and so on.""")
MATRIX = register("gate-matrix", "fail", "The matrix is not the version the policy pins",
    """The verdict was reached with other knowledge than the policy asks for: a different (or older) matrix
    version, or a local overlay (+local). Pin the bundled matrix with `envcheck matrix show` or update it.""")
UNKNOWN = register("gate-fact-unknown", "fail", "A fact a policy rule needs is unknown",
    """The environment document does not have the fact (a partial hand-written file, a probe that failed, a scan
    with --root that cannot see the driver). The rule fails unless the policy marks it optional: true.""")
WAIVER_EXPIRED = register("gate-waiver-expired", "fail", "A waiver in the policy has expired",
    """A waiver's expires date has passed: the gate fails until someone renews it (with a reason) or fixes what it
    waived.""")
# the rule's default `kinds`: the paths that install the target (a driver path only readies the host)
INSTALL_KINDS = tuple(k for k in KINDS if k != "driver")
NATIVE_CODES = ("native-lib-missing", "glibc-too-old", "native-version-missing", "native-symbol-missing", "cuda-major-mixed")


@dataclass(frozen=True)
class Problem:
    """One reason a rule does not hold; code lets a waiver name it."""
    code: str
    message: str
    evidence: Tuple[str, ...] = ()
    fix: Tuple[str, ...] = ()
    subject: Optional[str] = None
    waived_by: Optional[int] = None     # the waiver's line

    def evidence_beyond(self, *said: str) -> Tuple[str, ...]:
        """The evidence lines that say something the message (and the texts in `said`, e.g. the rule's summary)
        does not: a report says each sentence once."""
        texts = [t for t in said if t] + [self.message]

        def repeated(e: str) -> bool:
            bare = e[len("unknown: "):] if e.startswith("unknown: ") else e
            return any(e in t or bare in t for t in texts)

        return tuple(e for e in self.evidence if not repeated(e))

    def to_dict(self) -> dict:
        d = {"code": self.code, "message": self.message, "evidence": list(self.evidence), "fix": list(self.fix)}
        if self.subject:
            d["subject"] = self.subject
        if self.waived_by is not None:
            d["waived_by_line"] = self.waived_by
        return d


@dataclass
class Outcome:
    rule: Rule
    status: str = "pass"               # pass | fail | warn | waived | skipped
    summary: str = ""
    problems: List[Problem] = field(default_factory=list)
    unknown: List[str] = field(default_factory=list)   # facts that were missing
    notes: List[str] = field(default_factory=list)     # what was seen when it passed

    @property
    def open_problems(self) -> List[Problem]:
        return [p for p in self.problems if p.waived_by is None]

    @property
    def waived_problems(self) -> List[Problem]:
        return [p for p in self.problems if p.waived_by is not None]

    def to_dict(self) -> dict:
        r = self.rule
        return {"id": r.id, "rule": r.kind, "line": r.line, "severity": r.severity, "optional": r.optional,
                "status": self.status, "summary": self.summary, "params": _plain_params(r.params),
                "problems": [p.to_dict() for p in self.problems], "unknown": list(self.unknown),
                "notes": list(self.notes)}


def _plain_params(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, TargetSpec):
            v = v.text
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


ABSENT = object()    # Context.python_env: an optional rule's environment is not on this machine (an unknown fact)


class Context:
    """What the rules read: the environment, the matrix, `envcheck check`'s findings, the policy (for errors)."""

    def __init__(self, env, matrix, findings: Sequence[Finding], policy: Policy, environment_source: str = "",
                 recommend: Optional[Callable[[str], object]] = None):
        self.env, self.matrix, self.findings, self.policy = env, matrix, list(findings), policy
        self.environment_source = environment_source
        self._recommend = recommend

    def recommend(self, target: str):
        """`envcheck recommend` for `target` on this environment; a fleet gate hands in one that remembers the
        answer for nodes with the same facts (envcheck.fleet.gate)."""
        if self._recommend is not None:
            return self._recommend(target)
        from envcheck.recommend import recommend
        return recommend(self.env, self.matrix, target, self.environment_source)

    def error(self, rule: Rule, key: str, message: str) -> PolicyError:
        return PolicyError(self.policy.path, rule.line_of(key), message)

    def python_env(self, rule: Rule, key: str, name: str, out: Optional["Outcome"] = None):
        """The PythonEnv the policy names (by prefix, interpreter path, or the venv directory). Absent from the
        scan: for an `optional: true` rule an unknown fact on `out` (the rule is skipped, with this note) and
        ABSENT; otherwise exit 2."""
        pythons = self.env.pythons
        if pythons is None:
            return None
        want = name.rstrip("/") or "/"
        for p in pythons:
            cands = {p.path, (p.prefix or "").rstrip("/")}
            if p.path.endswith(("/bin/python", "/bin/python3")) or re.search(r"/bin/python[\d.]*$", p.path):
                cands.add(posixpath.dirname(posixpath.dirname(p.path)))
            if want in cands:
                return p
        have = ", ".join(sorted({p.prefix or p.path for p in pythons})) or "none"
        if rule.optional and out is not None:
            out.unknown.append(f"environment {name!r}: not in the scan "
                               f"({self.environment_source or 'this machine'}); environments there: {have}")
            return ABSENT
        raise self.error(rule, key, f"rule {rule.kind!r}: environment {name!r} is not in the scan "
                                    f"({self.environment_source or 'this machine'}); environments there: {have}. "
                                    f"Name one of them, add --search DIR to the scan if it lives elsewhere, or "
                                    f"mark the rule `optional: true` to skip it where the environment is absent")


# ---------------------------------------------------------------------------------------------- the rules
def installable(ctx: Context, rule: Rule, out: Outcome) -> None:
    t: TargetSpec = rule.params["target"]
    env_name = rule.params.get("or_loadable_in")
    if env_name:
        sub = Outcome(rule)
        _loadable_in(ctx, rule, sub, t, env_name, "or_loadable_in", check_native=True)
        if not sub.problems and not sub.unknown:
            out.summary = f"{t.text} is already loadable in {env_name}"
            out.notes.extend(sub.notes)
            return
        out.notes.append(f"not loadable in {env_name}: " + "; ".join(
            [p.message for p in sub.problems] + [f"unknown: {u}" for u in sub.unknown]))
    target = t.name + (str(t.spec) if t.spec is not None else "")
    try:
        rec = ctx.recommend(target)
    except InputError as exc:
        raise ctx.error(rule, "target", f"rule 'installable': target {t.text!r}: {exc}") from None
    kinds = rule.params.get("kinds") or INSTALL_KINDS
    allow_risky = rule.params.get("allow_risky", False)
    cands = [p for p in rec.paths if p.kind in kinds and (t.spec is None or t.contains(p.version))]
    best = next((p for p in cands if p.status == OK), None)
    if best is None and allow_risky:
        best = next((p for p in cands if p.status == RISKY), None)
    if best is not None:
        where = best.environment or ("a fresh venv" if best.kind == "wheel" else best.kind)
        py = f" with {best.python}" if best.python else ""
        out.summary = f"{t.text}: {best.kind} path to {best.target} {best.version} ({best.status}) into {where}{py}"
        out.notes.extend(best.reasons[:4])
        out.notes.extend(f"$ {c}" for c in best.commands)     # every command: a path is the whole sequence
        return
    if not cands and rec.missing_facts:
        out.unknown.extend(rec.missing_facts)
        return
    groups: Dict[str, List[str]] = {}
    for p in cands[:6]:
        for b in (p.blockers or p.reasons)[:3]:
            groups.setdefault(b, []).append(f"{p.kind} {p.version} ({p.status})")
    lines = [f"{', '.join(who)}: {b}" for b, who in groups.items()]
    if not cands:
        lines.append(f"recommend found no {'/'.join(kinds)} path for {t.text} (matrix {rec.matrix_version})")
    fix: List[str] = []
    other = [p for p in rec.paths if p.kind not in kinds or usable(p.status)]
    for p in other[:2]:
        fix.extend(p.commands)                  # all of a path's commands: the first few alone do not install it
    first = cands[0] if cands else None
    if first is not None:
        why = (first.blockers or first.reasons or ("blocked",))[0]
        msg = (f"{t.text} is not installable here ({len(cands)} {'/'.join(kinds)} path(s), none "
               f"{'ok or risky' if allow_risky else 'ok'}); best: {first.kind} {first.target} {first.version} "
               f"{first.status}: {_short(why)}")
    else:
        msg = f"{t.text} is not installable here: {lines[0]}"
    out.problems.append(Problem(NOT_INSTALLABLE, msg, tuple(lines) + tuple(f"unknown: {m}" for m in rec.missing_facts),
                                tuple(fix) or (f"envcheck recommend --target '{target}'",), t.name))


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def loadable(ctx: Context, rule: Rule, out: Outcome) -> None:
    _loadable_in(ctx, rule, out, rule.params["target"], rule.params["environment"], "environment",
                 rule.params.get("check_native", True))



def _dependants(p, name: str) -> List[str]:
    """'dist (its Requires-Dist line)' for every installed distribution of p that requires `name` (from the scan's
    `requires`; empty when the scan does not have them)."""
    from envcheck.pyenvs.metadata import parse_requirement

    out = []
    for dist, reqs in sorted((p.requires or {}).items()):
        if norm(dist) == norm(name):
            continue
        for r in reqs or ():
            parsed = parse_requirement(str(r))
            if parsed and parsed[0] == norm(name):
                out.append(f"{dist} ({str(r).strip()})")
                break
    return out


def _install_fix(p, t: TargetSpec, installed) -> Tuple[str, ...]:
    """Install the policy's range into the named environment itself, with its own interpreter (what the rule asks
    for), then `envcheck recommend` as the alternative (a fresh environment, the named one left alone)."""
    where = p.prefix or p.path
    python = p.path if re.search(r"/bin/python[\d.]*$", p.path or "") else posixpath.join(where, "bin", "python")
    cmd = f"{python} -m pip install {shlex.quote(t.text)}"
    if installed is not None:
        note = f"replaces {t.name} {installed} in {where}"
        deps = _dependants(p, t.name)
        if deps:
            note += "; installed packages that depend on it: " + ", ".join(deps[:6]) + (
                f" (+{len(deps) - 6} more)" if len(deps) > 6 else "") + ": check they accept the new version"
        cmd += f"    # {note}"
    return (cmd, f"envcheck recommend --target {shlex.quote(t.text)}    # alternative: a fresh environment, "
                 f"{where} left as it is")


def _loadable_in(ctx: Context, rule: Rule, out: Outcome, t: TargetSpec, env_name: str, key: str,
                 check_native: bool) -> None:
    p = ctx.python_env(rule, key, env_name, out)
    if p is ABSENT:
        return
    if p is None:
        out.unknown.append("pythons (the scan has no Python environments section)")
        return
    where = p.prefix or p.path
    if p.packages is None:
        out.unknown.append(f"pythons[{where}].packages")
        return
    pk = {norm(k): v for k, v in p.packages.items()}
    v = pk.get(norm(t.name))
    if v is None:
        out.problems.append(Problem(NOT_LOADABLE, f"{t.name} is not installed in {where}",
                                    (f"pythons[{where}].packages has no {t.name}",),
                                    _install_fix(p, t, None), where))
        return
    if not t.contains(str(v)):
        out.problems.append(Problem(NOT_LOADABLE, f"{t.name} {v} in {where} is outside {t.spec}",
                                    (fact(f"pythons[{where}].packages.{t.name}", v),),
                                    _install_fix(p, t, v), where))
        return
    out.notes.append(fact(f"pythons[{where}].packages.{t.name}", v))
    if not check_native:
        out.summary = f"{t.name} {v} in {where} (native libraries not checked)"
        return
    if p.native is None:
        out.unknown.append(f"pythons[{where}].native (whether {t.name}'s native libraries resolve; a scan with the "
                           f"libraries probe fills it, or set check_native: false)")
        return
    broken = [n for n in p.native if norm(n.package) == norm(t.name) and n.at_import
              and (n.missing or n.missing_versions)]
    for n in broken[:5]:
        miss = list(n.missing) + list(n.missing_versions or ())
        out.problems.append(Problem(NOT_LOADABLE, f"{t.name} {v} in {where}: {n.file} needs {', '.join(miss)}",
                                    (f"pythons[{where}].native: {n.file} missing {', '.join(miss)}",),
                                    ("envcheck check --env <scan>    # the native-* findings have the fix",), where))
    if not broken:
        out.summary = f"{t.name} {v} in {where}, native libraries resolve"


def driver(ctx: Context, rule: Rule, out: Outcome) -> None:
    from envcheck.matrix.compat import driver_max_cuda, min_driver_for_cuda

    drv = ctx.env.driver
    lo, cu = rule.params.get("min_version"), rule.params.get("min_cuda")
    if drv is None:
        out.unknown.append("driver (the scan has no driver section)")
        return
    if drv.version is None:
        if drv.error:
            out.problems.append(Problem(DRIVER, f"no NVIDIA driver: {drv.error}", (fact("driver.error", drv.error),),
                                        ("nvidia-smi    # on the host: is the driver loaded?",)))
        else:
            out.unknown.append("driver.version")
        return
    seen = [fact("driver.version", drv.version)]
    if lo and Version(str(drv.version)) < Version(lo):
        out.problems.append(Problem(DRIVER, f"driver {drv.version} is below the policy's minimum {lo}",
                                    tuple(seen), (f"# upgrade the host's NVIDIA driver to >= {lo} (the pod/VM "
                                                  f"image or the node pool; not from inside a container)",)))
    if cu:
        dc = driver_max_cuda(ctx.env, ctx.matrix)
        if dc.cuda is None:
            out.unknown.append(f"the highest CUDA driver {drv.version} runs ({dc.how})")
        else:
            seen.append(fact("driver.cuda", dc.cuda) + f" ({dc.how})")
            have = Version(dc.cuda.major_minor())
            if have < Version(cu):
                need, row = min_driver_for_cuda(ctx.matrix, cu)
                hint = f"; CUDA {cu} needs driver >= {need} ({row.ref()})" if need and row else ""
                out.problems.append(Problem(DRIVER, f"driver {drv.version} runs CUDA <= {dc.cuda}, the policy needs "
                                                    f"CUDA {cu}{hint}", tuple(seen),
                                            (f"# upgrade the host's NVIDIA driver to >= {need or '(see matrix)'}",)))
    if not out.problems and not out.unknown:
        out.summary = "; ".join(seen)


def gpu(ctx: Context, rule: Rule, out: Outcome) -> None:
    from envcheck.matrix.compat import gpu_row
    from envcheck.matrix.rows import GpuRow

    gpus = ctx.env.gpus
    prm = rule.params
    want = prm.get("min_count", 1)
    if gpus is None:
        out.unknown.append("gpus (the scan has no GPU section)")
        return
    good, bad, unknown = [], [], []
    for g in gpus:
        found = gpu_row(ctx.matrix, g.name)
        row = GpuRow.of(found) if found is not None else None
        cc = g.compute_capability or (parse(row.compute_capability) if row else None)
        mem = (g.memory_mib / 1024.0) if g.memory_mib is not None else (
            float(row.memory_gib) if row and row.memory_gib is not None else None)
        label = f"gpus[{g.index}] {g.name or '?'}"
        why: List[str] = []
        miss: List[str] = []
        if prm.get("min_compute_capability") or prm.get("max_compute_capability"):
            if cc is None:
                miss.append(f"gpus[{g.index}].compute_capability")
            else:
                if prm.get("min_compute_capability") and Version(str(cc)) < Version(prm["min_compute_capability"]):
                    why.append(f"compute capability {cc} < {prm['min_compute_capability']}")
                if prm.get("max_compute_capability") and Version(str(cc)) > Version(prm["max_compute_capability"]):
                    why.append(f"compute capability {cc} > {prm['max_compute_capability']}")
        if prm.get("min_memory_gib") is not None:
            if mem is None:
                miss.append(f"gpus[{g.index}].memory_mib")
            elif mem + 1e-9 < prm["min_memory_gib"] * 0.985:   # NVML reports a little less than the marketing size
                why.append(f"memory {mem:.1f} GiB < {prm['min_memory_gib']:g} GiB")
        if prm.get("names"):
            if not g.name:
                miss.append(f"gpus[{g.index}].name")
            elif not any(_gpu_name_match(ctx.matrix, g.name, n) for n in prm["names"]):
                why.append(f"name {g.name!r} is not one of {', '.join(prm['names'])}")
        if why:
            bad.append(f"{label}: " + "; ".join(why))
        elif miss:
            unknown.extend(miss)
        else:
            good.append(f"{label} (cc {cc}, {mem:.1f} GiB)" if mem is not None else f"{label} (cc {cc})")
    out.notes.extend(good)
    if len(good) >= want:
        out.summary = f"{len(good)} of {len(gpus)} GPUs meet the bounds (need {want})"
        return
    if len(good) + len(unknown) >= want and unknown:
        out.unknown.extend(unknown)
        return
    out.problems.append(Problem(GPU, f"{len(good)} GPU(s) meet the bounds, the policy needs {want}"
                                     + (": " + "; ".join(bad) if bad else ("" if gpus else ": no GPU in the scan")),
                                tuple(bad) or ("gpus = []",), ("# deploy to a node/pod type with the GPUs the policy "
                                                               "names",)))


def _gpu_name_match(matrix, have: str, want: str) -> bool:
    from envcheck.matrix.compat import _norm as norm, gpu_row

    if norm(have) == norm(want) or norm(want) in norm(have):
        return True
    a, b = gpu_row(matrix, have), gpu_row(matrix, want)
    return a is not None and a is b


def disk(ctx: Context, rule: Rule, out: Outcome) -> None:
    path, need = rule.params["path"], rule.params["min_free_gib"]
    disks = ctx.env.disk
    if disks is None:
        out.unknown.append("disk (the scan has no disk section)")
        return
    d, how = _disk_for(disks, path)
    if d is None:
        have = ", ".join(f"{x.path} (mount {x.mount or 'unknown'}" + (f", role {x.role})" if x.role else ")")
                         for x in disks) or "none"
        out.unknown.append(f"free space at {path}: the scan has no row for {path} and no row's mount is known to "
                           f"hold it (rows: {have}); scan the machine where {path} exists (a separate volume gets "
                           f"its own row), or name a scanned path")
        return
    if d.free_gib is None:
        out.unknown.append(f"disk[{d.path}].free_gib" + (f" ({d.error})" if d.error else ""))
        return
    seen = fact(f"disk[{d.path}].free_gib", f"{d.free_gib:g}") + (f" ({how})" if how else "")
    if d.free_gib + 1e-9 < need:
        out.problems.append(Problem(DISK, f"{d.free_gib:g} GiB free at {path}, the policy needs {need:g} GiB",
                                    (seen,), (f"du -xh --max-depth=2 {path} | sort -h | tail -20    # what fills it",
                                              "pip cache purge"), path))
    else:
        out.summary = f"{d.free_gib:g} GiB free at {path} (need {need:g})"
        out.notes.append(seen)


# Roles whose path the probe fixes (a row merged with others lists every role it stands for; envcheck/probes/disk.py)
_ROLE_PATHS = {"root": "/", "workspace": "/workspace", "shm": "/dev/shm"}


def _under(path: str, top: str) -> bool:
    """path is top or lies below it (both normalised, no trailing slash except '/')."""
    return path == top or top == "/" or path.startswith(top + "/")


def _disk_for(disks, path: str):
    """The disk row whose filesystem is known to hold `path`, and how it is known (None when it is that row's own
    path), or (None, None). Known means: the row's path, a role the probe merged into the row (`workspace` is
    /workspace), a row's mount point other than / that contains the path, or a scanned path below `path` whose
    mount point is at or above it (nothing can be mounted in between). The filesystem of / never stands in for a
    path merely because / contains everything, and the /dev/shm row (role shm, memory) only answers for /dev/shm."""
    norm = lambda x: posixpath.normpath(x) if x else x       # noqa: E731
    path = norm(path)
    rows = [(d, norm(d.path), norm(d.mount), [r.strip() for r in (d.role or "").split(",") if r.strip()])
            for d in disks]
    for d, p, _, _ in rows:
        if p == path:
            return d, None
    for d, p, _, roles in rows:
        if any(_ROLE_PATHS.get(r) == path for r in roles):
            return d, f"{path} is on the same filesystem (role {','.join(roles)})"
    rows = [r for r in rows if "shm" not in r[3]]
    best, blen = None, -1
    for d, p, m, _ in rows:
        if m and m != "/" and _under(path, m) and len(m) > blen:
            best, blen = (d, f"mount {m} holds {path}"), len(m)
    if best:
        return best
    for d, p, m, _ in rows:
        if m and _under(p, path) and _under(path, m):
            return d, f"{p} is on mount {m}, so {path} is too"
    return None, None


def native_libs(ctx: Context, rule: Rule, out: Outcome) -> None:
    pythons = ctx.env.pythons
    want = rule.params.get("environments", "all")
    if pythons is None:
        out.unknown.append("pythons (the scan has no Python environments section)")
        return
    if want == "all":
        envs = list(pythons)
    else:
        envs = [e for e in (ctx.python_env(rule, "environments", name, out) for name in want) if e is not ABSENT]
    missing: List[str] = []
    by_subject: Dict[str, List[int]] = {}   # one pass over the findings: linear in environments + findings
    wanted = [w.lower() for w in rule.params.get("features") or ()]
    for i, f in enumerate(ctx.findings):
        if f.code not in NATIVE_CODES:
            continue
        # on-demand libraries are info: they fail this rule only when the policy names their feature
        asked = f.severity == "info" and wanted and any(re.search(r"\b" + re.escape(w) + r"\b", f.title.lower())
                                                        for w in wanted)
        if f.severity in ("warn", "fail") or asked:
            by_subject.setdefault(f.subject, []).append(i)
    for p in envs:
        where = p.prefix or p.path
        if p.native is None:
            missing.append(f"pythons[{where}].native")
            continue
        hits = sorted({i for s in {where, p.path, p.prefix} for i in by_subject.get(s, ())})
        for f in (ctx.findings[i] for i in hits):
            out.problems.append(Problem(f.code, f.title, f.evidence, f.fix, where))
        out.notes.append(f"{where}: {len(p.native)} native extension(s) with problems recorded by the scan")
    if missing:   # one hint for all of them: a report says each sentence once
        out.unknown.append(", ".join(missing) + (" (a scan of the machine fills " + ("them" if len(missing) > 1 else "it")
                                                 + "; a hand-written file may say `native: []`)"))
    if not out.problems and not out.unknown:
        out.summary = f"native libraries resolve in {len(envs)} environment(s)"


def container(ctx: Context, rule: Rule, out: Outcome) -> None:
    c = ctx.env.container
    prm = rule.params
    if c is None:
        out.unknown.append("container (the scan has no container section)")
        return

    def check(name, value, want, msg):
        if value is None:
            out.unknown.append(f"container.{name}")
        elif value != want:
            out.problems.append(Problem(CONTAINER, msg, (fact(f"container.{name}", value),), (), name))
        else:
            out.notes.append(fact(f"container.{name}", value))

    if "in_container" in prm:
        check("in_container", c.in_container, prm["in_container"],
             "not in a container" if prm["in_container"] else "running in a container")
    if "privileged" in prm:
        check("privileged", c.privileged, prm["privileged"],
             "the container is privileged: a stack that passes here may need privileges the deploy target lacks"
             if not prm["privileged"] else "the container is not privileged")
    if "docker_socket" in prm:
        check("docker_socket", c.docker_socket, prm["docker_socket"],
             "the host's Docker socket is mounted (root on the host)" if not prm["docker_socket"]
             else "no Docker socket is mounted")
    if "run_as_root" in prm:
        if c.uid is None:
            out.unknown.append("container.uid")
        elif (c.uid == 0) == prm["run_as_root"]:
            out.notes.append(fact("container.uid", c.uid))
        else:
            out.problems.append(Problem(CONTAINER, f"runs as uid {c.uid}" + (
                " (root), the policy requires a non-root user" if c.uid == 0 else ", the policy requires root"),
                (fact("container.uid", c.uid),), (), "uid"))
    if "runtime" in prm:
        allowed = [r.lower() for r in prm["runtime"]]
        if c.runtime is None:
            out.unknown.append("container.runtime")
        elif c.runtime.lower() not in allowed:
            out.problems.append(Problem(CONTAINER, f"runtime {c.runtime} is not one of {', '.join(prm['runtime'])}",
                                        (fact("container.runtime", c.runtime),), (), "runtime"))
        else:
            out.notes.append(fact("container.runtime", c.runtime))
    if "seccomp" in prm:
        if c.seccomp is None:
            out.unknown.append("container.seccomp")
        elif c.seccomp not in prm["seccomp"]:
            out.problems.append(Problem(CONTAINER, f"seccomp {c.seccomp} is not one of {', '.join(prm['seccomp'])}",
                                        (fact("container.seccomp", c.seccomp),), (), "seccomp"))
    for key, must in (("capabilities_required", True), ("capabilities_forbidden", False)):
        if key not in prm:
            continue
        if c.capabilities is None:
            out.unknown.append("container.capabilities")
            continue
        have = set(c.capabilities)
        wrong = [cap for cap in prm[key] if (cap in have) != must]
        if wrong:
            out.problems.append(Problem(CONTAINER, ("lacks " if must else "has ") + ", ".join(wrong),
                                        (fact("container.capabilities", sorted(have)),), (),
                                        key))
        else:
            out.notes.append(f"container.capabilities: {'has' if must else 'lacks'} {', '.join(prm[key])}")
    if not out.problems and not out.unknown:
        out.summary = "; ".join(out.notes)


def matrix(ctx: Context, rule: Rule, out: Outcome) -> None:
    have = str(ctx.matrix.version)
    pin, lo = rule.params.get("version"), rule.params.get("min_version")
    fix = ("envcheck matrix show    # the version this envcheck has", "envcheck matrix update")
    if pin is not None and have != pin:
        local = " (a local overlay changed it)" if have.endswith("+local") and have.split("+")[0] == pin else ""
        out.problems.append(Problem(MATRIX, f"matrix {have} is not the pinned {pin}{local}",
                                    (fact("matrix.version", have),), fix))
    if lo is not None and have.split("+")[0] < lo.split("+")[0]:
        out.problems.append(Problem(MATRIX, f"matrix {have} is older than the policy's minimum {lo}",
                                    (fact("matrix.version", have),), fix))
    if not out.problems:
        out.summary = f"matrix {have}"


def findings(ctx: Context, rule: Rule, out: Outcome) -> None:
    worst = ("fail",) if rule.params.get("fail_on", "fail") == "fail" else ("fail", "warn")
    for f in ctx.findings:
        if f.severity in worst:
            out.problems.append(Problem(f.code, f.title, f.evidence, f.fix, f.subject))
    if not out.problems:
        n = sum(1 for f in ctx.findings if f.severity in ("warn", "fail"))
        out.summary = f"no finding at {rule.params.get('fail_on', 'fail')} or worse" + (
            f" ({n} below it)" if n else "")


IMAGE_CODES = ("image-cuda-too-new-for-driver", "image-require-cuda-unmet", "image-arch-mismatch",
               "torch-cuda-too-new-for-driver")


def image_runs(ctx: Context, rule: Rule, out: Outcome) -> None:
    img = ctx.env.image
    if img is None:
        out.unknown.append("image (run the gate with --image REF [--host FILE])")
        return
    if ctx.env.driver is None or ctx.env.driver.version is None:
        out.unknown.append(f"driver (the host {img.on_host or ''} has no driver in its scan)".replace("  ", " "))
        return
    worst = ("fail",) if rule.params.get("fail_on", "fail") == "fail" else ("fail", "warn")
    for f in ctx.findings:
        if f.code in IMAGE_CODES and f.severity in worst:
            out.problems.append(Problem(f.code, f.title, f.evidence, f.fix, f.subject))
    if not out.problems:
        out.summary = f"image {img.ref} runs on {img.on_host or 'the host'} (driver {ctx.env.driver.version})"
