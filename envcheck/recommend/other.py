"""The `image`, `source` and `driver` paths."""
from __future__ import annotations

from typing import List, Optional

from envcheck.matrix.compat import min_driver_for_cuda
from envcheck.matrix.rows import SourceBuild
from envcheck.recommend.judge import Judgement, PathCandidate, cuda_rules, judge_arch, judge_cuda, rows_ref
from envcheck.recommend.machine import Machine
from envcheck.recommend.model import BLOCKED, ORDER
from envcheck.recommend.release import Release
from envcheck.recommend.wheel import choose_env, compat_commands
from envcheck.versions import Version, parse


def dind_reason(m: Machine) -> Optional[str]:
    """Why `docker pull`/`docker run` cannot work inside this container (from its capabilities), or None."""
    if not m.in_container or m.privileged:
        return None
    lacking = m.caps_lacking("CAP_SYS_ADMIN", "CAP_NET_ADMIN")
    if not lacking:
        return None
    parts = []
    if "CAP_SYS_ADMIN" in lacking:
        parts.append("no CAP_SYS_ADMIN, so dockerd cannot mount overlay ('failed to mount overlay: operation not permitted')")
    if "CAP_NET_ADMIN" in lacking:
        parts.append("no CAP_NET_ADMIN, so it cannot set up iptables ('iptables failed: Permission denied')")
    return (f"Docker-in-Docker cannot run here (container.privileged = false, container.capabilities lacks "
            f"{', '.join(lacking)}): " + "; ".join(parts) + "; capabilities cannot be gained from inside")


MATRIX_ALONE = "judged from the matrix alone"


def deploy_commands(m: Machine, img: str, name: str, version: str) -> List[str]:
    """How image `img` becomes the pod/machine here (RunPod, Kubernetes, inside a container, plain Docker)."""
    if m.vendor == "runpod":
        return [f"# RunPod console > Templates > New Template > Container Image: {img}  (then deploy a pod from it)"]
    if m.vendor == "kubernetes":
        return [f"kubectl run {name}-{version.replace('.', '-')} --image={img} --restart=Never "
                f"--limits=nvidia.com/gpu=1 -- sleep infinity"]
    if m.in_container:
        return [f"# ask for a machine/pod whose container image is {img} (it cannot be started from inside this one)"]
    return [f"docker run --rm -it --gpus all --ipc=host {img}"]


def image_path(m: Machine, rel: Release) -> Optional[dict]:
    image = rel.view.container
    base = None
    if not image:
        base = rel.view.base_image
        if not base:
            return None
    v = Judgement()
    v.merge(judge_cuda(m, rel.build_cuda, f"the {rel.label} image", rel.ref, rel.major_only))
    v.merge(judge_arch(m, rel.sm, rel.label, rel.ref))
    img = image or base
    v.reasons.insert(0, f"image {img} ({rel.ref}{', the release container' if image else ', the base image it was built on; pip install on top'}) "
                        f"used as the machine's own base image, not pulled inside it")
    d = dind_reason(m)
    if d:
        v.reasons.append(d + "; so the image must become the pod itself")
    cmds = deploy_commands(m, img, rel.target.name, rel.version)
    check = f'python3 -c "import {rel.target.module}; print({rel.target.module}.__version__)"'
    if base:
        idx = " ".join(rel.index_args)
        cmds.append(f'python3 -m pip install "{rel.requirement}"' + (f" {idx}" if idx else "") + "    # inside the new pod")
    cmds.append(check + "    # inside the new pod")
    # recommend judges release images from the matrix; reading one is `check --image` (envcheck/image/)
    v.reasons.append(f"judged from the matrix ({rel.ref}) alone, not from the image's files; `envcheck check "
                     f"--image {img} --host <this machine's scan>` reads the image itself, without Docker")
    cmds.append(f"envcheck check --image {img} --host node.json    # before deploying: the image's own files "
                f"on this node's saved scan (envcheck scan --json > node.json)")
    disk = rel.facts.image_disk_gib
    affects = ["this pod/container: replaced by a new one; what lives only on its container disk (venvs, models "
               "outside a mounted volume) does not come along" if m.in_container else
               "the machine: one more container; other environments untouched"]
    affects += m.capped(lambda it: f"{it.prefix or it.path} ({it.where}): stays where it is, not in the new image",
                        "stay where they are, not in the new image")
    return PathCandidate(kind="image", version=rel.version, verdict=v, commands=cmds,
                         disk=float(disk) if isinstance(disk, (int, float)) else None, affects=affects,
                         judged_from=MATRIX_ALONE)


