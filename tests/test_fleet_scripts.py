"""The Slurm and ssh recipes (examples/fleet/*.sh): bash -n, then their logic run for real with a fake `ssh` and
a fake `srun` first on PATH that run the command on this machine, so the directory they produce is checked with
`envcheck fleet report`. A cluster is not needed to test what the scripts do with its answers."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SSH = os.path.join(REPO, "examples", "fleet", "scan-ssh.sh")
SLURM = os.path.join(REPO, "examples", "fleet", "scan-slurm.sh")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("timeout") is None,
                                reason="needs bash and coreutils' timeout")

FAKE_SSH = r"""#!/usr/bin/env bash
# ssh stand-in: drop options, take the host, run the remote command here; hosts named down* are unreachable
echo "$*" >> "$FAKE_LOG"
while [ $# -gt 0 ]; do
  case "$1" in
    -o|-i|-p|-J|-F|-l) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
host="$1"; shift
case "$host" in down*) echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 255 ;; esac
case "$host" in slow*) sleep 30 ;; esac
exec bash -c "$*"
"""

FAKE_SRUN = r"""#!/usr/bin/env bash
# srun stand-in: --nodes=N tasks at once, each with SLURMD_NODENAME set as slurmd sets it; a node named bad*
# has no envcheck. Exit: the highest task exit code, as srun's.
echo "$*" >> "$FAKE_LOG"
n=1
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes=*) n="${1#--nodes=}"; shift ;;
    --ntasks-per-node=*) [ "${1#*=}" = 1 ] || exit 9; shift ;;
    --*) shift ;;
    *) break ;;
  esac
done
read -r -a names <<< "$FAKE_NODES"
pids=()
for i in $(seq 0 $((n - 1))); do
  name="${names[$i]}"
  if [ "${name#bad}" != "$name" ]; then
    (cd / && SLURMD_NODENAME="$name" ENVCHECK=false "$@") & pids+=($!)
  else
    (cd / && SLURMD_NODENAME="$name" "$@") & pids+=($!)
  fi
done
rc=0
for p in "${pids[@]}"; do wait "$p"; r=$?; [ $r -gt $rc ] && rc=$r; done
exit $rc
"""


@pytest.fixture
def fake(tmp_path):
    b = tmp_path / "bin"
    b.mkdir()
    for name, text in (("ssh", FAKE_SSH), ("srun", FAKE_SRUN)):
        (b / name).write_text(text)
        (b / name).chmod(0o755)
    log = tmp_path / "calls.log"
    env = dict(os.environ, PATH=f"{b}:{os.environ['PATH']}", FAKE_LOG=str(log), PYTHONPATH=REPO,
               ENVCHECK=f"{sys.executable} -m envcheck")
    env.pop("SLURM_JOB_NUM_NODES", None)
    return env, log


def sh(script, *args, env, stdin=None):
    p = subprocess.run(["bash", script, *args], capture_output=True, text=True, env=env, input=stdin, timeout=120)
    return p.returncode, p.stdout, p.stderr


def report(d):
    p = subprocess.run([sys.executable, "-m", "envcheck", "fleet", "report", str(d), "--json"], capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=REPO), timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.mark.parametrize("script", [SSH, SLURM])
def test_scripts_parse(script):
    assert subprocess.run(["bash", "-n", script]).returncode == 0
    assert os.access(script, os.X_OK)


def test_ssh_one_document_per_host_failures_listed(fake, tmp_path):
    env, log = fake
    out = tmp_path / "scans"
    rc, _, err = sh(SSH, "-o", str(out), "-j", "2", "-t", "20", "gpu-a", "user@gpu-b", "down-c", env=env)
    assert rc == 1, err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["gpu-a.json", "gpu-b.json"]
    failed = (out / ".failed").read_text().splitlines()
    assert len(failed) == 1 and failed[0].startswith("down-c\texit 255\t") and "Connection refused" in failed[0]
    assert "2 of 3 host(s) scanned" in err
    calls = log.read_text()
    assert "BatchMode=yes" in calls and "scan --json" in calls
    assert report(out)["nodes"] == 2
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_ssh_hosts_from_stdin_and_timeout(fake, tmp_path):
    env, _ = fake
    out = tmp_path / "s"
    rc, _, err = sh(SSH, "-o", str(out), "-t", "2", env=env, stdin="# the pool\ngpu-a\n\nslow-b   # stuck\n")
    assert rc == 1
    failed = (out / ".failed").read_text()
    assert "slow-b\texit 124\ttimed out after 2s" in failed
    assert (out / "gpu-a.json").is_file()


def test_ssh_usage_errors(fake, tmp_path):
    env, _ = fake
    assert sh(SSH, "gpu-a", env=env)[0] == 2                                      # no -o
    assert sh(SSH, "-o", str(tmp_path), "-j", "0", "gpu-a", env=env)[0] == 2
    assert sh(SSH, "-o", str(tmp_path), env=env, stdin="")[0] == 2                # no hosts


def test_slurm_one_document_per_node(fake, tmp_path):
    env, log = fake
    env = dict(env, FAKE_NODES="node-1 node-2 node-3")
    out = tmp_path / "scans"
    rc, _, err = sh(SLURM, "-o", str(out), "-N", "3", "--", "--partition=gpu", env=env)
    assert rc == 0, err
    assert sorted(os.listdir(out)) == ["node-1.json", "node-2.json", "node-3.json"]
    call = log.read_text().split()
    assert call[:3] == ["--nodes=3", "--ntasks-per-node=1", "--partition=gpu"] and "--node-task" in call
    assert report(out)["nodes"] == 3


def test_slurm_failed_node_reported_and_allocation_size_from_slurm(fake, tmp_path):
    env, _ = fake
    env = dict(env, FAKE_NODES="node-1 bad-2", SLURM_JOB_NUM_NODES="2")     # inside an allocation: no -N
    out = tmp_path / "scans"
    rc, _, err = sh(SLURM, "-o", str(out), env=env)
    assert rc == 1
    assert sorted(p for p in os.listdir(out) if not p.startswith(".")) == ["node-1.json"]
    assert (out / ".bad-2.failed").read_text().startswith("exit ")
    assert "failed: bad-2" in err
    env.pop("SLURM_JOB_NUM_NODES")
    assert sh(SLURM, "-o", str(out), env=env)[0] == 2                              # no -N, no allocation
