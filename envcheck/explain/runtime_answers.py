"""Answers for the failures that happen after the libraries loaded: shared memory (NCCL's, the DataLoader's),
companion packages built for another torch, a CPU-only torch, GPU memory, the machine's own memory, the NumPy 1.x/2
ABI. Each checks the message against the Environment in hand (/dev/shm's size, the GPUs' memory, the host's RAM,
the installed torch) and says what is not known."""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional

from envcheck.explain import codes as C
from envcheck.explain import machine_facts as F
from envcheck.explain.answers import Answer, Ctx
from envcheck.explain.owner import owner_of
from envcheck.explain.patterns import CPU_TORCH_SHOWN, Match

TORCH_INDEX = "https://download.pytorch.org/whl/"
# the companions PyTorch's own index holds, so one `pip install torch X --index-url` pairs them
ON_TORCH_INDEX = frozenset({"torchvision", "torchaudio", "torchtext", "torchdata", "torchcodec", "xformers", "triton",
                            "pytorch-triton", "fbgemm-gpu", "torchrec", "torchao", "torch-tensorrt"})


def _shm(env):
    """(size in MiB, 'disk[i]') of /dev/shm in the facts, or None."""
    for i, d in enumerate(env.disk or ()):
        if d.role == "shm" and d.total_gib is not None:
            return d.total_gib * 1024, f"disk[{i}]"
    return None


def _shm_facts(m, shm) -> List[str]:
    """Whether this is a container, and /dev/shm's size here (or that it is not known)."""
    where = ("this runs in a container" if m.in_container else "not a container" if m.in_container is False
             else "whether this is a container is not known")
    return [f"container: {where}", f"{shm[1]}: /dev/shm is {shm[0]:.0f} MiB here" if shm else
            "/dev/shm: its size is not known from these facts (df -h /dev/shm in the container tells it)"]


def dataloader_shm(mo: Match, ctx: Ctx) -> Answer:
    """torch's DataLoader workers hand each batch to the main process through shared memory (/dev/shm); a bus error
    or 'No space left on device' there is a /dev/shm too small for the batches in flight."""
    shm = _shm(ctx.env)
    cause = ("torch's DataLoader workers pass every batch to the main process through shared memory in /dev/shm, and "
             "it ran out: a worker that writes past the end of a full /dev/shm dies of SIGBUS (a bus error). A "
             "container's /dev/shm is 64 MiB unless it was started with --ipc=host or --shm-size; num_workers times "
             "prefetch_factor batches are in flight at once")
    facts = _shm_facts(ctx.m, shm)
    if shm and shm[0] < 1024:
        cause += f". Here /dev/shm is {shm[0]:.0f} MiB: that is the case"
    elif shm and shm[0] >= 4096:
        cause += (f". Here /dev/shm is {shm[0]:.0f} MiB: the message came from another container, or the batches in "
                  "flight are larger than that")
    cmds = ["df -h /dev/shm    # in the container that failed: 64M is Docker's default"]
    actions = ["restart the container with --ipc=host (or --shm-size=8g); on Kubernetes mount an emptyDir {medium: "
               "Memory} at /dev/shm; a hosted pod: the provider's setting for shared memory",
               "or lower the DataLoader's num_workers (0 passes no batch through /dev/shm) or its prefetch_factor"]
    return Answer("DataLoader workers ran out of shared memory (/dev/shm)", cause, facts, cmds, actions)