def source_path(m: Machine, rel: Release) -> Optional[dict]:
    if not isinstance(rel.facts.source_build, dict):
        return None
    sb = SourceBuild.of(rel.facts.source_build)
    ref = rows_ref(rel.fact_rows)
    v = Judgement()
    cuda = _source_cuda(m, rel, ref, v)
    v.merge(judge_arch(m, rel.sm, rel.label, rel.ref))
    need = sb.disk_gib
    if isinstance(need, (int, float)):
        _judge_build_disk(m, v, need, ref)
    if sb.time:
        v.reasons.append(f"build time: {sb.time} ({ref})")
    d = dind_reason(m)
    if sb.docker and d:
        v.risk(f"the documented build runs in Docker ({ref}); {d}: only the undocumented bare-metal build "
               f"(build_wheel.py with a local CUDA toolkit, TensorRT and NCCL) is left")
    fit = _toolkit_fit(m, v, cuda) if cuda is not None else []
    for req in sb.requirements or ():
        v.reasons.append(f"requires {req} ({ref})")
    arch = f"{m.sm}-real" if m.sm else "<sm>-real"
    tag = str(sb.tag).replace("{version}", rel.version)
    cmds = [f"{m.sudo}apt-get update && {m.sudo}apt-get install -y git git-lfs",
            f"git clone --branch {tag} --depth 1 {sb.repo} && cd TensorRT-LLM",
            "git submodule update --init --recursive && git lfs install && git lfs pull"]
    venv = None
    if sb.docker and not d:
        cmds.append(f'make -C docker release_build CUDA_ARCHS="{arch}"    # the documented route')
    else:
        if sb.docker and d:
            v.reasons.append("the documented route (`make -C docker release_build`, the NGC devel image with the "
                             "CUDA toolkit, TensorRT and NCCL inside) needs Docker, which is blocked in this "
                             "container; the bare-metal steps below need those prerequisites installed by hand")
        venv = _bare_metal_build(m, rel, v, cuda, fit, arch, cmds)
    affects = ["the machine: a CUDA toolkit, TensorRT and build dependencies added; existing environments untouched "
               "unless the wheel is installed into one"]
    return PathCandidate(kind="source", version=rel.version, verdict=v, commands=cmds,
                         disk=float(need) if isinstance(need, (int, float)) else None, affects=affects, venv=venv)


def _source_cuda(m: Machine, rel: Release, ref: str, v: Judgement) -> Optional[Version]:
    """The CUDA to build with: the release's own, or another its docs allow (paths.yaml source_cuda), whichever
    the driver judges best; its judgement is merged into `v`."""
    options = [rel.build_cuda] if rel.build_cuda is not None else []
    options += [parse(x) for x in (rel.facts.source_cuda or []) if parse(x) is not None]
    best = None
    for c in sorted({str(o): o for o in options}.values(), reverse=True):
        j = judge_cuda(m, c, f"{rel.label} (source build)", f"{rel.ref}; {ref}")
        key = ORDER[j.status]
        if best is None or key < best[0]:
            best = (key, c, j)
    if best is None:
        return None
    _, cuda, j = best
    v.merge(j)
    return cuda


