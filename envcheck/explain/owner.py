"""Which package needed what failed: the owner of the file on the error line, or of the last traceback frame in
site-packages before it, named as the distribution to reinstall. Pure text work plus the Environment's facts (the
environments' installed distributions and the native extensions the scan found unresolved)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from envcheck.pyenvs.metadata import norm

SITE_FILE = re.compile(r"/(?:site|dist)-packages/([A-Za-z_][\w.]{0,80}?)(?=[/.])([^\s'\"`:,)]*)")
STDLIB_OWNERS = {"importlib", "ctypes", "runpy", "nvidia"}  # nvidia/: the CUDA libraries themselves, never the needer
# packages that ship their own CUDA kernels: a traceback frame of theirs is where a kernel was missing
EXTENSIONS = {"flash_attn", "flash_attn_2_cuda", "xformers", "mmcv", "vllm", "bitsandbytes", "auto_gptq", "awq",
              "sgl_kernel", "apex", "deepspeed", "torch_scatter", "torch_sparse", "torch_cluster", "detectron2",
              "pytorch3d", "causal_conv1d", "mamba_ssm", "exllamav2", "tensorrt_llm", "spconv", "torchvision",
              "torchaudio", "triton", "llama_cpp", "gsplat", "diff_gaussian_rasterization", "simple_knn", "nerfacc",
              "tinycudann", "pointnet2_ops", "MinkowskiEngine", "fused_layer_norm_cuda", "transformer_engine"}
# import names whose distribution is named otherwise (PyPI)
DISTS = {"auto_gptq": "auto-gptq", "awq": "autoawq", "cv2": "opencv-python", "flash_attn_2_cuda": "flash-attn",
         "flash_attn": "flash-attn", "sklearn": "scikit-learn", "PIL": "pillow", "mmcv": "mmcv",
         "onnxruntime": "onnxruntime-gpu", "bitsandbytes": "bitsandbytes", "llama_cpp": "llama-cpp-python",
         "tensorrt_llm": "tensorrt-llm", "sgl_kernel": "sgl-kernel", "torch_sparse": "torch-sparse",
         "torch_scatter": "torch-scatter", "cuda": "cuda-python"}


@dataclass(frozen=True)
class Owner:
    module: str          # the import name (top-level directory in site-packages)
    dist: str            # the distribution to reinstall
    path: str            # the file that needed the library (or the last frame's file)
    how: str             # "the error line" or "the traceback"



def _dist(module: str, env) -> str:
    installed = set()
    for p in getattr(env, "pythons", None) or ():
        installed |= {norm(k) for k in (p.packages or {})}
    for cand in (norm(module), norm(DISTS.get(module, module)), norm(module) + "-full"):
        if cand in installed:
            return cand
    return DISTS.get(module, norm(module))


def _native(env, path: str) -> Optional[str]:
    for p in getattr(env, "pythons", None) or ():
        for link in p.native or ():
            if link.file and path.endswith(link.file.lstrip("/")) or (link.file and link.file.endswith(path)):
                return link.package
    return None


def owner_of(text: str, start: int, line: str, env, skip=("torch",), compiled_only: bool = False) -> Optional[Owner]:
    """The package that needed what failed at `start` in `text`: a site-packages path on the error line itself,
    else the last traceback frame in site-packages before it (the import that failed). `skip`: owners that are
    only the messenger for this cause (torch's dispatcher for a companion's op). `compiled_only`: only a package
    with kernels of its own (a .so path, or one of EXTENSIONS), never a pure-Python caller such as transformers."""
    hits = [m for m in SITE_FILE.finditer(line) if m.group(1) not in STDLIB_OWNERS and m.group(1) not in skip]
    how = "the error line"
    if not hits:
        before = text[max(0, start - 20000):start]
        hits = [m for m in SITE_FILE.finditer(before) if m.group(1) not in STDLIB_OWNERS and m.group(1) not in skip]
        how = "the traceback"
    if not hits:
        return None
    if compiled_only:
        hits = [h for h in hits if ".so" in h.group(2) or h.group(1).split(".")[0] in EXTENSIONS]
        if not hits:
            return None
    m = hits[-1]
    module, path = m.group(1).split(".")[0], m.group(0).lstrip("/")
    dist = _native(env, m.group(1) + m.group(2)) or _dist(module, env)
    return Owner(module, dist, path, how)
