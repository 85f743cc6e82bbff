"""Container: is this a container, which runtime, what it may do (capabilities, seccomp, user namespaces, the
docker socket, /dev/fuse), and cloud-vendor hints from environment variable NAMES (values are never read)."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from envcheck.model import Container
from envcheck.probes import ProbeContext, reason

# linux/capability.h, bit -> name
CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
)
SECCOMP_MODES = {"0": "disabled", "1": "strict", "2": "filter"}

# environment variable NAME (or prefix ending in '*') -> vendor. Only names are looked at.
VENDOR_HINTS: Tuple[Tuple[str, str], ...] = (
    ("RUNPOD_POD_ID", "runpod"), ("RUNPOD_*", "runpod"),
    ("COLAB_RELEASE_TAG", "colab"), ("COLAB_GPU", "colab"), ("COLAB_*", "colab"),
    ("VAST_CONTAINERLABEL", "vast"), ("VAST_*", "vast"),
    ("LAMBDA_LABS_*", "lambda"), ("LAMBDA_CLOUD_*", "lambda"),
    ("PAPERSPACE_*", "paperspace"), ("SM_CURRENT_HOST", "sagemaker"), ("SAGEMAKER_*", "sagemaker"),
    ("MODAL_*", "modal"), ("KAGGLE_KERNEL_RUN_TYPE", "kaggle"),
    ("KUBERNETES_SERVICE_HOST", "kubernetes"),
)


def decode_caps(hex_mask: str) -> Tuple[str, ...]:
    mask = int(hex_mask, 16)
    return tuple(name for bit, name in enumerate(CAPABILITIES) if mask >> bit & 1) + tuple(
        f"CAP_{bit}" for bit in range(len(CAPABILITIES), 64) if mask >> bit & 1)


def parse_status(text: str) -> Dict[str, str]:
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            out[k.strip()] = v.strip()
    return out


def vendor_from_names(names) -> Tuple[Optional[str], Tuple[str, ...]]:
    hits: List[Tuple[str, str]] = []
    for name in sorted(names):
        for pattern, vendor in VENDOR_HINTS:
            if (pattern.endswith("*") and name.startswith(pattern[:-1])) or name == pattern:
                hits.append((name, vendor))
                break
    if not hits:
        return None, ()
    # a cloud vendor beats "kubernetes" (RunPod and others run on Kubernetes)
    vendors = [v for _, v in hits]
    vendor = next((v for v in vendors if v != "kubernetes"), vendors[0])
    return vendor, tuple(n for n, _ in hits)


_CGROUP_RUNTIME = (("docker", "docker"), ("kubepods", "kubernetes"), ("containerd", "containerd"),
                   ("libpod", "podman"), ("crio", "cri-o"), ("lxc", "lxc"))


def probe(ctx: ProbeContext, env) -> dict:
    root = ctx.root
    errors: Dict[str, str] = {}
    evidence: List[str] = []
    runtime: Optional[str] = None

    if root.exists("/.dockerenv"):
        evidence.append("/.dockerenv exists")
        runtime = "docker"
    if root.exists("/run/.containerenv"):
        evidence.append("/run/.containerenv exists")
        runtime = "podman"
    for path in ("/proc/1/cgroup", "/proc/self/cgroup"):
        try:
            text = root.read_text(path)
        except OSError:
            continue
        for needle, name in _CGROUP_RUNTIME:
            if needle in text:
                evidence.append(f"{path} mentions {needle}")
                runtime = runtime or name
                break
        break
    try:
        mounts = root.read_text("/proc/self/mountinfo")
        root_line = next((ln for ln in mounts.splitlines() if len(ln.split()) > 4 and ln.split()[4] == "/"), "")
        if " - overlay " in root_line:
            evidence.append("/ is an overlay filesystem")
    except OSError:
        pass
    environ = root.environ()
    vendor, vendor_names = vendor_from_names(environ.keys())
    if "KUBERNETES_SERVICE_HOST" in environ:
        evidence.append("KUBERNETES_SERVICE_HOST is set")
        runtime = "kubernetes" if runtime in (None, "containerd", "cri-o", "docker") else runtime
    if environ.get("container"):  # systemd's convention; the NAME decides, the value is a runtime name
        evidence.append("$container is set")
        runtime = runtime or "container"
    in_container = bool(evidence) if (evidence or root.exists("/proc/self/status")) else None

    caps = bounding = None
    seccomp = uid = None
    no_new_privs = None
    try:
        st = parse_status(root.read_text("/proc/self/status"))
        if "CapEff" in st:
            caps = decode_caps(st["CapEff"])
        if "CapBnd" in st:
            bounding = decode_caps(st["CapBnd"])
        seccomp = SECCOMP_MODES.get(st.get("Seccomp", ""), None)
        if "NoNewPrivs" in st:
            no_new_privs = st["NoNewPrivs"] == "1"
        if "Uid" in st:
            uid = int(st["Uid"].split()[1])
    except OSError as exc:
        errors["status"] = reason(exc)
    except (ValueError, IndexError) as exc:
        errors["status"] = f"unreadable /proc/self/status: {exc}"

    privileged = None
    if bounding is not None:
        full = all(c in bounding for c in CAPABILITIES[:38])
        privileged = full and seccomp in ("disabled", None)

    userns = _userns_allowed(root, errors)
    # Sockets and device nodes are mounted when a container starts: a --root tree (an image's files) lacking them
    # says nothing about the running container, so there absent means unknown; present still means present.
    sock = root.exists("/var/run/docker.sock") or root.exists("/run/docker.sock")
    fuse = root.exists("/dev/fuse")
    if not root.live:
        sock, fuse = (True if sock else None), (True if fuse else None)
    return {"container": Container(
        runtime=runtime or ("none" if in_container is False else None), in_container=in_container,
        privileged=privileged, capabilities=caps, bounding=bounding, seccomp=seccomp, no_new_privs=no_new_privs,
        user_namespaces=userns, docker_socket=sock, fuse=fuse, uid=uid, vendor=vendor, vendor_hints=vendor_names or None,
        evidence=tuple(evidence) or None, errors=errors or None)}


def _userns_allowed(root, errors) -> Optional[bool]:
    answer = None
    try:
        answer = int(root.read_text("/proc/sys/user/max_user_namespaces").strip() or "0") > 0
    except (OSError, ValueError) as exc:
        errors["user_namespaces"] = reason(exc)
    try:  # Debian/Ubuntu switch
        if root.read_text("/proc/sys/kernel/unprivileged_userns_clone").strip() == "0":
            answer = False
    except OSError:
        pass
    try:  # Ubuntu 23.10+ AppArmor restriction
        if root.read_text("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").strip() == "1":
            answer = False
    except OSError:
        pass
    if answer is not None:
        errors.pop("user_namespaces", None)
    return answer
