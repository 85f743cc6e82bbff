"""The command line: parse options, call one function, hand the result to a renderer.

Subcommands live in envcheck/commands/ (and envcheck/bench/) and are imported only when run, so
``envcheck --help`` imports nothing heavy.
"""
from __future__ import annotations

import importlib
import signal
import sys
import threading

import click

from envcheck import __version__
from envcheck.errors import EXIT_INTERNAL, EXIT_USAGE, InputError

# name -> ("module:attribute", one-line help shown by `envcheck --help`)
COMMANDS = {
    "scan": ("envcheck.commands.scan:scan", "Probe this machine (or --root DIR, or --env FILE) and report."),
    "check": ("envcheck.commands.scan:check", "Findings only: what is wrong, why, and the fix."),
    "recommend": ("envcheck.commands.recommend:recommend", "Ranked ways to install a target (tensorrt-llm, vllm, ...) here."),
    "apply": ("envcheck.commands.apply:apply", "Run a recommended install path step by step, then prove it worked."),
    "explain": ("envcheck.commands.explain:explain", "Explain an error message and what to do about it here."),
    "gate": ("envcheck.commands.gate:gate", "Pre-deploy CI gate: a policy in, a verdict and an exit code out."),
    "init-policy": ("envcheck.commands.gate:init_policy", "Write a commented starter policy for this machine."),
    "export": ("envcheck.commands.export:export", "The target machine's facts for uv, conda, pixi or pip (lock on one machine for another)."),
    "labels": ("envcheck.commands.fleet:labels", "This node's facts and per-target verdicts as NFD feature labels (Kubernetes)."),
    "fleet": ("envcheck.commands.fleet:fleet", "Across a cluster: scan every node (Ray) and report groups, drift, verdicts."),
    "matrix": ("envcheck.commands.matrix:matrix", "Show, validate, diff or update the compatibility matrix."),
    "fit": ("envcheck.commands.fit:fit", "Will a model (directory or HF id) fit the GPUs: weights, KV cache, headroom, max context."),
    "bench": ("envcheck.bench.cli:bench_command", "Benchmark a MOSS-Speech stub: TTFA and RTF per backend vs the GPU's floor."),
    "mcp": ("envcheck.commands.mcp:mcp_command", "Serve the read-only commands as MCP tools over stdio, for coding agents."),
    "codes": ("envcheck.commands.info:codes", "List every finding code with its explanation."),
    "schema": ("envcheck.commands.info:schema", "Print the JSON Schema of the environment document."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        target, _ = COMMANDS[name]
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ImportError as exc:
            if name == "bench":
                raise InputError(f"bench needs the optional extra: pip install torch matplotlib, or pip install '.[bench]' in envcheck's checkout ({exc})") from None
            raise

    def format_commands(self, ctx, formatter):
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="envcheck")
@click.option("--debug", is_flag=True, help="Show tracebacks of envcheck's own failures.")
@click.pass_context
def cli(ctx, debug):
    """envcheck: can this GPU machine run your inference stack, and how do you get there?

    \b
      envcheck scan                         what this machine has (--json for the document)
      envcheck check                        what is wrong, why, and the fix
      envcheck recommend --target tensorrt-llm
      envcheck gate --policy envcheck-policy.yaml
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


class Stopped(BaseException):
    """SIGTERM arrived: raised in the main thread, like KeyboardInterrupt for SIGINT, so that every `finally` and
    `except BaseException` on the way out runs and the temporary files and directories it guards are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    signal.signal(signum, signal.SIG_IGN)       # a second signal must not cut short the cleanup of the first
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


def _handle_signals() -> dict:
    """SIGTERM (a CI timeout, `kill`, a pod stopping) and SIGINT become exceptions that unwind the stack; returns
    the handlers they replace (main puts them back when it returns, for a caller that runs it in-process)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}


def main(argv=None):
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    previous = _handle_signals()
    try:
        _run(argv, debug)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(argv, debug: bool):
    try:
        rc = cli.main(args=argv, prog_name="envcheck", standalone_mode=False)
    except InputError as exc:
        from envcheck.output import clean

        click.echo(clean(f"envcheck: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):     # click turns Ctrl-C (SIGINT) into Abort
            click.echo("envcheck: interrupted", err=True)
            sys.exit(130)
        click.echo("envcheck: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if exc.exit_code in (1, 2) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Stopped as exc:
        click.echo(f"envcheck: stopped by signal {exc.signum}", err=True)
        sys.exit(128 + exc.signum)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # envcheck's own bug
        if debug:
            raise
        click.echo(f"envcheck: internal error: {type(exc).__name__}: {exc}\n"
                   f"  This is a bug in envcheck. Rerun with --debug for the traceback and report it.", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(rc if isinstance(rc, int) else 0)
