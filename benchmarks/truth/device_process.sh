#!/usr/bin/env bash
# The process classes on a GPU machine (the `device` tool: bash benchmarks/truth/device_process.sh, files under $OUT):
# facts about the toolkit stub and the driver library, scan/check, the faults by hand, explain, then the truth suite's
# stub-libcuda, empty-libcuda, empty-llp, visible-devices and device-node classes against the machine's own venv.
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 NO_COLOR=1; O=$OUT
f=$(ls /usr/local/cuda*/targets/*/lib/stubs/libcuda.so /usr/local/cuda*/lib64/stubs/libcuda.so 2>/dev/null|tail -1)
{ echo "stub=$f"; ls -la $(dirname $f) | head; stat -c '%s bytes' $f; readelf -d $f | grep -i soname; nm -D --defined-only $f | wc -l; strings $f | grep -ci 'dev/nvidia'; l=$(readlink -f $(ldconfig -p | awk '/libcuda.so.1 /{print $NF; exit}')); echo "driver=$l"; stat -c '%s bytes' $l; strings $l | grep -m3 '/dev/nvidia'; ls -la /dev/nvidia*; cat /proc/driver/nvidia/version; echo "LLP=$LD_LIBRARY_PATH"; env | grep -i visible; nvidia-smi -L; } > $O/facts.txt 2>&1
python3 -m envcheck scan > $O/scan.txt 2>&1
python3 -m envcheck scan --json > $O/scan.json 2>&1
python3 -m envcheck check > $O/check.txt 2>&1
d=$(mktemp -d); ln -s $f $d/libcuda.so.1
{ echo "== stub first on LLP"; LD_LIBRARY_PATH=$d:$LD_LIBRARY_PATH python3 -c 'import torch; torch.ones(1,device="cuda")' 2>&1 | tail -1; LD_LIBRARY_PATH=$d:$LD_LIBRARY_PATH python3 -m envcheck check 2>&1 | grep -A3 'libcuda-stub\|Findings'
e=$(mktemp -d); : > $e/libcuda.so.1
echo "== empty libcuda.so.1 first on LLP"; LD_LIBRARY_PATH=$e:$LD_LIBRARY_PATH python3 -c 'import torch; torch.ones(1,device="cuda")' 2>&1 | tail -1; LD_LIBRARY_PATH=$e:$LD_LIBRARY_PATH python3 -m envcheck check 2>&1 | grep -A4 'libcuda-unusable\|Findings'
for v in "" 7 0,7; do echo "== CUDA_VISIBLE_DEVICES='$v'"; CUDA_VISIBLE_DEVICES=$v python3 -c 'import torch; torch.ones(1,device="cuda")' 2>&1 | tail -1; CUDA_VISIBLE_DEVICES=$v python3 -m envcheck check 2>&1 | grep -A3 'visible\|Findings'; done
echo "== explain"; LD_LIBRARY_PATH=$d:$LD_LIBRARY_PATH python3 -m envcheck explain 'RuntimeError: Unexpected error from cudaGetDeviceCount(). Error 34: CUDA driver is a stub library'
CUDA_VISIBLE_DEVICES=7 python3 -m envcheck explain 'RuntimeError: No CUDA GPUs are available'; } > $O/faults.txt 2>&1
timeout 420 python3 benchmarks/truth/run.py --existing /opt/torch/.venv --gpu --class stub-libcuda --class empty-libcuda --class empty-llp --class visible-devices --class device-node --workdir /tmp/tw -o $O/truth > $O/truth.log 2>&1
ls -la /dev/nvidia* >> $O/truth.log; tail -25 $O/truth.log
