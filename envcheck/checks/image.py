"""Rules about a container image on a host (scan/check --image REF [--host FILE]): the CUDA the image's files are
built for against the host driver, NVIDIA_REQUIRE_CUDA as the NVIDIA container runtime enforces it, and the
image's cuda-compat, which helps only on data-center GPUs. They read ``image`` plus the merged facts and never
touch the OS; the image's files are judged by every other check as usual (torch's CUDA, native libraries...)."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.matrix.compat import driver_max_cuda, gpu_row, is_datacenter, min_driver_for_cuda, min_driver_mvc
from envcheck.matrix.rows import CudaRules, GpuRow
from envcheck.findings import Finding, fact, register
from envcheck.model.merge import is_driver_lib
from envcheck.versions import Version, parse

CUDA_TOO_NEW = register("image-cuda-too-new-for-driver", "fail", "The image's CUDA is newer than the host driver runs",
    """The image carries CUDA libraries (and usually CUDA_VERSION) of a CUDA major the host's driver does not run.
    Inside the container the driver is the host's (the NVIDIA container toolkit mounts its libcuda.so.1), so the
    first CUDA call fails with 'CUDA driver version is insufficient for CUDA runtime version'. Minor-version
    compatibility never crosses a major. The image's cuda-compat package (forward compatibility) bridges it only
    on data-center GPUs whose driver branch NVIDIA lists; never on GeForce or ordinary workstation cards.""")
REQUIRE_UNMET = register("image-require-cuda-unmet", "fail", "NVIDIA_REQUIRE_CUDA is not met by the host",
    """The image sets NVIDIA_REQUIRE_CUDA. The NVIDIA container runtime checks it before the container starts
    (space-separated alternatives, comma-separated conditions that must all hold) and refuses to start it with
    'unsatisfied condition: cuda>=X' when no alternative holds for the host's driver and GPU.""")
IMAGE_CUDA = register("image-cuda", "info", "The CUDA an image is built for and the driver it needs",
    """Read from the image's files (CUDA libraries by soname, version.json) and config (CUDA_VERSION). Without a
    host (no --host and no driver here) this is what a node's driver must run.""")
IMAGE_RUNS = register("image-runs-on-host", "ok", "The image's CUDA runs on the host driver",
    """The image's CUDA major is one the host driver runs (natively, or a same-major newer minor through
    minor-version compatibility), and NVIDIA_REQUIRE_CUDA, if set, is met.""")

ARCH_MISMATCH = register("image-arch-mismatch", "fail", "The image is built for another CPU architecture than the host",
    """The manifest that was read is for another architecture (linux/arm64 on an x86_64 node, ...): every
    binary in it fails with 'exec format error'. A multi-platform image needs --platform for the node's
    architecture; a single-platform one needs a build for it.""")

_COND = re.compile(r"^(cuda|driver|arch|brand)\s*(>=|<=|==|!=|=|<|>)\s*(\S+)$")


def image_cuda(env) -> Tuple[Optional[Version], List[str]]:
    """(CUDA version the image is built for, evidence). The highest CUDA major among the image's own CUDA
    libraries, refined by CUDA_VERSION from the config when it has that major."""
    ev: List[str] = []
    majors = {}
    for i, lib in enumerate(env.libraries or ()):
        if lib.cuda_major and not is_driver_lib(lib.soname) and "(mounted" not in (lib.via or ""):
            majors.setdefault(lib.cuda_major, []).append((i, lib))
    cv = parse((env.image.env or {}).get("CUDA_VERSION")) if env.image is not None else None
    best: Optional[Version] = None
    if majors:
        top = max(majors)
        for i, lib in majors[top][:3]:
            ev.append(fact(f"libraries[{i}].soname", lib.soname) + f" ({lib.path})")
        best = parse(f"{top}.0")
    if cv is not None:
        ev.append(fact("image.env.CUDA_VERSION", str(cv)))
        if best is None or cv.major >= best.major:
            best = cv
    for i, tk in enumerate(env.cuda_toolkits or ()):
        if tk.version is not None and (best is None or tk.version.major > best.major):
            best = tk.version
            ev.append(fact(f"cuda_toolkits[{i}].version", tk.version))
    return best, ev


def _recommend_cmd(img) -> str:
    """`envcheck recommend` against the same host the image was judged on."""
    where = img.on_host or ""
    env_opt = f" --env {where[len('host '):]}" if where.startswith("host ") else ""
    return f"envcheck recommend --target tensorrt-llm{env_opt}"


def _gpu(env):
    gs = env.gpus or ()
    return (0, gs[0]) if gs else (None, None)


