"""`envcheck recommend`: ranked ways to install a target (tensorrt-llm, vllm, sglang, tensorrt, torch) on a machine.

Pure: ``recommend(env, matrix, target)`` judges four kinds of path (wheel, image, source, driver) against the
facts of the Environment and the matrix rows, and ranks them. No I/O (``--verify`` lives in verify.py).
"""
from __future__ import annotations

from envcheck.recommend.images import ReadImage
from envcheck.recommend.model import InstallPath, Recommendation
from envcheck.recommend.rank import installable, recommend
from envcheck.recommend.targets import TARGETS

__all__ = ["InstallPath", "Recommendation", "ReadImage", "recommend", "installable", "TARGETS"]
