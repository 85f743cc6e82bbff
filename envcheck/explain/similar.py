"""The known reports most like a message that no pattern recognises: a pointer to the threads that solved them, never a
diagnosis.

The patterns (patterns.py) read a message's structure and are right or silent. Where they are silent, `envcheck
explain` says so, and names the known reports most like the message, so the user can read the threads that solved
messages like it: the corpus of real messages (tests/data/explain/corpus.yaml, each with the cause and the fix its
thread established) ships as known_reports.json.gz with a list of common failures that are not an environment fault
(tests/data/explain/not_environment.yaml). A message is compared with every report by the words and word pairs they
share (TF-IDF cosine; numbers count as one word; a traceback's frames and torch's note under every CUDA error left
out).

Why a pointer and not an answer: answering with the cause of the reports alike (at k=7, a closest likeness of 0.4,
an agreement of 0.7) was right for 22 and wrong for 2 of the 159 messages no pattern recognised in rounds 30-53, in
time order, but it answered 21 of 248 ordinary failures that are no environment fault (a short `NameError`, torch's
`Could not run 'aten::...' with arguments from the 'Meta' backend`): the corpus holds environment faults only, so
any short message shares its rarest words with one of them. Shown at 0.6 alike and more, the reports are shown for
27 of the 181 messages no pattern recognised in rounds 30-57 (in time order; for 20 the closest report has the
message's own cause) and for 17 of those 248 ordinary failures. docs/explain.md has the figures.
"""
from __future__ import annotations

import functools
import gzip
import json
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

INDEX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_reports.json.gz")
MAX_QUERY = 20_000        # a longer text is a whole log: the patterns read it, a likeness of it to a snippet says little
MAX_REPORT = 4_000        # a report's text is kept up to this many characters
MAX_INDEX = 16 * 2**20    # the shipped index, uncompressed, is read up to this size
K = 7                     # the closest reports looked at
MIN_SIMILAR = 0.6         # a report shown is at least this alike (cosine)
SHOWN = 3                 # reports shown at most
TIE = 0.05                # none where a failure that is no environment fault is as alike as the closest report

_WORD = re.compile(r"[a-z_][a-z0-9_]*|\d+")
# lines every Python traceback or every CUDA error of torch carries, whatever the cause: they tell nothing apart
# (the frames' paths name the program, not the fault)
_BOILERPLATE = re.compile(
    r"^[ \t]*(?:File \".*\", line \d+.*|Traceback \(most recent call last\):|During handling of the above exception.*"
    r"|The above exception was the direct cause.*|CUDA kernel errors might be asynchronously reported.*"
    r"|For debugging consider passing CUDA_LAUNCH_BLOCKING.*|Compile with `?TORCH_USE_CUDA_DSA.*|[~^ ]+)[ \t]*$",
    re.M)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Report:
    source: str           # owner/repo#N, or the page's address
    code: str             # the cause its thread established; "" for a message that is no environment fault
    fix: str              # what fixed it, as the thread said
    text: str


def terms(text: str) -> frozenset:
    """Words (digits read as 0, so versions and sizes match each other) and the pairs of neighbouring words, of the
    lines that are not a traceback's frames or torch's note under every CUDA error."""
    words = [_DIGIT.sub("0", w) for w in _WORD.findall(_BOILERPLATE.sub("", text).lower())]
    return frozenset(words).union(a + " " + b for a, b in zip(words, words[1:]))


def link(source: str) -> str:
    """A report's source as an address a user can open."""
    mo = re.fullmatch(r"([\w.-]+/[\w.-]+)#(\d+)(?:#msg\d+)?", source)
    if mo:
        return f"https://github.com/{mo.group(1)}/issues/{mo.group(2)}"
    return source.split("#msg")[0]


class Index:
    """Reports, each as unit-length TF-IDF weights over its terms, kept as an inverted index."""

    def __init__(self, reports: Iterable[Report]):
        self.reports: List[Report] = list(reports)
        sets = [terms(r.text) for r in self.reports]
        df: Dict[str, int] = defaultdict(int)
        for s in sets:
            for t in s:
                df[t] += 1
        n = len(sets)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}   # smoothed: a term every report has still counts a little
        self.postings: Dict[str, List[Tuple[int, float]]] = defaultdict(list)
        for i, s in enumerate(sets):
            norm = math.sqrt(sum(self.idf[t] ** 2 for t in s)) or 1.0
            for t in s:
                self.postings[t].append((i, self.idf[t] / norm))

    def closest(self, text: str, k: int = K, exclude: str = "") -> List[Tuple[Report, float]]:
        # a term no report has weighs as one that a single report has: the words of the message that no report
        # shares make it less like every report, not nothing
        unseen = math.log(1 + len(self.reports))
        q = {t: self.idf.get(t, unseen) for t in terms(text)}
        norm = math.sqrt(sum(w * w for w in q.values())) or 1.0
        acc: Dict[int, float] = defaultdict(float)
        for t, w in q.items():
            for i, x in self.postings.get(t, ()):
                acc[i] += w / norm * x
        ranked = sorted(acc.items(), key=lambda kv: -kv[1])
        out = []
        for i, sim in ranked:
            if exclude and self.reports[i].source.split("#msg")[0] == exclude.split("#msg")[0]:
                continue
            out.append((self.reports[i], sim))
            if len(out) == k:
                break
        return out


def closest_reports(text: str, index: Optional[Index] = None, exclude: str = "") -> List[Tuple[Report, float]]:
    """The known reports most like `text` (up to SHOWN, each at least MIN_SIMILAR alike), most alike first; none where
    the text is a whole log, or where a failure that is no environment fault is (about) as alike. `exclude`:
    a source left out (to measure a corpus message against the others)."""
    if not text or len(text) > MAX_QUERY:
        return []
    index = index or shipped()
    if index is None:
        return []
    near = index.closest(text, k=K, exclude=exclude)
    if not near or near[0][1] < MIN_SIMILAR or any(not r.code and sim >= near[0][1] - TIE for r, sim in near):
        return []
    return [(r, sim) for r, sim in near if r.code and sim >= MIN_SIMILAR][:SHOWN]


@functools.lru_cache(maxsize=1)
def shipped() -> Optional[Index]:
    """The index shipped with envcheck, or None where it is missing or unreadable (no reports are then shown)."""
    try:
        with gzip.open(INDEX, "rb") as fh:
            raw = fh.read(MAX_INDEX + 1)
        if len(raw) > MAX_INDEX:
            return None
        rows = json.loads(raw.decode("utf-8"))
        return Index(Report(str(r["source"]), str(r["code"]), str(r.get("fix", "")), str(r["text"])[:MAX_REPORT])
                     for r in rows if isinstance(r, dict) and "source" in r and "code" in r and "text" in r)
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None


def build(entries: Iterable[dict], not_environment: Iterable[str] = ()) -> bytes:
    """known_reports.json.gz from the corpus entries and the messages that are no environment fault
    (tests/data/explain/not_environment.yaml; benchmarks/explain_corpus.py --write-reports). Byte for byte the same
    for the same input (no timestamp in the gzip header), so a test can tell when it is stale."""
    rows = [{"source": e["source"], "code": e["code"], "fix": (e.get("fix") or "").strip(),
             "text": e["text"][:MAX_REPORT]} for e in entries]
    rows += [{"source": f"not-environment#{i}", "code": "", "fix": "", "text": t[:MAX_REPORT]}
             for i, t in enumerate(not_environment, 1)]
    data = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return gzip.compress(data, compresslevel=9, mtime=0)
