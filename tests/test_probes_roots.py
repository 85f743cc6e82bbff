"""The foundation probes read fixture sysroots through --root exactly as they read `/`."""
import os
import shutil

import pytest

from envcheck.probes import ProbeContext, scan
from envcheck.root import Root
from conftest import ROOTS

ONLY = ("pythons", "libraries", "cuda")  # other probes have their own tests


def scan_root(name, **kw):
    return scan(ProbeContext(root=Root(os.path.join(ROOTS, name), live=False), skip=ONLY, **kw))


def test_runpod_pod_facts():
    env = scan_root("runpod-4090")
    assert env.host.os == "Ubuntu 22.04.4 LTS" and env.host.os_version == "22.04"
    assert str(env.host.glibc) == "2.35"
    assert env.host.cpus == 16 and env.host.memory_gib == pytest.approx(125.7, abs=0.1)
    assert env.host.kernel == "6.8.0-49-generic"
    assert env.host.arch == "x86_64"
    # driver from procfs (no NVML under --root), its CUDA unknown from that source
    assert str(env.driver.version) == "570.195.03" and env.driver.source == "procfs"
    assert env.driver.cuda is None
    assert "not asked" in env.driver.attempts["nvml"]
    assert [g.name for g in env.gpus] == ["NVIDIA GeForce RTX 4090"]
    c = env.container
    assert c.in_container and c.runtime == "docker" and c.vendor == "runpod"
    assert c.privileged is False
    assert "CAP_SYS_ADMIN" not in c.capabilities and "CAP_NET_ADMIN" not in c.capabilities
    assert "CAP_CHOWN" in c.capabilities and len(c.capabilities) == 14  # Docker's default set
    assert c.seccomp == "filter" and c.no_new_privs is False and c.user_namespaces is True
    assert c.docker_socket is None and c.fuse is None  # mounted at start: a file tree cannot tell
    assert "/ is an overlay filesystem" in c.evidence


def test_vendor_hints_are_names_never_values():
    env = scan_root("runpod-4090")
    text = env.to_json()
    assert "RUNPOD_POD_ID" in env.container.vendor_hints
    for secret in ("secretpodid123", "rpa_SECRETVALUE", "hf_SECRETTOKEN"):
        assert secret not in text


def test_privileged_container_with_two_gpus_in_minor_order():
    env = scan_root("privileged-580")
    assert str(env.driver.version) == "580.95.05"  # the open kernel module's version line
    assert [g.bus_id for g in env.gpus] == ["0000:18:00.0", "0000:19:00.0"]
    assert [g.index for g in env.gpus] == [0, 1]
    c = env.container
    assert c.privileged is True and c.seccomp == "disabled"
    assert c.docker_socket is True and c.fuse is True
    assert c.user_namespaces is False
    assert str(env.host.glibc) == "2.39"


def test_vm_without_gpu_is_a_normal_answer():
    env = scan_root("vm-nogpu")
    assert env.driver.version is None and "no NVIDIA driver" in env.driver.error
    assert env.gpus == ()
    assert env.container.in_container is False and env.container.runtime == "none"
    assert str(env.host.glibc) == "2.36"  # from the libc-2.36.so file name
    assert env.host.os == "Debian GNU/Linux 12 (bookworm)"


def test_odd_proc_files_make_facts_unknown_not_the_scan_fail():
    env = scan_root("odd-proc")
    assert env.errors is None  # no probe broke
    assert env.host.os == "Rocky Linux 9.4 (Blue Onyx)"  # /usr/lib/os-release, single quotes
    assert env.host.memory_gib is None and "memory" in env.host.errors
    assert env.host.kernel is None
    assert env.driver.version is None and "no driver version line" in env.driver.attempts["procfs"]
    assert env.container.capabilities is None and "status" in env.container.errors
    assert env.container.seccomp is None


def test_unreadable_status_is_recorded(tmp_path):
    root = tmp_path / "r"
    shutil.copytree(os.path.join(ROOTS, "runpod-4090"), root)
    (root / "proc/self/status").unlink()
    os.symlink("/proc/self/gone", root / "proc/self/status")  # dangling: unreadable whoever we are
    env = scan(ProbeContext(root=Root(str(root), live=False), skip=ONLY))
    assert "status" in env.container.errors and env.container.capabilities is None


