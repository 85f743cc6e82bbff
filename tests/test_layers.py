"""envcheck's layers, read from its source with ast: no import circles, no import that goes up the
layer list, every module placed in a layer, and no function longer than 80 lines.

Layers, bottom up (an import may go down, or sideways within a layer, never up):
  0 base, 1 readers, 2 model, 3 probes, 4 matrix, 5 rules, 6 app, 7 report, 8 interfaces.
"""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "envcheck")
LONGEST_FUNCTION = 80

LAYERS = [
    ("base", ["envcheck", "errors", "versions", "documents", "output", "marks"]),
    ("readers", ["root", "elf", "ldcache", "loader", "fatbin", "symbols", "pyenvs", "image",
                 "cudalibs", "checkpoint", "archives"]),
    ("model", ["model", "findings"]),
    ("probes", ["probes"]),
    ("matrix", ["matrix"]),
    ("rules", ["checks", "recommend", "gate", "explain", "fit", "fleet", "apply"]),
    ("app", ["app"]),
    ("report", ["report"]),
    ("interfaces", ["cli", "__main__", "commands", "mcpserver", "bench"]),
]

# Known exceptions: none. An entry here needs a reason on its line, and the test fails once it no longer applies.
KNOWN_CIRCLES: dict = {}
KNOWN_UPWARD: dict = {}
KNOWN_LONG: dict = {}


def _module_files():
    """Dotted module name -> file path, for every .py under envcheck/."""
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            dotted = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
            if dotted.endswith(".__init__"):
                dotted = dotted[: -len(".__init__")]
            found[dotted] = path
    return found


MODULES = _module_files()


def _parse(path):
    with open(path, encoding="utf-8") as handle:
        return ast.parse(handle.read(), path)


def _targets(module, node):
    """The envcheck modules one import statement names (most specific that exists)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".")
            if not MODULES[module].endswith("__init__.py"):
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        submodules = [prefix + "." + alias.name for alias in node.names
                      if prefix + "." + alias.name in MODULES]
        # `from pkg import submodule` needs only the submodule (pkg's __init__ runs for any submodule anyway)
        names = submodules + ([prefix] if len(submodules) < len(node.names) else [])
    out = set()
    for name in names:
        if name != "envcheck" and not name.startswith("envcheck."):
            continue
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != module:
            out.add(name)
    return out


def _imports():
    """(importer, imported, line) for every import statement, including those inside functions."""
    edges = []
    for module, path in sorted(MODULES.items()):
        for node in ast.walk(_parse(path)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in sorted(_targets(module, node)):
                    edges.append((module, target, node.lineno))
    return edges


EDGES = _imports()


def _unit(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "envcheck"


def _layer(module):
    for number, (_, units) in enumerate(LAYERS):
        if _unit(module) in units:
            return number
    return None


def _path(module):
    return os.path.relpath(MODULES[module], ROOT)


def _circles():
    """Strongly connected groups of more than one module."""
    graph = {}
    for source, target, _ in EDGES:
        graph.setdefault(source, set()).add(target)
    index, low, stack, on_stack, groups = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    for node in sorted(MODULES):
        if node not in index:
            visit(node)
    return groups


def test_every_module_is_in_a_layer():
    unplaced = sorted(_path(m) for m in MODULES if _layer(m) is None)
    assert not unplaced, "modules in no layer (add their unit to LAYERS): " + ", ".join(unplaced)


def test_no_import_circles():
    problems = []
    for group in _circles():
        if group in KNOWN_CIRCLES:
            continue
        lines = ["%s:%d imports %s" % (_path(s), line, t)
                 for s, t, line in EDGES if s in group and t in group]
        problems.append("circle between %s:\n    %s" % (", ".join(sorted(group)), "\n    ".join(lines)))
    assert not problems, "\n".join(problems)


def test_known_circles_still_exist():
    stale = sorted(", ".join(sorted(g)) for g in set(KNOWN_CIRCLES) - set(_circles()))
    assert not stale, "KNOWN_CIRCLES entries that are gone (remove them): " + "; ".join(stale)


def _upward():
    found = []
    for source, target, line in EDGES:
        low, high = _layer(source), _layer(target)
        if low is not None and high is not None and high > low:
            found.append((source, target, line))
    return found


def test_no_import_goes_up_a_layer():
    problems = []
    for source, target, line in _upward():
        if (source, target) in KNOWN_UPWARD:
            continue
        problems.append("%s:%d: %s (layer %s) imports %s (layer %s)" % (
            _path(source), line, source, LAYERS[_layer(source)][0], target, LAYERS[_layer(target)][0]))
    assert not problems, "imports that go up the layers:\n  " + "\n  ".join(problems)


def test_known_upward_imports_still_exist():
    stale = sorted(set(KNOWN_UPWARD) - {(s, t) for s, t, _ in _upward()})
    assert not stale, "KNOWN_UPWARD entries that are gone (remove them): %s" % stale


def _long_functions():
    found = []
    for module, path in sorted(MODULES.items()):
        for node in ast.walk(_parse(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    found.append((module, node.name, node.lineno, length))
    return found


def test_no_function_is_longer_than_80_lines():
    problems = ["%s:%d: %s is %d lines" % (_path(m), line, name, length)
                for m, name, line, length in _long_functions() if (m, name) not in KNOWN_LONG]
    assert not problems, "functions over %d lines (split them):\n  %s" % (
        LONGEST_FUNCTION, "\n  ".join(problems))


def test_known_long_functions_still_exist():
    stale = sorted(set(KNOWN_LONG) - {(m, name) for m, name, _, _ in _long_functions()})
    assert not stale, "KNOWN_LONG entries that are short now (remove them): %s" % stale


@pytest.mark.parametrize("unit", sorted({u for _, units in LAYERS for u in units}))
def test_layer_units_are_named_once(unit):
    assert sum(units.count(unit) for _, units in LAYERS) == 1
