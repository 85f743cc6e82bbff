"""docker://NAME: the image from a local Docker daemon, when one answers (GET /images/NAME/get over its Unix
socket streams the same archive `docker save` writes). Plain http.client over AF_UNIX with a timeout: the docker
SDK would add a dependency for this one call."""
from __future__ import annotations

import http.client
import os
import socket
import urllib.parse

from envcheck.image.limits import ImageError, Limits


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.path_ = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path_)
        self.sock = s


def socket_path() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        raise ImageError(f"DOCKER_HOST={host}: only a local Unix socket is supported for docker://")
    return host[len("unix://"):]


class DaemonSource:
    kind = "docker-daemon"
    size = None

    def __init__(self, name: str, limits: Limits):
        if not name:
            raise ImageError("docker://NAME: no image name")
        self.name = name
        self.tag = None          # the daemon streams exactly the one image asked for
        self.limits = limits

    def open(self, progress):
        path = socket_path()
        if not os.path.exists(path):
            raise ImageError(f"docker://{self.name}: no Docker daemon here ({path} does not exist); save the image "
                             f"elsewhere (docker save -o img.tar {self.name}) or read it from its registry")
        conn = _UnixConnection(path, self.limits.timeout_s)
        try:
            conn.request("GET", "/images/" + urllib.parse.quote(self.name, safe="") + "/get")
            resp = conn.getresponse()
        except OSError as exc:
            conn.close()
            raise ImageError(f"docker://{self.name}: the daemon at {path} did not answer ({exc})") from None
        if resp.status != 200:
            body = resp.read(4096).decode("utf-8", "replace").strip()
            conn.close()
            raise ImageError(f"docker://{self.name}: the daemon answered {resp.status}: {body[:200]}")
        from envcheck.image.progressed import Progressed
        return Progressed(resp, progress, closer=conn.close, chunk=1 << 20)

    def close(self):
        pass
