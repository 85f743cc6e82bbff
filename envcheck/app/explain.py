"""`explain`: what an error message means on this environment, and the fix."""
from __future__ import annotations

from typing import List, Tuple

from envcheck.app.inputs import Inputs


def explanations(message: str, inputs: Inputs, target=None) -> Tuple[List[object], str, object]:
    """What `envcheck explain` computes: (explanations, environment source, matrix)."""
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
    return do_explain(message, env, matrix, target, lookups), source, matrix


def explain_document(found, source: str, matrix) -> dict:
    """`envcheck explain --json`."""
    return {"matrix_version": matrix.version, "environment_source": source,
            "explanations": [e.to_dict() for e in found]}
