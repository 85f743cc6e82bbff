"""`recommend`: the ranked install paths for a target on an environment (and `--verify`, `--model`, `--image`)."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from envcheck.app.inputs import Inputs
from envcheck.recommend.model import BLOCKED

if TYPE_CHECKING:
    from envcheck.model import Environment
    from envcheck.recommend.model import Recommendation
    from envcheck.recommend.verify import VerifyResult


@dataclass(frozen=True)
class RecommendResult:
    recommendation: "Recommendation"
    verify: "Optional[VerifyResult]"      # pip's own resolver, with --verify
    environment: "Environment"            # the node the paths were ranked for

    def document(self) -> dict:
        """`envcheck recommend --json`."""
        return recommend_document(self.recommendation, self.verify)


def pip_args(find_links=(), no_index=False) -> Tuple[str, ...]:
    out: List[str] = []
    for d in find_links:
        out += ["--find-links", os.path.abspath(os.path.expanduser(d))]
    if no_index:
        out.append("--no-index")
    return tuple(out)


def venv_dir(venv: Optional[str]) -> Optional[str]:
    return os.path.abspath(os.path.expanduser(venv)).rstrip("/") if venv else None


def recommendation(inputs: Inputs, target: str, verify: bool = False, venv: Optional[str] = None,
                   find_links: Sequence[str] = (), no_index: bool = False, model: Optional[str] = None,
                   model_dtype: Optional[str] = None, model_context: Optional[int] = None, images: Sequence[str] = (),
                   draw=None) -> RecommendResult:
    """What `envcheck recommend` computes: the ranked paths, pip's verify result (or None) and the node. The MCP
    server and `envcheck apply` call this too. `inputs` (Inputs.on_node for --host FILE) is the node; `images`: image
    references read from their files and judged on that node (or this machine), ranked as image paths."""
    from envcheck.recommend import installable, recommend as do_recommend

    into = venv_dir(venv)
    matrix = inputs.matrix()
    if into and not inputs.env_file and inputs.root is None:
        inputs = inputs.searching((into,))    # a venv outside the usual places is still found
    env, source = inputs.environment()
    read = read_images(images, env, matrix, inputs, draw)
    rec = do_recommend(env, matrix, target, source, into=into, pip_args=pip_args(find_links, no_index), images=read)
    if model:   # does the model fit the GPUs (envcheck fit): a path that cannot hold it is blocked
        from envcheck.app.fit import gpus_from_env, report_for
        from envcheck.fit.advice import with_fit

        rep, _ = report_for(model, model_dtype, model_context, 1, None, gpus_from_env(env), source)
        rec = with_fit(rec, rep)
    vres = None
    if verify:
        from envcheck.recommend.verify import verify as do_verify

        best = installable(rec, allow_risky=True) or next((p for p in rec.paths if p.kind == "wheel"), None)
        wheel = best if best is not None and best.kind == "wheel" else next((p for p in rec.paths if p.kind == "wheel" and p.status != BLOCKED), best)
        pyv = _python_version_of(env, wheel.python) if wheel is not None and wheel.python else "3.10"
        try:
            vres = do_verify(wheel, python_version=pyv)
        except Exception as exc:  # noqa: BLE001 - verify is advice on top; the matrix answer stands
            from envcheck.recommend.verify import VerifyResult
            vres = VerifyResult("error", [f"{type(exc).__name__}: {exc}; the matrix answer stands"])
    return RecommendResult(rec, vres, env)


def read_images(refs, host_env, matrix, inputs: Inputs, draw=None):
    """Each image read from its files (streamed, as `check --image`), merged with the host and run through the
    checks: the judged facts recommend ranks (envcheck/recommend/images.py). A bad reference is an input error."""
    if not refs:
        return ()
    from envcheck.checks import run_checks
    from envcheck.probes.image import scan_image
    from envcheck.image.limits import Limits
    from envcheck.model.merge import image_on_host, label
    from envcheck.recommend.images import read_image

    debug = inputs.debug
    where = label(inputs.env_file) if inputs.env_file or inputs.root is None else f"tree {inputs.root}"
    host_findings = run_checks(host_env, matrix, debug=debug)
    out = []
    for ref in sorted(set(refs)):
        img_env = scan_image(ref, inputs.platform, Limits.from_environ(), draw, inputs.search, debug, None)
        if draw:
            import click
            click.echo("\r" + " " * 90 + "\r", err=True, nl=False)
        merged = image_on_host(img_env, host_env, where)
        out.append(read_image(ref, merged, run_checks(merged, matrix, debug=debug), host_findings, where))
    return tuple(out)


def recommend_document(rec, vres=None) -> dict:
    """`envcheck recommend --json`."""
    d = rec.to_dict()
    if vres is not None:
        d["verify"] = vres.to_dict()
    return d


def _python_version_of(env, path) -> str:
    for p in env.pythons or ():
        if p.version is not None and (p.path == path or p.base == path or (p.prefix and path.startswith(p.prefix + "/"))):
            return p.version.major_minor()
    import re

    mo = re.search(r"python(\d\.\d+)", path or "")
    return mo.group(1) if mo else f"{sys.version_info[0]}.{sys.version_info[1]}"
