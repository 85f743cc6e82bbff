"""Host: OS (os-release), kernel, architecture, glibc (from libc's file, without running ldd), CPUs, memory."""
from __future__ import annotations

import hashlib
import hmac
import os
import platform
import re
import socket
from typing import Dict, Optional

from envcheck.model import Host
from envcheck.probes import ProbeContext, reason
from envcheck.versions import parse

LIBC_DIRS = ("/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib/aarch64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
             "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib")
_GLIBC_IN_ELF = re.compile(rb"GNU C Library[^\n]*?version (\d+\.\d+)")
_GLIBC_FILE = re.compile(r"^(?:libc|ld)-(\d+\.\d+)\.so$")
# machine-id(5): 32 lower-case hex characters; "uninitialized" (systemd's first boot) and empty files are no id
_MACHINE_ID = re.compile(r"^[0-9a-f]{32}$")
# envcheck's fixed application id: the key material of the derived id (machine-id(5) asks applications to hash
# the id with an application-specific key rather than expose it; systemd's sd_id128_get_machine_app_specific()
# does it with HMAC-SHA256 keyed by the machine id)
_APP_ID = bytes.fromhex("5f0c8a3e2b7d4e91a6c1d08e7f3b2a64")
_HOSTNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,252}$")


def parse_os_release(text: str) -> Dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, _, v = line.partition("=")
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        out[k.strip()] = v
    return out


def glibc_version(root) -> Optional[str]:
    """glibc's version from libc-X.Y.so (old layouts) or the version banner inside libc.so.6."""
    for d in LIBC_DIRS:
        for path in root.glob(d, "libc-*.so") + root.glob(d, "ld-2.*.so"):
            m = _GLIBC_FILE.match(os.path.basename(path))
            if m:
                return m.group(1)
    for d in LIBC_DIRS:
        path = d + "/libc.so.6"
        if root.is_file(path):
            try:
                data = root.read_bytes(path, 8 << 20)
            except OSError:
                continue
            m = _GLIBC_IN_ELF.search(data)
            if m:
                return m.group(1).decode()
    return None


def probe(ctx: ProbeContext, env) -> dict:
    root = ctx.root
    errors: Dict[str, str] = {}
    os_name = os_id = os_version = None
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            rel = parse_os_release(root.read_text(path))
        except OSError as exc:
            errors["os"] = reason(exc)
            continue
        os_name = rel.get("PRETTY_NAME") or rel.get("NAME")
        os_id, os_version = rel.get("ID"), rel.get("VERSION_ID")
        errors.pop("os", None)
        break

    kernel = arch = None
    try:
        kernel = root.read_text("/proc/sys/kernel/osrelease").strip() or None
    except OSError as exc:
        if root.live:
            kernel = platform.release() or None
        else:
            errors["kernel"] = reason(exc)
    if root.live:
        arch = platform.machine() or None
    else:
        arch = _arch_from_tree(root)

    cpus = None
    if root.live:
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count()
    else:
        try:
            text = root.read_text("/proc/cpuinfo")
            cpus = sum(1 for line in text.splitlines() if line.startswith("processor")) or None
        except OSError as exc:
            errors["cpus"] = reason(exc)

    memory_gib = None
    try:
        for line in root.read_text("/proc/meminfo").splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / (1 << 20), 1)
                break
    except (OSError, ValueError, IndexError) as exc:
        errors["memory"] = reason(exc)

    glibc = glibc_version(root)
    if glibc is None:
        errors["glibc"] = "no libc.so.6 with a version banner found (musl or an unusual layout)"
    return {"host": Host(os=os_name, os_id=os_id, os_version=os_version, kernel=kernel, arch=arch,
                         glibc=parse(glibc), cpus=cpus, memory_gib=memory_gib, errors=errors or None,
                         hostname=hostname(root), machine_id=machine_id(root))}


def hostname(root) -> Optional[str]:
    """The kernel's hostname (the UTS namespace's: in a container, the container's), else /etc/hostname."""
    for path in ("/proc/sys/kernel/hostname", "/etc/hostname"):
        try:
            text = root.read_text(path, limit=4096).strip()
        except OSError:
            continue
        if _HOSTNAME.match(text):
            return text
    if root.live:
        name = socket.gethostname()
        return name if _HOSTNAME.match(name or "") else None
    return None


def machine_id(root) -> Optional[str]:
    """An id derived from machine-id(5) (/etc/machine-id, else /var/lib/dbus/machine-id): HMAC-SHA256 keyed by the
    machine id over envcheck's application id, first 128 bits in hex. Stable per machine, never the raw id."""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            text = root.read_text(path, limit=4096).strip()
        except OSError:
            continue
        if _MACHINE_ID.match(text):
            return app_specific_id(text)
    return None


def app_specific_id(raw: str) -> str:
    return hmac.new(bytes.fromhex(raw), _APP_ID, hashlib.sha256).hexdigest()[:32]


def _arch_from_tree(root) -> Optional[str]:
    for arch in ("x86_64", "aarch64"):
        if root.is_dir(f"/lib/{arch}-linux-gnu") or root.is_dir(f"/usr/lib/{arch}-linux-gnu"):
            return arch
    return None
