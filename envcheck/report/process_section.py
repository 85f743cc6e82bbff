"""The Process section of a scan report: what a CUDA program started here meets (env.process). Rows are
(path, label, value, text, mark): ``mark`` None lets the report mark the row from the findings."""
from __future__ import annotations

from typing import List, Optional, Tuple

Row = Tuple[str, str, object, str, Optional[str]]


def process_rows(env) -> Optional[List[Row]]:
    proc = env.process
    if proc is None:
        return None
    rows: List[Row] = []
    for d in proc.libcuda or ():
        kind = "the toolkit's STUB" if d.stub else "the driver" if d.stub is False else "unknown"
        text = f"{d.path} ({d.via}): {kind}" if d.path else (d.error or "not found")
        known = d.path if d.path is not None or env.gpus else text
        rows.append(("process.libcuda.path", f"libcuda.so.1 ({d.environment or 'programs'})", known, text, None))
    dev = proc.devices
    if dev is not None:
        value = "unset" if dev.cuda_visible_devices is None else repr(dev.cuda_visible_devices)
        seen = "" if dev.visible is None else f": CUDA sees {', '.join(dev.visible) if dev.visible else 'no GPU'}"
        rows.append(("process.devices.cuda_visible_devices", "CUDA_VISIBLE_DEVICES", value,
                     value + seen + (f" ({dev.reason})" if dev.reason else ""), None))
    if proc.device_nodes is not None:
        usable = [n.present and n.kind == "char" and n.openable for n in proc.device_nodes]
        words = [n.path + ("" if ok else " missing" if not n.present else f" ({n.kind}, openable={n.openable})")
                 for n, ok in zip(proc.device_nodes, usable)]
        rows.append(("process.device_nodes", "device nodes", words, ", ".join(words), "ok" if all(usable) else "fail"))
    if proc.kernel_module is not None:
        rows.append(("process.kernel_module", "kernel module", proc.kernel_module,
                     f"{proc.kernel_module}; libnvidia-ml {proc.nvml_library_version or 'unknown'}", None))
    return rows
