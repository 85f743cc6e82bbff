"""The compatibility matrix: loading the versioned YAML in matrix/ (bundled in the wheel), with user overlays.

Rows keep the file and line they came from, so every error and every recommendation can point at its row.
The format is described in docs/matrix.md.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Optional, Tuple

import yaml

from envcheck.documents import Bounds, BoundedLoader, DocumentError, check, construct_bounded_int
from envcheck.matrix.rowcheck import check_across, check_rows
from envcheck.matrix.tables import Matrix, MatrixError, Row, Subject  # noqa: F401 (re-exported)

INDEX = "index.yaml"
MATRIX_SCHEMA = "envcheck.matrix/1"
SUBJECTS = ("tensorrt-llm", "cuda", "tensorrt", "torch", "torch-arch", "vllm", "sglang", "gpus", "paths", "floors")


# libyaml's parser (CSafeLoader) reads the matrix ~10x faster than the pure-Python one, and its nodes carry the
# same line marks; pure Python is the fallback where PyYAML was built without libyaml.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):
    """A safe loader that records the line of every mapping under the key '__line__'."""


def _construct_mapping(loader, node, deep=False):
    lines: Dict[Any, int] = {}
    for key_node, _ in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
        if key in lines:
            raise MatrixError(getattr(loader, "name", "?"), key_node.start_mark.line + 1,
                              f"duplicate key {str(key)[:80]!r} (first on line {lines[key]}); keep one")
        lines[key] = key_node.start_mark.line + 1
    mapping = yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _timestamp(loader, node):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise MatrixError(getattr(loader, "name", "?"), node.start_mark.line + 1,
                          f"{node.value!r} is not a date: {exc}") from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_LineLoader.add_constructor("tag:yaml.org,2002:int", construct_bounded_int)
FILE_LIMIT = 16 << 20  # one matrix file; the bundled ones are < 1 MiB
MATRIX_BOUNDS = Bounds(max_bytes=FILE_LIMIT)   # libyaml parses; the parsed tree is held to the same bounds
_LineLoader.bounds = MATRIX_BOUNDS              # what construct_bounded_int reads, and how it fails:
_LineLoader._fail = BoundedLoader._fail         # a DocumentError, which load_yaml_with_lines turns into a MatrixError


def load_yaml_with_lines(path: str) -> Any:
    from envcheck.root import open_regular

    try:
        with open_regular(path) as fh:
            raw = fh.read(FILE_LIMIT + 1)
    except OSError as exc:
        raise MatrixError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > FILE_LIMIT:
        raise MatrixError(path, None, f"larger than {FILE_LIMIT >> 20} MiB, the limit for a matrix file")
    try:
        loader = _LineLoader(raw.decode("utf-8"))
        loader.name = path
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _no_aliases(node, path)
            doc = loader.construct_document(node)
            check(doc, path, MATRIX_BOUNDS)
            return doc
        finally:
            loader.dispose()
    except RecursionError:
        raise MatrixError(path, None, "nested too deeply to be a matrix file") from None
    except DocumentError as exc:
        raise MatrixError(path, exc.line, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise MatrixError(path, line, f"not valid YAML: {problem}") from None
    except UnicodeDecodeError as exc:
        raise MatrixError(path, None, f"not UTF-8 text: {exc}") from None


def _no_aliases(root_node, path: str) -> None:
    """Refuse a node reached twice (an alias, `*name`): nested aliases let a few lines expand into a tree too large
    to copy or print. One pass over the composed nodes, without recursion."""
    seen, stack = set(), [root_node]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise MatrixError(path, node.start_mark.line + 1, "YAML aliases (*name) are not accepted in a matrix "
                                                              "file; write the values out")
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))


def strip_lines(value):
    """A loaded value without the '__line__' bookkeeping keys."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def bundled_dir() -> str:
    """The matrix shipped with envcheck: envcheck/matrix/data in a wheel, the top-level matrix/ in a checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "data")
    if os.path.isfile(os.path.join(installed, INDEX)):
        return installed
    return os.path.join(os.path.dirname(os.path.dirname(here)), "matrix")


def store_dir() -> str:
    """Where `envcheck matrix update` keeps downloaded matrices ($ENVCHECK_HOME/matrix)."""
    base = os.environ.get("ENVCHECK_HOME") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "envcheck")
    return os.path.join(base, "matrix")


def default_base() -> str:
    """The updated matrix (`envcheck matrix update`) when there is one newer than the bundled, else the bundled."""
    bundled = bundled_dir()
    cur = os.path.join(store_dir(), "current")
    if not os.path.isfile(os.path.join(cur, INDEX)):
        return bundled
    try:
        mine, _ = load_dir(cur)
        theirs, _ = load_dir(bundled)
    except MatrixError:
        return bundled
    return cur if (mine or "") >= (theirs or "") else bundled


def user_dir() -> Optional[str]:
    """A per-user overlay directory: $ENVCHECK_MATRIX_DIR, else ~/.config/envcheck/matrix when it exists."""
    env = os.environ.get("ENVCHECK_MATRIX_DIR")
    if env:
        return env
    cfg = os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "envcheck", "matrix")
    return cfg if os.path.isdir(cfg) else None


def load_dir(directory: str) -> Tuple[Optional[str], Dict[str, Subject]]:
    """Load one matrix directory: (version from index.yaml or None, subjects)."""
    if not os.path.isdir(directory):
        raise MatrixError(directory, None, "matrix directory does not exist")
    version = None
    index = os.path.join(directory, INDEX)
    if os.path.isfile(index):
        doc = load_yaml_with_lines(index)
        if not isinstance(doc, dict):
            raise MatrixError(index, None, "expected a mapping with 'schema' and 'version'")
        if doc.get("schema") != MATRIX_SCHEMA:
            raise MatrixError(index, doc.get("__line__"), f"schema must be {MATRIX_SCHEMA!r}, got {doc.get('schema')!r}")
        version = str(doc.get("version")) if doc.get("version") is not None else None
    subjects: Dict[str, Subject] = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".yaml", ".yml")) or name in (INDEX, "index.yml"):
            continue
        path = os.path.join(directory, name)
        subject = name.rsplit(".", 1)[0]
        doc = load_yaml_with_lines(path)
        if not isinstance(doc, dict):
            raise MatrixError(path, None, "expected a mapping with 'schema' and 'rows'")
        schema = doc.get("schema")
        expected = f"envcheck.matrix.{subject}/1"
        if schema != expected:
            raise MatrixError(path, doc.get("__line__"), f"schema must be {expected!r}, got {schema!r}")
        rows_doc = doc.get("rows")
        if not isinstance(rows_doc, list):
            raise MatrixError(path, doc.get("__line__"), "'rows' must be a list")
        rows = []
        for item in rows_doc:
            if not isinstance(item, dict):
                raise MatrixError(path, doc.get("__line__"), f"each row must be a mapping, got {item!r}")
            line = item.get("__line__", 1)
            data = strip_lines(item)
            if "version" not in data and "name" in data:
                data["version"] = data["name"]
            if "version" not in data:
                raise MatrixError(path, line, "row has no 'version'")
            if isinstance(data["version"], bool) or not isinstance(data["version"], (str, int)):
                hint = " (quote it: YAML reads 12.10 as the number 12.1)" if isinstance(data["version"], float) else ""
                raise MatrixError(path, line, f"'version' must be a string, got {type(data['version']).__name__} "
                                              f"{str(data['version'])[:60]}{hint}")
            data["version"] = str(data["version"])
            rows.append(Row(subject, data, path, line))
        extra = {k: strip_lines(v) for k, v in doc.items() if k not in ("schema", "rows", "__line__")}
        subjects[subject] = Subject(subject, path, schema, rows, extra)
    return version, subjects


def load_matrix(overlays: Iterable[str] = (), include_user: bool = True, base: Optional[str] = None,
                validate: bool = True) -> Matrix:
    """The bundled matrix, then the user's config dir, then each --matrix DIR: a later row with the same
    version replaces the earlier one; new rows are added. The version is the bundled one, suffixed with '+local'
    when an overlay changed anything.

    Overlays are validated as they load (the rules of `envcheck matrix validate`: keys and types, sources,
    duplicates, then the checks across files on the merged matrix): a row with `cuda: [1]` or no sources is a
    MatrixError naming its file and line, never a recommendation."""
    dirs = [base or default_base()]
    if include_user:
        u = user_dir()
        if u:
            dirs.append(u)
    dirs.extend(overlays)
    version, subjects = load_dir(dirs[0])
    changed = False
    for d in dirs[1:]:
        over_version, over = load_dir(d)
        if validate:
            _refuse(_overlay_problems(over, d))
        for name, subj in over.items():
            changed = True
            if name not in subjects:
                subjects[name] = subj
                continue
            target = subjects[name]
            by_version = {r.version: i for i, r in enumerate(target.rows)}
            for r in subj.rows:
                if r.version in by_version:
                    target.rows[by_version[r.version]] = r
                else:
                    target.rows.append(r)
            target.extra.update(subj.extra)
        if over_version:
            version = over_version
    version = version or "unknown"
    if changed and "+local" not in version:
        version += "+local"
    matrix = Matrix(version, subjects, tuple(dirs))
    if validate and changed:
        _refuse(check_across(matrix))
    return matrix


def _overlay_problems(subjects: Dict[str, Subject], directory: str) -> list:
    return check_rows(Matrix("overlay", subjects, (directory,)))


def _refuse(problems: list) -> None:
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more: envcheck matrix validate lists them)" if len(problems) > 1 else ""
        raise MatrixError(first.file, first.line, first.message + more)
