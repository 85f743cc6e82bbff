"""`envcheck mcp`: envcheck's read-only commands as Model Context Protocol tools, over stdio, with the official
`mcp` Python SDK (`pip install 'envcheck[mcp]'`, Python >= 3.10).

No logic of its own: every tool calls the application function its CLI command calls (envcheck/app: `scan`,
`recommendation`, `explanations`, `gate_verdict`, `fit_model`) and returns the same
JSON document as that command's --json (as structured content and as JSON text), after a one-paragraph summary.
Read-only: there is no `apply` tool, and no tool runs an interpreter it finds (no --exec).

Tools are rows of TOOLS: adding one is one line there.
"""
import functools
import json
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from envcheck import __version__
from envcheck.errors import InputError

Result = Tuple[str, dict]           # (a short summary for a person, the --json document)


# -- the tools: each takes the CLI command's arguments and returns (summary, document) -------------------------
def scan(env: Optional[str] = None, root: Optional[str] = None, search: Optional[List[str]] = None,
         matrix: Optional[List[str]] = None) -> Result:
    from envcheck.app.scan import scan as run_scan

    r = run_scan(_inputs(env, root, search, matrix))
    e, source, findings = r.environment, r.source, r.findings
    doc = json.loads(e.to_json())
    gpus = ", ".join(g.name or "?" for g in e.gpus or ()) or "no GPU found"
    drv = e.driver.version if e.driver is not None and e.driver.version else "unknown"
    pys = len(e.pythons or ())
    return (f"{source}: driver {drv}; GPUs: {gpus}; {pys} Python environment(s); {_counts(findings)}. "
            f"The document is `envcheck scan --json` (schema envcheck.environment/1).", doc)


def check(env: Optional[str] = None, root: Optional[str] = None, search: Optional[List[str]] = None,
          matrix: Optional[List[str]] = None) -> Result:
    from envcheck.app.scan import scan as run_scan

    r = run_scan(_inputs(env, root, search, matrix))
    source, findings = r.source, r.findings
    worst = [f for f in findings if f.severity in ("fail", "warn")][:3]
    top = "; ".join(f"[{f.severity}] {f.title} ({f.code})" for f in worst)
    return f"{source}: {_counts(findings)}." + (f" First: {top}" if top else ""), r.check_document()


def recommend(target: str, env: Optional[str] = None, root: Optional[str] = None,
              search: Optional[List[str]] = None, matrix: Optional[List[str]] = None, verify: bool = False,
              venv: Optional[str] = None, find_links: Optional[List[str]] = None, no_index: bool = False) -> Result:
    from envcheck.app.recommend import recommendation
    from envcheck.recommend import installable

    result = recommendation(_inputs(env, root, search, matrix), target, verify, venv, tuple(find_links or ()), no_index)
    rec = result.recommendation
    best = installable(rec, allow_risky=True)
    if best is None:
        first = next((p for p in rec.paths if p.blockers), None)
        text = f"No install path for {rec.target}{rec.requested or ''} works here" + \
            (f": {first.blockers[0]}" if first else "") + "."
    else:
        text = (f"Best path for {rec.target}{rec.requested or ''}: #{best.rank} {best.kind} {best.version} "
                f"({best.status}); {len(best.commands)} command(s) in paths[{best.rank - 1}].commands. envcheck "
                f"does not run them from here (read-only); a person runs `envcheck apply --target "
                f"{rec.target}{rec.requested or ''} --path {best.rank}`.")
    return text, result.document()


def explain(message: str, target: Optional[str] = None, python: Optional[str] = None, env: Optional[str] = None,
            root: Optional[str] = None, search: Optional[List[str]] = None,
            matrix: Optional[List[str]] = None) -> Result:
    from envcheck.app.explain import explanations

    if not (message or "").strip():
        raise InputError("the error message is empty")
    result = explanations(message, _inputs(env, root, search, matrix), target, python)
    found = result.explanations
    if not found:
        from envcheck.app.explain import similar_text
        from envcheck.explain import KNOWN
        text = "envcheck does not recognise this message. " + (similar_text(result.similar) + " " if result.similar
                                                                else "") + "It knows: " + "; ".join(KNOWN)
    else:
        text = " ".join(f"{e.title} [{e.code}]: {e.cause}" for e in found)
    return text, result.document()


def gate(policy: str, env: Optional[str] = None, root: Optional[str] = None, search: Optional[List[str]] = None,
         matrix: Optional[List[str]] = None, today: Optional[str] = None) -> Result:
    from envcheck.app.gate import gate_verdict

    v = gate_verdict(policy, _inputs(env, root, search, matrix), today)
    c = v.counts()
    failed = [o.rule.id for o in v.outcomes if o.status == "fail"]
    return (f"Gate {v.status.upper()} ({c['pass']} pass, {c['fail']} fail, {c['warn']} warn, {c['waived']} waived, "
            f"{c['skipped']} skipped)" + (f"; failing rules: {', '.join(failed)}" if failed else "") + ".",
            v.to_dict())