def test_symlink_loop_in_root_is_survived(tmp_path):
    root = tmp_path / "r"
    shutil.copytree(os.path.join(ROOTS, "vm-nogpu"), root)
    (root / "etc/os-release").unlink()
    os.symlink("/etc/loop-b", root / "etc/loop-a")
    os.symlink("/etc/loop-a", root / "etc/loop-b")
    os.symlink("/etc/loop-a", root / "etc/os-release")
    env = scan(ProbeContext(root=Root(str(root), live=False), skip=ONLY))
    assert env.host.os is None and "os" in env.host.errors


def test_absolute_symlinks_resolve_inside_the_root(tmp_path):
    root = tmp_path / "r"
    (root / "usr/local/cuda-12.4").mkdir(parents=True)
    (root / "usr/local/cuda-12.4/version.txt").write_text("CUDA Version 12.4.1\n")
    os.symlink("/usr/local/cuda-12.4", root / "usr/local/cuda")
    r = Root(str(root), live=False)
    assert r.realpath("/usr/local/cuda/version.txt") == "/usr/local/cuda-12.4/version.txt"
    assert r.read_text("/usr/local/cuda/version.txt").startswith("CUDA Version 12.4.1")


def test_the_live_machine_scan_never_raises():
    env = scan(ProbeContext(root=Root("/")))
    assert env.host.arch and env.host.cpus
    assert env.driver is not None  # either a driver or the reason there is none
    assert env.driver.version is not None or env.driver.error


def test_disk_under_a_root_tree_is_not_this_machines_free_space(tmp_path, run_cli):
    """A --root tree that is a plain directory here: its free space is this machine's, so it is not measured (one
    row that says why) and no low-disk finding comes from it; the live machine's own disk is measured."""
    root = tmp_path / "r"
    shutil.copytree(os.path.join(ROOTS, "runpod-4090"), root)
    tree = Root(str(root), live=False)
    assert not tree.own_filesystem("/") and Root("/").own_filesystem("/")
    env = scan(ProbeContext(root=tree, skip=ONLY))
    disks = [d for d in env.disk if d.role != "shm"]
    assert len(disks) == 1 and disks[0].free_gib is None and "not measured" in disks[0].error
    assert disks[0].role.split(",") == ["root", "home", "pip-cache", "hf-cache", "workspace"]
    assert disks[0].fstype == "overlay"          # the tree's own mountinfo still says what / is
    import json
    rc, out, _ = run_cli("check", "--json", "--root", str(root))
    assert not any(f["code"] == "low-disk" for f in json.loads(out)["findings"])
    live = scan(ProbeContext(root=Root("/"), skip=ONLY))
    assert any(d.free_gib is not None for d in live.disk)


def test_docker_default_shm_is_read_from_the_images_mountinfo_and_warned(tmp_path, run_cli):
    root = tmp_path / "r"
    shutil.copytree(os.path.join(ROOTS, "runpod-4090"), root)
    (root / "dev/shm").mkdir(parents=True)
    with open(root / "proc/self/mountinfo", "a") as fh:  # the line `docker run` without --shm-size gives
        fh.write("2520 2501 0:330 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k\n")
    env = scan(ProbeContext(root=Root(str(root), live=False), skip=ONLY))
    shm = [d for d in env.disk if d.role == "shm"]
    assert len(shm) == 1 and shm[0].total_gib == 0.0625 and shm[0].free_gib is None and shm[0].fstype == "tmpfs"
    import json
    rc, out, _ = run_cli("check", "--json", "--root", str(root))
    found = {f["code"]: f for f in json.loads(out)["findings"]}
    assert found["shm-small"]["title"].startswith("/dev/shm is only 64 MiB")
    assert any("--ipc=host" in x for x in found["shm-small"]["fix"])
    assert not any(f["code"] == "low-disk" and "/dev/shm" in f["title"] for f in found.values())

    # a large shm (--ipc=host, or a bigger --shm-size) says nothing
    text = (root / "proc/self/mountinfo").read_text().replace("size=65536k", "size=16g")
    (root / "proc/self/mountinfo").write_text(text)
    rc, out, _ = run_cli("check", "--json", "--root", str(root))
    assert "shm-small" not in {f["code"] for f in json.loads(out)["findings"]}
