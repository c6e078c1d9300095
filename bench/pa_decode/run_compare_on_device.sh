#!/usr/bin/env bash
# Runs on the GPU machine (device tool), in the repository root: a kernel experiment in one short
# call (about 3 minutes), carrying .device-carry (gpucheck with at least the default-mma build,
# fibench, compare/<name>/ from prepare_compare.sh):
#   1. correctness of every compare build: the GPU test of tests/kernels/gpu (its variants through
#      the generated launcher and the runtime against the float64 reference) built against that
#      build in default-mma's place, all builds side by side, each run cut off after
#      $PA_CHECK_SECONDS (default 70) seconds: the summary says how many variants it reached;
#   2. timing: run_on_device.sh <seed> nocheck noseed (the tree's default-mma build, every compare
#      build and FlashInfer on the anchor shapes, one side-by-side CSV each).
# $OUT gets check_summary.txt, side_by_side.{csv,txt} and results.tar.gz (every log, the compare
# builds' side-by-side CSVs and the check logs).
#   bench/pa_decode/run_compare_on_device.sh [seed]
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
out=${OUT:-/tmp/pa_bench_out}
carry=$PWD/.device-carry/gpucheck
seed=${1:-$(date +%s)}
limit=${PA_CHECK_SECONDS:-70}
mkdir -p "$out/logs"
if ldd "$carry/libaotc_runtime.so" | grep -q "not found"; then
  export LD_LIBRARY_PATH=$carry/lib
fi

start=$(date +%s)
names=()
for dir in .device-carry/compare/*/; do
  [ -f "$dir/manifest.json" ] || continue
  name=$(basename "$dir")
  names+=("$name")
  work=/tmp/pa_check/$name
  # The standalone GPU test builds the builds.txt names it finds: this build stands in for
  # default-mma (code objects embedded).
  mkdir -p "$work/outputs" && ln -sfn "$PWD/$dir" "$work/outputs/default-mma"
  (
    if ! {
      cmake -S tests/kernels/gpu -B "$work/test" -DCMAKE_BUILD_TYPE=Release \
        -DAOTC_RUNTIME_LIBRARY="$carry/libaotc_runtime.so" -DPA_GPU_OUTPUTS="$work/outputs" \
        -DCATCH2_INCLUDE_DIR="$carry/include" > "$work/build.log" 2>&1 &&
        cmake --build "$work/test" -j8 >> "$work/build.log" 2>&1
    }; then
      echo "test build failed:"
      tail -20 "$work/build.log"
      exit 1
    fi
    PA_GPU_SEED=$seed timeout "$limit" "$work/test/pa_decode_gpu_test_default-mma"
  ) > "$out/logs/check_$name.log" 2>&1 &
done
wait
{
  echo "seed $seed, checks done after $(($(date +%s) - start)) s (each run cut off at $limit s)"
  for name in "${names[@]}"; do
    log=$out/logs/check_$name.log
    total=$(grep -o -m1 '[0-9]* variants$' "$log" | awk '{print $1}')
    ok=$(grep -c -E '^  pa_decode\..* ok$' "$log")
    failed=$(grep -c -E '^  pa_decode\..* FAILED$' "$log")
    echo "check $name: ${ok} of ${total:-?} variants ok, ${failed} failed$(grep -q '^SUMMARY' "$log" || echo ', cut off or stopped')"
    grep -E '^SUMMARY|FAILED|failed' "$log" | head -5
  done
} | tee "$out/check_summary.txt"

bash bench/pa_decode/run_on_device.sh "$seed" nocheck noseed
echo "whole call: $(($(date +%s) - start)) s"
