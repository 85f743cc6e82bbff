"""A stream that reports each chunk read, for the progress line of a long image read."""
from __future__ import annotations


class Progressed:
    """A stream that reports each chunk read to ``progress`` and closes ``closer`` (default: the stream) at exit.
    ``chunk``: what a read of 'everything' reads at once (an HTTP body is read in pieces)."""

    def __init__(self, fh, progress, closer=None, chunk: int = -1):
        self.fh = fh
        self.progress = progress
        self.closer = closer or fh.close
        self.chunk = chunk

    def read(self, n=-1):
        data = self.fh.read(n if n and n > 0 else self.chunk)
        if self.progress and data:
            self.progress(len(data))
        return data

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.closer()
