"""Record a real environment's native skeleton and reality's verdicts, for the CI subset of the truth suite.

    python benchmarks/truth/skeleton.py /work/truthenv/torch-cu13 truth-report/trials.jsonl torch-cu13 \
        > tests/fixtures/truth/torch-cu13.json

Writes, for every shared object under the site-packages folders the libraries probe reads (torch/, nvidia/,
tensorrt_libs/), what the loader looks at (DT_SONAME, DT_NEEDED, DT_RUNPATH/DT_RPATH), the preload table of the
environment's own torch/__init__.py, and, from the truth suite's trials of that environment, whether `import`
really broke when each file was removed. tests/test_truth_subset.py rebuilds the tree with tiny real ELF files of
the same dynamic sections and asks envcheck the same questions, so CI checks the verdicts against reality's
answers without the gigabytes.
"""
from __future__ import annotations

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from envcheck.elf import read_elf  # noqa: E402

SYSTEM = re.compile(r"^(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+|ld-linux-x86-64)\.so")


def skeleton(prefix: str, trials: str, env: str) -> dict:
    sp = sorted(glob.glob(os.path.join(prefix, "lib", "python3*", "site-packages")))[0]
    objects = []
    for pat in ("torch/*.so", "torch/lib/*.so*", "nvidia/*/lib/*.so*", "tensorrt_libs/*.so*"):
        for p in sorted(glob.glob(os.path.join(sp, pat))):
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            info = read_elf(p)
            if not info.ok:
                continue
            objects.append({"path": os.path.relpath(p, sp), "soname": info.soname,
                            "needed": [n for n in info.needed if not SYSTEM.match(n)],
                            "runpath": ":".join(info.runpath) if info.has_runpath else None,
                            "rpath": ":".join(info.rpath) if info.has_rpath and not info.has_runpath else None})
    from envcheck.loader import Loader
    from envcheck.root import Root
    ours = {o["soname"] or os.path.basename(o["path"]) for o in objects} | {os.path.basename(o["path"]) for o in objects}
    loader = Loader(Root("/"))
    system = {}
    for n in sorted({n for o in objects for n in o["needed"]}):
        hit, _via = loader.resolve_system(n)
        if hit or n not in ours:   # where this machine's loader finds it (None: nowhere, as libcuda.so.1 without a driver)
            system[n] = hit
    init = open(os.path.join(sp, "torch", "__init__.py"), encoding="utf-8").read()
    table = re.findall(r'\(\s*"[a-z_]+",\s*"lib[A-Za-z_]+\.so\.\*\[0-9\]"\s*\)', init)
    version = open(os.path.join(sp, "torch", "version.py"), encoding="utf-8").read()
    verdicts = {}
    with open(trials) as fh:
        for line in fh:
            r = json.loads(line)
            if r.get("env") == env and r.get("class") == "lib-removed":
                verdicts[r["fault"][len("removed "):]] = {"import_ok": r["reality_ok"], "error": r["reality"][:300]}
    return {"env": env, "python_dir": os.path.relpath(sp, prefix), "objects": objects, "system": system,
            "torch_init": "_preload_cuda_deps\ncuda_libs = [\n    " + ",\n    ".join(table) + "\n]\n"
                          + ("maj_cuda_version = cuda_version.split('.')[0]\nf\"cu{maj_cuda_version}\"\n"
                             if 'f"cu{' in init else "") + "libtorch_global_deps\n",
            "torch_version_py": "".join(ln + "\n" for ln in version.splitlines() if re.match(r"^(cuda|__version__|hip) ", ln)),
            "removed": verdicts}


if __name__ == "__main__":
    json.dump(skeleton(*sys.argv[1:4]), sys.stdout, indent=1, sort_keys=True)
    print()
