"""The `envcheck fit` estimate for MOSS-Speech against the peak memory the bench measured on the device.

    python benchmarks/fit_vs_bench.py [benchmarks/bench_moss_speech_*.json ...]

Reads the MOSS-Speech config fixture (tests/fixtures/models/moss-speech/config.json) and each bench JSON, prints
one row per backend: measured torch.cuda.max_memory_allocated, the estimate of the same quantity (weights + KV +
activations, no CUDA context), the error, and the parameter counts side by side.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from envcheck import checkpoint  # noqa: E402
from envcheck.fit.against_bench import compare  # noqa: E402
from envcheck.fit.build import model_from  # noqa: E402


def main(paths):
    model_dir = os.path.join(os.path.dirname(HERE), "tests", "fixtures", "models", "moss-speech")
    model = model_from("MOSS-Speech", checkpoint.read(model_dir))
    paths = paths or sorted(glob.glob(os.path.join(HERE, "bench_moss_speech_*.json")))
    print(f"{'file':<32} {'gpu':<22} {'backend':<8} {'measured':>9} {'estimate':>9} {'error':>7}  params measured / estimated")
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        for r in compare(model, doc):
            print(f"{os.path.basename(path):<32} {r.gpu:<22} {r.backend:<8} {r.measured_gib:>8.2f}G {r.estimated_gib:>8.2f}G "
                  f"{r.error:>+7.1%}  {r.measured_params:,} / {r.estimated_params:,}")


if __name__ == "__main__":
    main(sys.argv[1:])
