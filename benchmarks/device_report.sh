#!/usr/bin/env bash
# Everything the README's device figures come from, in one run on the GPU machine (the `device` tool):
#   bash benchmarks/device_report.sh OUTDIR [scan|bench|all]
# Uses the machine's python3 (a uv venv with torch) and envcheck from this checkout (PYTHONPATH), as a user
# would run it without installing. Each output goes to OUTDIR/<name>.txt with its exit code.
set -u
OUT=${1:?outdir}; WHAT=${2:-all}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
PY=${PY:-python3}
step() {  # step NAME CMD...: run, keep stdout+stderr and the exit code and the wall time
  local name=$1; shift
  local t0; t0=$(date +%s%N)
  "$@" >"$OUT/$name.txt" 2>&1; local rc=$?
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  printf '%-24s rc=%s  %d ms\n' "$name" "$rc" "$ms" | tee -a "$OUT/steps.txt"
}
if [ "$WHAT" = scan ] || [ "$WHAT" = all ]; then
  step nvidia-smi nvidia-smi
  step scan $PY -m envcheck scan
  step scan-json $PY -m envcheck scan --json
  step scan-markdown $PY -m envcheck scan --markdown
  step scan-exec $PY -m envcheck scan --exec
  step check-json $PY -m envcheck check --json
  step recommend-trtllm $PY -m envcheck recommend --target tensorrt-llm
  step recommend-trtllm-110 $PY -m envcheck recommend --target tensorrt-llm==1.1.0
  step recommend-vllm $PY -m envcheck recommend --target vllm
  step recommend-seed $PY -m envcheck recommend --target tensorrt-llm --env tests/fixtures/envs/seed-runpod-4090.yaml
  step gate-live $PY -m envcheck gate --policy tests/fixtures/policies/live-gpu.yaml --junit "$OUT/gate.xml" --markdown "$OUT/gate.md"
  step init-policy $PY -m envcheck init-policy
  step explain $PY -m envcheck explain "ImportError: libcublasLt.so.13: cannot open shared object file"
  step bench-scan $PY benchmarks/bench_scan.py --runs 5 --json "$OUT/bench_scan.json"
  step bench-scan-asis $PY benchmarks/bench_scan.py --runs 5 --pycache none --json "$OUT/bench_scan_asis.json"
  step scan-meta sh -c "$PY -m envcheck scan --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"meta\"])'"
fi
if [ "$WHAT" != bench ]; then  # the files come back as one archive
  (cd "$OUT" && tar czf ../device-report.tgz . && mv ../device-report.tgz .)
fi
if [ "$WHAT" = bench ] || [ "$WHAT" = all ]; then
  step bench-moss $PY -m envcheck bench moss-speech --backend eager,static,compile,fused,tensorrt --dtype bf16 \
    --reps 5 --warmup 1 --profile --predict "RTX 4090" --json "$OUT/bench_moss.json" --plot "$OUT/bench_moss.png"
fi