def nccl_shm(mo: Match, ctx: Ctx) -> Answer:
    if mo.get("dataloader"):
        return dataloader_shm(mo, ctx)
    m, weak = ctx.m, bool(mo.get("weak"))
    shm = _shm(ctx.env)
    facts = _shm_facts(m, shm)
    cause = ("NCCL passes data between the GPUs of one machine through shared memory in /dev/shm and could not "
             "create its segments there: a container's /dev/shm is 64 MiB unless it was started with --ipc=host or "
             "--shm-size (the threads: NVIDIA/nccl#290, #342, vllm#1710)")
    confidence = "high"
    if weak:
        cause = ("NCCL's 'unhandled system error' / ncclSystemError is a failed system call (socket, malloc, munmap): "
                 "inside a container most often the shared-memory segment in a too small /dev/shm (NVIDIA/nccl#473: "
                 "--ipc=host fixed it); else a socket NCCL could not open or connect on the network interface it "
                 "picked (a docker/virtual interface, a firewall: NCCL_SOCKET_IFNAME=eth0 names the right one), or "
                 "InfiniBand. NCCL_DEBUG=WARN prints which call failed")
        confidence = "medium"
    denied = re.search(r"shm_open failed\s*:?\s*Permission denied", ctx.message)
    if denied:
        cause = ("NCCL could not create its shared-memory segment in /dev/shm: 'Permission denied' means /dev/shm is "
                 "not writable for this user (NVIDIA/nccl#328: chmod 777 /dev/shm fixed it), not that it is small")
        confidence = "high"
    elif shm and shm[0] < 1024:
        cause += f". Here /dev/shm is {shm[0]:.0f} MiB: that is the case"
        confidence = "high"
    elif shm:
        cause += (f". Here /dev/shm is {shm[0]:.0f} MiB, which is enough: the message came from another container, "
                  "or the cause is another system call (NCCL_DEBUG=WARN says which)")
        confidence = "low" if weak else "medium"
    cmds = ["ls -ld /dev/shm    # drwxrwxrwt: every user may create segments"] if denied else []
    cmds += ["df -h /dev/shm    # in the container that failed: 64M is Docker's default",
            "export NCCL_DEBUG=WARN    # then run the job again: its 'NCCL WARN' lines name the call that failed"]
    actions = ["make /dev/shm writable for every user as it should be (chmod 1777 /dev/shm, as root)"] if denied else []
    actions += ["restart the container with --ipc=host (or --shm-size=16g); on Kubernetes mount an emptyDir "
               "{medium: Memory} at /dev/shm; a hosted pod: the provider's setting for shared memory",
               "as a stopgap only: NCCL_SHM_DISABLE=1 (slower: NCCL then uses other transports)"]
    title = "NCCL could not create its shared-memory segments (/dev/shm)"
    if weak and not denied:
        actions.append("where NCCL WARN names a socket call: export NCCL_SOCKET_IFNAME=eth0 (the interface the ranks "
                       "reach each other on; `ip -br addr` lists them) and open the ports between the nodes")
        title = "An NCCL system call failed (most often /dev/shm; else its sockets)"
    return Answer(title, cause, facts, cmds, actions, confidence)


def _torch_tag(ctx: Ctx) -> Optional[str]:
    """cu121 for the CUDA the driver here runs (capped to what torch publishes), or None when not known."""
    if ctx.m.cuda is None:
        return None
    v = (ctx.m.cuda.major, ctx.m.cuda.minor)
    for tag, need in (("cu128", (12, 8)), ("cu126", (12, 6)), ("cu124", (12, 4)), ("cu121", (12, 1)), ("cu118", (11, 8))):
        if v >= need:
            return tag
    return None


def _torch_facts(ctx: Ctx) -> List[str]:
    return F.torch_facts(ctx.m, limit=3)


def _local_tag(version: Optional[str]) -> Optional[str]:
    mo = re.search(r"\+(cu\d+|cpu|rocm[\d.]+)$", version or "")
    return mo.group(1) if mo else None


def _installed_torch_tag(ctx: Ctx) -> Optional[str]:
    """The local tag of the torch in the one environment the advice is for, when the facts have it."""
    tags = {_local_tag(str(ver)) for _, ver in F.packages_with(ctx.m, "torch")} - {None}
    return tags.pop() if len(tags) == 1 else None


