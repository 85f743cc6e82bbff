#!/usr/bin/env bash
# The bench's figures as committed: the decoder's attention variants (bench_moss_flow.py), then a first run of the
# fused backend (compiles, counts FLOPs, computes eager's reference) and a second run on the same machine (every
# cache warm) with the profile and the RTX 4090 prediction. Run on the GPU machine from the checkout:
#   OUT=outdir bash benchmarks/device_bench_pair.sh
# FLOW_MODES= skips the attention comparison; LIMIT bounds the whole; THIRD_PROFILE=1 adds a third run under cProfile
# (third_pstats.txt: where a warm start's seconds go).
set -u
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:?outdir}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
ATT=${ENVCHECK_BENCH_FLOW_ATTENTION:-}
if [ -n "${FLOW_MODES-default,default@flash,default@efficient}" ]; then   # FLOW_MODES= skips the comparison
timeout "${FLOW_LIMIT:-270}" python3 benchmarks/bench_moss_flow.py --modes "${FLOW_MODES:-default,default@flash,default@efficient}" --reps 10 >"$OUT/flow.txt" 2>&1
grep -E "^(reference|fast:)" "$OUT/flow.txt" | cut -c1-260
ATT=$(python3 - <<'PY'
import json, os
d = json.load(open(os.path.join(os.environ["OUT"], "bench_moss_flow.json")))["variants"]
ok = [(v["median_ms"], k) for k, v in d.items()
      if k.startswith("fast:default") and "+" not in k and v.get("audio_rel_err_vs_reference", 1) < 0.05]
print(min(ok)[1].partition("@")[2] if ok else "")
PY
)
fi
echo "flow attention: ${ATT:-default}"
export ENVCHECK_BENCH_FLOW_ATTENTION=$ATT
B="python3 -m envcheck bench moss-speech --backend fused --dtype bf16"
timeout 240 $B --reps 1 --warmup 0 --json "$OUT/first.json" >"$OUT/first.txt" 2>&1; echo "first run rc=$? at ${SECONDS} s"
t0=$(date +%s.%N)
LEFT=$((${LIMIT:-590} - SECONDS)); [ "$LEFT" -ge 30 ] || LEFT=30
timeout "$LEFT" $B --reps 3 --profile --predict "RTX 4090" --json "$OUT/bench.json" --plot "$OUT/bench.png" >"$OUT/second.txt" 2>&1
echo "second run rc=$? wall $(python3 -c "import time;print(round(time.time()-$t0,1))") s"
grep -E "measuring from|bench +0\.0" "$OUT/second.txt"
grep -A3 "^backend" "$OUT/second.txt" | head -12
if [ -n "${THIRD_PROFILE-}" ]; then        # a third run under cProfile: where a warm start's seconds go
  LEFT=$((${LIMIT:-590} - SECONDS))
  if [ "$LEFT" -ge 40 ]; then
    timeout "$LEFT" python3 -m cProfile -o "$OUT/third.prof" -m envcheck bench moss-speech --backend fused --dtype bf16 \
      --reps 1 --warmup 0 --json "$OUT/third.json" >"$OUT/third.txt" 2>&1
    python3 -c "import pstats,sys; pstats.Stats('$OUT/third.prof', stream=open('$OUT/third_pstats.txt','w')).sort_stats('cumulative').print_stats(120)"
    echo "third run (cProfile) done at ${SECONDS} s"
  fi
fi
