"""Getting the Environment a question is about: probing this machine (or a --root tree), loading a saved or
hand-written document, or reading an image's files (alone or on a host)."""
from __future__ import annotations

import os
from typing import Callable, Optional, Sequence, Tuple

from envcheck.model.document import load_env_file
from envcheck.errors import InputError
from envcheck.model import Environment


def acquire(env_file: Optional[str] = None, root: Optional[str] = None, search: Sequence[str] = (),
            exec_pythons: bool = False, debug: bool = False,
            progress: Optional[Callable[[str], None]] = None) -> Tuple[Environment, str]:
    """(Environment, a phrase saying where it came from)."""
    if env_file and root:
        raise InputError("--env and --root exclude each other: --env reads a saved scan, --root scans a tree")
    if env_file:
        return load_env_file(env_file), f"from {env_file}"
    from envcheck.probes import ProbeContext, scan
    from envcheck.root import Root

    if root is not None:
        if not os.path.isdir(root):
            raise InputError(f"--root {root}: no such directory")
        r = Root(root, live=False)
    else:
        r = Root("/")
    ctx = ProbeContext(root=r, search=tuple(search), exec_pythons=exec_pythons, debug=debug, progress=progress)
    env = scan(ctx)
    return env, (f"scan of {root} (files only)" if root is not None else "scan of this machine")


def acquire_image(image: str, platform: str = "linux/amd64", host_file: Optional[str] = None,
                  on_this_machine: bool = False, search: Sequence[str] = (), debug: bool = False,
                  draw=None, progress: Optional[Callable[[str], None]] = None) -> Tuple[Environment, str]:
    """An image's files as an Environment; with a host (a saved scan, or this machine), merged image-on-host."""
    from envcheck.probes.image import scan_image
    from envcheck.image.limits import Limits
    from envcheck.model.merge import image_on_host, label

    host_env = load_env_file(host_file) if host_file else None   # a bad --host fails before the image is read
    env = scan_image(image, platform, Limits.from_environ(), draw, search, debug, progress)
    if draw:
        import click
        click.echo("\r" + " " * 90 + "\r", err=True, nl=False)
    if host_env is None and on_this_machine:
        host_env, _ = acquire(debug=debug)
    shown = f"image {image}" + (f" ({env.image.digest})" if env.image is not None and env.image.digest else "")
    if host_env is None:
        return env, f"{shown} (files only)"
    where = label(host_file)
    return image_on_host(env, host_env, where), f"{shown} on {where}"
