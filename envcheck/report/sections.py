"""The report's facts, section by section, as rows of (path, label, value, mark) shared by every renderer.

A fact's mark comes from the findings whose evidence names its path (the worst severity wins); a fact with no
finding is ``ok`` when known and ``unknown`` when the scan could not tell.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from envcheck.findings import SEVERITIES, Finding
from envcheck.report.process_section import process_rows

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Fact:
    path: str
    label: str
    value: str
    mark: str = "ok"  # ok | info | warn | fail | unknown


@dataclass(frozen=True)
class Section:
    title: str
    facts: Tuple[Fact, ...]
    note: Optional[str] = None


def marks_from(findings: Iterable[Finding]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for f in findings:
        if f.severity not in ("warn", "fail"):
            continue
        for ev in f.evidence:
            path = ev.split(" = ", 1)[0].split(" lacks ", 1)[0].strip()
            if SEVERITIES.index(f.severity) > SEVERITIES.index(out.get(path, "ok")):
                out[path] = f.severity
            if f.subject:
                out.setdefault("subject:" + f.subject, f.severity)
    return out


def _size(gib) -> str:
    if gib is None:
        return UNKNOWN
    return f"{gib * 1024:.0f} MiB" if gib < 1 else f"{gib:.1f} GiB"


def _v(value, unknown: str = UNKNOWN) -> str:
    return unknown if value is None else str(value)


def sections(env, findings: List[Finding], matrix=None, every_library: bool = True) -> List[Section]:
    marks = marks_from(findings)
    out: List[Section] = []

    def fact(path: str, label: str, value, known: Optional[bool] = None, text: Optional[str] = None) -> Fact:
        is_known = (value is not None) if known is None else known
        mark = marks.get(path) or ("ok" if is_known else "unknown")
        return Fact(path, label, text if text is not None else _v(value), mark)

    out.append(_host(env, fact, marks))
    out.append(_disk(env, fact, marks))
    out.append(_driver(env, fact, marks))
    out.append(_container(env, fact, marks))
    proc = process_rows(env)
    if proc is not None:
        out.append(Section("Process", tuple(Fact(p, label, text, mark) if mark else fact(p, label, value, text=text)
                                            for p, label, value, text, mark in proc)))
    out.append(_toolkits(env, fact))
    out.append(_libraries(env, marks) if every_library else _library_dirs(env, marks))
    out.append(_pythons(env, marks))
    if env.image is not None:   # scan --image: where the files came from and what the config says
        out.insert(0, _image_section(env.image))
    return out


def _host(env, fact, marks) -> Section:
    """The Host section."""
    h = env.host
    if h is None:
        return Section("Host", (), "unknown: not in this document")
    else:
        errs = h.errors or {}
        return Section("Host", (
            fact("host.os", "OS", h.os, text=h.os or f"unknown ({errs.get('os', 'no os-release')})"),
            fact("host.kernel", "kernel", h.kernel),
            fact("host.arch", "arch", h.arch),
            fact("host.glibc", "glibc", h.glibc, text=str(h.glibc) if h.glibc else f"unknown ({errs.get('glibc', '')})"),
            fact("host.cpus", "CPUs", h.cpus),
            fact("host.memory_gib", "memory", h.memory_gib, text=f"{h.memory_gib} GiB" if h.memory_gib else None),
        ))


def _disk(env, fact, marks) -> Section:
    """The Disk section: free space where models and caches go."""
    if env.disk is None:
        return Section("Disk", (), "unknown: not in this document")
    else:
        rows = []
        for i, d in enumerate(env.disk):
            label = f"{d.path} ({(d.role or '').replace(',', ', ')})"
            if d.error:
                rows.append(Fact(f"disk[{i}].free_gib", label, f"unknown ({d.error})", "unknown"))
            else:
                fs = f" · {d.fstype} on {d.mount}" if d.fstype else ""
                if env.meta is not None and env.meta.live is False and d.free_gib is not None:
                    fs += " · the disk mounted in the --root tree"
                if d.free_gib is None:  # e.g. /dev/shm under --root: its size from mountinfo, its use unknown
                    text = f"{_size(d.total_gib)} in all, free unknown{fs}" if d.total_gib is not None else UNKNOWN
                else:
                    text = f"{_size(d.free_gib)} free of {_size(d.total_gib)}{fs}"
                rows.append(fact(f"disk[{i}].free_gib", label, d.free_gib if d.free_gib is not None else d.total_gib,
                                 text=text))
        return Section("Disk", tuple(rows), None if rows else "no paths found")


def _driver(env, fact, marks) -> Section:
    """The Driver & GPUs section."""
    drv = env.driver
    rows = []
    if drv is None:
        return Section("Driver & GPUs", (), "unknown: not in this document")
    else:
        if drv.version is None:
            rows.append(Fact("driver.version", "driver", "none: " + "; ".join(f"{k}: {v}" for k, v in (drv.attempts or {}).items()),
                             marks.get("driver.version", "warn" if drv.error else "unknown")))
        else:
            cuda = f", runs CUDA <= {drv.cuda}" if drv.cuda else ""
            rows.append(fact("driver.version", "driver", drv.version, text=f"{drv.version} (from {drv.source}){cuda}"))
            if drv.cuda is None:
                rows.append(fact("driver.cuda", "driver CUDA", None,
                                 text="unknown from this source (see findings for the matrix's answer)"))
        for k, v in (drv.attempts or {}).items():
            if v != "ok" and drv.version is not None and k == "nvml":
                rows.append(Fact("driver.attempts.nvml", "NVML", v, marks.get("driver.attempts.nvml", "info")))
        if env.gpus is None:
            rows.append(Fact("gpus", "GPUs", UNKNOWN, "unknown"))
        for i, g in enumerate(env.gpus or ()):
            bits = [g.name or "unknown name"]
            bits.append(f"sm_{g.compute_capability.major}{g.compute_capability.minor}" if g.compute_capability
                        else "compute capability unknown")
            if g.memory_mib:
                bits.append(f"{g.memory_mib} MiB")
            if g.mig:
                bits.append("MIG on")
            rows.append(fact(f"gpus[{i}].name", f"GPU {g.index}", g.name, text=" · ".join(bits)))
        return Section("Driver & GPUs", tuple(rows))


def _container(env, fact, marks) -> Section:
    """The Container section."""
    c = env.container
    if c is None:
        return Section("Container", (), "unknown: not in this document")
    else:
        rows = []
        if c.in_container is None:
            rows.append(Fact("container.in_container", "container", UNKNOWN, "unknown"))
        elif not c.in_container:
            rows.append(fact("container.in_container", "container", "no (not in a container as far as the files tell)"))
        else:
            vendor = f" on {c.vendor}" if c.vendor else ""
            rows.append(fact("container.runtime", "runtime", c.runtime, text=f"{c.runtime}{vendor} ({'; '.join(c.evidence or ())})"))
        rows.append(fact("container.privileged", "privileged", c.privileged,
                         text=None if c.privileged is None else ("yes" if c.privileged else "no")))
        if c.capabilities is not None:
            key = [x for x in ("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_MKNOD") if x in c.capabilities]
            lacks = [x for x in ("CAP_SYS_ADMIN", "CAP_NET_ADMIN") if x not in c.capabilities]
            txt = f"{len(c.capabilities)} effective" + (f"; has {', '.join(key)}" if key else "") + \
                (f"; lacks {', '.join(lacks)}" if lacks else "")
            rows.append(Fact("container.capabilities", "capabilities", txt,
                             marks.get("container.capabilities", "ok")))
        else:
            rows.append(Fact("container.capabilities", "capabilities", UNKNOWN, "unknown"))
        rows.append(fact("container.seccomp", "seccomp", c.seccomp))
        rows.append(fact("container.no_new_privs", "no_new_privs", c.no_new_privs,
                         text=None if c.no_new_privs is None else ("yes" if c.no_new_privs else "no")))
        userns = fact("container.user_namespaces", "user namespaces", c.user_namespaces,
                      text=None if c.user_namespaces is None else ("allowed" if c.user_namespaces else "not allowed"))
        if c.user_namespaces and c.seccomp == "filter" and c.capabilities is not None \
                and "CAP_SYS_ADMIN" not in c.capabilities:
            # Docker's default seccomp profile refuses unshare(CLONE_NEWUSER) to a process without CAP_SYS_ADMIN
            userns = Fact(userns.path, userns.label, "the kernel allows them; this container's seccomp filter "
                          "blocks creating one (no CAP_SYS_ADMIN)", marks.get(userns.path, "info"))
        rows.append(userns)
        rows.append(fact("container.docker_socket", "docker socket", c.docker_socket,
                         text=None if c.docker_socket is None else ("mounted" if c.docker_socket else "none")))
        rows.append(fact("container.fuse", "/dev/fuse", c.fuse, text=None if c.fuse is None else ("yes" if c.fuse else "no")))
        return Section("Container", tuple(rows))


def _image_section(img) -> Section:
    e = img.env or {}
    read = (f"{img.layers} layers, {_mb(img.compressed_bytes)} read, {_mb(img.uncompressed_bytes)} unpacked, "
            f"{_mb(img.kept_bytes)} kept" if img.layers is not None else None)
    rows = [Fact("image.ref", "reference", f"{img.ref} ({img.source})" if img.source else img.ref),
            Fact("image.digest", "digest", img.digest or (f"config {img.config_digest} (a save archive has no "
                                                          f"manifest digest)" if img.config_digest else UNKNOWN),
                 "ok" if img.digest or img.config_digest else "unknown"),
            Fact("image.platform", "platform", img.platform or UNKNOWN, "ok" if img.platform else "unknown")]
    if read:
        rows.append(Fact("image.layers", "read", read, "info"))
    for k in ("CUDA_VERSION", "NVIDIA_REQUIRE_CUDA", "NVIDIA_DRIVER_CAPABILITIES", "LD_LIBRARY_PATH"):
        if k in e:
            rows.append(Fact(f"image.env.{k}", k, e[k] if len(e[k]) <= 120 else e[k][:117] + "...", "info"))
    if img.entrypoint or img.cmd:
        rows.append(Fact("image.entrypoint", "runs", " ".join(tuple(img.entrypoint or ()) + tuple(img.cmd or ())), "info"))
    rows.append(Fact("image.user", "user", img.user or "root", "info"))
    rows.append(Fact("image.cuda_compat", "cuda-compat", ", ".join(img.cuda_compat) if img.cuda_compat else "none",
                     "info"))
    if img.on_host:
        rows.append(Fact("image.on_host", "judged on", f"{img.on_host}: driver, GPUs and runtime from there", "info"))
    if img.partial:
        rows.append(Fact("image.partial", "read in part", ", ".join(img.partial), "warn"))
    return Section("Image", tuple(rows))


def _mb(n) -> str:
    return "unknown" if n is None else (f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB")


def _toolkits(env, fact) -> Section:
    if env.cuda_toolkits is None:
        return Section("CUDA toolkits", (), "unknown: not in this document")
    rows = []
    for i, t in enumerate(env.cuda_toolkits):
        bits = [str(t.version) if t.version else "version unknown"]
        if t.default:
            bits.append("/usr/local/cuda points here")
        bits.append("nvcc" if t.nvcc else "no nvcc")
        if t.found_by:
            bits.append("found by " + ", ".join(t.found_by))
        rows.append(fact(f"cuda_toolkits[{i}].version", t.path, t.version, text=" · ".join(bits)))
    return Section("CUDA toolkits", tuple(rows), None if rows else "none installed (fine: wheels bring their own CUDA libraries)")


def _libraries(env, marks) -> Section:
    if env.libraries is None:
        return Section("CUDA libraries", (), "unknown: not in this document")
    rows = []
    for i, lib in enumerate(env.libraries):
        where = lib.via or "?"
        if lib.environment:
            where += f" ({lib.environment})"
        cuda = f"CUDA {lib.cuda_major}" if lib.cuda_major else ""
        text = " · ".join(x for x in (str(lib.version or ""), cuda, lib.path or "not found", where) if x)
        rows.append(Fact(f"libraries[{i}].soname", lib.soname, text,
                         marks.get(f"libraries[{i}].soname", "ok" if lib.path else "unknown")))
    return Section("CUDA libraries", tuple(rows), None if rows else "none found")


_WORST = ("fail", "warn", "unknown", "info", "ok")


def _library_dirs(env, marks) -> Section:
    """The libraries one row per directory (and how the loader reaches it): the short view of `scan`."""
    if env.libraries is None:
        return Section("CUDA libraries", (), "unknown: not in this document")
    groups: Dict[tuple, list] = {}
    missing = []
    for i, lib in enumerate(env.libraries):
        if not lib.path:
            missing.append((i, lib))
            continue
        key = (lib.path.rsplit("/", 1)[0], lib.via or "?", lib.environment or "")
        groups.setdefault(key, []).append((i, lib))
    rows = []
    for (d, via, envp), libs in groups.items():
        majors = sorted({lib.cuda_major for _, lib in libs if lib.cuda_major})
        by_version: Dict[str, List[str]] = {}
        for _, lib in libs:
            stem = lib.soname.split(".so")[0][3:] if lib.soname.startswith("lib") else lib.soname
            by_version.setdefault(str(lib.version or "?"), []).append(stem)
        parts = []
        for ver, stems in by_version.items():
            family = [x for x in stems if x.startswith("cudnn_")]
            if len(family) > 1:  # cuDNN's sub-libraries: one name
                stems = [x for x in stems if x not in family]
                stems.append(f"cudnn_* ({len(family)})" if "cudnn" not in stems else f"+{len(family)} cudnn_*")
            parts.append(f"{', '.join(stems)} {ver}")
        label = d
        if envp and d.startswith(envp.rstrip("/") + "/"):
            sp = d.find("/site-packages/")
            label = (d[sp + len("/site-packages/"):] if sp >= 0 else d[len(envp) + 1:]) + f" in {envp}"
        head = f"{len(libs)} · " + (f"CUDA {'/'.join(str(x) for x in majors)} · " if majors else "") + via
        mark = min((marks.get(f"libraries[{i}].soname", "ok") for i, _ in libs), key=_WORST.index)
        rows.append(Fact(f"libraries[{libs[0][0]}].soname", label, f"{head}: {'; '.join(parts)}", mark))
    for i, lib in missing:
        rows.append(Fact(f"libraries[{i}].soname", lib.soname, "not found", marks.get(f"libraries[{i}].soname", "unknown")))
    return Section("CUDA libraries", tuple(rows), None if rows else "none found")


def _pythons(env, marks) -> Section:
    if env.pythons is None:
        return Section("Python environments", (), "unknown: not in this document")
    rows = []
    for i, p in enumerate(env.pythons):
        pk = p.packages or {}
        bits = [p.kind or "?", f"Python {p.version}" if p.version else "Python ?"]
        for name in ("torch", "tensorrt", "tensorrt-llm", "vllm", "sglang", "transformers", "flash-attn", "triton"):
            if name in pk:
                extra = ""
                if name == "torch":
                    extra = f" (CUDA {p.torch_cuda})" if p.torch_cuda else (f" (ROCm {p.torch_hip})" if p.torch_hip else " (CPU)")
                bits.append(f"{name} {pk[name]}{extra}")
        wheels = p.cuda_wheels
        if wheels is None:    # an older or hand-written document: judge by the -cuNN suffix of the name
            wheels = {n: n.rsplit("-", 1)[-1] for n in pk
                      if n.startswith("nvidia-") and n.rsplit("-", 1)[-1] in ("cu11", "cu12", "cu13")}
        if wheels:
            cu = sorted(set(v for v in wheels.values() if v))
            bits.append(f"{len(wheels)} CUDA wheel{'s' if len(wheels) != 1 else ''}" + (f" ({', '.join(cu)})" if cu else ""))
        if p.native:
            # extensions load at import; a missing dependency of an on-demand library (a plugin) is not an import failure
            broken = [n for n in p.native if n.missing and n.at_import]
            if broken:
                bits.append(f"{len(broken)} native extension{'s' if len(broken) > 1 else ''} cannot load")
        if p.gpu_archs:
            bits.append(_kernels(env, p.gpu_archs))
        if p.errors:
            bits.append(f"{len(p.errors)} read error{'s' if len(p.errors) != 1 else ''}")
        mark = marks.get(f"pythons[{i}]") or marks.get("subject:" + (p.prefix or p.path)) or \
            marks.get("subject:" + p.path) or ("ok" if p.version else "unknown")
        rows.append(Fact(f"pythons[{i}]", p.path, " · ".join(bits), mark))
    return Section("Python environments", tuple(rows), None if rows else "none found")


def _kernels(env, gpu_archs) -> str:
    """'kernels for sm_89: torch yes, vllm PTX only' (or, with no GPU known, 'kernels: torch sm_75..sm_120')."""
    from envcheck.fatbin import FatbinArchs, parse_cc, runs_on
    ccs = sorted({str(g.compute_capability) for g in (env.gpus or ()) if g.compute_capability is not None
                  and parse_cc(str(g.compute_capability))})
    parts = []
    for cc in ccs:
        said = []
        for dist, ga in sorted(gpu_archs.items()):
            if ga.sass is None and ga.ptx is None:
                continue
            ok, how = runs_on(FatbinArchs(tuple(ga.sass or ()), tuple(ga.ptx or ()), 0, 0, ga.error), cc)
            said.append(f"{dist} " + ("PTX only" if ok and how.startswith("PTX") else "yes" if ok else
                                      "unknown" if ga.error else "NO"))
        parts.append(f"kernels for sm_{cc.replace('.', '')}: " + ", ".join(said))
    if not ccs:
        for dist, ga in sorted(gpu_archs.items()):
            sass = list(ga.sass or ())
            span = (sass[0] if len(sass) == 1 else f"{sass[0]}..{sass[-1]}") if sass else "no SASS"
            parts.append(f"{dist} kernels {span}" + (" +PTX" if ga.ptx else ""))
    return " · ".join(parts)
