"""The matrix's tables: rows (with the file and line they came from), subjects, the merged matrix, and its error."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from envcheck.versions import parse


class MatrixError(ValueError):
    """A matrix file is malformed: ``file:line: message``."""

    def __init__(self, file: str, line: Optional[int], message: str):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line or 1}: {message}")


@dataclass(frozen=True)
class Row:
    """One row of a subject file, with where it came from."""
    subject: str
    data: Dict[str, Any]
    file: str
    line: int

    @property
    def version(self) -> str:
        return str(self.data.get("version"))

    def get(self, key, default=None):
        return self.data.get(key, default)

    def __getitem__(self, key):
        return self.data[key]

    def ref(self) -> str:
        """A citation of this row: 'matrix/tensorrt-llm.yaml:42 (tensorrt-llm 0.19.0)'."""
        return f"{os.path.basename(self.file)}:{self.line} ({self.subject} {self.version})"

    @property
    def sources(self) -> List[str]:
        sources = self.data.get("sources")
        return list(sources) if isinstance(sources, list) else []


@dataclass
class Subject:
    name: str
    file: str
    schema: str
    rows: List[Row] = field(default_factory=list)
    extra: Dict[str, Any] = field(default_factory=dict)  # top-level keys besides schema/rows (e.g. cuda rules)


@dataclass
class Matrix:
    version: str
    subjects: Dict[str, Subject]
    dirs: Tuple[str, ...]

    def rows(self, subject: str) -> List[Row]:
        s = self.subjects.get(subject)
        return list(s.rows) if s else []

    def row(self, subject: str, version) -> Optional[Row]:
        want = str(version)
        for r in self.rows(subject):
            if r.version == want:
                return r
        pv = parse(want)
        for r in self.rows(subject):
            if pv is not None and parse(r.version) == pv:
                return r
        return None

    def extra(self, subject: str) -> Dict[str, Any]:
        s = self.subjects.get(subject)
        return dict(s.extra) if s else {}

    def sorted_rows(self, subject: str, newest_first: bool = True) -> List[Row]:
        rows = [r for r in self.rows(subject) if parse(r.version) is not None]
        return sorted(rows, key=lambda r: parse(r.version), reverse=newest_first)