def companion(mo: Match, ctx: Ctx) -> Answer:
    pkg, built, have = mo.get("package") or "", mo.get("built"), mo.get("have")
    facts = _torch_facts(ctx)
    dist = pkg.lower()
    if mo.get("torch_cuda") or mo.get("cuda_pair"):
        vers = (f" (torch: CUDA {mo.get('torch_cuda')}, {pkg}: CUDA {mo.get('pkg_cuda')})" if mo.get("torch_cuda") else "")
        cause = (f"{pkg} was built for a torch of another CUDA version than the torch installed{vers}: its compiled ops "
                 f"refuse to load; install the {pkg} build made for this torch (same CUDA tag)")
    elif mo.get("torch_api"):
        cause = (f"{pkg} is newer than the torch installed: it calls torch.library.{mo.get('torch_api')}, which torch "
                 f"added in 2.4, so an older torch cannot import it; typically {pkg} was upgraded alone (a package's "
                 f"requirement pulled the latest {pkg}), less often an old torch shadows the new one in another "
                 "site-packages")
    elif mo.get("custom_ops"):
        cause = (f"{pkg}'s compiled C++/CUDA ops did not load: {pkg} was built for another torch release (or CUDA) than "
                 f"the torch installed, typically after torch was upgraded or reinstalled alone (a {pkg} from PyPI "
                 "beside a torch from PyTorch's index, or the reverse)")
    elif mo.get("triton_target"):
        cause = ("torch.compile handed its target to a Triton of another release than the one this torch pins: "
                 "several Triton packages are installed side by side (triton, pytorch-triton, triton-nightly) and the "
                 "one imported is not torch's (the thread: pytorch/pytorch#128357); keep only the Triton torch "
                 "requires (pip show torch lists it)")
    elif mo.get("symbol"):
        cause = (f"{pkg}'s compiled library{' ' + mo.get('object') if mo.get('object') else ''} needs torch's symbol "
                 f"{mo.get('symbol')}, which the torch installed does not export: {pkg} was built for another torch "
                 f"release, typically after torch was upgraded or reinstalled alone ({pkg} is released in lockstep "
                 "with torch: each release pairs with one torch release)")
    elif mo.get("torchao_version"):
        cause = (f"torchao {mo.get('torchao_version')}'s compiled kernels are built for one torch release, and torch "
                 f"{have} is not it (pytorch/ao#2919): torchao goes on without them, so its quantized kernels are off "
                 f"and code that needs them fails; install the torchao release that pairs with torch {have} (the "
                 "compatibility table in torchao's README), or the torch it was built for")
    elif mo.get("dgl_lib"):
        cause = (f"DGL loads its C++ {mo.get('dgl_lib')} library from a file named after the torch it runs with, and "
                 f"the DGL installed has none for torch {have}: each DGL wheel carries that library for the torch "
                 "releases it was built for, so DGL was installed for another torch, or torch was upgraded after it")
    elif built:
        cause = (f"{pkg} was built for torch {built} and the torch installed is {have}: its compiled ops cannot load, "
                 f"so it falls back or fails; install the {pkg} release built for torch {have}")
    else:
        cause = (f"the operator {mo.get('subject')} is registered by {pkg}'s compiled library, and it did not load: "
                 f"{pkg} was built for another torch release (or CUDA) than the torch installed, typically after "
                 f"torch was upgraded or reinstalled alone (the threads: pytorch/pytorch#122494; a CPU-only torch with "
                 f"a CUDA {pkg}, or the reverse)")
    cmds = F.for_each(ctx.m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda)\"", "torch",
                      "the torch the companion must match")
    tag = _local_tag(have) or _installed_torch_tag(ctx)
    if tag and dist in ("torchvision", "torchaudio"):
        cmds += F.for_each(ctx.m, "{py} -m pip install --force-reinstall --no-deps " + dist + " --index-url "
                           + TORCH_INDEX + tag, "torch", f"the {dist} build for torch's {tag}")
    actions = [f"install {dist} together with torch in one command (pip install torch {dist} --index-url "
               f"{TORCH_INDEX}cuXYZ, the tag of the torch you keep), so pip picks the matching pair; the PyTorch "
               "site's compatibility table lists the pairs"]
    if dist.lower().replace("_", "-") not in ON_TORCH_INDEX:      # built elsewhere: the pair is the package's to name
        actions = [f"install the {dist} release built for the torch you keep (its install page or release notes name "
                   "the torch of each release), or keep the torch it was built for"
                   + (f": pip install \"torch=={built}\" --index-url {TORCH_INDEX}cuXYZ" if built else "")]
    if mo.get("dgl_lib"):
        listed = re.fullmatch(r"/[\w./+\-]{1,400}", mo.get("dgl_dir") or "") is not None
        if listed:
            cmds.append(f"ls {mo.get('dgl_dir')}    # the torch releases this DGL carries the library for")
        xy = ".".join((have or "").split(".")[:2])
        actions = [f"install the DGL built for torch {xy} from DGL's own index, if it has that torch (its list: "
                   f"https://data.dgl.ai/wheels/repo.html): pip install dgl -f https://data.dgl.ai/wheels/torch-{xy}/"
                   "cuXYZ/repo.html (cuXYZ: torch's CUDA tag); else install a torch the DGL installed carries "
                   + ("(the ls above lists them)" if listed else "(the {0}_pytorch_X.Y.Z files in DGL's {0} folder name "
                      "them)".format("graphbolt" if mo.get("dgl_lib") == "graphbolt" else "dgl_sparse"))
                   + " with its torchvision and torchaudio"]
    if dist == "torch_xla":
        actions = ["install the torch release of torch_xla's version (pip install torch==X.Y.Z torch_xla==X.Y.Z), and "
                   "do not reinstall or upgrade torch alone afterwards"]
    return Answer(f"{pkg} was built for another torch", cause, facts, cmds, actions)


