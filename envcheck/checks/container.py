"""Rules about the container: what it may do, and so which install paths it rules out (Docker-in-Docker)."""
from __future__ import annotations

from envcheck.findings import Finding, fact, register

DIND = register("dind-impossible", "warn", "Docker-in-Docker cannot run in this container",
    """dockerd needs CAP_SYS_ADMIN to mount overlay filesystems ('failed to mount overlay: operation not
    permitted') and CAP_NET_ADMIN to set up iptables ('iptables failed: Permission denied (you must be root)').
    An unprivileged container has neither, and cannot gain them from inside. Use the image as the machine's base
    image instead (a RunPod template, a Kubernetes pod spec), or install a pip wheel into a venv.""")
PRIVILEGED = register("container-privileged", "info", "The container is privileged",
    """All capabilities and no seccomp filter: Docker-in-Docker and overlay mounts work here.""")
DOCKER_SOCKET = register("docker-socket-mounted", "info", "The host's Docker socket is mounted",
    """/var/run/docker.sock lets this container start sibling containers on the host's daemon (no DinD needed),
    with the host's full power.""")
ROOTLESS = register("rootless-containers", "info", "What daemonless, rootless container tools can do here",
    """Rootless podman/buildah need unprivileged user namespaces (and /dev/fuse for fuse-overlayfs); the default
    Docker seccomp profile blocks creating them without CAP_SYS_ADMIN. udocker-style tools (PRoot) need neither.""")


def _has(caps, name):
    return caps is not None and name in caps


def docker_in_docker(env, matrix):
    c = env.container
    if c is None or not c.in_container:
        return
    if c.privileged:
        yield Finding(PRIVILEGED, "info", "Privileged container: Docker-in-Docker can run here",
                      evidence=(fact("container.privileged", True),))
        return
    if c.capabilities is None:
        return
    missing = [cap for cap in ("CAP_SYS_ADMIN", "CAP_NET_ADMIN") if not _has(c.capabilities, cap)]
    if not missing:
        return
    consequences = []
    if "CAP_SYS_ADMIN" in missing:
        consequences.append("no overlay mount ('failed to mount overlay: operation not permitted')")
    if "CAP_NET_ADMIN" in missing:
        consequences.append("no iptables ('iptables failed: Permission denied')")
    vendor = c.vendor
    base_fix = {  # console steps, not commands: written as comments so a paste runs nothing by accident
        "runpod": "# RunPod console: Templates > New Template > Container Image = nvcr.io/nvidia/tensorrt-llm/release:<tag>"
                  " (the image becomes the pod)",
        "kubernetes": "# Kubernetes: make nvcr.io/nvidia/tensorrt-llm/release:<tag> the pod's container image, with "
                      "resources.limits nvidia.com/gpu: 1",
    }.get(vendor or "", "# run the image as the machine's own container (its base image), not inside this one")
    yield Finding(DIND, "warn", f"Docker-in-Docker is impossible here: {'; '.join(consequences)}",
                  evidence=(fact("container.in_container", True), fact("container.runtime", c.runtime),
                            f"container.capabilities lacks {', '.join(missing)}",
                            fact("container.seccomp", c.seccomp)),
                  why="`docker pull`/`docker run` of NGC images fails inside this container; capabilities cannot be gained from inside.",
                  fix=(base_fix, "envcheck recommend --target tensorrt-llm    # wheel paths that need no Docker"))


def docker_socket(env, matrix):
    c = env.container
    if c is not None and c.docker_socket:
        yield Finding(DOCKER_SOCKET, "info", "The Docker socket is mounted: sibling containers can be started on the host",
                      evidence=(fact("container.docker_socket", True),),
                      why="That socket is root on the host: keep it out of untrusted pods.",
                      fix=("docker -H unix:///var/run/docker.sock ps",))


def rootless(env, matrix):
    c = env.container
    if c is None or not c.in_container or c.privileged or c.capabilities is None:
        return
    userns = c.user_namespaces
    seccomp_blocks = c.seccomp == "filter" and not _has(c.capabilities, "CAP_SYS_ADMIN")
    can_podman = bool(userns) and not seccomp_blocks
    parts = [f"rootless podman/buildah: {'possible' if can_podman else 'no'}"
             + ("" if can_podman else (" (seccomp filter blocks new user namespaces without CAP_SYS_ADMIN)"
                                       if seccomp_blocks else " (unprivileged user namespaces are off)")),
             f"fuse-overlayfs: {'yes' if c.fuse else 'no /dev/fuse'}",
             "udocker (PRoot, no namespaces): yes"]
    yield Finding(ROOTLESS, "info", "Daemonless tools: " + "; ".join(parts),
                  evidence=(fact("container.user_namespaces", userns), fact("container.seccomp", c.seccomp),
                            fact("container.fuse", c.fuse)),
                  why="These run an image's files without Docker, but GPU images still need the host's driver libraries mounted.",
                  fix=("pip install udocker && udocker install    # then: udocker pull <image>; udocker run <image>",))


RULES = [docker_in_docker, docker_socket, rootless]
