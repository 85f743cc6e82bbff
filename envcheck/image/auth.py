"""Registry credentials the way docker finds them: ~/.docker/config.json (or $DOCKER_CONFIG/config.json) `auths`,
then `credHelpers`/`credsStore` through `docker-credential-<helper> get` (a subprocess with a timeout, the
registry's host name on stdin). Anonymous when nothing matches; bearer tokens are fetched per WWW-Authenticate."""
from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from typing import Dict, Optional, Tuple

from envcheck.documents import Bounds, DocumentError, load_json, parse_json

SMALL_JSON = Bounds(max_bytes=1 << 20)     # docker's config.json, daemon.json

DOCKER_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


def _config(environ=None) -> dict:
    environ = os.environ if environ is None else environ
    d = environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    try:      # a regular file only (a FIFO there would block), 1 MiB, the bounded loader
        doc = load_json(os.path.join(d, "config.json"), SMALL_JSON, "docker's config.json")
        return doc if isinstance(doc, dict) else {}
    except DocumentError:
        return {}


def _keys(host: str):
    if host in ("registry-1.docker.io", "docker.io", "index.docker.io"):
        return DOCKER_HUB_KEYS
    return (host, "https://" + host, "http://" + host, "https://" + host + "/v1/")


def _helper(name: str, host: str, timeout: float) -> Optional[Tuple[str, str]]:
    exe = shutil.which(f"docker-credential-{name}")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or exe is None:
        return None
    try:
        p = subprocess.run([exe, "get"], input=host.encode(), capture_output=True, timeout=timeout,
                           env={k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "DBUS_SESSION_BUS_ADDRESS",
                                                                              "XDG_RUNTIME_DIR")})
    except (OSError, subprocess.TimeoutExpired):
        return None
    if p.returncode != 0:
        return None
    try:
        doc = parse_json(p.stdout[:1 << 20].decode("utf-8"), f"docker-credential-{name}")
        return str(doc["Username"]), str(doc["Secret"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, DocumentError):
        return None


def credentials(host: str, environ=None, timeout: float = 10.0) -> Optional[Tuple[str, str]]:
    """(username, password-or-token) for a registry host, or None (anonymous)."""
    cfg = _config(environ)
    helpers: Dict[str, str] = cfg.get("credHelpers") if isinstance(cfg.get("credHelpers"), dict) else {}
    for k in _keys(host):
        if k in helpers:
            return _helper(str(helpers[k]), k if k in DOCKER_HUB_KEYS[:1] else host, timeout)
    auths = cfg.get("auths") if isinstance(cfg.get("auths"), dict) else {}
    for k in _keys(host):
        a = auths.get(k)
        if isinstance(a, dict):
            if a.get("identitytoken"):
                return "<token>", str(a["identitytoken"])
            if a.get("auth"):
                try:
                    user, _, pw = base64.b64decode(a["auth"]).decode("utf-8").partition(":")
                    return user, pw
                except (ValueError, UnicodeDecodeError):
                    return None
            if a.get("username") and a.get("password"):
                return str(a["username"]), str(a["password"])
    if isinstance(cfg.get("credsStore"), str):
        return _helper(cfg["credsStore"], DOCKER_HUB_KEYS[0] if host in DOCKER_HUB_KEYS + ("registry-1.docker.io",)
                       else host, timeout)
    return None


def parse_challenge(header: str) -> Tuple[str, Dict[str, str]]:
    """'Bearer realm="...",service="...",scope="..."' -> ('bearer', {...})."""
    scheme, _, rest = (header or "").strip().partition(" ")
    params = dict((k.lower(), v) for k, v in re.findall(r'(\w+)="([^"]*)"', rest))
    return scheme.lower(), params
