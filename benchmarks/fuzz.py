"""Run envcheck on generated hostile inputs (benchmarks/fuzzcases.py) and count each result's class.

    python benchmarks/fuzz.py                 # the full run: about 2,500 cases over every surface
    python benchmarks/fuzz.py --scale 0.02    # a sample of every surface (what the tests run)
    python benchmarks/fuzz.py --surface image --list    # one surface, every case that was not ok

Each case runs the real CLI (`python -m envcheck ...`) in a fresh directory, with HOME, ENVCHECK_HOME and TMPDIR
inside it, and is sorted into the first class that applies:
  hang       still running after the case's timeout (killed)
  traceback  a Python traceback on stdout or stderr
  exit 3     envcheck's own failure (or any exit code other than 0, 1, 2)
  wrong      an exit code the case does not allow (a bad input answered, a good one refused), raw control bytes
             in the output, a protected path changed (a device, FIFO, socket or symlink replaced, a symlink's target
             written), a file created where the command was not asked to write, a temporary file left behind, or
             an answer that fails the case's own check
  ok         everything else
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzzcases import REPO, Case, all_cases  # noqa: E402

CLASSES = ("ok", "traceback", "exit 3", "hang", "wrong")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass
class Outcome:
    case: str
    surface: str
    klass: str
    why: str
    rc: Optional[int]
    seconds: float


def _state(path: str) -> Tuple:
    """What a protected path is: its type, device, inode, size, link target and (for small files) bytes."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ("missing",)
    link = os.readlink(path) if os.path.islink(path) else None
    data = None
    if os.path.isfile(path) and not os.path.islink(path) and st.st_size < 1 << 16:
        with open(path, "rb") as fh:
            data = fh.read()
    return (st.st_mode, st.st_rdev, st.st_ino, st.st_size if not link else 0, link, data)


def _tree(d: str) -> Dict[str, int]:
    out = {}
    for base, dirs, files in os.walk(d):
        for name in files + [x for x in dirs if os.path.islink(os.path.join(base, x))]:
            p = os.path.join(base, name)
            out[os.path.relpath(p, d)] = os.lstat(p).st_mode
    return out


def run_case(case: Case, keep: Optional[str] = None) -> Outcome:
    d = tempfile.mkdtemp(prefix="envcheck-fuzz-")
    try:
        return _run_in(case, d)
    finally:
        if keep:
            shutil.copytree(d, os.path.join(keep, case.id.replace("/", "__")[:200]), symlinks=True,
                            ignore_dangling_symlinks=True, dirs_exist_ok=True)
        _remove(d)


def _remove(d: str) -> None:
    for base, dirs, _ in os.walk(d):
        for x in dirs:
            try:
                os.chmod(os.path.join(base, x), 0o755)
            except OSError:
                pass
    shutil.rmtree(d, ignore_errors=True)


def _run_in(case: Case, d: str) -> Outcome:
    for sub in ("home", "tmp"):
        os.makedirs(os.path.join(d, sub))
    case.build(d)
    protected = {p: _state(os.path.join(d, p)) for p in case.protect}
    before = _tree(d)
    argv = [_fill(a, d) for a in case.argv]
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", HOME=os.path.join(d, "home"), TMPDIR=os.path.join(d, "tmp"),
               ENVCHECK_HOME=os.path.join(d, "home", ".envcheck"), XDG_CONFIG_HOME=os.path.join(d, "home", ".config"),
               XDG_CACHE_HOME=os.path.join(d, "home", ".cache"), COLUMNS="120")
    env.pop("ENVCHECK_MATRIX_DIR", None)
    t = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-m", "envcheck", *argv], input=case.stdin or b"", capture_output=True,
                           env=env, cwd=d, timeout=case.timeout)
    except subprocess.TimeoutExpired:
        return Outcome(case.id, case.surface, "hang", f"still running after {case.timeout:.0f} s", None,
                       time.monotonic() - t)
    secs = time.monotonic() - t
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    klass, why = judge(case, d, p.returncode, out, err, protected, before)
    return Outcome(case.id, case.surface, klass, why, p.returncode, secs)


