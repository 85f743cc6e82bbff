"""`explain`: what an error message means on this environment, and the fix."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, List

from envcheck.app.inputs import Inputs

if TYPE_CHECKING:
    from envcheck.explain import Explanation
    from envcheck.matrix.load import Matrix


@dataclass(frozen=True)
class ExplainResult:
    explanations: "List[Explanation]"     # root cause first
    source: str                           # where the environment's facts came from
    matrix: "Matrix"

    def document(self) -> dict:
        """`envcheck explain --json`."""
        return explain_document(self.explanations, self.source, self.matrix)


def explanations(message: str, inputs: Inputs, target=None, python=None) -> ExplainResult:
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
    return ExplainResult(do_explain(message, env, matrix, target, lookups, python), source, matrix)


def explain_document(found, source: str, matrix) -> dict:
    """`envcheck explain --json`."""
    return {"matrix_version": matrix.version, "environment_source": source,
            "explanations": [e.to_dict() for e in found]}