def _judge_build_disk(m: Machine, v: Judgement, need, ref: str) -> None:
    if m.free_gib is None:
        v.risk(f"free disk is unknown; the build needs ~{need:g} GiB ({ref})")
    elif m.free_gib < need:
        v.block(f"{m.disk_fact()} is less than the ~{need:g} GiB the build needs ({ref})")
    else:
        v.reasons.append(f"{m.disk_fact()} holds the ~{need:g} GiB the build needs ({ref})")


def _toolkit_fit(m: Machine, v: Judgement, cuda: Version) -> list:
    """The CUDA toolkits on the machine that can build with `cuda` (its major, at least its minor)."""
    tks = [t for t in (m.env.cuda_toolkits or ()) if t.version is not None]
    fit = [t for t in tks if t.version.major == cuda.major and (t.version.major, t.version.minor) >= (cuda.major, cuda.minor)]
    if fit:
        v.reasons.append(f"CUDA toolkit {fit[0].version} at {fit[0].path} can build it (cuda_toolkits)")
    else:
        have = ", ".join(f"{t.version}" for t in tks) or "none"
        v.reasons.append(f"needs a CUDA {cuda.major_minor()} toolkit (nvcc); the machine has {have} (cuda_toolkits): "
                         f"install cuda-toolkit-{cuda.major}-{cuda.minor} first (it runs on the driver only if the driver "
                         f"judgement above allows)")
    return fit


def _bare_metal_build(m: Machine, rel: Release, v: Judgement, cuda: Optional[Version], fit: list, arch: str,
                      cmds: List[str]) -> str:
    """The build without Docker: toolkit, TensorRT, a build venv, build_wheel.py. Adds to `cmds`; returns the venv."""
    if cuda is not None and not fit:
        cmds.append(f"{m.sudo}apt-get install -y cuda-toolkit-{cuda.major}-{cuda.minor} libnccl-dev libnccl2    "
                    f"# from NVIDIA's CUDA apt repository (cuda-keyring set up): nvcc {cuda.major_minor()} and NCCL")
    trt_root = _trt_root(m, rel, v, cmds)
    _, fresh, _ = choose_env(m, rel)
    venv = m.venv_dir(f"{rel.target.name}-{rel.version}-build")
    if fresh is not None:
        cmds.append(f"{fresh.path} -m venv {venv}    # Python {fresh.version} ({fresh.where}), one of "
                    f"{list(rel.pythons)}: the build and the wheel stay out of existing environments")
    else:
        want = max(rel.pythons, key=lambda s: parse(s) or parse("0")) if rel.pythons else "3.12"
        cmds.append(f"uv venv --seed --python {want} {venv}    # no Python {want} here: uv installs one")
    py = f"{venv}/bin/python"
    cmds.append(f'{py} ./scripts/build_wheel.py --clean --cuda_architectures "{arch}" --trt_root {trt_root} -j 8')
    cmds.append(f"{py} -m pip install ./build/tensorrt_llm-*.whl")
    if v.compat_package and v.status != BLOCKED:
        cmds += compat_commands(m, v)
    cmds.append(f'cd .. && {py} -c "import {rel.target.module}; print({rel.target.module}.__version__)"')
    return venv


def _trt_root(m: Machine, rel: Release, v: Judgement, cmds: List[str]) -> str:
    """Where TensorRT is (from a libnvinfer.so the scan found), or where to unpack it (a command added)."""
    trt = [l for l in (m.env.libraries or ()) if l.soname.startswith("libnvinfer.so")]
    if trt:
        return trt[0].path.rsplit("/lib", 1)[0] if "/lib" in trt[0].path else "/usr/local/tensorrt"
    trt_ver = rel.view.tensorrt
    trt_root = "/usr/local/tensorrt"
    cmds.append(f"# TensorRT{' ' + str(trt_ver) if trt_ver else ''} (headers and libraries) is not on this "
                f"machine (libraries: no libnvinfer.so): unpack NVIDIA's TensorRT tar package into {trt_root} first")
    v.reasons.append(f"TensorRT{' ' + str(trt_ver) if trt_ver else ''} with its headers is needed at --trt_root "
                     f"and the scan found no libnvinfer.so (libraries): install it first")
    return trt_root


