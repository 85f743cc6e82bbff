"""`explain`: what an error message means on this environment, and the fix."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, List, Optional

from envcheck.app.inputs import Inputs
from envcheck.errors import InputError
from envcheck.root import open_regular

if TYPE_CHECKING:
    from envcheck.explain import Explanation
    from envcheck.matrix.load import Matrix


# A log is read as a window: its first LOG_HEAD and last LOG_TAIL bytes (a loader error is near the start, a
# traceback at the end); the lines between are counted, not read, and the answer says how many were skipped.
LOG_HEAD = LOG_TAIL = 256 << 10
STREAM_LIMIT = 1 << 30        # bytes of a log counted at most; a longer stdin stops there, a longer file is seeked
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LogWindow:
    """What was read of a log, and what was not."""
    text: str
    head_lines: int
    tail_lines: int
    skipped_bytes: int
    skipped_lines: Optional[int]       # None where the middle was too large to count
    ended: bool = True                 # False: stdin went on past STREAM_LIMIT and was not read to its end

    def note(self, name: str) -> Optional[str]:
        """One line saying what was skipped, or None when the whole log was read."""
        if not self.skipped_bytes and self.ended:
            return None
        lines = f"{self.skipped_lines:,} lines" if self.skipped_lines is not None else "the lines"
        said = (f"{name}: read the first {self.head_lines:,} and the last {self.tail_lines:,} lines; {lines} "
                f"({self.skipped_bytes:,} bytes) between them were skipped")
        return said + ("" if self.ended else f"; stopped reading after {STREAM_LIMIT >> 20:,} MiB")


def read_log_file(path: str) -> LogWindow:
    """The window of a regular file (a FIFO or device is refused without blocking: root.open_regular)."""
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > STREAM_LIMIT:
                head = fh.read(LOG_HEAD)
                fh.seek(size - LOG_TAIL)
                return _window(head, bytearray(fh.read(LOG_TAIL)), size - LOG_HEAD - LOG_TAIL, None, True)
            return read_log_stream(fh)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def read_log_stream(fh: IO[bytes]) -> LogWindow:
    """The window of a stream (stdin): read once, in chunks; the middle is counted and dropped."""
    head = fh.read(LOG_HEAD)
    tail, skipped, lines, total = bytearray(), 0, 0, len(head)
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return _window(head, tail, skipped, lines, True)
        total += len(chunk)
        tail += chunk
        if len(tail) > LOG_TAIL:
            cut = len(tail) - LOG_TAIL
            lines += tail.count(b"\n", 0, cut)
            skipped += cut
            del tail[:cut]
        if total >= STREAM_LIMIT:
            return _window(head, tail, skipped, lines, False)


def _window(head: bytes, tail: bytearray, skipped: int, lines: Optional[int], ended: bool) -> LogWindow:
    """Whole lines only: where bytes were skipped, the head's last partial line and the tail's first go too."""
    if skipped or not ended:
        keep = head.rfind(b"\n") + 1 or len(head)
        start = tail.find(b"\n") + 1
        skipped += len(head) - keep + start
        lines = None if lines is None else lines + (1 if start else 0)
        head, tail = head[:keep], tail[start:]
    text = head.decode("utf-8", errors="replace")
    if tail:
        text += ("\n" if text and not text.endswith("\n") else "") + tail.decode("utf-8", errors="replace")
    return LogWindow(text, len(head.splitlines()), len(tail.splitlines()), skipped, lines, ended)


@dataclass(frozen=True)
class ExplainResult:
    explanations: "List[Explanation]"     # root cause first
    source: str                           # where the environment's facts came from
    matrix: "Matrix"
    skipped: Optional[str] = None         # LogWindow.note: the part of a long log that was not read
    similar: tuple = ()                   # SimilarReport: for a message nothing recognised, the known reports like it

    def document(self) -> dict:
        """`envcheck explain --json`."""
        doc = explain_document(self.explanations, self.source, self.matrix)
        if self.skipped:
            doc["skipped"] = self.skipped
        if self.similar:
            doc["similar_reports"] = [dataclasses.asdict(r) for r in self.similar]
        return doc


@dataclass(frozen=True)
class SimilarReport:
    """A known report like a message nothing recognised: where its thread is, how alike, the cause and fix there."""
    url: str
    similarity: float
    message: str             # the report's last line
    code: str                # the cause its thread established
    cause: str               # that cause in words
    fix: str                 # what fixed it there ("" where the thread did not say)


def similar_text(similar) -> str:
    """The known reports like an unrecognised message, in words (the CLI's and the MCP tool's)."""
    lines = ["Known reports most like it (a pointer, not a diagnosis: compare them with your message):"]
    for r in similar:
        lines.append(f"  - {r.similarity:.0%} alike: {r.url}: {r.message}")
        lines.append(f"      cause there: {r.cause} [{r.code}]" + (f"; fixed by: {r.fix}" if r.fix else ""))
    return "\n".join(lines)


def similar_reports(message: str) -> tuple:
    """The known reports most like a message (explain.similar): a pointer to threads, never a diagnosis."""
    from envcheck.explain.similar import closest_reports, link
    from envcheck.findings import REGISTRY

    out = []
    for r, sim in closest_reports(message):
        info = REGISTRY.get(r.code)
        fix = "" if r.fix.lower().startswith("not stated") else r.fix[:300]
        last = (r.text.strip().splitlines() or [""])[-1][:200]
        out.append(SimilarReport(link(r.source), round(sim, 2), last, r.code, info.summary if info else r.code, fix))
    return tuple(out)


def explanations(message: str, inputs: Inputs, target=None, python=None,
                 skipped: Optional[str] = None) -> ExplainResult:
    """What `envcheck explain` computes: the explanations, where the facts came from, the matrix."""
    from envcheck.explain import explain as do_explain
    matrix = inputs.matrix()
    env, source = inputs.environment()
    lookups = None
    if inputs.env_file is None:  # a tree in hand (this machine or --root): ask its loader about the sonames named
        from envcheck.explain import sonames_named
        from envcheck.explain.lookup import look_up
        from envcheck.root import Root

        tree = Root(inputs.root, live=False) if inputs.root is not None else Root("/")
        arch = env.host.arch if env.host is not None and env.host.arch else "x86_64"
        lookups = look_up(tree, sonames_named(message), arch)
    found = do_explain(message, env, matrix, target, lookups, python)
    return ExplainResult(found, source, matrix, skipped, () if found else similar_reports(message))


def explain_document(found, source: str, matrix) -> dict:
    """`envcheck explain --json`."""
    return {"matrix_version": matrix.version, "environment_source": source,
            "explanations": [e.to_dict() for e in found]}
