import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
ROOTS = os.path.join(FIXTURES, "roots")
ENVS = os.path.join(FIXTURES, "envs")
REPO = os.path.dirname(HERE)


@pytest.fixture
def roots():
    return ROOTS


@pytest.fixture
def run_cli():
    """Run the real CLI in a subprocess (as a user would) and return (rc, stdout, stderr)."""
    import subprocess

    def run(*args, env=None, cwd=None):
        full_env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", ENVCHECK_MATRIX_DIR="")
        full_env.pop("ENVCHECK_MATRIX_DIR")
        if env:
            full_env.update(env)
        p = subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True,
                           env=full_env, cwd=cwd or REPO, timeout=120)
        return p.returncode, p.stdout, p.stderr
    return run


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the CLI in this process (faster than run_cli): (exit code, stdout, stderr), with the bundled matrix
    only and no GitHub step summary."""
    from envcheck.cli import main

    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("ENVCHECK_MATRIX_DIR", raising=False)

    def run(*args):
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out, err = capsys.readouterr()
        return exc.value.code, out, err
    return run