def torch_cpu(mo: Match, ctx: Ctx) -> Answer:
    m = ctx.m
    facts = _torch_facts(ctx) + [F.driver_fact(m)]
    cuda_env = [it for it in m.interpreters if it.torch_cuda is not None]
    cause = ("the torch installed is a CPU-only build (its version ends in +cpu, and torch.version.cuda is empty): pip's "
             "default index gave a CPU wheel, or another package's requirement pulled torch from PyPI over a CUDA build")
    if mo.get("have"):
        cause = f"{mo.get('package') or 'the program'} saw torch {mo.get('have')}, a CPU-only build: " + cause.split(": ", 1)[1]
    if mo.get("built"):
        cause += (f"; {mo.get('package')} itself was built for torch {mo.get('built')}: after installing the CUDA "
                  f"torch, reinstall {mo.get('package')} to match it (the same index, e.g. pip install -U "
                  f"{mo.get('package').lower()} torch==<its version> --index-url {TORCH_INDEX}<cuXYZ>)")
    shown = CPU_TORCH_SHOWN.search(ctx.message) if mo.get("gpu_check") else None
    if shown:                        # the log names the torch it ran: a CPU-only build, so that is the cause
        cause = (f"the program asked torch for a CUDA GPU and the torch it ran is {shown.group(1)}, a CPU-only build "
                 "(the log's banner or package list says so): " + cause.split(": ", 1)[1])
    elif mo.get("gpu_check"):        # a program's own 'no GPU' check: torch.cuda.is_available() was False
        cause = ("the program asked torch for a CUDA GPU and torch saw none (torch.cuda.is_available() was False): "
                 "most often because " + cause + "; else no NVIDIA driver or GPU is visible to the process "
                 "(nvidia-smi tells)")
    if m.no_driver:
        cause += ". Here no NVIDIA driver is installed: without a GPU the program must run with device='cpu'"
    all_cuda = bool(cuda_env) and all(it.torch_cuda is not None for it in m.interpreters
                                      if "torch" in (it.packages or {}))
    if all_cuda and not m.no_driver:
        cause += ". Here every torch found is a CUDA build: the message came from another environment"
    tag = None if all_cuda else _torch_tag(ctx)
    cmds = F.for_each(m, "{py} -c \"import torch; print(torch.__version__, torch.version.cuda)\"", "torch",
                      "no CUDA version printed: a CPU-only build")
    if tag:
        cmds += F.for_each(m, "{py} -m pip install --force-reinstall torch --index-url " + TORCH_INDEX + tag, "torch",
                           f"a CUDA build for this driver ({tag})")
    elif ctx.m.cuda is None:
        cmds.append(F.LEARN_DRIVER)
    actions = [] if tag and not all_cuda else ["install torch from download.pytorch.org/whl/cuXYZ for the CUDA the driver runs "
                              "(nvidia-smi's 'CUDA Version' is the newest)"]
    if mo.get("gpu_check") and not shown:
        if F.LEARN_DRIVER not in cmds:
            cmds.append("nvidia-smi    # the driver and the GPU, seen from this machine")
        return Answer("torch sees no CUDA GPU: most likely a CPU-only torch", cause, facts, cmds, actions, "medium")
    return Answer("A CPU-only torch is installed", cause, facts, cmds, actions)


def _gib(s: Optional[str]) -> Optional[float]:
    if not s:
        return None
    num, unit = s.split()
    return float(num) * {"B": 1 / 1073741824, "KiB": 1 / 1048576, "MiB": 1 / 1024, "GiB": 1.0, "TiB": 1024.0,
                         "KB": 1 / 1048576, "MB": 1 / 1024, "GB": 1.0, "TB": 1024.0}.get(unit, 1.0)


XLA_WORDS = re.compile(r"RESOURCE_EXHAUSTED|XlaRuntimeError|\bjax(?:lib)?\b")


