"""`envcheck mcp`: the real server process (`python -m envcheck mcp`) answering the official SDK's own client
(`mcp.client.stdio.stdio_client` + `ClientSession`) over stdio. Each tool's structured result must equal the
document the CLI prints with --json for the same arguments."""
import asyncio
import json
import os
import sys

import pytest

from conftest import ENVS, FIXTURES, REPO

pytest.importorskip("mcp", reason="the mcp extra (Python >= 3.10): pip install -e '.[mcp]'")
if sys.version_info < (3, 10):
    pytest.skip("the MCP SDK needs Python >= 3.10", allow_module_level=True)

from mcp import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

SEED = os.path.join(ENVS, "seed-runpod-4090.yaml")
POLICY = os.path.join(FIXTURES, "policies", "seed-fail.yaml")
MODEL = os.path.join(FIXTURES, "models", "qwen3-8b")
H100 = os.path.join(ENVS, "host-580-h100.yaml")
MESSAGE = "ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory"
CALLS = [
    ("scan", {"env": SEED}, ["scan", "--env", SEED, "--json"]),
    ("check", {"env": SEED}, ["check", "--env", SEED, "--json"]),
    ("recommend", {"target": "tensorrt-llm", "env": SEED}, ["recommend", "--target", "tensorrt-llm", "--env", SEED, "--json"]),
    ("recommend", {"target": "vllm", "env": SEED, "venv": "/workspace/vllm", "find_links": ["/wheels"], "no_index": True},
     ["recommend", "--target", "vllm", "--env", SEED, "--venv", "/workspace/vllm", "--find-links", "/wheels",
      "--no-index", "--json"]),
    ("explain", {"message": MESSAGE, "env": SEED}, ["explain", MESSAGE, "--env", SEED, "--json"]),
    ("gate", {"policy": POLICY, "env": SEED, "today": "2026-11-01"},
     ["gate", "--policy", POLICY, "--env", SEED, "--today", "2026-11-01", "--json"]),
    ("fit", {"model": MODEL, "env": H100}, ["fit", MODEL, "--env", H100, "--json"]),
    ("fit", {"model": MODEL, "gpu": ["RTX 4090"], "dtype": "fp8", "context": 32768, "batch": 2},
     ["fit", MODEL, "--gpu", "RTX 4090", "--dtype", "fp8", "--context", "32768", "--batch", "2", "--json"]),
    ("explain", {"message": MESSAGE, "env": SEED, "python": "/workspace/venv"},
     ["explain", MESSAGE, "--env", SEED, "--python", "/workspace/venv", "--json"]),
]


def session_results(calls):
    """Start the real server, list its tools, make each call; return (tool names, results)."""
    async def go():
        params = StdioServerParameters(command=sys.executable, args=["-m", "envcheck", "mcp"], cwd=REPO,
                                       env=dict(os.environ, PYTHONPATH=REPO))
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                listed = await session.list_tools()
                out = [await session.call_tool(name, args) for name, args in calls]
                return [t.name for t in listed.tools], out
    return asyncio.run(asyncio.wait_for(go(), timeout=120))


@pytest.fixture(scope="module")
def answers():
    extra = [("recommend", {"target": "nope", "env": SEED}), ("scan", {"env": "/nonexistent/pod.json"}),
             ("check", {}), ("fit", {"model": MODEL, "env": H100, "gpu": ["RTX 4090"]}),
             ("fit", {"model": MODEL, "gpu": ["RTX 4090"], "dtype": "fp4"})]
    return session_results([(n, a) for n, a, _ in CALLS] + extra)


def test_lists_the_read_only_tools(answers):
    names, _ = answers
    assert {"scan", "check", "recommend", "explain", "gate", "fit"} <= set(names)
    assert "apply" not in names


@pytest.mark.parametrize("i", range(len(CALLS)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_each_tool_returns_the_cli_json_document_and_a_summary(answers, run_cli, i):
    _name, _args, cli = CALLS[i]
    res = answers[1][i]
    assert not res.is_error, res.content[0].text
    rc, out, err = run_cli(*cli)
    want = json.loads(out)
    got = res.structured_content
    assert got == want
    summary, text = res.content[0].text, res.content[1].text
    assert json.loads(text) == got and 20 < len(summary) < 1500 and not summary.lstrip().startswith("{")


def test_summaries_say_what_matters(answers):
    res = answers[1]
    assert "findings:" in res[1].content[0].text and "fail" in res[1].content[0].text
    assert res[2].content[0].text.startswith("Best path for tensorrt-llm: #1 wheel 0.19.0 (ok)")
    assert "does not run them" in res[2].content[0].text
    assert "libcublasLt.so.13" in json.dumps(res[4].structured_content)
    assert res[5].content[0].text.startswith("Gate FAIL")
    assert res[6].content[0].text.startswith(MODEL + " at bf16") and "fits on one GPU" in res[6].content[0].text
    assert res[6].structured_content["fits"] is True and res[6].structured_content["how"] == "single-gpu"
    assert res[7].structured_content["dtype"] == "fp8" and res[7].structured_content["context"] == 32768


def test_bad_input_is_a_tool_error_not_a_dead_server(answers):
    bad_target, bad_env = answers[1][len(CALLS)], answers[1][len(CALLS) + 1]
    assert bad_target.is_error and "unknown target 'nope'" in bad_target.content[0].text
    assert bad_env.is_error and "/nonexistent/pod.json: cannot read" in bad_env.content[0].text


def test_without_env_the_server_scans_its_own_machine(answers):
    res = answers[1][len(CALLS) + 2]
    assert not res.is_error and res.structured_content["environment_source"] == "scan of this machine"
    assert res.content[0].text.startswith("scan of this machine: findings:")


def test_without_the_sdk_or_on_old_python_the_command_says_what_to_do(run_cli, tmp_path):
    """An `mcp` that is not the SDK on the path: the command names the extra, exit 2, no traceback."""
    fake = tmp_path / "mcp"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    rc, out, err = run_cli("mcp", env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"})
    assert rc == 2 and "pip install 'envcheck[mcp]'" in err and "Traceback" not in err


def test_fit_input_errors_are_tool_errors(answers):
    both, bad_dtype = answers[1][len(CALLS) + 3], answers[1][len(CALLS) + 4]
    assert both.is_error and "--env and --gpu exclude each other" in both.content[0].text
    assert bad_dtype.is_error and "dtype 'fp4': one of bf16" in bad_dtype.content[0].text