def fit(model: str, env: Optional[str] = None, gpu: Optional[List[str]] = None, dtype: Optional[str] = None,
        context: Optional[int] = None, batch: int = 1, kv_dtype: Optional[str] = None,
        matrix: Optional[List[str]] = None) -> Result:
    from envcheck.app.fit import fit_model

    r = fit_model(model, dtype, context, batch, kv_dtype, env, tuple(gpu or ()), tuple(matrix or ()))
    rep = r.report
    gpus = "; ".join(f"GPU {g.index} {g.name}: {'fits' if g.fits else 'does not fit'} ({g.memory_gib:.1f} GiB)"
                     for g in rep.gpus) or "no GPU with known memory"
    how = {"single-gpu": "fits on one GPU"}.get(rep.how or "", rep.how or "does not fit")
    return (f"{rep.model.name} at {rep.dtype} ({r.dtype_source}), context {rep.context} x batch {rep.batch}: needs "
            f"{rep.need.total / 2 ** 30:.1f} GiB; {how}. GPUs ({rep.gpu_source}): {gpus}.", r.document())


def _inputs(env: Optional[str], root: Optional[str], search: Optional[List[str]], matrix: Optional[List[str]]):
    from envcheck.app.inputs import Inputs

    return Inputs(env, root, tuple(search or ()), False, tuple(matrix or ()))


def _counts(findings) -> str:
    n: Dict[str, int] = {}
    for f in findings:
        n[f.severity] = n.get(f.severity, 0) + 1
    return "findings: " + (", ".join(f"{n[s]} {s}" for s in ("fail", "warn", "info", "ok") if s in n) or "none")


# -- the registry -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tool:
    name: str
    fn: Callable[..., Result]
    description: str


ENV_ARGS = ("`env`: path to a saved scan (`envcheck scan --json > pod.json`) or a hand-written description; "
            "omitted, the machine this server runs on is scanned. `root`: read another filesystem (files only). "
            "`search`: more places to look for Python environments. `matrix`: directories of your own matrix rows.")
TOOLS: List[Tool] = [
    Tool("scan", scan, "What a GPU machine has: host, disk, driver and GPUs, container, CUDA toolkits, every CUDA "
                       "library by soname, every Python environment. Returns `envcheck scan --json`. " + ENV_ARGS),
    Tool("check", check, "Findings: what is wrong on the machine, why it matters, and the fix as commands. Returns "
                         "`envcheck check --json`. " + ENV_ARGS),
    Tool("recommend", recommend, "Ranked ways to install `target` (tensorrt-llm, vllm, sglang, tensorrt, torch, "
                                 "optionally pinned, e.g. tensorrt-llm==1.1.0; or any pip package pinned NAME==X): "
                                 "each path ok/risky/blocked with reasons and commands. Returns `envcheck recommend "
                                 "--json`. Read-only: it never runs the commands. `venv`, `find_links`, `no_index` "
                                 "as the CLI's. " + ENV_ARGS),
    Tool("explain", explain, "The cause of an error message (e.g. 'ImportError: libcublasLt.so.13: cannot open "
                             "shared object file') on this machine, and what to do; `python` (an interpreter or an environment's "
                             "prefix): the commands for the environment that failed. Returns `envcheck explain "
                             "--json`. " + ENV_ARGS),
    Tool("gate", gate, "Evaluate a pre-deploy policy file (`policy`, schema envcheck.policy/1) against the "
                       "machine: pass or fail per rule. Returns `envcheck gate --json`. " + ENV_ARGS),
    Tool("fit", fit, "Will `model` (a directory with config.json, or a Hugging Face id in the local cache) fit the "
                     "GPUs: weights, KV cache for `context` x `batch`, an allowance, per GPU fits or not and the "
                     "largest context that fits, tensor parallel across several. `dtype` (bf16, fp16, fp32, int8, "
                     "fp8; default the checkpoint's), `kv_dtype`; the GPUs of `env` (a saved scan), or what-if "
                     "`gpu` names from the matrix (e.g. ['RTX 4090']), else this machine's. Returns `envcheck fit "
                     "--json`."),
]


def as_mcp(fn: Callable[..., Result]):
    """The tool function as the SDK calls it: same signature, returns a CallToolResult with the summary and the
    document (as text and as structured content); envcheck's input errors come back as tool errors."""
    from mcp.types import CallToolResult, TextContent

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            text, doc = fn(*args, **kwargs)
        except InputError as exc:
            return CallToolResult(content=[TextContent(type="text", text=f"envcheck: {exc}")], is_error=True)
        except Exception as exc:  # envcheck's own bug: said, not a dead server
            return CallToolResult(content=[TextContent(type="text", text=f"envcheck: internal error: "
                                                                          f"{type(exc).__name__}: {exc}")],
                                  is_error=True)
        return CallToolResult(content=[TextContent(type="text", text=text),
                                       TextContent(type="text", text=json.dumps(doc, indent=2))],
                              structured_content=doc)
    call.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k != "return"}
    return call


def server():
    from mcp.server.mcpserver import MCPServer

    srv = MCPServer(name="envcheck", version=__version__,
                    instructions="envcheck answers whether a GPU machine can run an inference stack (TensorRT-LLM, "
                                 "TensorRT, vLLM, SGLang, PyTorch) and how to get there, from measured facts. "
                                 "All tools are read-only.")
    for t in TOOLS:
        srv.add_tool(as_mcp(t.fn), name=t.name, description=t.description, structured_output=False)
    return srv


def serve() -> None:
    server().run("stdio")