def driver_path(m: Machine, rel: Release, needs: Optional[Version], needs_ref: Optional[str]) -> Optional[dict]:
    """A host driver change that would make `rel` run: who can make it, and what it does to every environment."""
    if rel.build_cuda is None:
        return None
    native, nrow = min_driver_for_cuda(m.matrix, rel.build_cuda if not rel.major_only else f"{rel.build_cuda.major}.0")
    target_drv = native or needs
    if target_drv is None:
        return None
    branch = str(target_drv.major)
    v = Judgement()
    said = (f"{rel.label} is built with CUDA {rel.build_cuda} ({rel.ref}); natively that needs driver >= "
            f"{target_drv} ({nrow.ref() if nrow is not None else needs_ref})"
            + (f", >= {needs} under minor-version compatibility ({needs_ref})" if needs and needs != target_drv else ""))
    v.reasons.append(said)
    v.state_driver(said, target_drv)
    v.merge(judge_arch(m, rel.sm, rel.label, rel.ref))
    cmds: List[str] = []
    if m.no_driver and not m.gpu_name:
        v.block("this machine has no NVIDIA GPU or driver (driver.version, gpus): use a GPU machine")
        cmds.append(f"# on a GPU machine with driver >= {target_drv}: envcheck recommend --target {rel.target.name}=={rel.version}")
    elif m.in_container:
        v.block(f"the driver is the host's kernel module: nothing inside a container (container.in_container = true"
                f"{', vendor ' + m.vendor if m.vendor else ''}) can install or change it; only the host's owner can, "
                f"or you move to a machine that already has it")
        if m.vendor == "runpod":
            cmds.append(f"# RunPod: deploy a new pod on a host whose driver is >= {target_drv} "
                        f"(nvidia-smi there shows 'CUDA Version: {_cuda_of_branch(m, branch) or rel.build_cuda.major_minor()}' or newer)")
        else:
            cmds.append(f"# ask the host's owner for driver >= {target_drv} (branch {branch}), or move to a machine that has it")
        cmds.append("nvidia-smi --query-gpu=driver_version --format=csv,noheader    # on the new machine: check the driver")
        cmds.append(f"envcheck recommend --target {rel.target.name}=={rel.version}    # then, there")
    else:
        if m.in_container is None:
            v.risk("whether this is a container is unknown: inside one, the driver cannot be changed")
        v.risk("a host driver change needs root and a reboot (or unloading the kernel module): every GPU process stops")
        cmds += [f"sudo apt-get install -y nvidia-driver-{branch}    # Ubuntu; or NVIDIA's .run installer for {target_drv}",
                 "sudo reboot",
                 "nvidia-smi    # shows the new driver and its CUDA version"]
    def affected(it) -> str:
        tc = it.torch_cuda
        label = f"{it.prefix or it.path} ({it.where})"
        if tc is not None:
            return (f"{label}: torch built for CUDA {tc} keeps working: a newer driver runs older CUDA builds "
                    f"(backward compatibility); only a driver older than CUDA {tc} needs would break it")
        return f"{label}: keeps working (a driver upgrade does not change installed packages)"

    affects = m.capped(affected, "keep working (a newer driver runs older CUDA builds; packages do not change)")
    for i, tk in enumerate(m.env.cuda_toolkits or ()):
        affects.append(f"CUDA toolkit {tk.version} at {tk.path} (cuda_toolkits[{i}]): keeps working on a newer driver")
    affects.append("every container and process on the host: stopped for the reboot; all see the new driver afterwards")
    return PathCandidate(kind="driver", version=rel.version, verdict=v, commands=cmds, disk=None, affects=affects)


def _cuda_of_branch(m: Machine, branch: str) -> Optional[str]:
    return cuda_rules(m).max_cuda_of_branch(branch)
