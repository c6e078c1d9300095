#!/usr/bin/env bash
# Runs on the GPU machine (device tool), in the repository root, carrying .device-carry/gpucheck
# from prepare_device_run.sh: builds the pa_decode GPU test (one executable per build of
# builds.txt) and examples/decode_step standalone against the carried libaotc_runtime.so and aotc
# outputs, runs them all, writes logs under $OUT and prints a short table last.
#   tests/kernels/gpu/run_on_device.sh [seed]     (default: a fresh one, printed)
set -uo pipefail
cd "$(dirname "$0")/../../.."
carry=$PWD/.device-carry/gpucheck
out=${OUT:-/tmp/pa_gpu_out}
work=/tmp/pa_gpu
export PA_GPU_SEED=${1:-$(date +%s)}
mkdir -p "$out" "$work/outputs"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  tar -C "$work/outputs" -xzf "$carry/outputs.tar.gz"
  if ldd "$carry/libaotc_runtime.so" | grep -q "not found"; then
    echo "using carried libraries for: $(ldd "$carry/libaotc_runtime.so" | grep 'not found' | awk '{print $1}' | xargs)"
    export LD_LIBRARY_PATH=$carry/lib
  fi
  cmake -S tests/kernels/gpu -B "$work/test" -DCMAKE_BUILD_TYPE=Release \
    -DAOTC_RUNTIME_LIBRARY="$carry/libaotc_runtime.so" -DPA_GPU_OUTPUTS="$work/outputs" \
    -DCATCH2_INCLUDE_DIR="$carry/include" &&
  cmake -S examples/decode_step -B "$work/example" -DCMAKE_BUILD_TYPE=Release \
    -DAOTC_RUNTIME_LIBRARY="$carry/libaotc_runtime.so" -DAOTC_OUTPUT_DIR="$work/outputs/default-mma" &&
  cmake --build "$work/test" -j16 && cmake --build "$work/example" -j16
} > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
head -3 "$out/build.log"

# The builds run side by side: their time goes into the float64 reference on the CPU cores.
status=0
start=$(date +%s)
pids=()
for exe in "$work"/test/pa_decode_gpu_test_*; do
  name=${exe##*/pa_decode_gpu_test_}
  ( "$exe" > "$out/$name.log" 2>&1; rc=$?; echo "$name: exit $rc at $(( $(date +%s) - start )) s"; exit $rc ) &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
"$work/example/aotc_decode_step" > "$out/decode_step.log" 2>&1 || status=1

{
  echo "seed $PA_GPU_SEED"
  printf "%-18s %-12s %8s %6s %9s %-18s %12s\n" build family variants cases failures partitions "max rel err"
  grep -h -E "^[a-z-]+ +kv-" "$out"/*-*.log
  grep -h "^SUMMARY" "$out"/*-*.log
  grep -h -E "FAILED|FAIL\(|failed|error" "$out"/*-*.log | head -20
  echo "decode_step: $(grep -E 'relative error|failed|no GPU' "$out/decode_step.log")"
  echo "overall exit: $status"
} | tee "$out/summary.txt"
exit $status