def cuda_vs_driver(env, matrix):
    img = env.image
    if img is None:
        return
    cuda, ev = image_cuda(env)
    if cuda is None:
        return
    need, need_row = min_driver_for_cuda(matrix, f"{cuda.major}.0")
    mvc, mvc_row = min_driver_mvc(matrix, f"{cuda.major}.0")
    floor, floor_row = (mvc, mvc_row) if mvc else (need, need_row)
    floor_txt = f"driver >= {floor} ({floor_row.ref()})" if floor else "a driver the matrix does not list"
    drv = env.driver
    if drv is None or drv.version is None:
        yield Finding(IMAGE_CUDA, "info", f"Image {img.ref} is built for CUDA {cuda}: a node needs {floor_txt}",
                      evidence=tuple(ev), subject=img.ref,
                      why="The driver is the node's, not the image's: check the image against a node's scan.",
                      fix=(f"envcheck check --image {img.ref} --host node.json    # node.json: `envcheck scan --json` on the node",))
        return
    dc = driver_max_cuda(env, matrix)
    ev += [fact("driver.version", drv.version)]
    if drv.cuda:
        ev.append(fact("driver.cuda", drv.cuda))
    if dc.cuda is None:
        return
    where = img.on_host or "the host"
    if cuda.major <= dc.cuda.major:
        how = ("natively" if (cuda.major, cuda.minor) <= (dc.cuda.major, dc.cuda.minor) or cuda.major < dc.cuda.major
               else "through minor-version compatibility (same major, newer minor)")
        yield Finding(IMAGE_RUNS, "ok", f"Image {img.ref} (CUDA {cuda}) runs on driver {drv.version} "
                                        f"(CUDA <= {dc.cuda}) {how}", evidence=tuple(ev), subject=img.ref)
        return
    gi, g = _gpu(env)
    row = gpu_row(matrix, g.name) if g is not None else None
    dc_class = is_datacenter(row)
    branches = CudaRules.of(matrix.extra("cuda")).forward_branches
    branch = str(drv.version.major)
    compat = img.cuda_compat or ()
    if g is not None:
        cls = GpuRow.of(row).gpu_class if row is not None else None
        ev.append(fact(f"gpus[{gi}].name", g.name) + (f" (class {cls}, {row.ref()})" if cls else ""))
    if compat:
        ev.append(fact("image.cuda_compat", list(compat)))
    if dc_class and compat and branch in branches:
        yield Finding(CUDA_TOO_NEW, "warn",
                      f"Image {img.ref} needs CUDA {cuda.major} but driver {drv.version} on {where} runs CUDA <= "
                      f"{dc.cuda}: it runs only through the image's cuda-compat (forward compatibility)",
                      evidence=tuple(ev), subject=img.ref,
                      why=(f"Forward compatibility works on this data-center GPU (driver branch {branch} is listed in "
                           f"cuda.yaml forward_compatibility) when the compat libcuda is found first "
                           f"(LD_LIBRARY_PATH); no CUDA-OpenGL interop, and a driver upgrade is the lasting fix."),
                      fix=(f"docker run --gpus all -e LD_LIBRARY_PATH={compat[0].rsplit('/', 1)[0]}:$LD_LIBRARY_PATH {img.ref}",
                           f"# or on the host: a driver >= {need or floor} (CUDA {cuda.major})"))
        return
    if dc_class is False:
        fwd_why = (f"forward compatibility (cuda-compat) does not help: it is for data-center GPUs only, not GeForce/"
                   f"consumer cards ({g.name}; cuda.yaml forward_compatibility.supported_gpus)")
    elif dc_class is None:
        fwd_why = ("forward compatibility (cuda-compat) helps only data-center GPUs and this GPU's class is unknown"
                   if g is not None else "forward compatibility cannot be judged: the host has no GPU in the scan")
    elif not compat:
        fwd_why = "the image has no cuda-compat package (/usr/local/cuda-X.Y/compat/libcuda.so.*) to bridge it"
    else:
        fwd_why = f"driver branch {branch} is not a forward-compatibility target (cuda.yaml forward_compatibility)"
    yield Finding(CUDA_TOO_NEW, "fail",
                  f"Image {img.ref} is built for CUDA {cuda.major} ({cuda}) but driver {drv.version} on {where} runs "
                  f"CUDA <= {dc.cuda}; CUDA {cuda.major} needs {floor_txt}",
                  evidence=tuple(ev) + (f"driver runs CUDA <= {dc.cuda} ({dc.how})",), subject=img.ref,
                  why=("Inside the container the driver is the host's (the NVIDIA container toolkit mounts its "
                       "libcuda.so.1): the first CUDA call fails with 'CUDA driver version is insufficient for CUDA "
                       "runtime version'; minor-version compatibility never crosses a major; " + fwd_why + "."),
                  fix=(f"# on the host (not in a container): install driver >= {need or floor}, e.g. "
                       f"sudo apt-get install -y nvidia-driver-{(need or floor).major if (need or floor) else 580}",
                       f"{_recommend_cmd(img)}    # or an image/build for CUDA {dc.cuda.major}.x (<= {dc.cuda})"))


