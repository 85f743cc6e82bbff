"""What a question reads: this machine, a `--root` tree, a saved `--env` document, or an `--image` (on `--host` or
this machine); where to search, which matrix overlays, whether to run interpreters (`--exec`). Validated once."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Optional, Sequence, Tuple

from envcheck.errors import InputError


@dataclass(frozen=True)
class Inputs:
    env_file: Optional[str] = None
    root: Optional[str] = None
    search: Tuple[str, ...] = ()
    exec_pythons: bool = False
    matrix_dirs: Tuple[str, ...] = ()
    debug: bool = False
    image: Optional[str] = None
    platform: str = "linux/amd64"
    host_file: Optional[str] = None
    host_default: bool = False      # an image without --host runs on this machine's facts

    def __post_init__(self):
        object.__setattr__(self, "search", tuple(self.search or ()))
        object.__setattr__(self, "matrix_dirs", tuple(self.matrix_dirs or ()))
        if self.image is not None and not self.image.strip():
            raise InputError("--image '': an empty image reference; name an OCI layout directory, a save archive, "
                             "docker://NAME or a registry reference")
        if self.image:
            if self.env_file or self.root:
                raise InputError("--image reads the image's files: use --host FILE (not --env/--root) for the node")
        elif self.host_file:
            raise InputError("--host FILE goes with --image REF (the node an image will run on)")

    @classmethod
    def on_node(cls, host_file: Optional[str] = None, **kw) -> "Inputs":
        """`recommend --host FILE`: the node is a saved scan, read as --env (its --image refs are judged on it)."""
        if host_file:
            if kw.get("env_file") or kw.get("root") is not None:
                raise InputError("--host FILE is the node (a saved scan): give it once, not with --env/--root")
            kw["env_file"] = host_file
        return cls(**kw)

    def searching(self, extra: Sequence[str]) -> "Inputs":
        return replace(self, search=self.search + tuple(extra))

    def matrix(self):
        """The matrix with the overlays; a bad overlay is an input error."""
        from envcheck.matrix.load import MatrixError, load_matrix

        try:
            return load_matrix(self.matrix_dirs)
        except MatrixError as exc:
            raise InputError(str(exc)) from None

    def environment(self, progress: Optional[Callable[[str], None]] = None, draw=None):
        """(Environment, a phrase saying where it came from): the one entry to acquire/acquire_image."""
        from envcheck.app.environment import acquire, acquire_image

        if self.image:
            return acquire_image(self.image, self.platform, self.host_file, self.host_default, self.search,
                                 self.debug, draw, progress)
        return acquire(self.env_file, self.root, self.search, self.exec_pythons, self.debug, progress)
