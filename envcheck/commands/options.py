"""Options shared by the commands that need an Environment and the matrix."""
from __future__ import annotations

import functools

import click

from envcheck.errors import InputError


def environment_options(fn):
    """--env FILE | --root DIR, --search DIR, --exec, --matrix DIR."""
    @click.option("--env", "env_file", metavar="FILE", help="Use a saved scan (JSON) or a hand-written description (JSON/YAML) instead of probing.")
    @click.option("--root", "root", metavar="DIR", help="Scan another filesystem (an image's rootfs, a fixture): files only, no NVML, no subprocess.")
    @click.option("--search", "search", metavar="DIR", multiple=True, help="Another place to look for Python environments (repeatable).")
    @click.option("--exec", "exec_pythons", is_flag=True, help="Also run each interpreter once (isolated, with a timeout) to confirm what the files say.")
    @click.option("--matrix", "matrix_dirs", metavar="DIR", multiple=True, help="Overlay your own matrix rows (repeatable).")
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def load_matrix_or_fail(matrix_dirs):
    from envcheck.knowledge import MatrixError, load_matrix

    try:
        return load_matrix(matrix_dirs)
    except MatrixError as exc:
        raise InputError(str(exc)) from None


def progress_printer(enabled: bool):
    if not enabled:
        return None

    def show(name: str):
        click.echo(f"\r  probing {name:<12}", err=True, nl=False)
    return show