def parse_require(text: str) -> List[List[Tuple[str, str, str]]]:
    """NVIDIA_REQUIRE_CUDA: alternatives separated by spaces, each a comma-separated list of key-op-value."""
    alts = []
    for alt in text.split():
        conds = []
        for c in alt.split(","):
            m = _COND.match(c.strip())
            if m:
                conds.append((m.group(1), m.group(2), m.group(3)))
        if conds:
            alts.append(conds)
    return alts


def gpu_brand(name: Optional[str]) -> Optional[str]:
    """The NVML brand name the runtime compares `brand=` with, from the GPU's name (None: cannot tell)."""
    n = (name or "").lower()
    for key, brand in (("geforce rtx", "geforcertx"), ("geforce", "geforce"), ("titan rtx", "titanrtx"),
                       ("titan", "titan"), ("quadro rtx", "quadrortx"), ("quadro", "quadro"), ("tesla", "tesla")):
        if key in n:
            return brand
    return None


def _cmp(a: Version, op: str, b: Version) -> bool:
    return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "=": a == b, "==": a == b, "!=": a != b}[op]


def _holds(cond, dcuda, drv, cc, brand) -> Optional[bool]:
    key, op, value = cond
    if key == "brand":
        return None if brand is None else ((brand == value.lower()) == (op in ("=", "==")))
    have = {"cuda": dcuda, "driver": drv, "arch": cc}[key]
    want = parse(value)
    if have is None or want is None:
        return None
    if key == "driver":   # 'driver<536' compares the branch, as the runtime compares major.minor numbers
        have = parse(".".join(str(x) for x in have.release[:len(want.release)]))
    return _cmp(have, op, want)


def require_cuda(env, matrix):
    img = env.image
    if img is None or env.driver is None or env.driver.version is None:
        return
    req = (img.env or {}).get("NVIDIA_REQUIRE_CUDA")
    if not req:
        return
    if (img.env or {}).get("NVIDIA_DISABLE_REQUIRE", "").lower() in ("1", "true", "yes"):
        return
    dc = driver_max_cuda(env, matrix)
    _, g = _gpu(env)
    cc = g.compute_capability if g is not None else None
    brand = gpu_brand(g.name) if g is not None else None
    results = []
    for alt in parse_require(req):
        vals = [_holds(c, dc.cuda, env.driver.version, cc, brand) for c in alt]
        results.append(False if False in vals else (None if None in vals else True))
    if not results or any(r is True for r in results) or any(r is None for r in results):
        return
    first = parse_require(req)[0]
    shown = ",".join(f"{k}{op}{v}" for k, op, v in first)
    yield Finding(REQUIRE_UNMET, "fail",
                  f"The NVIDIA container runtime will refuse to start {img.ref}: unsatisfied condition: {shown} "
                  f"(driver {env.driver.version} runs CUDA <= {dc.cuda})",
                  evidence=(fact("image.env.NVIDIA_REQUIRE_CUDA", req[:200] + ("..." if len(req) > 200 else "")),
                            fact("driver.version", env.driver.version), f"driver runs CUDA <= {dc.cuda} ({dc.how})")
                  + ((fact("gpus[0].name", g.name) + f" (brand {brand or 'unknown'})",) if g is not None else ()),
                  subject=img.ref,
                  why="`docker run --gpus` / Kubernetes fail before the entrypoint runs: 'nvidia-container-cli: "
                      "requirement error: unsatisfied condition'. Setting NVIDIA_DISABLE_REQUIRE=1 only skips the "
                      "check; the CUDA calls still fail on this driver.",
                  fix=("# on the host: a driver whose CUDA meets the condition (see image-cuda-too-new-for-driver)",
                       f"{_recommend_cmd(img)}    # an image/build for this driver"))


_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "ppc64le": "ppc64le",
         "s390x": "s390x"}


def arch_mismatch(env, matrix):
    img = env.image
    if img is None or not img.on_host or not img.platform or env.host is None or not env.host.arch:
        return
    want = _ARCH.get(env.host.arch)
    have = img.platform.split("/")[1] if img.platform.count("/") >= 1 else None
    if want is None or have is None or want == have:
        return
    yield Finding(ARCH_MISMATCH, "fail", f"Image {img.ref} is {img.platform} but {img.on_host} is {env.host.arch}",
                  evidence=(fact("image.platform", img.platform), fact("host.arch", env.host.arch)), subject=img.ref,
                  why="Its binaries cannot execute there: the container exits at once with 'exec format error'.",
                  fix=(f"envcheck check --image {img.ref} --platform linux/{want} --host ...    # if the image has "
                       f"a linux/{want} manifest",))


RULES = [cuda_vs_driver, require_cuda, arch_mismatch]
