"""How explain's patterns scale on adversarial input: each pattern searched in long repetitions of its own words
(every literal word of at least two characters in its source, alone and as pairs) and of a few generic runs, at two
lengths. A pattern whose time grows with the square of the input (an unbounded quantifier that each start position
runs to the end) shows a ratio near 16 for 4x the length; linear ones stay near 4. explain cuts a log at MAX_TEXT
(2 MB), so a quadratic pattern there is a hang, not a slow answer.

    python benchmarks/regex_scaling.py [--short 4000] [--top 10]

Prints the slowest (pattern, input) pairs with both times and their ratio; exits 1 when one is both quadratic-looking
(ratio > 8) and slow at the long length (> 50 ms). Timings never gate CI; this runs by hand after pattern changes.
"""
from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

GENERIC = ["x", "/", "a.", " ", "a ", "_", "0", "a:", "(a", "'sm_", "\n", "a\n", ": "]


def patterns():
    import envcheck.explain.cuda_errors as CE
    import envcheck.explain.patterns as P

    seen, out = set(), []

    def add(name, rx):
        if isinstance(rx, str):
            rx = re.compile(rx, re.IGNORECASE | re.MULTILINE)
        if isinstance(rx, re.Pattern) and rx.pattern not in seen:
            seen.add(rx.pattern)
            out.append((name, rx))

    def walk(name, v, depth=0):
        if isinstance(v, (re.Pattern, str)) and depth:
            add(name, v)
        elif isinstance(v, re.Pattern):
            add(name, v)
        elif isinstance(v, (list, tuple)) and depth < 3:
            for i, x in enumerate(v):
                walk(f"{name}[{i}]", x, depth + 1)
        elif isinstance(v, dict) and depth < 3:
            for k, x in v.items():
                walk(f"{name}[{k}]", x, depth + 1)

    for mod in (P, CE):
        for name in dir(mod):
            v = getattr(mod, name)
            if isinstance(v, (re.Pattern, list, tuple, dict)):
                walk(name, v)
    return [(n, rx) for n, rx in out if _compiles(rx)]


def _compiles(rx) -> bool:
    return isinstance(rx, re.Pattern)


def pieces(rx) -> list:
    words = sorted(set(re.findall(r"[A-Za-z0-9_]{2,}", rx.pattern)))[:12]
    return GENERIC + words + [a + b for a, b in itertools.combinations(words[:6], 2)] + [w + " " for w in words[:6]]


def timed(rx, s) -> float:
    t = time.perf_counter()
    rx.search(s)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--short", type=int, default=4000)
    ap.add_argument("--top", type=int, default=10)
    a = ap.parse_args()
    short, long_ = a.short, 4 * a.short
    rows = []
    pats = patterns()
    for name, rx in pats:
        for p in pieces(rx):
            t1 = timed(rx, p * (short // len(p)))
            if t1 < 0.002:                     # fast at the short length: linear or better is certain enough
                continue
            t2 = timed(rx, p * (long_ // len(p)))
            rows.append((t2, t2 / max(t1, 1e-9), name, rx.pattern[:90], p[:20]))
    rows.sort(reverse=True)
    print(f"{len(pats)} patterns, inputs of {short} and {long_} characters")
    for t2, ratio, name, pat, p in rows[:a.top]:
        print(f"{t2 * 1e3:8.1f} ms  x{ratio:5.1f}  {name:24} {p!r:24} {pat}")
    bad = [r for r in rows if r[1] > 8 and r[0] > 0.05]
    print("quadratic-looking and slow:", len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
