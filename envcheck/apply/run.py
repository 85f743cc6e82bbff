"""Running a plan's steps, one `bash -c` each, as if pasted one after another into one terminal.

Why `bash -c` and not an argument list: the commands are the shell text `envcheck recommend` prints for pasting
(quotes, `&&`, `$LD_LIBRARY_PATH`, trailing `# comments`); running that same text through bash is the only way
to run what the user would run. Bash explicitly (not /bin/sh, which is dash on Debian/Ubuntu): the text is
written for bash, the shell a terminal gives. One terminal means state carries: after each step its working
directory and exported variables are read back and given to the next step (`git clone ... && cd TensorRT-LLM`,
then `cd ..`; `export LD_LIBRARY_PATH=...` for forward compatibility). The environment is passed explicitly, stdin
is /dev/null (nothing may wait for a prompt), each step has a timeout after which its whole process group is
killed, and its output (stdout and stderr together) is streamed line by line while the last lines are kept for
the failure report.
"""
from __future__ import annotations

import collections
import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from envcheck.apply.plan import Step

TAIL_LINES = 20
# the step's text runs through `eval` in a wrapper that then saves the shell's directory and environment: the
# text is bash's to parse exactly as pasted; only the wrapper's own two lines are added around it
WRAPPER = 'eval "$1"\n__envcheck_rc=$?\npwd > "$2/cwd"\nenv -0 > "$2/env"\nexit $__envcheck_rc\n'
SHELL_OWN = ("_", "SHLVL", "PWD", "OLDPWD", "__envcheck_rc")


@dataclass(frozen=True)
class StepResult:
    step: Step
    returncode: Optional[int]   # None: not run (a manual step)
    seconds: float
    tail: Tuple[str, ...]       # the last lines of its output
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode in (0, None) and not self.timed_out

    def to_dict(self) -> dict:
        return {"step": self.step.number, "command": self.step.command, "manual": self.step.manual,
                "exit_code": self.returncode, "seconds": round(self.seconds, 2), "timed_out": self.timed_out,
                "tail": list(self.tail)}


@dataclass
class Shell:
    """What carries from step to step: the working directory and the environment."""
    cwd: str
    env: Dict[str, str]


def start_shell(cwd: Optional[str] = None, environ: Optional[Dict[str, str]] = None) -> Shell:
    env = dict(os.environ if environ is None else environ)
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    env["PIP_NO_INPUT"] = "1"           # pip never waits for an answer that cannot come
    env["DEBIAN_FRONTEND"] = "noninteractive"
    return Shell(cwd=os.path.abspath(cwd or os.getcwd()), env=env)


def run_step(step: Step, shell: Shell, timeout: float, echo: Callable[[str], None] = print,
             bash: str = "bash") -> StepResult:
    if step.manual:
        return StepResult(step, None, 0.0, ())
    tail: collections.deque = collections.deque(maxlen=TAIL_LINES)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="envcheck-apply-") as state:
        proc = subprocess.Popen([bash, "-c", WRAPPER, "envcheck-step", step.command, state],
                                cwd=shell.cwd, env=shell.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)

        def pump():
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                tail.append(line)
                echo(line)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        timed_out = False
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            rc = proc.wait()
        reader.join(timeout=5)
        proc.stdout.close()
        if not timed_out:
            _carry(shell, state)
    return StepResult(step, rc, time.monotonic() - started, tuple(tail), timed_out)


def _kill_group(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


def _carry(shell: Shell, state: str) -> None:
    """The step's final directory and environment become the next step's (bounded reads: 1 MiB)."""
    try:
        with open(os.path.join(state, "cwd"), "rb") as fh:
            cwd = fh.read(1 << 16).decode("utf-8", "replace").strip()
        if cwd and os.path.isdir(cwd):
            shell.cwd = cwd
    except OSError:
        pass
    try:
        with open(os.path.join(state, "env"), "rb") as fh:
            raw = fh.read(1 << 20)
    except OSError:
        return
    env: Dict[str, str] = {}
    for item in raw.split(b"\0"):
        name, sep, value = item.decode("utf-8", "replace").partition("=")
        if sep and name and name not in SHELL_OWN:
            env[name] = value
    if env:
        shell.env = env


def run_steps(steps: Sequence[Step], shell: Shell, timeout: float, echo: Callable[[str], None] = print,
              announce: Optional[Callable[[Step], None]] = None) -> List[StepResult]:
    """Run steps in order; stop after the first that fails. Returns the results of the steps that ran."""
    done: List[StepResult] = []
    for step in steps:
        if announce is not None:
            announce(step)
        res = run_step(step, shell, timeout, echo)
        done.append(res)
        if not res.ok:
            break
    return done
