#!/usr/bin/env bash
# Runs on the GPU machine (device tool), in the repository root, with .device-carry/kernel from
# prepare_cubins.sh: builds the harness with g++ against the CUDA driver API, checks every variant
# (matrix path and generic path) against the float64 reference, then times the matrix path on the
# FlashInfer anchor shapes. Logs and CSVs go to $OUT; a short table is printed last.
#   bash bench/pa_decode/device_run.sh [seed] [check|time|all|sweep]
# (sweep: timing only, small batches at several partition counts, to tune the launch rule)
set -uo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-$(date +%s)}
what=${2:-all}
out=${OUT:-/tmp/pa_out}
mkdir -p "$out"
carry=.device-carry/kernel
cuda=/usr/local/cuda
srcs="tests/kernels/pa_reference.cc tests/kernels/pa_cases.cc bench/pa_decode/pa_module.cc"
flags="-std=c++20 -O2 -I$cuda/include -Itests/kernels -Ibench/pa_decode"
libs="-L$cuda/lib64/stubs -lcuda -lpthread"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
g++ $flags bench/pa_decode/pa_check.cc $srcs $libs -o /tmp/pa_check &
g++ $flags bench/pa_decode/pa_time.cc $srcs $libs -o /tmp/pa_time &
wait
check_rc=skipped
if [ "$what" = check ] || [ "$what" = all ]; then
  start=$(date +%s)
  /tmp/pa_check "$seed" "$carry/mma" "$carry/generic" > "$out/check.log" 2>&1
  check_rc=$?
  echo "check: exit $check_rc in $(( $(date +%s) - start )) s (seed $seed)"
fi
if [ "$what" = sweep ]; then
  /tmp/pa_time "$carry/generic" "$out/time_generic.csv" > "$out/time_generic.log" 2>&1 || echo "generic timing: failed"
  /tmp/pa_time "$carry/mma" "$out/sweep_mma.csv" sweep > "$out/time.log" 2>&1 || echo "sweep: failed"
elif [ "$what" != check ]; then
  /tmp/pa_time "$carry/mma" "$out/time_mma.csv" > "$out/time.log" 2>&1 || echo "time: failed"
fi
[ -f "$out/check.log" ] && { grep -E "FAIL|SUMMARY|error|failed" "$out/check.log" | head -40; }
[ -f "$out/time.log" ] && cat "$out/time.log"
echo "check exit: $check_rc"
