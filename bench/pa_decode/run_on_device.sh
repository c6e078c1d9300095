#!/usr/bin/env bash
# Runs on the GPU machine (device tool), in the repository root, carrying .device-carry/gpucheck
# (tests/kernels/gpu/prepare_device_run.sh) and .device-carry/fibench (FlashInfer's bench binary,
# bench/pa_decode/prepare_device_run.sh): in one call
#   1. correctness: the pa_decode GPU test, every variant of every build through the
#      generated launcher and the runtime (tests/kernels/gpu/run_on_device.sh);
#   2. device copy bandwidth; FlashInfer's harness and ours (pa_bench, through the launcher) on the
#      anchor shapes, alternating, two passes each; side_by_side.csv joins them;
#   3. ours over the seed's test matrix (seed.csv, mean TB/s table);
#   4. with `sweep`: forced partition counts on small batches (pa_sweep), for tuning the rule;
#      with `profile`: ncu (no clock control) on four shapes ($PA_PROFILE_SHAPES picks others);
#      with `noseed`: step 3 left out;
#      with `nocheck`: step 1 left out (timing the outputs of a build checked before).
#   Every aotc output folder under .device-carry/compare/<name>/ (an older kernel, say), and every
#   GPU-test build named in $PA_BENCH_BUILDS (say "default-wgmma": a knob turned on), is also
#   timed on the anchors once, in the same call (ours_<name>.csv); `profile` looks at the build
#   $PA_PROFILE_BUILD names among those of $PA_BENCH_BUILDS (default-mma's outputs unless set).
# Logs and CSVs under $OUT (at most 8 files come back: the small ones, and results.tar.gz).
#   bench/pa_decode/run_on_device.sh [seed] [sweep|profile|noseed|nocheck ...]
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/pa_bench_out}
mkdir -p "$out/logs"
work=/tmp/pa_gpu
carry=$PWD/.device-carry
cuda=/usr/local/cuda

extras=" ${*:2} "
if [[ "$extras" == *" nocheck "* ]]; then  # timing only: the outputs of an already checked build
  mkdir -p "$work/outputs" && tar -C "$work/outputs" -xzf "$carry/gpucheck/outputs.tar.gz"
else
  OUT=$out/logs bash tests/kernels/gpu/run_on_device.sh "${1:-}" > "$out/logs/correctness.txt" 2>&1
  echo "correctness: exit $? ($(grep -c . "$out/logs/correctness.txt") lines)"
  tail -n 25 "$out/logs/correctness.txt"
fi

if ldd "$carry/gpucheck/libaotc_runtime.so" | grep -q "not found"; then
  export LD_LIBRARY_PATH=$carry/gpucheck/lib
fi
outputs=$work/outputs/default-mma
common="-std=c++20 -O2 -I$cuda/include -Itests/kernels -Ibench/pa_decode bench/pa_decode/bench_timing.cc tests/kernels/pa_reference.cc tests/kernels/pa_cases.cc"
g++ $common -I$outputs/include -Iruntime/include bench/pa_decode/pa_bench.cc \
  "$outputs/include/aotc/pa_decode_launcher.cc" "$carry/gpucheck/libaotc_runtime.so" \
  -Wl,-rpath,"$carry/gpucheck" -L$cuda/lib64/stubs -lcuda -lpthread -o /tmp/pa_bench &
for tool in pa_sweep pa_launch_overhead; do
  g++ $common bench/pa_decode/$tool.cc bench/pa_decode/pa_module.cc -L$cuda/lib64/stubs -lcuda \
    -lpthread -o /tmp/$tool &
