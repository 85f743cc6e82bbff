"""What `explain` says about the process view's failures: the CUDA toolkit's stub libcuda loaded instead of the
driver ('CUDA driver is a stub library', error 34), and, for 'No CUDA GPUs are available', what the scanned
environment's CUDA_VISIBLE_DEVICES leaves visible (env.process, see envcheck/probes/process.py)."""
from __future__ import annotations

from typing import List

from envcheck.checks.process import _stub_fix
from envcheck.findings import register

STUB = register("explain-libcuda-stub", "fail", "The CUDA toolkit's stub libcuda was loaded instead of the driver",
    """'CUDA driver is a stub library' (CUDA_ERROR_STUB_LIBRARY / cudaErrorStubLibrary, error 34): the process loaded
    the toolkit's link-time stubs/libcuda.so as libcuda.so.1, usually because the stubs directory is on
    LD_LIBRARY_PATH (left there by a Dockerfile that linked against it) or in ld.so.conf. Every CUDA call fails until
    the driver's own libcuda.so.1 is found first.""")

# (regex, layer, code): the pattern table entry (envcheck.explain.patterns turns it into its own form). Error 34 is
# the stub's number in both APIs ('CUDA error: error code 34', numba's 'CudaAPIError: [34]'); numba releases that had
# no name for it said 'Call to cuInit results in UNKNOWN_CUDA_ERROR'
STUB_PATTERN = (r"CUDA driver is a stub library|CUDA_ERROR_STUB_LIBRARY|cudaErrorStubLibrary|"
                r"(?:CUDA[ _]?error|CudaAPIError|CUresult|cuInit\w{0,20})[:\s]{0,8}(?:error\s{0,4})?(?:code[:=]?\s{0,4}|\[|\()?34\b(?![.\d])|"
                r"cuInit results in UNKNOWN_CUDA_ERROR", 1, STUB)


def libcuda_facts(env) -> List[str]:
    proc = getattr(env, "process", None) if env is not None else None
    out = []
    for d in (proc.libcuda or ()) if proc else ():
        who = d.environment or "a program without RPATH"
        if d.path is None:
            out.append(f"process.libcuda ({who}): {d.error or 'not found'}")
            continue
        kind = "the toolkit's stub" if d.stub else "the driver" if d.stub is False else "unknown"
        out.append(f"process.libcuda ({who}): {d.path}, found by {d.via}: {kind}"
                   + (f"; the driver's copy is {d.driver_copy}" if d.driver_copy else ""))
    return out or ["process.libcuda: not in this scan (scan with this envcheck on the failing machine)"]


def stub_answer(env):
    """(title, cause, facts, commands, actions) for the stub."""
    proc = getattr(env, "process", None) if env is not None else None
    stub = next((d for d in (proc.libcuda or ()) if d.stub), None) if proc else None
    cause = ("the process loaded the CUDA toolkit's stubs/libcuda.so as libcuda.so.1: the stub exists only to link "
             "against and answers every call with error 34. Its directory is on LD_LIBRARY_PATH (a Dockerfile's build "
             "step left it there) or in /etc/ld.so.conf.d, ahead of the driver's libcuda.so.1")
    if stub is not None:
        cause += f". Here the loader picks {stub.path} ({stub.via})"
    cmds = ["echo \"$LD_LIBRARY_PATH\" | tr : '\\n' | grep -n stubs    # a stubs directory here is the cause",
            "ldconfig -p | grep 'libcuda.so.1 '    # the driver's copy the loader should find"]
    if stub is not None:
        cmds += list(_stub_fix(stub, proc.ld_library_path))
    actions = ["remove the stubs directory from LD_LIBRARY_PATH (link with -L.../stubs at build time only)",
               "in a container: the driver's libcuda.so.1 comes from the host (docker run --gpus all)"]
    return "CUDA loaded the toolkit's stub libcuda, not the driver", cause, libcuda_facts(env), cmds, actions


def visible_facts(env) -> List[str]:
    """CUDA_VISIBLE_DEVICES and what it leaves visible, for 'No CUDA GPUs are available'."""
    dev = env.process.devices if env is not None and getattr(env, "process", None) else None
    if dev is None:
        return []
    value = "unset" if dev.cuda_visible_devices is None else repr(dev.cuda_visible_devices)
    fact = f"process.devices.cuda_visible_devices: {value}"
    if dev.visible is not None:
        fact += f"; CUDA sees {', '.join(dev.visible) if dev.visible else 'no GPU'}"
    if dev.reason:
        fact += f" ({dev.reason})"
    return [fact]
