"""Options shared by the commands that need an Environment and the matrix."""
from __future__ import annotations

import functools

import click


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


def image_options(fn):
    """--image REF, --platform, --host FILE (scan, check, gate)."""
    @click.option("--image", "image", metavar="REF", help="Read a container image without running it: an OCI layout dir, a docker/podman save archive (.tar, .tar.gz), a registry reference, or docker://NAME.")
    @click.option("--platform", "platform", metavar="OS/ARCH", default="linux/amd64", show_default=True, help="With --image: which manifest of a multi-platform image.")
    @click.option("--host", "host_file", metavar="FILE", help="With --image: judge the image on this node (a saved `envcheck scan --json`); check/gate default to this machine.")
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def image_progress(enabled: bool):
    """A progress bar on stderr for reading an image: bytes read of the total, MB/s."""
    if not enabled:
        return None
    import time
    start = time.monotonic()

    def draw(done: int, total: int):
        secs = max(time.monotonic() - start, 1e-6)
        frac = min(done / total, 1.0) if total else 0.0
        bar = "#" * int(frac * 30)
        click.echo(f"\r  image [{bar:<30}] {done / 1e6:9.1f}/{total / 1e6:.1f} MB  {done / 1e6 / secs:6.1f} MB/s",
                   err=True, nl=False)
    return draw
