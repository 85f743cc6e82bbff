"""The Process section of a scan report: what a CUDA program started here meets (env.process)."""
from __future__ import annotations

from typing import Callable, List, Optional

from envcheck.report.sections import UNKNOWN, Fact, Section


def process_section(env, fact: Callable[..., Fact]) -> Optional[Section]:
    proc = env.process
    if proc is None:
        return None
    rows: List[Fact] = []
    for d in proc.libcuda or ():
        who = d.environment or "programs"
        kind = "the toolkit's STUB" if d.stub else "the driver" if d.stub is False else UNKNOWN
        text = f"{d.path} ({d.via}): {kind}" if d.path else (d.error or "not found")
        rows.append(fact("process.libcuda.path", f"libcuda.so.1 ({who})", d.path, known=d.path is not None
                         or not env.gpus, text=text))
    dev = proc.devices
    if dev is not None:
        value = "unset" if dev.cuda_visible_devices is None else repr(dev.cuda_visible_devices)
        seen = "" if dev.visible is None else f": CUDA sees {', '.join(dev.visible) if dev.visible else 'no GPU'}"
        rows.append(fact("process.devices.cuda_visible_devices", "CUDA_VISIBLE_DEVICES", value,
                         text=value + seen + (f" ({dev.reason})" if dev.reason else "")))
    if proc.device_nodes is not None:
        words = [n.path + ("" if n.present and n.kind == "char" and n.openable else
                           " missing" if not n.present else f" ({n.kind}, openable={n.openable})")
                 for n in proc.device_nodes]
        rows.append(Fact("process.device_nodes", "device nodes", ", ".join(words),
                         "ok" if all(n.present and n.kind == "char" and n.openable for n in proc.device_nodes)
                         else "fail"))
    if proc.kernel_module is not None:
        rows.append(fact("process.kernel_module", "kernel module", proc.kernel_module,
                         text=f"{proc.kernel_module}; libnvidia-ml {proc.nvml_library_version or UNKNOWN}"))
    return Section("Process", tuple(rows))
