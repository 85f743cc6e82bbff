"""Driver and GPUs: NVML (pynvml) first, then /proc/driver/nvidia, then nvidia-smi; records which answered.

No GPU is a normal answer: the driver section then carries the reason, e.g. "NVML Shared Library Not Found".
"""
from __future__ import annotations

import os
import re
import threading
from typing import Dict, List, Optional, Tuple

from envcheck.model import Driver, Gpu
from envcheck.probes.context import ProbeContext, reason
from envcheck.root import NotLive
from envcheck.versions import parse

_PROC_VERSION = re.compile(r"Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)")


def parse_module_version(text: str) -> Optional[str]:
    """The kernel module's version from the text of /proc/driver/nvidia/version (None where it has no such line)."""
    m = _PROC_VERSION.search(text)
    return m.group(1) if m else None


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def from_nvml() -> Tuple[Optional[Driver], List[Gpu], str]:
    """Ask NVML. Returns (driver or None, gpus, what NVML said)."""
    try:
        import pynvml  # nvidia-ml-py
    except ImportError as exc:
        return None, [], f"pynvml not importable: {exc}"
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # pynvml.NVMLError and friends
        return None, [], _text(exc) or type(exc).__name__
    try:
        version = _text(pynvml.nvmlSystemGetDriverVersion())
        cuda = None
        try:
            cv = pynvml.nvmlSystemGetCudaDriverVersion_v2()
            cuda = f"{cv // 1000}.{(cv % 1000) // 10}"
        except Exception:
            pass
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            h = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = _safe(lambda: _text(pynvml.nvmlDeviceGetName(h)))
            cc = _safe(lambda: "%d.%d" % tuple(pynvml.nvmlDeviceGetCudaComputeCapability(h)))
            mem = _safe(lambda: int(pynvml.nvmlDeviceGetMemoryInfo(h).total // (1 << 20)))
            mig = _safe(lambda: bool(pynvml.nvmlDeviceGetMigMode(h)[0]))
            uuid = _safe(lambda: _text(pynvml.nvmlDeviceGetUUID(h)))
            bus = _safe(lambda: _text(pynvml.nvmlDeviceGetPciInfo(h).busId))
            gpus.append(Gpu(index=i, name=name, compute_capability=parse(cc), memory_mib=mem,
                            mig=False if mig is None and cc else mig, uuid=uuid, bus_id=bus, source="nvml"))
        return Driver(version=parse(version), cuda=parse(cuda), source="nvml"), gpus, "ok"
    except Exception as exc:
        return None, [], _text(exc) or type(exc).__name__
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:
            pass


def _safe(fn):
    try:
        return fn()
    except Exception:
        return None


def from_procfs(root) -> Tuple[Optional[str], List[Gpu], str]:
    try:
        text = root.read_text("/proc/driver/nvidia/version")
    except OSError as exc:
        return None, [], reason(exc)
    version = parse_module_version(text)
    if not version:
        return None, [], "/proc/driver/nvidia/version has no driver version line"
    gpus = []
    for d in root.glob("/proc/driver/nvidia/gpus", "*"):
        try:
            info = parse_information(root.read_text(d + "/information"))
        except OSError:
            continue
        minor = info.get("Device Minor")
        gpus.append((int(minor) if minor and minor.isdigit() else len(gpus), info, d.rsplit("/", 1)[-1]))
    out = [Gpu(index=i, name=info.get("Model"), uuid=info.get("GPU UUID"), bus_id=info.get("Bus Location") or bus,
               source="procfs") for i, (_, info, bus) in enumerate(sorted(gpus, key=lambda g: g[0]))]
    return version, out, "ok"


def parse_information(text: str) -> Dict[str, str]:
    out = {}
    for line in text.splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def from_nvidia_smi(root) -> Tuple[Optional[str], Optional[str], List[Gpu], str]:
    exe = root.which("nvidia-smi")
    if exe is None:
        return None, None, [], "nvidia-smi not on PATH"
    fields = "index,name,compute_cap,memory.total,driver_version,uuid,pci.bus_id"
    try:
        res = root.run([exe, f"--query-gpu={fields}", "--format=csv,noheader,nounits"], timeout=15)
    except NotLive as exc:
        return None, None, [], str(exc)
    except Exception as exc:
        return None, None, [], reason(exc)
    if res.returncode != 0:
        return None, None, [], (res.stdout + res.stderr).strip().splitlines()[0:1] and \
            (res.stdout + res.stderr).strip().splitlines()[0] or f"nvidia-smi exited {res.returncode}"
    gpus, version = [], None
    for line in res.stdout.strip().splitlines():
        cols = [c.strip() for c in line.split(",")]
        if len(cols) < 7:
            continue
        version = cols[4]
        gpus.append(Gpu(index=int(cols[0]) if cols[0].isdigit() else len(gpus), name=cols[1],
                        compute_capability=parse(cols[2]) if cols[2][:1].isdigit() else None,
                        memory_mib=int(float(cols[3])) if cols[3].replace(".", "").isdigit() else None,
                        uuid=cols[5], bus_id=cols[6], source="nvidia-smi"))
    cuda = None
    try:
        head = root.run([exe], timeout=15).stdout
        m = re.search(r"CUDA Version:\s*(\d+\.\d+)", head)
        cuda = m.group(1) if m else None
    except Exception:
        pass
    return version, cuda, gpus, "ok"


NVML_TIMEOUT_S = 20.0  # a wedged driver can hang nvmlInit for minutes; the scan reports that and goes on


def _timeout() -> float:
    try:
        return float(os.environ.get("ENVCHECK_NVML_TIMEOUT", NVML_TIMEOUT_S))
    except ValueError:
        return NVML_TIMEOUT_S


def start_nvml(ctx: ProbeContext) -> None:
    """Ask NVML in a background thread while the file probes run (ctypes releases the GIL during the driver's
    calls); `probe` collects the answer. Also bounds a hanging NVML by NVML_TIMEOUT_S."""
    box: dict = {}

    def ask():
        box["answer"] = from_nvml()

    t = threading.Thread(target=ask, name="envcheck-nvml", daemon=True)
    t.start()
    ctx.cache["nvml"] = (t, box)


def _nvml_answer(ctx: ProbeContext) -> Tuple[Optional[Driver], List[Gpu], str]:
    started = ctx.cache.pop("nvml", None)
    if started is None:
        return from_nvml()
    t, box = started
    wait = _timeout()
    t.join(wait)
    if t.is_alive():
        return None, [], f"NVML did not answer within {wait:g} s (a hung driver? ENVCHECK_NVML_TIMEOUT sets the wait)"
    return box.get("answer") or (None, [], "NVML thread ended without an answer")


def probe(ctx: ProbeContext, env) -> dict:
    root = ctx.root
    attempts: Dict[str, str] = {}
    if root.live:
        driver, gpus, said = _nvml_answer(ctx)
        attempts["nvml"] = said
        if driver is not None:
            return {"driver": Driver(version=driver.version, cuda=driver.cuda, source="nvml", attempts=attempts),
                    "gpus": tuple(gpus)}
    else:
        attempts["nvml"] = f"not asked: --root {root.base} reads files only"
    version, gpus, said = from_procfs(root)
    attempts["procfs"] = said
    if version:
        cuda = None
        if root.live:  # nvidia-smi also knows the CUDA version and compute capability
            smi_version, cuda, smi_gpus, smi_said = from_nvidia_smi(root)
            attempts["nvidia-smi"] = smi_said
            if smi_gpus:
                gpus = smi_gpus
        return {"driver": Driver(version=parse(version), cuda=parse(cuda), source="procfs", attempts=attempts),
                "gpus": tuple(gpus)}
    if root.live:
        version, cuda, gpus, said = from_nvidia_smi(root)
        attempts["nvidia-smi"] = said
        if version:
            return {"driver": Driver(version=parse(version), cuda=parse(cuda), source="nvidia-smi",
                                     attempts=attempts), "gpus": tuple(gpus)}
    why = "; ".join(f"{k}: {v}" for k, v in attempts.items())
    return {"driver": Driver(error=f"no NVIDIA driver found ({why})", attempts=attempts), "gpus": ()}