def cuda_oom(mo: Match, ctx: Ctx) -> Answer:
    env = ctx.env
    tried, total, free = _gib(mo.get("tried")), _gib(mo.get("total")), _gib(mo.get("free"))
    in_use = _gib(mo.get("in_use"))
    gpus = [g for g in env.gpus or () if g.memory_mib]
    facts = [f"gpus[{g.index}]: {g.name} with {g.memory_mib / 1024:.1f} GiB" for g in gpus[:4]] or \
            ["gpus: their memory is not known from these facts (nvidia-smi tells it)"]
    cause = "the job asked the GPU for more memory than was free"
    confidence = "high"
    if tried is not None and total is not None:
        cause += f": {mo.get('tried')} requested on a GPU of {mo.get('total')}"
        if tried > total:
            cause += " — more than the whole GPU: the model, batch or sequence is too large for it"
        elif free is not None and in_use is not None and total - free - in_use > 0.5:
            cause += (f"; {total - free - in_use:.1f} GiB is used by other processes (the total less what is free and "
                      "what this process holds): another process still holds GPU memory")
        elif free is not None and tried <= free:
            cause += f" with {mo.get('free')} free: fragmentation (PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True)"
        else:
            cause += "; this process holds most of it: the job's size (batch, sequence, model) is the lever"
    elif mo.get("needed"):
        cause += (f": the program needs {mo.get('needed')}"
                  + (f" and {mo.get('free')} is free" if mo.get("free") else "")
                  + "; whether the job is too large for this GPU or another process (a display, a previous run) holds "
                    "the difference, nvidia-smi tells")
        confidence = "medium"
    else:
        cause += ("; the message does not say how much was asked of how much, so whether the job is too large or "
                  "another process holds memory is not known")
        confidence = "medium"
    xla = bool(mo.get("xla")) or bool(XLA_WORDS.search(ctx.message))
    if mo.get("xla"):
        cause = (f"XLA (JAX) could not allocate {mo.get('tried')} on the GPU: the memory XLA may use is full. JAX "
                 "preallocates 75% of the GPU's memory when it starts, so the job's size, another process holding "
                 "memory (a second JAX or TensorFlow process, another framework in the same process) or the share "
                 "left to XLA is the cause; the message does not say which")
    if total is not None and gpus and all(abs(g.memory_mib / 1024 - total) > 2 for g in gpus):
        cause += f". The GPUs here have {gpus[0].memory_mib / 1024:.0f} GiB, not {mo.get('total')}: the message came from another machine"
    cmds = ["nvidia-smi --query-compute-apps=pid,used_memory --format=csv    # processes still holding GPU memory",
            "nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv"]
    actions = ["end a process that still holds memory (a previous run, a notebook kernel) if one is listed",
               "otherwise make the job smaller: batch size, sequence length, a quantized model, or a larger GPU; for "
               "vLLM lower --gpu-memory-utilization or --max-model-len"]
    if xla:
        actions.append("for JAX/XLA: XLA_PYTHON_CLIENT_PREALLOCATE=false (allocate on demand, where several processes "
                       "share the GPU) or XLA_PYTHON_CLIENT_MEM_FRACTION=.9 (a larger share than the default .75), set "
                       "before the process starts; else a smaller batch")
    if mo.get("ggml"):
        actions.append("for llama.cpp (ggml): offload fewer layers to the GPU (-ngl / n_gpu_layers), a smaller context "
                       "(-c), or a smaller quantization of the model")
    return Answer("The GPU ran out of memory", cause, facts, cmds, actions, confidence)


def numpy_abi(mo: Match, ctx: Ctx) -> Answer:
    have = mo.get("numpy")
    own = owner_of(ctx.message, mo.start, mo.line, ctx.env, skip=("numpy", "torch"))
    facts = [f"pythons: numpy {ver} in {where}" for where, ver in F.packages_with(ctx.m, "numpy")][:3]
    who = f"{own.dist} ({own.path}, from {own.how})" if own else "a compiled package (the traceback names it)"
    if mo.get("unavailable"):
        cause = ("torch could not use NumPy: a torch built against NumPy 1.x (2.2 and older) with NumPy 2 installed, or "
                 "no NumPy in this environment at all; torch prints this when its NumPy bridge failed to load")
    elif have:
        cause = (f"{who} was compiled against NumPy 1.x and NumPy {have} is installed: NumPy 2 changed the C ABI, so "
                 "modules built for 1.x cannot load")
    else:
        cause = (f"{who} was compiled against another NumPy ABI than the NumPy installed (a NumPy type's size in its "
                 "C header differs from the running NumPy's): NumPy 1.x and 2.x builds mixed in one environment")
    cmds = F.for_each(ctx.m, "{py} -m pip install 'numpy<2'", "numpy", "the quick fix: the NumPy 1.x it was built for")
    if own:
        cmds += F.for_each(ctx.m, "{py} -m pip install --upgrade " + own.dist, own.dist,
                           f"or: a {own.dist} release built for NumPy 2")
    return Answer("A module compiled for another NumPy ABI", cause, facts, cmds, [],
                  "high" if have else "medium")


