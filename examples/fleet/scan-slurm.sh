#!/usr/bin/env bash
# One `envcheck scan --json` per node of a Slurm allocation, into DIR/<node>.json: the directory that
# `envcheck fleet report DIR` and `envcheck gate --fleet DIR` read (docs/fleet.md). DIR must be on a filesystem
# the nodes share (home, scratch): each node writes its own file there.
#
#   salloc --nodes=8 examples/fleet/scan-slurm.sh -o "$HOME/scans"          # the nodes of an allocation
#   examples/fleet/scan-slurm.sh -o "$HOME/scans" -N 8 -- --partition=gpu   # srun allocates (extra srun options after --)
#   ENVCHECK='python3 -m envcheck' examples/fleet/scan-slurm.sh -o ...       # how to run it on the nodes
#
# It is one step: srun --nodes=N --ntasks-per-node=1 runs this script again on every node (--node-task), and each
# task writes DIR/$SLURMD_NODENAME.json through a dot file (renamed when complete). A node whose scan fails leaves
# DIR/.<node>.failed; exit 1 when any did (srun returns the highest exit code of its tasks), 2 on a usage error.
set -uo pipefail

if [ "${1:-}" = "--node-task" ]; then            # on each node, under srun
  out="$2"
  node="${SLURMD_NODENAME:-$(hostname -s)}"; node="${node//[^A-Za-z0-9._-]/_}"
  if ${ENVCHECK:-envcheck} scan --json > "$out/.$node.json.tmp" 2> "$out/.$node.err" && [ -s "$out/.$node.json.tmp" ]; then
    mv "$out/.$node.json.tmp" "$out/$node.json" && rm -f "$out/.$node.err" "$out/.$node.failed"
  else
    rc=$?
    { echo "exit $rc"; tail -n 3 "$out/.$node.err"; } > "$out/.$node.failed"
    rm -f "$out/.$node.json.tmp"
    exit 1
  fi
  exit 0
fi

usage() { echo "usage: $0 -o DIR [-N NODES] [-- SRUN_OPTION...]" >&2; exit 2; }
out="" nodes="${SLURM_JOB_NUM_NODES:-}"
while getopts "o:N:h" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    N) nodes="$OPTARG" ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ -n "$out" ] || usage
[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || { echo "$0: give -N NODES (or run inside an allocation: salloc/sbatch --nodes=N)" >&2; exit 2; }
mkdir -p "$out" || exit 2
out="$(cd "$out" && pwd)"                      # the tasks start elsewhere: an absolute path
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
srun --nodes="$nodes" --ntasks-per-node=1 "$@" bash "$self" --node-task "$out"
rc=$?
done_n=$(find "$out" -maxdepth 1 -name '*.json' ! -name '.*' | wc -l)
echo "scan-slurm: $done_n node document(s) in $out/ (srun exit $rc)" >&2
for f in "$out"/.*.failed; do
  [ -e "$f" ] && echo "  failed: $(basename "$f" .failed | sed 's/^\.//'): $(tr '\n' ' ' < "$f")" >&2
done
[ $rc -eq 0 ] || exit 1
