#!/usr/bin/env bash
# One `envcheck scan --json` per host over ssh, in parallel, into DIR/<host>.json: the directory that
# `envcheck fleet report DIR` and `envcheck gate --fleet DIR` read (docs/fleet.md).
#
#   examples/fleet/scan-ssh.sh -o scans/ gpu-01 gpu-02 gpu-03
#   examples/fleet/scan-ssh.sh -o scans/ -j 32 -t 120 < hosts.txt        # one host a line ('#' comments)
#   ENVCHECK='python3 -m envcheck' examples/fleet/scan-ssh.sh -o scans/ gpu-01   # how to run it on the hosts
#
# A host that cannot be reached, fails or times out is listed in DIR/.failed (host, exit code, last stderr
# line) and the others go on; exit 1 when any failed, 2 on a usage error. ssh runs in BatchMode (keys, no
# prompts); SSH_OPTS adds options (e.g. SSH_OPTS='-o ProxyJump=bastion').
set -uo pipefail

usage() { echo "usage: $0 -o DIR [-j PARALLEL] [-t TIMEOUT_S] [HOST...]  (hosts on stdin when none are given)" >&2; exit 2; }
out="" jobs=16 limit=120
while getopts "o:j:t:h" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    j) jobs="$OPTARG" ;;
    t) limit="$OPTARG" ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$out" ] || usage
[[ "$jobs" =~ ^[1-9][0-9]*$ && "$limit" =~ ^[1-9][0-9]*$ ]] || usage
hosts=("$@")
if [ ${#hosts[@]} -eq 0 ]; then
  while read -r line; do
    line="${line%%#*}"; line="${line//[[:space:]]/}"
    [ -n "$line" ] && hosts+=("$line")
  done
fi
[ ${#hosts[@]} -gt 0 ] || { echo "$0: no hosts" >&2; exit 2; }
mkdir -p "$out" || exit 2
: > "$out/.failed"
remote="${ENVCHECK:-envcheck} scan --json"
read -r -a ssh_opts <<< "${SSH_OPTS:-}"

scan_one() {   # host -> DIR/host.json, or a line in DIR/.failed
  local host="$1" name tmp err rc
  name="${host##*@}"; name="${name//[^A-Za-z0-9._-]/_}"
  tmp="$out/.$name.json.tmp"; err="$out/.$name.err"
  timeout "$limit" ssh -n -o BatchMode=yes -o ConnectTimeout=10 "${ssh_opts[@]}" "$host" "$remote" > "$tmp" 2> "$err"
  rc=$?
  if [ $rc -eq 0 ] && [ -s "$tmp" ]; then
    mv "$tmp" "$out/$name.json" && rm -f "$err"
  else
    [ $rc -eq 124 ] && echo "timed out after ${limit}s" >> "$err"
    printf '%s\texit %s\t%s\n' "$host" "$rc" "$(tail -n 1 "$err" 2>/dev/null)" >> "$out/.failed"
    rm -f "$tmp"
  fi
}

running=0
for host in "${hosts[@]}"; do
  scan_one "$host" &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
failed=$(wc -l < "$out/.failed")
echo "scan-ssh: $(( ${#hosts[@]} - failed )) of ${#hosts[@]} host(s) scanned into $out/" >&2
if [ "$failed" -gt 0 ]; then
  sed 's/^/  failed: /' "$out/.failed" >&2
  exit 1
fi
