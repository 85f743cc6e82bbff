"""`envcheck matrix validate`: the schema of every row and the checks across files, as FILE:LINE: message."""
from __future__ import annotations

import os
from typing import List

from envcheck.matrix.load import MatrixError, load_dir, load_matrix
from envcheck.matrix.rowcheck import Problem, check_across, check_rows


def validate_dirs(dirs: List[str]) -> List[Problem]:
    """Validate the bundled matrix plus overlays (or just the given dirs). Load errors become problems too."""
    problems: List[Problem] = []
    for d in dirs:
        try:
            load_dir(d)
        except MatrixError as exc:
            problems.append(Problem(exc.file, exc.line or 1, exc.message))
    if problems:
        return problems
    try:
        matrix = load_matrix(dirs[1:], include_user=False, base=dirs[0], validate=False)
    except MatrixError as exc:
        return [Problem(exc.file, exc.line or 1, exc.message)]
    if matrix.version == "unknown":
        problems.append(Problem(os.path.join(dirs[0], "index.yaml"), 1, "the matrix has no index.yaml with a version"))
    problems += check_rows(matrix)
    problems += check_across(matrix)
    return problems