done
also=()
for dir in "$carry"/compare/*/; do also+=("$dir"); done
for build in ${PA_BENCH_BUILDS:-}; do also+=("$work/outputs/$build/"); done
for dir in "${also[@]}"; do
  [ -f "$dir/manifest.json" ] || continue
  name=$(basename "$dir")
  g++ $common -I"$dir/include" -Iruntime/include bench/pa_decode/pa_bench.cc \
    "$dir/include/aotc/pa_decode_launcher.cc" "$carry/gpucheck/libaotc_runtime.so" \
    -Wl,-rpath,"$carry/gpucheck" -L$cuda/lib64/stubs -lcuda -lpthread -o "/tmp/pa_bench_$name" &
done
wait
[ -x /tmp/pa_bench ] || { echo "pa_bench did not build"; exit 1; }

copy=$(/tmp/pa_bench copy | awk '{print $3}')
echo "device copy: $copy TB/s"
for pass in 1 2; do
  "$carry/fibench/flashinfer_decode_bench" "$out/logs/flashinfer_$pass.csv" > "$out/logs/flashinfer_$pass.log" 2>&1 ||
    echo "flashinfer pass $pass failed: $(tail -2 "$out/logs/flashinfer_$pass.log")"
  /tmp/pa_bench anchors "$out/logs/ours_$pass.csv" "$outputs" > "$out/logs/ours_$pass.log" 2>&1 ||
    echo "ours pass $pass failed: $(tail -2 "$out/logs/ours_$pass.log")"
done
for dir in "${also[@]}"; do
  name=$(basename "$dir")
  [ -x "/tmp/pa_bench_$name" ] || continue
  "/tmp/pa_bench_$name" anchors "$out/logs/ours_$name.csv" "$dir" > "$out/logs/ours_$name.log" 2>&1 ||
    echo "$name failed: $(tail -2 "$out/logs/ours_$name.log")"
  python3 bench/pa_decode/side_by_side.py --flashinfer "$out"/logs/flashinfer_*.csv \
    --ours "$out/logs/ours_$name.csv" --copy-tbps "$copy" --out "$out/logs/side_by_side_$name.csv" \
    > "$out/logs/side_by_side_$name.txt"
  head -n 7 "$out/logs/side_by_side_$name.txt" | sed "s/^/[$name] /"
done
python3 bench/pa_decode/side_by_side.py --flashinfer "$out"/logs/flashinfer_*.csv \
  --ours "$out"/logs/ours_[0-9].csv --copy-tbps "$copy" --out "$out/side_by_side.csv" |
  tee "$out/side_by_side.txt"
if [[ "$extras" != *" noseed "* ]]; then
  /tmp/pa_bench seed "$out/seed.csv" "$outputs" > "$out/seed.txt" 2>&1 || echo "seed run failed"
  tail -n 4 "$out/seed.txt"
fi
if [[ "$extras" == *" sweep "* ]]; then
  /tmp/pa_sweep "$outputs/sm_90a" "$out/sweep.csv" > "$out/logs/sweep.log" 2>&1 || echo "sweep failed"
fi
if [[ "$extras" == *" overhead "* ]]; then
  /tmp/pa_launch_overhead "$outputs/sm_90a" "$out/overhead.csv" > "$out/overhead.txt" 2>&1 ||
    echo "overhead failed: $(tail -2 "$out/overhead.txt")"
  cat "$out/overhead.txt"
fi
if [[ "$extras" == *" profile "* ]]; then
  profile_bench=/tmp/pa_bench profile_outputs=$outputs
  if [ -n "${PA_PROFILE_BUILD:-}" ]; then
    profile_bench=/tmp/pa_bench_$PA_PROFILE_BUILD profile_outputs=$work/outputs/$PA_PROFILE_BUILD
  fi
  ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  # PA_PROFILE_SHAPES: "kv page q Hkv B ctx" points separated by ';' (default: four anchors).
  IFS=';' read -ra shapes <<< "${PA_PROFILE_SHAPES:-bf16 16 1 8 128 8192;bf16 16 1 8 1 8192;fp8 16 4 4 128 8192;bf16 64 4 4 128 8192}"
  for shape in "${shapes[@]}"; do
    tag=$(echo "$shape" | tr ' ' _)
    "$ncu" --clock-control none --section SpeedOfLight --section Occupancy --section LaunchStats \
      --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis \
      --section ComputeWorkloadAnalysis --section InstructionStats \
      --section MemoryWorkloadAnalysis_Tables --print-details all -k pa_decode_attention -c 1 \
      "$profile_bench" shape $shape "$profile_outputs" > "$out/logs/ncu_$tag.txt" 2>&1 ||
      echo "ncu $tag failed"
    grep -E "Duration|Memory Throughput|DRAM Throughput|Achieved Occupancy|Registers Per|Stall|Issued Ipc|No Eligible|Eligible Warps" \
      "$out/logs/ncu_$tag.txt" | head -20 | sed "s/^/[$tag] /"
  done
fi
tar -C "$out" -czf "$out/results.tar.gz" logs
rm -rf "$out/logs"