def _fill(arg: str, d: str) -> str:
    """The case's directory for {d}; the text of the case's file F for {read:F}."""
    m = re.fullmatch(r"\{read:([\w.-]+)\}", arg)
    if m:
        with open(os.path.join(d, m.group(1))) as fh:
            return fh.read().strip()
    return arg.replace("{d}", d)


def judge(case: Case, d: str, rc: int, out: str, err: str, protected: Dict[str, Tuple],
          before: Dict[str, int]) -> Tuple[str, str]:
    if "Traceback (most recent call last)" in out + err:
        return "traceback", _last_line(err or out)
    if rc not in (0, 1, 2):
        return "exit 3", f"exit {rc}: {_last_line(err)}"
    if rc not in case.expect:
        want = "/".join(str(x) for x in sorted(case.expect))
        return "wrong", f"exit {rc}, expected {want}: {_last_line(err) or _last_line(out)}"
    bad = CONTROL.search(out + err)
    if bad:
        return "wrong", f"raw control character U+{ord(bad.group()):04X} in the output"
    for path, state in protected.items():
        if _state(os.path.join(d, path)) != state:
            return "wrong", f"{path} was changed (it must be left as it was)"
    left = os.listdir(os.path.join(d, "tmp"))
    if left:
        return "wrong", f"temporary files left behind: {', '.join(sorted(left)[:3])}"
    created = set(_tree(d)) - set(before) - set(case.outputs)
    created = {c for c in created if not c.startswith("home" + os.sep)}
    if created:
        return "wrong", f"files created outside the targets: {', '.join(sorted(created)[:3])}"
    if case.check:
        problem = case.check(d, out, err)
        if problem:
            return "wrong", problem
    return "ok", ""


def _last_line(text: str) -> str:
    lines = [x for x in text.strip().splitlines() if x.strip()]
    return lines[-1][:200] if lines else ""


def run(cases: List[Case], jobs: int, keep: Optional[str] = None, progress: bool = True) -> List[Outcome]:
    results: List[Outcome] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for i, res in enumerate(pool.map(lambda c: run_case(c, keep if keep else None), cases), 1):
            results.append(res)
            if progress and (i % 100 == 0 or i == len(cases)):
                print(f"  {i}/{len(cases)} cases", file=sys.stderr, flush=True)
    return results


def table(results: List[Outcome]) -> str:
    surfaces = sorted({r.surface for r in results})
    head = f"{'surface':<10} {'cases':>6} " + " ".join(f"{c:>9}" for c in CLASSES)
    lines = [head, "-" * len(head)]
    for s in surfaces + ["all"]:
        rs = [r for r in results if s == "all" or r.surface == s]
        lines.append(f"{s:<10} {len(rs):>6} " + " ".join(f"{sum(r.klass == c for r in rs):>9}" for c in CLASSES))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of each surface's budget (1.0: full run)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--surface", action="append", help="only this surface (repeatable)")
    ap.add_argument("--jobs", type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument("--list", action="store_true", help="print every case that was not ok")
    ap.add_argument("--json", metavar="FILE", help="write every outcome as JSON here")
    ap.add_argument("--keep", metavar="DIR", help="copy each case's directory here (to reproduce one)")
    args = ap.parse_args(argv)
    cases = all_cases(args.seed, args.scale, args.surface)
    t = time.monotonic()
    results = run(cases, args.jobs, args.keep)
    print(table(results))
    print(f"\n{len(results)} cases in {time.monotonic() - t:.0f} s ({args.jobs} jobs)")
    bad = [r for r in results if r.klass != "ok"]
    if args.list:
        for r in bad:
            print(f"{r.klass:<9} {r.case[:110]}\n          {r.why}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([r.__dict__ for r in results], fh, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