def host_memory(mo: Match, ctx: Ctx) -> Answer:
    """The machine's memory, not the GPU's: Windows' page file (error 1455), the OOM killer, torch's CPU allocator."""
    if mo.get("pagefile"):
        return _page_file()
    mem = ctx.env.host.memory_gib if ctx.env.host else None
    facts = [f"host.memory_gib = {mem:.1f}" if mem else "host memory: not known from these facts"]
    return _oom_killed_worker(facts) if mo.get("oom_killer") else _cpu_allocator(mo, facts, mem)


def _page_file() -> Answer:
    """Windows' '[WinError 1455] The paging file is too small': a Windows machine's, so this one's RAM is no fact."""
    cause = ("Windows could not commit the memory a DLL load needs: the page file (virtual memory) is too small for "
             "what the running processes commit. A process that imports torch with CUDA commits gigabytes for its "
             "CUDA DLLs (cuDNN, cuBLAS), and on Windows every DataLoader worker is another such process; the DLL "
             "itself is there")
    cmds = ['powershell -Command "Get-CimInstance Win32_PageFileUsage | Select Name,AllocatedBaseSize,CurrentUsage"'
            "    # the page file's size and use, in MB"]
    actions = ["raise the page file: System Properties > Advanced > Performance: Settings > Advanced > Virtual "
               "memory: Change (system managed size, or 16-32 GB on a drive with room), then restart Windows",
               "or lower the DataLoader's num_workers (each worker loads torch's DLLs again) and close other "
               "programs that hold memory"]
    return Answer("Windows' page file is too small (virtual memory)", cause, [], cmds, actions)


def _oom_killed_worker(facts: List[str]) -> Answer:
    """'DataLoader worker (pid N) is killed by signal: Killed.': SIGKILL, most often the kernel's OOM killer."""
    cause = ("a DataLoader worker was killed by SIGKILL: most often the kernel's OOM killer, when the machine's RAM (or "
             "the container's memory limit) ran out; every worker holds its own copy of what the dataset object "
             "keeps in memory")
    cmds = ["dmesg -T | grep -i -E 'killed process|out of memory'    # the OOM killer's record (as root)",
            "free -h    # RAM and swap"]
    actions = ["lower the DataLoader's num_workers, or keep the dataset on disk (memory-mapped) rather than in Python "
               "lists in every worker", "more RAM or swap, or a higher container memory limit (docker run --memory, "
               "the pod's resources.limits.memory)"]
    return Answer("A DataLoader worker was killed: likely out of RAM", cause, facts, cmds, actions, "medium")


def _cpu_allocator(mo: Match, facts: List[str], mem: Optional[float]) -> Answer:
    """torch's 'DefaultCPUAllocator: not enough memory: you tried to allocate N bytes': host RAM, with its size."""
    gib = int(mo.get("cpu_bytes") or 0) / 2 ** 30
    cause = (f"torch's CPU allocator could not get {gib:.2f} GiB of host memory (RAM), not GPU memory: the tensor is "
             "made on the CPU, typically a model loaded in float32 before it is moved to the GPU, or a whole dataset "
             "or batch in RAM")
    if mem and gib > mem:
        cause += f". That is more than this machine's {mem:.1f} GiB"
    cmds = ["free -h    # RAM and swap (on Windows: the Task Manager's Memory page)"]
    actions = ["load the model in half precision and straight to the GPU (transformers: torch_dtype=torch.float16, "
               "device_map='auto', low_cpu_mem_usage=True), or a smaller batch",
               "more RAM or swap (a Windows page file), or a higher container memory limit"]
    return Answer(f"Out of host memory (RAM): {gib:.2f} GiB could not be allocated", cause, facts, cmds, actions)


ANSWERS: Dict[str, Callable[[Match, Ctx], Answer]] = {
    C.NCCL_SHM: nccl_shm, C.COMPANION: companion, C.TORCH_CPU: torch_cpu, C.CUDA_OOM: cuda_oom,
    C.NUMPY_ABI: numpy_abi, C.HOST_MEMORY: host_memory,
}
