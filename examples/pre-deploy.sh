#!/usr/bin/env bash
# pre-deploy.sh: scan the target GPU machine over ssh, gate on the policy here, deploy only on a pass.
#   ./pre-deploy.sh user@gpu-host [policy.yaml]
# Needs envcheck here and on the target (Python >= 3.9 there):
#   pip install "git+https://github.com/<org>/envcheck@<tag>"
# NOT `pip install envcheck`: that PyPI name is an unrelated project (dyspop/envcheck). Install this one from
# its repository or a wheel built with `pip wheel --no-deps . -w dist` (pure Python, py3-none-any).
set -euo pipefail

target="${1:?usage: $0 user@host [policy.yaml]}"
policy="${2:-envcheck-policy.yaml}"
out="${ENVCHECK_OUT:-envcheck-out}"
mkdir -p "$out"

# 1. The facts, taken on the target (no root needed). Add --search DIR for environments outside the usual places.
ssh -o BatchMode=yes "$target" 'python3 -m envcheck scan --json' > "$out/scan.json"

# 2. The verdict. Exit codes: 0 pass, 1 the policy failed, 2 bad policy/usage/input, 3 envcheck's own failure.
set +e
envcheck gate --policy "$policy" --env "$out/scan.json" --junit "$out/gate.xml" --markdown "$out/gate.md"
rc=$?
set -e

case "$rc" in
  0) echo "gate passed: deploying to $target" ;;
  1) echo "gate FAILED for $target: see above or $out/gate.md; not deploying" >&2; exit 1 ;;
  2) echo "gate could not run: fix the policy or the input (the message names file:line)" >&2; exit 2 ;;
  *) echo "envcheck itself failed (rc=$rc): rerun with 'envcheck --debug gate ...' and report it" >&2; exit "$rc" ;;
esac

# 3. Your deploy goes here, e.g.:
# ssh "$target" 'cd /workspace/app && ./serve.sh --restart'
